/*
 * test_portal: the demo portal's server against a stub provider (its own
 * loopback server answering discovery): the home page in both languages,
 * "not ready" before it has a client, /login's redirect with state, nonce
 * and S256 challenge and its flow cookie (and /login?level=2's, asking
 * acr_values=urn:dinhdanh:loa:2), bad callbacks answered as pages,
 * and an unreachable provider answered as a page.
 */
#include "t.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "portal.h"
#include "rawhttp.h"

struct stub {
	char issuer[64];
	int discovery_calls;
};

static void
h_disc(struct http_req *r, void *arg)
{
	struct stub *s = arg;
	char ep[128];
	json_t *d;

	s->discovery_calls++;
	snprintf(ep, sizeof(ep), "%s/authorize", s->issuer);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "issuer", s->issuer,
	    "authorization_endpoint", ep, "token_endpoint", "http://127.0.0.1:1/token",
	    "userinfo_endpoint", "http://127.0.0.1:1/userinfo",
	    "jwks_uri", "http://127.0.0.1:1/jwks.json",
	    "end_session_endpoint", "http://127.0.0.1:1/logout");
	http_respond_json(r, 200, d);
}

static const struct http_route STUB_ROUTES[] = {
	{ "GET", "/.well-known/openid-configuration", h_disc },
};

static int
get(uint16_t port, const char *path, const char *cookie, struct resp *out)
{
	struct conn c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (conn_open(&c, port) != 0)
		return -1;
	rc = sendf(&c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: close\r\n\r\n",
	    path, cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "");
	if (rc == 0)
		rc = read_response(&c, out, false);
	conn_close(&c);
	return rc;
}

static uint16_t
port_of(const struct portal *p)
{
	const char *b = portal_base_url(p);

	return (uint16_t)atoi(strrchr(b, ':') + 1);
}

static bool
body_has(const struct resp *r, const char *s)
{
	return r->body != NULL && strstr(r->body, s) != NULL;
}

TEST(pages_and_login_redirect)
{
	struct stub st = { .discovery_calls = 0 };
	struct http_opts so = { .host = "127.0.0.1", .port = 0, .threads = 1,
	    .body_limit = 4096, .conn_timeout = 10, .per_ip_limit = 64,
	    .ctx = &st, .routes = STUB_ROUTES, .nroutes = ARRAY_LEN(STUB_ROUTES) };
	struct http_server *stub = NULL;
	struct clock *clk = clock_new_test(1800000000);
	struct log *lg = log_new(stderr, LOG_ERROR);
	struct portal *p = NULL;
	struct portal_opts po = { .port = 0, .log = lg };
	char err[256], v[2048], cookie[128], state[64], loc[4096];
	struct resp r;
	uint16_t port;

	so.log = lg;
	po.clock = clk;
	CHECK_EQ_INT(http_start(&so, &stub, err, sizeof(err)), 0);
	snprintf(st.issuer, sizeof(st.issuer), "http://127.0.0.1:%u",
	    (unsigned)http_port(stub));
	po.issuer = st.issuer;
	CHECK_EQ_INT(portal_start(&po, &p, err, sizeof(err)), 0);
	if (p == NULL)
		goto out;
	port = port_of(p);
	CHECK(strncmp(portal_base_url(p), "http://127.0.0.1:", 17) == 0);

	/* Home page, Vietnamese by default, English by cookie. */
	CHECK_EQ_INT(get(port, "/", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(body_has(&r, "<html lang=\"vi\""));
	CHECK(body_has(&r, "href=\"/login\""));
	CHECK(body_has(&r, "href=\"/login?level=2\""));
	CHECK(body_has(&r, "Đăng nhập mức 2 (ứng dụng)"));
	CHECK(body_has(&r, "name=\"viewport\""));
	CHECK(header(&r, "Content-Security-Policy", v, sizeof(v)) != NULL &&
	    strstr(v, "script-src 'self'") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(get(port, "/", "lang=en", &r), 0);
	CHECK(body_has(&r, "<html lang=\"en\""));
	CHECK(body_has(&r, "Sign in with dinhdanh"));
	CHECK(body_has(&r, "Sign in with level 2 (app)"));
	resp_free(&r);
	CHECK_EQ_INT(get(port, "/lang?to=en", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Set-Cookie", v, sizeof(v)) != NULL &&
	    strncmp(v, "lang=en;", 8) == 0);
	resp_free(&r);
	CHECK_EQ_INT(get(port, "/portal.css", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);

	/* No client yet: a page saying so. */
	CHECK_EQ_INT(get(port, "/login", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 503);
	resp_free(&r);
	CHECK_EQ_INT(st.discovery_calls, 0);

	portal_set_client(p, "c_demo", "secret");
	CHECK_EQ_INT(get(port, "/login", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", loc, sizeof(loc)) != NULL);
	CHECK(strncmp(loc, st.issuer, strlen(st.issuer)) == 0);
	CHECK(strstr(loc, "/authorize?response_type=code&client_id=c_demo&") != NULL);
	CHECK(strstr(loc, "&code_challenge_method=S256") != NULL);
	CHECK(strstr(loc, "scope=openid%20profile%20personal_id%20address%20phone"
	    "%20offline_access") != NULL);
	CHECK(strstr(loc, "redirect_uri=http%3A%2F%2F127.0.0.1%3A") != NULL);
	CHECK(strstr(loc, "&nonce=") != NULL);
	CHECK(strstr(loc, "acr_values") == NULL);	/* level 1: none asked */
	CHECK(header(&r, "Set-Cookie", v, sizeof(v)) != NULL);
	CHECK(strncmp(v, "portal_flow=", 12) == 0 && strstr(v, "HttpOnly") != NULL);
	snprintf(cookie, sizeof(cookie), "%.*s", (int)strcspn(v, ";"), v);
	{
		const char *s = strstr(loc, "&state=");
		snprintf(state, sizeof(state), "%.*s", s ? (int)strcspn(s + 7, "&") : 0,
		    s ? s + 7 : "");
	}
	CHECK_EQ_INT(strlen(state), 43);
	resp_free(&r);
	/* A second sign-in: fresh values, discovery cached. */
	CHECK_EQ_INT(get(port, "/login", NULL, &r), 0);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL && strstr(v, state) == NULL);
	resp_free(&r);
	CHECK_EQ_INT(st.discovery_calls, 1);

	/* Level 2: the same request, acr_values asking for the app, encoded. */
	CHECK_EQ_INT(get(port, "/login?level=2", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL);
	CHECK(strncmp(v, st.issuer, strlen(st.issuer)) == 0);
	CHECK(strstr(v, "/authorize?response_type=code&client_id=c_demo&") != NULL);
	CHECK(strstr(v, "&code_challenge_method=S256") != NULL);
	CHECK(strstr(v, "&state=") != NULL && strstr(v, "&nonce=") != NULL);
	CHECK(strstr(v, "&acr_values=urn%3Adinhdanh%3Aloa%3A2") != NULL);
	{
		const char *a = strstr(v, "acr_values=");	/* once only */
		CHECK(a != NULL && strstr(a + 1, "acr_values=") == NULL);
	}
	CHECK(header(&r, "Set-Cookie", v, sizeof(v)) != NULL &&
	    strncmp(v, "portal_flow=", 12) == 0);
	resp_free(&r);
	/* Any other level: no acr_values. */
	CHECK_EQ_INT(get(port, "/login?level=3", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL &&
	    strstr(v, "acr_values") == NULL);
	resp_free(&r);
	CHECK_EQ_INT(st.discovery_calls, 1);

	/* Callbacks: no flow, a wrong state, an error with the right state. */
	CHECK_EQ_INT(get(port, "/callback?code=c&state=s", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(body_has(&r, "<html lang=\"vi\""));
	resp_free(&r);
	CHECK_EQ_INT(get(port, "/callback?code=c&state=wrong", cookie, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	/* That used the flow up: the right state no longer works either. */
	snprintf(loc, sizeof(loc), "/callback?error=access_denied&state=%s", state);
	CHECK_EQ_INT(get(port, loc, cookie, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(!body_has(&r, "access_denied"));
	resp_free(&r);

	/* A token endpoint nobody answers: a page, and the portal lives on. */
	CHECK_EQ_INT(get(port, "/login", NULL, &r), 0);
	CHECK(header(&r, "Set-Cookie", v, sizeof(v)) != NULL);
	snprintf(cookie, sizeof(cookie), "%.*s", (int)strcspn(v, ";"), v);
	CHECK(header(&r, "Location", loc, sizeof(loc)) != NULL);
	{
		const char *s = strstr(loc, "&state=");
		snprintf(state, sizeof(state), "%.*s", s ? (int)strcspn(s + 7, "&") : 0,
		    s ? s + 7 : "");
	}
	resp_free(&r);
	snprintf(loc, sizeof(loc), "/callback?code=abc&state=%s&iss=%s", state,
	    "http%3A%2F%2Felsewhere");
	CHECK_EQ_INT(get(port, loc, cookie, &r), 0);
	CHECK_EQ_INT(r.status, 502);
	CHECK(body_has(&r, "invalid_response"));
	resp_free(&r);

	/* Sign-out without a session: home. */
	CHECK_EQ_INT(get(port, "/logout", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL && strcmp(v, "/") == 0);
	resp_free(&r);
	CHECK_EQ_INT(get(port, "/nothing", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
out:
	portal_stop(p);
	http_stop(stub);
	log_free(lg);
	clock_free(clk);
}

TEST(unreachable_provider)
{
	struct clock *clk = clock_new_test(1800000000);
	struct log *lg = log_new(stderr, LOG_ERROR);
	struct portal_opts po = { .issuer = "http://127.0.0.1:1", .clock = clk,
	    .log = lg };
	struct portal *p = NULL;
	char err[256];
	struct resp r;

	CHECK_EQ_INT(portal_start(&po, &p, err, sizeof(err)), 0);
	if (p != NULL) {
		portal_set_client(p, "c_demo", "secret");
		CHECK_EQ_INT(get(port_of(p), "/login", NULL, &r), 0);
		CHECK_EQ_INT(r.status, 502);
		CHECK(body_has(&r, "dinhdanh"));
		resp_free(&r);
	}
	portal_stop(p);
	portal_stop(NULL);
	log_free(lg);
	clock_free(clk);
}

T_MAIN(T(pages_and_login_redirect), T(unreachable_provider))
