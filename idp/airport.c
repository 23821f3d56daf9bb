/*
 * airport: live checks of a presentation against the account, the registry
 * and revocation; the seen-presentation record and its disclosure entry.
 */
#include "airport.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "accounts.h"
#include "credentials.h"
#include "disclosures.h"
#include "registry.h"

/* The live reason for r's credential (DB_OK and *out), or a db_err. */
static int
live_reason(struct db_conn *c, const struct pres_result *r,
    char account_id[ACC_ID_SIZE], enum pres_reason *out)
{
	struct account acc;
	struct person p;
	bool revoked = false;
	int rc;

	*out = PRES_REVOKED;	/* a credential this server does not know */
	rc = credentials_lookup(c, r->cred_jti, account_id, &revoked);
	if (rc == CRED_NOT_FOUND)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	if ((rc = accounts_get(c, account_id, &acc)) == ACC_NOT_FOUND)
		return DB_OK;
	if (rc != DB_OK)
		goto done;
	rc = registry_get(c, acc.personal_id, &p);
	if (rc != DB_OK && rc != REG_NOT_FOUND)
		goto done;
	if (rc == DB_OK && strcmp(p.status, "deceased") == 0)
		*out = PRES_DECEASED;
	else if (strcmp(acc.status, "active") != 0)
		*out = PRES_ACCOUNT_LOCKED;
	else
		*out = revoked ? PRES_REVOKED : PRES_ACCEPTED;
	rc = DB_OK;
done:
	sodium_memzero(&acc, sizeof(acc));	/* its password hash */
	return rc;
}

static int
step_stmt(sqlite3_stmt *st)
{
	int rc = db_step(st);

	sqlite3_reset(st);
	return rc;
}

/* Records jti as seen, or DB_CONSTRAINT when it was; prunes old ids. */
static int
record_seen(struct db_conn *c, const char *jti, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	/* Pruned in the first seconds of every AIRPORT_PRUNE_EVERY: ids that
	 * expired meanwhile go together, not one page write per acceptance. */
	if (now % AIRPORT_PRUNE_EVERY == 0) {
		if ((st = db_stmt(c, "DELETE FROM airport_seen WHERE seen_at < ?")) == NULL ||
		    db_bind_int64(st, 1, now - AIRPORT_SEEN_KEEP) != 0)
			return DB_ERR;
		if ((rc = step_stmt(st)) != DB_OK)
			return rc;
	}
	if ((st = db_stmt(c, "INSERT INTO airport_seen (jti, seen_at) "
	    "VALUES (?, ?)")) == NULL || db_bind_text(st, 1, jti) != 0 ||
	    db_bind_int64(st, 2, now) != 0)
		return DB_ERR;
	return step_stmt(st);
}

static int
record_disclosure(struct db_conn *c, const char *account_id,
    const char *client_id, const char *client_name, int64_t now)
{
	return disclosures_record(c, account_id, client_id, client_name,
	    PRES_ATTRIBUTES, DISC_AIRPORT, "", now);
}

/*
 * The live checks and, for an acceptance, the seen id and the disclosure,
 * all in one write transaction: what was read is what the record relies
 * on, and a refusal writes nothing.
 */
static int
check_and_record(struct db_conn *c, struct pres_result *r,
    const char *client_id, const char *client_name, int64_t now)
{
	char account_id[ACC_ID_SIZE];
	enum pres_reason live;
	int rc;

	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	if ((rc = live_reason(c, r, account_id, &live)) != DB_OK)
		goto fail;
	if (live != PRES_ACCEPTED) {
		r->reason = live;
		db_rollback(c);
		return DB_OK;
	}
	rc = record_seen(c, r->pres_jti, now);
	if (rc == DB_CONSTRAINT) {
		r->reason = PRES_REPLAYED;
		db_rollback(c);
		return DB_OK;
	}
	if (rc != DB_OK ||
	    (rc = record_disclosure(c, account_id, client_id, client_name, now)) != DB_OK ||
	    (rc = db_commit(c)) != DB_OK)
		goto fail;
	return DB_OK;
fail:
	db_rollback(c);
	return rc;
}

int
airport_verify(struct db *db, struct pres_result *r, const char *client_id,
    const char *client_name, int64_t now)
{
	struct db_conn *c;
	int rc;

	if (db == NULL || r == NULL || client_id == NULL || client_name == NULL)
		return DB_ERR;
	if (r->reason != PRES_ACCEPTED)
		return DB_OK;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = check_and_record(c, r, client_id, client_name, now);
	db_release(db, c);
	if (r->reason != PRES_ACCEPTED)
		memset(&r->person, 0, sizeof(r->person));
	return rc;
}

/* Appends one disclosure as JSON to the array arg; non-zero to stop. */
static int
append_json(const struct disclosure *d, void *arg)
{
	json_t *attrs = json_array(), *o;
	const char *a = d->attributes, *sp;

	while (attrs != NULL && *a != '\0') {
		sp = strchr(a, ' ');
		json_array_append_new(attrs, json_stringn(a, sp != NULL ?
		    (size_t)(sp - a) : strlen(a)));
		a = sp != NULL ? sp + 1 : "";
	}
	o = json_pack("{s:s, s:s, s:o, s:I, s:s, s:s}",
	    "client_id", d->client_id, "client_name", d->client_name,
	    "attributes", attrs, "at", (json_int_t)d->at,
	    "channel", d->channel, "purpose", d->purpose);
	return o == NULL || json_array_append_new(arg, o) != 0;
}

int
airport_disclosures(struct db_conn *c, const char *account_id, json_t **out)
{
	json_t *arr;
	int rc;

	*out = NULL;
	if ((arr = json_array()) == NULL)
		return DB_ERR;
	rc = disclosures_foreach_conn(c, account_id, NULL, 0, INT64_MAX,
	    append_json, arr);
	if (rc != DB_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return DB_OK;
}
