/*
 * oidc_http: the OpenID Connect endpoints (DESIGN section 6): discovery,
 * JWKS, authorize, token, userinfo, revocation (RFC 7009), introspection
 * (RFC 7662) and the checks behind RP-initiated logout. Owns client
 * authentication (client_secret_basic, with RFC 6749 2.3.1 decoding, and
 * client_secret_post), ID tokens, and the claims of each scope, always
 * read fresh from the registry.
 * /authorize lives in oidc_authz.
 */
#ifndef IDP_OIDC_HTTP_H
#define IDP_OIDC_HTTP_H

#include <stddef.h>

#include "http.h"
#include "routes.h"


struct oidc_edge;

/* The edge's own state: the discovery document, built on first use. */
int oidc_edge_new(struct oidc_edge **out) WUR;
void oidc_edge_free(struct oidc_edge *);

const struct http_route *oidc_http_routes(size_t *n);

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
