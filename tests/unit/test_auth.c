/*
 * test_auth: unit tests for the authentication flows over a fixture
 * registry person with an account registered by SMS: the password target
 * (account hash or decoy), the password step with failures counted, the
 * growing delay and the hard lock, login by SMS code or TOTP with its
 * session, replay and attempt limits, forged steps, self-lock from a
 * session or by password and SMS, unlock, password reset with its decoys
 * and policy, the effect of a death, and the sign-in history. Password
 * verdicts are given directly (struct auth_verdict) instead of hashing.
 */
#include "t.h"
#include "fixture.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "accounts.h"
#include "auth.h"
#include "base.h"
#include "db.h"
#include "lockout.h"
#include "otp.h"
#include "password.h"
#include "sessions.h"
#include "sms.h"
#include "totp.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15, a TOTP step boundary */
#define REG_AT (NOW - 2 * 3600)	/* the registration's code is out of the hourly window */
#define PHONE "0912345678"
#define PHONE_E164 "+84912345678"
#define PHONE_OTHER "0987654321"
#define PASSWORD "correct horse battery staple"
#define NEW_PW "another good passphrase"
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define PID_NOBODY "001090000099"
#define ROW_AN PID_AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH PID_BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"

static const struct auth_verdict RIGHT = { true, NULL };
static const struct auth_verdict WRONG = { false, NULL };
static const struct auth_meta META = { "203.0.113.0", "TestAgent/1.0" };

struct ctx {
	struct fixture f;
	struct auth *a;
	char acc[ACC_ID_SIZE];
};

struct outbox {
	int n;
	char body[200], code[7];
};

static void
grab(int64_t at, const char *phone, const char *body, void *arg)
{
	struct outbox *o = arg;
	const char *p = strstr(body, "cua ban la ");

	UNUSED(at);
	UNUSED(phone);
	o->n++;
	snprintf(o->body, sizeof(o->body), "%s", body);
	o->code[0] = '\0';
	if (p != NULL)
		snprintf(o->code, sizeof(o->code), "%.6s", p + 11);
}

/* The messages to `phone`: their count, and the newest body and code. */
static struct outbox
outbox(struct ctx *x, const char *phone)
{
	struct outbox o;

	memset(&o, 0, sizeof(o));
	if (sms_foreach(x->f.db, phone, grab, &o) != DB_OK)
		o.n = -1;
	return o;
}

static int
register_an(struct ctx *x)
{
	struct accounts_reg_input in = { PID_AN, "Nguy\xe1\xbb\x85n V\xc4\x83n An",
	    "1990-05-17", PHONE, PASSWORD, NULL };
	char reg[ACC_ID_SIZE], why[200];
	struct outbox o;

	if (accounts_register_start(x->f.db, x->f.seal, &in, REG_AT, reg, why,
	    sizeof(why)) != ACC_OK)
		return -1;
	o = outbox(x, PHONE_E164);
	return accounts_register_confirm(x->f.db, x->f.seal, reg, o.code,
	    REG_AT + 10, x->acc) == ACC_OK ? 0 : -1;
}

static int
open_ctx(struct ctx *x)
{
	struct session_limits lim = { 0, 0 };

	x->a = NULL;
	x->acc[0] = '\0';
	if (otp_init() != 0 || fixture_open(&x->f, "test_auth") != 0 ||
	    fixture_import(&x->f, ROW_AN ROW_BINH, NOW - 86400 * 365) != 2 ||
	    register_an(x) != 0)
		return -1;
	return auth_new(x->f.db, x->f.seal, &lim, &x->a) == 0 ? 0 : -1;
}

static void
close_ctx(struct ctx *x)
{
	auth_free(x->a);
	fixture_close(&x->f);
	otp_done();
}

static int
pw(struct ctx *x, const char *purpose, const char *pid,
    const struct auth_verdict *v, int64_t now, struct auth_step *st)
{
	return auth_password_step(x->a, purpose, pid, v, &META, now, st);
}

static int
finish(struct ctx *x, const char *id, const char *code, int64_t now,
    struct auth_session *s)
{
	return auth_login_finish(x->a, id, code, &META, now, s);
}

static int
get_acc(struct ctx *x, struct account *acc)
{
	struct db_conn *c = db_acquire(x->f.db);
	int rc;

	if (c == NULL)
		return -100;
	rc = accounts_get(c, x->acc, acc);
	db_release(x->f.db, c);
	return rc;
}

static int
failures(struct ctx *x)
{
	struct account acc;

	return get_acc(x, &acc) == DB_OK ? acc.failures : -1;
}

static long long
count(struct ctx *x, const char *sql)
{
	return fixture_count(&x->f, sql);
}

static long long
signins_with(struct ctx *x, const char *outcome, const char *method)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM signins WHERE "
	    "outcome = '%s' AND method = '%s'", outcome, method);
	return count(x, sql);
}

static void
wrong_of(const char *code, char out[7])
{
	snprintf(out, 7, "%s", code);
	out[0] = out[0] == '9' ? '0' : (char)(out[0] + 1);
}

/* A full SMS login at `now`: DB_OK with the session in *s. */
static int
login(struct ctx *x, int64_t now, struct auth_session *s)
{
	struct auth_step st;
	struct outbox o;
	int rc;

	if ((rc = pw(x, "login", PID_AN, &RIGHT, now, &st)) != DB_OK)
		return rc;
	o = outbox(x, PHONE_E164);
	return finish(x, st.id, o.code, now + 5, s);
}

/* Sets failures and the time of the last one directly. */
static int
set_failures(struct ctx *x, int n, int64_t at)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "UPDATE accounts SET failures = %d, "
	    "last_failure_at = %lld", n, (long long)at);
	return fixture_exec(&x->f, sql);
}

TEST(password_target_is_the_hash_or_a_decoy)
{
	struct ctx x;
	struct account acc;
	char h[crypto_pwhash_STRBYTES], d1[crypto_pwhash_STRBYTES],
	    d2[crypto_pwhash_STRBYTES];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(auth_password_target(x.a, PID_AN, h), DB_OK);
	CHECK_STR(h, acc.password_hash);
	CHECK_EQ_INT(password_verify(h, PASSWORD), 0);
	/* a person without an account, an unknown ID, no ID: the decoy */
	CHECK_EQ_INT(auth_password_target(x.a, PID_BINH, d1), DB_OK);
	CHECK_EQ_INT(auth_password_target(x.a, PID_NOBODY, d2), DB_OK);
	CHECK(strncmp(d1, "$argon2id$", 10) == 0);
	CHECK(strcmp(d1, h) != 0);
	CHECK_STR(d1, d2);
	CHECK(!password_needs_rehash(d1));	/* same cost as a real one */
	CHECK_EQ_INT(password_verify(d1, PASSWORD), -1);
	CHECK_EQ_INT(auth_password_target(x.a, NULL, d2), DB_OK);
	CHECK_STR(d2, d1);
	close_ctx(&x);
}

TEST(login_by_sms_code_makes_a_session)
{
	struct ctx x;
	struct auth_step st, info;
	struct auth_session s;
	struct session sess;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW, &st), DB_OK);
	CHECK_EQ_INT(strlen(st.id), CH_ID_SIZE - 1);
	CHECK_STR(st.factor, "sms");
	CHECK_STR(st.phone_masked, "+84******678");
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(o.n, 2);	/* registration, login */
	CHECK(strstr(o.body, "ma dang nhap cua ban la ") != NULL);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sms_outbox WHERE "
	    "purpose = 'login'"), 1);

	CHECK_EQ_INT(auth_step_info(x.a, "login", st.id, NOW + 1, &info), DB_OK);
	CHECK_STR(info.factor, "sms");
	CHECK_STR(info.phone_masked, "+84******678");
	CHECK_EQ_INT(auth_step_info(x.a, "reset", st.id, NOW + 1, &info),
	    AUTH_BAD_TX);

	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 20, &s), DB_OK);
	CHECK_EQ_INT(strlen(s.token), SESSION_TOKEN_SIZE - 1);
	CHECK_STR(s.account_id, x.acc);
	CHECK_STR(s.amr, "pwd sms");
	CHECK_STR(s.acr, AUTH_ACR_LOA1);
	CHECK_STR(s.acr, "urn:dinhdanh:loa:1");
	CHECK_EQ_INT(s.auth_time, NOW + 20);
	CHECK_EQ_INT(s.level, 1);

	CHECK_EQ_INT(auth_session_get(x.a, s.token, NOW + 30, &sess), DB_OK);
	CHECK_STR(sess.account_id, x.acc);
	CHECK_STR(sess.amr, "pwd sms");
	CHECK_STR(sess.acr, AUTH_ACR_LOA1);
	CHECK_EQ_INT(sess.auth_time, NOW + 20);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions WHERE "
	    "addr = '203.0.113.0' AND user_agent = 'TestAgent/1.0'"), 1);
	CHECK_EQ_INT(signins_with(&x, "success", "pwd+sms"), 1);

	/* the step is used */
	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 21, &s), AUTH_BAD_TX);
	CHECK_STR(s.token, "");
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 1);

	/* logout */
	CHECK_EQ_INT(auth_session_get(x.a, NULL, NOW + 30, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(auth_logout(x.a, "no-such-token"), DB_OK);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 1);
	CHECK_EQ_INT(auth_session_get(x.a, "AAAA", NOW + 30, &sess), SESS_NOT_FOUND);
	close_ctx(&x);
}

TEST(logout_ends_the_session)
{
	struct ctx x;
	struct auth_session s;
	struct session sess;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(login(&x, NOW, &s), DB_OK);
	CHECK_EQ_INT(auth_logout(x.a, s.token), DB_OK);
	CHECK_EQ_INT(auth_session_get(x.a, s.token, NOW + 30, &sess),
	    SESS_NOT_FOUND);
	close_ctx(&x);
}

TEST(wrong_password_counted_and_recorded)
{
	struct ctx x;
	struct auth_step st;
	struct account acc;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW, &st), AUTH_BAD_CREDENTIALS);
	CHECK_STR(st.id, "");
	CHECK_EQ_INT(st.wait, 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 1, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(acc.failures, 2);
	CHECK_EQ_INT(acc.last_failure_at, NOW + 1);
	CHECK_STR(acc.status, "active");
	CHECK_EQ_INT(signins_with(&x, "wrong_password", "pwd"), 2);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins WHERE "
	    "addr = '203.0.113.0' AND user_agent = 'TestAgent/1.0'"), 2);
	/* no second step, no SMS */
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "purpose = 'login'"), 0);
	CHECK_EQ_INT(outbox(&x, PHONE_E164).n, 1);
	/* unknown person: the same answer, nothing recorded */
	CHECK_EQ_INT(pw(&x, "login", PID_NOBODY, &WRONG, NOW + 2, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(pw(&x, "login", PID_NOBODY, &RIGHT, NOW + 2, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(pw(&x, "login", PID_BINH, &RIGHT, NOW + 2, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(pw(&x, "login", NULL, &RIGHT, NOW + 2, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins"), 2);
	/* a right password clears the count */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 3, &st), DB_OK);
	CHECK_EQ_INT(failures(&x), 0);
	/* bad purposes */
	CHECK_EQ_INT(pw(&x, "reset", PID_AN, &RIGHT, NOW + 4, &st), DB_ERR);
	CHECK_EQ_INT(pw(&x, "registration", PID_AN, &RIGHT, NOW + 4, &st), DB_ERR);
	close_ctx(&x);
}

TEST(delay_after_five_failures)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct outbox o;
	int64_t t5 = NOW + 4, w;

	CHECK(open_ctx(&x) == 0);
	for (int i = 1; i <= 4; i++) {
		CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + i - 1, &st),
		    AUTH_BAD_CREDENTIALS);
		CHECK_EQ_INT(st.wait, 0);
	}
	/* the fifth: still a plain refusal, but the next attempt must wait 30 s */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, t5, &st), AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(st.wait, 30);
	CHECK_EQ_INT(failures(&x), 5);

	/* a right password inside the delay: refused and counted like a wrong one */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, t5 + 29, &st), AUTH_DELAYED);
	CHECK_EQ_INT(st.wait, 60);
	CHECK_STR(st.id, "");
	CHECK_EQ_INT(failures(&x), 6);
	CHECK_EQ_INT(signins_with(&x, "delayed", "pwd"), 1);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "purpose = 'login'"), 0);

	/* after the wait it was told: ok, failures cleared */
	w = st.wait;
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, t5 + 29 + w, &st), DB_OK);
	CHECK_EQ_INT(failures(&x), 0);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(finish(&x, st.id, o.code, t5 + 29 + w + 5, &s), DB_OK);
	close_ctx(&x);
}

TEST(delay_ends_exactly_at_its_boundary)
{
	struct ctx x;
	struct auth_step st;

	CHECK(open_ctx(&x) == 0);
	CHECK(set_failures(&x, 5, NOW) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 29, &st), AUTH_DELAYED);
	CHECK(set_failures(&x, 5, NOW) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 30, &st), DB_OK);
	CHECK(set_failures(&x, 7, NOW + 100) == 0);	/* 120 s */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 219, &st), AUTH_DELAYED);
	CHECK(set_failures(&x, 7, NOW + 100) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 220, &st), DB_OK);
	close_ctx(&x);
}

TEST(failures_counted_during_the_delay)
{
	struct ctx x;
	struct auth_step st;
	struct account acc;

	CHECK(open_ctx(&x) == 0);
	CHECK(set_failures(&x, 5, NOW) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 10, &st), AUTH_DELAYED);
	CHECK_EQ_INT(st.wait, 60);	/* six failures, the last now */
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(acc.failures, 6);
	CHECK_EQ_INT(acc.last_failure_at, NOW + 10);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 11, &st), AUTH_DELAYED);
	CHECK_EQ_INT(st.wait, 120);
	CHECK_EQ_INT(failures(&x), 7);
	CHECK_EQ_INT(signins_with(&x, "delayed", "pwd"), 2);
	/* the delay runs from the last failure */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 11 + 120, &st), DB_OK);
	close_ctx(&x);
}

/*
 * Inside the delay a right password answers exactly as a wrong one: the
 * same error, the same wait, no second step, and both are counted, so a
 * guess made during the delay learns nothing.
 */
TEST(right_and_wrong_password_in_the_delay_answer_alike)
{
	struct ctx x;
	struct auth_step right, wrong;
	int f;

	CHECK(open_ctx(&x) == 0);
	for (f = 5; f <= 12; f++) {
		CHECK(set_failures(&x, f, NOW) == 0);
		CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 7, &right),
		    AUTH_DELAYED);
		CHECK_EQ_INT(failures(&x), f + 1);
		CHECK_EQ_INT(right.wait, lockout_delay(f + 1));
		/* the same state again, then a wrong password: the same answer */
		CHECK(set_failures(&x, f, NOW) == 0);
		CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 7, &wrong),
		    AUTH_DELAYED);
		CHECK_EQ_INT(failures(&x), f + 1);
		CHECK_EQ_INT(wrong.wait, lockout_delay(f + 1));
		CHECK_EQ_INT(right.wait, wrong.wait);
		CHECK_STR(right.id, "");
		CHECK_STR(wrong.id, "");
		CHECK_STR(right.factor, wrong.factor);
	}
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "purpose = 'login'"), 0);
	close_ctx(&x);
}

TEST(hard_lock_at_100_failures)
{
	struct ctx x;
	struct auth_step st;
	struct account acc;

	CHECK(open_ctx(&x) == 0);
	CHECK(set_failures(&x, 98, NOW - 10000) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW, &st), AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(acc.failures, 99);
	CHECK_STR(acc.status, "active");
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 1000, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(acc.failures, 100);
	CHECK_STR(acc.status, "locked");
	CHECK_STR(acc.lock_reason, "failures");
	/* the right password after the delay: locked, recorded, nothing sent */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 1000 + 900, &st),
	    AUTH_LOCKED);
	CHECK_STR(st.id, "");
	CHECK_EQ_INT(signins_with(&x, "locked", "pwd"), 1);
	CHECK_EQ_INT(outbox(&x, PHONE_E164).n, 1);
	CHECK_EQ_INT(failures(&x), 100);	/* not cleared by a refused login */
	/* nor by the lock purpose */
	CHECK_EQ_INT(pw(&x, "lock", PID_AN, &RIGHT, NOW + 1000 + 901, &st),
	    AUTH_LOCKED);
	/* still counted when wrong; the reason stays */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 1000 + 902, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_EQ_INT(acc.failures, 101);
	CHECK_STR(acc.lock_reason, "failures");
	close_ctx(&x);
}

TEST(unlock_by_password_and_sms)
{
	struct ctx x;
	struct auth_step st, lst;
	struct account acc;
	struct auth_session s;
	struct outbox o;
	int64_t t = NOW + 5000;

	CHECK(open_ctx(&x) == 0);
	CHECK(set_failures(&x, 99, NOW - 10000) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW, &st), AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "locked");

	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &WRONG, t, &st), AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &RIGHT, t + 10, &st), AUTH_DELAYED);
	t += 1000;
	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &RIGHT, t, &st), DB_OK);
	CHECK_STR(st.factor, "sms");
	o = outbox(&x, PHONE_E164);
	CHECK(strstr(o.body, "ma xac nhan mo khoa tai khoan cua ban la ") != NULL);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "purpose = 'unlock' AND factor = 'sms'"), 1);
	/* still locked until the code */
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "locked");
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, t + 1, &lst), AUTH_LOCKED);
	/* the unlock step is not a login step, and needs its own purpose */
	CHECK_EQ_INT(finish(&x, st.id, o.code, t + 2, &s), AUTH_BAD_TX);
	CHECK_EQ_INT(auth_action_finish(x.a, "lock", st.id, o.code, t + 2),
	    AUTH_BAD_TX);
	CHECK_EQ_INT(auth_action_finish(x.a, "reset", st.id, o.code, t + 2), DB_ERR);
	{
		char bad[7];

		wrong_of(o.code, bad);
		CHECK_EQ_INT(auth_action_finish(x.a, "unlock", st.id, bad, t + 3),
		    AUTH_BAD_CODE);
	}
	CHECK_EQ_INT(auth_action_finish(x.a, "unlock", st.id, o.code, t + 4), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "active");
	CHECK_STR(acc.lock_reason, "");
	CHECK_EQ_INT(acc.failures, 0);
	CHECK_EQ_INT(auth_action_finish(x.a, "unlock", st.id, o.code, t + 5),
	    AUTH_BAD_TX);
	/* and a login works again */
	CHECK_EQ_INT(login(&x, t + 10, &s), DB_OK);
	close_ctx(&x);
}

TEST(unlock_of_an_active_account_is_harmless)
{
	struct ctx x;
	struct auth_step st;
	struct account acc;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &RIGHT, NOW, &st), DB_OK);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(auth_action_finish(x.a, "unlock", st.id, o.code, NOW + 1),
	    DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "active");
	close_ctx(&x);
}

static int
enrol_totp(struct ctx *x, int64_t t, uint8_t raw[OTP_TOTP_SECRET_LEN])
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char b32[TOTP_B32_SIZE], uri[TOTP_URI_SIZE], code[7];
	struct db_conn *c = db_acquire(x->f.db);
	uint32_t acc = 0;
	int bits = 0, rc;
	size_t n = 0;

	if (c == NULL)
		return -100;
	rc = totp_begin(c, x->f.seal, x->acc, "dinhdanh", PID_AN, b32, uri);
	for (const char *p = b32; rc == DB_OK && *p != '\0'; p++) {
		acc = (acc << 5) | (uint32_t)(strchr(alpha, *p) - alpha);
		if ((bits += 5) >= 8 && n < OTP_TOTP_SECRET_LEN) {
			raw[n++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (rc == DB_OK && (n != OTP_TOTP_SECRET_LEN ||
	    otp_totp_code(raw, OTP_TOTP_SECRET_LEN, t, code) != 0))
		rc = -101;
	if (rc == DB_OK)
		rc = totp_confirm(c, x->f.seal, x->acc, code, t);
	db_release(x->f.db, c);
	return rc;
}

static const char *
totp_at(const uint8_t raw[OTP_TOTP_SECRET_LEN], int64_t t, char out[7])
{
	if (otp_totp_code(raw, OTP_TOTP_SECRET_LEN, t, out) != 0)
		out[0] = '\0';
	return out;
}

TEST(login_by_totp_and_no_replay)
{
	struct ctx x;
	uint8_t raw[OTP_TOTP_SECRET_LEN];
	struct auth_step st, info;
	struct auth_session s;
	struct session sess;
	char code[7], bad[7];
	int64_t t = NOW + 15;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(enrol_totp(&x, t, raw), DB_OK);
	t += 60;	/* a step after the confirming one */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, t, &st), DB_OK);
	CHECK_STR(st.factor, "totp");
	CHECK_EQ_INT(outbox(&x, PHONE_E164).n, 1);	/* no SMS */
	CHECK_EQ_INT(auth_step_info(x.a, "login", st.id, t, &info), DB_OK);
	CHECK_STR(info.factor, "totp");
	/* resend: nothing to send for a TOTP step */
	{
		int64_t w;

		CHECK_EQ_INT(auth_resend(x.a, "login", st.id, t + 61, &w),
		    AUTH_BAD_TX);
	}
	totp_at(raw, t, code);
	wrong_of(code, bad);
	CHECK_EQ_INT(finish(&x, st.id, bad, t + 1, &s), AUTH_BAD_CODE);
	CHECK_EQ_INT(signins_with(&x, "wrong_code", "pwd+totp"), 1);
	CHECK_EQ_INT(finish(&x, st.id, code, t + 2, &s), DB_OK);
	CHECK_STR(s.amr, "pwd otp");
	CHECK_STR(s.acr, AUTH_ACR_LOA1);
	CHECK_EQ_INT(auth_session_get(x.a, s.token, t + 3, &sess), DB_OK);
	CHECK_STR(sess.amr, "pwd otp");
	CHECK_EQ_INT(signins_with(&x, "success", "pwd+totp"), 1);

	/* the same code on a new login: refused and counted */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, t + 4, &st), DB_OK);
	CHECK_EQ_INT(finish(&x, st.id, code, t + 5, &s), AUTH_BAD_CODE);
	CHECK_EQ_INT(signins_with(&x, "wrong_code", "pwd+totp"), 2);
	/* the next step's code works */
	CHECK_EQ_INT(finish(&x, st.id, totp_at(raw, t + 30, code), t + 30, &s),
	    DB_OK);
	close_ctx(&x);
}

TEST(five_wrong_codes_end_the_step)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct outbox o;
	char bad[7];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW, &st), DB_OK);
	o = outbox(&x, PHONE_E164);
	wrong_of(o.code, bad);
	for (int i = 0; i < CH_MAX_ATTEMPTS; i++)
		CHECK_EQ_INT(finish(&x, st.id, bad, NOW + 1 + i, &s), AUTH_BAD_CODE);
	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 10, &s), AUTH_TOO_MANY);
	CHECK_STR(s.token, "");
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	CHECK_EQ_INT(signins_with(&x, "wrong_code", "pwd+sms"), 5);
	CHECK_EQ_INT(count(&x, "SELECT attempts FROM challenges WHERE "
	    "purpose = 'login'"), 5);
	/* wrong codes are not password failures */
	CHECK_EQ_INT(failures(&x), 0);
	close_ctx(&x);
}

TEST(forged_used_expired_and_foreign_steps_refused)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct outbox o;
	char forged[CH_ID_SIZE], rid[CH_ID_SIZE];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW, &st), DB_OK);
	o = outbox(&x, PHONE_E164);
	snprintf(forged, sizeof(forged), "%s", st.id);
	forged[5] = forged[5] == 'x' ? 'y' : 'x';
	CHECK_EQ_INT(finish(&x, forged, o.code, NOW + 1, &s), AUTH_BAD_TX);
	CHECK_EQ_INT(finish(&x, "not-a-challenge", o.code, NOW + 1, &s),
	    AUTH_BAD_TX);
	CHECK_EQ_INT(finish(&x, NULL, o.code, NOW + 1, &s), AUTH_BAD_TX);
	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 301, &s), AUTH_EXPIRED);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	/* a reset step does not log in */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE, NOW + 2, rid), DB_OK);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(finish(&x, rid, o.code, NOW + 3, &s), AUTH_BAD_TX);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	close_ctx(&x);
}

TEST(resend_for_a_login_step)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct outbox o;
	int64_t w = -1;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW, &st), DB_OK);
	CHECK_EQ_INT(auth_resend(x.a, "login", st.id, NOW + 20, &w),
	    AUTH_RESEND_WAIT);
	CHECK_EQ_INT(w, 40);
	CHECK_EQ_INT(auth_resend(x.a, "login", st.id, NOW + 60, &w), DB_OK);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(o.n, 3);
	CHECK_EQ_INT(auth_resend(x.a, "lock", st.id, NOW + 200, &w), AUTH_BAD_TX);
	CHECK_EQ_INT(auth_resend(x.a, "login", st.id, NOW + 400, &w), AUTH_EXPIRED);
	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 350, &s), DB_OK);
	close_ctx(&x);
}

TEST(eleventh_code_in_an_hour_rate_limited)
{
	struct ctx x;
	struct auth_step st;

	CHECK(open_ctx(&x) == 0);
	for (int i = 0; i < CH_CODES_PER_HOUR; i++)
		CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + i, &st), DB_OK);
	CHECK(set_failures(&x, 3, NOW) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 100, &st),
	    AUTH_RATE_LIMITED);
	CHECK_STR(st.id, "");
	CHECK_EQ_INT(failures(&x), 3);	/* the step rolled back whole */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 3600, &st), DB_OK);
	close_ctx(&x);
}

TEST(rehash_from_the_verdict_is_stored)
{
	struct ctx x;
	struct auth_step st;
	struct account acc;
	char nh[crypto_pwhash_STRBYTES];
	struct auth_verdict v = { true, NULL };

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(password_hash(PASSWORD, nh), 0);
	v.new_hash = nh;
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &v, NOW, &st), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.password_hash, nh);
	close_ctx(&x);
}

TEST(lock_from_a_session_ends_sessions_and_logins)
{
	struct ctx x;
	struct auth_step st, pending;
	struct auth_session s1, s2;
	struct session sess;
	struct account acc;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(login(&x, NOW, &s1), DB_OK);
	CHECK_EQ_INT(login(&x, NOW + 10, &s2), DB_OK);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 20, &pending), DB_OK);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(auth_lock_self(x.a, x.acc, NOW + 30), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "locked");
	CHECK_STR(acc.lock_reason, "self");
	CHECK_EQ_INT(auth_session_get(x.a, s1.token, NOW + 31, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(auth_session_get(x.a, s2.token, NOW + 31, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	/* the step begun before the lock is revoked */
	CHECK_EQ_INT(finish(&x, pending.id, o.code, NOW + 32, &s1), AUTH_BAD_TX);
	/* the right password: locked */
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 40, &st), AUTH_LOCKED);
	CHECK_EQ_INT(signins_with(&x, "locked", "pwd"), 1);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	close_ctx(&x);
}

TEST(lock_by_password_and_sms)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct session sess;
	struct account acc;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(login(&x, NOW, &s), DB_OK);
	CHECK_EQ_INT(pw(&x, "lock", PID_AN, &RIGHT, NOW + 10, &st), DB_OK);
	CHECK_STR(st.factor, "sms");
	o = outbox(&x, PHONE_E164);
	CHECK(strstr(o.body, "ma xac nhan khoa tai khoan cua ban la ") != NULL);
	CHECK_EQ_INT(auth_action_finish(x.a, "unlock", st.id, o.code, NOW + 11),
	    AUTH_BAD_TX);
	CHECK_EQ_INT(auth_action_finish(x.a, "lock", st.id, o.code, NOW + 12), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "locked");
	CHECK_STR(acc.lock_reason, "self");
	CHECK_EQ_INT(auth_session_get(x.a, s.token, NOW + 13, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 14, &st), AUTH_LOCKED);
	close_ctx(&x);
}

TEST(lock_uses_sms_even_with_totp)
{
	struct ctx x;
	uint8_t raw[OTP_TOTP_SECRET_LEN];
	struct auth_step st;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(enrol_totp(&x, NOW, raw), DB_OK);
	CHECK_EQ_INT(pw(&x, "lock", PID_AN, &RIGHT, NOW + 60, &st), DB_OK);
	CHECK_STR(st.factor, "sms");
	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &RIGHT, NOW + 61, &st), DB_OK);
	CHECK_STR(st.factor, "sms");
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 62, &st), DB_OK);
	CHECK_STR(st.factor, "totp");
	close_ctx(&x);
}

TEST(reset_start_sends_only_on_a_match)
{
	struct ctx x;
	char id[CH_ID_SIZE];
	struct challenge ch;
	struct auth_step info;

	CHECK(open_ctx(&x) == 0);
	/* matching ID and phone (any accepted form) */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, "+84 912 345 678", NOW, id),
	    DB_OK);
	CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
	CHECK_EQ_INT(outbox(&x, PHONE_E164).n, 2);
	CHECK(strstr(outbox(&x, PHONE_E164).body,
	    "ma dat lai mat khau cua ban la ") != NULL);
	CHECK_EQ_INT(auth_step_info(x.a, "reset", id, NOW + 1, &info), DB_OK);
	/* another phone, an ID without account, an unknown ID: same answer, no SMS */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE_OTHER, NOW, id), DB_OK);
	CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
	CHECK_EQ_INT(auth_step_info(x.a, "reset", id, NOW + 1, &info), DB_OK);
	CHECK_EQ_INT(auth_reset_start(x.a, PID_BINH, PHONE, NOW, id), DB_OK);
	CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
	CHECK_EQ_INT(auth_reset_start(x.a, PID_NOBODY, PHONE_OTHER, NOW, id), DB_OK);
	CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sms_outbox"), 2);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "purpose = 'reset' AND subject = ''"), 3);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM code_sends WHERE "
	    "phone = '+84987654321'"), 2);	/* decoys spend the budget */
	/* a phone that is not a mobile number */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, "0212345678", NOW, id),
	    ACC_BAD_PHONE);
	CHECK_STR(id, "");
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, NULL, NOW, id), ACC_BAD_PHONE);
	UNUSED(ch);
	close_ctx(&x);
}

TEST(reset_decoy_never_finishes)
{
	struct ctx x;
	char id[CH_ID_SIZE], nh[crypto_pwhash_STRBYTES];
	struct account before, after;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(get_acc(&x, &before), DB_OK);
	CHECK_EQ_INT(password_hash("another good passphrase", nh), 0);
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE_OTHER, NOW, id), DB_OK);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, "123456", NEW_PW, nh, NOW + 1),
	    AUTH_BAD_CODE);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, "000000", NEW_PW, nh, NOW + 2),
	    AUTH_BAD_CODE);
	CHECK_EQ_INT(get_acc(&x, &after), DB_OK);
	CHECK_STR(after.password_hash, before.password_hash);
	close_ctx(&x);
}

TEST(reset_replaces_password_ends_sessions_lifts_failure_lock)
{
	struct ctx x;
	char id[CH_ID_SIZE], nh[crypto_pwhash_STRBYTES], bad[7];
	struct auth_session s;
	struct session sess;
	struct account acc;
	struct auth_step st;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(login(&x, NOW, &s), DB_OK);
	CHECK(set_failures(&x, 99, NOW + 10) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 10, &st), AUTH_DELAYED);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "locked");
	CHECK_STR(acc.lock_reason, "failures");

	CHECK_EQ_INT(password_hash("another good passphrase", nh), 0);
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE, NOW + 20, id), DB_OK);
	o = outbox(&x, PHONE_E164);
	wrong_of(o.code, bad);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, bad, NEW_PW, nh, NOW + 21), AUTH_BAD_CODE);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, NEW_PW, NULL, NOW + 22), DB_ERR);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, NEW_PW, nh, NOW + 23), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.password_hash, nh);
	CHECK_STR(acc.status, "active");
	CHECK_STR(acc.lock_reason, "");
	CHECK_EQ_INT(acc.failures, 0);
	CHECK_EQ_INT(auth_session_get(x.a, s.token, NOW + 24, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, NEW_PW, nh, NOW + 25), AUTH_BAD_TX);
	/* the new password signs in at once */
	CHECK_EQ_INT(login(&x, NOW + 30, &s), DB_OK);
	close_ctx(&x);
}

TEST(reset_keeps_a_self_lock)
{
	struct ctx x;
	char id[CH_ID_SIZE], nh[crypto_pwhash_STRBYTES];
	struct account acc;
	struct auth_step st;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(auth_lock_self(x.a, x.acc, NOW), DB_OK);
	CHECK_EQ_INT(password_hash("another good passphrase", nh), 0);
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE, NOW + 1, id), DB_OK);
	o = outbox(&x, PHONE_E164);
	CHECK_EQ_INT(o.n, 2);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, NEW_PW, nh, NOW + 2), DB_OK);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.password_hash, nh);
	CHECK_STR(acc.status, "locked");
	CHECK_STR(acc.lock_reason, "self");
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 3, &st), AUTH_LOCKED);
	close_ctx(&x);
}

TEST(reset_personal_rules_only_after_the_code)
{
	struct ctx x;
	char id[CH_ID_SIZE], did[CH_ID_SIZE], nh[crypto_pwhash_STRBYTES], bad[7];
	struct account before, after;
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(get_acc(&x, &before), DB_OK);
	CHECK_EQ_INT(password_hash("vui ve 17/05/1990", nh), 0);
	/* a decoy: the personal password gets the same answer as any other */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE_OTHER, NOW, did), DB_OK);
	CHECK_EQ_INT(auth_reset_finish(x.a, did, "123456", "vui ve 17/05/1990", nh,
	    NOW + 1), AUTH_BAD_CODE);
	/* the real one: a wrong code first, whatever the password */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE_E164);
	snprintf(bad, sizeof(bad), "%s", o.code);
	bad[0] = bad[0] == '9' ? '0' : (char)(bad[0] + 1);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, bad, "vui ve 17/05/1990", nh,
	    NOW + 2), AUTH_BAD_CODE);
	/* the right code: now the person's own birth date is refused ... */
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, "vui ve 17/05/1990", nh,
	    NOW + 3), AUTH_WEAK_PASSWORD);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, "xyz19900517q", nh,
	    NOW + 4), AUTH_WEAK_PASSWORD);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, "ab" PID_AN, nh, NOW + 5),
	    AUTH_WEAK_PASSWORD);
	CHECK_EQ_INT(get_acc(&x, &after), DB_OK);
	CHECK_STR(after.password_hash, before.password_hash);
	/* ... and the code still works for a good one */
	CHECK_EQ_INT(password_hash(NEW_PW, nh), 0);
	CHECK_EQ_INT(auth_reset_finish(x.a, id, o.code, NEW_PW, nh, NOW + 6), DB_OK);
	/* the same passwords are fine for someone else's data */
	CHECK_EQ_INT(password_check("vui ve 17/05/1990", PID_BINH, "1995-11-02",
	    "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh", NULL, 0), PW_OK);
	close_ctx(&x);
}

TEST(death_disables_the_account)
{
	struct ctx x;
	struct auth_step st, pending;
	struct auth_session s;
	struct session sess;
	struct account acc;
	struct outbox o;
	struct db_conn *c;
	char id[CH_ID_SIZE];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(login(&x, NOW, &s), DB_OK);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 10, &pending), DB_OK);
	o = outbox(&x, PHONE_E164);

	c = db_acquire(x.f.db);
	CHECK(c != NULL);
	CHECK_EQ_INT(db_begin(c), DB_OK);
	CHECK_EQ_INT(auth_on_death(c, x.f.seal, PID_AN, NOW + 20), DB_OK);
	CHECK_EQ_INT(auth_on_death(c, x.f.seal, PID_BINH, NOW + 20), DB_OK);	/* no account */
	CHECK_EQ_INT(auth_on_death(c, x.f.seal, PID_NOBODY, NOW + 20), DB_OK);
	CHECK_EQ_INT(db_commit(c), DB_OK);
	db_release(x.f.db, c);

	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "disabled");
	CHECK_EQ_INT(auth_session_get(x.a, s.token, NOW + 21, &sess), SESS_NOT_FOUND);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sessions"), 0);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM challenges WHERE "
	    "consumed_at IS NULL"), 0);
	CHECK_EQ_INT(finish(&x, pending.id, o.code, NOW + 22, &s), AUTH_BAD_TX);

	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 30, &st), AUTH_DISABLED);
	CHECK_EQ_INT(signins_with(&x, "disabled", "pwd"), 1);
	CHECK_EQ_INT(pw(&x, "unlock", PID_AN, &RIGHT, NOW + 31, &st), AUTH_DISABLED);
	/* no reset for the dead: a decoy */
	CHECK_EQ_INT(auth_reset_start(x.a, PID_AN, PHONE, NOW + 40, id), DB_OK);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM sms_outbox"), 3);
	/* wrong passwords never turn disabled into locked */
	CHECK(set_failures(&x, 99, NOW) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW + 5000, &st),
	    AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(get_acc(&x, &acc), DB_OK);
	CHECK_STR(acc.status, "disabled");
	close_ctx(&x);
}

TEST(signin_history_has_every_outcome)
{
	struct ctx x;
	struct auth_step st;
	struct auth_session s;
	struct outbox o;
	char bad[7];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &WRONG, NOW, &st), AUTH_BAD_CREDENTIALS);
	CHECK_EQ_INT(pw(&x, "login", PID_AN, &RIGHT, NOW + 1, &st), DB_OK);
	o = outbox(&x, PHONE_E164);
	wrong_of(o.code, bad);
	CHECK_EQ_INT(finish(&x, st.id, bad, NOW + 2, &s), AUTH_BAD_CODE);
	CHECK_EQ_INT(finish(&x, st.id, o.code, NOW + 3, &s), DB_OK);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins"), 3);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins WHERE at = 1800000000 "
	    "AND outcome = 'wrong_password' AND method = 'pwd'"), 1);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins WHERE at = 1800000002 "
	    "AND outcome = 'wrong_code' AND method = 'pwd+sms'"), 1);
	CHECK_EQ_INT(count(&x, "SELECT COUNT(*) FROM signins WHERE at = 1800000003 "
	    "AND outcome = 'success' AND method = 'pwd+sms'"), 1);
	CHECK_STR(auth_strerror(AUTH_LOCKED), "locked");
	CHECK_STR(auth_strerror(AUTH_BAD_TX), "bad_transaction");
	close_ctx(&x);
}

T_MAIN(
	T(password_target_is_the_hash_or_a_decoy),
	T(login_by_sms_code_makes_a_session),
	T(logout_ends_the_session),
	T(wrong_password_counted_and_recorded),
	T(delay_after_five_failures),
	T(delay_ends_exactly_at_its_boundary),
	T(failures_counted_during_the_delay),
	T(right_and_wrong_password_in_the_delay_answer_alike),
	T(hard_lock_at_100_failures),
	T(unlock_by_password_and_sms),
	T(unlock_of_an_active_account_is_harmless),
	T(login_by_totp_and_no_replay),
	T(five_wrong_codes_end_the_step),
	T(forged_used_expired_and_foreign_steps_refused),
	T(resend_for_a_login_step),
	T(eleventh_code_in_an_hour_rate_limited),
	T(rehash_from_the_verdict_is_stored),
	T(lock_from_a_session_ends_sessions_and_logins),
	T(lock_by_password_and_sms),
	T(lock_uses_sms_even_with_totp),
	T(reset_start_sends_only_on_a_match),
	T(reset_decoy_never_finishes),
	T(reset_replaces_password_ends_sessions_lifts_failure_lock),
	T(reset_keeps_a_self_lock),
	T(reset_personal_rules_only_after_the_code),
	T(death_disables_the_account),
	T(signin_history_has_every_outcome)
)
