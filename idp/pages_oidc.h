/*
 * pages_oidc: the citizen pages of OpenID Connect (DESIGN.md sections 6 and
 * 9): the consent page (which attributes go to which service, and the
 * `decision` buttons allow / deny), the hand-over from the login page back
 * to a parked authorization request, the sign-out confirmation of
 * RP-initiated logout (GET /logout, end_session_endpoint) and the error
 * page shown when the browser must not be redirected to the client. Owns
 * that markup only; the protocol rules are oidc_http's.
 */
#ifndef IDP_PAGES_OIDC_H
#define IDP_PAGES_OIDC_H

#include <stddef.h>

#include "http.h"
#include "pages_auth.h"
#include "routes.h"

/*
 * The OIDC error page with `status`: a heading and an explanation in the
 * page language (one per known code: invalid_client, invalid_request, and
 * a generic one), the technical code and description in small print
 * (escaped), and a link home. Never a redirect.
 */
void pages_oidc_error(struct http_req *, struct routes_ctx *, unsigned status,
    const char *error, const char *description);

/*
 * After POST /logout ended the session: a 303 to the client's
 * post_logout_redirect_uri when the posted id_token_hint, client_id,
 * post_logout_redirect_uri and state name a registered one, else the
 * signed-out notice. pg holds the checked POST.
 */
void pages_oidc_after_logout(struct page *pg);

/* GET /consent, POST /consent, GET /login/continue, GET /logout. */
const struct http_route *pages_oidc_routes(size_t *n);

#endif
