/*
 * test_sessions: unit tests for the sessions table: create and get, the
 * token never stored in clear, idle and absolute expiry on a moved clock,
 * the last_seen refresh only after 60 s, ending one and all sessions,
 * purging, malformed tokens, the kept User-Agent, and the device list's
 * order.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "db.h"
#include "sessions.h"

#define NOW INT64_C(1800000000)
#define ACC_A "accA"
#define ACC_B "accB"

struct env {
	struct fixture f;
	struct db_conn *c;
};

static int
add_account(struct fixture *f, const char *pid, const char *account_id)
{
	char sql[768];

	snprintf(sql, sizeof(sql), "INSERT INTO registry_people (personal_id, "
	    "full_name, birth_date, sex, nationality, place_of_origin, residence, "
	    "card_number, card_issued_on, card_expires_on, status, updated_at) "
	    "VALUES ('%s', 'Nguyen Van A', '1990-01-01', 'male', 'VN', 'Ha Noi', "
	    "'Ha Noi', 'C%s', '2021-01-01', '2036-01-01', 'living', 0)", pid, pid);
	if (fixture_exec(f, sql) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES ('%s', '%s', "
	    "1, '+84912345678', 'x', 'active', 0)", account_id, pid);
	return fixture_exec(f, sql);
}

/* A fixture with accounts ACC_A and ACC_B and a connection; 0 or -1. */
static int
env_open(struct env *e)
{
	e->c = NULL;
	if (fixture_open(&e->f, "test_sessions") != 0 ||
	    add_account(&e->f, "001090000001", ACC_A) != 0 ||
	    add_account(&e->f, "001090000002", ACC_B) != 0)
		return -1;
	e->c = db_acquire(e->f.db);
	return e->c != NULL ? 0 : -1;
}

static void
env_close(struct env *e)
{
	if (e->c != NULL)
		db_release(e->f.db, e->c);
	fixture_close(&e->f);
}

static int
create(struct env *e, const char *account_id, int64_t now,
    char token[SESSION_TOKEN_SIZE])
{
	return sessions_create(e->c, account_id, "pwd sms", "urn:dinhdanh:loa:1",
	    now - 5, "203.0.113.0/24", "Mozilla/5.0 (X11; Linux x86_64)", now,
	    token);
}

static long long
count(struct env *e, const char *fmt, const char *arg)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, arg);
	return fixture_count(&e->f, sql);
}

static int
get(struct env *e, const char *token, int64_t now, struct session *s)
{
	return sessions_get(e->c, token, NULL, now, s);
}

TEST(create_then_get)
{
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE], other[SESSION_TOKEN_SIZE];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	CHECK_EQ_INT(strlen(token), 43);
	CHECK_EQ_INT(get(&e, token, NOW + 1, &s), DB_OK);
	CHECK_STR(s.account_id, ACC_A);
	CHECK_STR(s.amr, "pwd sms");
	CHECK_STR(s.acr, "urn:dinhdanh:loa:1");
	CHECK_EQ_INT(s.created_at, NOW);
	CHECK_EQ_INT(s.last_seen, NOW);
	CHECK_EQ_INT(s.auth_time, NOW - 5);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, other), DB_OK);
	CHECK(strcmp(token, other) != 0);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions WHERE "
	    "addr = '203.0.113.0/24' AND user_agent = "
	    "'Mozilla/5.0 (X11; Linux x86_64)'"), 2);
	env_close(&e);
}

TEST(create_refuses_bad_input)
{
	struct env e;
	char token[SESSION_TOKEN_SIZE] = "x";
	char long_amr[80];

	memset(long_amr, 'a', sizeof(long_amr) - 1);
	long_amr[sizeof(long_amr) - 1] = '\0';
	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(sessions_create(e.c, NULL, "pwd", "1", NOW, "", "", NOW,
	    token), DB_ERR);
	CHECK_STR(token, "");
	CHECK_EQ_INT(sessions_create(e.c, "", "pwd", "1", NOW, "", "", NOW,
	    token), DB_ERR);
	CHECK_EQ_INT(sessions_create(e.c, ACC_A, long_amr, "1", NOW, "", "", NOW,
	    token), DB_ERR);
	CHECK_EQ_INT(sessions_create(e.c, ACC_A, "pwd", NULL, NOW, "", "", NOW,
	    token), DB_ERR);
	CHECK_EQ_INT(sessions_create(e.c, ACC_A, "pwd", "1", NOW, "", "", NOW,
	    NULL), DB_ERR);
	/* The foreign key: no session for an account that does not exist. */
	CHECK_EQ_INT(sessions_create(e.c, "nobody", "pwd", "1", NOW, "", "", NOW,
	    token), DB_CONSTRAINT);
	CHECK_STR(token, "");
	/* NULL addr and user agent are stored as "". */
	CHECK_EQ_INT(sessions_create(e.c, ACC_A, "pwd", "1", NOW, NULL, NULL, NOW,
	    token), DB_OK);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions WHERE "
	    "addr = '' AND user_agent = ''"), 1);
	env_close(&e);
}

TEST(token_not_stored_in_clear)
{
	struct env e;
	char token[SESSION_TOKEN_SIZE], hex[65];
	uint8_t h[32];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	CHECK_EQ_INT(count(&e, "SELECT COUNT(*) FROM sessions WHERE instr("
	    "id_hash || account_id || amr || acr || addr || user_agent, '%s') > 0",
	    token), 0);
	/* The first 16 characters are not there either. */
	token[16] = '\0';
	CHECK_EQ_INT(count(&e, "SELECT COUNT(*) FROM sessions WHERE instr("
	    "id_hash || account_id || amr || acr || addr || user_agent, '%s') > 0",
	    token), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	crypto_generichash(h, sizeof(h), (const uint8_t *)token, 43, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	CHECK_EQ_INT(count(&e, "SELECT COUNT(*) FROM sessions WHERE id_hash = '%s'",
	    hex), 1);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions WHERE "
	    "length(id_hash) = 64"), 2);
	env_close(&e);
}

TEST(idle_expiry)
{
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	/* Exactly the idle time is still live (and refreshes last_seen). */
	CHECK_EQ_INT(get(&e, token, NOW + 1800, &s), DB_OK);
	CHECK_EQ_INT(s.last_seen, NOW + 1800);
	CHECK_EQ_INT(get(&e, token, NOW + 3601, &s), SESS_NOT_FOUND);
	CHECK_STR(s.account_id, "");
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 0);
	/* Gone for good, even if the clock came back. */
	CHECK_EQ_INT(get(&e, token, NOW + 1800, &s), SESS_NOT_FOUND);
	env_close(&e);
}

TEST(absolute_expiry)
{
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE];
	int64_t t;

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	for (t = NOW + 1000; t <= NOW + 43200; t += 1000)
		CHECK_EQ_INT(get(&e, token, t, &s), DB_OK);
	CHECK_EQ_INT(get(&e, token, NOW + 43200, &s), DB_OK);
	CHECK_EQ_INT(get(&e, token, NOW + 43201, &s), SESS_NOT_FOUND);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 0);
	env_close(&e);
}

TEST(custom_limits)
{
	static const struct session_limits lim = { .idle = 100, .absolute = 250 };
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	CHECK_EQ_INT(sessions_get(e.c, token, &lim, NOW + 100, &s), DB_OK);
	CHECK_EQ_INT(sessions_get(e.c, token, &lim, NOW + 200, &s), DB_OK);
	CHECK_EQ_INT(sessions_get(e.c, token, &lim, NOW + 251, &s),
	    SESS_NOT_FOUND);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	CHECK_EQ_INT(sessions_get(e.c, token, &lim, NOW + 101, &s),
	    SESS_NOT_FOUND);
	env_close(&e);
}

TEST(refresh_only_after_60s)
{
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE];
	int before;

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	before = sqlite3_total_changes(db_handle(e.c));
	CHECK_EQ_INT(get(&e, token, NOW + 30, &s), DB_OK);
	CHECK_EQ_INT(get(&e, token, NOW + 60, &s), DB_OK);
	CHECK_EQ_INT(s.last_seen, NOW);
	CHECK_EQ_INT(sqlite3_total_changes(db_handle(e.c)), before);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT last_seen FROM sessions"), NOW);
	CHECK_EQ_INT(get(&e, token, NOW + 61, &s), DB_OK);
	CHECK_EQ_INT(s.last_seen, NOW + 61);
	CHECK_EQ_INT(sqlite3_total_changes(db_handle(e.c)), before + 1);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT last_seen FROM sessions"),
	    NOW + 61);
	CHECK_EQ_INT(get(&e, token, NOW + 100, &s), DB_OK);
	CHECK_EQ_INT(s.last_seen, NOW + 61);
	/* A clock behind last_seen never moves it back. */
	CHECK_EQ_INT(get(&e, token, NOW - 100, &s), DB_OK);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT last_seen FROM sessions"),
	    NOW + 61);
	env_close(&e);
}

TEST(end_one)
{
	struct env e;
	struct session s;
	char a[SESSION_TOKEN_SIZE], b[SESSION_TOKEN_SIZE];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, a), DB_OK);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, b), DB_OK);
	CHECK_EQ_INT(sessions_end(e.c, a), DB_OK);
	CHECK_EQ_INT(get(&e, a, NOW, &s), SESS_NOT_FOUND);
	CHECK_EQ_INT(get(&e, b, NOW, &s), DB_OK);
	CHECK_EQ_INT(sessions_end(e.c, a), DB_OK);
	CHECK_EQ_INT(sessions_end(e.c, "not a token"), DB_OK);
	CHECK_EQ_INT(sessions_end(e.c, NULL), DB_OK);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 1);
	env_close(&e);
}

TEST(end_all_counts)
{
	struct env e;
	struct session s;
	char t[4][SESSION_TOKEN_SIZE];
	int n = -1;

	CHECK_EQ_INT(env_open(&e), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(create(&e, ACC_A, NOW + i, t[i]), DB_OK);
	CHECK_EQ_INT(create(&e, ACC_B, NOW, t[3]), DB_OK);
	CHECK_EQ_INT(sessions_end_all(e.c, ACC_A, &n), DB_OK);
	CHECK_EQ_INT(n, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(get(&e, t[i], NOW + 10, &s), SESS_NOT_FOUND);
	CHECK_EQ_INT(get(&e, t[3], NOW + 10, &s), DB_OK);
	CHECK_STR(s.account_id, ACC_B);
	CHECK_EQ_INT(sessions_end_all(e.c, ACC_A, &n), DB_OK);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(sessions_end_all(e.c, "nobody", &n), DB_OK);
	CHECK_EQ_INT(n, 0);
	env_close(&e);
}

TEST(purge_drops_expired)
{
	struct env e;
	struct session s;
	char idle[SESSION_TOKEN_SIZE], old[SESSION_TOKEN_SIZE];
	char live[SESSION_TOKEN_SIZE], young[SESSION_TOKEN_SIZE];
	int n = -1;

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW - 50000, old), DB_OK);
	CHECK_EQ_INT(create(&e, ACC_A, NOW - 2000, idle), DB_OK);
	CHECK_EQ_INT(create(&e, ACC_B, NOW - 43000, live), DB_OK);
	CHECK_EQ_INT(create(&e, ACC_B, NOW - 10, young), DB_OK);
	/* `live` and `old` were in use lately: only `old` is past the absolute limit. */
	CHECK_EQ_INT(fixture_exec(&e.f, "UPDATE sessions SET last_seen = "
	    "1800000000 - 100 WHERE created_at IN (1800000000 - 50000, "
	    "1800000000 - 43000)"), 0);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 4);
	CHECK_EQ_INT(sessions_purge(e.c, NULL, NOW, &n), DB_OK);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(get(&e, live, NOW, &s), DB_OK);
	CHECK_EQ_INT(get(&e, young, NOW, &s), DB_OK);
	CHECK_EQ_INT(sessions_purge(e.c, NULL, NOW, &n), DB_OK);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(sessions_purge(e.c, NULL, NOW + 100000, &n), DB_OK);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 0);
	env_close(&e);
}

TEST(malformed_tokens)
{
	static const char *bad[] = {
		"",
		"abc",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'",
		"' OR 1=1 --AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* well formed, unknown */
	};
	struct env e;
	struct session s;
	char token[SESSION_TOKEN_SIZE];

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create(&e, ACC_A, NOW, token), DB_OK);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		CHECK_EQ_INT(get(&e, bad[i], NOW, &s), SESS_NOT_FOUND);
	CHECK_EQ_INT(get(&e, NULL, NOW, &s), SESS_NOT_FOUND);
	/* One character changed is another (unknown) token. */
	token[5] = token[5] == 'A' ? 'B' : 'A';
	CHECK_EQ_INT(get(&e, token, NOW, &s), SESS_NOT_FOUND);
	CHECK_EQ_INT(fixture_count(&e.f, "SELECT COUNT(*) FROM sessions"), 1);
	env_close(&e);
}

struct seen {
	int n;
	int64_t created[8];
	char addr[8][64];
	char ua[8][256];
};

static void
collect(const struct session *s, const char *addr, const char *ua, void *arg)
{
	struct seen *v = arg;

	if (v->n < 8) {
		v->created[v->n] = s->created_at;
		snprintf(v->addr[v->n], sizeof(v->addr[0]), "%s", addr);
		snprintf(v->ua[v->n], sizeof(v->ua[0]), "%s", ua);
	}
	v->n++;
}

static int
create_from(struct env *e, const char *account_id, int64_t now,
    const char *addr, const char *ua)
{
	char token[SESSION_TOKEN_SIZE];

	return sessions_create(e->c, account_id, "pwd", "1", now, addr, ua, now,
	    token);
}

TEST(foreach_newest_first)
{
	struct env e;
	struct seen v = { 0 };

	CHECK_EQ_INT(env_open(&e), 0);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 20, "192.0.2.0/24", "two"), DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 5000, "x", "expired"), DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 10, "2001:db8::/48", "three"),
	    DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_B, NOW - 15, "y", "other account"), DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 30, "198.51.100.0/24", "one"),
	    DB_OK);
	CHECK_EQ_INT(sessions_foreach(e.c, ACC_A, NULL, NOW, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 3);
	CHECK_EQ_INT(v.created[0], NOW - 10);
	CHECK_STR(v.addr[0], "2001:db8::/48");
	CHECK_STR(v.ua[0], "three");
	CHECK_EQ_INT(v.created[1], NOW - 20);
	CHECK_STR(v.ua[1], "two");
	CHECK_EQ_INT(v.created[2], NOW - 30);
	CHECK_STR(v.addr[2], "198.51.100.0/24");
	v.n = 0;
	CHECK_EQ_INT(sessions_foreach(e.c, "nobody", NULL, NOW, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 0);
	CHECK_EQ_INT(sessions_foreach(e.c, ACC_A, NULL, NOW, NULL, &v), DB_ERR);
	env_close(&e);
}

TEST(user_agent_kept_clean)
{
	struct env e;
	struct seen v = { 0 };
	char ua[400];

	CHECK_EQ_INT(env_open(&e), 0);
	/* 199 ASCII bytes, then a 2-byte character that would end at 201. */
	memset(ua, 'a', 199);
	memcpy(ua + 199, "\xc3\xa9zzz", 6);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 3, "a", ua), DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 2, "b",
	    "Tr\xc3\xacnh duy\xe1\xbb\x87t\r\nX-Evil: 1\t\x7f\xc2\x85"), DB_OK);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW - 1, "c",
	    "bad \xff\xfe utf8 \xe1\xbb"), DB_OK);
	CHECK_EQ_INT(sessions_foreach(e.c, ACC_A, NULL, NOW, collect, &v), DB_OK);
	CHECK_EQ_INT(v.n, 3);
	CHECK_STR(v.ua[0], "bad ?? utf8 ??");
	CHECK_STR(v.ua[1], "Tr\xc3\xacnh duy\xe1\xbb\x87t??X-Evil: 1???");
	CHECK_EQ_INT(strlen(v.ua[2]), 199);
	/* Exactly 200 bytes fit when the character ends there. */
	memset(ua, 'b', 198);
	memcpy(ua + 198, "\xc3\xa9zzz", 6);
	CHECK_EQ_INT(create_from(&e, ACC_A, NOW, "d", ua), DB_OK);
	v.n = 0;
	CHECK_EQ_INT(sessions_foreach(e.c, ACC_A, NULL, NOW, collect, &v), DB_OK);
	CHECK_EQ_INT(strlen(v.ua[0]), 200);
	CHECK(memcmp(v.ua[0] + 198, "\xc3\xa9", 2) == 0);
	env_close(&e);
}

T_MAIN(T(create_then_get), T(create_refuses_bad_input),
    T(token_not_stored_in_clear), T(idle_expiry), T(absolute_expiry),
    T(custom_limits), T(refresh_only_after_60s), T(end_one), T(end_all_counts),
    T(purge_drops_expired), T(malformed_tokens), T(foreach_newest_first),
    T(user_agent_kept_clean))
