/*
 * test_disclosures: the disclosure log (an entry is written only with its
 * transaction; listing newest first, by page and by service; an empty
 * release refused).
 */
#include "t.h"
#include "fixture.h"

#include <string.h>

#include "disclosures.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ACC "acc-an"

static int
setup(struct fixture *f, const char *name)
{
	if (fixture_open(f, name) != 0 || fixture_import(f, ROW, NOW - 86400) != 1)
		return -1;
	return fixture_exec(f, "INSERT INTO accounts (account_id, personal_id, level, "
	    "phone, password_hash, status, created_at) VALUES ('" ACC "', '" PID
	    "', 2, '+84912345678', '', 'active', 0)");
}

/* Records one entry in its own transaction; commit or roll back. */
static int
record(struct fixture *f, const char *client, const char *attrs, int64_t at,
    int commit)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) == DB_OK) {
		rc = disclosures_record(c, ACC, client, "Portal", attrs,
		    DISC_USERINFO, "", at);
		if (rc == DB_OK && commit)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(f->db, c);
	return rc;
}

struct seen {
	char client[8][48];
	int64_t at[8];
	size_t n;
};

static int
collect(const struct disclosure *d, void *arg)
{
	struct seen *s = arg;

	if (s->n == 8)
		return 1;
	snprintf(s->client[s->n], sizeof(s->client[0]), "%s", d->client_id);
	s->at[s->n++] = d->at;
	return 0;
}

TEST(record_and_list)
{
	struct fixture f;
	struct seen s;

	CHECK(setup(&f, "test_disclosures_list") == 0);
	CHECK_EQ_INT(record(&f, "c_a", "name birthdate gender", NOW, 1), DB_OK);
	CHECK_EQ_INT(record(&f, "c_b", "personal_id", NOW + 1, 1), DB_OK);
	CHECK_EQ_INT(record(&f, "c_a", "phone_number", NOW + 2, 1), DB_OK);
	/* rolled back with its transaction: no entry */
	CHECK_EQ_INT(record(&f, "c_a", "name", NOW + 3, 0), DB_OK);
	/* a release of nothing is no release */
	CHECK_EQ_INT(record(&f, "c_a", "", NOW + 4, 1), DB_ERR);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM disclosures"), 3);
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(disclosures_foreach(f.db, ACC, NULL, 0, 10, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 3);
	CHECK(s.at[0] == NOW + 2 && s.at[1] == NOW + 1 && s.at[2] == NOW);
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(disclosures_foreach(f.db, ACC, "c_a", 0, 10, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 2);
	CHECK_STR(s.client[1], "c_a");
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(disclosures_foreach(f.db, ACC, "", 1, 1, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 1);
	CHECK_STR(s.client[0], "c_b");
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(disclosures_foreach(f.db, "other", NULL, 0, 10, collect, &s), DB_OK);
	CHECK_EQ_INT(s.n, 0);
	fixture_close(&f);
}

/* Whether that release was recorded at `since` or later. */
static bool
since(struct fixture *f, const char *client, const char *channel,
    const char *attrs, int64_t t)
{
	struct db_conn *c = db_acquire(f->db);
	bool found = true;

	if (c == NULL || disclosures_recorded_since(c, ACC, client, channel,
	    attrs, t, &found) != DB_OK)
		found = true;	/* fails the checks that want false */
	if (c != NULL)
		db_release(f->db, c);
	return found;
}

TEST(recorded_since)
{
	struct fixture f;
	struct db_conn *c;
	bool found = true;

	CHECK(setup(&f, "test_disclosures_since") == 0);
	CHECK(!since(&f, "c_a", DISC_USERINFO, "name birthdate", NOW));
	CHECK_EQ_INT(record(&f, "c_a", "name birthdate", NOW + 5, 1), DB_OK);
	CHECK(since(&f, "c_a", DISC_USERINFO, "name birthdate", NOW));
	CHECK(since(&f, "c_a", DISC_USERINFO, "name birthdate", NOW + 5));
	/* later, another service, another channel, other claims: not that one */
	CHECK(!since(&f, "c_a", DISC_USERINFO, "name birthdate", NOW + 6));
	CHECK(!since(&f, "c_b", DISC_USERINFO, "name birthdate", NOW));
	CHECK(!since(&f, "c_a", "id_token", "name birthdate", NOW));
	CHECK(!since(&f, "c_a", DISC_USERINFO, "name", NOW));
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_EQ_INT(disclosures_recorded_since(c, NULL, "c_a", DISC_USERINFO,
		    "name", NOW, &found), DB_ERR);
		CHECK(!found);
		db_release(f.db, c);
	}
	fixture_close(&f);
}

T_MAIN(T(record_and_list), T(recorded_since))
