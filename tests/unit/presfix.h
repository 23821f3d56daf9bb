/*
 * presfix: what the airport tests share: device keys, forged credentials
 * signed with a test key, presentations, an altered copy of a JWS, and a
 * level-2 citizen with a bound device in a fixture database.
 */
#ifndef TESTS_PRESFIX_H
#define TESTS_PRESFIX_H

#include <stdint.h>

#include "devices.h"
#include "jws.h"

struct fixture;

/* A new EdDSA key named kid, or NULL. */
struct jws_key *presfix_key(const char *kid);

/*
 * A credential (typ eid-credential+jwt) signed by `issuer` for the device
 * key `dev`, with level lvl, exp and jti, for personal ID pid; free().
 */
char *presfix_cred(const struct jws_key *issuer, const struct jws_key *dev,
    int lvl, int64_t exp, const char *jti, const char *pid);

/* A presentation of cred signed by `dev` (typ as given); free(). */
char *presfix_present(const struct jws_key *dev, const char *cred, int64_t iat,
    const char *jti, const char *typ);

/* jws with its payload's `from` replaced by `to` and the old signature; free(). */
char *presfix_alter(const char *jws, const char *from, const char *to);

/*
 * The person of `row` (CSV, imported as of now - 1 day) with an active
 * level-2 account and the device key `dev` bound; the device into *out.
 * 0 or -1.
 */
int presfix_citizen(struct fixture *f, const char *row, const char *pid,
    const struct jws_key *dev, int64_t now, struct device *out);

#endif
