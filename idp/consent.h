/*
 * consent: what each citizen agreed to give each portal. Owns the consents
 * table. Granting and withdrawing are audited ("consent_granted",
 * "consent_revoked") in the same transaction as the change.
 */
#ifndef IDP_CONSENT_H
#define IDP_CONSENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

enum consent_err {
	CONSENT_NOT_FOUND = -110,	/* no live consent */
};

/* A live consent of one account. */
struct consent {
	char client_id[48];
	char scope[512];
	int64_t granted_at;
};

/* Whether the account agreed to give `client_id` every scope in `scope`. */
int consent_covers(struct db *, const char *account_id, const char *client_id,
    const char *scope, bool *yes) WUR;

/* Records the agreement (replacing an earlier one), audited. */
int consent_grant(struct db *, const struct seal *, const char *account_id,
    const char *client_id, const char *scope, int64_t now) WUR;

/*
 * Withdraws the account's consent to `client_id` and revokes that client's
 * grants for it (their refresh and access tokens stop working), audited,
 * in one transaction: DB_OK, or CONSENT_NOT_FOUND when no live consent was
 * there. The next authorization asks again.
 */
int consent_revoke(struct db *, const struct seal *, const char *account_id,
    const char *client_id, int64_t now) WUR;

/* Calls fn for each live consent of the account, newest first; non-zero stops. */
int consent_foreach(struct db *, const char *account_id,
    int (*fn)(const struct consent *, void *), void *arg) WUR;

#endif
