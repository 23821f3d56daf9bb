/*
 * api_credentials: the level-2 credential endpoints of DESIGN section 7.
 * POST /v1/credentials, signed by a bound device, issues a credential for
 * that device: 201 {"credential": JWS, "expires_at"}, 403 level_too_low
 * for a level-1 account, 403 not_eligible when the account is not active
 * or the person not living. GET /v1/credentials/status, without
 * authentication, answers application/jwt: a compact JWS (EdDSA, the
 * credential key of /jwks.json) of {"iss", "iat", "revoked": [jti, ...]}.
 * Owns those handlers; the rules are credentials'.
 */
#ifndef IDP_API_CREDENTIALS_H
#define IDP_API_CREDENTIALS_H

#include <stddef.h>

#include "http.h"

#define CRED_STATUS_TYP "eid-credential-status+jwt"

/* The routes, under /v1/credentials. */
const struct http_route *api_credentials_routes(size_t *n);

#endif
