/*
 * pages_qr: QR sign-in on the login page (DESIGN sections 5, 6 and 9).
 * Owns the QR panel beside the password form (an inline SVG of the
 * `dinhdanh://login?...` URI, the "open in the app" link with the same
 * URI as its href, the status URL that /static/qrlogin.js polls, and the
 * finish form with its visible "I approved in the app" button for a
 * browser without scripts), the browser-binding cookie (dd_qr, or
 * __Host-dd_qr over https: a random secret whose hash the transaction
 * keeps), GET /login/qr/status (JSON {"status": pending|approved|denied|
 * expired}, 404 for any other browser) and POST /login/qr/finish (the
 * approved transaction, once, into a level-2 session: 303 to /account, or
 * to /login/continue?req=ID for a parked OIDC request). The rules are
 * qrlogin's.
 */
#ifndef IDP_PAGES_QR_H
#define IDP_PAGES_QR_H

#include <stddef.h>

#include "http.h"
#include "pages_auth.h"

#define PAGES_QR_COOKIE "dd_qr"
#define PAGES_QR_COOKIE_SECURE "__Host-dd_qr"

/*
 * The QR panel of the login page being written on pg: a new transaction
 * for this browser (for the page's parked request, if any), or the one in
 * the query `tx` while this browser's and still pending; the query `qr`
 * (denied, expired, pending) adds that message. Writes nothing when no
 * transaction can be made (the password form still works).
 */
void pages_qr_panel(struct page *pg);

/* GET /login/qr/status, POST /login/qr/finish. */
const struct http_route *pages_qr_routes(size_t *n);

#endif
