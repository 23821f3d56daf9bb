/*
 * test_challenge: unit tests for second-factor challenges: the SMS per
 * purpose with its code, only a keyed hash stored, single use, wrong codes
 * counted up to the limit, expiry at 300 s, purpose and id checks, resend
 * timing with a fresh code and kept failures, the per-phone hourly budget,
 * decoys, revocation, TOTP challenges, and the caller's transaction.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "challenge.h"
#include "db.h"
#include "otp.h"
#include "seal.h"
#include "sms.h"

#define NOW INT64_C(1800000000)
#define PHONE "+84912345678"
#define PHONE2 "+84987654321"
#define SUBJ "account-subject-1"
#define SUBJ2 "account-subject-2"

struct ctx {
	struct fixture f;
	struct db_conn *c;
};

static int
open_ctx(struct ctx *x)
{
	x->c = NULL;
	if (fixture_open(&x->f, "test_challenge") != 0)
		return -1;
	x->c = db_acquire(x->f.db);
	return x->c != NULL ? 0 : -1;
}

static void
close_ctx(struct ctx *x)
{
	if (x->c != NULL)
		db_release(x->f.db, x->c);
	fixture_close(&x->f);
}

static int
create(struct ctx *x, const char *purpose, const char *subject,
    const char *factor, const char *phone, int64_t now, char id[CH_ID_SIZE])
{
	return challenge_create(x->c, x->f.seal, purpose, subject, factor, phone,
	    now, id);
}

static int
check(struct ctx *x, const char *id, const char *purpose, const char *code,
    int64_t now, struct challenge *out)
{
	return challenge_check_code(x->c, x->f.seal, id, purpose, code, now, out);
}

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

/* The newest message to `phone`: its count, body and code. */
static struct outbox
outbox(struct ctx *x, const char *phone)
{
	struct outbox o;

	memset(&o, 0, sizeof(o));
	if (sms_foreach(x->f.db, phone, grab, &o) != DB_OK)
		o.n = -1;
	return o;
}

static long long
sms_rows(struct ctx *x)
{
	return fixture_count(&x->f, "SELECT COUNT(*) FROM sms_outbox");
}

static long long
attempts(struct ctx *x, const char *id)
{
	long long n;
	sqlite3_stmt *st;

	st = db_stmt(x->c, "SELECT attempts FROM challenges WHERE id = ?");
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK)
		return -2;
	n = db_step(st) == 1 ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_reset(st);
	return n;
}

static void
wrong_of(const char *code, char out[7])
{
	snprintf(out, 7, "%s", code);
	out[0] = out[0] == '9' ? '0' : (char)(out[0] + 1);
}

/* Sets the stored hash of challenge `id` to that of `code`, as the module makes it. */
static int
force_code(struct ctx *x, const char *id, const char *code)
{
	uint8_t key[32];
	char hex[OTP_HASH_HEX_LEN + 1];
	sqlite3_stmt *st;

	seal_subkey(x->f.seal, "sms-code", key);
	otp_code_hash(key, code, id, hex);
	st = db_stmt(x->c, "UPDATE challenges SET code_hash = ? WHERE id = ?");
	if (st == NULL || db_bind_text(st, 1, hex) != DB_OK ||
	    db_bind_text(st, 2, id) != DB_OK)
		return -1;
	return db_step(st);
}

TEST(sms_sent_with_the_text_of_each_purpose)
{
	static const struct { const char *purpose, *what; } cases[] = {
		{ "registration", "ma dang ky tai khoan" },
		{ "login", "ma dang nhap" },
		{ "lock", "ma xac nhan khoa tai khoan" },
		{ "unlock", "ma xac nhan mo khoa tai khoan" },
		{ "reset", "ma dat lai mat khau" },
	};
	struct ctx x;
	char id[CH_ID_SIZE], want[200], sql[200];
	struct outbox o;

	CHECK(open_ctx(&x) == 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		CHECK_EQ_INT(create(&x, cases[i].purpose, SUBJ, "sms", PHONE,
		    NOW + (int64_t)i, id), DB_OK);
		CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
		o = outbox(&x, PHONE);
		CHECK_EQ_INT(o.n, (long long)i + 1);
		CHECK_EQ_INT(strlen(o.code), 6);
		CHECK(strspn(o.code, "0123456789") == 6);
		snprintf(want, sizeof(want), "dinhdanh: %s cua ban la %s, hieu luc "
		    "5 phut. Khong chia se ma nay cho bat ky ai.", cases[i].what,
		    o.code);
		CHECK_STR(o.body, want);
		CHECK(strlen(o.body) <= 160);	/* one SMS */
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM sms_outbox WHERE "
		    "purpose = '%s' AND created_at = %lld", cases[i].purpose,
		    (long long)(NOW + (int64_t)i));
		CHECK_EQ_INT(fixture_count(&x.f, sql), 1);
	}
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends"), 5);
	close_ctx(&x);
}

TEST(only_a_keyed_hash_of_the_code_stored)
{
	struct ctx x;
	char id[CH_ID_SIZE], sql[200];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT length(code_hash) FROM challenges"),
	    64);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges WHERE "
	    "code_hash GLOB '*[^0-9a-f]*'"), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM challenges WHERE "
	    "instr(code_hash, '%s') > 0 OR instr(phone || subject || id, '%s') > 0",
	    o.code, o.code);
	CHECK_EQ_INT(fixture_count(&x.f, sql), 0);
	/* the row as stored */
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW, &ch), DB_OK);
	CHECK_STR(ch.id, id);
	CHECK_STR(ch.purpose, "login");
	CHECK_STR(ch.subject, SUBJ);
	CHECK_STR(ch.factor, "sms");
	CHECK_STR(ch.phone, PHONE);
	CHECK_EQ_INT(ch.attempts, 0);
	CHECK_EQ_INT(ch.created_at, NOW);
	CHECK_EQ_INT(ch.expires_at, NOW + CH_TTL);
	CHECK_EQ_INT(ch.last_sent_at, NOW);
	/* two challenges have different ids */
	{
		char id2[CH_ID_SIZE];

		CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id2),
		    DB_OK);
		CHECK(strcmp(id, id2) != 0);
	}
	close_ctx(&x);
}

TEST(right_code_consumes_once)
{
	struct ctx x;
	char id[CH_ID_SIZE];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 10, &ch), DB_OK);
	CHECK_STR(ch.subject, SUBJ);
	CHECK_STR(ch.id, id);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT consumed_at FROM challenges"),
	    NOW + 10);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 11, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 11, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(attempts(&x, id), 0);
	close_ctx(&x);
}

TEST(wrong_code_counted_and_five_kill_the_challenge)
{
	struct ctx x;
	char id[CH_ID_SIZE], bad[7];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	wrong_of(o.code, bad);
	/* in the caller's transaction: the count stands after the commit */
	CHECK_EQ_INT(db_begin(x.c), DB_OK);
	CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 1, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(ch.attempts, 1);
	CHECK_EQ_INT(db_commit(x.c), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT attempts FROM challenges"), 1);
	/* malformed codes count too */
	CHECK_EQ_INT(check(&x, id, "login", "12345", NOW + 2, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(check(&x, id, "login", "abcdef", NOW + 3, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(check(&x, id, "login", NULL, NOW + 4, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(attempts(&x, id), 4);
	CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 5, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(ch.attempts, 5);
	CHECK_EQ_INT(attempts(&x, id), 5);
	/* dead: even the right code, and no further counting */
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 6, &ch), CH_TOO_MANY);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 6, &ch), CH_TOO_MANY);
	CHECK_EQ_INT(attempts(&x, id), 5);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges WHERE "
	    "consumed_at IS NULL"), 1);
	close_ctx(&x);
}

TEST(four_wrong_then_right_still_passes)
{
	struct ctx x;
	char id[CH_ID_SIZE], bad[7];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	wrong_of(o.code, bad);
	for (int i = 0; i < CH_MAX_ATTEMPTS - 1; i++)
		CHECK_EQ_INT(check(&x, id, "login", bad, NOW + i, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 10, &ch), DB_OK);
	CHECK_EQ_INT(ch.attempts, 4);
	close_ctx(&x);
}

TEST(rolled_back_caller_transaction_keeps_nothing)
{
	struct ctx x;
	char id[CH_ID_SIZE], bad[7];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(db_begin(x.c), DB_OK);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	db_rollback(x.c);
	CHECK_EQ_INT(sms_rows(&x), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges"), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends"), 0);
	/* a counted attempt rolled back by the caller is not counted */
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	wrong_of(o.code, bad);
	CHECK_EQ_INT(db_begin(x.c), DB_OK);
	CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 1, &ch), CH_BAD_CODE);
	db_rollback(x.c);
	CHECK_EQ_INT(attempts(&x, id), 0);
	close_ctx(&x);
}

TEST(expires_after_300_seconds)
{
	struct ctx x;
	char id[CH_ID_SIZE], id2[CH_ID_SIZE];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 301, &ch), CH_EXPIRED);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 301, &ch), CH_EXPIRED);
	CHECK_EQ_INT(attempts(&x, id), 0);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 300, &ch), DB_OK);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 300, &ch), DB_OK);

	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id2), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(check(&x, id2, "login", o.code, NOW + 100000, &ch),
	    CH_EXPIRED);
	close_ctx(&x);
}

TEST(other_purpose_and_malformed_ids_unknown)
{
	struct ctx x;
	char id[CH_ID_SIZE], longer[CH_ID_SIZE + 1], forged[CH_ID_SIZE];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(check(&x, id, "reset", o.code, NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(check(&x, id, "registration", o.code, NOW + 1, &ch),
	    CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, id, "unlock", NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(attempts(&x, id), 0);	/* nothing counted */

	CHECK_EQ_INT(check(&x, NULL, "login", o.code, NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(check(&x, "", "login", o.code, NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(check(&x, "short", "login", o.code, NOW + 1, &ch), CH_UNKNOWN);
	snprintf(longer, sizeof(longer), "%sA", id);
	CHECK_EQ_INT(check(&x, longer, "login", o.code, NOW + 1, &ch), CH_UNKNOWN);
	snprintf(forged, sizeof(forged), "%s", id);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(check(&x, forged, "login", o.code, NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, "' OR 1=1 --xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "login", NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(attempts(&x, id), 0);
	/* the real one is untouched */
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 2, &ch), DB_OK);
	close_ctx(&x);
}

TEST(bad_create_arguments_refused)
{
	struct ctx x;
	char id[CH_ID_SIZE];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "payment", SUBJ, "sms", PHONE, NOW, id), DB_ERR);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "email", PHONE, NOW, id), DB_ERR);
	CHECK_EQ_INT(create(&x, "login", NULL, "sms", PHONE, NOW, id), DB_ERR);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", NULL, NOW, id), DB_ERR);
	CHECK_EQ_INT(challenge_create(x.c, NULL, "login", SUBJ, "sms", PHONE, NOW,
	    id), DB_ERR);
	/* a phone the gateway refuses: nothing stored */
	CHECK(create(&x, "login", SUBJ, "sms", "+1555", NOW, id) != DB_OK);
	CHECK_STR(id, "");
	CHECK_EQ_INT(sms_rows(&x), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges"), 0);
	close_ctx(&x);
}

TEST(resend_waits_60_seconds_then_sends_a_new_code)
{
	struct ctx x;
	char id[CH_ID_SIZE], bad[7], old[7];
	struct outbox o;
	struct challenge ch;
	int64_t wait = -1;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	snprintf(old, sizeof(old), "%s", o.code);
	wrong_of(old, bad);
	CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 5, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 6, &ch), CH_BAD_CODE);

	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW, &wait),
	    CH_RESEND_WAIT);
	CHECK_EQ_INT(wait, 60);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 59, &wait),
	    CH_RESEND_WAIT);
	CHECK_EQ_INT(wait, 1);
	CHECK_EQ_INT(sms_rows(&x), 1);

	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 60, &wait),
	    DB_OK);
	CHECK_EQ_INT(wait, 0);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(o.n, 2);
	CHECK(strstr(o.body, "ma dang nhap cua ban la ") != NULL);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends"), 2);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 60, &ch), DB_OK);
	CHECK_EQ_INT(ch.attempts, 2);			/* kept */
	CHECK_EQ_INT(ch.last_sent_at, NOW + 60);
	CHECK_EQ_INT(ch.expires_at, NOW + 60 + CH_TTL);	/* renewed */
	CHECK_EQ_INT(ch.created_at, NOW);

	/* the next resend waits again from the last send */
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 100, &wait),
	    CH_RESEND_WAIT);
	CHECK_EQ_INT(wait, 20);

	/* the old code no longer works (unless both codes happen to be equal) */
	if (strcmp(old, o.code) != 0) {
		CHECK_EQ_INT(check(&x, id, "login", old, NOW + 61, &ch), CH_BAD_CODE);
		CHECK_EQ_INT(ch.attempts, 3);
	}
	/* the new one does, past the first code's expiry */
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 60 + CH_TTL, &ch), DB_OK);
	close_ctx(&x);
}

TEST(resend_keeps_failures_so_a_dead_challenge_stays_dead)
{
	struct ctx x;
	char id[CH_ID_SIZE], bad[7];
	struct outbox o;
	struct challenge ch;
	int64_t wait;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	o = outbox(&x, PHONE);
	wrong_of(o.code, bad);
	for (int i = 0; i < CH_MAX_ATTEMPTS; i++)
		CHECK_EQ_INT(check(&x, id, "login", bad, NOW + 1, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 60, &wait),
	    CH_TOO_MANY);
	CHECK_EQ_INT(sms_rows(&x), 1);
	close_ctx(&x);
}

TEST(resend_refusals)
{
	struct ctx x;
	char id[CH_ID_SIZE], tid[CH_ID_SIZE];
	struct outbox o;
	struct challenge ch;
	int64_t wait;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, id), DB_OK);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "reset", NOW + 60, &wait),
	    CH_UNKNOWN);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, "nope", "login", NOW + 60,
	    &wait), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 301, &wait),
	    CH_EXPIRED);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(check(&x, id, "login", o.code, NOW + 1, &ch), DB_OK);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "login", NOW + 60, &wait),
	    CH_UNKNOWN);
	/* a TOTP challenge has nothing to resend */
	CHECK_EQ_INT(create(&x, "login", SUBJ, "totp", PHONE, NOW, tid), DB_OK);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, tid, "login", NOW + 60, &wait),
	    CH_UNKNOWN);
	CHECK_EQ_INT(sms_rows(&x), 1);
	close_ctx(&x);
}

TEST(ten_codes_per_phone_per_hour)
{
	struct ctx x;
	char id[CH_ID_SIZE], first[CH_ID_SIZE];
	int64_t wait;

	CHECK(open_ctx(&x) == 0);
	/* different challenges and purposes share one phone's budget */
	for (int i = 0; i < CH_CODES_PER_HOUR; i++) {
		CHECK_EQ_INT(create(&x, i % 2 ? "login" : "reset", SUBJ, "sms",
		    PHONE, NOW + i, id), DB_OK);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", id);
	}
	CHECK_EQ_INT(sms_rows(&x), 10);
	CHECK_EQ_INT(create(&x, "login", SUBJ2, "sms", PHONE, NOW + 20, id),
	    CH_RATE_LIMITED);
	CHECK_STR(id, "");
	/* a resend is a code too */
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, first, "reset", NOW + 200,
	    &wait), CH_RATE_LIMITED);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW + 3599, id),
	    CH_RATE_LIMITED);
	CHECK_EQ_INT(sms_rows(&x), 10);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges"), 10);
	/* another phone is not affected */
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE2, NOW + 20, id), DB_OK);
	/* the first send leaves the window an hour later */
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW + 3600, id), DB_OK);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW + 3600, id),
	    CH_RATE_LIMITED);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW + 3601, id), DB_OK);
	CHECK_EQ_INT(sms_rows(&x), 13);
	/* a TOTP challenge sends nothing and needs no budget */
	CHECK_EQ_INT(create(&x, "login", SUBJ, "totp", PHONE, NOW + 3601, id),
	    DB_OK);
	close_ctx(&x);
}

TEST(decoy_sends_nothing_spends_budget_never_passes)
{
	struct ctx x;
	char id[CH_ID_SIZE], real[CH_ID_SIZE];
	struct challenge ch;
	int64_t wait;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "reset", "", "sms", PHONE, NOW, id), DB_OK);
	CHECK_EQ_INT(strlen(id), CH_ID_SIZE - 1);
	CHECK_EQ_INT(sms_rows(&x), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends"), 1);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT length(code_hash) FROM challenges"),
	    64);
	/* looks live */
	CHECK_EQ_INT(challenge_get(x.c, id, "reset", NOW + 1, &ch), DB_OK);
	CHECK_STR(ch.subject, "");

	/* even the code its hash was made of does not pass ... */
	CHECK_EQ_INT(force_code(&x, id, "123456"), DB_OK);
	CHECK_EQ_INT(check(&x, id, "reset", "123456", NOW + 2, &ch), CH_BAD_CODE);
	CHECK_EQ_INT(ch.attempts, 1);
	/* ... while the same forced hash on a real challenge does (the helper is right) */
	CHECK_EQ_INT(create(&x, "reset", SUBJ, "sms", PHONE2, NOW, real), DB_OK);
	CHECK_EQ_INT(force_code(&x, real, "123456"), DB_OK);
	CHECK_EQ_INT(check(&x, real, "reset", "123456", NOW + 2, &ch), DB_OK);

	/* resend: same answers, still nothing sent, budget spent */
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "reset", NOW + 10, &wait),
	    CH_RESEND_WAIT);
	CHECK_EQ_INT(wait, 50);
	CHECK_EQ_INT(challenge_resend(x.c, x.f.seal, id, "reset", NOW + 60, &wait),
	    DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM sms_outbox WHERE "
	    "phone = '" PHONE "'"), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends WHERE "
	    "phone = '" PHONE "'"), 2);
	/* decoys alone exhaust the budget */
	for (int i = 2; i < CH_CODES_PER_HOUR; i++)
		CHECK_EQ_INT(create(&x, "reset", "", "sms", PHONE, NOW + 100 + i, id),
		    DB_OK);
	CHECK_EQ_INT(create(&x, "reset", "", "sms", PHONE, NOW + 200, id),
	    CH_RATE_LIMITED);
	CHECK_EQ_INT(create(&x, "reset", SUBJ, "sms", PHONE, NOW + 200, id),
	    CH_RATE_LIMITED);
	close_ctx(&x);
}

TEST(decoy_dies_after_five_tries_like_a_real_one)
{
	struct ctx x;
	char id[CH_ID_SIZE], code[7];
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "reset", "", "sms", PHONE, NOW, id), DB_OK);
	for (int i = 0; i < CH_MAX_ATTEMPTS; i++) {
		snprintf(code, sizeof(code), "%06d", i * 111111);
		CHECK_EQ_INT(check(&x, id, "reset", code, NOW + 1, &ch), CH_BAD_CODE);
	}
	CHECK_EQ_INT(check(&x, id, "reset", "999999", NOW + 1, &ch), CH_TOO_MANY);
	close_ctx(&x);
}

TEST(revoke_subject_ends_its_live_challenges)
{
	struct ctx x;
	char a1[CH_ID_SIZE], a2[CH_ID_SIZE], b[CH_ID_SIZE], used[CH_ID_SIZE];
	struct outbox o;
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW, used), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(check(&x, used, "login", o.code, NOW + 1, &ch), DB_OK);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "sms", PHONE, NOW + 2, a1), DB_OK);
	o = outbox(&x, PHONE);
	CHECK_EQ_INT(create(&x, "unlock", SUBJ, "totp", PHONE, NOW + 2, a2), DB_OK);
	CHECK_EQ_INT(create(&x, "login", SUBJ2, "sms", PHONE2, NOW + 2, b), DB_OK);

	CHECK_EQ_INT(challenge_revoke_subject(x.c, SUBJ, NOW + 3), DB_OK);
	CHECK_EQ_INT(check(&x, a1, "login", o.code, NOW + 4, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, a2, "unlock", NOW + 4, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, b, "login", NOW + 4, &ch), DB_OK);
	/* the one used before keeps its own time */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges WHERE "
	    "consumed_at = 1800000001"), 1);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges WHERE "
	    "consumed_at = 1800000003"), 2);
	/* the empty subject (decoys) is refused, not "revoke every decoy" */
	CHECK_EQ_INT(challenge_revoke_subject(x.c, "", NOW + 5), DB_ERR);
	close_ctx(&x);
}

TEST(totp_challenge_sends_nothing_and_takes_no_sms_code)
{
	struct ctx x;
	char id[CH_ID_SIZE];
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "totp", PHONE, NOW, id), DB_OK);
	CHECK_EQ_INT(sms_rows(&x), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM code_sends"), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM challenges WHERE "
	    "code_hash = '' AND factor = 'totp'"), 1);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW, &ch), DB_OK);
	CHECK_STR(ch.factor, "totp");
	/* no code of any shape passes the SMS check, not even an empty one */
	CHECK_EQ_INT(check(&x, id, "login", "123456", NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(check(&x, id, "login", "", NOW + 1, &ch), CH_UNKNOWN);
	CHECK_EQ_INT(check(&x, id, "login", NULL, NOW + 1, &ch), CH_UNKNOWN);
	/* failures counted by the caller, then consumed by it */
	CHECK_EQ_INT(challenge_fail(x.c, id), DB_OK);
	CHECK_EQ_INT(attempts(&x, id), 1);
	CHECK_EQ_INT(challenge_consume(x.c, id, NOW + 2), DB_OK);
	CHECK_EQ_INT(challenge_consume(x.c, id, NOW + 3), CH_UNKNOWN);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 3, &ch), CH_UNKNOWN);
	close_ctx(&x);
}

TEST(totp_challenge_dies_after_five_failures)
{
	struct ctx x;
	char id[CH_ID_SIZE];
	struct challenge ch;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(create(&x, "login", SUBJ, "totp", PHONE, NOW, id), DB_OK);
	for (int i = 0; i < CH_MAX_ATTEMPTS; i++)
		CHECK_EQ_INT(challenge_fail(x.c, id), DB_OK);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + 1, &ch), CH_TOO_MANY);
	CHECK_EQ_INT(challenge_get(x.c, id, "login", NOW + CH_TTL + 1, &ch),
	    CH_TOO_MANY);
	close_ctx(&x);
}

T_MAIN(
	T(sms_sent_with_the_text_of_each_purpose),
	T(only_a_keyed_hash_of_the_code_stored),
	T(right_code_consumes_once),
	T(wrong_code_counted_and_five_kill_the_challenge),
	T(four_wrong_then_right_still_passes),
	T(rolled_back_caller_transaction_keeps_nothing),
	T(expires_after_300_seconds),
	T(other_purpose_and_malformed_ids_unknown),
	T(bad_create_arguments_refused),
	T(resend_waits_60_seconds_then_sends_a_new_code),
	T(resend_keeps_failures_so_a_dead_challenge_stays_dead),
	T(resend_refusals),
	T(ten_codes_per_phone_per_hour),
	T(decoy_sends_nothing_spends_budget_never_passes),
	T(decoy_dies_after_five_tries_like_a_real_one),
	T(revoke_subject_ends_its_live_challenges),
	T(totp_challenge_sends_nothing_and_takes_no_sms_code),
	T(totp_challenge_dies_after_five_failures)
)
