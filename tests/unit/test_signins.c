/*
 * test_signins: unit tests for the sign-in history: rows listed newest
 * first within a limit and per account, counts by outcome and time, the
 * user agent cut to 200 bytes on a UTF-8 boundary with control characters
 * replaced, and the defaults for a missing address or user agent.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "db.h"
#include "signins.h"

#define NOW INT64_C(1800000000)
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

struct ctx {
	struct fixture f;
	struct db_conn *c;
};

static int
open_ctx(struct ctx *x)
{
	x->c = NULL;
	if (fixture_open(&x->f, "test_signins") != 0 ||
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
}

static int
rec(struct ctx *x, const char *acc, int64_t at, const char *outcome,
    const char *method, const char *addr, const char *ua)
{
	struct signin s = { at, outcome, method, addr, ua };

	return signins_record(x->c, acc, &s);
}

#define MAX_SEEN 16

struct seen {
	int n;
	int64_t at[MAX_SEEN];
	char outcome[MAX_SEEN][24], method[MAX_SEEN][16], addr[MAX_SEEN][48];
	char ua[MAX_SEEN][256];
};

static void
collect(const struct signin *s, void *arg)
{
	struct seen *v = arg;

	if (v->n >= MAX_SEEN)
		return;
	v->at[v->n] = s->at;
	snprintf(v->outcome[v->n], sizeof(v->outcome[0]), "%s", s->outcome);
	snprintf(v->method[v->n], sizeof(v->method[0]), "%s", s->method);
	snprintf(v->addr[v->n], sizeof(v->addr[0]), "%s", s->addr);
	snprintf(v->ua[v->n], sizeof(v->ua[0]), "%s", s->user_agent);
	v->n++;
}

TEST(listed_newest_first_with_limit_and_per_account)
{
	struct ctx x;
	struct seen v;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 10, "wrong_password", "pwd",
	    "203.0.113.0", "UA-1"), DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 30, "success", "pwd+sms",
	    "203.0.113.0", "UA-3"), DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 20, "delayed", "pwd",
	    "198.51.100.0", "UA-2"), DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_B, NOW + 40, "success", "pwd+totp",
	    "192.0.2.0", "UA-B"), DB_OK);

	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 10, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 3);
	CHECK_EQ_INT(v.at[0], NOW + 30);
	CHECK_STR(v.outcome[0], "success");
	CHECK_STR(v.method[0], "pwd+sms");
	CHECK_STR(v.ua[0], "UA-3");
	CHECK_EQ_INT(v.at[1], NOW + 20);
	CHECK_STR(v.outcome[1], "delayed");
	CHECK_STR(v.addr[1], "198.51.100.0");
	CHECK_EQ_INT(v.at[2], NOW + 10);
	CHECK_STR(v.outcome[2], "wrong_password");

	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 2, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 2);
	CHECK_EQ_INT(v.at[0], NOW + 30);
	CHECK_EQ_INT(v.at[1], NOW + 20);

	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_B, 10, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 1);
	CHECK_STR(v.method[0], "pwd+totp");

	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, "acc-nobody", 10, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 0);
	close_ctx(&x);
}

TEST(same_second_listed_in_reverse_order_written)
{
	struct ctx x;
	struct seen v;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "wrong_password", "pwd", "a", "first"),
	    DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "success", "pwd+sms", "a", "second"),
	    DB_OK);
	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 5, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 2);
	CHECK_STR(v.ua[0], "second");
	CHECK_STR(v.ua[1], "first");
	close_ctx(&x);
}

TEST(count_by_outcome_and_since)
{
	struct ctx x;
	int n = -1;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "wrong_password", "pwd", "a", "u"), DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 5, "wrong_password", "pwd", "a", "u"),
	    DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 9, "wrong_password", "pwd", "a", "u"),
	    DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 6, "success", "pwd+sms", "a", "u"), DB_OK);
	CHECK_EQ_INT(rec(&x, ACC_B, NOW + 6, "wrong_password", "pwd", "a", "u"),
	    DB_OK);

	CHECK_EQ_INT(signins_count(x.c, ACC_A, "wrong_password", NOW, &n), DB_OK);
	CHECK_EQ_INT(n, 3);
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "wrong_password", NOW + 5, &n),
	    DB_OK);
	CHECK_EQ_INT(n, 2);	/* at or after `since` */
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "wrong_password", NOW + 6, &n),
	    DB_OK);
	CHECK_EQ_INT(n, 1);
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "wrong_password", NOW + 10, &n),
	    DB_OK);
	CHECK_EQ_INT(n, 0);
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "success", 0, &n), DB_OK);
	CHECK_EQ_INT(n, 1);
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "locked", 0, &n), DB_OK);
	CHECK_EQ_INT(n, 0);
	n = -1;
	CHECK_EQ_INT(signins_count(x.c, ACC_B, "wrong_password", 0, &n), DB_OK);
	CHECK_EQ_INT(n, 1);
	close_ctx(&x);
}

TEST(user_agent_cut_at_200_bytes_on_a_utf8_boundary)
{
	struct ctx x;
	struct seen v;
	char ua[1 + 150 * 2 + 1], want[256], ascii[301];
	size_t k = 0;

	CHECK(open_ctx(&x) == 0);
	/* "a" then 150 times U+00E9 (C3 A9): byte 200 is the middle of an é */
	ua[k++] = 'a';
	for (int i = 0; i < 150; i++) {
		ua[k++] = (char)0xc3;
		ua[k++] = (char)0xa9;
	}
	ua[k] = '\0';
	snprintf(want, sizeof(want), "%.199s", ua);	/* "a" + 99 é */
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "success", "pwd+sms", "a", ua), DB_OK);
	/* without the leading "a" the cut falls between two characters */
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 1, "success", "pwd+sms", "a", ua + 1),
	    DB_OK);
	/* three-byte characters: ệ (E1 BB 87) x 70 = 210 bytes */
	k = 0;
	for (int i = 0; i < 70; i++) {
		ua[k++] = (char)0xe1;
		ua[k++] = (char)0xbb;
		ua[k++] = (char)0x87;
	}
	ua[k] = '\0';
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 2, "success", "pwd+sms", "a", ua), DB_OK);
	/* plain ASCII of 300 bytes */
	memset(ascii, 'x', 300);
	ascii[300] = '\0';
	CHECK_EQ_INT(rec(&x, ACC_A, NOW + 3, "success", "pwd+sms", "a", ascii),
	    DB_OK);

	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 10, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 4);
	CHECK_EQ_INT(strlen(v.ua[0]), 200);		/* ASCII */
	CHECK(strspn(v.ua[0], "x") == 200);
	CHECK_EQ_INT(strlen(v.ua[1]), 198);		/* 66 ệ */
	CHECK(memcmp(v.ua[1], ua, 198) == 0);
	CHECK_EQ_INT(strlen(v.ua[2]), 200);		/* 100 é */
	CHECK_EQ_INT((unsigned char)v.ua[2][198], 0xc3);
	CHECK_EQ_INT((unsigned char)v.ua[2][199], 0xa9);
	CHECK_EQ_INT(strlen(v.ua[3]), 199);		/* "a" + 99 é */
	CHECK_STR(v.ua[3], want);
	/* the stored text is whole: no lone lead byte at the end */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM signins WHERE "
	    "hex(substr(CAST(user_agent AS BLOB), -1)) IN ('C3', 'E1', 'BB')"), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT MAX(length(CAST(user_agent AS "
	    "BLOB))) FROM signins"), 200);
	close_ctx(&x);
}

TEST(control_characters_replaced)
{
	struct ctx x;
	struct seen v;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "success", "pwd+sms", "a",
	    "Mozilla\r\nX-Evil: 1\tz\x01\x1f\x7f" "end \xc3\xa9"), DB_OK);
	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 1, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 1);
	CHECK_STR(v.ua[0], "Mozilla??X-Evil: 1?z???end \xc3\xa9");
	close_ctx(&x);
}

TEST(missing_address_and_user_agent_have_defaults)
{
	struct ctx x;
	struct seen v;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(rec(&x, ACC_A, NOW, "success", "pwd+sms", NULL, NULL), DB_OK);
	memset(&v, 0, sizeof(v));
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 1, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 1);
	CHECK_STR(v.addr[0], "unknown");
	CHECK_STR(v.ua[0], "");
	close_ctx(&x);
}

TEST(bad_arguments_refused)
{
	struct ctx x;
	struct signin s = { NOW, "success", "pwd", "a", "u" };
	int n = 0;
	struct seen v;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(signins_record(NULL, ACC_A, &s), DB_ERR);
	CHECK_EQ_INT(signins_record(x.c, NULL, &s), DB_ERR);
	CHECK_EQ_INT(signins_record(x.c, ACC_A, NULL), DB_ERR);
	s.outcome = NULL;
	CHECK_EQ_INT(signins_record(x.c, ACC_A, &s), DB_ERR);
	s.outcome = "success";
	s.method = NULL;
	CHECK_EQ_INT(signins_record(x.c, ACC_A, &s), DB_ERR);
	/* the account must exist (foreign key) */
	s.method = "pwd";
	CHECK(signins_record(x.c, "acc-nobody", &s) < 0);
	CHECK_EQ_INT(signins_count(x.c, ACC_A, "success", 0, NULL), DB_ERR);
	CHECK_EQ_INT(signins_count(x.c, ACC_A, NULL, 0, &n), DB_ERR);
	CHECK_EQ_INT(signins_foreach(x.c, ACC_A, 5, NULL, &v), DB_ERR);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM signins"), 0);
	close_ctx(&x);
}

T_MAIN(
	T(listed_newest_first_with_limit_and_per_account),
	T(same_second_listed_in_reverse_order_written),
	T(count_by_outcome_and_since),
	T(user_agent_cut_at_200_bytes_on_a_utf8_boundary),
	T(control_characters_replaced),
	T(missing_address_and_user_agent_have_defaults),
	T(bad_arguments_refused)
)
