/*
 * oidc_params: request parameters, forms and redirect URLs for the OpenID
 * Connect endpoints.
 */
#include "oidc_params.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Percent-encodes every byte outside RFC 3986's unreserved set. */
static int
url_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~';

		if (w + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[w++] = (char)c;
		} else {
			out[w++] = '%';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	out[w] = '\0';
	return 0;
}

/* Appends "?k=v" or "&k=v" (v encoded) to url; -1 when it does not fit. */
int
oidc_url_param(char *url, size_t urlsz, const char *k, const char *v)
{
	char enc[3 * OIDC_PARAM_MAX + 1];
	size_t n = strlen(url);

	if (v == NULL || url_encode(v, enc, sizeof(enc)) != 0)
		return -1;
	if ((size_t)snprintf(url + n, urlsz - n, "%s%s=%s",
	    strchr(url, '?') != NULL ? "&" : "?", k, enc) >= urlsz - n)
		return -1;
	return 0;
}

const char *
oidc_param(const struct oidc_params *p, const char *name)
{
	const char *v = p->f != NULL ? form_get(p->f, name) : http_query(p->r, name);

	return v != NULL && strlen(v) <= OIDC_PARAM_MAX ? v : NULL;
}

bool
oidc_form_type(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type");

	return ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* Parses a POSTed form into p->f: 0, or -1 after answering 400/415 JSON. */
int
oidc_parse_form(struct http_req *r, struct oidc_params *p)
{
	size_t len;
	const char *body;

	p->r = r;
	p->f = NULL;
	if (!oidc_form_type(r)) {
		http_respond_error(r, 415, "invalid_request",
		    "Content-Type must be application/x-www-form-urlencoded");
		return -1;
	}
	body = http_body(r, &len);
	if (form_parse(body, len, &p->f) != 0) {
		http_respond_error(r, 400, "invalid_request", "the form cannot be read");
		return -1;
	}
	return 0;
}

void
oidc_no_cache(struct http_req *r)
{
	http_add_header(r, "Pragma", "no-cache");
}

