/*
 * test_api_auth: the account JSON API in process, on a real HTTP server
 * over a fixture database with a test clock: field checks naming the
 * field, one answer for real and decoy registrations, registration to
 * session, expiry of codes by the clock, session use and logout, and the
 * 503 of a full password pool.
 */
#include "t.h"
#include "fixture.h"
#include "rawhttp.h"

#include <stdio.h>
#include <string.h>

#include "api_auth.h"
#include "auth.h"
#include "clock.h"
#include "routes.h"
#include "sms.h"
#include "workpool.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define NAME "Nguy\xe1\xbb\x85n V\xc4\x83n An"
#define ROW PID "," NAME ",1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define PASSWORD "hoa sen trong dam"

struct app {
	struct fixture f;
	struct clock *clock;
	struct routes_ctx ctx;
	struct http_server *srv;
	uint16_t port;
};

static int
app_up(struct app *a, size_t queue)
{
	const struct session_limits lim = { 1800, 43200 };
	struct http_opts o;
	size_t n;
	char err[256];

	memset(a, 0, sizeof(*a));
	if (fixture_open(&a->f, "test_api_auth") != 0 ||
	    fixture_import(&a->f, ROW, NOW - 86400) != 1)
		return -1;
	a->clock = clock_new_test(NOW);
	a->ctx = (struct routes_ctx){ .db = a->f.db, .seal = a->f.seal,
	    .clock = a->clock, .issuer = "http://127.0.0.1" };
	if (a->clock == NULL || auth_new(a->f.db, a->f.seal, &lim, &a->ctx.auth) != 0 ||
	    workpool_new(1, queue, 0, &a->ctx.pool) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &a->ctx;
	o.routes = api_auth_routes(&n);
	o.nroutes = n;
	if (http_start(&o, &a->srv, err, sizeof(err)) != 0)
		return -1;
	a->port = http_port(a->srv);
	return 0;
}

static void
app_down(struct app *a)
{
	http_stop(a->srv);
	workpool_free(a->ctx.pool);
	auth_free(a->ctx.auth);
	clock_free(a->clock);
	fixture_close(&a->f);
}

/* POST path with JSON body (and an optional bearer); the answer into *r. */
static int
post(struct app *a, const char *path, const char *json, const char *bearer,
    struct resp *r)
{
	struct conn c;
	char auth[128] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	if (bearer != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", bearer);
	if (conn_open(&c, a->port) != 0)
		return -1;
	rc = sendf(&c, "POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	    "%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", path, auth,
	    strlen(json), json);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

static int
get(struct app *a, const char *path, const char *bearer, struct resp *r)
{
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (conn_open(&c, a->port) != 0)
		return -1;
	rc = sendf(&c, "GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
	    "Connection: close\r\n\r\n", path, bearer);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

/* The string value of "key" in the body into out. */
static const char *
jstr(const struct resp *r, const char *key, char *out, size_t outsz)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	out[0] = '\0';
	if (r->body == NULL || (p = strstr(r->body, pat)) == NULL)
		return out;
	p += strlen(pat);
	if ((e = strchr(p, '"')) != NULL && (size_t)(e - p) < outsz)
		snprintf(out, outsz, "%.*s", (int)(e - p), p);
	return out;
}

struct grab {
	char code[7];
};

static void
grab(int64_t at, const char *phone, const char *body, void *arg)
{
	struct grab *g = arg;
	const char *p = strstr(body, "la ");

	UNUSED(at);
	UNUSED(phone);
	if (p != NULL)
		snprintf(g->code, sizeof(g->code), "%.6s", p + 3);
}

static void
newest_code(struct app *a, char code[7])
{
	struct grab g = { "" };

	if (sms_foreach(a->f.db, "0912345678", grab, &g) != DB_OK)
		g.code[0] = '\0';
	snprintf(code, 7, "%s", g.code);
}

static const char REG[] = "{\"personal_id\":\"" PID "\",\"full_name\":\"" NAME
    "\",\"birth_date\":\"1990-05-17\",\"phone\":\"0912345678\",\"password\":\""
    PASSWORD "\"}";

TEST(fields_named)
{
	struct app a;
	struct resp r;

	CHECK(app_up(&a, 8) == 0);
	CHECK(post(&a, "/v1/accounts", "{\"personal_id\":\"" PID "\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "full_name is required") != NULL);
	resp_free(&r);
	CHECK(post(&a, "/v1/login", "{\"personal_id\":12,\"password\":\"x\"}", NULL,
	    &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "personal_id must be a string") != NULL);
	resp_free(&r);
	CHECK(post(&a, "/v1/login/code", "{\"login_id\":\"x\",\"code\":"
	    "\"12345678901234567\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "code is too long") != NULL);
	resp_free(&r);
	CHECK(post(&a, "/v1/accounts", "{\"personal_id\":\"12\",\"full_name\":\"A\","
	    "\"birth_date\":\"1990-05-17\",\"phone\":\"0912345678\",\"password\":"
	    "\"" PASSWORD "\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "invalid_request") != NULL);
	resp_free(&r);
	app_down(&a);
}

TEST(register_login_session_logout)
{
	struct app a;
	struct resp r;
	char reg[64], code[7], body[256], lid[64], tok[64];

	CHECK(app_up(&a, 8) == 0);
	CHECK(post(&a, "/v1/accounts", REG, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 202);
	jstr(&r, "registration_id", reg, sizeof(reg));
	CHECK_EQ_INT(strlen(reg), 43);
	resp_free(&r);
	newest_code(&a, code);
	snprintf(body, sizeof(body), "{\"registration_id\":\"%s\",\"code\":\"%s\"}",
	    reg, code);
	CHECK(post(&a, "/v1/accounts/confirm", body, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 201);
	resp_free(&r);
	CHECK(post(&a, "/v1/login", "{\"personal_id\":\"" PID "\",\"password\":\""
	    "wrong horse\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	CHECK(post(&a, "/v1/login", "{\"personal_id\":\"" PID "\",\"password\":\""
	    PASSWORD "\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	jstr(&r, "login_id", lid, sizeof(lid));
	resp_free(&r);
	newest_code(&a, code);
	/* the clock moves past the code's life: refused, then a new login */
	CHECK(clock_advance(a.clock, 301) == 0);
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"code\":\"%s\"}", lid, code);
	CHECK(post(&a, "/v1/login/code", body, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "expired_code") != NULL);
	resp_free(&r);
	CHECK(post(&a, "/v1/login", "{\"personal_id\":\"" PID "\",\"password\":\""
	    PASSWORD "\"}", NULL, &r) == 0);
	jstr(&r, "login_id", lid, sizeof(lid));
	resp_free(&r);
	newest_code(&a, code);
	snprintf(body, sizeof(body), "{\"login_id\":\"%s\",\"code\":\"%s\"}", lid, code);
	CHECK(post(&a, "/v1/login/code", body, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	jstr(&r, "session_token", tok, sizeof(tok));
	CHECK(r.body != NULL && strstr(r.body, "\"amr\":[\"pwd\",\"sms\"]") != NULL);
	resp_free(&r);
	CHECK(get(&a, "/v1/me", tok, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, NAME) != NULL);
	resp_free(&r);
	CHECK(post(&a, "/v1/logout", "{}", tok, &r) == 0);
	CHECK_EQ_INT(r.status, 204);
	resp_free(&r);
	CHECK(get(&a, "/v1/me", tok, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	app_down(&a);
}

TEST(decoy_answers_like_real)
{
	struct app a;
	struct resp real, decoy;
	char k1[64], k2[64];

	CHECK(app_up(&a, 8) == 0);
	CHECK(post(&a, "/v1/accounts", REG, NULL, &real) == 0);
	CHECK(post(&a, "/v1/accounts", "{\"personal_id\":\"001090000099\","
	    "\"full_name\":\"" NAME "\",\"birth_date\":\"1990-05-17\",\"phone\":"
	    "\"0912345678\",\"password\":\"" PASSWORD "\"}", NULL, &decoy) == 0);
	CHECK_EQ_INT(real.status, 202);
	CHECK_EQ_INT(decoy.status, 202);
	CHECK_STR(jstr(&real, "message", k1, sizeof(k1)), jstr(&decoy, "message", k2,
	    sizeof(k2)));
	CHECK_EQ_INT(real.body_len, decoy.body_len);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT COUNT(*) FROM sms_outbox"), 1);
	resp_free(&real);
	resp_free(&decoy);
	app_down(&a);
}

static void
block(void *arg)
{
	UNUSED(arg);
}

TEST(full_pool_is_503)
{
	struct app a;
	struct resp r;
	char hv[32];

	/* one thread, no queue: hold the only slot, then a login cannot run */
	CHECK(app_up(&a, 0) == 0);
	CHECK(workpool_reserve(a.ctx.pool) == 0);
	CHECK(post(&a, "/v1/login", "{\"personal_id\":\"" PID "\",\"password\":\""
	    PASSWORD "\"}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 503);
	CHECK(header(&r, "Retry-After", hv, sizeof(hv)) != NULL);
	resp_free(&r);
	workpool_submit_reserved(a.ctx.pool, block, NULL);
	app_down(&a);
}

T_MAIN(T(fields_named), T(register_login_session_logout),
    T(decoy_answers_like_real), T(full_pool_is_503))
