/*
 * sqlite_ceiling: the single-commit ceiling of SQLite on this machine's
 * disk: one connection in the database file DB with the server's pragmas
 * (common/db.c: WAL, synchronous=NORMAL, 1 MiB page cache) committing
 * one-row INSERT transactions (BEGIN IMMEDIATE, INSERT, COMMIT) for
 * SECONDS seconds, while a second connection checkpoints every 50 ms
 * (PASSIVE, automatic checkpoints off), as `idp serve` does. The row is
 * about the size of an authorization code's. Prints
 * "per_s N us_per_op U wal_kib W".
 * Built by tests/bench/benchlib.py with
 *   cc -O2 tests/bench/sqlite_ceiling.c -lsqlite3 -lpthread
 * Usage: sqlite_ceiling DB [SECONDS]
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ceiling.h"

#define CHECKPOINT_MS 50

static atomic_bool stop;

static const char *const pragmas[] = {
	"PRAGMA journal_mode=WAL",
	"PRAGMA synchronous=NORMAL",
	"PRAGMA foreign_keys=ON",
	"PRAGMA temp_store=MEMORY",
	"PRAGMA cache_size=-1024",
	"PRAGMA wal_autocheckpoint=0",
};

static sqlite3 *
open_db(const char *path)
{
	sqlite3 *h;

	if (sqlite3_open(path, &h) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ceiling: %s: %s\n", path, sqlite3_errmsg(h));
		exit(2);
	}
	sqlite3_busy_timeout(h, 5000);
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
		if (sqlite3_exec(h, pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "sqlite_ceiling: %s: %s\n", pragmas[i],
			    sqlite3_errmsg(h));
			exit(2);
		}
	return h;
}

static void *
checkpointer(void *arg)
{
	sqlite3 *h = arg;

	while (!atomic_load(&stop)) {
		usleep(CHECKPOINT_MS * 1000);
		sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return NULL;
}

static int
commit_one(sqlite3 *h, sqlite3_stmt *ins, long i)
{
	unsigned char code[32];

	for (size_t k = 0; k < sizeof(code); k++)
		code[k] = (unsigned char)(i >> (k % 8 * 8)) ^ (unsigned char)k;
	if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_bind_blob(ins, 1, code, sizeof(code), SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(ins, 2, i) != SQLITE_OK ||
	    sqlite3_step(ins) != SQLITE_DONE ||
	    sqlite3_reset(ins) != SQLITE_OK ||
	    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ceiling: %s\n", sqlite3_errmsg(h));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 3.0, t0, t1;
	sqlite3 *h, *ck;
	sqlite3_stmt *ins;
	pthread_t tid;
	struct stat st;
	char wal[4096];
	long n = 0;

	if (argc < 2 || secs <= 0) {
		fprintf(stderr, "usage: sqlite_ceiling DB [SECONDS]\n");
		return 2;
	}
	h = open_db(argv[1]);
	if (sqlite3_exec(h, "CREATE TABLE IF NOT EXISTS codes (code BLOB PRIMARY KEY,"
	    " n INTEGER NOT NULL, client TEXT NOT NULL DEFAULT 'bench-client',"
	    " created_at INTEGER NOT NULL DEFAULT (unixepoch()))",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "INSERT INTO codes (code, n) VALUES (?, ?)", -1,
	    &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ceiling: %s\n", sqlite3_errmsg(h));
		return 2;
	}
	ck = open_db(argv[1]);
	if (pthread_create(&tid, NULL, checkpointer, ck) != 0)
		return 2;
	t0 = now_s();
	do {
		if (commit_one(h, ins, n) != 0)
			return 2;
		n++;
	} while ((n & 63) != 0 || (t1 = now_s()) - t0 < secs);
	atomic_store(&stop, 1);
	pthread_join(tid, NULL);
	snprintf(wal, sizeof(wal), "%s-wal", argv[1]);
	printf("per_s %.0f us_per_op %.1f wal_kib %lld\n", (double)n / (t1 - t0),
	    (t1 - t0) * 1e6 / (double)n,
	    stat(wal, &st) == 0 ? (long long)st.st_size / 1024 : -1LL);
	sqlite3_finalize(ins);
	sqlite3_close(ck);
	sqlite3_close(h);
	return 0;
}
