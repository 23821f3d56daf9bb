/*
 * qrlogin: the qr_logins table (see qrlogin.h). The browser's secret is
 * stored as its BLAKE2b-256 (hex) and compared in constant time; expiry is
 * checked on every read, and status moves only forward:
 * pending -> approved | denied, approved -> consumed.
 */
#include "qrlogin.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "b64.h"

#define SECRET_CHARS (QRL_SECRET_SIZE - 1)
#define HASH_HEX_SIZE (2 * crypto_generichash_BYTES + 1)
#define PURGE_AFTER 3600	/* seconds an expired row is kept */

static const char SQL_PURGE[] = "DELETE FROM qr_logins WHERE expires_at < ?";
static const char SQL_INSERT[] =
    "INSERT INTO qr_logins (id, browser_hash, client_id, req_id, created_at, "
    "expires_at, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')";
static const char SQL_GET[] =
    "SELECT browser_hash, status, expires_at, client_id, req_id, account_id "
    "FROM qr_logins WHERE id = ?";
static const char SQL_DECIDE[] =
    "UPDATE qr_logins SET status = ?, account_id = ?, device_id = ?, "
    "approved_at = ? WHERE id = ? AND status = 'pending' AND expires_at > ?";
static const char SQL_CONSUME[] =
    "UPDATE qr_logins SET status = 'consumed' "
    "WHERE id = ? AND status = 'approved' AND expires_at > ?";

/* A row as read by SQL_GET. */
struct row {
	char browser_hash[HASH_HEX_SIZE];
	char status[12];
	int64_t expires_at;
	char client_id[48];
	char req_id[44];
	char account_id[ACC_ID_SIZE];
};

const char *
qrlogin_strerror(int rc)
{
	switch (rc) {
	case QRL_NOT_FOUND: return "not_found";
	case QRL_GONE: return "gone";
	case QRL_LEVEL: return "level_too_low";
	case QRL_PENDING: return "pending";
	case QRL_DENIED: return "denied";
	default: return auth_strerror(rc);
	}
}

int
qrlogin_secret_ok(const char *s)
{
	uint8_t raw[32];
	size_t len = 0;
	int ok;

	if (s == NULL || strnlen(s, SECRET_CHARS + 1) != SECRET_CHARS)
		return 0;
	ok = b64_decode(raw, sizeof(raw), &len, s, SECRET_CHARS) == 0 &&
	    len == sizeof(raw);
	sodium_memzero(raw, sizeof(raw));
	return ok;
}

void
qrlogin_new_secret(char out[QRL_SECRET_SIZE])
{
	if (b64_random(out, QRL_SECRET_SIZE, 32) != SECRET_CHARS)
		out[0] = '\0';
}

static void
secret_hash(const char *secret, char hex[HASH_HEX_SIZE])
{
	uint8_t h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const uint8_t *)secret, strlen(secret),
	    NULL, 0);
	sodium_bin2hex(hex, HASH_HEX_SIZE, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

/* Runs a statement that returns no rows; *changed counts the rows it changed. */
static int
step_done(struct db_conn *c, sqlite3_stmt *st, int *changed)
{
	int rc = db_step(st);

	sqlite3_reset(st);
	if (changed != NULL)
		*changed = rc == DB_OK ? sqlite3_changes(db_handle(c)) : 0;
	return rc == 1 ? DB_ERR : rc;
}

/* Binds a text that may be NULL or "" (stored as NULL). */
static int
bind_opt(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return sqlite3_bind_null(st, idx) == SQLITE_OK ? DB_OK : DB_ERR;
	return db_bind_text(st, idx, s);
}

int
qrlogin_create(struct db_conn *c, const char *secret, const char *client_id,
    const char *req_id, int64_t now, char id[QRL_ID_SIZE])
{
	char hex[HASH_HEX_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (id == NULL)
		return DB_ERR;
	id[0] = '\0';
	if (c == NULL || !qrlogin_secret_ok(secret) ||
	    (client_id != NULL && strlen(client_id) >= 48) ||
	    (req_id != NULL && strlen(req_id) >= 44))
		return DB_ERR;
	if ((st = db_stmt(c, SQL_PURGE)) == NULL ||
	    db_bind_int64(st, 1, now - PURGE_AFTER) != DB_OK ||
	    (rc = step_done(c, st, NULL)) != DB_OK)
		return DB_ERR;
	secret_hash(secret, hex);
	if (b64_random(id, QRL_ID_SIZE, 32) != QRL_ID_SIZE - 1)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_INSERT)) == NULL ||
	    db_bind_text(st, 1, id) != DB_OK || db_bind_text(st, 2, hex) != DB_OK ||
	    bind_opt(st, 3, client_id) != DB_OK || bind_opt(st, 4, req_id) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK ||
	    db_bind_int64(st, 6, now + QRL_TTL) != DB_OK)
		rc = DB_ERR;
	else
		rc = step_done(c, st, NULL);
	if (rc != DB_OK)
		id[0] = '\0';
	return rc;
}

/* Column col as text into buf, "" when NULL: 0 or -1. */
static int
column_opt(sqlite3_stmt *st, int col, char *buf, size_t bufsz)
{
	buf[0] = '\0';
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	return db_column_text(st, col, buf, bufsz);
}

/* The row of `id` into *out: DB_OK, QRL_NOT_FOUND or a db_err. */
static int
get_row(struct db_conn *c, const char *id, struct row *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (id == NULL || strnlen(id, QRL_ID_SIZE) != QRL_ID_SIZE - 1)
		return QRL_NOT_FOUND;
	if ((st = db_stmt(c, SQL_GET)) == NULL || db_bind_text(st, 1, id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		rc = DB_OK;
		if (db_column_text(st, 0, out->browser_hash,
		    sizeof(out->browser_hash)) != 0 ||
		    db_column_text(st, 1, out->status, sizeof(out->status)) != 0 ||
		    column_opt(st, 3, out->client_id, sizeof(out->client_id)) != 0 ||
		    column_opt(st, 4, out->req_id, sizeof(out->req_id)) != 0 ||
		    column_opt(st, 5, out->account_id, sizeof(out->account_id)) != 0)
			rc = DB_ERR;
		out->expires_at = sqlite3_column_int64(st, 2);
	} else if (rc == DB_OK) {
		rc = QRL_NOT_FOUND;
	}
	sqlite3_reset(st);
	return rc;
}

/* The row of `id` if `secret` is the one it is bound to: as get_row. */
static int
get_bound(struct db_conn *c, const char *id, const char *secret,
    struct row *out)
{
	char hex[HASH_HEX_SIZE];
	int rc;

	if (!qrlogin_secret_ok(secret))
		return QRL_NOT_FOUND;
	if ((rc = get_row(c, id, out)) != DB_OK)
		return rc;
	secret_hash(secret, hex);
	if (strlen(out->browser_hash) != HASH_HEX_SIZE - 1 ||
	    sodium_memcmp(hex, out->browser_hash, HASH_HEX_SIZE - 1) != 0) {
		memset(out, 0, sizeof(*out));
		return QRL_NOT_FOUND;
	}
	return DB_OK;
}

int
qrlogin_state(struct db_conn *c, const char *id, const char *secret,
    int64_t now, enum qrlogin_state *out)
{
	struct row row;
	int rc;

	if (c == NULL || out == NULL)
		return DB_ERR;
	*out = QRL_ST_EXPIRED;
	if ((rc = get_bound(c, id, secret, &row)) != DB_OK)
		return rc;
	if (strcmp(row.status, "consumed") == 0 || now >= row.expires_at)
		*out = QRL_ST_EXPIRED;
	else if (strcmp(row.status, "approved") == 0)
		*out = QRL_ST_APPROVED;
	else if (strcmp(row.status, "denied") == 0)
		*out = QRL_ST_DENIED;
	else
		*out = QRL_ST_PENDING;
	return DB_OK;
}

int
qrlogin_info(struct db_conn *c, const char *id, int64_t now,
    struct qrlogin_info *out)
{
	struct row row;
	int rc;

	if (c == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if ((rc = get_row(c, id, &row)) != DB_OK)
		return rc;
	if (strcmp(row.status, "pending") != 0 || now >= row.expires_at)
		return QRL_GONE;
	memcpy(out->client_id, row.client_id, sizeof(out->client_id));
	memcpy(out->req_id, row.req_id, sizeof(out->req_id));
	out->expires_at = row.expires_at;
	return DB_OK;
}

int
qrlogin_decide(struct db_conn *c, const char *id, const char *account_id,
    const char *device_id, int approve, int64_t now)
{
	struct account acc;
	struct row row;
	sqlite3_stmt *st;
	int rc, changed = 0;

	if (c == NULL || account_id == NULL || device_id == NULL)
		return DB_ERR;
	if ((rc = get_row(c, id, &row)) != DB_OK)
		return rc;
	if (strcmp(row.status, "pending") != 0 || now >= row.expires_at)
		return QRL_GONE;
	if ((rc = accounts_get(c, account_id, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? QRL_LEVEL : rc;
	rc = acc.level >= 2 && strcmp(acc.status, "active") == 0 ? DB_OK : QRL_LEVEL;
	sodium_memzero(&acc, sizeof(acc));
	if (rc != DB_OK)
		return rc;
	if ((st = db_stmt(c, SQL_DECIDE)) == NULL ||
	    db_bind_text(st, 1, approve ? "approved" : "denied") != DB_OK ||
	    db_bind_text(st, 2, account_id) != DB_OK ||
	    db_bind_text(st, 3, device_id) != DB_OK ||
	    db_bind_int64(st, 4, now) != DB_OK || db_bind_text(st, 5, id) != DB_OK ||
	    db_bind_int64(st, 6, now) != DB_OK)
		return DB_ERR;
	if ((rc = step_done(c, st, &changed)) != DB_OK)
		return rc;
	return changed == 1 ? DB_OK : QRL_GONE;
}

/* In the transaction on c: the checks, the consumption, the session. */
static int
finish_tx(struct db_conn *c, const char *id, const char *secret,
    const struct auth_meta *meta, int64_t now, struct auth_session *out,
    char req_id[44])
{
	struct row row;
	sqlite3_stmt *st;
	int rc, changed = 0;

	if ((rc = get_bound(c, id, secret, &row)) != DB_OK)
		return rc;
	if (strcmp(row.status, "consumed") == 0 || now >= row.expires_at)
		return QRL_GONE;
	if (strcmp(row.status, "denied") == 0)
		return QRL_DENIED;
	if (strcmp(row.status, "approved") != 0)
		return QRL_PENDING;
	if ((st = db_stmt(c, SQL_CONSUME)) == NULL ||
	    db_bind_text(st, 1, id) != DB_OK || db_bind_int64(st, 2, now) != DB_OK)
		return DB_ERR;
	if ((rc = step_done(c, st, &changed)) != DB_OK)
		return rc;
	if (changed != 1)
		return QRL_GONE;
	if ((rc = auth_device_session(c, row.account_id, meta, now, out)) != DB_OK)
		return rc;
	memcpy(req_id, row.req_id, sizeof(row.req_id));
	return DB_OK;
}

int
qrlogin_finish(struct db *db, const char *id, const char *secret,
    const struct auth_meta *meta, int64_t now, struct auth_session *out,
    char req_id[44])
{
	struct db_conn *c;
	int rc;

	if (db == NULL || meta == NULL || out == NULL || req_id == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	req_id[0] = '\0';
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	rc = finish_tx(c, id, secret, meta, now, out, req_id);
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
fail:
	db_release(db, c);
	if (rc != DB_OK) {
		sodium_memzero(out, sizeof(*out));
		req_id[0] = '\0';
	}
	return rc;
}

int
qrlogin_uri(const char *issuer, const char *id, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n;

	if (issuer == NULL || id == NULL || outsz == 0)
		return -1;
	n = (size_t)snprintf(out, outsz, "dinhdanh://login?tx=%s&idp=", id);
	if (n >= outsz)
		return -1;
	for (const unsigned char *p = (const unsigned char *)issuer; *p != '\0'; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL;

		if (n + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return 0;
}
