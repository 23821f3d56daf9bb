/*
 * test_totp: unit tests for authenticator-app keys: enrolment gives a
 * base32 key and its otpauth:// URI, nothing is active until the first code
 * confirms it, codes are accepted at -1/0/+1 steps only, a step is never
 * accepted twice nor an older one after a newer, a new enrolment leaves the
 * active key working until confirmed, and keys are sealed at rest and bound
 * to their account.
 */
#include "t.h"
#include "fixture.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "db.h"
#include "otp.h"
#include "totp.h"

#define NOW INT64_C(1800000000)	/* a step boundary: 60000000 * 30 */
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define ROW_AN PID_AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH PID_BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"
#define ACC_A "acc-an"
#define ACC_B "acc-binh"
#define ISSUER "dinhdanh"

struct ctx {
	struct fixture f;
	struct db_conn *c;
};

static int
open_ctx(struct ctx *x)
{
	x->c = NULL;
	if (otp_init() != 0 || fixture_open(&x->f, "test_totp") != 0 ||
	    fixture_import(&x->f, ROW_AN ROW_BINH, NOW - 86400 * 365) != 2 ||
	    fixture_exec(&x->f, "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES "
	    "('" ACC_A "', '" PID_AN "', 1, '+84912345678', 'x', 'active', 0), "
	    "('" ACC_B "', '" PID_BINH "', 1, '+84987654321', 'x', 'active', 0)")
	    != 0)
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
	otp_done();
}

/* RFC 4648 base32 (no padding) into out; the bytes, or -1. */
static int
b32_decode(const char *in, uint8_t *out, size_t outsz)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *in != '\0' && *in != '='; in++) {
		const char *p = strchr(alpha, *in);

		if (p == NULL)
			return -1;
		acc = (acc << 5) | (uint32_t)(p - alpha);
		bits += 5;
		if (bits >= 8) {
			if (n >= outsz)
				return -1;
			out[n++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

struct key {
	char b32[TOTP_B32_SIZE];
	char uri[TOTP_URI_SIZE];
	uint8_t raw[OTP_TOTP_SECRET_LEN];
};

static int
begin(struct ctx *x, const char *acc, struct key *k)
{
	int rc;

	memset(k, 0, sizeof(*k));
	rc = totp_begin(x->c, x->f.seal, acc, ISSUER, "Nguyen Van An", k->b32,
	    k->uri);
	if (rc == DB_OK && b32_decode(k->b32, k->raw, sizeof(k->raw)) !=
	    OTP_TOTP_SECRET_LEN)
		return -100;
	return rc;
}

/* The code of key `k` at time t; "" on error. */
static const char *
code_at(const struct key *k, int64_t t, char out[7])
{
	if (otp_totp_code(k->raw, sizeof(k->raw), t, out) != 0)
		out[0] = '\0';
	return out;
}

/*
 * A time in the middle of a step at or after `from` where the codes of the
 * five steps around it are pairwise different, so a refused code cannot
 * pass by a coincidence of digits.
 */
static int64_t
clean_time(const struct key *k, int64_t from)
{
	int64_t t = otp_totp_step(from) * OTP_TOTP_PERIOD + 15;

	for (;; t += OTP_TOTP_PERIOD) {
		char c[5][7];
		bool same = false;

		for (int i = 0; i < 5; i++)
			code_at(k, t + (i - 2) * OTP_TOTP_PERIOD, c[i]);
		for (int i = 0; i < 5; i++)
			for (int j = i + 1; j < 5; j++)
				same = same || strcmp(c[i], c[j]) == 0;
		if (!same)
			return t;
	}
}

/* A well-formed code that none of the steps around t gives. */
static void
not_in_window(const struct key *k, int64_t t, char out[7])
{
	char w[3][7];

	for (int i = 0; i < 3; i++)
		code_at(k, t + (i - 1) * OTP_TOTP_PERIOD, w[i]);
	for (unsigned v = 0;; v++) {
		snprintf(out, 7, "%06u", v % 1000000u);
		if (strcmp(out, w[0]) != 0 && strcmp(out, w[1]) != 0 &&
		    strcmp(out, w[2]) != 0)
			return;
	}
}

static bool
enabled(struct ctx *x, const char *acc)
{
	bool on = true;

	if (totp_enabled(x->c, acc, &on) != DB_OK)
		return true;	/* fails the callers' checks of "not enabled" */
	return on;
}

static int
enrol(struct ctx *x, const char *acc, struct key *k, int64_t t)
{
	char c[7];
	int rc = begin(x, acc, k);

	return rc != DB_OK ? rc : totp_confirm(x->c, x->f.seal, acc,
	    code_at(k, t, c), t);
}

TEST(begin_gives_base32_key_and_otpauth_uri)
{
	struct ctx x;
	struct key k, k2;
	char want[128];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(begin(&x, ACC_A, &k), DB_OK);
	CHECK_EQ_INT(strlen(k.b32), 32);
	CHECK(strspn(k.b32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == 32);
	CHECK(strncmp(k.uri, "otpauth://totp/" ISSUER ":Nguyen%20Van%20An?", 37)
	    == 0);
	snprintf(want, sizeof(want), "secret=%s&", k.b32);
	CHECK(strstr(k.uri, want) != NULL);
	CHECK(strstr(k.uri, "issuer=" ISSUER) != NULL);
	CHECK(strstr(k.uri, "digits=6") != NULL);
	CHECK(strstr(k.uri, "period=30") != NULL);
	/* every enrolment a new key */
	CHECK_EQ_INT(begin(&x, ACC_A, &k2), DB_OK);
	CHECK(strcmp(k.b32, k2.b32) != 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM totp_keys"), 1);
	close_ctx(&x);
}

TEST(not_enabled_until_confirmed)
{
	struct ctx x;
	struct key k;
	char c[7], bad[7];
	int64_t t;

	CHECK(open_ctx(&x) == 0);
	CHECK(!enabled(&x, ACC_A));
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, "123456", NOW), TOTP_NONE);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, "123456", NOW), TOTP_NONE);
	CHECK_EQ_INT(begin(&x, ACC_A, &k), DB_OK);
	CHECK(!enabled(&x, ACC_A));
	t = clean_time(&k, NOW);
	/* a pending key does not sign anyone in */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t, c), t),
	    TOTP_NONE);
	/* a wrong or out-of-window first code does not confirm */
	not_in_window(&k, t, bad);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, bad, t), TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&k, t + 60, c), t),
	    TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, "12345", t), TOTP_BAD_CODE);
	CHECK(!enabled(&x, ACC_A));
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM audit_log"), 0);
	/* the right one does, and the audit log says so */
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&k, t, c), t),
	    DB_OK);
	CHECK(enabled(&x, ACC_A));
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'totp_enabled' AND subject <> '' AND actor LIKE 'citizen:%'"),
	    1);
	CHECK(!enabled(&x, ACC_B));
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT enabled_at FROM totp_keys"), t);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_step FROM totp_keys"),
	    otp_totp_step(t));
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM totp_keys WHERE "
	    "pending_sealed IS NULL AND secret_sealed IS NOT NULL"), 1);
	/* nothing pending any more */
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&k, t + 30, c),
	    t + 30), TOTP_NONE);
	/* the confirming step itself is used */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t, c), t),
	    TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t + 30, c),
	    t + 30), DB_OK);
	close_ctx(&x);
}

TEST(window_is_one_step_each_way)
{
	struct ctx x;
	struct key k;
	char c[7];
	int64_t t;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(begin(&x, ACC_A, &k), DB_OK);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&k, NOW, c), NOW),
	    DB_OK);
	t = clean_time(&k, NOW + 600);
	/* +-2 steps refused, before anything in the window was used */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t - 60, c), t),
	    TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t + 60, c), t),
	    TOTP_BAD_CODE);
	/* -1, 0 and +1 accepted, in that order */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t - 30, c), t),
	    DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_step FROM totp_keys"),
	    otp_totp_step(t) - 1);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t, c), t), DB_OK);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t + 30, c), t),
	    DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_step FROM totp_keys"),
	    otp_totp_step(t) + 1);
	/* malformed codes */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, "", t + 90), TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, NULL, t + 90), TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, "1234567", t + 90),
	    TOTP_BAD_CODE);
	close_ctx(&x);
}

TEST(a_step_is_never_accepted_twice_nor_an_older_one)
{
	struct ctx x;
	struct key k;
	char c[7], prev[7];
	int64_t t;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(begin(&x, ACC_A, &k), DB_OK);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&k, NOW, c), NOW),
	    DB_OK);
	t = clean_time(&k, NOW + 900);
	code_at(&k, t - 30, prev);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t, c), t), DB_OK);
	/* the same code again, at once and a few seconds later in the same step */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, c, t), TOTP_BAD_CODE);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, c, t + 10), TOTP_BAD_CODE);
	/* and from the next step, where it is still in the window */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, c, t + 30), TOTP_BAD_CODE);
	/* the step before the accepted one, though inside the window */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, prev, t), TOTP_BAD_CODE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_step FROM totp_keys"),
	    otp_totp_step(t));
	/* the next step works */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t + 30, c),
	    t + 30), DB_OK);
	close_ctx(&x);
}

TEST(new_enrolment_keeps_the_active_key_until_confirmed)
{
	struct ctx x;
	struct key old, neu;
	char c[7];
	int64_t t;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(enrol(&x, ACC_A, &old, NOW), DB_OK);
	CHECK_EQ_INT(begin(&x, ACC_A, &neu), DB_OK);
	CHECK(enabled(&x, ACC_A));
	t = clean_time(&old, NOW + 300);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&old, t, c), t),
	    DB_OK);
	/* the pending key signs nobody in (unless its code equals the old one's) */
	code_at(&neu, t + 30, c);
	{
		char oc[7];

		if (strcmp(c, code_at(&old, t + 30, oc)) != 0 &&
		    strcmp(c, code_at(&old, t + 60, oc)) != 0)
			CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, c, t + 30),
			    TOTP_BAD_CODE);
	}
	/* a third enrolment replaces the pending one */
	{
		struct key third;

		CHECK_EQ_INT(begin(&x, ACC_A, &third), DB_OK);
		if (strcmp(code_at(&neu, t + 60, c), code_at(&third, t + 60,
		    (char[7]){ 0 })) != 0) {
			CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, c, t + 60),
			    TOTP_BAD_CODE);
		}
		neu = third;
	}
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_A, code_at(&neu, t + 60, c),
	    t + 60), DB_OK);
	/* now only the new key works */
	t = clean_time(&neu, t + 300);
	{
		char oc[7];

		code_at(&old, t, oc);
		if (strcmp(oc, code_at(&neu, t - 30, c)) != 0 &&
		    strcmp(oc, code_at(&neu, t, c)) != 0 &&
		    strcmp(oc, code_at(&neu, t + 30, c)) != 0)
			CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, oc, t),
			    TOTP_BAD_CODE);
	}
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&neu, t, c), t),
	    DB_OK);
	close_ctx(&x);
}

/* Lowercase hex of `n` bytes into out[2n + 1]. */
static void
hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

TEST(key_not_stored_in_clear)
{
	struct ctx x;
	struct key k, p;
	char sql[512], h[2 * OTP_TOTP_SECRET_LEN + 1];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(enrol(&x, ACC_A, &k, NOW), DB_OK);
	CHECK_EQ_INT(begin(&x, ACC_A, &p), DB_OK);	/* a pending one too */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM totp_keys WHERE "
	    "secret_sealed IS NOT NULL AND pending_sealed IS NOT NULL"), 1);
	for (int i = 0; i < 2; i++) {
		const struct key *kk = i == 0 ? &k : &p;

		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM totp_keys WHERE "
		    "instr(upper(COALESCE(secret_sealed, '') || ' ' || "
		    "COALESCE(pending_sealed, '')), '%s') > 0", kk->b32);
		CHECK_EQ_INT(fixture_count(&x.f, sql), 0);
		hex(kk->raw, sizeof(kk->raw), h);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM totp_keys WHERE "
		    "instr(hex(CAST(COALESCE(secret_sealed, '') AS BLOB)), '%s') > 0 "
		    "OR instr(hex(CAST(COALESCE(pending_sealed, '') AS BLOB)), '%s') "
		    "> 0 OR instr(upper(COALESCE(secret_sealed, '') || "
		    "COALESCE(pending_sealed, '')), '%s') > 0", h, h, h);
		CHECK_EQ_INT(fixture_count(&x.f, sql), 0);
	}
	/* sealed: longer than the key by the nonce and tag */
	CHECK(fixture_count(&x.f, "SELECT length(secret_sealed) FROM totp_keys")
	    >= (OTP_TOTP_SECRET_LEN + 40) * 4 / 3);
	close_ctx(&x);
}

TEST(sealed_key_bound_to_its_account)
{
	struct ctx x;
	struct key a, b;
	char c[7];
	int64_t t;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(enrol(&x, ACC_A, &a, NOW), DB_OK);
	CHECK_EQ_INT(enrol(&x, ACC_B, &b, NOW), DB_OK);
	/* B's row gets A's sealed key: A's codes must not work for B */
	CHECK(fixture_exec(&x.f, "UPDATE totp_keys SET secret_sealed = (SELECT "
	    "secret_sealed FROM totp_keys WHERE account_id = '" ACC_A "') "
	    "WHERE account_id = '" ACC_B "'") == 0);
	t = clean_time(&a, NOW + 300);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_B, code_at(&a, t, c), t),
	    DB_ERR);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT last_step FROM totp_keys WHERE "
	    "account_id = '" ACC_B "'"), otp_totp_step(NOW));
	/* A is unaffected */
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, c, t), DB_OK);
	/* the same for a pending key */
	CHECK_EQ_INT(begin(&x, ACC_A, &a), DB_OK);
	CHECK(fixture_exec(&x.f, "UPDATE totp_keys SET pending_sealed = (SELECT "
	    "pending_sealed FROM totp_keys WHERE account_id = '" ACC_A "') "
	    "WHERE account_id = '" ACC_B "'") == 0);
	CHECK_EQ_INT(totp_confirm(x.c, x.f.seal, ACC_B, code_at(&a, t + 60, c),
	    t + 60), DB_ERR);
	/* a damaged sealed text is an error too */
	CHECK(fixture_exec(&x.f, "UPDATE totp_keys SET secret_sealed = "
	    "'AAAA' WHERE account_id = '" ACC_A "'") == 0);
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&a, t + 60, c),
	    t + 60), DB_ERR);
	close_ctx(&x);
}

TEST(begin_needs_an_existing_account)
{
	struct ctx x;
	struct key k;

	CHECK(open_ctx(&x) == 0);
	CHECK(begin(&x, "acc-nobody", &k) < 0);
	CHECK_STR(k.b32, "");
	CHECK_EQ_INT(k.uri[0], '\0');
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM totp_keys"), 0);
	CHECK_EQ_INT(totp_begin(x.c, x.f.seal, ACC_A, NULL, "x", k.b32, k.uri),
	    DB_ERR);
	CHECK_EQ_INT(totp_enabled(x.c, ACC_A, NULL), DB_ERR);
	close_ctx(&x);
}

TEST(remove_ends_the_key_with_an_audit_entry)
{
	struct ctx x;
	struct key k;
	char c[7];
	int64_t t = NOW;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(totp_remove(x.c, x.f.seal, ACC_A, t), TOTP_NONE);
	CHECK_EQ_INT(enrol(&x, ACC_A, &k, t), DB_OK);
	CHECK(enabled(&x, ACC_A));
	CHECK_EQ_INT(totp_remove(x.c, x.f.seal, ACC_A, t + 1), DB_OK);
	CHECK(!enabled(&x, ACC_A));
	CHECK_EQ_INT(totp_verify(x.c, x.f.seal, ACC_A, code_at(&k, t + 30, c),
	    t + 30), TOTP_NONE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'totp_removed' AND actor LIKE 'citizen:%'"), 1);
	CHECK_EQ_INT(totp_remove(x.c, x.f.seal, ACC_A, t + 2), TOTP_NONE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'totp_removed'"), 1);
	close_ctx(&x);
}

T_MAIN(
	T(remove_ends_the_key_with_an_audit_entry),
	T(begin_gives_base32_key_and_otpauth_uri),
	T(not_enabled_until_confirmed),
	T(window_is_one_step_each_way),
	T(a_step_is_never_accepted_twice_nor_an_older_one),
	T(new_enrolment_keeps_the_active_key_until_confirmed),
	T(key_not_stored_in_clear),
	T(sealed_key_bound_to_its_account),
	T(begin_needs_an_existing_account)
)
