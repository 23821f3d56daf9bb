/*
 * consent: granting, checking, withdrawing and listing consents.
 */
#include "consent.h"

#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "oidc.h"

static const char SQL_GET[] =
    "SELECT scope FROM consents WHERE account_id = ? AND client_id = ? "
    "AND revoked_at IS NULL";
static const char SQL_PUT[] =
    "INSERT INTO consents (account_id, client_id, scope, granted_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, client_id) DO UPDATE SET "
    "scope = excluded.scope, granted_at = excluded.granted_at, revoked_at = NULL";
static const char SQL_REVOKE[] =
    "UPDATE consents SET revoked_at = ? WHERE account_id = ? AND client_id = ? "
    "AND revoked_at IS NULL";
static const char SQL_LIST[] =
    "SELECT client_id, scope, granted_at FROM consents WHERE account_id = ? "
    "AND revoked_at IS NULL ORDER BY granted_at DESC, client_id";

/* Every value of `want` in `have`. */
static bool
scope_covers(const char *have, const char *want)
{
	char one[128];
	const char *p = want;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len > 0) {
			if (len >= sizeof(one))
				return false;
			memcpy(one, p, len);
			one[len] = '\0';
			if (!oidc_scope_has(have, one))
				return false;
		}
		p += len;
		p += strspn(p, " ");
	}
	return true;
}

static int
bind2(sqlite3_stmt *st, int first, const char *a, const char *b)
{
	return st != NULL && db_bind_text(st, first, a) == DB_OK &&
	    db_bind_text(st, first + 1, b) == DB_OK ? 0 : -1;
}

/* The live consent's scope into have[n]: 1 when there, DB_OK when not. */
static int
get_scope(struct db_conn *c, const char *account_id, const char *client_id,
    char *have, size_t n)
{
	sqlite3_stmt *st = db_stmt(c, SQL_GET);
	int rc;

	if (bind2(st, 1, account_id, client_id) != 0)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1 && have != NULL && db_column_text(st, 0, have, n) != 0)
		rc = DB_ERR;
	sqlite3_reset(st);
	return rc;
}

int
consent_covers(struct db *db, const char *account_id, const char *client_id,
    const char *scope, bool *yes)
{
	struct db_conn *c;
	char have[512] = "";
	int rc;

	if (db == NULL || account_id == NULL || client_id == NULL ||
	    scope == NULL || yes == NULL)
		return DB_ERR;
	*yes = false;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = get_scope(c, account_id, client_id, have, sizeof(have));
	if (rc == 1) {
		*yes = scope_covers(have, scope);
		rc = DB_OK;
	}
	db_release(db, c);
	return rc;
}

/* The audit entry `event` by the citizen owning the account. */
static int
audit_citizen(struct db_conn *c, const struct seal *seal, const char *event,
    const char *account_id, const char *client_id, const char *scope,
    int64_t now)
{
	struct account acc;
	json_t *d;
	int rc;

	if ((rc = accounts_get(c, account_id, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? DB_ERR : rc;
	d = scope != NULL ? json_pack("{s:s, s:s}", "client_id", client_id,
	    "scope", scope) : json_pack("{s:s}", "client_id", client_id);
	if (d == NULL)
		return DB_ERR;
	rc = audit_append(c, seal, event, "citizen", acc.personal_id, d, now);
	json_decref(d);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

static int
grant_tx(struct db_conn *c, const struct seal *seal, const char *account_id,
    const char *client_id, const char *scope, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, SQL_PUT);
	int rc;

	if (bind2(st, 1, account_id, client_id) != 0 ||
	    db_bind_text(st, 3, scope) != DB_OK || db_bind_int64(st, 4, now) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	return audit_citizen(c, seal, "consent_granted", account_id, client_id,
	    scope, now);
}

static int
revoke_tx(struct db_conn *c, const struct seal *seal, const char *account_id,
    const char *client_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc = get_scope(c, account_id, client_id, NULL, 0);

	if (rc != 1)
		return rc == DB_OK ? CONSENT_NOT_FOUND : rc;
	if ((st = db_stmt(c, SQL_REVOKE)) == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    bind2(st, 2, account_id, client_id) != 0)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK ||
	    (rc = oidc_revoke_client(c, account_id, client_id, now)) != DB_OK)
		return rc;
	return audit_citizen(c, seal, "consent_revoked", account_id, client_id,
	    NULL, now);
}

/* Runs the grant (scope set) or the withdrawal in one transaction. */
static int
in_tx(struct db *db, const struct seal *seal, const char *account_id,
    const char *client_id, const char *scope, int64_t now)
{
	struct db_conn *c;
	int rc;

	if (db == NULL || seal == NULL || account_id == NULL || client_id == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) == DB_OK) {
		rc = scope != NULL ?
		    grant_tx(c, seal, account_id, client_id, scope, now) :
		    revoke_tx(c, seal, account_id, client_id, now);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(db, c);
	return rc;
}

int
consent_grant(struct db *db, const struct seal *seal, const char *account_id,
    const char *client_id, const char *scope, int64_t now)
{
	if (scope == NULL)
		return DB_ERR;
	return in_tx(db, seal, account_id, client_id, scope, now);
}

int
consent_revoke(struct db *db, const struct seal *seal, const char *account_id,
    const char *client_id, int64_t now)
{
	return in_tx(db, seal, account_id, client_id, NULL, now);
}

int
consent_foreach(struct db *db, const char *account_id,
    int (*fn)(const struct consent *, void *), void *arg)
{
	struct consent k;
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || account_id == NULL || fn == NULL ||
	    (c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_LIST)) != NULL &&
	    db_bind_text(st, 1, account_id) == DB_OK) {
		while ((rc = db_step(st)) == 1) {
			if (db_column_text(st, 0, k.client_id, sizeof(k.client_id)) != 0 ||
			    db_column_text(st, 1, k.scope, sizeof(k.scope)) != 0) {
				rc = DB_ERR;
				break;
			}
			k.granted_at = sqlite3_column_int64(st, 2);
			if (fn(&k, arg) != 0) {
				rc = DB_OK;
				break;
			}
		}
		sqlite3_reset(st);
	}
	db_release(db, c);
	return rc;
}
