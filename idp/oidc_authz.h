/*
 * oidc_authz: the authorization endpoint (RFC 6749 4.1, OIDC Core 3.1.2).
 * Owns the request's validation and the choice between an error page (an
 * unknown client or redirect URI: never redirected) and an error redirect
 * with state and iss (RFC 9207); PKCE S256 only; the parked request's path
 * through sign-in, step-up (acr_values) and consent, with prompt and
 * max_age; and the code redirect. The login and consent pages call back
 * into it.
 */
#ifndef IDP_OIDC_AUTHZ_H
#define IDP_OIDC_AUTHZ_H

#include <stddef.h>

#include "http.h"
#include "routes.h"

#define OIDC_ACR_LOA1 "urn:dinhdanh:loa:1"
#define OIDC_ACR_LOA2 "urn:dinhdanh:loa:2"

const struct http_route *oidc_authz_routes(size_t *n);

/*
 * Continues parked authorization request `req_id` for the signed-in
 * browser (after the login page): a code redirect, the consent page, or an
 * error redirect. Answers r.
 */
void oidc_authz_continue(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);
/* The citizen agreed on the consent page: remembered, then as continue. */
void oidc_authz_consented(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);
/* The citizen refused: access_denied to the client's redirect URI. */
void oidc_authz_deny(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);

#endif
