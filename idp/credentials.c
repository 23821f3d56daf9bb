/*
 * credentials: issuing level-2 credentials, their revocation and the
 * revoked list (the credentials table).
 */
#include "credentials.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "b64.h"
#include "card.h"
#include "person.h"
#include "registry.h"

/* Whether device_id is among the account's active devices. */
struct active_find {
	const char *device_id;
	bool found;
};

static void
active_row(const struct device_row *row, void *arg)
{
	struct active_find *f = arg;

	if (strcmp(row->d.device_id, f->device_id) == 0)
		f->found = true;
}

/* The account, its person and the device may have a credential: DB_OK or why not. */
static int
eligible(struct db_conn *c, const struct device *dev, struct person *p)
{
	struct active_find f = { dev->device_id, false };
	struct account acc;
	int rc;

	if ((rc = accounts_get(c, dev->account_id, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? CRED_INACTIVE : rc;
	if (strcmp(acc.status, "active") != 0)
		rc = CRED_INACTIVE;
	else if (acc.level < 2)
		rc = CRED_LEVEL;
	else if ((rc = registry_get(c, acc.personal_id, p)) == REG_NOT_FOUND)
		rc = CRED_INACTIVE;
	sodium_memzero(&acc, sizeof(acc));
	if (rc != DB_OK)
		return rc;
	if (strcmp(p->status, "living") != 0)
		return CRED_INACTIVE;
	if ((rc = devices_foreach(c, dev->account_id, false, active_row, &f)) != DB_OK)
		return rc;
	return f.found ? DB_OK : CRED_INACTIVE;
}

static int
insert(struct db_conn *c, const char *jti, const struct device *dev,
    int64_t now, int64_t exp)
{
	sqlite3_stmt *st = db_stmt(c, "INSERT INTO credentials (jti, account_id, "
	    "device_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)");
	int rc;

	if (st == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, jti)) != DB_OK ||
	    (rc = db_bind_text(st, 2, dev->account_id)) != DB_OK ||
	    (rc = db_bind_text(st, 3, dev->device_id)) != DB_OK ||
	    (rc = db_bind_int64(st, 4, now)) != DB_OK ||
	    (rc = db_bind_int64(st, 5, exp)) != DB_OK)
		return rc;
	return db_step(st);
}

/* The signed credential, or NULL. */
static char *
sign_credential(const struct jws_key *key, const char *issuer, const char *jti,
    const struct device *dev, const struct person *p, int64_t now, int64_t exp)
{
	char digest[65], *text, *jws = NULL;
	json_t *payload;

	card_portrait_digest(p, digest);
	payload = json_pack("{s:s, s:s, s:I, s:I, s:i, s:{s:{s:s, s:s, s:s}}, "
	    "s:s, s:s, s:s, s:s, s:s, s:s}",
	    "iss", issuer, "jti", jti, "iat", (json_int_t)now,
	    "exp", (json_int_t)exp, "lvl", 2,
	    "cnf", "jwk", "kty", "OKP", "crv", "Ed25519", "x", dev->public_key,
	    "personal_id", p->personal_id, "full_name", p->full_name,
	    "birth_date", p->birth_date, "sex", p->sex,
	    "nationality", p->nationality, "portrait_sha256", digest);
	text = payload != NULL ?
	    json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(payload);
	if (text != NULL) {
		jws = jws_sign(key, CRED_JWS_TYP, text, strlen(text));
		sodium_memzero(text, strlen(text));
	}
	free(text);
	return jws;
}

int
credentials_issue(struct db *db, const struct jws_key *key, const char *issuer,
    const struct device *dev, int64_t now, char **jws, int64_t *expires_at)
{
	char jti[CRED_JTI_SIZE];
	struct db_conn *c;
	struct person p;
	int64_t exp = now + CRED_TTL;
	int rc;

	if (db == NULL || key == NULL || jws_key_alg(key) != JWS_EDDSA ||
	    issuer == NULL || dev == NULL || jws == NULL || expires_at == NULL)
		return DB_ERR;
	*jws = NULL;
	if (b64_random(jti, sizeof(jti), CRED_JTI_BYTES) == 0 ||
	    (c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = eligible(c, dev, &p)) != DB_OK ||
	    (rc = insert(c, jti, dev, now, exp)) != DB_OK ||
	    (*jws = sign_credential(key, issuer, jti, dev, &p, now, exp)) == NULL) {
		rc = rc != DB_OK ? rc : DB_ERR;
		db_rollback(c);
		goto fail;
	}
	if ((rc = db_commit(c)) == DB_OK)
		*expires_at = exp;
fail:
	if (rc != DB_OK) {
		free(*jws);
		*jws = NULL;
	}
	sodium_memzero(&p, sizeof(p));
	db_release(db, c);
	return rc;
}

/*
 * After an UPDATE of `st`: when it revoked any credential, the audit entry
 * for the account holder of account_id (looked up when personal_id is NULL).
 */
static int
audit_revoked(struct db_conn *c, const struct seal *seal, const char *scope,
    const char *account_id, const char *personal_id, int64_t now)
{
	int n = sqlite3_changes(db_handle(c));
	struct account acc;
	json_t *d = NULL;
	int rc = DB_OK;

	memset(&acc, 0, sizeof(acc));
	if (n <= 0)
		return DB_OK;
	if (personal_id == NULL && account_id != NULL &&
	    (rc = accounts_get(c, account_id, &acc)) == DB_OK)
		personal_id = acc.personal_id;
	if (rc != DB_OK && rc != ACC_NOT_FOUND)
		goto fail;
	rc = DB_ERR;
	if ((d = json_pack("{s:s, s:i}", "scope", scope, "count", n)) == NULL)
		goto fail;
	rc = audit_append(c, seal, "credential_revoked", "system", personal_id, d,
	    now);
fail:
	json_decref(d);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

/* Runs the revoking UPDATE `sql` with `now` and `value`. */
static int
revoke_where(struct db_conn *c, const char *sql, const char *value, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(c, sql)) == NULL)
		return DB_ERR;
	if ((rc = db_bind_int64(st, 1, now)) != DB_OK ||
	    (rc = db_bind_text(st, 2, value)) != DB_OK)
		return rc;
	return db_step(st);
}

int
credentials_revoke_account(struct db_conn *c, const struct seal *seal,
    const char *account_id, int64_t now)
{
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL)
		return DB_ERR;
	if ((rc = revoke_where(c, "UPDATE credentials SET revoked_at = ? WHERE "
	    "account_id = ? AND revoked_at IS NULL", account_id, now)) != DB_OK)
		return rc;
	return audit_revoked(c, seal, "account", account_id, NULL, now);
}

/* The account of device_id's credentials into account_id ("" for none). */
static int
device_account(struct db_conn *c, const char *device_id, char account_id[44])
{
	sqlite3_stmt *st;
	int rc;

	account_id[0] = '\0';
	if ((st = db_stmt(c, "SELECT account_id FROM credentials WHERE "
	    "device_id = ? LIMIT 1")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, device_id)) != DB_OK)
		return rc;
	if ((rc = db_step(st)) == 1)
		rc = db_column_text(st, 0, account_id, 44) == 0 ? DB_OK : DB_ERR;
	sqlite3_reset(st);
	return rc;
}

int
credentials_revoke_device(struct db_conn *c, const struct seal *seal,
    const char *device_id, int64_t now)
{
	char account_id[44];
	int rc;

	if (c == NULL || seal == NULL || device_id == NULL)
		return DB_ERR;
	if ((rc = revoke_where(c, "UPDATE credentials SET revoked_at = ? WHERE "
	    "device_id = ? AND revoked_at IS NULL", device_id, now)) != DB_OK)
		return rc;
	if (sqlite3_changes(db_handle(c)) <= 0)
		return DB_OK;
	if ((rc = device_account(c, device_id, account_id)) != DB_OK)
		return rc;
	/* device_account's SELECT leaves the UPDATE's count in place. */
	return audit_revoked(c, seal, "device", account_id, NULL, now);
}

int
credentials_revoke_person(struct db_conn *c, const struct seal *seal,
    const char *personal_id, int64_t now)
{
	struct account acc;
	int rc;

	if (c == NULL || seal == NULL || personal_id == NULL)
		return DB_ERR;
	rc = accounts_get_by_personal_id(c, personal_id, &acc);
	if (rc == DB_OK)
		rc = credentials_revoke_account(c, seal, acc.account_id, now);
	else if (rc == ACC_NOT_FOUND)
		rc = DB_OK;
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

int
credentials_revoked(struct db_conn *c, int64_t now, json_t **out)
{
	sqlite3_stmt *st;
	json_t *list;
	int rc;

	if (c == NULL || out == NULL)
		return DB_ERR;
	*out = NULL;
	if ((st = db_stmt(c, "SELECT jti FROM credentials WHERE revoked_at IS NOT "
	    "NULL AND expires_at > ? ORDER BY jti")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_int64(st, 1, now)) != DB_OK)
		return rc;
	if ((list = json_array()) == NULL)
		return DB_ERR;
	while ((rc = db_step(st)) == 1) {
		const char *jti = (const char *)sqlite3_column_text(st, 0);

		if (jti == NULL || json_array_append_new(list, json_string(jti)) != 0) {
			rc = DB_ERR;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != DB_OK) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return DB_OK;
}

int
credentials_lookup(struct db_conn *c, const char *jti, char account_id[44],
    bool *revoked)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || jti == NULL || account_id == NULL || revoked == NULL)
		return DB_ERR;
	account_id[0] = '\0';
	*revoked = false;
	if ((st = db_stmt(c, "SELECT account_id, revoked_at FROM credentials "
	    "WHERE jti = ?")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, jti)) != DB_OK)
		return rc;
	if ((rc = db_step(st)) == 1) {
		*revoked = sqlite3_column_type(st, 1) != SQLITE_NULL;
		rc = db_column_text(st, 0, account_id, 44) == 0 ? DB_OK : DB_ERR;
	} else if (rc == DB_OK)
		rc = CRED_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}
