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

/* The decoded name of the query component q[n] is `name`. */
static bool
component_is(const char *q, size_t n, const char *name)
{
	char buf[64];
	size_t nlen = strcspn(q, "=&");

	if (nlen > n)
		nlen = n;
	if (nlen >= sizeof(buf))
		return false;	/* longer than any name we check */
	memcpy(buf, q, nlen);
	buf[nlen] = '\0';
	/* An unreadable name is none of ours: ignored like any unknown one. */
	return form_unescape(buf) == 0 && strcmp(buf, name) == 0;
}

/* Whether the value of component q[n] decodes to sound text. */
static bool
value_sound(const char *q, size_t n)
{
	const char *eq = memchr(q, '=', n);
	char buf[3 * OIDC_PARAM_MAX + 1];
	size_t vlen = eq != NULL ? n - (size_t)(eq + 1 - q) : 0;

	if (vlen >= sizeof(buf))
		return false;
	memcpy(buf, eq != NULL ? eq + 1 : "", vlen);
	buf[vlen] = '\0';
	return form_unescape(buf) == 0 && strlen(buf) <= OIDC_PARAM_MAX;
}

/* The same rules for a POSTed form, whose values form_parse has decoded. */
static const char *
form_problem(const struct form *f, const char *const *names)
{
	for (size_t i = 0; names[i] != NULL; i++) {
		const char *v = form_get(f, names[i]);

		if (form_count(f, names[i]) > 1 ||
		    (v != NULL && strlen(v) > OIDC_PARAM_MAX))
			return names[i];
	}
	return NULL;
}

const char *
oidc_query_problem(const struct oidc_params *p, const char *const *names)
{
	const char *t = http_target(p->r), *q = strchr(t, '?');

	if (p->f != NULL)
		return form_problem(p->f, names);
	if (q == NULL)
		return NULL;
	q++;
	for (size_t i = 0; names[i] != NULL; i++) {
		unsigned seen = 0;

		for (const char *c = q; *c != '\0'; ) {
			size_t n = strcspn(c, "&");

			if (component_is(c, n, names[i]) &&
			    (++seen > 1 || !value_sound(c, n)))
				return names[i];
			c += n;
			c += *c == '&';
		}
	}
	return NULL;
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
	const char *body, *name;
	char why[96];

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
	/* RFC 6749 section 3.1: no parameter more than once. */
	if ((name = form_repeated(p->f)) != NULL) {
		snprintf(why, sizeof(why), "%.64s appears more than once", name);
		http_respond_error(r, 400, "invalid_request", why);
		form_free(p->f);
		p->f = NULL;
		return -1;
	}
	return 0;
}

void
oidc_no_cache(struct http_req *r)
{
	http_add_header(r, "Pragma", "no-cache");
}

