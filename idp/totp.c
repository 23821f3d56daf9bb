/*
 * totp: enrolment, confirmation and verification over the totp_keys table.
 */
#include "totp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "b64.h"
#include "otp.h"

#define SEALED_MAX 256

static const char SQL_PENDING[] =
    "INSERT INTO totp_keys (account_id, pending_sealed) VALUES (?, ?) "
    "ON CONFLICT (account_id) DO UPDATE SET pending_sealed = excluded.pending_sealed";
static const char SQL_GET[] =
    "SELECT COALESCE(secret_sealed, ''), COALESCE(pending_sealed, ''), last_step "
    "FROM totp_keys WHERE account_id = ?";
static const char SQL_ACTIVATE[] =
    "UPDATE totp_keys SET secret_sealed = pending_sealed, pending_sealed = NULL, "
    "last_step = ?, enabled_at = ? WHERE account_id = ? AND pending_sealed = ?";
static const char SQL_USE_STEP[] =
    "UPDATE totp_keys SET last_step = ? WHERE account_id = ? AND last_step < ?";
static const char SQL_REMOVE[] =
    "DELETE FROM totp_keys WHERE account_id = ? AND secret_sealed IS NOT NULL";
static const char SQL_ENABLED[] =
    "SELECT 1 FROM totp_keys WHERE account_id = ? AND secret_sealed IS NOT NULL";

/* The seal's purpose binds a key to its account. */
static void
purpose_of(const char *account_id, char out[96])
{
	snprintf(out, 96, "totp:%s", account_id);
}

static int
seal_key(const struct seal *seal, const char *account_id,
    const uint8_t key[OTP_TOTP_SECRET_LEN], char out[SEALED_MAX])
{
	uint8_t sealed[OTP_TOTP_SECRET_LEN + SEAL_OVERHEAD];
	char purpose[96];

	purpose_of(account_id, purpose);
	if (seal_seal(seal, sealed, key, OTP_TOTP_SECRET_LEN, purpose) != 0)
		return DB_ERR;
	(void)b64_encode(out, SEALED_MAX, sealed, sizeof(sealed));
	return DB_OK;
}

static int
unseal_key(const struct seal *seal, const char *account_id, const char *text,
    uint8_t key[OTP_TOTP_SECRET_LEN])
{
	uint8_t sealed[OTP_TOTP_SECRET_LEN + SEAL_OVERHEAD];
	char purpose[96];
	size_t n = 0;

	if (b64_decode(sealed, sizeof(sealed), &n, text, strlen(text)) != 0 ||
	    n != sizeof(sealed))
		return DB_ERR;
	purpose_of(account_id, purpose);
	return seal_unseal(seal, key, sealed, n, purpose) == 0 ? DB_OK : DB_ERR;
}

int
totp_begin(struct db_conn *c, const struct seal *seal, const char *account_id,
    const char *issuer, const char *label, char b32[TOTP_B32_SIZE],
    char uri[TOTP_URI_SIZE])
{
	uint8_t key[OTP_TOTP_SECRET_LEN];
	char sealed[SEALED_MAX];
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (c == NULL || seal == NULL || account_id == NULL || issuer == NULL ||
	    label == NULL || b32 == NULL || uri == NULL)
		return DB_ERR;
	if (otp_totp_secret(key) != 0 ||
	    otp_base32(key, sizeof(key), b32, TOTP_B32_SIZE) != 0 ||
	    otp_uri(uri, TOTP_URI_SIZE, issuer, label, key, sizeof(key)) != 0 ||
	    seal_key(seal, account_id, key, sealed) != DB_OK)
		goto fail;
	st = db_stmt(c, SQL_PENDING);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, sealed) != DB_OK)
		goto fail;
	rc = db_step(st);
fail:
	sodium_memzero(key, sizeof(key));
	if (rc != DB_OK) {
		sodium_memzero(b32, TOTP_B32_SIZE);
		sodium_memzero(uri, TOTP_URI_SIZE);
	}
	return rc;
}

struct row {
	char active[SEALED_MAX], pending[SEALED_MAX];
	int64_t last_step;
};

static int
load(struct db_conn *c, const char *account_id, struct row *r)
{
	sqlite3_stmt *st = db_stmt(c, SQL_GET);
	int rc;

	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = TOTP_NONE;
	else if (rc == 1) {
		rc = db_column_text(st, 0, r->active, sizeof(r->active)) ||
		    db_column_text(st, 1, r->pending, sizeof(r->pending)) ?
		    DB_ERR : DB_OK;
		r->last_step = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc;
}

/* Checks `code` against the sealed key `text`; the matched step into *step. */
static int
check(const struct seal *seal, const char *account_id, const char *text,
    const char *code, int64_t now, int64_t last_step, int64_t *step)
{
	uint8_t key[OTP_TOTP_SECRET_LEN];
	int rc;

	if (text[0] == '\0')
		return TOTP_NONE;
	if (unseal_key(seal, account_id, text, key) != DB_OK)
		return DB_ERR;
	rc = otp_totp_verify(key, sizeof(key), now, code, last_step, step) == 0 ?
	    DB_OK : TOTP_BAD_CODE;
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int
changed_one(struct db_conn *c, sqlite3_stmt *st)
{
	int rc = db_step(st);

	if (rc != DB_OK)
		return rc;
	return sqlite3_changes(db_handle(c)) == 1 ? DB_OK : TOTP_BAD_CODE;
}

/* The audit entry `event` for the holder of account_id. */
static int
audit_event(struct db_conn *c, const struct seal *seal, const char *event,
    const char *account_id, int64_t now)
{
	struct account acc;
	int rc;

	memset(&acc, 0, sizeof(acc));
	rc = accounts_get(c, account_id, &acc);
	if (rc == DB_OK || rc == ACC_NOT_FOUND)
		rc = audit_append(c, seal, event, "citizen",
		    rc == DB_OK ? acc.personal_id : NULL, NULL, now);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

/* totp_confirm inside its transaction. */
static int
confirm_tx(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *code, int64_t now)
{
	struct row r;
	sqlite3_stmt *st;
	int64_t step = 0;
	int rc;

	if ((rc = load(c, account_id, &r)) != DB_OK)
		return rc;
	if ((rc = check(seal, account_id, r.pending, code, now, -1, &step)) != DB_OK)
		return rc;
	st = db_stmt(c, SQL_ACTIVATE);
	if (st == NULL || db_bind_int64(st, 1, step) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK ||
	    db_bind_text(st, 3, account_id) != DB_OK ||
	    db_bind_text(st, 4, r.pending) != DB_OK)
		return DB_ERR;
	if ((rc = changed_one(c, st)) != DB_OK)
		return rc;
	return audit_event(c, seal, "totp_enabled", account_id, now);
}

int
totp_confirm(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *code, int64_t now)
{
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	if ((rc = confirm_tx(c, seal, account_id, code, now)) != DB_OK) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c);
}

int
totp_verify(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *code, int64_t now)
{
	struct row r;
	sqlite3_stmt *st;
	int64_t step = 0;
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL)
		return DB_ERR;
	if ((rc = load(c, account_id, &r)) != DB_OK)
		return rc;
	if ((rc = check(seal, account_id, r.active, code, now, r.last_step,
	    &step)) != DB_OK)
		return rc;
	st = db_stmt(c, SQL_USE_STEP);
	if (st == NULL || db_bind_int64(st, 1, step) != DB_OK ||
	    db_bind_text(st, 2, account_id) != DB_OK ||
	    db_bind_int64(st, 3, step) != DB_OK)
		return DB_ERR;
	return changed_one(c, st);
}

int
totp_enabled(struct db_conn *c, const char *account_id, bool *on)
{
	int rc;

	if (on == NULL)
		return DB_ERR;
	*on = false;
	if (c == NULL || account_id == NULL)
		return DB_ERR;
	rc = db_exists(c, SQL_ENABLED, account_id, NULL);
	if (rc < 0)
		return rc;
	*on = rc == 1;
	return DB_OK;
}

int
totp_remove(struct db_conn *c, const struct seal *seal, const char *account_id,
    int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	st = db_stmt(c, SQL_REMOVE);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK)
		rc = DB_ERR;
	else if ((rc = db_step(st)) == DB_OK)
		rc = sqlite3_changes(db_handle(c)) == 1 ?
		    audit_event(c, seal, "totp_removed", account_id, now) : TOTP_NONE;
	if (rc != DB_OK) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c);
}
