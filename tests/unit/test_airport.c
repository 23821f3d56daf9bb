/*
 * test_airport: the live checks over a real credential issued from a
 * fixture database: acceptance with its disclosure entry, replay (and no
 * second entry), revocation, a locked account, a death, a credential the
 * server never issued, pruning of seen ids, 50 threads verifying one
 * presentation at once (one acceptance), and the statements of one
 * verification (all in its one transaction).
 */
#include "t.h"
#include "fixture.h"
#include "presfix.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "airport.h"
#include "clock.h"
#include "credentials.h"
#include "keys.h"
#include "registry.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define THREADS 50

struct env {
	struct fixture f;
	struct clock *clock;
	struct keys_cache *cache;
	struct jws_key *dev;
	struct device d;
	char *cred;
};

static int
env_up(struct env *e)
{
	struct keyring *ring;
	int64_t exp;
	int rc;

	memset(e, 0, sizeof(*e));
	if (fixture_open(&e->f, "test_airport") != 0 ||
	    (e->clock = clock_new_test(NOW)) == NULL ||
	    (e->dev = presfix_key("dev")) == NULL ||
	    presfix_citizen(&e->f, ROW, PID, e->dev, NOW, &e->d) != 0 ||
	    keys_cache_new(e->f.db, e->f.seal, e->clock, CRED_KEYS_PURPOSE,
	    &e->cache) != 0)
		return -1;
	ring = keys_cache_ring(e->cache);
	rc = credentials_issue(e->f.db, keyring_signing_key(ring, JWS_EDDSA),
	    "http://127.0.0.1", &e->d, NOW, &e->cred, &exp);
	keyring_release(ring);
	return rc;
}

static void
env_down(struct env *e)
{
	free(e->cred);
	keys_cache_free(e->cache);
	jws_key_free(e->dev);
	clock_free(e->clock);
	fixture_close(&e->f);
}

static const struct jws_key *
ring_key(void *arg, const char *kid)
{
	return keyring_find_kid(arg, kid);
}

/* The offline checks of a fresh presentation (jti) of cred as of now. */
static enum pres_reason
check(struct env *e, const char *cred, const char *jti, int64_t now,
    struct pres_result *r)
{
	struct keyring *ring = keys_cache_ring(e->cache);
	char *p = presfix_present(e->dev, cred, now, jti, PRES_TYP);

	(void)presentation_check(p, p != NULL ? strlen(p) : 0, now, ring_key, ring, r);
	keyring_release(ring);
	free(p);
	return r->reason;
}

/* The full verdict of a fresh presentation (jti) as of now. */
static int
verify(struct env *e, const char *jti, int64_t now)
{
	struct pres_result r;

	if (check(e, e->cred, jti, now, &r) != PRES_ACCEPTED)
		return (int)r.reason;
	if (airport_verify(e->f.db, &r, "air-1", "S\xc3\xa2n bay N\xe1\xbb\x99i B\xc3\xa0i",
	    now) != DB_OK)
		return -1;
	return (int)r.reason;
}

TEST(accept_then_replay)
{
	struct env e;
	struct db_conn *c;
	json_t *log = NULL;

	CHECK(env_up(&e) == 0);
	CHECK_EQ_INT(verify(&e, "p1", NOW), PRES_ACCEPTED);
	CHECK_EQ_INT(verify(&e, "p1", NOW + 1), PRES_REPLAYED);
	CHECK_EQ_INT(verify(&e, "p2", NOW + 2), PRES_ACCEPTED);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM disclosures"), 2);
	c = db_acquire(e.f.db);
	CHECK(airport_disclosures(c, e.d.account_id, &log) == DB_OK);
	db_release(e.f.db, c);
	CHECK_EQ_INT(json_array_size(log), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(log, 0), "client_id")),
	    "air-1");
	CHECK_STR(json_string_value(json_object_get(json_array_get(log, 0), "channel")),
	    "airport_verify");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(log, 0), "at")),
	    NOW + 2);
	CHECK_EQ_INT(json_array_size(json_object_get(json_array_get(log, 0),
	    "attributes")), 6);
	json_decref(log);
	/* Seen ids are pruned once past the window. */
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM airport_seen"), 2);
	CHECK_EQ_INT(verify(&e, "p3", NOW + AIRPORT_SEEN_KEEP + AIRPORT_PRUNE_EVERY),
	    PRES_ACCEPTED);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM airport_seen"), 1);
	env_down(&e);
}

/* Runs fn(c, e) in a transaction; 0 when it and the commit held. */
static int
in_tx(struct env *e, int (*fn)(struct db_conn *, struct env *))
{
	struct db_conn *c = db_acquire(e->f.db);
	int rc = -1;

	if (c != NULL && db_begin(c) == DB_OK) {
		if (fn(c, e) == DB_OK && db_commit(c) == DB_OK)
			rc = 0;
		else
			db_rollback(c);
	}
	db_release(e->f.db, c);
	return rc;
}

static int
revoke_device(struct db_conn *c, struct env *e)
{
	return credentials_revoke_device(c, e->f.seal, e->d.device_id, NOW);
}

static int
lock_account(struct db_conn *c, struct env *e)
{
	return accounts_set_status(c, e->d.account_id, "locked", "self", NOW);
}

static int
die(struct db_conn *c, struct env *e)
{
	(void)e;
	return registry_set_deceased(c, PID, "2027-01-01", NOW);
}

TEST(live_reasons)
{
	struct env e;

	CHECK(env_up(&e) == 0);
	CHECK(in_tx(&e, revoke_device) == 0);
	CHECK_EQ_INT(verify(&e, "p1", NOW), PRES_REVOKED);
	CHECK(in_tx(&e, lock_account) == 0);
	CHECK_EQ_INT(verify(&e, "p2", NOW), PRES_ACCOUNT_LOCKED);
	CHECK(in_tx(&e, die) == 0);
	CHECK_EQ_INT(verify(&e, "p3", NOW), PRES_DECEASED);
	/* Nothing was recorded for a refusal. */
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM disclosures"), 0);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM airport_seen"), 0);
	env_down(&e);
}

TEST(unknown_credential)
{
	struct env e;
	struct pres_result r;
	struct keyring *ring;
	char *cred;

	CHECK(env_up(&e) == 0);
	/* Signed with the server's credential key but never issued. */
	ring = keys_cache_ring(e.cache);
	cred = presfix_cred(keyring_signing_key(ring, JWS_EDDSA), e.dev, 2,
	    NOW + 3600, "never-issued", PID);
	keyring_release(ring);
	CHECK_EQ_INT(check(&e, cred, "p1", NOW, &r), PRES_ACCEPTED);
	CHECK(airport_verify(e.f.db, &r, "air-1", "air", NOW) == DB_OK);
	CHECK_EQ_INT(r.reason, PRES_REVOKED);
	free(cred);
	env_down(&e);
}

struct race {
	struct env *e;
	struct pres_result r;
	int rc;
};

static void *
race_one(void *arg)
{
	struct race *x = arg;

	x->rc = airport_verify(x->e->f.db, &x->r, "air-1", "air", NOW);
	return NULL;
}

TEST(parallel_once)
{
	static struct race x[THREADS];
	pthread_t th[THREADS];
	struct pres_result r;
	struct env e;
	int i, accepted = 0, replayed = 0;

	CHECK(env_up(&e) == 0);
	CHECK_EQ_INT(check(&e, e.cred, "same", NOW, &r), PRES_ACCEPTED);
	for (i = 0; i < THREADS; i++) {
		x[i].e = &e;
		x[i].r = r;
		CHECK(pthread_create(&th[i], NULL, race_one, &x[i]) == 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(x[i].rc, DB_OK);
		accepted += x[i].r.reason == PRES_ACCEPTED;
		replayed += x[i].r.reason == PRES_REPLAYED;
	}
	CHECK_EQ_INT(accepted, 1);
	CHECK_EQ_INT(replayed, THREADS - 1);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT count(*) FROM disclosures"), 1);
	env_down(&e);
}

/* What the statements of a connection did, seen through sqlite3_trace_v2. */
struct trace {
	int statements, begins, commits, outside;
};

static int
on_stmt(unsigned type, void *arg, void *p, void *x)
{
	struct trace *t = arg;
	const char *sql = x;

	(void)type;
	t->statements++;
	if (strncmp(sql, "BEGIN", 5) == 0)
		t->begins++;
	else if (strncmp(sql, "COMMIT", 6) == 0)
		t->commits++;
	if (strncmp(sql, "BEGIN", 5) != 0 &&
	    sqlite3_get_autocommit(sqlite3_db_handle(p)))
		t->outside++;	/* a statement that is its own transaction */
	return 0;
}

TEST(one_transaction)
{
	struct trace t = { 0, 0, 0, 0 };
	struct pres_result r;
	struct db_conn *c;
	struct env e;

	CHECK(env_up(&e) == 0);
	CHECK_EQ_INT(check(&e, e.cred, "p1", NOW + 1, &r), PRES_ACCEPTED);
	/* The pool hands the connection released last to the next caller. */
	c = db_acquire(e.f.db);
	CHECK(c != NULL);
	sqlite3_trace_v2(db_handle(c), SQLITE_TRACE_STMT, on_stmt, &t);
	db_release(e.f.db, c);
	CHECK(airport_verify(e.f.db, &r, "air-1", "air", NOW + 1) == DB_OK);
	CHECK_EQ_INT(r.reason, PRES_ACCEPTED);
	c = db_acquire(e.f.db);
	sqlite3_trace_v2(db_handle(c), 0, NULL, NULL);
	db_release(e.f.db, c);
	/* BEGIN, the credential, account and person, the two rows, COMMIT. */
	CHECK_EQ_INT(t.statements, 7);
	CHECK_EQ_INT(t.begins, 1);
	CHECK_EQ_INT(t.commits, 1);
	CHECK_EQ_INT(t.outside, 0);
	env_down(&e);
}

T_MAIN(T(accept_then_replay), T(live_reasons), T(unknown_credential),
    T(parallel_once), T(one_transaction))
