/*
 * test_qrlogin: the QR sign-in transaction over a fixture database with a
 * level-2 account (and its device) and a level-1 account: the URI, the
 * 120 s life (moved clock), single use, the binding to the browser's
 * secret (status and finish with another secret learn nothing), deny, the
 * level-2 rule for deciding, and the session it ends in (acr loa:2, amr
 * swk, a sign-in record "swk").
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <string.h>

#include "accounts.h"
#include "b64.h"
#include "auth.h"
#include "db.h"
#include "devices.h"
#include "password.h"
#include "qrlogin.h"
#include "sessions.h"

#define NOW INT64_C(1800000000)
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define ROWS PID_AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n" \
	PID_BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"

static const struct auth_meta META = { "203.0.113.0", "TestAgent/1.0" };

struct ctx {
	struct fixture f;
	struct db_conn *c;
	char l2[ACC_ID_SIZE], l1[ACC_ID_SIZE];	/* level-2 and level-1 accounts */
	char dev[DEV_ID_SIZE];			/* the level-2 account's device */
	char secret[QRL_SECRET_SIZE], other[QRL_SECRET_SIZE];
};

/* A fresh Ed25519 public key, base64url, into out. */
static const char *
new_key(char out[48])
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

	crypto_sign_keypair(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	if (b64_encode(out, 48, pk, sizeof(pk)) == 0)
		out[0] = '\0';
	return out;
}

static int
up(struct ctx *x)
{
	char hash[crypto_pwhash_STRBYTES], key[48];

	memset(x, 0, sizeof(*x));
	if (fixture_open(&x->f, "test_qrlogin") != 0 ||
	    fixture_import(&x->f, ROWS, NOW - 86400) != 2 ||
	    password_hash("a long enough password", hash) != 0 ||
	    (x->c = db_acquire(x->f.db)) == NULL)
		return -1;
	if (accounts_create(x->c, PID_AN, "+84912345678", hash, NOW - 3600,
	    x->l2) != DB_OK ||
	    accounts_set_level2(x->c, x->l2, "+84912345678", NOW - 3600) != DB_OK ||
	    devices_add(x->c, x->f.seal, x->l2, "Test phone", new_key(key), DEV_MAX_DEFAULT,
	    NOW - 3600, x->dev) != DB_OK ||
	    accounts_create(x->c, PID_BINH, "+84987654321", hash, NOW - 3600,
	    x->l1) != DB_OK)
		return -1;
	qrlogin_new_secret(x->secret);
	qrlogin_new_secret(x->other);
	return 0;
}

static void
down(struct ctx *x)
{
	if (x->c != NULL)
		db_release(x->f.db, x->c);
	fixture_close(&x->f);
}

static enum qrlogin_state
state(struct ctx *x, const char *id, const char *secret, int64_t now, int *rc)
{
	enum qrlogin_state st = QRL_ST_EXPIRED;

	*rc = qrlogin_state(x->c, id, secret, now, &st);
	return st;
}

TEST(uri_and_secret)
{
	char uri[QRL_URI_MAX], s[QRL_SECRET_SIZE];

	CHECK_EQ_INT(qrlogin_uri("https://id.example.vn:8443/a b", "TX", uri,
	    sizeof(uri)), 0);
	CHECK_STR(uri, "dinhdanh://login?tx=TX&idp="
	    "https%3A%2F%2Fid.example.vn%3A8443%2Fa%20b");
	CHECK_EQ_INT(qrlogin_uri("http://127.0.0.1", "TX", uri, 20), -1);
	qrlogin_new_secret(s);
	CHECK_EQ_INT(strlen(s), 43);
	CHECK(qrlogin_secret_ok(s));
	CHECK(!qrlogin_secret_ok("short"));
	CHECK(!qrlogin_secret_ok(NULL));
}

TEST(approve_then_finish_once)
{
	struct ctx x;
	struct auth_session s;
	struct qrlogin_info info;
	struct session live;
	char id[QRL_ID_SIZE], req[44];
	int rc;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, id), DB_OK);
	CHECK_EQ_INT(strlen(id), 43);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM qr_logins WHERE "
	    "browser_hash = id OR length(browser_hash) <> 64"), 0);
	CHECK_EQ_INT(state(&x, id, x.secret, NOW, &rc), QRL_ST_PENDING);
	CHECK_EQ_INT(qrlogin_info(x.c, id, NOW + 5, &info), DB_OK);
	CHECK_STR(info.client_id, "");
	CHECK_EQ_INT(info.expires_at, NOW + QRL_TTL);
	/* Too early: nothing to consume, and the transaction stays usable. */
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 5, &s, req),
	    QRL_PENDING);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 1, NOW + 10), DB_OK);
	CHECK_EQ_INT(state(&x, id, x.secret, NOW + 10, &rc), QRL_ST_APPROVED);
	CHECK_EQ_INT(rc, DB_OK);
	/* Decided once: a second decision and the app's look-up are gone. */
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 0, NOW + 11), QRL_GONE);
	CHECK_EQ_INT(qrlogin_info(x.c, id, NOW + 11, &info), QRL_GONE);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 12, &s, req),
	    DB_OK);
	CHECK_STR(s.acr, "urn:dinhdanh:loa:2");
	CHECK_STR(s.amr, "swk");
	CHECK_STR(s.account_id, x.l2);
	CHECK_STR(req, "");
	CHECK_EQ_INT(sessions_get(x.c, s.token, NULL, NOW + 13, &live), DB_OK);
	CHECK_STR(live.acr, "urn:dinhdanh:loa:2");
	CHECK_STR(live.amr, "swk");
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM signins WHERE "
	    "method = 'swk' AND outcome = 'success'"), 1);
	/* Single use. */
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 13, &s, req),
	    QRL_GONE);
	CHECK_EQ_INT(state(&x, id, x.secret, NOW + 13, &rc), QRL_ST_EXPIRED);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sessions"), 1);
	down(&x);
}

TEST(bound_to_the_browser)
{
	struct ctx x;
	struct auth_session s;
	char id[QRL_ID_SIZE], req[44];
	int rc;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, id), DB_OK);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 1, NOW + 1), DB_OK);
	/* Another browser (or none) learns nothing and gets no session. */
	(void)state(&x, id, x.other, NOW + 2, &rc);
	CHECK_EQ_INT(rc, QRL_NOT_FOUND);
	(void)state(&x, id, NULL, NOW + 2, &rc);
	CHECK_EQ_INT(rc, QRL_NOT_FOUND);
	(void)state(&x, "nosuchtransactionnosuchtransactionnosuchtra", x.secret,
	    NOW + 2, &rc);
	CHECK_EQ_INT(rc, QRL_NOT_FOUND);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.other, &META, NOW + 2, &s, req),
	    QRL_NOT_FOUND);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, NULL, &META, NOW + 2, &s, req),
	    QRL_NOT_FOUND);
	CHECK_STR(s.token, "");
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sessions"), 0);
	/* The right browser still can. */
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 3, &s, req),
	    DB_OK);
	down(&x);
}

TEST(lives_120_seconds)
{
	struct ctx x;
	struct auth_session s;
	struct qrlogin_info info;
	char a[QRL_ID_SIZE], b[QRL_ID_SIZE], req[44];
	int rc;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, a), DB_OK);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, b), DB_OK);
	CHECK_EQ_INT(qrlogin_info(x.c, a, NOW + QRL_TTL - 1, &info), DB_OK);
	CHECK_EQ_INT(qrlogin_info(x.c, a, NOW + QRL_TTL, &info), QRL_GONE);
	CHECK_EQ_INT(qrlogin_decide(x.c, a, x.l2, x.dev, 1, NOW + QRL_TTL),
	    QRL_GONE);
	CHECK_EQ_INT(state(&x, a, x.secret, NOW + QRL_TTL, &rc), QRL_ST_EXPIRED);
	/* Approved in time, but finished too late. */
	CHECK_EQ_INT(qrlogin_decide(x.c, b, x.l2, x.dev, 1, NOW + QRL_TTL - 1),
	    DB_OK);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, b, x.secret, &META, NOW + QRL_TTL, &s,
	    req), QRL_GONE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sessions"), 0);
	/* Long-expired rows go when the next one is made. */
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW + 7200, a), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM qr_logins"), 1);
	down(&x);
}

TEST(deny)
{
	struct ctx x;
	struct auth_session s;
	char id[QRL_ID_SIZE], req[44];
	int rc;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, id), DB_OK);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 0, NOW + 1), DB_OK);
	CHECK_EQ_INT(state(&x, id, x.secret, NOW + 2, &rc), QRL_ST_DENIED);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 1, NOW + 2), QRL_GONE);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 3, &s, req),
	    QRL_DENIED);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sessions"), 0);
	down(&x);
}

TEST(only_level_2_decides)
{
	struct ctx x;
	char id[QRL_ID_SIZE], dev1[DEV_ID_SIZE], key[48];
	int rc;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, NULL, NULL, NOW, id), DB_OK);
	/* A device row for a level-1 account, which the product never makes. */
	CHECK_EQ_INT(devices_add(x.c, x.f.seal, x.l1, "Other phone", new_key(key),
	    DEV_MAX_DEFAULT, NOW, dev1), DB_OK);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l1, dev1, 1, NOW + 1), QRL_LEVEL);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l1, dev1, 0, NOW + 1), QRL_LEVEL);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, "no-such-account", dev1, 1, NOW + 1),
	    QRL_LEVEL);
	CHECK_EQ_INT(state(&x, id, x.secret, NOW + 1, &rc), QRL_ST_PENDING);
	/* A locked level-2 account does not decide either. */
	CHECK_EQ_INT(accounts_set_status(x.c, x.l2, "locked", "self", NOW), DB_OK);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 1, NOW + 1), QRL_LEVEL);
	down(&x);
}

TEST(locked_after_approval)
{
	struct ctx x;
	struct auth_session s;
	char id[QRL_ID_SIZE], req[44];

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(qrlogin_create(x.c, x.secret, "portal-1", "REQ", NOW, id),
	    DB_OK);
	CHECK_EQ_INT(qrlogin_decide(x.c, id, x.l2, x.dev, 1, NOW + 1), DB_OK);
	CHECK_EQ_INT(accounts_set_status(x.c, x.l2, "locked", "self", NOW + 2),
	    DB_OK);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 3, &s, req),
	    AUTH_LOCKED);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sessions"), 0);
	CHECK_EQ_INT(accounts_set_status(x.c, x.l2, "active", NULL, NOW + 4), DB_OK);
	CHECK_EQ_INT(qrlogin_finish(x.f.db, id, x.secret, &META, NOW + 5, &s, req),
	    DB_OK);
	CHECK_STR(req, "REQ");
	down(&x);
}

TEST(device_session_needs_level_2)
{
	struct ctx x;
	struct auth_session s;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(auth_device_session(x.c, x.l1, &META, NOW, &s), AUTH_BAD_TX);
	CHECK_STR(s.token, "");
	CHECK_EQ_INT(auth_device_session(x.c, x.l2, &META, NOW, &s), DB_OK);
	CHECK_STR(s.amr, "swk");
	CHECK_EQ_INT(s.level, 2);
	down(&x);
}

T_MAIN(T(uri_and_secret), T(approve_then_finish_once), T(bound_to_the_browser),
    T(lives_120_seconds), T(deny), T(only_level_2_decides),
    T(locked_after_approval), T(device_session_needs_level_2))
