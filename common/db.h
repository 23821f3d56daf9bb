/*
 * db: the SQLite store. Owns the connections (a pool, one connection per
 * thread at a time, each with its cache of prepared statements), the pragmas
 * every connection needs (WAL, busy_timeout, foreign_keys), transactions,
 * and the migration runner that records schema_migrations and refuses a
 * database newer than the code. Modules keep their SQL to the tables they
 * own and reach SQLite only through statements prepared here.
 */
#ifndef COMMON_DB_H
#define COMMON_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "base.h"

enum db_err {
	DB_OK = 0,
	DB_ERR = -1,		/* anything unexpected; logged by the caller */
	DB_BUSY = -2,		/* locked past busy_timeout */
	DB_FULL = -3,		/* disk or quota full: writes answer 503 */
	DB_CONSTRAINT = -4,	/* a uniqueness or foreign key rule */
	DB_READONLY = -5,	/* the file or its directory cannot be written */
	DB_NEWER = -6,		/* the schema is newer than this program */
};

struct db;
struct db_conn;

struct db_migration {
	int version;
	const char *name;
	const char *sql;
};

/*
 * Opens (creating when missing) the database at `path`. On failure writes a
 * one-line reason into err[errsz].
 */
int db_open(const char *path, struct db **out, char *err, size_t errsz) WUR;
void db_close(struct db *);
const char *db_path(const struct db *);

/* A connection for this thread; give it back with db_release. NULL on failure. */
struct db_conn *db_acquire(struct db *);
void db_release(struct db *, struct db_conn *);
sqlite3 *db_handle(struct db_conn *);

/*
 * The prepared statement for `sql`, cached on the connection; `sql` must be
 * a string literal (its address is the cache key). Reset and unbound when
 * handed out. NULL when it does not prepare (a bug: logged to stderr).
 */
sqlite3_stmt *db_stmt(struct db_conn *, const char *sql);
/* sqlite3_step mapped to DB_OK (SQLITE_DONE), 1 (SQLITE_ROW) or an error. */
int db_step(sqlite3_stmt *) WUR;
/*
 * Whether `sql` (a literal, with up to two text parameters; NULL leaves a
 * parameter unbound) returns a row: 1 when it does, 0 when not, or a db_err.
 */
int db_exists(struct db_conn *, const char *sql, const char *a,
    const char *b) WUR;
/* Runs a statement with no parameters and no rows. */
int db_exec(struct db_conn *, const char *sql) WUR;
int db_err_from_sqlite(int rc);
const char *db_strerror(int err);

/* A hint: the connection's page cache in KiB (SQLite's default is 2000). */
void db_cache_size(struct db_conn *, int kib);

/*
 * Moves WAL checkpoints off the writers: every connection stops
 * checkpointing on commit and a thread of the pool's own makes a PASSIVE
 * checkpoint every interval_ms (a server calls this once; db_close stops
 * it). DB_OK or DB_ERR.
 */
int db_checkpoint_in_background(struct db *, unsigned interval_ms) WUR;

/*
 * Transactions that take the write lock at the start. Within one process
 * the writers queue on a mutex of the pool first (so a thread never sleeps
 * in SQLite's busy handler behind another of ours); one thread must not
 * begin a second transaction while it holds one.
 */
int db_begin(struct db_conn *) WUR;
int db_commit(struct db_conn *) WUR;
void db_rollback(struct db_conn *);

/* Binding helpers: text bound as a transient copy. */
int db_bind_text(sqlite3_stmt *, int idx, const char *s) WUR;
int db_bind_int64(sqlite3_stmt *, int idx, sqlite3_int64 v) WUR;
/* Copies column `col` into buf[bufsz] (truncating never: -1 when too long). */
int db_column_text(sqlite3_stmt *, int col, char *buf, size_t bufsz) WUR;

/*
 * Applies the migrations (sorted by version) that the database lacks, each in
 * its own transaction with its schema_migrations row. *applied counts them.
 * DB_NEWER when the database records a version this list does not have.
 */
int db_migrate(struct db *, const struct db_migration *, size_t n,
    int *applied) WUR;
/* The highest version recorded, 0 for an empty database. */
int db_schema_version(struct db *, int *version) WUR;

/*
 * An online copy of the database at src_path (which a server may be
 * writing meanwhile) into dst_path: one read snapshot copied in steps into
 * dst_path.tmp (mode 0600), fsynced, then renamed over dst_path. *pages
 * gets the page count. A DB_* code, with a reason in err.
 */
int db_backup(const char *src_path, const char *dst_path, int *pages,
    char *err, size_t errsz) WUR;

/* How often SQLite's busy handler has waited on db's connections so far. */
unsigned long db_busy_retries(struct db *);

#endif
