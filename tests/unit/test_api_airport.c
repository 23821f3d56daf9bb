/*
 * test_api_airport: POST /v1/airport/verify in process over a fixture
 * database with a test clock and a real issued credential: client
 * authentication (401, 403), malformed bodies, acceptance and replay, each
 * other reason from a real scenario (altered credential, another device's
 * key, a level-1 credential under dinhdanh's key, an expired credential
 * after moving the clock, a stale iat, revocation, lock, death), and the
 * same presentation sent 50 times in parallel (one 200, 49 replayed).
 */
#include "t.h"
#include "fixture.h"
#include "presfix.h"
#include "rawhttp.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "api_airport.h"
#include "clients.h"
#include "clock.h"
#include "credentials.h"
#include "keys.h"
#include "presentation.h"
#include "registry.h"
#include "routes.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define PARALLEL 50

struct app {
	struct fixture f;
	struct clock *clock;
	struct routes_ctx ctx;
	struct http_server *srv;
	uint16_t port;
	struct jws_key *dev;
	struct device d;
	char *cred;
	char airport[160], portal[160];	/* Basic credentials, base64 */
};

/* A client of `kind`; its "id:secret" in base64 into out[160]. */
static int
add_client(struct app *a, enum client_kind kind, char out[160])
{
	static const char *const uris[] = { "https://portal.example/cb" };
	struct client_new cn = { .name = "S\xc3\xa2n bay T\xc3\xa2n S\xc6\xa1n Nh\xe1\xba\xa5t",
	    .kind = kind, .redirect_uris = uris, .nredirect = 1 };
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], why[200], pair[160];

	if (clients_add(a->f.db, a->f.seal, &cn, NOW, id, secret, why, sizeof(why)) != 0)
		return -1;
	snprintf(pair, sizeof(pair), "%s:%s", id, secret);
	sodium_bin2base64(out, 160, (const unsigned char *)pair, strlen(pair),
	    sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static int
server_up(struct app *a)
{
	struct http_opts o;
	char err[256];
	size_t n;

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 4;
	o.body_limit = 65536;
	o.conn_timeout = 10;
	o.per_ip_limit = 0;
	o.ctx = &a->ctx;
	o.routes = api_airport_routes(&n);
	o.nroutes = n;
	if (http_start(&o, &a->srv, err, sizeof(err)) != 0)
		return -1;
	a->port = http_port(a->srv);
	return 0;
}

static int
app_up(struct app *a)
{
	struct keyring *ring;
	int64_t exp;
	int rc;

	memset(a, 0, sizeof(*a));
	if (fixture_open(&a->f, "test_api_airport") != 0 ||
	    (a->clock = clock_new_test(NOW)) == NULL ||
	    (a->dev = presfix_key("dev")) == NULL ||
	    presfix_citizen(&a->f, ROW, PID, a->dev, NOW, &a->d) != 0 ||
	    add_client(a, CLIENT_AIRPORT, a->airport) != 0 ||
	    add_client(a, CLIENT_PORTAL, a->portal) != 0)
		return -1;
	a->ctx = (struct routes_ctx){ .db = a->f.db, .seal = a->f.seal,
	    .clock = a->clock, .issuer = "http://127.0.0.1" };
	if (keys_cache_new(a->f.db, a->f.seal, a->clock, CRED_KEYS_PURPOSE,
	    &a->ctx.cred_keys) != 0)
		return -1;
	ring = keys_cache_ring(a->ctx.cred_keys);
	rc = credentials_issue(a->f.db, keyring_signing_key(ring, JWS_EDDSA),
	    "http://127.0.0.1", &a->d, NOW, &a->cred, &exp);
	keyring_release(ring);
	return rc != 0 ? -1 : server_up(a);
}

static void
app_down(struct app *a)
{
	http_stop(a->srv);
	keys_cache_free(a->ctx.cred_keys);
	free(a->cred);
	jws_key_free(a->dev);
	clock_free(a->clock);
	fixture_close(&a->f);
}

/* POST body with Basic `basic` (or none); the status, the reason or result. */
static int
post(const struct app *a, const char *basic, const char *body, char *what,
    size_t wsz)
{
	struct conn c;
	struct resp r;
	char auth[256] = "";
	json_t *j;
	int st = -1;

	snprintf(what, wsz, "-");
	if (basic != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", basic);
	memset(&r, 0, sizeof(r));
	if (conn_open(&c, a->port) != 0)
		return -1;
	if (sendf(&c, "POST /v1/airport/verify HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: application/json\r\n%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", auth, strlen(body), body) == 0 &&
	    read_response(&c, &r, false) == 0) {
		st = r.status;
		if ((j = json_loadb(r.body, r.body_len, 0, NULL)) != NULL) {
			snprintf(what, wsz, "%s", json_string_value(json_object_get(j,
			    json_object_get(j, "reason") ? "reason" : st == 200 ?
			    "result" : "error")));
			json_decref(j);
		}
	}
	resp_free(&r);
	conn_close(&c);
	return st;
}

/* Sends presentation p (freed) as the airport; the status, reason in what. */
static int
send_pres(const struct app *a, char *p, char *what, size_t wsz)
{
	json_t *b = json_pack("{s:s}", "presentation", p != NULL ? p : "");
	char *text = json_dumps(b, JSON_COMPACT);
	int st = post(a, a->airport, text, what, wsz);

	free(text);
	json_decref(b);
	free(p);
	return st;
}

static char *
fresh(const struct app *a, const char *jti)
{
	return presfix_present(a->dev, a->cred, clock_now(a->clock), jti, PRES_TYP);
}

TEST(client_auth)
{
	struct app a;
	char w[64];

	CHECK(app_up(&a) == 0);
	CHECK_EQ_INT(post(&a, NULL, "{}", w, sizeof(w)), 401);
	CHECK_EQ_INT(post(&a, "bm9ib2R5Om5vdGhpbmc=", "{}", w, sizeof(w)), 401);
	CHECK_STR(w, "invalid_client");
	CHECK_EQ_INT(post(&a, a.portal, "{}", w, sizeof(w)), 403);
	CHECK_STR(w, "unauthorized_client");
	app_down(&a);
}

TEST(malformed_and_accepted)
{
	struct app a;
	char w[64];

	CHECK(app_up(&a) == 0);
	CHECK_EQ_INT(post(&a, a.airport, "not json", w, sizeof(w)), 422);
	CHECK_STR(w, "malformed");
	CHECK_EQ_INT(post(&a, a.airport, "{\"presentation\": 5}", w, sizeof(w)), 422);
	CHECK_STR(w, "malformed");
	CHECK_EQ_INT(post(&a, a.airport, "[]", w, sizeof(w)), 422);
	CHECK_EQ_INT(send_pres(&a, strdup("a.b.c"), w, sizeof(w)), 422);
	CHECK_STR(w, "malformed");
	CHECK_EQ_INT(send_pres(&a, fresh(&a, "p1"), w, sizeof(w)), 200);
	CHECK_STR(w, "accepted");
	CHECK_EQ_INT(send_pres(&a, fresh(&a, "p1"), w, sizeof(w)), 422);
	CHECK_STR(w, "replayed");
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM disclosures"), 1);
	app_down(&a);
}

TEST(signature_and_level)
{
	struct app a;
	struct keyring *ring;
	struct jws_key *other = presfix_key("dev");
	char w[64], *cred;

	CHECK(app_up(&a) == 0);
	/* The credential altered; the presentation signed by another key. */
	cred = presfix_alter(a.cred, "\"lvl\":2", "\"lvl\":3");
	CHECK_EQ_INT(send_pres(&a, presfix_present(a.dev, cred, NOW, "p1", PRES_TYP),
	    w, sizeof(w)), 422);
	CHECK_STR(w, "signature_invalid");
	free(cred);
	CHECK_EQ_INT(send_pres(&a, presfix_present(other, a.cred, NOW, "p2", PRES_TYP),
	    w, sizeof(w)), 422);
	CHECK_STR(w, "signature_invalid");
	/* Level 1 under a forger's key, then under dinhdanh's own. */
	cred = presfix_cred(other, a.dev, 1, NOW + 3600, "c1", PID);
	CHECK_EQ_INT(send_pres(&a, presfix_present(a.dev, cred, NOW, "p3", PRES_TYP),
	    w, sizeof(w)), 422);
	CHECK_STR(w, "signature_invalid");
	free(cred);
	ring = keys_cache_ring(a.ctx.cred_keys);
	cred = presfix_cred(keyring_signing_key(ring, JWS_EDDSA), a.dev, 1,
	    NOW + 3600, "c2", PID);
	keyring_release(ring);
	CHECK_EQ_INT(send_pres(&a, presfix_present(a.dev, cred, NOW, "p4", PRES_TYP),
	    w, sizeof(w)), 422);
	CHECK_STR(w, "level_too_low");
	free(cred);
	jws_key_free(other);
	app_down(&a);
}

TEST(expired)
{
	struct app a;
	char w[64];

	CHECK(app_up(&a) == 0);
	CHECK_EQ_INT(send_pres(&a, presfix_present(a.dev, a.cred, NOW - 61, "p1",
	    PRES_TYP), w, sizeof(w)), 422);
	CHECK_STR(w, "expired");
	CHECK(clock_advance(a.clock, CRED_TTL + 1) == 0);
	CHECK_EQ_INT(send_pres(&a, fresh(&a, "p2"), w, sizeof(w)), 422);
	CHECK_STR(w, "expired");
	app_down(&a);
}

static int
change(struct app *a, int what)
{
	struct db_conn *c = db_acquire(a->f.db);
	int rc = -1;

	if (c == NULL || db_begin(c) != DB_OK) {
		db_release(a->f.db, c);
		return -1;
	}
	if (what == 0)
		rc = credentials_revoke_device(c, a->f.seal, a->d.device_id, NOW);
	else if (what == 1)
		rc = accounts_set_status(c, a->d.account_id, "locked", "self", NOW);
	else
		rc = registry_set_deceased(c, PID, "2027-01-01", NOW);
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
	db_release(a->f.db, c);
	return rc;
}

TEST(live)
{
	static const char *const want[] = { "revoked", "account_locked", "deceased" };
	struct app a;
	char w[64], jti[8];

	CHECK(app_up(&a) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK(change(&a, i) == 0);
		snprintf(jti, sizeof(jti), "p%d", i);
		CHECK_EQ_INT(send_pres(&a, fresh(&a, jti), w, sizeof(w)), 422);
		CHECK_STR(w, want[i]);
	}
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM disclosures"), 0);
	app_down(&a);
}

struct shot {
	const struct app *a;
	const char *pres;
	int status;
	char what[64];
};

static void *
shoot(void *arg)
{
	struct shot *s = arg;

	s->status = send_pres(s->a, strdup(s->pres), s->what, sizeof(s->what));
	return NULL;
}

TEST(parallel_once)
{
	static struct shot s[PARALLEL];
	pthread_t th[PARALLEL];
	struct app a;
	char *p;
	int ok = 0, replayed = 0;

	CHECK(app_up(&a) == 0);
	p = fresh(&a, "same");
	for (int i = 0; i < PARALLEL; i++) {
		s[i] = (struct shot){ .a = &a, .pres = p };
		CHECK(pthread_create(&th[i], NULL, shoot, &s[i]) == 0);
	}
	for (int i = 0; i < PARALLEL; i++) {
		pthread_join(th[i], NULL);
		ok += s[i].status == 200;
		replayed += s[i].status == 422 && strcmp(s[i].what, "replayed") == 0;
	}
	CHECK_EQ_INT(ok, 1);
	CHECK_EQ_INT(replayed, PARALLEL - 1);
	CHECK_EQ_INT(fixture_count(&a.f, "SELECT count(*) FROM disclosures"), 1);
	free(p);
	app_down(&a);
}

T_MAIN(T(client_auth), T(malformed_and_accepted), T(signature_and_level),
    T(expired), T(live), T(parallel_once))
