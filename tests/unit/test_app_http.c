/*
 * test_app_http: the eid-app's request signing against the server's check
 * (devices_authenticate): a signed request passes, its altered method,
 * target or body and its replay are refused; a whole call over libcurl to
 * the devices API in process; and the one-line reason of a provider that
 * cannot be reached.
 */
#include "t.h"
#include "fixture.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_devices.h"
#include "app_http.h"
#include "app_state.h"
#include "clock.h"
#include "devices.h"
#include "routes.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ACC "acc-an"

/* A fixture with the account and st's key bound to it; st activated. */
static int
setup(struct fixture *f, struct app_state **st, int64_t now)
{
	char id[DEV_ID_SIZE];
	struct db_conn *c;
	int rc = -1;

	*st = NULL;
	if (fixture_open(f, "test_app_http") != 0 ||
	    fixture_import(f, ROW, now - 86400) != 1 ||
	    fixture_exec(f, "INSERT INTO accounts (account_id, personal_id, level, "
	    "phone, password_hash, status, created_at) VALUES ('" ACC "', '" PID
	    "', 2, '+84912345678', '', 'active', 0)") != 0 ||
	    app_state_new("test phone", st) != 0 || (c = db_acquire(f->db)) == NULL)
		return -1;
	if (devices_add(c, f->seal, ACC, "test phone", app_state_public_key(*st), 3, now,
	    id) == DB_OK && app_state_set_device(*st, id, "http://127.0.0.1") == 0)
		rc = 0;
	db_release(f->db, c);
	return rc;
}

static int
check(struct fixture *f, const char *h, const char *method, const char *target,
    const char *body)
{
	struct device d;

	return devices_authenticate(f->db, h, method, target, body, strlen(body),
	    NOW, &d);
}

TEST(signing_round_trip)
{
	struct fixture f;
	struct app_state *st = NULL;
	char *h = NULL, *h2 = NULL;

	CHECK(setup(&f, &st, NOW) == 0);
	h = app_http_authorization(st, "POST", "/v1/login/qr/abc?x=1",
	    "{\"decision\":\"approve\"}", 22, NOW);
	CHECK(h != NULL && strncmp(h, "Device id=\"", 11) == 0);
	if (h != NULL) {
		CHECK_EQ_INT(check(&f, h, "GET", "/v1/login/qr/abc?x=1",
		    "{\"decision\":\"approve\"}"), DEV_BAD_SIGNATURE);
		CHECK_EQ_INT(check(&f, h, "POST", "/v1/login/qr/abc?x=2",
		    "{\"decision\":\"approve\"}"), DEV_BAD_SIGNATURE);
		CHECK_EQ_INT(check(&f, h, "POST", "/v1/login/qr/abc?x=1",
		    "{\"decision\":\"deny\"}"), DEV_BAD_SIGNATURE);
		CHECK_EQ_INT(check(&f, h, "POST", "/v1/login/qr/abc?x=1",
		    "{\"decision\":\"approve\"}"), DB_OK);
		CHECK_EQ_INT(check(&f, h, "POST", "/v1/login/qr/abc?x=1",
		    "{\"decision\":\"approve\"}"), DEV_REPLAY);
	}
	/* A fresh nonce each time. */
	h2 = app_http_authorization(st, "GET", "/v1/devices", NULL, 0, NOW);
	CHECK(h2 != NULL && h != NULL && strcmp(h, h2) != 0);
	if (h2 != NULL)
		CHECK_EQ_INT(check(&f, h2, "GET", "/v1/devices", ""), DB_OK);
	free(h);
	free(h2);
	app_state_free(st);
	fixture_close(&f);
}

TEST(call_in_process)
{
	int64_t now = (int64_t)time(NULL);
	struct fixture f;
	struct app_state *st = NULL;
	struct clock *clk = clock_new_test(now);
	struct routes_ctx ctx;
	struct http_server *srv = NULL;
	struct http_opts o;
	struct app_resp r;
	char base[64], err[512];
	size_t n;

	CHECK(setup(&f, &st, now) == 0);
	ctx = (struct routes_ctx){ .db = f.db, .seal = f.seal, .clock = clk,
	    .issuer = "http://127.0.0.1" };
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 1;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &ctx;
	o.routes = api_devices_routes(&n);
	o.nroutes = n;
	CHECK(http_start(&o, &srv, err, sizeof(err)) == 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)http_port(srv));
	CHECK(app_http_call(base, st, "GET", "/v1/devices?page=%31", NULL, &r, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(json_is_array(json_object_get(r.json, "devices")));
	app_resp_free(&r);
	/* Unsigned: 401 with the reason. */
	CHECK(app_http_call(base, NULL, "GET", "/v1/devices", NULL, &r, err,
	    sizeof(err)) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(strstr(app_resp_reason(&r, ""), "signature") != NULL);
	app_resp_free(&r);
	http_stop(srv);
	/* The server gone: a one-line reason, no answer. */
	err[0] = '\0';
	CHECK(app_http_call(base, st, "GET", "/v1/devices", NULL, &r, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "cannot reach the identity provider") != NULL);
	CHECK(strchr(err, '\n') == NULL);
	clock_free(clk);
	app_state_free(st);
	fixture_close(&f);
}


T_MAIN(T(signing_round_trip), T(call_in_process))
