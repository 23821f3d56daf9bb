/*
 * httpfix: the server the http and http_req tests speak to: the test routes
 * and their context, starting and stopping the server, one-request clients,
 * and the checks on answers both test files make.
 */
#include "httpfix.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
ctx_ok(void *ctx)
{
	const struct hf_ctx *c = ctx;

	return c != NULL && c->self == c && c->marker == HF_MARKER;
}

static void
h_hello(struct http_req *r, void *ctx)
{
	if (!ctx_ok(ctx)) {
		http_respond_error(r, 500, "bad_ctx", "handler got the wrong ctx");
		return;
	}
	http_respond(r, 200, "text/plain; charset=utf-8", "hello", 5);
}

static void
h_page(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/html; charset=utf-8", "<p>hi</p>", 9);
}

static void
h_echo(struct http_req *r, void *ctx)
{
	size_t len;
	const char *body = http_body(r, &len);
	char out[64];
	int n;
	unsigned long sum = 0;

	UNUSED(ctx);
	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)body[i];
	n = snprintf(out, sizeof(out), "len=%zu sum=%lu", len, sum);
	http_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
h_prefix(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/plain", http_path(r), strlen(http_path(r)));
}

/* The request target as sent, then the decoded path. */
static void
h_target(struct http_req *r, void *ctx)
{
	char out[256];
	int n;

	UNUSED(ctx);
	n = snprintf(out, sizeof(out), "%s|%s", http_target(r), http_path(r));
	http_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
h_json(struct http_req *r, void *ctx)
{
	json_t *j = http_json_body(r, 4);
	char out[64];
	int n;

	UNUSED(ctx);
	if (j == NULL) {
		if (!http_responded(r))
			http_respond_error(r, 599, "not_answered", "json_body did not answer");
		return;
	}
	n = snprintf(out, sizeof(out), "keys=%zu", json_object_size(j));
	json_decref(j);
	http_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
h_auth(struct http_req *r, void *ctx)
{
	char user[16], pass[16], out[64];
	int n;

	UNUSED(ctx);
	if (http_basic_auth(r, user, sizeof(user), pass, sizeof(pass)) != 0) {
		http_add_header(r, "WWW-Authenticate", "Basic realm=\"test\"");
		http_respond_error(r, 401, "invalid_client", NULL);
		return;
	}
	n = snprintf(out, sizeof(out), "%s|%s", user, pass);
	http_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
h_cookie(struct http_req *r, void *ctx)
{
	const char *sid = http_cookie(r, "sid");

	UNUSED(ctx);
	http_set_cookie(r, "sid", "abc123", 3600, false);
	http_set_cookie(r, "sec", "v", -1, true);
	http_set_cookie(r, "gone", "", 0, true);
	http_respond(r, 200, "text/plain", sid != NULL ? sid : "(none)",
	    strlen(sid != NULL ? sid : "(none)"));
}

static void
h_query(struct http_req *r, void *ctx)
{
	const char *q = http_query(r, "q");
	const char *hdr = http_header(r, "x-test");
	char out[256], addr[64];
	int n;

	UNUSED(ctx);
	n = snprintf(out, sizeof(out), "q=%s hdr=%s addr=%s method=%s",
	    q != NULL ? q : "(none)", hdr != NULL ? hdr : "(none)",
	    http_client_addr(r, addr), http_method(r));
	http_respond(r, 200, "text/plain", out, (size_t)n);
}

static void
h_noanswer(struct http_req *r, void *ctx)
{
	UNUSED(r);
	UNUSED(ctx);
}

static void
h_twice(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/plain", "first", 5);
	http_respond(r, 500, "text/plain", "second", 6);
	http_respond_json(r, 500, json_pack("{s:s}", "x", "third"));
}

static void
h_redirect(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_redirect(r, 303, "/hello?from=redirect");
}

static void
h_cache(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_add_header(r, "Cache-Control", "public, max-age=60");
	http_respond(r, 200, "text/css", "a{}", 3);
}

static void
h_put(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 204, NULL, "", 0);
}

const struct http_route hf_routes[] = {
	{ "GET", "/hello", h_hello },
	{ "GET", "/page", h_page },
	{ "POST", "/echo", h_echo },
	{ "GET", "/p/*", h_prefix },
	{ "GET", "/target/*", h_target },
	{ "POST", "/json", h_json },
	{ "GET", "/auth", h_auth },
	{ "GET", "/cookie", h_cookie },
	{ "GET", "/query", h_query },
	{ "GET", "/noanswer", h_noanswer },
	{ "GET", "/twice", h_twice },
	{ "GET", "/redirect", h_redirect },
	{ "GET", "/cache", h_cache },
	{ "PUT", "/multi", h_put },
	{ "DELETE", "/multi", h_put },
};

const size_t hf_nroutes = ARRAY_LEN(hf_routes);

int
hf_up(struct httpfix *h)
{
	struct http_opts o;
	char err[256] = "";

	if (h == NULL)
		return -1;
	if (h->srv != NULL)
		return 0;
	h->ctx.marker = HF_MARKER;
	h->ctx.self = &h->ctx;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = 0;
	o.threads = 2;
	o.body_limit = HF_BODY_LIMIT;
	o.conn_timeout = 10;
	o.per_ip_limit = 0;
	o.log = NULL;
	o.ctx = &h->ctx;
	o.routes = hf_routes;
	o.nroutes = hf_nroutes;
	if (http_start(&o, &h->srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "http_start: %s\n", err);
		h->srv = NULL;
		return -1;
	}
	h->port = http_port(h->srv);
	return h->port != 0 ? 0 : -1;
}

void
hf_down(struct httpfix *h)
{
	if (h == NULL || h->srv == NULL)
		return;
	http_stop(h->srv);
	h->srv = NULL;
	h->port = 0;
}

struct httpfix *
hf_open(void)
{
	struct httpfix *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->conn.fd = -1;
	if (hf_up(h) != 0) {
		free(h);
		return NULL;
	}
	return h;
}

void
hf_close(struct httpfix *h)
{
	if (h == NULL)
		return;
	hf_down(h);
	free(h);
}

int
hf_roundtrip(struct httpfix *h, struct resp *r, const char *req, size_t len,
    bool head_only)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (h == NULL || h->srv == NULL || conn_open(&h->conn, h->port) != 0)
		return -1;
	/* The server may answer early and close (413): read all the same. */
	(void)send_all(&h->conn, req, len);
	rc = read_response(&h->conn, r, head_only);
	conn_close(&h->conn);
	return rc;
}

int
hf_get(struct httpfix *h, struct resp *r, const char *path,
    const char *extra_headers)
{
	char req[4096];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    path, extra_headers != NULL ? extra_headers : "");

	if (n < 0 || (size_t)n >= sizeof(req))
		return -1;
	return hf_roundtrip(h, r, req, (size_t)n, false);
}

int
hf_post(struct httpfix *h, struct resp *r, const char *path, const char *ctype,
    const char *body)
{
	size_t blen = strlen(body), cap = blen + 1024;
	char *req = malloc(cap);
	int n, rc;

	if (req == NULL)
		return -1;
	n = snprintf(req, cap, "POST %s HTTP/1.1\r\nHost: t\r\n%s%s%s"
	    "Content-Length: %zu\r\n\r\n%s", path,
	    ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
	    ctype != NULL ? "\r\n" : "", blen, body);
	rc = n < 0 || (size_t)n >= cap ? -1 :
	    hf_roundtrip(h, r, req, (size_t)n, false);
	free(req);
	return rc;
}

int
hf_security_headers_missing(const struct resp *r, bool page)
{
	char v[512];
	int bad = 0;

	if (header(r, "Content-Security-Policy", v, sizeof(v)) == NULL ||
	    strstr(v, "frame-ancestors 'none'") == NULL ||
	    strstr(v, page ? "default-src 'self'" : "default-src 'none'") == NULL)
		bad++;
	if (header(r, "X-Content-Type-Options", v, sizeof(v)) == NULL ||
	    strcmp(v, "nosniff") != 0)
		bad++;
	if (header(r, "Referrer-Policy", v, sizeof(v)) == NULL ||
	    strcmp(v, "no-referrer") != 0)
		bad++;
	if (header(r, "X-Frame-Options", v, sizeof(v)) == NULL ||
	    strcmp(v, "DENY") != 0)
		bad++;
	if (bad)
		fprintf(stderr, "security headers missing in:\n%s\n", r->head);
	return bad;
}

int
hf_is_json_error(const struct resp *r, const char *code)
{
	char v[128];
	json_t *j;
	int ok;

	if (header(r, "Content-Type", v, sizeof(v)) == NULL ||
	    strcmp(v, "application/json") != 0)
		return 0;
	j = json_loadb(r->body, r->body_len, 0, NULL);
	ok = j != NULL && json_object_size(j) == 2 &&
	    json_is_string(json_object_get(j, "error_description")) &&
	    json_string_value(json_object_get(j, "error")) != NULL &&
	    strcmp(json_string_value(json_object_get(j, "error")), code) == 0;
	json_decref(j);
	return ok;
}
