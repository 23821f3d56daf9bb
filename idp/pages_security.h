/*
 * pages_security: the account page's security and data sections.
 * Changing the password (POST /account/password, field "password") needs a
 * sign-in within the last REAUTH_WINDOW seconds: an older session is sent
 * through /login (which lands back on /account) and the form is refused.
 * The new password is checked by the policy and hashed on the worker pool;
 * the change is audited ("password_changed"). GET /account/export answers
 * every fact kept about the citizen as a JSON attachment: personal data,
 * level and how it was reached, devices, consents, disclosures and sign-in
 * history; no password hash, key or secret.
 */
#ifndef IDP_PAGES_SECURITY_H
#define IDP_PAGES_SECURITY_H

#include <stddef.h>

#include "http.h"
#include "pages_auth.h"

#define REAUTH_WINDOW 300	/* seconds since sign-in for sensitive changes */

/* The security and data sections into pg->h. */
/* The security settings; `totp`: an authenticator app is enabled. */
void pages_security_render(struct page *, bool totp);

/* The routes of these pages. */
const struct http_route *pages_security_routes(size_t *n);

#endif
