/*
 * test_api_qrlogin: the app's QR sign-in endpoints, in process, signed
 * with a bound device's key: the look-up (the portal's name, the English
 * labels of its request's scope, expires_in), approve and deny, 410 for a
 * decided or expired transaction, 404 for an unknown one, 401 without a
 * signature, 400 for a bad decision, and 403 level_too_low for a device
 * whose account is not level 2.
 */
#include "t.h"
#include "pagesrv.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "b64.h"
#include "clients.h"
#include "clock.h"
#include "devices.h"
#include "oidc.h"
#include "qrlogin.h"

struct app {
	char dev[DEV_ID_SIZE], acc[ACC_ID_SIZE];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	int n;			/* nonces used */
};

/* Binds a new device to PS_PID's account (raised to level 2 when l2). */
static int
bind_app(struct pagesrv *s, struct app *a, bool l2)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	struct browser b = { "", NULL };
	struct account acc;
	struct db_conn *c;
	char key[48];
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (ps_register(s, &b) != 0 || (c = db_acquire(s->f.db)) == NULL)
		return -1;
	crypto_sign_keypair(pk, a->sk);
	if (b64_encode(key, sizeof(key), pk, sizeof(pk)) != 0 &&
	    accounts_get_by_personal_id(c, PS_PID, &acc) == DB_OK &&
	    (!l2 || accounts_set_level2(c, acc.account_id, acc.phone, PS_NOW) ==
	    DB_OK) && devices_add(c, s->f.seal, acc.account_id, "Phone", key,
	    DEV_MAX_DEFAULT, PS_NOW, a->dev) == DB_OK) {
		snprintf(a->acc, sizeof(a->acc), "%s", acc.account_id);
		rc = 0;
	}
	db_release(s->f.db, c);
	return rc;
}

/* A request signed by the app (unsigned when a is NULL). */
static int
call(struct pagesrv *s, struct app *a, const char *method, const char *path,
    const char *body, struct resp *r)
{
	char auth[512] = "", ts[24], nonce[32], sig64[100];
	uint8_t sig[crypto_sign_BYTES];
	size_t len = body != NULL ? strlen(body) : 0;
	struct conn c;
	char *msg;
	int rc;

	memset(r, 0, sizeof(*r));
	if (a != NULL) {
		snprintf(ts, sizeof(ts), "%lld", (long long)clock_now(s->clock));
		snprintf(nonce, sizeof(nonce), "nonce-%08d-abcdef", ++a->n);
		if ((msg = devices_signing_input(method, path, body != NULL ? body :
		    "", len, ts, nonce)) == NULL)
			return -1;
		crypto_sign_detached(sig, NULL, (const uint8_t *)msg, strlen(msg),
		    a->sk);
		free(msg);
		b64_encode(sig64, sizeof(sig64), sig, sizeof(sig));
		snprintf(auth, sizeof(auth), "Authorization: Device id=\"%s\", "
		    "ts=\"%s\", nonce=\"%s\", sig=\"%s\"\r\n", a->dev, ts, nonce, sig64);
	}
	if (conn_open(&c, s->port) != 0)
		return -1;
	rc = sendf(&c, "%s %s HTTP/1.1\r\nHost: t\r\n%s%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", method, path, auth, body != NULL ?
	    "Content-Type: application/json\r\n" : "", len, body != NULL ? body : "");
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

/* A new transaction for a browser, for the portal's request when rq. */
static void
new_tx(struct pagesrv *s, const struct oidc_request *rq, char id[QRL_ID_SIZE])
{
	char secret[QRL_SECRET_SIZE];
	struct db_conn *c = db_acquire(s->f.db);

	id[0] = '\0';
	qrlogin_new_secret(secret);
	if (c != NULL && qrlogin_create(c, secret, rq != NULL ? rq->client_id :
	    NULL, rq != NULL ? rq->id : NULL, clock_now(s->clock), id) != DB_OK)
		id[0] = '\0';
	if (c != NULL)
		db_release(s->f.db, c);
}

static int
status_of(struct pagesrv *s, struct app *a, const char *method,
    const char *tx, const char *body, char *out, size_t outsz)
{
	char path[128];
	struct resp r;
	int st;

	snprintf(path, sizeof(path), "/v1/login/qr/%s", tx);
	if (call(s, a, method, path, body, &r) != 0)
		return -1;
	snprintf(out, outsz, "%s", r.body != NULL ? r.body : "");
	st = r.status;
	resp_free(&r);
	return st;
}

TEST(lookup_and_approve)
{
	struct pagesrv s;
	struct app a;
	struct oidc_request rq;
	char tx[QRL_ID_SIZE], body[1024], id[CLIENT_ID_MAX], secret[64], why[128];
	const char *uris[] = { "https://portal.example.vn/cb" };
	struct client_new cn = { "Cổng Dịch vụ công", CLIENT_PORTAL, uris, 1,
	    NULL, 0, "openid profile personal_id", NULL };

	CHECK_EQ_INT(pagesrv_up(&s, "test_api_qrlogin"), 0);
	CHECK_EQ_INT(bind_app(&s, &a, true), 0);
	CHECK_EQ_INT(clients_add(s.f.db, s.f.seal, &cn, PS_NOW, id, secret, why,
	    sizeof(why)), DB_OK);
	memset(&rq, 0, sizeof(rq));
	snprintf(rq.client_id, sizeof(rq.client_id), "%s", id);
	snprintf(rq.redirect_uri, sizeof(rq.redirect_uri), "%s", uris[0]);
	snprintf(rq.scope, sizeof(rq.scope), "openid profile");
	rq.max_age = -1;
	CHECK_EQ_INT(oidc_request_save(s.f.db, &rq, PS_NOW), DB_OK);
	new_tx(&s, &rq, tx);
	CHECK_EQ_INT(status_of(&s, &a, "GET", tx, NULL, body, sizeof(body)), 200);
	CHECK(strstr(body, "\"client_name\":\"Cổng Dịch vụ công\"") != NULL);
	CHECK(strstr(body, "\"attributes\":[\"Identifier for this service\","
	    "\"Full name\",\"Date of birth\",\"Gender\"]") != NULL);
	CHECK(strstr(body, "\"expires_in\":120") != NULL);
	/* A bad decision: 400. */
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{\"decision\":\"maybe\"}", body,
	    sizeof(body)), 400);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{}", body, sizeof(body)), 400);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{\"decision\":\"approve\"}",
	    body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"approved\"}");
	/* Decided: gone for the look-up and for a second decision. */
	CHECK_EQ_INT(status_of(&s, &a, "GET", tx, NULL, body, sizeof(body)), 410);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{\"decision\":\"deny\"}", body,
	    sizeof(body)), 410);
	CHECK_EQ_INT(status_of(&s, &a, "GET", "nosuchtx", NULL, body,
	    sizeof(body)), 404);
	CHECK(!ps_log_has(&s, tx));
	/* Unsigned: 401. */
	CHECK_EQ_INT(status_of(&s, NULL, "GET", tx, NULL, body, sizeof(body)), 401);
	pagesrv_down(&s);
}

TEST(deny_and_expiry)
{
	struct pagesrv s;
	struct app a;
	char tx[QRL_ID_SIZE], tx2[QRL_ID_SIZE], body[512];

	CHECK_EQ_INT(pagesrv_up(&s, "test_api_qrlogin"), 0);
	CHECK_EQ_INT(bind_app(&s, &a, true), 0);
	new_tx(&s, NULL, tx);
	new_tx(&s, NULL, tx2);
	CHECK_EQ_INT(status_of(&s, &a, "GET", tx, NULL, body, sizeof(body)), 200);
	CHECK(strstr(body, "\"client_name\":\"dinhdanh\"") != NULL);
	CHECK(strstr(body, "\"attributes\":[]") != NULL);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{\"decision\":\"deny\"}", body,
	    sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"denied\"}");
	/* The device signs with the server's time; the transaction is 121 s old. */
	CHECK_EQ_INT(clock_advance(s.clock, QRL_TTL + 1), 0);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx2, "{\"decision\":\"approve\"}",
	    body, sizeof(body)), 410);
	pagesrv_down(&s);
}

TEST(level_1_device_refused)
{
	struct pagesrv s;
	struct app a;
	char tx[QRL_ID_SIZE], body[512];

	CHECK_EQ_INT(pagesrv_up(&s, "test_api_qrlogin"), 0);
	CHECK_EQ_INT(bind_app(&s, &a, false), 0);
	new_tx(&s, NULL, tx);
	CHECK_EQ_INT(status_of(&s, &a, "POST", tx, "{\"decision\":\"approve\"}",
	    body, sizeof(body)), 403);
	CHECK(strstr(body, "level_too_low") != NULL);
	pagesrv_down(&s);
}

T_MAIN(T(lookup_and_approve), T(deny_and_expiry), T(level_1_device_refused))
