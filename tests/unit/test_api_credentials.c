/*
 * test_api_credentials: the credential endpoints in process, on a real
 * HTTP server over a fixture database with a test clock: issuing to a
 * signed level-2 device (the JWS checked with the credential key), the
 * refusals (unsigned, level 1, locked account), the status list as
 * application/jwt signed by a key that /jwks.json publishes beside the
 * ID-token keys, and a revoked device's credential appearing in it at once.
 */
#include "t.h"
#include "fixture.h"
#include "rawhttp.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_credentials.h"
#include "b64.h"
#include "clock.h"
#include "credentials.h"
#include "devices.h"
#include "keys.h"
#include "oidc_http.h"
#include "routes.h"

#define NOW INT64_C(1800000000)
#define ISS "http://127.0.0.1"
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
	struct http_route routes[32];
};

struct key {
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	char pk64[48];
	char id[DEV_ID_SIZE];
	unsigned n;
};

static int
add_key(struct app *a, struct key *k)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	struct db_conn *c = db_acquire(a->f.db);
	int rc;

	memset(k, 0, sizeof(*k));
	crypto_sign_keypair(pk, k->sk);
	(void)b64_encode(k->pk64, sizeof(k->pk64), pk, sizeof(pk));
	rc = c != NULL ? devices_add(c, a->f.seal, ACC, "phone", k->pk64, 3, NOW, k->id) : -1;
	db_release(a->f.db, c);
	return rc;
}

static int
app_up(struct app *a)
{
	const struct http_route *r;
	struct http_opts o;
	size_t n, m;
	char err[256];

	memset(a, 0, sizeof(*a));
	if (fixture_open(&a->f, "test_api_credentials") != 0 ||
	    fixture_import(&a->f, ROW, NOW - 86400) != 1 ||
	    fixture_exec(&a->f, "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES ('" ACC "', '"
	    PID "', 2, '+84912345678', '', 'active', 0)") != 0 ||
	    (a->clock = clock_new_test(NOW)) == NULL)
		return -1;
	a->ctx = (struct routes_ctx){ .db = a->f.db, .seal = a->f.seal,
	    .clock = a->clock, .issuer = ISS };
	if (keys_cache_new(a->f.db, a->f.seal, a->clock, KEYS_ID_TOKEN, &a->ctx.keys) != 0 ||
	    keys_cache_new(a->f.db, a->f.seal, a->clock, CRED_KEYS_PURPOSE,
	    &a->ctx.cred_keys) != 0 || oidc_edge_new(&a->ctx.oidc) != 0)
		return -1;
	r = api_credentials_routes(&n);
	m = http_routes_append(a->routes, 0, 32, r, n);
	r = oidc_http_routes(&n);
	m = http_routes_append(a->routes, m, 32, r, n);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.ctx = &a->ctx;
	o.routes = a->routes;
	o.nroutes = m;
	if (http_start(&o, &a->srv, err, sizeof(err)) != 0)
		return -1;
	a->port = http_port(a->srv);
	return 0;
}

static void
app_down(struct app *a)
{
	http_stop(a->srv);
	keys_cache_free(a->ctx.keys);
	keys_cache_free(a->ctx.cred_keys);
	oidc_edge_free(a->ctx.oidc);
	clock_free(a->clock);
	fixture_close(&a->f);
}

/* METHOD target, signed by k when not NULL; the answer into *r. */
static int
req(struct app *a, const char *method, const char *target, struct key *k,
    struct resp *r)
{
	char auth[512] = "", tss[24], nonce[40], sig64[96], *msg;
	uint8_t sig[crypto_sign_BYTES];
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (k != NULL) {
		snprintf(tss, sizeof(tss), "%lld", (long long)clock_now(a->clock));
		snprintf(nonce, sizeof(nonce), "nonce-%u-abcdefghijkl", k->n++);
		msg = devices_signing_input(method, target, "", 0, tss, nonce);
		crypto_sign_detached(sig, NULL, (const unsigned char *)msg,
		    strlen(msg), k->sk);
		free(msg);
		(void)b64_encode(sig64, sizeof(sig64), sig, sizeof(sig));
		snprintf(auth, sizeof(auth), "Authorization: Device id=\"%s\", "
		    "ts=\"%s\", nonce=\"%s\", sig=\"%s\"\r\n", k->id, tss, nonce, sig64);
	}
	if (conn_open(&c, a->port) != 0)
		return -1;
	rc = sendf(&c, "%s %s HTTP/1.1\r\nHost: t\r\n%sContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", method, target, auth);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

/* The payload of `jws` if a key of /jwks.json's (and of the credential ring) signed it. */
static json_t *
verified(struct app *a, const char *jws, size_t len, const char *typ)
{
	struct keyring *ring = keys_cache_ring(a->ctx.cred_keys);
	const struct jws_key *k;
	struct jws_parsed p;
	json_t *pl = NULL;

	if (jws_parse(jws, len, &p) != 0) {
		keyring_release(ring);
		return NULL;
	}
	k = keyring_find_kid(ring, json_string_value(json_object_get(p.header, "kid")));
	if (k != NULL && jws_verify_parsed(k, &p) == 0 &&
	    strcmp(json_string_value(json_object_get(p.header, "typ")), typ) == 0)
		pl = json_loads(p.payload, 0, NULL);
	jws_parsed_free(&p);
	keyring_release(ring);
	return pl;
}

/* POST /v1/credentials by k: the status; the jti into jti[48] on 201. */
static int
issue(struct app *a, struct key *k, char jti[48])
{
	struct resp r;
	json_t *body, *pl = NULL;
	const char *cred;
	int status;

	jti[0] = '\0';
	if (req(a, "POST", "/v1/credentials", k, &r) != 0)
		return -1;
	status = r.status;
	body = r.body != NULL ? json_loadb(r.body, r.body_len, 0, NULL) : NULL;
	cred = json_string_value(json_object_get(body, "credential"));
	if (status == 201 && cred != NULL &&
	    (pl = verified(a, cred, strlen(cred), CRED_JWS_TYP)) != NULL &&
	    json_integer_value(json_object_get(body, "expires_at")) ==
	    json_integer_value(json_object_get(pl, "exp")))
		snprintf(jti, 48, "%s", json_string_value(json_object_get(pl, "jti")));
	json_decref(pl);
	json_decref(body);
	resp_free(&r);
	return status;
}

TEST(issue_and_refusals)
{
	struct app a;
	struct key k;
	struct resp r;
	char jti[48];

	CHECK(app_up(&a) == 0);
	CHECK_EQ_INT(add_key(&a, &k), DB_OK);
	CHECK(req(&a, "POST", "/v1/credentials", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	CHECK_EQ_INT(issue(&a, &k, jti), 201);
	CHECK(strlen(jti) >= 22);
	CHECK(fixture_exec(&a.f, "UPDATE accounts SET level = 1") == 0);
	CHECK_EQ_INT(issue(&a, &k, jti), 403);
	CHECK(fixture_exec(&a.f, "UPDATE accounts SET level = 2, status = 'locked', "
	    "lock_reason = 'self'") == 0);
	CHECK_EQ_INT(issue(&a, &k, jti), 401);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT COUNT(*) FROM credentials"), 1);
	app_down(&a);
}

/* The status list's payload (verified), or NULL; checks the content type. */
static json_t *
status(struct app *a, int *t_failed)
{
	struct resp r;
	char ct[128];
	json_t *pl = NULL;

	CHECK(req(a, "GET", "/v1/credentials/status", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(header(&r, "Content-Type", ct, sizeof(ct)) != NULL &&
	    strcmp(ct, "application/jwt") == 0);
	if (r.body != NULL)
		pl = verified(a, r.body, r.body_len, CRED_STATUS_TYP);
	CHECK(pl != NULL);
	resp_free(&r);
	return pl;
}

TEST(status_list_and_jwks)
{
	struct app a;
	struct key k1, k2;
	struct resp r;
	char j1[48], j2[48];
	json_t *pl, *jwks;
	struct db_conn *c;
	struct keyring *ring;

	CHECK(app_up(&a) == 0);
	CHECK_EQ_INT(add_key(&a, &k1), DB_OK);
	CHECK_EQ_INT(add_key(&a, &k2), DB_OK);
	CHECK_EQ_INT(issue(&a, &k1, j1), 201);
	CHECK_EQ_INT(issue(&a, &k2, j2), 201);
	pl = status(&a, t_failed);
	CHECK_STR(json_string_value(json_object_get(pl, "iss")), ISS);
	CHECK_EQ_INT(json_integer_value(json_object_get(pl, "iat")), NOW);
	CHECK(json_is_array(json_object_get(pl, "revoked")));
	CHECK_EQ_INT(json_array_size(json_object_get(pl, "revoked")), 0);
	CHECK_EQ_INT(json_object_size(pl), 3);
	json_decref(pl);
	c = db_acquire(a.f.db);
	CHECK_EQ_INT(devices_revoke(c, a.f.seal, ACC, k1.id, NOW), DB_OK);
	db_release(a.f.db, c);
	pl = status(&a, t_failed);
	CHECK_EQ_INT(json_array_size(json_object_get(pl, "revoked")), 1);
	CHECK_STR(json_string_value(json_array_get(json_object_get(pl, "revoked"), 0)), j1);
	json_decref(pl);
	/* One JWK Set: the ID-token keys and the credential key (EdDSA only). */
	CHECK(req(&a, "GET", "/jwks.json", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	jwks = r.body != NULL ? json_loadb(r.body, r.body_len, 0, NULL) : NULL;
	CHECK_EQ_INT(json_array_size(json_object_get(jwks, "keys")), 4);
	ring = keys_cache_ring(a.ctx.cred_keys);
	CHECK(keyring_signing_key(ring, JWS_RS256) == NULL);
	CHECK(r.body != NULL && strstr(r.body, jws_key_kid(keyring_signing_key(ring,
	    JWS_EDDSA))) != NULL);
	keyring_release(ring);
	json_decref(jwks);
	resp_free(&r);
	/* Served again from the same pair of snapshots. */
	CHECK(req(&a, "GET", "/jwks.json", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	app_down(&a);
}

T_MAIN({ "issue_and_refusals", issue_and_refusals },
    { "status_list_and_jwks", status_list_and_jwks })
