/*
 * oidc_http: the OpenID Connect endpoints (DESIGN section 6): discovery,
 * JWKS, authorize, token, userinfo, revocation (RFC 7009), introspection
 * (RFC 7662) and the checks behind RP-initiated logout. Owns the protocol
 * rules at the edge: request validation and the choice between an error
 * page (unknown client or redirect URI) and an error redirect (RFC 6749
 * 4.1.2.1, with `iss` per RFC 9207), PKCE S256 only, prompt, max_age and
 * acr_values, client authentication (client_secret_basic and _post), ID
 * tokens and the claims of each scope, always read fresh from the registry.
 * The consent and logout pages (pages_oidc) call back into it.
 */
#ifndef IDP_OIDC_HTTP_H
#define IDP_OIDC_HTTP_H

#include <stddef.h>

#include "http.h"
#include "routes.h"

#define OIDC_ACR_LOA1 "urn:dinhdanh:loa:1"
#define OIDC_ACR_LOA2 "urn:dinhdanh:loa:2"

struct oidc_edge;

/* The edge's own state: the discovery document, built on first use. */
int oidc_edge_new(struct oidc_edge **out) WUR;
void oidc_edge_free(struct oidc_edge *);

const struct http_route *oidc_http_routes(size_t *n);

/*
 * Continues parked authorization request `req_id` for the signed-in
 * browser (after the login or consent page): a code redirect, the consent
 * page, or an error redirect. Answers r.
 */
void oidc_http_continue(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);
/* The citizen agreed on the consent page: remembered, then as continue. */
void oidc_http_consented(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);
/* The citizen refused: access_denied to the client's redirect URI. */
void oidc_http_deny(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id);

/*
 * Where RP-initiated logout should return: `post_logout_uri` (with
 * `state` appended) when registered for the client named by a valid
 * `id_token_hint` (signed by one of our keys, expiry not checked) or by
 * `client_id`; "" when none is asked. 0, or -1 with a reason (a tampered
 * hint, an unregistered URI) in reason[rsz].
 */
int oidc_http_logout_target(struct routes_ctx *ctx, const char *id_token_hint,
    const char *client_id, const char *post_logout_uri, const char *state,
    char *out, size_t outsz, char *reason, size_t rsz) WUR;

#endif
