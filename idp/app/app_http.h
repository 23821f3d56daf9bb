/*
 * app_http: the eid-app's calls to the identity provider over libcurl,
 * each signed with the device key when the call needs it (the
 * Authorization: Device header of DESIGN section 1, see idp/devices.h).
 * Owns the answer of one call.
 */
#ifndef IDP_APP_HTTP_H
#define IDP_APP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app_state.h"
#include "base.h"

#define APP_HTTP_TIMEOUT 15L	/* seconds for one call */

/* One answer: status, its JSON body (NULL when it was not JSON). */
struct app_resp {
	long status;
	json_t *json;
};

/*
 * The Authorization header value signing METHOD path_with_query and
 * body[len] with st's device key as of `ts`, with a fresh nonce: a new
 * string (free()), or NULL.
 */
char *app_http_authorization(const struct app_state *st, const char *method,
    const char *path_with_query, const void *body, size_t len, int64_t ts);

/*
 * Calls base_url + path_with_query with `method` and the JSON `body` (may
 * be NULL), signed by st when st is not NULL. 0 with *out filled (any
 * status), or -1 with a one-line reason in err when no answer came
 * (network down, bad URL, timeout). Free with app_resp_free.
 */
int app_http_call(const char *base_url, const struct app_state *st,
    const char *method, const char *path_with_query, const char *body,
    struct app_resp *out, char *err, size_t errsz) WUR;
void app_resp_free(struct app_resp *);

/* The answer's "error_description" (or "error"), or `fallback`. */
const char *app_resp_reason(const struct app_resp *, const char *fallback);

#endif
