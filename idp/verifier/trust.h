/*
 * trust: what the offline verifier (eid-verify) trusts, read from files:
 * dinhdanh's published keys (a JWK Set, as served at /jwks.json) and the
 * credential status list (the compact JWS of GET /v1/credentials/status,
 * {"iss", "iat", "revoked": [jti, ...]}), whose signature is checked with
 * a key of that set and which is refused when older than a maximum age.
 */
#ifndef VERIFIER_TRUST_H
#define VERIFIER_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "jws.h"

#define TRUST_STALE -2		/* the status list is older than allowed */

struct trust;

/* Reads the JWK Set at `path`; -1 with a one-line reason in err[errsz]. */
int trust_open(const char *path, struct trust **out, char *err, size_t errsz) WUR;
void trust_free(struct trust *);

/*
 * Reads and checks the status list at `path` as of `now`: 0, TRUST_STALE
 * when its iat is more than max_age seconds ago, or -1; both with a reason.
 * Called again, a list whose signature and iat hold replaces the revoked
 * ids loaded before.
 */
int trust_load_status(struct trust *, const char *path, int64_t now,
    int64_t max_age, char *err, size_t errsz) WUR;

/* The key named kid, borrowed (a pres_key_fn over a struct trust). */
const struct jws_key *trust_key(void *trust, const char *kid);
/* Whether the status list names credential `jti`. */
bool trust_revoked(const struct trust *, const char *jti);

#endif
