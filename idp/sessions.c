/*
 * sessions: the sessions table (see sessions.h). The stored id is the
 * BLAKE2b-256 of the token's 43 characters, in hex; expiry is checked on
 * every read and rows are deleted when found expired or purged.
 */
#include "sessions.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <unistr.h>

#include "b64.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS (SESSION_TOKEN_SIZE - 1)
#define HASH_HEX_SIZE (2 * crypto_generichash_BYTES + 1)

static const char SQL_INSERT[] =
    "INSERT INTO sessions (id_hash, account_id, created_at, last_seen, "
    "auth_time, amr, acr, addr, user_agent) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define SESSION_COLUMNS "account_id, created_at, last_seen, auth_time, amr, acr"
static const char SQL_GET[] =
    "SELECT " SESSION_COLUMNS " FROM sessions WHERE id_hash = ?";
static const char SQL_TOUCH[] =
    "UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?";
static const char SQL_DELETE[] = "DELETE FROM sessions WHERE id_hash = ?";
static const char SQL_DELETE_ACCOUNT[] =
    "DELETE FROM sessions WHERE account_id = ?";
static const char SQL_PURGE[] =
    "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?";
static const char SQL_LIST[] =
    "SELECT " SESSION_COLUMNS ", addr, user_agent FROM sessions "
    "WHERE account_id = ? AND last_seen >= ? AND created_at >= ? "
    "ORDER BY created_at DESC, last_seen DESC, id_hash";

struct bounds {
	int64_t seen_after;	/* last_seen below this: idle too long */
	int64_t created_after;	/* created_at below this: too old */
};

static struct bounds
bounds_of(const struct session_limits *l, int64_t now)
{
	int64_t idle = SESSION_IDLE_DEFAULT, absolute = SESSION_ABSOLUTE_DEFAULT;
	struct bounds b;

	if (l != NULL && l->idle > 0)
		idle = l->idle;
	if (l != NULL && l->absolute > 0)
		absolute = l->absolute;
	b.seen_after = now - idle;
	b.created_after = now - absolute;
	return b;
}

/* Non-NULL, non-empty, and shorter than size. */
static bool
fits(const char *s, size_t size)
{
	return s != NULL && s[0] != '\0' && strnlen(s, size) < size;
}

/* The stored id of a well-formed token (43 chars, 32 bytes): 0, or -1. */
static int
token_hash(const char *token, char hex[HASH_HEX_SIZE])
{
	uint8_t raw[TOKEN_BYTES], h[crypto_generichash_BYTES];
	size_t len = 0;
	int rc = -1;

	if (token == NULL || strnlen(token, TOKEN_CHARS + 1) != TOKEN_CHARS)
		return -1;
	if (b64_decode(raw, sizeof(raw), &len, token, TOKEN_CHARS) != 0 ||
	    len != TOKEN_BYTES)
		goto fail;
	if (crypto_generichash(h, sizeof(h), (const uint8_t *)token,
	    TOKEN_CHARS, NULL, 0) != 0)
		goto fail;
	sodium_bin2hex(hex, HASH_HEX_SIZE, h, sizeof(h));
	rc = 0;
fail:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(h, sizeof(h));
	return rc;
}

static bool
is_control(ucs4_t uc)
{
	return uc < 0x20 || (uc >= 0x7f && uc <= 0x9f);
}

/*
 * The User-Agent as kept: at most SESSION_UA_MAX bytes ending on a
 * character boundary; controls and bytes of invalid UTF-8 become '?'.
 */
static void
clean_user_agent(const char *ua, char out[SESSION_UA_MAX + 1])
{
	const uint8_t *s = (const uint8_t *)(ua != NULL ? ua : "");
	size_t left = strlen((const char *)s), n = 0;

	while (left > 0) {
		ucs4_t uc;
		int len = u8_mbtoucr(&uc, s, left);

		if (len <= 0 || is_control(uc)) {
			len = len > 0 ? len : 1;
			uc = '?';
		}
		if (uc == '?') {
			if (n + 1 > SESSION_UA_MAX)
				break;
			out[n++] = '?';
		} else {
			if (n + (size_t)len > SESSION_UA_MAX)
				break;
			memcpy(out + n, s, (size_t)len);
			n += (size_t)len;
		}
		s += len;
		left -= (size_t)len;
	}
	out[n] = '\0';
}

/* Runs a statement that returns no rows. */
static int
step_done(sqlite3_stmt *st)
{
	int rc = db_step(st);

	sqlite3_reset(st);
	return rc == 1 ? DB_ERR : rc;
}

static int
insert(struct db_conn *c, const char *id_hash, const char *account_id,
    const char *amr, const char *acr, int64_t auth_time, const char *addr,
    const char *ua, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, SQL_INSERT);

	if (st == NULL || db_bind_text(st, 1, id_hash) != DB_OK ||
	    db_bind_text(st, 2, account_id) != DB_OK ||
	    db_bind_int64(st, 3, now) != DB_OK ||
	    db_bind_int64(st, 4, now) != DB_OK ||
	    db_bind_int64(st, 5, auth_time) != DB_OK ||
	    db_bind_text(st, 6, amr) != DB_OK ||
	    db_bind_text(st, 7, acr) != DB_OK ||
	    db_bind_text(st, 8, addr != NULL ? addr : "") != DB_OK ||
	    db_bind_text(st, 9, ua) != DB_OK)
		return DB_ERR;
	return step_done(st);
}

int
sessions_create(struct db_conn *c, const char *account_id, const char *amr,
    const char *acr, int64_t auth_time, const char *addr,
    const char *user_agent, int64_t now, char token[SESSION_TOKEN_SIZE])
{
	struct session *s = NULL;
	uint8_t raw[TOKEN_BYTES];
	char tok[SESSION_TOKEN_SIZE], hex[HASH_HEX_SIZE];
	char ua[SESSION_UA_MAX + 1];
	int rc = DB_ERR;

	if (token == NULL)
		return DB_ERR;
	token[0] = '\0';
	if (c == NULL || !fits(account_id, sizeof(s->account_id)) ||
	    !fits(amr, sizeof(s->amr)) || !fits(acr, sizeof(s->acr)))
		return DB_ERR;
	clean_user_agent(user_agent, ua);
	randombytes_buf(raw, sizeof(raw));
	if (b64_encode(tok, sizeof(tok), raw, sizeof(raw)) != TOKEN_CHARS ||
	    token_hash(tok, hex) != 0)
		goto fail;
	rc = insert(c, hex, account_id, amr, acr, auth_time, addr, ua, now);
	if (rc == DB_OK)
		memcpy(token, tok, sizeof(tok));
fail:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(tok, sizeof(tok));
	return rc;
}

/* Columns 0-5 (SESSION_COLUMNS) into *out: 0, or -1 when one does not fit. */
static int
read_session(sqlite3_stmt *st, struct session *out)
{
	memset(out, 0, sizeof(*out));
	if (db_column_text(st, 0, out->account_id, sizeof(out->account_id)) != 0 ||
	    db_column_text(st, 4, out->amr, sizeof(out->amr)) != 0 ||
	    db_column_text(st, 5, out->acr, sizeof(out->acr)) != 0)
		return -1;
	out->created_at = sqlite3_column_int64(st, 1);
	out->last_seen = sqlite3_column_int64(st, 2);
	out->auth_time = sqlite3_column_int64(st, 3);
	return 0;
}

/* The row of id_hash into *out: DB_OK, SESS_NOT_FOUND or a db_err. */
static int
lookup(struct db_conn *c, const char *id_hash, struct session *out)
{
	sqlite3_stmt *st = db_stmt(c, SQL_GET);
	int rc;

	if (st == NULL || db_bind_text(st, 1, id_hash) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1)
		rc = read_session(st, out) == 0 ? DB_OK : DB_ERR;
	else if (rc == DB_OK)
		rc = SESS_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}

static int
delete_one(struct db_conn *c, const char *id_hash)
{
	sqlite3_stmt *st = db_stmt(c, SQL_DELETE);

	if (st == NULL || db_bind_text(st, 1, id_hash) != DB_OK)
		return DB_ERR;
	return step_done(st);
}

static int
touch(struct db_conn *c, const char *id_hash, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, SQL_TOUCH);

	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, id_hash) != DB_OK ||
	    db_bind_int64(st, 3, now) != DB_OK)
		return DB_ERR;
	return step_done(st);
}

int
sessions_get(struct db_conn *c, const char *token,
    const struct session_limits *limits, int64_t now, struct session *out)
{
	struct bounds b = bounds_of(limits, now);
	char hex[HASH_HEX_SIZE];
	int rc;

	if (out == NULL || c == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (token_hash(token, hex) != 0)
		return SESS_NOT_FOUND;
	if ((rc = lookup(c, hex, out)) != DB_OK)
		goto fail;
	if (out->last_seen < b.seen_after || out->created_at < b.created_after) {
		rc = delete_one(c, hex);
		if (rc == DB_OK)
			rc = SESS_NOT_FOUND;
		goto fail;
	}
	if (now - out->last_seen > SESSION_REFRESH_AFTER) {
		if ((rc = touch(c, hex, now)) != DB_OK)
			goto fail;
		out->last_seen = now;
	}
	return DB_OK;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

int
sessions_end(struct db_conn *c, const char *token)
{
	char hex[HASH_HEX_SIZE];

	if (c == NULL)
		return DB_ERR;
	if (token_hash(token, hex) != 0)
		return DB_OK;
	return delete_one(c, hex);
}

int
sessions_end_all(struct db_conn *c, const char *account_id, int *ended)
{
	sqlite3_stmt *st;
	int rc;

	if (ended != NULL)
		*ended = 0;
	if (c == NULL || account_id == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_DELETE_ACCOUNT);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK)
		return DB_ERR;
	if ((rc = step_done(st)) == DB_OK && ended != NULL)
		*ended = sqlite3_changes(db_handle(c));
	return rc;
}

int
sessions_purge(struct db_conn *c, const struct session_limits *limits,
    int64_t now, int *removed)
{
	struct bounds b = bounds_of(limits, now);
	sqlite3_stmt *st;
	int rc;

	if (removed != NULL)
		*removed = 0;
	if (c == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_PURGE);
	if (st == NULL || db_bind_int64(st, 1, b.seen_after) != DB_OK ||
	    db_bind_int64(st, 2, b.created_after) != DB_OK)
		return DB_ERR;
	if ((rc = step_done(st)) == DB_OK && removed != NULL)
		*removed = sqlite3_changes(db_handle(c));
	return rc;
}

static const char *
column_or_empty(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

int
sessions_foreach(struct db_conn *c, const char *account_id,
    const struct session_limits *limits, int64_t now,
    void (*fn)(const struct session *, const char *addr,
    const char *user_agent, void *arg), void *arg)
{
	struct bounds b = bounds_of(limits, now);
	struct session s;
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || fn == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_LIST);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_int64(st, 2, b.seen_after) != DB_OK ||
	    db_bind_int64(st, 3, b.created_after) != DB_OK)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		if (read_session(st, &s) != 0) {
			rc = DB_ERR;
			break;
		}
		fn(&s, column_or_empty(st, 6), column_or_empty(st, 7), arg);
	}
	sqlite3_reset(st);
	return rc;
}
