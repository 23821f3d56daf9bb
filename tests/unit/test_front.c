/*
 * test_front: the shared edge of the citizen handlers, in process: session
 * cookie names by scheme, the token from a Bearer header or the cookie, the
 * per-address limit with its wait, the truncated address and user agent of
 * the asker, and database failures mapped to 503 or 500.
 */
#include "t.h"
#include "rawhttp.h"

#include <stdio.h>
#include <string.h>

#include "front.h"
#include "ratelimit.h"

/* GET /t answers "TOKEN|WAIT|ADDR|UA"; GET /busy and /broken map db errors. */
static void
h_t(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *tok = front_session_token(r, ctx);
	char addr[64], body[512];
	struct auth_meta m;
	long long wait = (long long)front_limited(r, ctx);

	front_meta(r, addr, &m);
	snprintf(body, sizeof(body), "%s|%lld|%s|%s", tok != NULL ? tok : "-",
	    wait, m.addr, m.user_agent);
	http_respond(r, 200, "text/plain", body, strlen(body));
}

static void
h_busy(struct http_req *r, void *arg)
{
	front_db_error(r, ((struct routes_ctx *)arg)->log, DB_BUSY);
}

static void
h_broken(struct http_req *r, void *arg)
{
	front_db_error(r, ((struct routes_ctx *)arg)->log, DB_ERR);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/t", h_t }, { "GET", "/busy", h_busy }, { "GET", "/broken", h_broken },
};

struct srv {
	struct routes_ctx ctx;
	struct http_server *h;
	uint16_t port;
};

static int
up(struct srv *s, bool secure, double per_min)
{
	struct http_opts o;
	char err[256];

	memset(s, 0, sizeof(*s));
	s->ctx.secure = secure;
	if (per_min > 0 && ratelimit_new(per_min / 60.0, per_min, 64, &s->ctx.limit) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 1;
	o.body_limit = 1024;
	o.conn_timeout = 10;
	o.ctx = &s->ctx;
	o.routes = ROUTES;
	o.nroutes = ARRAY_LEN(ROUTES);
	if (http_start(&o, &s->h, err, sizeof(err)) != 0)
		return -1;
	s->port = http_port(s->h);
	return 0;
}

static void
down(struct srv *s)
{
	http_stop(s->h);
	ratelimit_free(s->ctx.limit);
}

static int
get(struct srv *s, const char *path, const char *extra, struct resp *r)
{
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (conn_open(&c, s->port) != 0)
		return -1;
	rc = sendf(&c, "GET %s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n",
	    path, extra);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

TEST(cookie_names_by_scheme)
{
	struct routes_ctx plain = { .secure = false }, tls = { .secure = true };

	CHECK_STR(front_session_cookie(&plain), "dd_session");
	CHECK_STR(front_session_cookie(&tls), "__Host-dd_session");
}

TEST(token_from_bearer_then_cookie)
{
	struct srv s;
	struct resp r;

	CHECK(up(&s, false, 0) == 0);
	CHECK(get(&s, "/t", "Authorization: Bearer abc\r\nCookie: dd_session=def\r\n",
	    &r) == 0);
	CHECK(r.body != NULL && strncmp(r.body, "abc|", 4) == 0);
	resp_free(&r);
	CHECK(get(&s, "/t", "Cookie: dd_session=def\r\n", &r) == 0);
	CHECK(r.body != NULL && strncmp(r.body, "def|", 4) == 0);
	resp_free(&r);
	/* the https name is not read on an http server, and vice versa */
	CHECK(get(&s, "/t", "Cookie: __Host-dd_session=ghi\r\n", &r) == 0);
	CHECK(r.body != NULL && strncmp(r.body, "-|", 2) == 0);
	resp_free(&r);
	down(&s);
}

TEST(limit_and_meta)
{
	struct srv s;
	struct resp r;

	/* 2 a minute: two pass, the third waits about 30 s */
	CHECK(up(&s, true, 2) == 0);
	for (int i = 0; i < 2; i++) {
		CHECK(get(&s, "/t", "User-Agent: phone/1.0\r\n", &r) == 0);
		CHECK(r.body != NULL && strstr(r.body, "|0|127.0.0.0/24|phone/1.0") != NULL);
		resp_free(&r);
	}
	CHECK(get(&s, "/t", "", &r) == 0);
	CHECK(r.body != NULL && strstr(r.body, "|0|") == NULL);
	CHECK(r.body != NULL && (strstr(r.body, "|30|") != NULL ||
	    strstr(r.body, "|29|") != NULL));
	resp_free(&r);
	down(&s);
}

TEST(db_errors_mapped)
{
	struct srv s;
	struct resp r;
	char v[16];

	CHECK(up(&s, false, 0) == 0);
	CHECK(get(&s, "/busy", "", &r) == 0);
	CHECK_EQ_INT(r.status, 503);
	CHECK(header(&r, "Retry-After", v, sizeof(v)) != NULL);
	resp_free(&r);
	CHECK(get(&s, "/broken", "", &r) == 0);
	CHECK_EQ_INT(r.status, 500);
	CHECK(r.body != NULL && strstr(r.body, "server_error") != NULL);
	resp_free(&r);
	down(&s);
}

T_MAIN(T(cookie_names_by_scheme), T(token_from_bearer_then_cookie),
    T(limit_and_meta), T(db_errors_mapped))
