/*
 * test_http: unit tests for the HTTP edge (http): a server on 127.0.0.1 with
 * a few test routes, spoken to in raw HTTP/1.1 over a TCP socket: routing
 * and its 404/405 answers, security headers on every response, the body
 * limit (declared and chunked), keep-alive, JSON bodies, Basic credentials,
 * cookies, the context pointer handed to handlers, and requests deferred to
 * a worker pool (answers, refusals, keep-alive, clients leaving, shutdown).
 */
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "rawhttp.h"
#include "workpool.h"

#define BODY_LIMIT (64 * 1024)

struct ctx {
	int marker;
};

static struct ctx the_ctx = { 0x5eed };

static bool
ctx_ok(void *ctx)
{
	return ctx == &the_ctx && ((struct ctx *)ctx)->marker == 0x5eed;
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

static const struct http_route routes[] = {
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

static struct http_server *srv;
static uint16_t port;

static int
server_up(void)
{
	struct http_opts o;
	char err[256] = "";

	if (srv != NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = 0;
	o.threads = 2;
	o.body_limit = BODY_LIMIT;
	o.conn_timeout = 10;
	o.per_ip_limit = 0;
	o.log = NULL;
	o.ctx = &the_ctx;
	o.routes = routes;
	o.nroutes = ARRAY_LEN(routes);
	if (http_start(&o, &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "http_start: %s\n", err);
		srv = NULL;
		return -1;
	}
	port = http_port(srv);
	return port != 0 ? 0 : -1;
}

/* ---- a small HTTP/1.1 client ---- */

/* One request on a new connection; the response into *r. */
static int
roundtrip(struct resp *r, const char *req, size_t len, bool head_only)
{
	static struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (server_up() != 0 || conn_open(&c, port) != 0)
		return -1;
	/* The server may answer early and close (413): read all the same. */
	(void)send_all(&c, req, len);
	rc = read_response(&c, r, head_only);
	conn_close(&c);
	return rc;
}

static int
get(struct resp *r, const char *path, const char *extra_headers)
{
	char req[4096];
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n",
	    path, extra_headers != NULL ? extra_headers : "");

	return roundtrip(r, req, (size_t)n, false);
}

static int
post(struct resp *r, const char *path, const char *ctype, const char *body)
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
	rc = roundtrip(r, req, (size_t)n, false);
	free(req);
	return rc;
}

/* The security headers every response carries; count of failures. */
static int
security_headers_missing(const struct resp *r, bool page)
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

/* An error response: JSON {"error": code, "error_description": ...}. */
static int
is_json_error(const struct resp *r, const char *code)
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

#define NEED_SERVER() do { \
	if (server_up() != 0) { \
		CHECK(!"server started"); \
		return; \
	} \
} while (0)

TEST(get_exact_route)
{
	struct resp r;
	char v[128];

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/hello", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "hello");
	CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "text/plain; charset=utf-8");
	CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "no-store");
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* An HTML page gets the page policy. */
	CHECK_EQ_INT(get(&r, "/page", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_INT(security_headers_missing(&r, true), 0);
	resp_free(&r);
	/* Exact means exact. */
	CHECK_EQ_INT(get(&r, "/hello/", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/hellox", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
}

TEST(head_served_by_get)
{
	struct resp r;
	const char req[] = "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n";

	NEED_SERVER();
	CHECK_EQ_INT(roundtrip(&r, req, sizeof(req) - 1, true), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_INT(r.body_len, 0);
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
}

TEST(handlers_get_ctx)
{
	struct resp r;

	NEED_SERVER();
	/* h_hello answers 500 unless its ctx is &the_ctx. */
	CHECK_EQ_INT(get(&r, "/hello", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
}

TEST(prefix_route)
{
	struct resp r;

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/p/abc/def", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/abc/def");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/p/", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/");
	resp_free(&r);
	/* Percent-escapes in the path are decoded, except %00. */
	CHECK_EQ_INT(get(&r, "/p/a%20b", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/a b");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/p/x%00y", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/x%00y");
	resp_free(&r);
	/* The prefix is "/p/": "/p" and "/px" are not under it. */
	CHECK_EQ_INT(get(&r, "/p", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/px", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
}

TEST(raw_target)
{
	struct resp r;

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/target/a%20b?q=%41+1&z", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/target/a%20b?q=%41+1&z|/target/a b");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/target/x", NULL), 0);
	CHECK_STR(r.body, "/target/x|/target/x");
	resp_free(&r);
}

TEST(unknown_path_404)
{
	struct resp r;

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/no/such/thing", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(is_json_error(&r, "not_found"));
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(post(&r, "/nowhere", "application/json", "{}"), 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(is_json_error(&r, "not_found"));
	resp_free(&r);
}

TEST(wrong_method_405)
{
	struct resp r;
	char v[128];

	NEED_SERVER();
	CHECK_EQ_INT(post(&r, "/hello", "text/plain", "x"), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "GET");
	CHECK(is_json_error(&r, "method_not_allowed"));
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/echo", NULL), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "POST");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/multi", NULL), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "PUT, DELETE");
	resp_free(&r);
	{
		const char req[] = "PUT /multi HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
		CHECK_EQ_INT(roundtrip(&r, req, sizeof(req) - 1, false), 0);
		CHECK_EQ_INT(r.status, 204);
		CHECK_EQ_INT(security_headers_missing(&r, false), 0);
		resp_free(&r);
	}
	{
		const char req[] = "DELETE /p/x HTTP/1.1\r\nHost: t\r\n\r\n";
		CHECK_EQ_INT(roundtrip(&r, req, sizeof(req) - 1, false), 0);
		CHECK_EQ_INT(r.status, 405);
		CHECK_STR(header(&r, "Allow", v, sizeof(v)), "GET");
		resp_free(&r);
	}
}

TEST(post_echo)
{
	struct resp r;

	NEED_SERVER();
	CHECK_EQ_INT(post(&r, "/echo", "text/plain", "abc"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=3 sum=294");
	resp_free(&r);
	CHECK_EQ_INT(post(&r, "/echo", NULL, ""), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=0 sum=0");
	resp_free(&r);
}

static char *
big_body(size_t n)
{
	char *b = malloc(n + 1);

	if (b != NULL) {
		memset(b, 'x', n);
		b[n] = '\0';
	}
	return b;
}

TEST(body_at_the_limit)
{
	struct resp r;
	char *b = big_body(BODY_LIMIT), expect[64];

	NEED_SERVER();
	CHECK(b != NULL);
	if (b == NULL)
		return;
	CHECK_EQ_INT(post(&r, "/echo", "text/plain", b), 0);
	CHECK_EQ_INT(r.status, 200);
	snprintf(expect, sizeof(expect), "len=%d sum=%lu", BODY_LIMIT,
	    (unsigned long)BODY_LIMIT * 'x');
	CHECK_STR(r.body, expect);
	resp_free(&r);
	free(b);
}

TEST(declared_body_over_limit_413)
{
	struct resp r;
	char req[256];
	int n;
	char *b = big_body(BODY_LIMIT + 1);

	NEED_SERVER();
	/* The whole body sent. */
	if (b != NULL) {
		CHECK_EQ_INT(post(&r, "/echo", "text/plain", b), 0);
		CHECK_EQ_INT(r.status, 413);
		CHECK(is_json_error(&r, "invalid_request"));
		CHECK_EQ_INT(security_headers_missing(&r, false), 0);
		resp_free(&r);
		free(b);
	}
	/* Headers only: answered before the body comes. */
	n = snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n", 10 * BODY_LIMIT);
	CHECK_EQ_INT(roundtrip(&r, req, (size_t)n, false), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(is_json_error(&r, "invalid_request"));
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* Also for an unknown path: the size is checked first. */
	n = snprintf(req, sizeof(req), "POST /nowhere HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: %d\r\n\r\n", BODY_LIMIT + 1);
	CHECK_EQ_INT(roundtrip(&r, req, (size_t)n, false), 0);
	CHECK_EQ_INT(r.status, 413);
	resp_free(&r);
}

/* Sends `total` bytes of body in chunks of `chunk`; the response into *r. */
static int
post_chunked(struct resp *r, size_t total, size_t chunk)
{
	struct conn *c = calloc(1, sizeof(*c));
	char *data = big_body(chunk);
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (c == NULL || data == NULL || conn_open(c, port) != 0)
		goto done;
	if (sendf(c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n") != 0)
		goto done;
	for (size_t sent = 0; sent < total; sent += chunk) {
		size_t n = total - sent < chunk ? total - sent : chunk;
		/* The server may answer and close early: stop sending then. */
		if (sendf(c, "%zx\r\n", n) != 0 || send_all(c, data, n) != 0 ||
		    sendf(c, "\r\n") != 0)
			break;
	}
	(void)sendf(c, "0\r\n\r\n");
	rc = read_response(c, r, false);
done:
	if (c != NULL)
		conn_close(c);
	free(c);
	free(data);
	return rc;
}

TEST(chunked_body)
{
	struct resp r;
	char expect[64];

	NEED_SERVER();
	CHECK_EQ_INT(post_chunked(&r, 10000, 1000), 0);
	CHECK_EQ_INT(r.status, 200);
	snprintf(expect, sizeof(expect), "len=10000 sum=%lu", 10000ul * 'x');
	CHECK_STR(r.body, expect);
	resp_free(&r);
	/* Over the limit without a declared length: 413 too. */
	CHECK_EQ_INT(post_chunked(&r, BODY_LIMIT + 8192, 8192), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(is_json_error(&r, "invalid_request"));
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
}

TEST(keep_alive)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct resp r;

	NEED_SERVER();
	CHECK(c != NULL);
	if (c == NULL || conn_open(c, port) != 0) {
		CHECK(!"connected");
		free(c);
		return;
	}
	/* Two requests one after the other on one connection. */
	CHECK_EQ_INT(sendf(c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "hello");
	resp_free(&r);
	CHECK_EQ_INT(sendf(c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=2 sum=195");
	resp_free(&r);
	/* An error answer keeps the connection too. */
	CHECK_EQ_INT(sendf(c, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(sendf(c, "GET /p/third HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/third");
	resp_free(&r);
	conn_close(c);
	free(c);
}

struct json_case {
	const char *ctype;
	const char *body;
	int status;
	const char *result;	/* the body of a 200 */
};

static const struct json_case json_cases[] = {
	{ "application/json", "{\"a\":1,\"b\":[1,2]}", 200, "keys=2" },
	{ "application/json; charset=utf-8", "{}", 200, "keys=0" },
	{ "Application/JSON", "{\"a\":1}", 200, "keys=1" },
	{ NULL, "{}", 415, NULL },
	{ "text/plain", "{}", 415, NULL },
	{ "application/x-www-form-urlencoded", "a=1", 415, NULL },
	{ "application/jsonp", "{}", 415, NULL },
	{ "application/json-seq", "{}", 415, NULL },
	{ "application/json", "not json", 400, NULL },
	{ "application/json", "{\"a\":", 400, NULL },
	{ "application/json", "", 400, NULL },
	{ "application/json", "{} {}", 400, NULL },
	{ "application/json", "[1,2,3]", 400, NULL },
	{ "application/json", "[]", 400, NULL },
	{ "application/json", "\"str\"", 400, NULL },
	{ "application/json", "42", 400, NULL },
	{ "application/json", "{\"a\":1,\"a\":2}", 400, NULL },
	{ "application/json", "{\"a\":{\"x\":1,\"x\":1}}", 400, NULL },
	/* depth 4 is the limit of /json */
	{ "application/json", "{\"a\":{\"b\":{\"c\":{}}}}", 200, "keys=1" },
	{ "application/json", "{\"a\":[[[1]]]}", 200, "keys=1" },
	{ "application/json", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 400, NULL },
	{ "application/json", "{\"a\":[[[[1]]]]}", 400, NULL },
	{ "application/json", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 400, NULL },
	/* brackets in strings are not nesting, escaped quotes included */
	{ "application/json", "{\"a\":\"[[[[[[{{{{{{\"}", 200, "keys=1" },
	{ "application/json", "{\"a\":\"\\\"[[[[[[[[\",\"b\":\"\\\\\"}", 200, "keys=2" },
	{ "application/json", "{\"a\\\"[[[[[[\":1}", 200, "keys=1" },
	/* siblings do not add up */
	{ "application/json", "{\"a\":{\"b\":{}},\"c\":{\"d\":{}},\"e\":[[]]}", 200, "keys=3" },
};

TEST(json_body)
{
	NEED_SERVER();
	for (size_t i = 0; i < ARRAY_LEN(json_cases); i++) {
		const struct json_case *jc = &json_cases[i];
		struct resp r;
		int bad = *t_failed;

		CHECK_EQ_INT(post(&r, "/json", jc->ctype, jc->body), 0);
		CHECK_EQ_INT(r.status, jc->status);
		if (jc->status == 200)
			CHECK_STR(r.body, jc->result);
		else {
			CHECK(is_json_error(&r, "invalid_request"));
			CHECK_EQ_INT(security_headers_missing(&r, false), 0);
		}
		if (*t_failed != bad)
			fprintf(stderr, "  in case %zu: %s %s\n", i,
			    jc->ctype != NULL ? jc->ctype : "(no type)", jc->body);
		resp_free(&r);
	}
}

TEST(basic_auth)
{
	struct resp r;
	char v[128];

	NEED_SERVER();
	/* alice:s3cret */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Basic YWxpY2U6czNjcmV0\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "alice|s3cret");
	resp_free(&r);
	/* bob:pa:ss, the password holding a colon */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Basic Ym9iOnBhOnNz\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "bob|pa:ss");
	resp_free(&r);
	/* none */
	CHECK_EQ_INT(get(&r, "/auth", NULL), 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(is_json_error(&r, "invalid_client"));
	CHECK_STR(header(&r, "WWW-Authenticate", v, sizeof(v)), "Basic realm=\"test\"");
	resp_free(&r);
	/* not base64 */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Basic !!!!\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* another scheme */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Bearer YWxpY2U6czNjcmV0\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* "alice" without a colon */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Basic YWxpY2U=\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* a user longer than the handler's buffer: "averyveryverylonguser:x" */
	CHECK_EQ_INT(get(&r, "/auth", "Authorization: Basic YXZlcnl2ZXJ5dmVyeWxvbmd1c2VyOng=\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
}

TEST(cookies)
{
	struct resp r;
	char v[256];

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/cookie", "Cookie: a=1; sid=xyz; b=2\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "xyz");
	CHECK_STR(header_nth(&r, "Set-Cookie", 0, v, sizeof(v)),
	    "sid=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
	CHECK_STR(header_nth(&r, "Set-Cookie", 1, v, sizeof(v)),
	    "sec=v; Path=/; HttpOnly; SameSite=Lax; Secure");
	CHECK_STR(header_nth(&r, "Set-Cookie", 2, v, sizeof(v)),
	    "gone=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
	CHECK(header_nth(&r, "Set-Cookie", 3, v, sizeof(v)) == NULL);
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/cookie", NULL), 0);
	CHECK_STR(r.body, "(none)");
	resp_free(&r);
}

TEST(query_headers_addr)
{
	struct resp r;

	NEED_SERVER();
	CHECK_EQ_INT(get(&r, "/query?q=a%20b&z=1", "X-Test: yes\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "q=a b hdr=yes addr=127.0.0.1 method=GET");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/query", NULL), 0);
	CHECK_STR(r.body, "q=(none) hdr=(none) addr=127.0.0.1 method=GET");
	resp_free(&r);
}

TEST(handler_answers)
{
	struct resp r;
	char v[128];

	NEED_SERVER();
	/* No answer from the handler: a 500 for it. */
	CHECK_EQ_INT(get(&r, "/noanswer", NULL), 0);
	CHECK_EQ_INT(r.status, 500);
	CHECK(is_json_error(&r, "server_error"));
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* Only the first answer counts. */
	CHECK_EQ_INT(get(&r, "/twice", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "first");
	resp_free(&r);
	CHECK_EQ_INT(get(&r, "/redirect", NULL), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/hello?from=redirect");
	CHECK_EQ_INT(r.body_len, 0);
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* A handler's Cache-Control replaces the no-store default. */
	CHECK_EQ_INT(get(&r, "/cache", NULL), 0);
	CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "public, max-age=60");
	CHECK(header_nth(&r, "Cache-Control", 1, v, sizeof(v)) == NULL);
	resp_free(&r);
}

TEST(start_errors)
{
	struct http_opts o;
	struct http_server *s = NULL;
	char err[256] = "";

	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.routes = routes;
	o.nroutes = ARRAY_LEN(routes);
	o.body_limit = BODY_LIMIT;
	CHECK_EQ_INT(http_start(&o, &s, err, sizeof(err)), -1);
	CHECK(s == NULL);
	CHECK(strstr(err, "not a numeric IP address") != NULL);
	CHECK_EQ_INT(http_start(NULL, &s, err, sizeof(err)), -1);
	CHECK_EQ_INT(http_start(&o, NULL, err, sizeof(err)), -1);
	http_stop(NULL);
}

TEST(stop_cleans_up)
{
	struct conn c;
	uint16_t p;

	NEED_SERVER();
	p = port;
	http_stop(srv);
	srv = NULL;
	/* Nothing listens on the port any more. */
	port = p;
	CHECK(conn_open(&c, port) != 0);
	conn_close(&c);
	/* And a new server starts again. */
	CHECK_EQ_INT(server_up(), 0);
	http_stop(srv);
	srv = NULL;
}

/* ---- requests deferred to a worker pool, on a server of their own ---- */

struct dctx {
	struct workpool *pool;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool gate_open;
	int blocked;		/* jobs waiting at the gate */
	atomic_int done_calls;
	atomic_int live;	/* job args not yet freed */
	atomic_int redeferred;	/* a second http_defer that did not refuse */
};

struct djob {
	struct dctx *d;
	long n;
	char out[64];
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
slow_work(void *arg)
{
	struct djob *j = arg;

	sleep_ms(50);
	snprintf(j->out, sizeof(j->out), "job:%ld", j->n * 2);
}

static void
gate_work(void *arg)
{
	struct djob *j = arg;
	struct dctx *d = j->d;

	pthread_mutex_lock(&d->mu);
	d->blocked++;
	pthread_cond_broadcast(&d->cv);
	while (!d->gate_open)
		pthread_cond_wait(&d->cv, &d->mu);
	d->blocked--;
	pthread_mutex_unlock(&d->mu);
	snprintf(j->out, sizeof(j->out), "unblocked");
}

static void
job_done(struct http_req *r, void *ctx, void *arg)
{
	struct djob *j = arg;
	struct dctx *d = j->d;

	if (ctx != d)
		http_respond_error(r, 500, "bad_ctx", "done got the wrong ctx");
	else
		http_respond(r, 200, "text/plain", j->out, strlen(j->out));
	free(j);
	atomic_fetch_sub(&d->live, 1);
	atomic_fetch_add(&d->done_calls, 1);
}

static void
defer_job(struct http_req *r, struct dctx *d, http_work_fn work)
{
	struct djob *j = calloc(1, sizeof(*j));
	const char *n = http_query(r, "n");
	size_t len;
	const char *body = http_body(r, &len);

	if (j == NULL) {
		http_respond_error(r, 500, "server_error", "out of memory");
		return;
	}
	j->d = d;
	j->n = strtol(len > 0 ? body : n != NULL ? n : "0", NULL, 10);
	atomic_fetch_add(&d->live, 1);
	if (http_defer(r, d->pool, work, job_done, j) != 0) {
		atomic_fetch_sub(&d->live, 1);
		free(j);
		http_add_header(r, "Retry-After", "1");
		http_respond_error(r, 503, "temporarily_unavailable",
		    "too busy, try again");
		return;
	}
	/* Deferred once is enough: a second deferral is refused. */
	if (http_defer(r, d->pool, work, job_done, NULL) != -1)
		atomic_fetch_add(&d->redeferred, 1);
}

static void
h_slow(struct http_req *r, void *ctx)
{
	defer_job(r, ctx, slow_work);
}

static void
h_block(struct http_req *r, void *ctx)
{
	defer_job(r, ctx, gate_work);
}

static void
h_plain(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/plain", "plain", 5);
}

static const struct http_route droutes[] = {
	{ "GET", "/slow", h_slow },
	{ "POST", "/slow", h_slow },
	{ "GET", "/block", h_block },
	{ "GET", "/plain", h_plain },
};

struct dserver {
	struct dctx d;
	struct http_server *srv;
	uint16_t port;
};

static int
dserver_up(struct dserver *ds, unsigned pool_threads, size_t queue_max)
{
	struct http_opts o;
	char err[256] = "";

	memset(ds, 0, sizeof(*ds));
	pthread_mutex_init(&ds->d.mu, NULL);
	pthread_cond_init(&ds->d.cv, NULL);
	atomic_init(&ds->d.done_calls, 0);
	atomic_init(&ds->d.live, 0);
	atomic_init(&ds->d.redeferred, 0);
	if (workpool_new(pool_threads, queue_max, 0, &ds->d.pool) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = BODY_LIMIT;
	o.conn_timeout = 10;
	o.ctx = &ds->d;
	o.routes = droutes;
	o.nroutes = ARRAY_LEN(droutes);
	if (http_start(&o, &ds->srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "http_start: %s\n", err);
		workpool_free(ds->d.pool);
		return -1;
	}
	ds->port = http_port(ds->srv);
	return 0;
}

/* The shutdown order: the server first, then the pool. */
static void
dserver_down(struct dserver *ds)
{
	http_stop(ds->srv);
	workpool_free(ds->d.pool);
	pthread_cond_destroy(&ds->d.cv);
	pthread_mutex_destroy(&ds->d.mu);
}

static void
gate_open(struct dctx *d)
{
	pthread_mutex_lock(&d->mu);
	d->gate_open = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static int
blocked_now(struct dctx *d)
{
	int n;

	pthread_mutex_lock(&d->mu);
	n = d->blocked;
	pthread_mutex_unlock(&d->mu);
	return n;
}

/* Polls for up to 5 s until jobs wait at the gate and the pool holds `load`. */
static bool
wait_for_jobs(struct dctx *d, int blocked, size_t load)
{
	for (int i = 0; i < 5000; i++) {
		if (blocked_now(d) == blocked && workpool_load(d->pool) == load)
			return true;
		sleep_ms(1);
	}
	return false;
}

static bool
wait_for_done(struct dctx *d, int calls)
{
	for (int i = 0; i < 5000; i++) {
		if (atomic_load(&d->done_calls) == calls)
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Opens a connection and sends one GET on it. */
static int
dsend(struct conn *c, const struct dserver *ds, const char *path)
{
	if (conn_open(c, ds->port) != 0)
		return -1;
	return sendf(c, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
}

#define NEED_DSERVER(ds, threads, qmax) do { \
	if (dserver_up((ds), (threads), (qmax)) != 0) { \
		CHECK(!"deferral server started"); \
		return; \
	} \
} while (0)

TEST(defer_answers)
{
	static struct dserver ds;
	static struct conn c;
	struct resp r;

	NEED_DSERVER(&ds, 1, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/slow?n=21"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:42");
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	conn_close(&c);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
	CHECK_EQ_INT(atomic_load(&ds.d.redeferred), 0);
}

TEST(defer_leaves_http_threads_free)
{
	static struct dserver ds;
	static struct conn c1, c2, c3;
	struct resp r;

	NEED_DSERVER(&ds, 1, 1);
	/* One job holds the pool's only thread, a second waits behind it. */
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(dsend(&c2, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 2));
	/* A plain route answers while both are still held. */
	CHECK_EQ_INT(dsend(&c3, &ds, "/plain"), 0);
	CHECK_EQ_INT(read_response(&c3, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "plain");
	resp_free(&r);
	CHECK_EQ_INT(blocked_now(&ds.d), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 0);
	gate_open(&ds.d);
	CHECK_EQ_INT(read_response(&c1, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "unblocked");
	resp_free(&r);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "unblocked");
	resp_free(&r);
	conn_close(&c1);
	conn_close(&c2);
	conn_close(&c3);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 2);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(defer_refused_when_pool_full)
{
	static struct dserver ds;
	static struct conn c1, c2;
	struct resp r;
	char v[64];

	NEED_DSERVER(&ds, 1, 0);
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	/* No room: the handler's own 503 reaches the client. */
	CHECK_EQ_INT(dsend(&c2, &ds, "/slow?n=1"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 503);
	CHECK(is_json_error(&r, "temporarily_unavailable"));
	CHECK_STR(header(&r, "Retry-After", v, sizeof(v)), "1");
	CHECK_EQ_INT(security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* That connection stays usable. */
	CHECK_EQ_INT(sendf(&c2, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	gate_open(&ds.d);
	CHECK_EQ_INT(read_response(&c1, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	/* The answer can arrive before the worker has let go of its slot. */
	CHECK(wait_for_jobs(&ds.d, 0, 0));
	/* With the pool free again, deferral works. */
	CHECK_EQ_INT(sendf(&c2, "GET /slow?n=4 HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:8");
	resp_free(&r);
	conn_close(&c1);
	conn_close(&c2);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 2);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(keep_alive_after_defer)
{
	static struct dserver ds;
	static struct conn c;
	struct resp r;

	NEED_DSERVER(&ds, 2, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/slow?n=1"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:2");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "plain");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /slow?n=5 HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:10");
	resp_free(&r);
	/* A request with a body, deferred after its last upload call. */
	CHECK_EQ_INT(sendf(&c, "POST /slow HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 2\r\n\r\n21"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:42");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	conn_close(&c);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 3);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(client_gone_during_job)
{
	static struct dserver ds;
	static struct conn c1, c2, c3;
	struct resp r;

	NEED_DSERVER(&ds, 1, 4);
	/* One client leaves while its job runs, another while its job waits. */
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(dsend(&c2, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 2));
	conn_close(&c1);
	conn_close(&c2);
	gate_open(&ds.d);
	/* `done` still runs, once each, and frees its argument. */
	CHECK(wait_for_done(&ds.d, 2));
	CHECK_EQ_INT(dsend(&c3, &ds, "/slow?n=3"), 0);
	CHECK_EQ_INT(read_response(&c3, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:6");
	resp_free(&r);
	conn_close(&c3);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 3);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

static void *
open_gate_later(void *arg)
{
	sleep_ms(100);
	gate_open(arg);
	return NULL;
}

TEST(stop_waits_for_deferred)
{
	static struct dserver ds;
	static struct conn c;
	pthread_t tid;

	NEED_DSERVER(&ds, 1, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(pthread_create(&tid, NULL, open_gate_later, &ds.d), 0);
	/* http_stop waits for the job, then closes its connection. */
	dserver_down(&ds);
	pthread_join(tid, NULL);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
	conn_close(&c);
}

TEST(routes_append_bounds)
{
	struct http_route out[3];
	size_t n;

	n = http_routes_append(out, 0, 3, routes, 2);
	CHECK_EQ_INT(n, 2);
	CHECK(out[1].fn == routes[1].fn);
	CHECK_EQ_INT(http_routes_append(out, n, 3, routes, 1), 3);
	CHECK_EQ_INT(http_routes_append(out, 3, 3, routes, 1), 4);
	CHECK_EQ_INT(http_routes_append(out, 2, 3, routes, 2), 4);
	CHECK_EQ_INT(http_routes_append(out, 4, 3, routes, 0), 4);
}

T_MAIN(T(routes_append_bounds), T(get_exact_route), T(head_served_by_get), T(handlers_get_ctx),
    T(prefix_route), T(raw_target), T(unknown_path_404), T(wrong_method_405), T(post_echo),
    T(body_at_the_limit), T(declared_body_over_limit_413), T(chunked_body),
    T(keep_alive), T(json_body), T(basic_auth), T(cookies),
    T(query_headers_addr), T(handler_answers), T(start_errors),
    T(stop_cleans_up), T(defer_answers), T(defer_leaves_http_threads_free),
    T(defer_refused_when_pool_full), T(keep_alive_after_defer),
    T(client_gone_during_job), T(stop_waits_for_deferred))
