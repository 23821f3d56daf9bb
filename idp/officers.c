/*
 * officers: storage and bearer-token authentication of enrolling officers.
 */
#include "officers.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "b64.h"
#include "person.h"

#define TEXT_MAX_CHARS 127
#define TEXT_BUF 512
#define SECRET_BYTES 32

static const char SQL_INSERT[] =
    "INSERT INTO officers (officer_id, name, office, token_hash, created_at) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_REVOKE[] =
    "UPDATE officers SET revoked_at = ? WHERE officer_id = ? AND revoked_at IS NULL";
static const char SQL_EXISTS[] = "SELECT 1 FROM officers WHERE officer_id = ?";
static const char SQL_ACTIVE[] =
    "SELECT 1 FROM officers WHERE officer_id = ? AND revoked_at IS NULL";
static const char SQL_TOKEN_HASH[] =
    "SELECT token_hash FROM officers WHERE officer_id = ? AND revoked_at IS NULL";

/* Keyed BLAKE2b-256 of the whole token, hex. */
static void
token_hash(const struct seal *seal, const char *token, char hex[65])
{
	uint8_t key[32], h[32];

	seal_subkey(seal, "officer-token", key);
	crypto_generichash(h, sizeof(h), (const uint8_t *)token, strlen(token),
	    key, sizeof(key));
	sodium_bin2hex(hex, 65, h, sizeof(h));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(h, sizeof(h));
}

/* `in` checked and normalised into out[TEXT_BUF]; 0, or -1 with a reason. */
static int
officer_text(const char *in, const char *what, char out[TEXT_BUF], char *reason,
    size_t rsz)
{
	if (in == NULL || person_text(in, strlen(in), TEXT_MAX_CHARS, out, TEXT_BUF,
	    what, reason, rsz) != 0)
		return -1;
	if (out[0] == '\0') {
		snprintf(reason, rsz, "%s must not be empty", what);
		return -1;
	}
	return 0;
}

static void
new_credentials(char id[OFFICER_ID_SIZE], char token[OFFICER_TOKEN_SIZE])
{
	size_t n;

	memcpy(id, "o_", 2);
	(void)b64_random(id + 2, OFFICER_ID_SIZE - 2, 12);
	n = strlen(id);
	memcpy(token, id, n);
	token[n] = '.';
	(void)b64_random(token + n + 1, OFFICER_TOKEN_SIZE - n - 1, SECRET_BYTES);
}

static int
audit_officer_added(struct db_conn *c, const struct seal *seal, const char *id,
    int64_t now)
{
	json_t *d = json_pack("{s:s}", "officer_id", id);
	int rc = d != NULL ? audit_append(c, seal, "officer_added", "operator",
	    NULL, d, now) : DB_ERR;

	json_decref(d);
	return rc;
}

int
officers_add(struct db *db, const struct seal *seal, const char *name,
    const char *office, int64_t now, char id[OFFICER_ID_SIZE],
    char token[OFFICER_TOKEN_SIZE], char *reason, size_t rsz)
{
	char nname[TEXT_BUF], noffice[TEXT_BUF], hash[65];
	struct db_conn *c = NULL;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || seal == NULL || id == NULL || token == NULL ||
	    reason == NULL || rsz == 0)
		return DB_ERR;
	reason[0] = '\0';
	id[0] = token[0] = '\0';
	if (officer_text(name, "name", nname, reason, rsz) != 0 ||
	    officer_text(office, "office", noffice, reason, rsz) != 0)
		return OFFICER_INVALID;
	new_credentials(id, token);
	token_hash(seal, token, hash);
	if ((c = db_acquire(db)) == NULL)
		goto fail;
	st = db_stmt(c, SQL_INSERT);
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK ||
	    db_bind_text(st, 2, nname) != DB_OK ||
	    db_bind_text(st, 3, noffice) != DB_OK ||
	    db_bind_text(st, 4, hash) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK || db_begin(c) != DB_OK)
		goto fail;
	if ((rc = db_step(st)) == DB_OK &&
	    (rc = audit_officer_added(c, seal, id, now)) == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
fail:
	db_release(db, c);
	if (rc != DB_OK) {
		snprintf(reason, rsz, "%s", db_strerror(rc));
		sodium_memzero(token, OFFICER_TOKEN_SIZE);
		id[0] = '\0';
	}
	return rc;
}

int
officers_revoke(struct db *db, const char *id, int64_t now)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || id == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_REVOKE);
	if (st != NULL && db_bind_int64(st, 1, now) == DB_OK &&
	    db_bind_text(st, 2, id) == DB_OK)
		rc = db_step(st);
	if (rc == DB_OK && sqlite3_changes(db_handle(c)) == 0) {
		rc = db_exists(c, SQL_EXISTS, id, NULL);
		rc = rc == 1 ? DB_OK : rc == 0 ? OFFICER_NOT_FOUND : rc;
	}
	db_release(db, c);
	return rc;
}

/* The officer id part of a token into id; 0, or -1 when malformed. */
static int
token_id(const char *token, char id[OFFICER_ID_SIZE])
{
	const char *dot = strchr(token, '.');
	size_t n = dot != NULL ? (size_t)(dot - token) : 0;

	if (n < 3 || n >= OFFICER_ID_SIZE || strncmp(token, "o_", 2) != 0 ||
	    strlen(dot + 1) == 0)
		return -1;
	memcpy(id, token, n);
	id[n] = '\0';
	return 0;
}

int
officers_authenticate(struct db_conn *c, const struct seal *seal,
    const char *token, char id[OFFICER_ID_SIZE])
{
	char want[65] = "", got[65], tid[OFFICER_ID_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || seal == NULL || id == NULL)
		return DB_ERR;
	id[0] = '\0';
	if (token == NULL || strlen(token) >= OFFICER_TOKEN_SIZE ||
	    token_id(token, tid) != 0)
		return OFFICER_NOT_FOUND;
	/* Hash first, whether or not the officer exists: the same time either way. */
	token_hash(seal, token, got);
	st = db_stmt(c, SQL_TOKEN_HASH);
	if (st == NULL || db_bind_text(st, 1, tid) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		rc = OFFICER_NOT_FOUND;
		if (db_column_text(st, 0, want, sizeof(want)) == 0 &&
		    strlen(want) == 64 && sodium_memcmp(want, got, 64) == 0) {
			memcpy(id, tid, sizeof(tid));
			rc = DB_OK;
		}
	} else if (rc == DB_OK)
		rc = OFFICER_NOT_FOUND;
	sqlite3_reset(st);
	sodium_memzero(got, sizeof(got));
	return rc;
}

int
officers_active(struct db_conn *c, const char *id)
{
	if (c == NULL || id == NULL)
		return DB_ERR;
	return db_exists(c, SQL_ACTIVE, id, NULL);
}
