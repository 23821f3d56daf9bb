/*
 * fixture: the shared set-up of the unit tests (see fixture.h): temp
 * directories and their removal, the migrated test database and the seal
 * over a fixed test key.
 */
#include "fixture.h"

#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "db.h"
#include "registry.h"
#include "schema.h"
#include "seal.h"

static const uint8_t fixed_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	UNUSED(st);
	UNUSED(flag);
	UNUSED(ftw);
	return remove(path);
}

int
fixture_mkdtemp(char *dir, size_t dirsz, const char *name)
{
	int n = snprintf(dir, dirsz, "/tmp/%s.XXXXXX", name);

	if (n < 0 || (size_t)n >= dirsz || mkdtemp(dir) == NULL) {
		if (dirsz > 0)
			dir[0] = '\0';
		return -1;
	}
	return 0;
}

void
fixture_rmtree(const char *dir)
{
	if (dir != NULL && dir[0] != '\0')
		(void)nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int
fixture_path(const struct fixture *f, const char *file, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", f->dir, file);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
fixture_open_key(struct fixture *f, const char *name, const uint8_t key[32])
{
	char path[128], err[256] = "";
	int applied = 0;

	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0)
		return -1;
	if (fixture_mkdtemp(f->dir, sizeof(f->dir), name) != 0 ||
	    fixture_path(f, "t.db", path, sizeof(path)) != 0)
		return -1;
	if (db_open(path, &f->db, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "db_open: %s\n", err);
		f->db = NULL;
		return -1;
	}
	if (db_migrate(f->db, schema_migrations, schema_migrations_count,
	    &applied) != DB_OK || seal_from_key(key, &f->seal) != SEAL_OK)
		return -1;
	return 0;
}

int
fixture_open(struct fixture *f, const char *name)
{
	return fixture_open_key(f, name, fixed_key);
}

void
fixture_close(struct fixture *f)
{
	seal_free(f->seal);
	f->seal = NULL;
	if (f->db != NULL)
		db_close(f->db);
	f->db = NULL;
	fixture_rmtree(f->dir);
	f->dir[0] = '\0';
}

long
fixture_import(struct fixture *f, const char *rows, int64_t now)
{
	struct registry_import_result res;
	char path[128];
	FILE *fp;
	int rc;

	if (fixture_path(f, "in.csv", path, sizeof(path)) != 0 ||
	    (fp = fopen(path, "w+")) == NULL)
		return -1;
	fputs(PERSON_CSV_HEADER "\n", fp);
	fputs(rows, fp);
	rewind(fp);
	rc = registry_import(f->db, fp, "test", false, now, &res);
	fclose(fp);
	return rc == DB_OK ? (long)res.inserted : -1;
}

long long
fixture_count(const struct fixture *f, const char *sql)
{
	struct db_conn *c = db_acquire(f->db);
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (c == NULL)
		return -2;
	if (sqlite3_prepare_v2(db_handle(c), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	db_release(f->db, c);
	return n;
}

int
fixture_exec(const struct fixture *f, const char *sql)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -1;
	rc = sqlite3_exec(db_handle(c), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	db_release(f->db, c);
	return rc;
}

int
fixture_get(const struct fixture *f, const char *personal_id, struct person *p)
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -100;
	rc = registry_get(c, personal_id, p);
	db_release(f->db, c);
	return rc;
}
