/*
 * test_api_enroll: POST /v1/enrollments in process, on a real HTTP server
 * over a fixture database with a test clock: 201 with a typeable code, 422
 * with the exact reason for each refused card, 401 without, with a wrong or
 * with a revoked officer token, 400 naming a bad field.
 */
#include "t.h"
#include "fixture.h"
#include "rawhttp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_enroll.h"
#include "card.h"
#include "clock.h"
#include "officers.h"
#include "routes.h"

#define NOW INT64_C(1800000000)
#define DIGEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define AN "001090000001"
#define BINH "079195000002"
#define CUONG "001085000003"
#define ROWS \
	AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male,Vi\xe1\xbb\x87t Nam," \
	"H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," AN ",2021-03-01,2036-05-17,living\n" \
	BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh,1995-11-02,female,Vi\xe1\xbb\x87t Nam," \
	"H\xe1\xbb\x93 Ch\xc3\xad Minh,Qu\xe1\xba\xadn 1,123456789,2020-01-15,2035-11-02,deceased\n" \
	CUONG ",L\xc3\xaa V\xc4\x83n C\xc6\xb0\xe1\xbb\x9dng,1985-02-03,male,Vi\xe1\xbb\x87t Nam," \
	"H\xc3\xa0 N\xe1\xbb\x99i,Ba \xc4\x90\xc3\xacnh," CUONG ",2010-01-01,2020-01-01,living\n"

struct app {
	struct fixture f;
	struct clock *clock;
	struct routes_ctx ctx;
	struct http_server *srv;
	uint16_t port;
	char officer[OFFICER_ID_SIZE];
	char token[OFFICER_TOKEN_SIZE];
};

static int
app_up(struct app *a)
{
	struct http_opts o;
	size_t n;
	char err[256];

	memset(a, 0, sizeof(*a));
	if (fixture_open(&a->f, "test_api_enroll") != 0 ||
	    fixture_import(&a->f, ROWS, NOW - 86400) != 3)
		return -1;
	if (officers_add(a->f.db, a->f.seal, "Officer", "Desk", NOW, a->officer,
	    a->token, err, sizeof(err)) != DB_OK)
		return -1;
	a->clock = clock_new_test(NOW);
	a->ctx = (struct routes_ctx){ .db = a->f.db, .seal = a->f.seal,
	    .clock = a->clock, .issuer = "http://127.0.0.1" };
	if (a->clock == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &a->ctx;
	o.routes = api_enroll_routes(&n);
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
	clock_free(a->clock);
	fixture_close(&a->f);
}

static int
post(struct app *a, const char *json, const char *bearer, struct resp *r)
{
	struct conn c;
	char auth[128] = "";
	int rc;

	memset(r, 0, sizeof(*r));
	if (bearer != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", bearer);
	if (conn_open(&c, a->port) != 0)
		return -1;
	rc = sendf(&c, "POST /v1/enrollments HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\n%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", auth, strlen(json), json);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

/* The enrollment body for `chip` (and the digest and phone given). */
static char *
body(const char *chip, const char *digest, const char *phone)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "chip_record", chip ? chip : "",
	    "biometric_digest", digest, "phone", phone);
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return s;
}

static char *
chip(struct app *a, const char *pid)
{
	char *out = NULL;

	return card_issue(a->f.db, a->f.seal, pid, NOW - 60, &out) == DB_OK ? out : NULL;
}

/* POSTs the chip of `pid` and expects `status` with error `err` (or none). */
static void
expect(int *t_failed, struct app *a, const char *chip_record, const char *bearer,
    int status, const char *err)
{
	char *b = body(chip_record, DIGEST, "0912345678");
	struct resp r;
	char want[64];

	CHECK(b != NULL && post(a, b, bearer, &r) == 0);
	CHECK_EQ_INT(r.status, status);
	if (err != NULL) {
		snprintf(want, sizeof(want), "\"error\":\"%s\"", err);
		CHECK(r.body != NULL && strstr(r.body, want) != NULL);
		CHECK(r.body != NULL && strstr(r.body, "error_description") != NULL);
	}
	resp_free(&r);
	free(b);
}

TEST(enrolls_with_201)
{
	struct app a;
	struct resp r;
	char *c, *b;
	json_t *j;

	CHECK(app_up(&a) == 0);
	CHECK((c = chip(&a, AN)) != NULL);
	CHECK((b = body(c, DIGEST, "+84 912 345 678")) != NULL);
	CHECK(post(&a, b, a.token, &r) == 0);
	CHECK_EQ_INT(r.status, 201);
	j = r.body != NULL ? json_loads(r.body, 0, NULL) : NULL;
	CHECK(j != NULL);
	CHECK_EQ_INT(json_integer_value(json_object_get(j, "level")), 2);
	CHECK_EQ_INT(json_integer_value(json_object_get(j, "expires_at")), NOW + 900);
	CHECK_EQ_INT(json_string_length(json_object_get(j, "activation_code")), 23);
	json_decref(j);
	CHECK(strstr(r.head, "no-store") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT level FROM accounts"), 2);
	free(b);
	free(c);
	app_down(&a);
}

TEST(refusals_422)
{
	struct app a;
	char *c;

	CHECK(app_up(&a) == 0);
	CHECK((c = chip(&a, AN)) != NULL);
	if (c != NULL) {
		c[strlen(c) - 5] = c[strlen(c) - 5] == 'A' ? 'B' : 'A';
		expect(t_failed, &a, c, a.token, 422, "card_invalid");
	}
	free(c);
	expect(t_failed, &a, "not.a.jws", a.token, 422, "card_invalid");
	CHECK((c = chip(&a, BINH)) != NULL);
	expect(t_failed, &a, c, a.token, 422, "deceased");
	free(c);
	CHECK((c = chip(&a, CUONG)) != NULL);
	expect(t_failed, &a, c, a.token, 422, "card_expired");
	free(c);
	CHECK((c = chip(&a, AN)) != NULL);
	CHECK_EQ_INT(fixture_exec(&a.f, "INSERT INTO registry_superseded_cards "
	    "(card_number, personal_id, superseded_at) VALUES ('" AN "', '" AN
	    "', 1)"), 0);
	expect(t_failed, &a, c, a.token, 422, "card_superseded");
	free(c);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM accounts"), 0);
	app_down(&a);
}

TEST(officer_token_401)
{
	struct app a;
	struct resp r;
	char *c, bad[OFFICER_TOKEN_SIZE];

	CHECK(app_up(&a) == 0);
	CHECK((c = chip(&a, AN)) != NULL);
	expect(t_failed, &a, c, NULL, 401, "invalid_token");
	snprintf(bad, sizeof(bad), "%s", a.token);
	bad[30] = bad[30] == 'x' ? 'y' : 'x';
	expect(t_failed, &a, c, bad, 401, "invalid_token");
	expect(t_failed, &a, c, a.officer, 401, "invalid_token");
	/* 401 comes before any look at the body. */
	CHECK(post(&a, "{}", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(strstr(r.head, "WWW-Authenticate: Bearer") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(officers_revoke(a.f.db, a.officer, NOW), DB_OK);
	expect(t_failed, &a, c, a.token, 401, "invalid_token");
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM accounts"), 0);
	free(c);
	app_down(&a);
}

TEST(fields_named_400)
{
	struct app a;
	struct resp r;
	char *c, *b;

	CHECK(app_up(&a) == 0);
	CHECK((c = chip(&a, AN)) != NULL);
	CHECK(post(&a, "{\"chip_record\":\"x\"}", a.token, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "biometric_digest is required") != NULL);
	resp_free(&r);
	CHECK(post(&a, "{\"chip_record\":1,\"biometric_digest\":\"\",\"phone\":\"\"}",
	    a.token, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "chip_record must be a string") != NULL);
	resp_free(&r);
	CHECK((b = body(c, "ABCD", "0912345678")) != NULL);
	CHECK(post(&a, b, a.token, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "biometric_digest must be 64") != NULL);
	resp_free(&r);
	free(b);
	CHECK((b = body(c, DIGEST, "12345")) != NULL);
	CHECK(post(&a, b, a.token, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "invalid_phone") != NULL);
	resp_free(&r);
	free(b);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM accounts"), 0);
	free(c);
	app_down(&a);
}

T_MAIN(T(enrolls_with_201), T(refusals_422), T(officer_token_401),
    T(fields_named_400))
