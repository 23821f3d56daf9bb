/*
 * api_qrlogin: the phone app's side of QR sign-in, device-signed (DESIGN
 * sections 3 and 5): GET /v1/login/qr/<tx> tells the app who asks and for
 * what ({"client_name", "attributes": [English labels of the claims the
 * scope releases], "expires_in"}); POST /v1/login/qr/<tx> with
 * {"decision": "approve"|"deny"} records the device's answer
 * ({"status": "approved"|"denied"}). 404 for an unknown transaction, 410
 * for an expired, decided or used one, 403 level_too_low when the device's
 * account is not level 2. Owns those handlers; the rules are qrlogin's.
 */
#ifndef IDP_API_QRLOGIN_H
#define IDP_API_QRLOGIN_H

#include <stddef.h>

#include "http.h"

/* The routes, under /v1/login/qr/. */
const struct http_route *api_qrlogin_routes(size_t *n);

#endif
