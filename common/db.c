/*
 * db: connection pool, statement cache, transactions and migrations.
 */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STMT_SLOTS 128		/* power of two */
#define BUSY_TIMEOUT_MS 5000

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct db_conn {
	sqlite3 *h;
	struct db *db;		/* the pool it came from */
	bool writing;		/* holds db->write_lock */
	struct db_conn *next;	/* idle list */
	struct stmt_slot slots[STMT_SLOTS];
};

struct db {
	char *path;
	pthread_mutex_t lock;
	/*
	 * Held by the one connection of this process inside a write
	 * transaction: the process's own writers queue here for microseconds
	 * instead of in SQLite's busy handler, which sleeps in steps of
	 * milliseconds. Other processes still meet SQLite's lock.
	 */
	pthread_mutex_t write_lock;
	pthread_t write_owner;	/* valid while write_owned (atomic access) */
	bool write_owned;
	struct db_conn *idle;
	/* The background checkpointer, when started. */
	struct db_conn *ckpt_conn;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_cv;
	unsigned ckpt_interval_ms;
	bool ckpt_running, ckpt_stop;
	atomic_ulong busy_retries;	/* sleeps in the busy handler */
};

int
db_err_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_FULL:
		return DB_FULL;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return DB_READONLY;
	case SQLITE_IOERR:
		/*
		 * A failed write of a full disk shows as an I/O error too; a
		 * failed read is not the disk's fullness and stays an error.
		 */
		return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC ||
		    rc == SQLITE_IOERR_SHMSIZE || rc == SQLITE_IOERR_TRUNCATE ||
		    rc == SQLITE_IOERR_DIR_FSYNC) ? DB_FULL : DB_ERR;
	default:
		return DB_ERR;
	}
}

const char *
db_strerror(int err)
{
	switch (err) {
	case DB_OK: return "ok";
	case DB_BUSY: return "database busy";
	case DB_FULL: return "database or disk is full";
	case DB_CONSTRAINT: return "constraint violated";
	case DB_READONLY: return "database cannot be written";
	case DB_NEWER: return "database schema is newer than this program";
	default: return "database error";
	}
}

static int
conn_pragmas(sqlite3 *h, char *err, size_t errsz)
{
	static const char *const pragmas[] = {
		"PRAGMA journal_mode=WAL",
		"PRAGMA synchronous=NORMAL",
		"PRAGMA foreign_keys=ON",
		"PRAGMA temp_store=MEMORY",
		/* 1 MiB of pages a connection (SQLite's default is 2 MiB): a
		 * server holds one connection per thread and more for nested
		 * look-ups; bulk work asks for more with db_cache_size. */
		"PRAGMA cache_size=-1024",
		/* A WAL that starts over is cut back to 64 MiB on disk. */
		"PRAGMA journal_size_limit=67108864",
	};

	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(h, 1);
	for (size_t i = 0; i < ARRAY_LEN(pragmas); i++) {
		int rc = sqlite3_exec(h, pragmas[i], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errsz, "%s: %s", pragmas[i], sqlite3_errmsg(h));
			return db_err_from_sqlite(rc);
		}
	}
	return DB_OK;
}

static struct db_conn *
conn_open(const char *path, char *err, size_t errsz)
{
	struct db_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	rc = sqlite3_open_v2(path, &c->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path,
		    c->h ? sqlite3_errmsg(c->h) : "cannot open");
		goto fail;
	}
	if (conn_pragmas(c->h, err, errsz) != DB_OK)
		goto fail;
	return c;
fail:
	sqlite3_close(c->h);
	free(c);
	return NULL;
}

static void
conn_close(struct db_conn *c)
{
	for (size_t i = 0; i < STMT_SLOTS; i++)
		sqlite3_finalize(c->slots[i].stmt);
	sqlite3_close(c->h);
	free(c);
}

static int
check_location(const char *path, char *err, size_t errsz)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "%s: directory %s does not exist", path, dir);
		return DB_READONLY;
	}
	if (access(dir, W_OK) != 0) {
		snprintf(err, errsz, "%s: directory %s is not writable", path, dir);
		return DB_READONLY;
	}
	if (access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0) {
		snprintf(err, errsz, "%s: file is not readable and writable", path);
		return DB_READONLY;
	}
	return DB_OK;
}

/*
 * SQLite's busy handler for the connections of db: counted (metrics), then
 * a sleep of 1, 2, 4, 8 and then 10 ms a try, about BUSY_TIMEOUT_MS in all.
 */
static int
busy_wait(void *arg, int n)
{
	struct db *db = arg;

	atomic_fetch_add_explicit(&db->busy_retries, 1, memory_order_relaxed);
	if (n >= 3 + BUSY_TIMEOUT_MS / 10)
		return 0;
	sqlite3_sleep(n < 4 ? 1 << n : 10);
	return 1;
}

/* Makes c one of db's connections. */
static void
conn_adopt(struct db *db, struct db_conn *c)
{
	c->db = db;
	sqlite3_busy_handler(c->h, busy_wait, db);
}

unsigned long
db_busy_retries(struct db *db)
{
	return db != NULL ? atomic_load_explicit(&db->busy_retries,
	    memory_order_relaxed) : 0;
}

/*
 * Past this many frames in the WAL (4 MiB of 4 KiB pages), a checkpoint
 * gets a second pass with this process's writers held back. Under steady
 * commits new frames arrive while a passive pass runs, so no writer ever
 * finds the WAL wholly copied, the WAL never starts over and it grows
 * without bound.
 */
#define WAL_HOLD_FRAMES 1024

/* One checkpoint: passive beside the writers, then if need be without them. */
static void
checkpoint_once(struct db *db)
{
	int log = 0, done = 0;

	/* PASSIVE: never waits for readers or blocks writers. */
	if (sqlite3_wal_checkpoint_v2(db->ckpt_conn->h, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK ||
	    log < WAL_HOLD_FRAMES)
		return;
	/* Still passive: readers are never waited for. With the writers
	 * held, it copies what readers allow, and the next commit can then
	 * start the WAL over. */
	pthread_mutex_lock(&db->write_lock);
	(void)sqlite3_wal_checkpoint_v2(db->ckpt_conn->h, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	pthread_mutex_unlock(&db->write_lock);
}

/* Checkpoints the WAL every interval until told to stop. */
static void *
checkpointer(void *arg)
{
	struct db *db = arg;
	struct timespec ts;

	pthread_mutex_lock(&db->lock);
	while (!db->ckpt_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(db->ckpt_interval_ms % 1000) * 1000000L;
		ts.tv_sec += (time_t)(db->ckpt_interval_ms / 1000) + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&db->ckpt_cv, &db->lock, &ts);
		if (db->ckpt_stop)
			break;
		pthread_mutex_unlock(&db->lock);
		checkpoint_once(db);
		pthread_mutex_lock(&db->lock);
	}
	pthread_mutex_unlock(&db->lock);
	return NULL;
}

int
db_checkpoint_in_background(struct db *db, unsigned interval_ms)
{
	char err[256];
	struct db_conn *c;

	if (db == NULL || interval_ms == 0 || db->ckpt_running)
		return DB_ERR;
	if ((db->ckpt_conn = conn_open(db->path, err, sizeof(err))) == NULL)
		return DB_ERR;
	conn_adopt(db, db->ckpt_conn);
	db->ckpt_interval_ms = interval_ms;
	pthread_mutex_lock(&db->lock);
	db->ckpt_running = true;
	for (c = db->idle; c != NULL; c = c->next)
		sqlite3_exec(c->h, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
	pthread_mutex_unlock(&db->lock);
	if (pthread_create(&db->ckpt_thread, NULL, checkpointer, db) != 0) {
		db->ckpt_running = false;
		conn_close(db->ckpt_conn);
		db->ckpt_conn = NULL;
		return DB_ERR;
	}
	return DB_OK;
}

static void
checkpointer_stop(struct db *db)
{
	if (!db->ckpt_running)
		return;
	pthread_mutex_lock(&db->lock);
	db->ckpt_stop = true;
	pthread_cond_signal(&db->ckpt_cv);
	pthread_mutex_unlock(&db->lock);
	pthread_join(db->ckpt_thread, NULL);
	sqlite3_wal_checkpoint_v2(db->ckpt_conn->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	conn_close(db->ckpt_conn);
	db->ckpt_conn = NULL;
	db->ckpt_running = false;
}

int
db_open(const char *path, struct db **out, char *err, size_t errsz)
{
	struct db *db;
	struct db_conn *c;
	int rc;

	if (path == NULL || out == NULL || err == NULL)
		return DB_ERR;
	if ((rc = check_location(path, err, errsz)) != DB_OK)
		return rc;
	if ((c = conn_open(path, err, errsz)) == NULL)
		return DB_ERR;
	if ((db = calloc(1, sizeof(*db))) == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		conn_close(c);
		snprintf(err, errsz, "out of memory");
		return DB_ERR;
	}
	pthread_mutex_init(&db->lock, NULL);
	pthread_mutex_init(&db->write_lock, NULL);
	pthread_cond_init(&db->ckpt_cv, NULL);
	conn_adopt(db, c);
	db->idle = c;
	*out = db;
	return DB_OK;
}

void
db_close(struct db *db)
{
	struct db_conn *c, *next;

	if (db == NULL)
		return;
	checkpointer_stop(db);
	for (c = db->idle; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
	pthread_mutex_destroy(&db->lock);
	pthread_mutex_destroy(&db->write_lock);
	pthread_cond_destroy(&db->ckpt_cv);
	free(db->path);
	free(db);
}

const char *
db_path(const struct db *db)
{
	return db->path;
}

struct db_conn *
db_acquire(struct db *db)
{
	struct db_conn *c;
	char err[256];

	pthread_mutex_lock(&db->lock);
	if ((c = db->idle) != NULL)
		db->idle = c->next;
	pthread_mutex_unlock(&db->lock);
	if (c == NULL && (c = conn_open(db->path, err, sizeof(err))) != NULL) {
		conn_adopt(db, c);
		if (db->ckpt_running)
			sqlite3_exec(c->h, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
	}
	return c;
}

void
db_release(struct db *db, struct db_conn *c)
{
	if (c == NULL)
		return;
	db_rollback(c);
	pthread_mutex_lock(&db->lock);
	c->next = db->idle;
	db->idle = c;
	pthread_mutex_unlock(&db->lock);
}

sqlite3 *
db_handle(struct db_conn *c)
{
	return c->h;
}

sqlite3_stmt *
db_stmt(struct db_conn *c, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) & (STMT_SLOTS - 1);

	for (size_t n = 0; n < STMT_SLOTS; n++, h = (h + 1) & (STMT_SLOTS - 1)) {
		struct stmt_slot *s = &c->slots[h];
		if (s->sql == sql) {
			sqlite3_reset(s->stmt);
			sqlite3_clear_bindings(s->stmt);
			return s->stmt;
		}
		if (s->sql != NULL)
			continue;
		if (sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
		    &s->stmt, NULL) != SQLITE_OK) {
			fprintf(stderr, "db: prepare failed: %s: %s\n",
			    sqlite3_errmsg(c->h), sql);
			s->stmt = NULL;
			return NULL;
		}
		s->sql = sql;
		return s->stmt;
	}
	fprintf(stderr, "db: statement cache full\n");
	return NULL;
}

int
db_step(sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return DB_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return DB_OK;
	return db_err_from_sqlite(sqlite3_extended_errcode(sqlite3_db_handle(st)));
}

int
db_exists(struct db_conn *c, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = db_stmt(c, sql);
	int rc;

	if (st == NULL || (a != NULL && db_bind_text(st, 1, a) != DB_OK) ||
	    (b != NULL && db_bind_text(st, 2, b) != DB_OK))
		return DB_ERR;
	rc = db_step(st);
	sqlite3_reset(st);
	return rc;
}

int
db_exec(struct db_conn *c, const char *sql)
{
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? DB_OK : db_err_from_sqlite(sqlite3_extended_errcode(c->h));
}

void
db_cache_size(struct db_conn *c, int kib)
{
	sqlite3_stmt *st = NULL;
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib > 0 ? kib : 2000);
	if (sqlite3_prepare_v2(c->h, sql, -1, &st, NULL) == SQLITE_OK)
		sqlite3_step(st);
	sqlite3_finalize(st);
}

static void
write_done(struct db_conn *c)
{
	if (c->writing) {
		c->writing = false;
		__atomic_store_n(&c->db->write_owned, false, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&c->db->write_lock);
	}
}

/*
 * Whether this thread already writes through another connection: it then
 * meets SQLite's own lock (and its busy timeout) rather than waiting on
 * itself.
 */
static bool
own_writer(const struct db *db)
{
	return __atomic_load_n(&db->write_owned, __ATOMIC_ACQUIRE) &&
	    pthread_equal(__atomic_load_n(&db->write_owner, __ATOMIC_RELAXED),
	    pthread_self());
}

int
db_begin(struct db_conn *c)
{
	int rc;

	if (c->db != NULL && !c->writing && !own_writer(c->db)) {
		pthread_mutex_lock(&c->db->write_lock);
		__atomic_store_n(&c->db->write_owner, pthread_self(), __ATOMIC_RELAXED);
		__atomic_store_n(&c->db->write_owned, true, __ATOMIC_RELEASE);
		c->writing = true;
	}
	if ((rc = db_exec(c, "BEGIN IMMEDIATE")) != DB_OK)
		write_done(c);
	return rc;
}

int
db_commit(struct db_conn *c)
{
	int rc = db_exec(c, "COMMIT");

	if (rc != DB_OK)
		db_rollback(c);
	write_done(c);
	return rc;
}

void
db_rollback(struct db_conn *c)
{
	if (!sqlite3_get_autocommit(c->h))
		sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
	write_done(c);
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	int rc = s == NULL ? sqlite3_bind_null(st, idx) :
	    sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);

	return rc == SQLITE_OK ? DB_OK : DB_ERR;
}

int
db_bind_int64(sqlite3_stmt *st, int idx, sqlite3_int64 v)
{
	return sqlite3_bind_int64(st, idx, v) == SQLITE_OK ? DB_OK : DB_ERR;
}

int
db_column_text(sqlite3_stmt *st, int col, char *buf, size_t bufsz)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);

	if (bufsz == 0)
		return -1;
	if (s == NULL) {
		buf[0] = '\0';
		return 0;
	}
	if (n >= bufsz)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int
db_schema_version(struct db *db, int *version)
{
	struct db_conn *c = db_acquire(db);
	sqlite3_stmt *st;
	int rc;

	if (c == NULL)
		return DB_ERR;
	*version = 0;
	rc = db_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)");
	if (rc == DB_OK) {
		st = db_stmt(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
		rc = db_step(st);
		if (rc == 1) {
			*version = sqlite3_column_int(st, 0);
			rc = DB_OK;
		}
		sqlite3_reset(st);
	}
	db_release(db, c);
	return rc;
}

static int
apply_one(struct db_conn *c, const struct db_migration *m)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	/* Another process may have applied it since we looked. */
	st = db_stmt(c, "SELECT 1 FROM schema_migrations WHERE version = ?");
	if ((rc = db_bind_int64(st, 1, m->version)) != DB_OK)
		goto fail;
	if ((rc = db_step(st)) == 1) {
		db_rollback(c);
		return 1;
	}
	if (rc != DB_OK)
		goto fail;
	if ((rc = db_exec(c, m->sql)) != DB_OK) {
		fprintf(stderr, "migration %04d_%s: %s\n", m->version, m->name,
		    sqlite3_errmsg(c->h));
		goto fail;
	}
	st = db_stmt(c, "INSERT INTO schema_migrations (version, name, applied_at) "
	    "VALUES (?, ?, CAST(strftime('%s','now') AS INTEGER))");
	if ((rc = db_bind_int64(st, 1, m->version)) != DB_OK ||
	    (rc = db_bind_text(st, 2, m->name)) != DB_OK ||
	    (rc = db_step(st)) != DB_OK)
		goto fail;
	return db_commit(c);
fail:
	db_rollback(c);
	return rc;
}

int
db_migrate(struct db *db, const struct db_migration *list, size_t n, int *applied)
{
	struct db_conn *c;
	int current, rc;

	*applied = 0;
	if ((rc = db_schema_version(db, &current)) != DB_OK)
		return rc;
	if (n > 0 && current > list[n - 1].version)
		return DB_NEWER;
	if (n == 0 && current > 0)
		return DB_NEWER;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		if (list[i].version <= current)
			continue;
		rc = apply_one(c, &list[i]);
		if (rc == DB_OK)
			(*applied)++;
		else if (rc == 1)
			rc = DB_OK;
	}
	db_release(db, c);
	return rc;
}

/* Copies the open source into dst in steps, all from one read snapshot. */
static int
backup_copy(sqlite3 *src, sqlite3 *dst, int *pages, char *err, size_t errsz)
{
	sqlite3_backup *b;
	int rc;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(dst));
		return DB_ERR;
	}
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(5);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	*pages = sqlite3_backup_pagecount(b);
	if (rc != SQLITE_DONE)
		snprintf(err, errsz, "backup: %s", sqlite3_errstr(rc));
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE) {
		snprintf(err, errsz, "backup: %s", sqlite3_errmsg(dst));
		rc = SQLITE_ERROR;
	}
	return rc == SQLITE_DONE ? DB_OK : db_err_from_sqlite(rc);
}

/* fsyncs the file at path, or a directory; -1 on failure. */
static int
sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
backup_open(const char *src_path, const char *tmp, sqlite3 **src,
    sqlite3 **dst, char *err, size_t errsz)
{
	int fd;

	if (sqlite3_open_v2(src_path, src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", src_path, sqlite3_errmsg(*src));
		return DB_READONLY;
	}
	sqlite3_busy_timeout(*src, BUSY_TIMEOUT_MS);
	/* Made here, 0600, before SQLite opens it with its own mode. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return DB_READONLY;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", tmp, sqlite3_errmsg(*dst));
		return DB_READONLY;
	}
	/*
	 * One read transaction over every step: under WAL the snapshot stays
	 * still while the server writes, so the copy never starts over.
	 */
	if (sqlite3_exec(*src, "BEGIN; SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", src_path, sqlite3_errmsg(*src));
		return DB_ERR;
	}
	return DB_OK;
}

int
db_backup(const char *src_path, const char *dst_path, int *pages, char *err,
    size_t errsz)
{
	sqlite3 *src = NULL, *dst = NULL;
	char tmp[4096], dir[4096];
	const char *slash;
	int rc;

	if (src_path == NULL || dst_path == NULL || pages == NULL)
		return DB_ERR;
	*pages = 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", dst_path) >= sizeof(tmp)) {
		snprintf(err, errsz, "path too long");
		return DB_ERR;
	}
	rc = backup_open(src_path, tmp, &src, &dst, err, errsz);
	if (rc == DB_OK)
		rc = backup_copy(src, dst, pages, err, errsz);
	if (src != NULL)
		sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(src);
	if (sqlite3_close(dst) != SQLITE_OK && rc == DB_OK) {
		snprintf(err, errsz, "%s: cannot close", tmp);
		rc = DB_ERR;
	}
	if (rc == DB_OK && (sync_path(tmp, false) != 0 || rename(tmp, dst_path) != 0)) {
		snprintf(err, errsz, "%s: %s", dst_path, strerror(errno));
		rc = DB_ERR;
	}
	if (rc != DB_OK) {
		unlink(tmp);
		return rc;
	}
	slash = strrchr(dst_path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - dst_path) + 1 : 1,
	    slash != NULL ? dst_path : ".");
	(void)sync_path(dir, true);
	return DB_OK;
}
