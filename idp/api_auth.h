/*
 * api_auth: the JSON API of level-1 accounts, for the phone app and for
 * scripts: registration (start, resend, confirm), login (password step,
 * code step, resend), the session's own account (read, TOTP enrolment,
 * self-lock, logout), lock and unlock with ID + password + SMS, and the
 * forgotten-password reset. Handlers turn JSON into auth/accounts calls and
 * their results into JSON answers (DESIGN section 10 errors).
 */
#ifndef IDP_API_AUTH_H
#define IDP_API_AUTH_H

#include <stddef.h>

#include "http.h"

/* The API's routes, all under /v1/. */
const struct http_route *api_auth_routes(size_t *n);

#endif
