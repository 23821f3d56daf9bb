/*
 * pages_login: the citizen pages that start from a form without a session:
 * registration, sign-in, a forgotten password, lock and unlock, each a
 * first form and a one-time-code step. Owns those pages' markup (field
 * names per DESIGN.md section 9) and the order of each flow; the logic is
 * the auth and accounts modules'. The sign-in form and its code step carry
 * a parked OpenID Connect request (`req`, hidden) and then end at
 * /login/continue (pages_oidc) instead of /account.
 */
#ifndef IDP_PAGES_LOGIN_H
#define IDP_PAGES_LOGIN_H

#include <stddef.h>

#include "http.h"

/* The routes of these pages. */
const struct http_route *pages_login_routes(size_t *n);

#endif
