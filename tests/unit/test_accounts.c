/*
 * test_accounts: unit tests for level-1 registration: the happy path from
 * start to account, wrong codes counted up to the limit, expiry, single use,
 * the name comparison, decoys that store and send nothing (unknown ID,
 * deceased, existing account, name or date mismatch), the per-phone hourly
 * limit, input refusals and rolled-back writes.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>

#include "accounts.h"
#include "base.h"
#include "db.h"
#include "sms.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15 */
#define PHONE "0912345678"
#define PHONE_E164 "+84912345678"
#define PASSWORD "correct horse battery staple"
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define PID_CHI "001185000003"
#define NAME_AN "Nguy\xe1\xbb\x85n V\xc4\x83n An"
#define NAME_BINH "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh"
#define NAME_CHI "L\xc3\xaa Th\xe1\xbb\x8b Chi"

#define ROW_AN PID_AN "," NAME_AN ",1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH PID_BINH "," NAME_BINH "," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"
#define ROW_CHI PID_CHI "," NAME_CHI ",1985-02-03,female," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001185000003,2021-03-01,2036-02-03,deceased\n"

static int
fx_open(struct fixture *f)
{
	return fixture_open(f, "test_accounts") == 0 &&
	    fixture_import(f, ROW_AN ROW_BINH ROW_CHI, NOW - 86400 * 365) == 3 ?
	    0 : -1;
}

static struct accounts_reg_input
input(const char *pid, const char *name, const char *birth, const char *phone)
{
	return (struct accounts_reg_input){ pid, name, birth, phone, PASSWORD, NULL };
}

static struct accounts_reg_input
an(void)
{
	return input(PID_AN, NAME_AN, "1990-05-17", PHONE);
}

struct last_code {
	int n;
	char code[7];
};

static void
grab(int64_t at, const char *phone, const char *body, void *arg)
{
	struct last_code *lc = arg;
	const char *p = strstr(body, "cua ban la ");

	UNUSED(at);
	UNUSED(phone);
	lc->n++;
	if (p != NULL)
		snprintf(lc->code, sizeof(lc->code), "%.6s", p + 11);
}

/* The code in the newest SMS to PHONE; the message count in *n. */
static void
last_code(struct fixture *f, char code[7], int *n)
{
	struct last_code lc = { 0, "" };

	if (sms_foreach(f->db, PHONE_E164, grab, &lc) != DB_OK)
		lc.n = -1;
	snprintf(code, 7, "%s", lc.code);
	*n = lc.n;
}

static long long
sms_rows(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM sms_outbox");
}

static long long
reg_rows(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM registrations");
}

static int
start(struct fixture *f, const struct accounts_reg_input *in, int64_t now,
    char reg[ACC_ID_SIZE])
{
	char why[200];

	return accounts_register_start(f->db, f->seal, in, now, reg, why,
	    sizeof(why));
}

static int
get_account(struct fixture *f, const char *pid, struct account *a)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -100;
	rc = accounts_get_by_personal_id(c, pid, a);
	db_release(f->db, c);
	return rc;
}

/* A wrong code that differs from `code`. */
static void
wrong_of(const char *code, char out[7])
{
	snprintf(out, 7, "%s", code);
	out[0] = out[0] == '9' ? '0' : (char)(out[0] + 1);
}

TEST(happy_path_creates_level1_account)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	struct account a;
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	CHECK_EQ_INT(strlen(reg), 43);
	last_code(&f, code, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(strlen(code), 6);
	CHECK_EQ_INT(reg_rows(&f), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT length(code_hash) FROM challenges"),
	    64);
	CHECK_EQ_INT(get_account(&f, PID_AN, &a), ACC_NOT_FOUND);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 60,
	    acc), ACC_OK);
	CHECK_EQ_INT(strlen(acc), 43);
	CHECK_EQ_INT(get_account(&f, PID_AN, &a), DB_OK);
	CHECK_STR(a.account_id, acc);
	CHECK_EQ_INT(a.level, 1);
	CHECK_STR(a.phone, PHONE_E164);
	CHECK_STR(a.status, "active");
	CHECK_EQ_INT(a.created_at, NOW + 60);
	CHECK(strncmp(a.password_hash, "$argon2id$", 10) == 0);
	CHECK_EQ_INT(fixture_count(&f, "SELECT consumed_at FROM challenges"),
	    NOW + 60);
	fixture_close(&f);
}

TEST(wrong_codes_counted_then_too_many)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7], bad[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	last_code(&f, code, &n);
	wrong_of(code, bad);
	for (int i = 1; i <= CH_MAX_ATTEMPTS; i++) {
		CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, bad,
		    NOW + i, acc), ACC_BAD_CODE);
		CHECK_EQ_INT(fixture_count(&f, "SELECT attempts FROM challenges"), i);
	}
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 10,
	    acc), ACC_TOO_MANY_ATTEMPTS);
	CHECK_STR(acc, "");
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM accounts"), 0);
	fixture_close(&f);
}

TEST(code_expires_after_five_minutes)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	last_code(&f, code, &n);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 301,
	    acc), ACC_EXPIRED);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM accounts"), 0);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 300,
	    acc), ACC_OK);
	fixture_close(&f);
}

TEST(consumed_registration_refused)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	last_code(&f, code, &n);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 5,
	    acc), ACC_OK);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 6,
	    acc), ACC_BAD_CODE);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM accounts"), 1);
	fixture_close(&f);
}

TEST(name_compare_spacing_case_but_not_diacritics)
{
	struct fixture f;
	struct accounts_reg_input in;
	char reg[ACC_ID_SIZE];

	CHECK(fx_open(&f) == 0);
	in = input(PID_AN, "  nguy\xe1\xbb\x85n   V\xc4\x82N  an ", "1990-05-17",
	    PHONE);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	CHECK_EQ_INT(sms_rows(&f), 1);
	in = input(PID_AN, "Nguye\xcc\x82\xcc\x83n V\xc4\x83n An", "1990-05-17",
	    PHONE);	/* NFD */
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	CHECK_EQ_INT(sms_rows(&f), 2);
	in = input(PID_AN, "Nguyen Van An", "1990-05-17", PHONE);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	CHECK_EQ_INT(strlen(reg), 43);
	CHECK_EQ_INT(sms_rows(&f), 2);
	CHECK_EQ_INT(reg_rows(&f), 2);
	fixture_close(&f);
}

TEST(decoys_answer_like_success_and_store_nothing)
{
	struct fixture f;
	struct accounts_reg_input in[] = {
		input("001090000099", NAME_AN, "1990-05-17", PHONE),
		input(PID_CHI, NAME_CHI, "1985-02-03", PHONE),
		input(PID_AN, NAME_AN, "1990-05-18", PHONE),
		input(PID_AN, NAME_BINH, "1990-05-17", PHONE),
	};
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE];

	CHECK(fx_open(&f) == 0);
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		CHECK_EQ_INT(start(&f, &in[i], NOW, reg), ACC_OK);
		CHECK_EQ_INT(strlen(reg), 43);
		CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, "123456",
		    NOW + 1, acc), ACC_BAD_CODE);
	}
	CHECK_EQ_INT(sms_rows(&f), 0);
	CHECK_EQ_INT(reg_rows(&f), 0);
	fixture_close(&f);
}

TEST(existing_account_is_a_decoy)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	last_code(&f, code, &n);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 1,
	    acc), ACC_OK);
	CHECK_EQ_INT(start(&f, &in, NOW + 2, reg), ACC_OK);
	CHECK_EQ_INT(strlen(reg), 43);
	CHECK_EQ_INT(sms_rows(&f), 1);
	CHECK_EQ_INT(reg_rows(&f), 0);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM challenges"), 2);
	fixture_close(&f);
}

TEST(account_appearing_meanwhile_is_exists)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char r1[ACC_ID_SIZE], r2[ACC_ID_SIZE], acc[ACC_ID_SIZE];
	char c1[7], c2[7];
	int n;

	CHECK(fx_open(&f) == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, r1), ACC_OK);
	last_code(&f, c1, &n);
	CHECK_EQ_INT(start(&f, &in, NOW + 1, r2), ACC_OK);
	last_code(&f, c2, &n);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, r2, c2, NOW + 2,
	    acc), ACC_OK);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, r1, c1, NOW + 3,
	    acc), ACC_EXISTS);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM accounts"), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM challenges "
	    "WHERE consumed_at IS NULL"), 1);
	fixture_close(&f);
}

TEST(eleventh_code_in_an_hour_rate_limited)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], why[200];

	CHECK(fx_open(&f) == 0);
	for (int i = 0; i < CH_CODES_PER_HOUR; i++)
		CHECK_EQ_INT(start(&f, &in, NOW + i * 60, reg), ACC_OK);
	CHECK_EQ_INT(sms_rows(&f), 10);
	CHECK_EQ_INT(accounts_register_start(f.db, f.seal, &in, NOW + 3000, reg,
	    why, sizeof(why)), ACC_RATE_LIMITED);
	CHECK_STR(reg, "");
	CHECK(why[0] != '\0');
	CHECK_EQ_INT(sms_rows(&f), 10);
	CHECK_EQ_INT(reg_rows(&f), 10);
	/* the first code leaves the window an hour later */
	CHECK_EQ_INT(start(&f, &in, NOW + 3601, reg), ACC_OK);
	CHECK_EQ_INT(sms_rows(&f), 11);
	fixture_close(&f);
}

TEST(bad_input_refused_with_reason)
{
	struct fixture f;
	struct accounts_reg_input in;
	char reg[ACC_ID_SIZE], why[200];

	CHECK(fx_open(&f) == 0);
	in = an();
	in.password = "password";
	CHECK_EQ_INT(accounts_register_start(f.db, f.seal, &in, NOW, reg, why,
	    sizeof(why)), ACC_WEAK_PASSWORD);
	CHECK(why[0] != '\0');
	in.password = "short";
	CHECK_EQ_INT(accounts_register_start(f.db, f.seal, &in, NOW, reg, why,
	    sizeof(why)), ACC_WEAK_PASSWORD);
	in = input(PID_AN, NAME_AN, "1990-05-17", "0212345678");
	why[0] = '\0';
	CHECK_EQ_INT(accounts_register_start(f.db, f.seal, &in, NOW, reg, why,
	    sizeof(why)), ACC_BAD_PHONE);
	CHECK(why[0] != '\0');
	in = input("00109000001", NAME_AN, "1990-05-17", PHONE);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_INVALID);
	in = input(PID_AN, NAME_AN, "1990-02-30", PHONE);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_INVALID);
	in = input(PID_AN, "   ", "1990-05-17", PHONE);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_INVALID);
	CHECK_STR(reg, "");
	CHECK_EQ_INT(sms_rows(&f), 0);
	CHECK_EQ_INT(reg_rows(&f), 0);
	fixture_close(&f);
}

TEST(failed_write_rolls_back_everything)
{
	struct fixture f;
	struct accounts_reg_input in = an();
	char reg[ACC_ID_SIZE], acc[ACC_ID_SIZE], code[7];
	int n;

	CHECK(fx_open(&f) == 0);
	/* the SMS write fails after the registration row was inserted */
	CHECK(fixture_exec(&f, "CREATE TRIGGER no_sms BEFORE INSERT ON "
	    "sms_outbox BEGIN SELECT RAISE(ABORT, 'no'); END") == 0);
	CHECK(start(&f, &in, NOW, reg) < 0);
	CHECK_EQ_INT(reg_rows(&f), 0);
	CHECK_EQ_INT(sms_rows(&f), 0);
	CHECK(fixture_exec(&f, "DROP TRIGGER no_sms") == 0);
	CHECK_EQ_INT(start(&f, &in, NOW, reg), ACC_OK);
	last_code(&f, code, &n);
	/* the account insert fails after the registration was marked used */
	CHECK(fixture_exec(&f, "CREATE TRIGGER no_acc BEFORE INSERT ON "
	    "accounts BEGIN SELECT RAISE(ABORT, 'no'); END") == 0);
	CHECK(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 1, acc) < 0);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM challenges "
	    "WHERE consumed_at IS NULL AND attempts = 0"), 1);
	CHECK(fixture_exec(&f, "DROP TRIGGER no_acc") == 0);
	CHECK_EQ_INT(accounts_register_confirm(f.db, f.seal, reg, code, NOW + 2,
	    acc), ACC_OK);
	fixture_close(&f);
}

T_MAIN(
	T(happy_path_creates_level1_account),
	T(wrong_codes_counted_then_too_many),
	T(code_expires_after_five_minutes),
	T(consumed_registration_refused),
	T(name_compare_spacing_case_but_not_diacritics),
	T(decoys_answer_like_success_and_store_nothing),
	T(existing_account_is_a_decoy),
	T(account_appearing_meanwhile_is_exists),
	T(eleventh_code_in_an_hour_rate_limited),
	T(bad_input_refused_with_reason),
	T(failed_write_rolls_back_everything)
)
