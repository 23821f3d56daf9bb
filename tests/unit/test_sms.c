/*
 * test_sms: unit tests for the SMS gateway: the outbox gateway writes in the
 * caller's transaction (rolled back: nothing; committed: stored), the
 * per-phone count over time, and the listing's order and phone filter.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "db.h"
#include "sms.h"

#define NOW INT64_C(1800000000)
#define PHONE_A "+84912345678"
#define PHONE_B "+84356789012"

struct seen {
	int n;
	int64_t at[8];
	char phone[8][16];
	char body[8][64];
};

static void
collect(int64_t at, const char *phone, const char *body, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->at[s->n] = at;
		snprintf(s->phone[s->n], sizeof(s->phone[0]), "%s", phone);
		snprintf(s->body[s->n], sizeof(s->body[0]), "%s", body);
	}
	s->n++;
}

/* Sends one message through the outbox gateway in its own committed transaction. */
static int
send_committed(struct fixture *f, const char *phone, const char *body, int64_t at)
{
	struct db_conn *c = db_acquire(f->db);
	struct sms_gateway g;
	int rc;

	if (c == NULL)
		return -100;
	g = sms_outbox_gateway(c);
	if ((rc = db_begin(c)) == DB_OK) {
		rc = sms_send(&g, phone, body, "login", at);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(f->db, c);
	return rc;
}

static int
count_since(struct fixture *f, const char *phone, int64_t since)
{
	struct db_conn *c = db_acquire(f->db);
	int n = -1, rc;

	if (c == NULL)
		return -100;
	rc = sms_count_since(c, phone, since, &n);
	db_release(f->db, c);
	return rc == DB_OK ? n : rc;
}

TEST(rolled_back_send_stores_nothing)
{
	struct fixture f;
	struct db_conn *c;
	struct sms_gateway g;

	CHECK_EQ_INT(fixture_open(&f, "test_sms"), 0);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c != NULL) {
		g = sms_outbox_gateway(c);
		CHECK_EQ_INT(db_begin(c), DB_OK);
		CHECK_EQ_INT(sms_send(&g, PHONE_A, "Ma xac thuc: 123456", "login", NOW),
		    DB_OK);
		db_rollback(c);
		db_release(f.db, c);
	}
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM sms_outbox"), 0);
	fixture_close(&f);
}

TEST(committed_send_is_stored_normalised)
{
	struct fixture f;

	CHECK_EQ_INT(fixture_open(&f, "test_sms"), 0);
	CHECK_EQ_INT(send_committed(&f, "091 234 5678", "Ma xac thuc: 654321", NOW),
	    DB_OK);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM sms_outbox "
	    "WHERE phone = '+84912345678' AND body = 'Ma xac thuc: 654321' "
	    "AND purpose = 'login' AND created_at = 1800000000"), 1);
	CHECK_EQ_INT(send_committed(&f, "0243825678", "x", NOW), SMS_BAD_PHONE);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "", NOW), SMS_BAD_MESSAGE);
	CHECK_EQ_INT(fixture_count(&f, "SELECT COUNT(*) FROM sms_outbox"), 1);
	fixture_close(&f);
}

TEST(count_since_per_phone_and_time)
{
	struct fixture f;

	CHECK_EQ_INT(fixture_open(&f, "test_sms"), 0);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "a1", NOW - 7200), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "a2", NOW - 3600), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "a3", NOW - 10), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_B, "b1", NOW - 10), DB_OK);
	CHECK_EQ_INT(count_since(&f, PHONE_A, NOW - 3600), 2);
	CHECK_EQ_INT(count_since(&f, PHONE_A, NOW - 3599), 1);
	CHECK_EQ_INT(count_since(&f, PHONE_A, 0), 3);
	CHECK_EQ_INT(count_since(&f, "0912345678", NOW - 3600), 2);
	CHECK_EQ_INT(count_since(&f, PHONE_B, NOW - 3600), 1);
	CHECK_EQ_INT(count_since(&f, "+84981112223", 0), 0);
	CHECK_EQ_INT(count_since(&f, PHONE_A, NOW + 1), 0);
	CHECK_EQ_INT(count_since(&f, "abc", 0), SMS_BAD_PHONE);
	fixture_close(&f);
}

TEST(foreach_oldest_first_and_filtered)
{
	struct fixture f;
	struct seen s = { 0 };

	CHECK_EQ_INT(fixture_open(&f, "test_sms"), 0);
	/* Written out of time order; two at the same second keep write order. */
	CHECK_EQ_INT(send_committed(&f, PHONE_B, "third", NOW + 20), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "first", NOW), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "second", NOW + 20), DB_OK);
	CHECK_EQ_INT(send_committed(&f, PHONE_A, "fourth", NOW + 30), DB_OK);
	CHECK_EQ_INT(sms_foreach(f.db, NULL, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 4);
	CHECK_STR(s.body[0], "first");
	CHECK_EQ_INT(s.at[0], NOW);
	CHECK_STR(s.phone[0], PHONE_A);
	CHECK_STR(s.body[1], "third");
	CHECK_STR(s.phone[1], PHONE_B);
	CHECK_STR(s.body[2], "second");
	CHECK_STR(s.body[3], "fourth");
	CHECK_EQ_INT(s.at[3], NOW + 30);

	s.n = 0;
	CHECK_EQ_INT(sms_foreach(f.db, "0912 345 678", collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 3);
	CHECK_STR(s.body[0], "first");
	CHECK_STR(s.body[1], "second");
	CHECK_STR(s.body[2], "fourth");

	s.n = 0;
	CHECK_EQ_INT(sms_foreach(f.db, "+84981112223", collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 0);
	CHECK_EQ_INT(sms_foreach(f.db, "abc", collect, &s), SMS_BAD_PHONE);
	CHECK_EQ_INT(s.n, 0);
	fixture_close(&f);
}

T_MAIN(T(rolled_back_send_stores_nothing), T(committed_send_is_stored_normalised),
    T(count_since_per_phone_and_time), T(foreach_oldest_first_and_filtered))
