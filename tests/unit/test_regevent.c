/*
 * test_regevent: unit tests for registry change events (regevent): each type
 * changes the record, a repeated event_id is acknowledged and never applied
 * twice, bad or inconsistent data is refused and changes nothing.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

#include "audit.h"
#include "base.h"
#include "db.h"
#include "regevent.h"
#include "registry.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15 */

#define ROW_AN "001090000001,Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH "079195000002,Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"

/* The fixture with An and Binh imported a year before NOW. */
static int
fx_open(struct fixture *f)
{
	return fixture_open(f, "test_regevent") == 0 &&
	    fixture_import(f, ROW_AN ROW_BINH, NOW - 86400 * 365) == 2 ? 0 : -1;
}

static int
superseded(struct fixture *f, const char *card)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -100;
	rc = registry_card_superseded(c, card);
	db_release(f->db, c);
	return rc;
}

static long long
count_events(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM registry_events");
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* A new event; -1 if any field does not set. Pairs of field, value, NULL. */
static int
make(struct registry_event *ev, const char *id, enum registry_event_type t,
    const char *pid, ...)
{
	char why[200];
	const char *k, *v;
	va_list ap;
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	ev->type = t;
	snprintf(ev->personal_id, sizeof(ev->personal_id), "%s", pid);
	if (registry_event_set_id(ev, id, why, sizeof(why)) != 0)
		return -1;
	va_start(ap, pid);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (registry_event_set(ev, k, v, strlen(v), why, sizeof(why)) != 0) {
			fprintf(stderr, "  set %s=%s: %s\n", k, v, why);
			rc = -1;
		}
	}
	va_end(ap);
	return rc;
}

static int
apply(struct fixture *f, const struct registry_event *ev, bool *dup, char *why,
    size_t wsz)
{
	*dup = false;
	return registry_apply_event(f->db, f->seal, ev, "test", NOW, NULL, dup, why,
	    wsz);
}

TEST(death_applies)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200], sub[AUDIT_HASH_HEX], sql[512];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(make(&ev, "death-1", REG_EV_DEATH, "001090000001",
	    "date_of_death", "2026-12-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.status, "deceased");
	CHECK_STR(p.date_of_death, "2026-12-01");
	CHECK_STR(p.full_name, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	/* The other person is untouched. */
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_STR(p.date_of_death, "");
	CHECK_EQ_INT(count_events(&f), 1);
	/* Audited once, under the person's pseudonym; a repeat adds nothing. */
	audit_pseudonym(f.seal, "001090000001", sub);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE "
	    "event = 'registry_event_applied' AND actor = 'client:test' AND "
	    "subject = '%s' AND details = '{\"event_id\":\"death-1\","
	    "\"type\":\"death\"}'", sub);
	CHECK_EQ_INT(fixture_count(&f, sql), 1);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(dup);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM audit_log"), 1);
	fixture_close(&f);
}

TEST(card_reissued_applies)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(superseded(&f, "001090000001"), 0);
	CHECK_EQ_INT(make(&ev, "card-1", REG_EV_CARD_REISSUED, "001090000001",
	    "card_number", "001090000777", "card_issued_on", "2026-06-01",
	    "card_expires_on", "2036-05-17", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.card_number, "001090000777");
	CHECK_STR(p.card_issued_on, "2026-06-01");
	CHECK_STR(p.card_expires_on, "2036-05-17");
	CHECK_STR(p.status, "living");
	CHECK_EQ_INT(superseded(&f, "001090000001"), 1);
	CHECK_EQ_INT(superseded(&f, "001090000777"), 0);

	/* Reissue to the current card, or back to a replaced one: refused. */
	CHECK_EQ_INT(make(&ev, "card-2", REG_EV_CARD_REISSUED, "001090000001",
	    "card_number", "001090000777", "card_issued_on", "2026-07-01",
	    "card_expires_on", "2036-07-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	CHECK(contains(why, "card_number"));
	CHECK_EQ_INT(make(&ev, "card-3", REG_EV_CARD_REISSUED, "001090000001",
	    "card_number", "001090000001", "card_issued_on", "2026-07-01",
	    "card_expires_on", "2036-07-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	CHECK(contains(why, "card_number"));
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.card_number, "001090000777");
	CHECK_STR(p.card_issued_on, "2026-06-01");
	CHECK_EQ_INT(count_events(&f), 1);

	/* A second reissue: both earlier cards are superseded. */
	CHECK_EQ_INT(make(&ev, "card-4", REG_EV_CARD_REISSUED, "001090000001",
	    "card_number", "123456789", "card_issued_on", "2026-08-01",
	    "card_expires_on", "2036-08-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK_EQ_INT(superseded(&f, "001090000001"), 1);
	CHECK_EQ_INT(superseded(&f, "001090000777"), 1);
	CHECK_EQ_INT(superseded(&f, "123456789"), 0);
	fixture_close(&f);
}

TEST(card_of_another_person_refused)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	/* Bình's current card cannot become An's. */
	CHECK_EQ_INT(make(&ev, "steal-1", REG_EV_CARD_REISSUED, "001090000001",
	    "card_number", "079195000002", "card_issued_on", "2026-06-01",
	    "card_expires_on", "2036-05-17", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	CHECK(contains(why, "another person"));
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.card_number, "001090000001");
	CHECK_EQ_INT(count_events(&f), 0);
	fixture_close(&f);
}

TEST(card_reissued_dates_checked)
{
	static const struct {
		const char *issued, *expires;
	} bad[] = {
		{ "2026-06-01", "2026-05-31" },	/* expires before issue */
		{ "1990-05-16", "2036-01-01" },	/* issued before birth */
		{ "2027-01-16", "2037-01-16" },	/* issued in the future */
	};
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200], id[32];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(id, sizeof(id), "bad-card-%zu", i);
		CHECK_EQ_INT(make(&ev, id, REG_EV_CARD_REISSUED, "001090000001",
		    "card_number", "001090000777", "card_issued_on", bad[i].issued,
		    "card_expires_on", bad[i].expires, NULL), 0);
		CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
		CHECK(contains(why, "card"));
	}
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.card_number, "001090000001");
	CHECK_EQ_INT(superseded(&f, "001090000001"), 0);
	CHECK_EQ_INT(count_events(&f), 0);
	fixture_close(&f);
}

#define NAME_NFD "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hoa"
#define NAME_NFC "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa"

TEST(name_changed_applies_nfc)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(make(&ev, "name-1", REG_EV_NAME_CHANGED, "079195000002",
	    "full_name", "  " NAME_NFD " ", NULL), 0);
	CHECK_STR(ev.full_name, NAME_NFC);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.full_name, NAME_NFC);
	CHECK_STR(p.residence, "Qu\xe1\xba\xadn 1");
	fixture_close(&f);
}

TEST(residence_changed_applies)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(make(&ev, "res-1", REG_EV_RESIDENCE_CHANGED, "079195000002",
	    "residence", "12 L\xc3\xaa L\xe1\xbb\xa3i, Qu\xe1\xba\xadn 1", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.residence, "12 L\xc3\xaa L\xe1\xbb\xa3i, Qu\xe1\xba\xadn 1");
	CHECK_STR(p.full_name, "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh");
	fixture_close(&f);
}

static int hook_calls;

static int
count_hook(struct db_conn *c, const struct seal *seal,
    const struct registry_event *ev, int64_t now, void *arg)
{
	UNUSED(c);
	UNUSED(seal);
	UNUSED(ev);
	UNUSED(now);
	hook_calls++;
	return arg != NULL ? *(const int *)arg : DB_OK;
}

TEST(repeated_event_id_applies_once)
{
	struct registry_hooks hooks = { count_hook, NULL };
	struct registry_event n1, n2;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	hook_calls = 0;
	CHECK_EQ_INT(make(&n1, "n-1", REG_EV_NAME_CHANGED, "001090000001",
	    "full_name", "T\xc3\xaan M\xe1\xbb\x99t", NULL), 0);
	CHECK_EQ_INT(make(&n2, "n-2", REG_EV_NAME_CHANGED, "001090000001",
	    "full_name", "T\xc3\xaan Hai", NULL), 0);
	CHECK_EQ_INT(registry_apply_event(f.db, f.seal, &n1, "test", NOW, &hooks, &dup,
	    why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(hook_calls, 1);
	CHECK_EQ_INT(registry_apply_event(f.db, f.seal, &n1, "test", NOW, &hooks, &dup,
	    why, sizeof(why)), DB_OK);
	CHECK(dup);
	CHECK_EQ_INT(hook_calls, 1);
	/* Another event changes the name; then n-1 arrives again. */
	CHECK_EQ_INT(registry_apply_event(f.db, f.seal, &n2, "test", NOW, &hooks, &dup,
	    why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(hook_calls, 2);
	CHECK_EQ_INT(registry_apply_event(f.db, f.seal, &n1, "test", NOW + 60, &hooks, &dup,
	    why, sizeof(why)), DB_OK);
	CHECK(dup);
	CHECK_EQ_INT(hook_calls, 2);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.full_name, "T\xc3\xaan Hai");
	CHECK_EQ_INT(count_events(&f), 2);

	/* The same for a death: once, then acknowledged. */
	CHECK_EQ_INT(make(&n1, "d-1", REG_EV_DEATH, "079195000002",
	    "date_of_death", "2026-01-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &n1, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(apply(&f, &n1, &dup, why, sizeof(why)), DB_OK);
	CHECK(dup);
	CHECK_EQ_INT(count_events(&f), 3);
	fixture_close(&f);
}

TEST(same_event_id_different_content)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(make(&ev, "x-1", REG_EV_NAME_CHANGED, "001090000001",
	    "full_name", "T\xc3\xaan M\xe1\xbb\x99t", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	/* Other data. */
	CHECK_EQ_INT(make(&ev, "x-1", REG_EV_NAME_CHANGED, "001090000001",
	    "full_name", "T\xc3\xaan Kh\xc3\xa1" "c", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	CHECK(!dup);
	CHECK(contains(why, "event_id"));
	/* Another person. */
	CHECK_EQ_INT(make(&ev, "x-1", REG_EV_NAME_CHANGED, "079195000002",
	    "full_name", "T\xc3\xaan M\xe1\xbb\x99t", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	/* Another type. */
	CHECK_EQ_INT(make(&ev, "x-1", REG_EV_RESIDENCE_CHANGED, "001090000001",
	    "residence", "T\xc3\xaan M\xe1\xbb\x99t", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.full_name, "T\xc3\xaan M\xe1\xbb\x99t");
	CHECK_STR(p.residence, "Ho\xc3\xa0n Ki\xe1\xba\xbfm");
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.full_name, "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh");
	CHECK_EQ_INT(count_events(&f), 1);
	fixture_close(&f);
}

TEST(unknown_person)
{
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(make(&ev, "u-1", REG_EV_DEATH, "001090999999",
	    "date_of_death", "2026-01-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_NOT_FOUND);
	CHECK(!dup);
	CHECK_EQ_INT(count_events(&f), 0);
	CHECK_EQ_INT(make(&ev, "u-2", REG_EV_NAME_CHANGED, "001090999999",
	    "full_name", "Ai", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_NOT_FOUND);
	/* The refused id was not recorded: it can still be used. */
	CHECK_EQ_INT(make(&ev, "u-1", REG_EV_DEATH, "001090000001",
	    "date_of_death", "2026-01-01", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK(!dup);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.status, "deceased");
	fixture_close(&f);
}

TEST(missing_fields)
{
	static const struct {
		enum registry_event_type type;
		const char *k1, *v1, *k2, *v2, *missing;
	} cases[] = {
		{ REG_EV_DEATH, NULL, NULL, NULL, NULL, "date_of_death" },
		{ REG_EV_CARD_REISSUED, NULL, NULL, NULL, NULL, "card_number" },
		{ REG_EV_CARD_REISSUED, "card_number", "001090000777",
		    "card_expires_on", "2036-01-01", "card_issued_on" },
		{ REG_EV_CARD_REISSUED, "card_number", "001090000777",
		    "card_issued_on", "2026-01-01", "card_expires_on" },
		{ REG_EV_CARD_REISSUED, "card_issued_on", "2026-01-01",
		    "card_expires_on", "2036-01-01", "card_number" },
		{ REG_EV_NAME_CHANGED, NULL, NULL, NULL, NULL, "full_name" },
		{ REG_EV_RESIDENCE_CHANGED, NULL, NULL, NULL, NULL, "residence" },
	};
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200], id[32];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;
		snprintf(id, sizeof(id), "m-%zu", i);
		if (cases[i].k2 != NULL)
			rc = make(&ev, id, cases[i].type, "001090000001", cases[i].k1,
			    cases[i].v1, cases[i].k2, cases[i].v2, NULL);
		else
			rc = make(&ev, id, cases[i].type, "001090000001", NULL);
		CHECK_EQ_INT(rc, 0);
		why[0] = '\0';
		rc = apply(&f, &ev, &dup, why, sizeof(why));
		if (rc != REG_INVALID || !contains(why, cases[i].missing))
			fprintf(stderr, "  case %zu: rc %d \"%s\"\n", i, rc, why);
		CHECK_EQ_INT(rc, REG_INVALID);
		CHECK(contains(why, cases[i].missing));
	}
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_STR(p.card_number, "001090000001");
	CHECK_STR(p.full_name, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	CHECK_EQ_INT(count_events(&f), 0);
	fixture_close(&f);
}

TEST(set_refuses_other_fields_and_bad_values)
{
	static const struct {
		enum registry_event_type type;
		const char *field, *value;
	} bad[] = {
		{ REG_EV_DEATH, "full_name", "Ai" },
		{ REG_EV_DEATH, "residence", "Hue" },
		{ REG_EV_DEATH, "card_number", "123456789" },
		{ REG_EV_DEATH, "card_issued_on", "2026-01-01" },
		{ REG_EV_DEATH, "date_of_death", "2026-02-30" },
		{ REG_EV_DEATH, "date_of_death", "01/01/2026" },
		{ REG_EV_DEATH, "status", "deceased" },
		{ REG_EV_CARD_REISSUED, "date_of_death", "2026-01-01" },
		{ REG_EV_CARD_REISSUED, "full_name", "Ai" },
		{ REG_EV_CARD_REISSUED, "card_number", "12345" },
		{ REG_EV_CARD_REISSUED, "card_number", "12345678x" },
		{ REG_EV_CARD_REISSUED, "card_issued_on", "2026-13-01" },
		{ REG_EV_CARD_REISSUED, "card_expires_on", "" },
		{ REG_EV_NAME_CHANGED, "residence", "Hue" },
		{ REG_EV_NAME_CHANGED, "date_of_death", "2026-01-01" },
		{ REG_EV_NAME_CHANGED, "full_name", "" },
		{ REG_EV_NAME_CHANGED, "full_name", "A\xc3" },
		{ REG_EV_NAME_CHANGED, "full_name", "A\nB" },
		{ REG_EV_NAME_CHANGED, "personal_id", "001090000001" },
		{ REG_EV_RESIDENCE_CHANGED, "full_name", "Ai" },
		{ REG_EV_RESIDENCE_CHANGED, "card_number", "123456789" },
		{ REG_EV_RESIDENCE_CHANGED, "residence", "\xed\xa0\x80" },
		{ REG_EV_RESIDENCE_CHANGED, "residence", "   " },
		{ REG_EV_RESIDENCE_CHANGED, "", "x" },
	};
	struct registry_event ev;
	char why[200];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int rc;
		memset(&ev, 0, sizeof(ev));
		ev.type = bad[i].type;
		why[0] = '\0';
		rc = registry_event_set(&ev, bad[i].field, bad[i].value,
		    strlen(bad[i].value), why, sizeof(why));
		if (rc == 0)
			fprintf(stderr, "  case %zu (%s %s=%s) accepted\n", i,
			    registry_event_type_name(bad[i].type), bad[i].field,
			    bad[i].value);
		CHECK_EQ_INT(rc, -1);
		CHECK(why[0] != '\0');
		CHECK(contains(why, bad[i].field));
		/* Nothing of the event was set. */
		CHECK(ev.date_of_death[0] == '\0' && ev.card_number[0] == '\0' &&
		    ev.full_name[0] == '\0' && ev.residence[0] == '\0' &&
		    ev.card_issued_on[0] == '\0' && ev.card_expires_on[0] == '\0');
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = REG_EV_DEATH;
	CHECK_EQ_INT(registry_event_set(&ev, "full_name", "Ai", 2, why,
	    sizeof(why)), -1);
	CHECK(contains(why, "death"));
}

TEST(date_of_death_bounds)
{
	static const char *const bad[] = {
		"1990-05-16",	/* the day before birth */
		"1950-01-01",
		"2027-01-16",	/* the day after today */
		"2100-01-01",
	};
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200], id[32];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(id, sizeof(id), "dd-%zu", i);
		CHECK_EQ_INT(make(&ev, id, REG_EV_DEATH, "001090000001",
		    "date_of_death", bad[i], NULL), 0);
		CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), REG_INVALID);
		CHECK(contains(why, "date_of_death"));
	}
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_STR(p.date_of_death, "");
	CHECK_EQ_INT(count_events(&f), 0);
	/* The day of birth and today are both possible. */
	CHECK_EQ_INT(make(&ev, "dd-ok-1", REG_EV_DEATH, "001090000001",
	    "date_of_death", "1990-05-17", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK_EQ_INT(make(&ev, "dd-ok-2", REG_EV_DEATH, "079195000002",
	    "date_of_death", "2027-01-15", NULL), 0);
	CHECK_EQ_INT(apply(&f, &ev, &dup, why, sizeof(why)), DB_OK);
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.date_of_death, "2027-01-15");
	fixture_close(&f);
}

TEST(failing_hook_rolls_back)
{
	int fail = DB_ERR;
	struct registry_hooks hooks = { count_hook, &fail };
	struct registry_event ev;
	struct fixture f;
	struct person p;
	char why[200];
	bool dup;

	CHECK_EQ_INT(fx_open(&f), 0);
	hook_calls = 0;
	CHECK_EQ_INT(make(&ev, "h-1", REG_EV_DEATH, "001090000001",
	    "date_of_death", "2026-01-01", NULL), 0);
	CHECK(registry_apply_event(f.db, f.seal, &ev, "test", NOW, &hooks, &dup, why,
	    sizeof(why)) != DB_OK);
	CHECK_EQ_INT(hook_calls, 1);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_EQ_INT(count_events(&f), 0);
	fixture_close(&f);
}

TEST(type_names_round_trip)
{
	static const struct {
		const char *name;
		enum registry_event_type type;
	} names[] = {
		{ "death", REG_EV_DEATH },
		{ "card_reissued", REG_EV_CARD_REISSUED },
		{ "name_changed", REG_EV_NAME_CHANGED },
		{ "residence_changed", REG_EV_RESIDENCE_CHANGED },
	};
	static const char *const bad[] = {
		"", "Death", "DEATH", "deaths", "death ", " death", "card-reissued",
		"name", "unknown", "residence_change",
	};
	enum registry_event_type t;

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		t = (enum registry_event_type)99;
		CHECK_EQ_INT(registry_event_type_parse(names[i].name, &t), 0);
		CHECK_EQ_INT(t, names[i].type);
		CHECK_STR(registry_event_type_name(t), names[i].name);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		CHECK_EQ_INT(registry_event_type_parse(bad[i], &t), -1);
	CHECK_EQ_INT(registry_event_type_parse(NULL, &t), -1);
	CHECK_STR(registry_event_type_name((enum registry_event_type)4), "unknown");
}

TEST(event_id_validation)
{
	char id65[66], id64[65], why[200];
	struct registry_event ev;
	static const char *const bad[] = {
		"", " ", "a b", " a", "a ", "a\tb", "a\nb", "\x7f", "caf\xc3\xa9",
		"\xe2\x80\x8b", "a\x01",
	};
	static const char *const good[] = {
		"a", "evt-2024-01-01T00:00:00Z", "~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}",
		"550e8400-e29b-41d4-a716-446655440000",
	};

	memset(id65, 'e', 65);
	id65[65] = '\0';
	memset(id64, 'e', 64);
	id64[64] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&ev, 0, sizeof(ev));
		why[0] = '\0';
		if (registry_event_set_id(&ev, bad[i], why, sizeof(why)) == 0)
			fprintf(stderr, "  id %zu accepted\n", i);
		CHECK_EQ_INT(registry_event_set_id(&ev, bad[i], why, sizeof(why)), -1);
		CHECK(contains(why, "event_id"));
		CHECK_STR(ev.event_id, "");
	}
	CHECK_EQ_INT(registry_event_set_id(&ev, NULL, why, sizeof(why)), -1);
	CHECK_EQ_INT(registry_event_set_id(&ev, id65, why, sizeof(why)), -1);
	CHECK_STR(ev.event_id, "");
	CHECK_EQ_INT(registry_event_set_id(&ev, id64, why, sizeof(why)), 0);
	CHECK_STR(ev.event_id, id64);
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		CHECK_EQ_INT(registry_event_set_id(&ev, good[i], why, sizeof(why)), 0);
		CHECK_STR(ev.event_id, good[i]);
	}
}

T_MAIN(T(death_applies), T(card_reissued_applies),
    T(card_of_another_person_refused), T(card_reissued_dates_checked), T(name_changed_applies_nfc),
    T(residence_changed_applies), T(repeated_event_id_applies_once),
    T(same_event_id_different_content), T(unknown_person), T(missing_fields),
    T(set_refuses_other_fields_and_bad_values), T(date_of_death_bounds),
    T(failing_hook_rolls_back), T(type_names_round_trip),
    T(event_id_validation))
