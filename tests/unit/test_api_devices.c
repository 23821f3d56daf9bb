/*
 * test_api_devices: the devices JSON API in process, on a real HTTP server
 * over a fixture database with a test clock: binding with an activation
 * code (fields, wrong and reused codes, bad keys, the limit), the device
 * signature over the request target as sent (query included), listing,
 * a code asked by a device for a second one, and revocation taking effect
 * at the revoked device's next request.
 */
#include "t.h"
#include "fixture.h"
#include "rawhttp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api_devices.h"
#include "b64.h"
#include "clock.h"
#include "enroll.h"
#include "routes.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ACC "acc-an"

struct app {
	struct fixture f;
	struct clock *clock;
	struct routes_ctx ctx;
	struct http_server *srv;
	uint16_t port;
};

struct key {
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	char pk64[48];
	char id[DEV_ID_SIZE];
	unsigned n;		/* requests signed, for fresh nonces */
};

static int
app_up(struct app *a, unsigned limit)
{
	struct http_opts o;
	size_t n;
	char err[256];

	memset(a, 0, sizeof(*a));
	if (fixture_open(&a->f, "test_api_devices") != 0 ||
	    fixture_import(&a->f, ROW, NOW - 86400) != 1 ||
	    fixture_exec(&a->f, "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES ('" ACC "', '"
	    PID "', 2, '+84912345678', '', 'active', 0)") != 0)
		return -1;
	a->clock = clock_new_test(NOW);
	a->ctx = (struct routes_ctx){ .db = a->f.db, .seal = a->f.seal,
	    .clock = a->clock, .issuer = "http://127.0.0.1", .device_limit = limit };
	if (a->clock == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &a->ctx;
	o.routes = api_devices_routes(&n);
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

static void
new_key(struct key *k)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];

	memset(k, 0, sizeof(*k));
	crypto_sign_keypair(pk, k->sk);
	(void)b64_encode(k->pk64, sizeof(k->pk64), pk, sizeof(pk));
}

/* A desk's activation code for the account into code. */
static int
desk_code(struct app *a, char code[ENROLL_CODE_SIZE])
{
	struct db_conn *c = db_acquire(a->f.db);
	int64_t exp;
	int rc = c != NULL ? enroll_code_issue(c, ACC, "officer-1", NOW, code, &exp) : -1;

	db_release(a->f.db, c);
	return rc;
}

/*
 * METHOD target with body (NULL: none), signed by k over `signed_target`
 * (NULL: the target) when k is set; the answer into *r.
 */
static int
req(struct app *a, const char *method, const char *target, const char *body,
    struct key *k, const char *signed_target, struct resp *r)
{
	char auth[512] = "", tss[24], nonce[40], sig64[96], *msg;
	uint8_t sig[crypto_sign_BYTES];
	size_t len = body != NULL ? strlen(body) : 0;
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (k != NULL) {
		snprintf(tss, sizeof(tss), "%lld", (long long)clock_now(a->clock));
		snprintf(nonce, sizeof(nonce), "nonce-%u-abcdefghijkl", k->n++);
		msg = devices_signing_input(method, signed_target != NULL ?
		    signed_target : target, body, len, tss, nonce);
		crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
		    strlen(msg), k->sk);
		free(msg);
		(void)b64_encode(sig64, sizeof(sig64), sig, sizeof(sig));
		snprintf(auth, sizeof(auth), "Authorization: Device id=\"%s\", "
		    "ts=\"%s\", nonce=\"%s\", sig=\"%s\"\r\n", k->id, tss, nonce, sig64);
	}
	if (conn_open(&c, a->port) != 0)
		return -1;
	rc = sendf(&c, "%s %s HTTP/1.1\r\nHost: t\r\n%s%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", method, target, auth, body != NULL ?
	    "Content-Type: application/json\r\n" : "", len, body != NULL ? body : "");
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

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

static bool
has(const struct resp *r, const char *s)
{
	return r->body != NULL && strstr(r->body, s) != NULL;
}

/* POST /v1/devices with code and k's key: the status; k->id set on 201. */
static int
bind(struct app *a, const char *code, struct key *k)
{
	char body[256];
	struct resp r;
	int status;

	snprintf(body, sizeof(body), "{\"activation_code\":\"%s\",\"public_key\":"
	    "\"%s\",\"name\":\"Pixel 8\"}", code, k->pk64);
	if (req(a, "POST", "/v1/devices", body, NULL, NULL, &r) != 0)
		return -1;
	status = r.status;
	if (status == 201)
		jstr(&r, "device_id", k->id, sizeof(k->id));
	resp_free(&r);
	return status;
}

TEST(bind_fields_codes_keys)
{
	char code[ENROLL_CODE_SIZE], body[256];
	struct app a;
	struct resp r;
	struct key k;

	CHECK(app_up(&a, 3) == 0);
	CHECK_EQ_INT(desk_code(&a, code), DB_OK);
	new_key(&k);
	CHECK(req(&a, "POST", "/v1/devices", "{\"activation_code\":\"x\"}", NULL,
	    NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(has(&r, "public_key is required"));
	resp_free(&r);
	CHECK_EQ_INT(bind(&a, "AAAAA-AAAAA-AAAAA-AAAAA", &k), 400);
	snprintf(body, sizeof(body), "{\"activation_code\":\"%s\",\"public_key\":"
	    "\"abc\",\"name\":\"x\"}", code);
	CHECK(req(&a, "POST", "/v1/devices", body, NULL, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(has(&r, "invalid_key"));
	resp_free(&r);
	/* The refusals left the code unused. */
	snprintf(body, sizeof(body), "{\"activation_code\":\"%s\",\"public_key\":"
	    "\"%s\",\"name\":\"Pixel 8\"}", code, k.pk64);
	CHECK(req(&a, "POST", "/v1/devices", body, NULL, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 201);
	CHECK(has(&r, "\"account_level\":2"));
	jstr(&r, "device_id", k.id, sizeof(k.id));
	CHECK_EQ_INT(strlen(k.id), 43);
	resp_free(&r);
	/* Single use. */
	new_key(&k);
	CHECK_EQ_INT(bind(&a, code, &k), 400);
	app_down(&a);
}

TEST(signed_list_and_target)
{
	char code[ENROLL_CODE_SIZE], h[256];
	struct app a;
	struct resp r;
	struct key k;

	CHECK(app_up(&a, 3) == 0);
	CHECK_EQ_INT(desk_code(&a, code), DB_OK);
	new_key(&k);
	CHECK_EQ_INT(bind(&a, code, &k), 201);
	CHECK(req(&a, "GET", "/v1/devices", NULL, NULL, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(has(&r, "invalid_device"));
	CHECK(header(&r, "WWW-Authenticate", h, sizeof(h)) != NULL &&
	    strncmp(h, "Device", 6) == 0);
	resp_free(&r);
	CHECK(clock_advance(a.clock, 30) == 0);
	CHECK(req(&a, "GET", "/v1/devices", NULL, &k, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(has(&r, "\"this_device\":true"));
	CHECK(has(&r, "\"name\":\"Pixel 8\""));
	CHECK(has(&r, "\"last_used_at\":1800000030"));
	resp_free(&r);
	/* The query is signed as sent, encoding and all. */
	CHECK(req(&a, "GET", "/v1/devices?x=%41", NULL, &k, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	CHECK(req(&a, "GET", "/v1/devices?x=%41", NULL, &k, "/v1/devices?x=A", &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	CHECK(req(&a, "GET", "/v1/devices?x=1", NULL, &k, "/v1/devices", &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	app_down(&a);
}

TEST(second_device_revokes_first)
{
	char code[ENROLL_CODE_SIZE], code2[ENROLL_CODE_SIZE], path[128];
	struct app a;
	struct resp r;
	struct key k1, k2;

	CHECK(app_up(&a, 3) == 0);
	CHECK_EQ_INT(desk_code(&a, code), DB_OK);
	new_key(&k1);
	new_key(&k2);
	CHECK_EQ_INT(bind(&a, code, &k1), 201);
	CHECK(req(&a, "POST", "/v1/devices/codes", NULL, &k1, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 201);
	CHECK(has(&r, "\"expires_at\":"));
	jstr(&r, "activation_code", code2, sizeof(code2));
	resp_free(&r);
	CHECK_EQ_INT(bind(&a, code2, &k2), 201);
	CHECK(strcmp(k1.id, k2.id) != 0);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM activation_codes "
	    "WHERE issued_by LIKE 'device:%'"), 1);
	/* Unknown ids are 404, after the signature. */
	CHECK(req(&a, "DELETE", "/v1/devices/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    NULL, &k2, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/devices/%s/revoke", k1.id);
	CHECK(req(&a, "POST", path, NULL, &k2, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(has(&r, "\"status\":\"revoked\""));
	resp_free(&r);
	/* The first device's next request fails, saying why. */
	CHECK(req(&a, "GET", "/v1/devices", NULL, &k1, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(has(&r, "revoked"));
	resp_free(&r);
	CHECK(req(&a, "GET", "/v1/devices", NULL, &k2, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(!has(&r, k1.id));
	resp_free(&r);
	/* A device may revoke itself, with DELETE too. */
	snprintf(path, sizeof(path), "/v1/devices/%s", k2.id);
	CHECK(req(&a, "DELETE", path, NULL, &k2, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	CHECK(req(&a, "GET", "/v1/devices", NULL, &k2, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	app_down(&a);
}

TEST(device_limit)
{
	char code[ENROLL_CODE_SIZE], path[128];
	struct app a;
	struct resp r;
	struct key k1, k2;

	CHECK(app_up(&a, 1) == 0);
	new_key(&k1);
	new_key(&k2);
	CHECK_EQ_INT(desk_code(&a, code), DB_OK);
	CHECK_EQ_INT(bind(&a, code, &k1), 201);
	CHECK_EQ_INT(desk_code(&a, code), DB_OK);
	CHECK(req(&a, "POST", "/v1/devices", "{}", NULL, NULL, &r) == 0);
	resp_free(&r);
	CHECK_EQ_INT(bind(&a, code, &k2), 409);
	/* The refused code still works once a place is free. */
	snprintf(path, sizeof(path), "/v1/devices/%s/revoke", k1.id);
	CHECK(req(&a, "POST", path, NULL, &k1, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	CHECK_EQ_INT(bind(&a, code, &k2), 201);
	app_down(&a);
}

T_MAIN(T(bind_fields_codes_keys), T(signed_list_and_target),
    T(second_device_revokes_first), T(device_limit))
