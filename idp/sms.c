/*
 * sms: the gateway interface, the outbox gateway and the sms_outbox reads.
 */
#include "sms.h"

#include <stddef.h>

#include "phone.h"

static int
outbox_send(void *gw, const char *phone, const char *body, const char *purpose,
    int64_t now)
{
	struct db_conn *c = gw;
	char e164[PHONE_E164_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (phone_normalize(phone, e164, NULL, 0) != 0)
		return SMS_BAD_PHONE;
	if (body == NULL || body[0] == '\0' || purpose == NULL || purpose[0] == '\0')
		return SMS_BAD_MESSAGE;
	st = db_stmt(c, "INSERT INTO sms_outbox (phone, body, purpose, created_at) "
	    "VALUES (?, ?, ?, ?)");
	if (st == NULL || db_bind_text(st, 1, e164) != DB_OK ||
	    db_bind_text(st, 2, body) != DB_OK ||
	    db_bind_text(st, 3, purpose) != DB_OK ||
	    db_bind_int64(st, 4, now) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	sqlite3_reset(st);
	return rc == 1 ? DB_ERR : rc;
}

struct sms_gateway
sms_outbox_gateway(struct db_conn *c)
{
	return (struct sms_gateway){ .send = outbox_send, .gw = c };
}

int
sms_send(const struct sms_gateway *g, const char *phone, const char *body,
    const char *purpose, int64_t now)
{
	return g->send(g->gw, phone, body, purpose, now);
}

int
sms_count_since(struct db_conn *c, const char *phone, int64_t since, int *n)
{
	char e164[PHONE_E164_SIZE];
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (phone_normalize(phone, e164, NULL, 0) != 0)
		return SMS_BAD_PHONE;
	st = db_stmt(c, "SELECT COUNT(*) FROM sms_outbox "
	    "WHERE phone = ? AND created_at >= ?");
	if (st == NULL || db_bind_text(st, 1, e164) != DB_OK ||
	    db_bind_int64(st, 2, since) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		*n = sqlite3_column_int(st, 0);
		rc = DB_OK;
	} else if (rc == DB_OK)
		rc = DB_ERR;
	sqlite3_reset(st);
	return rc;
}

static const char *
column_or_empty(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

static sqlite3_stmt *
foreach_stmt(struct db_conn *c, const char *e164)
{
	sqlite3_stmt *st;

	if (e164 == NULL)
		return db_stmt(c, "SELECT created_at, phone, body FROM sms_outbox "
		    "ORDER BY created_at, id");
	st = db_stmt(c, "SELECT created_at, phone, body FROM sms_outbox "
	    "WHERE phone = ? ORDER BY created_at, id");
	if (st != NULL && db_bind_text(st, 1, e164) != DB_OK) {
		sqlite3_reset(st);
		return NULL;
	}
	return st;
}

int
sms_foreach(struct db *db, const char *phone,
    void (*fn)(int64_t, const char *, const char *, void *), void *arg)
{
	char e164[PHONE_E164_SIZE];
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc;

	if (phone != NULL && phone_normalize(phone, e164, NULL, 0) != 0)
		return SMS_BAD_PHONE;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((st = foreach_stmt(c, phone != NULL ? e164 : NULL)) == NULL) {
		db_release(db, c);
		return DB_ERR;
	}
	while ((rc = db_step(st)) == 1)
		fn(sqlite3_column_int64(st, 0), column_or_empty(st, 1),
		    column_or_empty(st, 2), arg);
	sqlite3_reset(st);
	db_release(db, c);
	return rc;
}
