/*
 * pages_account: the signed-in citizen's pages: the account page (facts,
 * two-step method, linked devices with a revoke button each, sign-in
 * history), enabling an authenticator app, revoking a device, locking the
 * account from a session, and signing out.
 */
#ifndef IDP_PAGES_ACCOUNT_H
#define IDP_PAGES_ACCOUNT_H

#include <stddef.h>

#include "http.h"

/* The routes of these pages. */
const struct http_route *pages_account_routes(size_t *n);

#endif
