/*
 * credentials: the level-2 credentials of DESIGN section 7, compact JWS
 * signed with dinhdanh's "credential" key and bound to one device's key.
 * Owns the credentials table: issuing (only to an active level-2 account
 * of a living person, through an active device), revoking by account,
 * device or person, the list of revoked credentials for offline
 * verifiers, and the lookups the airport verifier makes. Time comes only
 * from the callers' `now`.
 */
#ifndef IDP_CREDENTIALS_H
#define IDP_CREDENTIALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "devices.h"
#include "jws.h"
#include "seal.h"

#define CRED_TTL (7 * 86400)
#define CRED_KEYS_PURPOSE "credential"
#define CRED_JWS_TYP "eid-credential+jwt"
#define CRED_JTI_BYTES 16		/* random bytes: 22 base64url characters */
#define CRED_JTI_SIZE 48

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum credentials_err {
	CRED_NOT_FOUND = -150,		/* no credential with that jti */
	CRED_LEVEL = -151,		/* the account is not level 2 */
	CRED_INACTIVE = -152,		/* account not active, person not living, device revoked */
};

/*
 * Issues a credential for `dev` (as devices_authenticate gave it), in one
 * transaction that checks the account (active, level 2), the person
 * (living) and the device (not revoked) and records the credential:
 * payload {iss, jti, iat, exp = now + CRED_TTL, lvl: 2, cnf: {jwk}, and the
 * person's personal_id, full_name, birth_date, sex, nationality,
 * portrait_sha256}, signed by `key` (EdDSA) with typ CRED_JWS_TYP. The JWS
 * into *jws (free()) and its exp into *expires_at; CRED_LEVEL,
 * CRED_INACTIVE or a db_err.
 */
int credentials_issue(struct db *, const struct jws_key *key,
    const char *issuer, const struct device *dev, int64_t now, char **jws,
    int64_t *expires_at) WUR;

/*
 * Revokes, as of `now` and in the caller's transaction, every valid
 * credential of the following; when any were revoked, an audit entry
 * "credential_revoked" with their count is appended in that transaction.
 */
int credentials_revoke_account(struct db_conn *, const struct seal *,
    const char *account_id, int64_t now) WUR;
int credentials_revoke_device(struct db_conn *, const struct seal *,
    const char *device_id, int64_t now) WUR;
/* ... the account of personal_id (DB_OK when the person has none). */
int credentials_revoke_person(struct db_conn *, const struct seal *,
    const char *personal_id, int64_t now) WUR;

/*
 * The jti of every revoked credential that has not expired by `now`, as a
 * new JSON array (json_decref), in jti order. Expired ones are left out:
 * a verifier refuses them anyway.
 */
int credentials_revoked(struct db_conn *, int64_t now, json_t **out) WUR;

/*
 * The account credential `jti` was issued to, into account_id[44], and
 * whether it was revoked: DB_OK, CRED_NOT_FOUND for an unknown jti, or a
 * db_err.
 */
int credentials_lookup(struct db_conn *c, const char *jti, char account_id[44],
    bool *revoked) WUR;

#endif
