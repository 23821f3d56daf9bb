/*
 * test_db: unit tests for the SQLite store (db): opening (and refusing
 * unusable locations), the pragmas of every connection, the migration
 * runner, the statement cache, transactions, error mapping and the pool.
 */
#include "t.h"
#include "fixture.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
};

static int
fx_open(struct fx *f)
{
	char err[256] = "";

	memset(f, 0, sizeof(*f));
	if (fixture_mkdtemp(f->dir, sizeof(f->dir), "test_db") != 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	if (db_open(f->path, &f->db, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "db_open: %s\n", err);
		f->db = NULL;
		return -1;
	}
	return 0;
}

static void
fx_close(struct fx *f)
{
	db_close(f->db);
	f->db = NULL;
	fixture_rmtree(f->dir);
}

/* The first column of the first row of `sql` as an integer; -999 when none. */
static long long
query_int(struct db_conn *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(db_handle(c), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static long long
db_query_int(struct db *db, const char *sql)
{
	struct db_conn *c = db_acquire(db);
	long long v;

	if (c == NULL)
		return -998;
	v = query_int(c, sql);
	db_release(db, c);
	return v;
}

static void
query_text(struct db_conn *c, const char *sql, char *buf, size_t bufsz)
{
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db_handle(c), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		snprintf(buf, bufsz, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int
table_exists(struct db *db, const char *name)
{
	struct db_conn *c = db_acquire(db);
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (c == NULL)
		return -1;
	if (sqlite3_prepare_v2(db_handle(c), "SELECT 1 FROM sqlite_master "
	    "WHERE type = 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK)
		found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	db_release(db, c);
	return found;
}

#define FX_OPEN(f) do { \
	if (fx_open(f) != 0) { \
		CHECK(!"fixture"); \
		fx_close(f); \
		return; \
	} \
} while (0)

TEST(open_fresh_and_pragmas)
{
	struct fx f;
	struct db_conn *c, *c2;
	char mode[32];

	FX_OPEN(&f);
	CHECK_STR(db_path(f.db), f.path);
	CHECK(access(f.path, F_OK) == 0);
	c = db_acquire(f.db);
	c2 = db_acquire(f.db);	/* a second, new connection */
	CHECK(c != NULL && c2 != NULL);
	if (c != NULL && c2 != NULL) {
		CHECK(c != c2);
		query_text(c, "PRAGMA journal_mode", mode, sizeof(mode));
		CHECK_STR(mode, "wal");
		CHECK_EQ_INT(query_int(c, "PRAGMA foreign_keys"), 1);
		CHECK_EQ_INT(query_int(c, "PRAGMA synchronous"), 1);	/* NORMAL */
		CHECK_EQ_INT(query_int(c, "PRAGMA journal_size_limit"), 67108864);
		query_text(c2, "PRAGMA journal_mode", mode, sizeof(mode));
		CHECK_STR(mode, "wal");
		CHECK_EQ_INT(query_int(c2, "PRAGMA foreign_keys"), 1);
		CHECK_EQ_INT(query_int(c2, "PRAGMA journal_size_limit"), 67108864);
	}
	db_release(f.db, c);
	db_release(f.db, c2);
	fx_close(&f);
}

TEST(open_missing_directory)
{
	struct db *db = NULL;
	char err[256] = "";

	CHECK_EQ_INT(db_open("/tmp/no-such-dir-test-db/sub/x.db", &db, err, sizeof(err)),
	    DB_READONLY);
	CHECK(db == NULL);
	CHECK(strstr(err, "does not exist") != NULL);
	CHECK(strstr(err, "/tmp/no-such-dir-test-db/sub") != NULL);
}

TEST(open_not_a_directory)
{
	struct fx f;
	struct db *db = NULL;
	char err[256] = "", path[256];
	FILE *fp;

	FX_OPEN(&f);
	/* The "directory" is a regular file. */
	snprintf(path, sizeof(path), "%s/file", f.dir);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp != NULL)
		fclose(fp);
	snprintf(path, sizeof(path), "%s/file/x.db", f.dir);
	CHECK_EQ_INT(db_open(path, &db, err, sizeof(err)), DB_READONLY);
	CHECK(db == NULL);
	CHECK(strstr(err, "does not exist") != NULL);
	fx_close(&f);
}

TEST(open_read_only)
{
	struct fx f;
	struct db *db = NULL;
	char err[256] = "", sub[128], path[160];

	if (geteuid() == 0) {
		/* root can write whatever the modes say: nothing to test. */
		return;
	}
	FX_OPEN(&f);
	db_close(f.db);
	f.db = NULL;
	CHECK_EQ_INT(chmod(f.path, 0400), 0);
	CHECK_EQ_INT(db_open(f.path, &db, err, sizeof(err)), DB_READONLY);
	CHECK(db == NULL);
	CHECK(strstr(err, "not readable and writable") != NULL);
	/* A directory that cannot be written. */
	snprintf(sub, sizeof(sub), "%s/ro", f.dir);
	CHECK_EQ_INT(mkdir(sub, 0500), 0);
	snprintf(path, sizeof(path), "%s/x.db", sub);
	err[0] = '\0';
	CHECK_EQ_INT(db_open(path, &db, err, sizeof(err)), DB_READONLY);
	CHECK(db == NULL);
	CHECK(strstr(err, "not writable") != NULL);
	(void)chmod(sub, 0700);
	fx_close(&f);
}

TEST(open_not_a_database)
{
	struct fx f;
	struct db *db = NULL;
	char err[256] = "", path[160];
	FILE *fp;

	FX_OPEN(&f);
	snprintf(path, sizeof(path), "%s/junk.db", f.dir);
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp != NULL) {
		for (int i = 0; i < 512; i++)
			fputs("this is not an SQLite database. ", fp);
		fclose(fp);
	}
	CHECK(db_open(path, &db, err, sizeof(err)) != DB_OK);
	CHECK(db == NULL);
	CHECK(strstr(err, path) != NULL || strstr(err, "not a database") != NULL);
	fx_close(&f);
}

TEST(open_bad_arguments)
{
	struct db *db = NULL;
	char err[64];

	CHECK_EQ_INT(db_open(NULL, &db, err, sizeof(err)), DB_ERR);
	CHECK_EQ_INT(db_open("/tmp/x.db", NULL, err, sizeof(err)), DB_ERR);
	CHECK_EQ_INT(db_open("/tmp/x.db", &db, NULL, 0), DB_ERR);
	db_close(NULL);
}

static const struct db_migration three[] = {
	{ 1, "one", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT UNIQUE)" },
	{ 2, "two", "CREATE TABLE b (id INTEGER PRIMARY KEY, "
	    "a_id INTEGER NOT NULL REFERENCES a(id)); INSERT INTO a (v) VALUES ('seed')" },
	{ 3, "three", "CREATE INDEX b_a ON b (a_id)" },
};

TEST(migrate_fresh_then_repeated)
{
	struct fx f;
	int applied = -1, version = -1;

	FX_OPEN(&f);
	CHECK_EQ_INT(db_schema_version(f.db, &version), DB_OK);
	CHECK_EQ_INT(version, 0);
	CHECK_EQ_INT(db_migrate(f.db, three, ARRAY_LEN(three), &applied), DB_OK);
	CHECK_EQ_INT(applied, 3);
	CHECK_EQ_INT(db_schema_version(f.db, &version), DB_OK);
	CHECK_EQ_INT(version, 3);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM schema_migrations"), 3);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM schema_migrations "
	    "WHERE (version, name) IN (VALUES (1, 'one'), (2, 'two'), (3, 'three'))"), 3);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM schema_migrations "
	    "WHERE applied_at > 1600000000"), 3);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM a"), 1);
	CHECK_EQ_INT(table_exists(f.db, "b"), 1);

	applied = -1;
	CHECK_EQ_INT(db_migrate(f.db, three, ARRAY_LEN(three), &applied), DB_OK);
	CHECK_EQ_INT(applied, 0);
	/* Migration 2's insert did not run twice. */
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM a"), 1);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM schema_migrations"), 3);
	fx_close(&f);
}

TEST(migrate_in_steps_and_after_reopen)
{
	struct fx f;
	int applied = -1, version = -1;
	char err[256];

	FX_OPEN(&f);
	CHECK_EQ_INT(db_migrate(f.db, three, 1, &applied), DB_OK);
	CHECK_EQ_INT(applied, 1);
	CHECK_EQ_INT(table_exists(f.db, "b"), 0);
	db_close(f.db);
	f.db = NULL;
	CHECK_EQ_INT(db_open(f.path, &f.db, err, sizeof(err)), DB_OK);
	if (f.db == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_schema_version(f.db, &version), DB_OK);
	CHECK_EQ_INT(version, 1);
	CHECK_EQ_INT(db_migrate(f.db, three, ARRAY_LEN(three), &applied), DB_OK);
	CHECK_EQ_INT(applied, 2);
	CHECK_EQ_INT(table_exists(f.db, "b"), 1);
	fx_close(&f);
}

TEST(migrate_refuses_newer_database)
{
	struct fx f;
	int applied = -1, version = -1;

	FX_OPEN(&f);
	CHECK_EQ_INT(db_migrate(f.db, three, ARRAY_LEN(three), &applied), DB_OK);
	applied = -1;
	/* Code that knows only versions 1 and 2. */
	CHECK_EQ_INT(db_migrate(f.db, three, 2, &applied), DB_NEWER);
	CHECK_EQ_INT(applied, 0);
	/* Code that knows none. */
	applied = -1;
	CHECK_EQ_INT(db_migrate(f.db, three, 0, &applied), DB_NEWER);
	CHECK_EQ_INT(applied, 0);
	CHECK_EQ_INT(db_schema_version(f.db, &version), DB_OK);
	CHECK_EQ_INT(version, 3);
	CHECK_STR(db_strerror(DB_NEWER), "database schema is newer than this program");
	fx_close(&f);
}

TEST(migrate_empty_list_on_empty_db)
{
	struct fx f;
	int applied = -1;

	FX_OPEN(&f);
	CHECK_EQ_INT(db_migrate(f.db, three, 0, &applied), DB_OK);
	CHECK_EQ_INT(applied, 0);
	fx_close(&f);
}

TEST(migrate_failure_rolls_back)
{
	static const struct db_migration bad[] = {
		{ 1, "one", "CREATE TABLE a (id INTEGER PRIMARY KEY)" },
		{ 2, "broken", "CREATE TABLE c (x INTEGER); INSERT INTO c VALUES (1); "
		    "INSERT INTO no_such_table VALUES (1)" },
		{ 3, "after", "CREATE TABLE d (x INTEGER)" },
	};
	static const struct db_migration fixed[] = {
		{ 1, "one", "CREATE TABLE a (id INTEGER PRIMARY KEY)" },
		{ 2, "fixed", "CREATE TABLE c (x INTEGER); INSERT INTO c VALUES (1)" },
		{ 3, "after", "CREATE TABLE d (x INTEGER)" },
	};
	struct fx f;
	int applied = -1, version = -1;

	FX_OPEN(&f);
	CHECK(db_migrate(f.db, bad, ARRAY_LEN(bad), &applied) != DB_OK);
	CHECK_EQ_INT(applied, 1);
	CHECK_EQ_INT(table_exists(f.db, "a"), 1);
	CHECK_EQ_INT(table_exists(f.db, "c"), 0);
	CHECK_EQ_INT(table_exists(f.db, "d"), 0);	/* stops at the failure */
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version >= 2"), 0);
	CHECK_EQ_INT(db_schema_version(f.db, &version), DB_OK);
	CHECK_EQ_INT(version, 1);
	/* No transaction is left open on the pooled connection. */
	{
		struct db_conn *c = db_acquire(f.db);
		CHECK(c != NULL);
		if (c != NULL) {
			CHECK(sqlite3_get_autocommit(db_handle(c)) != 0);
			db_release(f.db, c);
		}
	}
	/* The fixed list then applies the rest. */
	CHECK_EQ_INT(db_migrate(f.db, fixed, ARRAY_LEN(fixed), &applied), DB_OK);
	CHECK_EQ_INT(applied, 2);
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM c"), 1);
	CHECK_EQ_INT(table_exists(f.db, "d"), 1);
	fx_close(&f);
}

static const char SQL_SETUP[] = "CREATE TABLE t (x INTEGER); "
    "INSERT INTO t VALUES (1), (2), (3)";
#define SQL_SELECT "SELECT x FROM t ORDER BY x"
#define SQL_PARAM "SELECT ?1"

TEST(statement_cache)
{
	struct fx f;
	struct db_conn *c;
	sqlite3_stmt *a, *b, *p;

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, SQL_SETUP), DB_OK);
	{
		static const char *const sel = SQL_SELECT;

		a = db_stmt(c, sel);
		CHECK(a != NULL);
		CHECK_EQ_INT(db_step(a), 1);
		CHECK_EQ_INT(sqlite3_column_int(a, 0), 1);
		CHECK_EQ_INT(db_step(a), 1);
		CHECK_EQ_INT(sqlite3_column_int(a, 0), 2);
		/* Handed out again: the same statement, reset to the first row. */
		b = db_stmt(c, sel);
		CHECK(a == b);
		CHECK_EQ_INT(db_step(b), 1);
		CHECK_EQ_INT(sqlite3_column_int(b, 0), 1);
		CHECK_EQ_INT(db_step(b), 1);
		CHECK_EQ_INT(db_step(b), 1);
		CHECK_EQ_INT(db_step(b), DB_OK);
	}
	{
		static const char *const par = SQL_PARAM;

		p = db_stmt(c, par);
		CHECK(p != NULL && p != a);
		CHECK_EQ_INT(db_bind_int64(p, 1, 42), DB_OK);
		CHECK_EQ_INT(db_step(p), 1);
		CHECK_EQ_INT(sqlite3_column_int(p, 0), 42);
		/* Handed out again: unbound. */
		CHECK(db_stmt(c, par) == p);
		CHECK_EQ_INT(db_step(p), 1);
		CHECK_EQ_INT(sqlite3_column_type(p, 0), SQLITE_NULL);
	}
	/* SQL that does not prepare gives NULL, and db_step(NULL) an error. */
	{
		static const char *const broken = "SELEKT nonsense";

		CHECK(db_stmt(c, broken) == NULL);
		CHECK(db_stmt(c, broken) == NULL);
		CHECK_EQ_INT(db_step(NULL), DB_ERR);
	}
	db_release(f.db, c);
	fx_close(&f);
}

/* 129 distinct SQL strings at distinct addresses (as distinct literals are). */
static char many_sql[129][24];

TEST(statement_cache_fills)
{
	struct fx f;
	struct db_conn *c;
	sqlite3_stmt *st[128];

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	for (int i = 0; i < 129; i++)
		snprintf(many_sql[i], sizeof(many_sql[i]), "SELECT %d", i);
	for (int i = 0; i < 128; i++) {
		st[i] = db_stmt(c, many_sql[i]);
		CHECK(st[i] != NULL);
	}
	/* Each is found again, and answers its own SQL. */
	for (int i = 0; i < 128; i++) {
		sqlite3_stmt *s = db_stmt(c, many_sql[i]);
		if (s != st[i] || db_step(s) != 1 || sqlite3_column_int(s, 0) != i) {
			fprintf(stderr, "statement %d not cached\n", i);
			CHECK(0);
			break;
		}
		sqlite3_reset(s);
	}
	/* The 129th does not fit. */
	CHECK(db_stmt(c, many_sql[128]) == NULL);
	db_release(f.db, c);
	fx_close(&f);
}

TEST(transactions)
{
	struct fx f;
	struct db_conn *c, *c2;

	FX_OPEN(&f);
	c = db_acquire(f.db);
	c2 = db_acquire(f.db);
	CHECK(c != NULL && c2 != NULL);
	if (c == NULL || c2 == NULL) {
		db_release(f.db, c);
		db_release(f.db, c2);
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE t (x INTEGER)"), DB_OK);

	CHECK_EQ_INT(db_begin(c), DB_OK);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (1)"), DB_OK);
	CHECK_EQ_INT(query_int(c, "SELECT COUNT(*) FROM t"), 1);
	CHECK_EQ_INT(query_int(c2, "SELECT COUNT(*) FROM t"), 0);	/* not yet */
	CHECK_EQ_INT(db_commit(c), DB_OK);
	CHECK_EQ_INT(query_int(c2, "SELECT COUNT(*) FROM t"), 1);

	CHECK_EQ_INT(db_begin(c), DB_OK);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (2)"), DB_OK);
	db_rollback(c);
	CHECK(sqlite3_get_autocommit(db_handle(c)) != 0);
	CHECK_EQ_INT(query_int(c, "SELECT COUNT(*) FROM t"), 1);
	CHECK_EQ_INT(query_int(c2, "SELECT COUNT(*) FROM t"), 1);
	db_rollback(c);		/* without a transaction: harmless */

	/* BEGIN IMMEDIATE takes the write lock: a second writer waits, then is busy. */
	CHECK_EQ_INT(db_begin(c), DB_OK);
	sqlite3_busy_timeout(db_handle(c2), 20);
	CHECK_EQ_INT(db_begin(c2), DB_BUSY);
	sqlite3_busy_timeout(db_handle(c2), 5000);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (3)"), DB_OK);

	/* A connection given back inside a transaction is rolled back. */
	db_release(f.db, c);
	CHECK_EQ_INT(query_int(c2, "SELECT COUNT(*) FROM t"), 1);
	CHECK_EQ_INT(db_begin(c2), DB_OK);	/* the lock was let go */
	CHECK_EQ_INT(db_commit(c2), DB_OK);
	db_release(f.db, c2);
	fx_close(&f);
}

TEST(constraints)
{
	struct fx f;
	struct db_conn *c;
	sqlite3_stmt *st;

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE p (id INTEGER PRIMARY KEY, u TEXT UNIQUE NOT NULL);"
	    "CREATE TABLE ch (p_id INTEGER NOT NULL REFERENCES p(id))"), DB_OK);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO p VALUES (1, 'x')"), DB_OK);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO p VALUES (2, 'x')"), DB_CONSTRAINT);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO p VALUES (1, 'y')"), DB_CONSTRAINT);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO p VALUES (3, NULL)"), DB_CONSTRAINT);
	/* Foreign keys are enforced. */
	CHECK_EQ_INT(db_exec(c, "INSERT INTO ch VALUES (99)"), DB_CONSTRAINT);
	CHECK_EQ_INT(db_exec(c, "INSERT INTO ch VALUES (1)"), DB_OK);
	CHECK_EQ_INT(db_exec(c, "DELETE FROM p WHERE id = 1"), DB_CONSTRAINT);
	/* The same through a prepared statement. */
	st = db_stmt(c, "INSERT INTO p (id, u) VALUES (?, ?)");
	CHECK(st != NULL);
	CHECK_EQ_INT(db_bind_int64(st, 1, 5), DB_OK);
	CHECK_EQ_INT(db_bind_text(st, 2, "x"), DB_OK);
	CHECK_EQ_INT(db_step(st), DB_CONSTRAINT);
	st = db_stmt(c, "INSERT INTO p (id, u) VALUES (?, ?)");
	CHECK_EQ_INT(db_bind_int64(st, 1, 5), DB_OK);
	CHECK_EQ_INT(db_bind_text(st, 2, "z"), DB_OK);
	CHECK_EQ_INT(db_step(st), DB_OK);
	/* A bind of NULL text binds NULL: the NOT NULL rule refuses it. */
	st = db_stmt(c, "INSERT INTO p (id, u) VALUES (?, ?)");
	CHECK_EQ_INT(db_bind_int64(st, 1, 6), DB_OK);
	CHECK_EQ_INT(db_bind_text(st, 2, NULL), DB_OK);
	CHECK_EQ_INT(db_step(st), DB_CONSTRAINT);
	/* Other errors are not constraints. */
	CHECK_EQ_INT(db_exec(c, "INSERT INTO no_such VALUES (1)"), DB_ERR);
	CHECK_EQ_INT(db_bind_int64(st, 9, 1), DB_ERR);	/* index out of range */
	db_release(f.db, c);
	fx_close(&f);
}

TEST(exists)
{
	struct fx f;
	struct db_conn *c;

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE kv (k TEXT, v TEXT);"
	    "INSERT INTO kv VALUES ('a', '1'), ('b', '2')"), DB_OK);
	CHECK_EQ_INT(db_exists(c, "SELECT 1 FROM kv WHERE k = ?", "a", NULL), 1);
	CHECK_EQ_INT(db_exists(c, "SELECT 1 FROM kv WHERE k = ?", "z", NULL), 0);
	CHECK_EQ_INT(db_exists(c, "SELECT 1 FROM kv WHERE k = ? AND v = ?", "b", "2"), 1);
	CHECK_EQ_INT(db_exists(c, "SELECT 1 FROM kv WHERE k = ? AND v = ?", "b", "1"), 0);
	/* A statement handed out again starts unbound: NULL matches nothing. */
	CHECK_EQ_INT(db_exists(c, "SELECT 1 FROM kv WHERE k = ?", NULL, NULL), 0);
	CHECK(db_exists(c, "SELECT 1 FROM no_such_table", NULL, NULL) < 0);
	db_release(f.db, c);
	fx_close(&f);
}

TEST(column_text)
{
	struct fx f;
	struct db_conn *c;
	sqlite3_stmt *st;
	char buf[8];

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	st = db_stmt(c, "SELECT 'abcdefg', 'abcdefgh', NULL, ''");
	CHECK_EQ_INT(db_step(st), 1);
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ_INT(db_column_text(st, 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "abcdefg");
	CHECK_EQ_INT(db_column_text(st, 1, buf, sizeof(buf)), -1);	/* never truncates */
	CHECK_EQ_INT(db_column_text(st, 2, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	memset(buf, 'X', sizeof(buf));
	CHECK_EQ_INT(db_column_text(st, 3, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_EQ_INT(db_column_text(st, 0, buf, 0), -1);
	sqlite3_reset(st);
	db_release(f.db, c);
	fx_close(&f);
}

TEST(error_mapping)
{
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_OK), DB_OK);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_DONE), DB_OK);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_BUSY), DB_BUSY);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_BUSY_SNAPSHOT), DB_BUSY);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_LOCKED), DB_BUSY);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_FULL), DB_FULL);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_IOERR_WRITE), DB_FULL);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_IOERR_FSYNC), DB_FULL);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_IOERR_TRUNCATE), DB_FULL);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_IOERR_DIR_FSYNC), DB_FULL);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_IOERR_READ), DB_ERR);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_CONSTRAINT), DB_CONSTRAINT);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_CONSTRAINT_UNIQUE), DB_CONSTRAINT);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_CONSTRAINT_FOREIGNKEY), DB_CONSTRAINT);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_READONLY), DB_READONLY);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_CANTOPEN), DB_READONLY);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_ERROR), DB_ERR);
	CHECK_EQ_INT(db_err_from_sqlite(SQLITE_CORRUPT), DB_ERR);
	CHECK_STR(db_strerror(DB_OK), "ok");
	CHECK_STR(db_strerror(DB_CONSTRAINT), "constraint violated");
	CHECK_STR(db_strerror(DB_BUSY), "database busy");
	CHECK_STR(db_strerror(DB_FULL), "database or disk is full");
	CHECK_STR(db_strerror(DB_READONLY), "database cannot be written");
	CHECK_STR(db_strerror(DB_ERR), "database error");
	CHECK_STR(db_strerror(12345), "database error");
}

TEST(pool_two_connections)
{
	struct fx f;
	struct db_conn *a, *b, *again;

	FX_OPEN(&f);
	a = db_acquire(f.db);
	b = db_acquire(f.db);
	CHECK(a != NULL && b != NULL && a != b);
	if (a == NULL || b == NULL) {
		db_release(f.db, a);
		db_release(f.db, b);
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(a, "CREATE TABLE t (x INTEGER)"), DB_OK);
	CHECK_EQ_INT(db_exec(b, "INSERT INTO t VALUES (7)"), DB_OK);
	CHECK_EQ_INT(query_int(a, "SELECT x FROM t"), 7);
	CHECK_EQ_INT(query_int(b, "SELECT x FROM t"), 7);
	db_cache_size(a, 4096);
	CHECK_EQ_INT(query_int(a, "PRAGMA cache_size"), -4096);
	db_release(f.db, a);
	db_release(f.db, b);
	/* Given back connections are reused, not reopened. */
	again = db_acquire(f.db);
	CHECK(again == a || again == b);
	db_release(f.db, again);
	db_release(f.db, NULL);
	fx_close(&f);
}

struct worker {
	struct db *db;
	int id, failures;
};

static void *
writer(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 50; i++) {
		struct db_conn *c = db_acquire(w->db);
		sqlite3_stmt *st;

		if (c == NULL) {
			w->failures++;
			continue;
		}
		st = db_stmt(c, "INSERT INTO t (w, i) VALUES (?, ?)");
		if (db_begin(c) != DB_OK || db_bind_int64(st, 1, w->id) != DB_OK ||
		    db_bind_int64(st, 2, i) != DB_OK || db_step(st) != DB_OK ||
		    db_commit(c) != DB_OK) {
			w->failures++;
			db_rollback(c);
		}
		db_release(w->db, c);
	}
	return NULL;
}

TEST(pool_threads)
{
	struct fx f;
	struct worker w[4];
	pthread_t th[4];
	int started = 0;

	FX_OPEN(&f);
	{
		struct db_conn *c = db_acquire(f.db);
		CHECK(c != NULL);
		if (c != NULL) {
			CHECK_EQ_INT(db_exec(c, "CREATE TABLE t (w INTEGER, i INTEGER, "
			    "UNIQUE (w, i))"), DB_OK);
			db_release(f.db, c);
		}
	}
	for (int i = 0; i < 4; i++) {
		w[i].db = f.db;
		w[i].id = i;
		w[i].failures = 0;
		if (pthread_create(&th[i], NULL, writer, &w[i]) == 0)
			started++;
	}
	CHECK_EQ_INT(started, 4);
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(w[i].failures, 0);
	}
	CHECK_EQ_INT(db_query_int(f.db, "SELECT COUNT(*) FROM t"), 50 * started);
	fx_close(&f);
}

/* With the checkpointer on, commits leave the WAL to it, and it empties it. */
TEST(background_checkpoint)
{
	struct fx f;
	struct db_conn *c;
	int log = -1, done = -2;

	FX_OPEN(&f);
	CHECK_EQ_INT(db_checkpoint_in_background(f.db, 50), DB_OK);
	CHECK_EQ_INT(db_checkpoint_in_background(f.db, 50), DB_ERR);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(query_int(c, "PRAGMA wal_autocheckpoint"), 0);
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE t (x BLOB)"), DB_OK);
	for (int i = 0; i < 200; i++)
		CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (zeroblob(4000))"), DB_OK);
	/* a few intervals later every frame is in the database file (a
	 * look that meets the background checkpoint at work is busy) */
	for (int i = 0; i < 100 && log != done; i++) {
		int rc;

		usleep(20000);
		rc = sqlite3_wal_checkpoint_v2(db_handle(c), NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		CHECK(rc == SQLITE_OK || rc == SQLITE_BUSY);
		if (rc != SQLITE_OK)
			log = -1;
	}
	CHECK(log > 0);
	CHECK_EQ_INT(log, done);
	db_release(f.db, c);
	fx_close(&f);	/* stops the thread */
}

/* Bytes of path's WAL file, -1 when absent; *restarts its checkpoint
 * sequence number (bytes 12-15 of the header, one more each time the WAL
 * starts over). */
static long
wal_size(const char *path, unsigned long *restarts)
{
	char wal[160];
	unsigned char hdr[16];
	struct stat st;
	FILE *fp;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	*restarts = 0;
	if (stat(wal, &st) != 0 || (fp = fopen(wal, "rb")) == NULL)
		return -1;
	if (fread(hdr, 1, sizeof(hdr), fp) == sizeof(hdr))
		*restarts = (unsigned long)hdr[12] << 24 | (unsigned long)hdr[13] << 16 |
		    (unsigned long)hdr[14] << 8 | hdr[15];
	fclose(fp);
	return (long)st.st_size;
}

/*
 * 12,000 back-to-back commits of a 4 KiB row (about 190 MB of frames), with
 * the background checkpointer at work: the WAL starts over again and again,
 * where passive checkpoints alone let a steady writer grow it without end
 * (197 MB, never starting over). How large it gets between two restarts
 * depends on how the threads are scheduled (a sanitizer build on a busy
 * machine reached the 64 MiB cut-off), so the bound on size is loose.
 */
TEST(wal_bounded_under_steady_writes)
{
	struct fx f;
	struct db_conn *c;
	unsigned long first, last;
	long size;

	FX_OPEN(&f);
	CHECK_EQ_INT(db_checkpoint_in_background(f.db, 20), DB_OK);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE t (x BLOB)"), DB_OK);
	(void)wal_size(f.path, &first);
	for (int i = 0; i < 12000; i++) {
		CHECK_EQ_INT(db_begin(c), DB_OK);
		CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (zeroblob(4000))"), DB_OK);
		CHECK_EQ_INT(db_exec(c, "DELETE FROM t WHERE rowid % 2 = 0"), DB_OK);
		CHECK_EQ_INT(db_commit(c), DB_OK);
	}
	size = wal_size(f.path, &last);
	CHECK(size >= 0);
	CHECK(size < 128L * 1024 * 1024);
	CHECK(last >= first + 5);
	if (size >= 128L * 1024 * 1024 || last < first + 5)
		fprintf(stderr, "wal: %ld bytes, %lu restarts\n", size, last - first);
	db_release(f.db, c);
	fx_close(&f);
}

/* Waits in SQLite's busy handler are counted. */
struct holder {
	const char *path;
	pthread_barrier_t *held;
};

static void *
hold_write_lock(void *arg)
{
	struct holder *h = arg;
	sqlite3 *raw = NULL;

	if (sqlite3_open(h->path, &raw) == SQLITE_OK)
		sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	pthread_barrier_wait(h->held);
	usleep(60000);
	sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(raw);
	return NULL;
}

TEST(busy_retries_counted)
{
	struct fx f;
	struct db_conn *c;
	pthread_barrier_t held;
	pthread_t t;
	struct holder h;

	FX_OPEN(&f);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL) {
		fx_close(&f);
		return;
	}
	CHECK_EQ_INT(db_exec(c, "CREATE TABLE t (x)"), DB_OK);
	CHECK(db_busy_retries(f.db) == 0);
	CHECK(db_busy_retries(NULL) == 0);
	pthread_barrier_init(&held, NULL, 2);
	h.path = f.path;
	h.held = &held;
	CHECK(pthread_create(&t, NULL, hold_write_lock, &h) == 0);
	pthread_barrier_wait(&held);
	/* another connection (as another process would) holds the lock */
	CHECK_EQ_INT(db_exec(c, "INSERT INTO t VALUES (1)"), DB_OK);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&held);
	CHECK(db_busy_retries(f.db) > 0);
	db_release(f.db, c);
	fx_close(&f);
}

T_MAIN(T(wal_bounded_under_steady_writes), T(busy_retries_counted),
    T(background_checkpoint), T(open_fresh_and_pragmas), T(open_missing_directory),
    T(open_not_a_directory), T(open_read_only), T(open_not_a_database), T(open_bad_arguments),
    T(migrate_fresh_then_repeated), T(migrate_in_steps_and_after_reopen),
    T(migrate_refuses_newer_database), T(migrate_empty_list_on_empty_db),
    T(migrate_failure_rolls_back), T(statement_cache), T(statement_cache_fills),
    T(transactions), T(constraints), T(exists), T(column_text), T(error_mapping),
    T(pool_two_connections), T(pool_threads))
