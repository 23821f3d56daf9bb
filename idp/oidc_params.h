/*
 * oidc_params: what the OpenID Connect endpoints share at the HTTP edge:
 * request parameters from a GET query or a POSTed form (each at most
 * OIDC_PARAM_MAX bytes), reading such a form with its JSON refusals, and
 * building redirect URLs with percent-encoded query parameters.
 */
#ifndef IDP_OIDC_PARAMS_H
#define IDP_OIDC_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "form.h"
#include "http.h"

#define OIDC_PARAM_MAX 1024	/* bytes of any one request parameter */

/* Request parameters: the query of a GET, the form of a POST (f). */
struct oidc_params {
	struct http_req *r;
	struct form *f;
};

/* The parameter `name`, or NULL when absent or longer than OIDC_PARAM_MAX. */
const char *oidc_param(const struct oidc_params *, const char *name);
/*
 * The first of `names` (NULL-terminated) that the query or the POSTed form
 * carries more than once, longer than OIDC_PARAM_MAX, or with a NUL,
 * invalid UTF-8 or a malformed escape (RFC 6749 3.1: no parameter twice);
 * NULL when each is sound or absent. form_parse has already refused a
 * form with a NUL, invalid UTF-8 or a malformed escape.
 */
const char *oidc_query_problem(const struct oidc_params *,
    const char *const *names);
/* Whether the request's body is a urlencoded form. */
bool oidc_form_type(struct http_req *);
/* Parses a POSTed form into p: 0, or -1 after answering 400/415 JSON. */
int oidc_parse_form(struct http_req *, struct oidc_params *p) WUR;
/* Appends "?k=v" or "&k=v", v percent-encoded, to url[urlsz]; -1 when it does not fit. */
int oidc_url_param(char *url, size_t urlsz, const char *k, const char *v) WUR;
/* Pragma: no-cache beside the default Cache-Control: no-store (RFC 6749 5.1). */
void oidc_no_cache(struct http_req *);

#endif
