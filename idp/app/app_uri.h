/*
 * app_uri: the dinhdanh:// URIs the app is handed (a QR code's text, an
 * "open in the app" link). Owns their syntax and its checks: the login URI
 * dinhdanh://login?tx=ID&idp=ISSUER (ID a 43-character base64url
 * transaction id, ISSUER percent-encoded and optional), and the form of the
 * ids the provider hands out (login transactions, devices).
 */
#ifndef IDP_APP_APP_URI_H
#define IDP_APP_APP_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

#define APP_URI_MAX 4096	/* bytes of a whole URI (a QR code holds < 3 KB) */
#define APP_URI_ID_LEN 43	/* base64url of 32 bytes */
#define APP_URI_IDP_MAX 511	/* bytes of the decoded idp */

/* Why a URI was refused; APP_URI_OK (0) when it was not. */
enum app_uri_err {
	APP_URI_OK = 0,
	APP_URI_INVALID,	/* a NULL argument */
	APP_URI_SYNTAX,		/* too long, a byte no URI holds (space, control,
				 * non-ASCII, NUL), a query part without a name
				 * and '=', or tx or idp given twice */
	APP_URI_NOT_LOGIN,	/* not dinhdanh://login?... */
	APP_URI_TX,		/* tx missing, or not a 43-character base64url id */
	APP_URI_IDP,		/* idp with a bad %-escape, a decoded byte that is
				 * not printable ASCII, over APP_URI_IDP_MAX
				 * bytes, or empty */
};

struct app_uri_login {
	char tx[APP_URI_ID_LEN + 1];
	/* The provider the code names, without trailing slashes; "" when the
	 * URI names none (the app's own provider is meant). */
	char idp[APP_URI_IDP_MAX + 1];
};

/*
 * Parses the login URI uri[len] (no NUL needed; one inside is refused):
 * the query's parts are name=value separated by '&', tx and idp each at
 * most once, other names ignored, '+' in idp a space, a #fragment ignored.
 * APP_URI_OK with *out filled, or an app_uri_err with *out emptied.
 */
int app_uri_parse_login(const char *uri, size_t len,
    struct app_uri_login *out) WUR;

/* Whether s is an id as the provider hands them out (43 base64url chars). */
bool app_uri_is_id(const char *s);

/* One phrase for an app_uri_err, for a message to the citizen. */
const char *app_uri_strerror(int err);

#endif
