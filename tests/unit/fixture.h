/*
 * fixture: the shared set-up of the unit tests. It owns the temp directory
 * /tmp/NAME.XXXXXX of one test, the migrated database DIR/t.db in it and a
 * seal over a fixed test key, removes all of them again, and offers the few
 * look-ups many tests make in that database; test-specific extras stay in
 * the test files.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct person;
struct seal;

struct fixture {
	char dir[64];
	struct db *db;
	struct seal *seal;
};

/*
 * A fresh temp dir /tmp/NAME.XXXXXX with a migrated database DIR/t.db and a
 * seal over a fixed test key (sodium_init done). 0 or -1; on -1 what was
 * made is left for fixture_close.
 */
int fixture_open(struct fixture *f, const char *name);
/* As fixture_open, with the seal over `key` instead of the fixed key. */
int fixture_open_key(struct fixture *f, const char *name, const uint8_t key[32]);
/* Closes the database, frees the seal and removes the dir; safe after a failed open. */
void fixture_close(struct fixture *f);
/* DIR/file into out; 0, or -1 when it does not fit. */
int fixture_path(const struct fixture *f, const char *file, char *out, size_t outsz);

/*
 * Writes the CSV header and `rows` to DIR/in.csv and imports it (source
 * "test", no update) as of `now`: the rows inserted, or -1.
 */
long fixture_import(struct fixture *f, const char *rows, int64_t now);
/* The first column of the first row of `sql` as an integer; -1 when none, -2 without a connection. */
long long fixture_count(const struct fixture *f, const char *sql);
/* Runs `sql`; 0 or -1. */
int fixture_exec(const struct fixture *f, const char *sql);
/* registry_get over a pooled connection; -100 without a connection. */
int fixture_get(const struct fixture *f, const char *personal_id, struct person *p);

/* A fresh directory /tmp/NAME.XXXXXX into dir; 0, or -1 with dir "". */
int fixture_mkdtemp(char *dir, size_t dirsz, const char *name);
/* Removes dir and everything under it; nothing when dir is "". */
void fixture_rmtree(const char *dir);

#endif
