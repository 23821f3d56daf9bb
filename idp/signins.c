/*
 * signins: recording and listing sign-in attempts.
 */
#include "signins.h"

#include <string.h>

#define UA_MAX 200

static const char SQL_INSERT[] =
    "INSERT INTO signins (account_id, at, outcome, method, addr, user_agent) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_LIST[] =
    "SELECT at, outcome, method, addr, user_agent FROM signins "
    "WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM signins WHERE account_id = ? AND outcome = ? "
    "AND at >= ?";

/* The user agent cut to UA_MAX bytes on a UTF-8 boundary, controls made '?'. */
static void
clean_ua(const char *ua, char out[UA_MAX + 1])
{
	size_t n = 0;

	for (; ua != NULL && ua[n] != '\0' && n < UA_MAX; n++)
		out[n] = (unsigned char)ua[n] < 0x20 || ua[n] == 0x7f ? '?' : ua[n];
	/* Cut before a continuation byte: back to the start of its character. */
	while (n > 0 && ua[n] != '\0' && ((unsigned char)ua[n] & 0xc0) == 0x80)
		n--;
	out[n] = '\0';
}

int
signins_record(struct db_conn *c, const char *account_id,
    const struct signin *s)
{
	char ua[UA_MAX + 1];
	sqlite3_stmt *st;

	if (c == NULL || account_id == NULL || s == NULL || s->outcome == NULL ||
	    s->method == NULL)
		return DB_ERR;
	clean_ua(s->user_agent, ua);
	st = db_stmt(c, SQL_INSERT);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_int64(st, 2, s->at) != DB_OK ||
	    db_bind_text(st, 3, s->outcome) != DB_OK ||
	    db_bind_text(st, 4, s->method) != DB_OK ||
	    db_bind_text(st, 5, s->addr != NULL ? s->addr : "unknown") != DB_OK ||
	    db_bind_text(st, 6, ua) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

int
signins_foreach(struct db_conn *c, const char *account_id, int limit,
    void (*fn)(const struct signin *, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || fn == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_LIST);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_int64(st, 2, limit) != DB_OK)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		struct signin s = { sqlite3_column_int64(st, 0), col(st, 1),
		    col(st, 2), col(st, 3), col(st, 4) };
		fn(&s, arg);
	}
	sqlite3_reset(st);
	return rc;
}

int
signins_count(struct db_conn *c, const char *account_id, const char *outcome,
    int64_t since, int *n)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || outcome == NULL || n == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_COUNT);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, outcome) != DB_OK ||
	    db_bind_int64(st, 3, since) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		*n = sqlite3_column_int(st, 0);
		rc = DB_OK;
	}
	sqlite3_reset(st);
	return rc;
}
