/*
 * registry: import, look-up and change events over the registry tables.
 */
#include "registry.h"

#include <jansson.h>
#include <string.h>

#include "clock.h"
#include "csv.h"
#include "pbatch.h"

#define MAX_LINE 4096
#define BATCH_ROWS 65536
#define BATCH_BYTES (20 * 1024 * 1024)

static const char SQL_INSERT_IMPORT[] =
    "INSERT INTO registry_imports (source, imported_at) VALUES (?, ?)";
static const char SQL_FINISH_IMPORT[] =
    "UPDATE registry_imports SET rows_inserted = ?, rows_updated = ?, "
    "rows_unchanged = ? WHERE id = ?";
static const char SQL_INSERT_PERSON[] =
    "INSERT INTO registry_people (personal_id, full_name, birth_date, sex, "
    "nationality, place_of_origin, residence, card_number, card_issued_on, "
    "card_expires_on, status, import_id, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (personal_id) DO NOTHING";
static const char SQL_UPDATE_PERSON[] =
    "UPDATE registry_people SET full_name = ?2, birth_date = ?3, sex = ?4, "
    "nationality = ?5, place_of_origin = ?6, residence = ?7, "
    "card_number = ?8, card_issued_on = ?9, card_expires_on = ?10, "
    "status = ?11, import_id = ?12, updated_at = ?13 WHERE personal_id = ?1";
static const char SQL_MARK_PERSON[] =
    "UPDATE registry_people SET import_id = ? WHERE personal_id = ?";
static const char SQL_GET_PERSON[] =
    "SELECT personal_id, full_name, birth_date, sex, nationality, "
    "place_of_origin, residence, card_number, card_issued_on, "
    "card_expires_on, status, date_of_death, import_id "
    "FROM registry_people WHERE personal_id = ?";

static int
bind_person(sqlite3_stmt *st, const struct person *p, sqlite3_int64 import_id,
    int64_t now)
{
	const char *v[PERSON_FIELDS] = {
		p->personal_id, p->full_name, p->birth_date, p->sex,
		p->nationality, p->place_of_origin, p->residence,
		p->card_number, p->card_issued_on, p->card_expires_on, p->status,
	};

	for (int i = 0; i < PERSON_FIELDS; i++)
		if (sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC) != SQLITE_OK)
			return DB_ERR;
	if (sqlite3_bind_int64(st, 12, import_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 13, now) != SQLITE_OK)
		return DB_ERR;
	return DB_OK;
}

static int
read_person(sqlite3_stmt *st, struct person *p, sqlite3_int64 *import_id)
{
	struct { char *buf; size_t sz; } cols[] = {
		{ p->personal_id, sizeof(p->personal_id) },
		{ p->full_name, sizeof(p->full_name) },
		{ p->birth_date, sizeof(p->birth_date) },
		{ p->sex, sizeof(p->sex) },
		{ p->nationality, sizeof(p->nationality) },
		{ p->place_of_origin, sizeof(p->place_of_origin) },
		{ p->residence, sizeof(p->residence) },
		{ p->card_number, sizeof(p->card_number) },
		{ p->card_issued_on, sizeof(p->card_issued_on) },
		{ p->card_expires_on, sizeof(p->card_expires_on) },
		{ p->status, sizeof(p->status) },
		{ p->date_of_death, sizeof(p->date_of_death) },
	};

	for (int i = 0; i < (int)ARRAY_LEN(cols); i++)
		if (db_column_text(st, i, cols[i].buf, cols[i].sz) != 0)
			return DB_ERR;
	if (import_id != NULL)
		*import_id = sqlite3_column_int64(st, 12);
	return DB_OK;
}

static int
lookup(struct db_conn *c, const char *pid, struct person *out,
    sqlite3_int64 *import_id)
{
	sqlite3_stmt *st = db_stmt(c, SQL_GET_PERSON);
	int rc;

	if (st == NULL || db_bind_text(st, 1, pid) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1)
		rc = read_person(st, out, import_id);
	else if (rc == DB_OK)
		rc = REG_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}

int
registry_get(struct db_conn *c, const char *pid, struct person *out)
{
	if (c == NULL || pid == NULL || out == NULL)
		return DB_ERR;
	return lookup(c, pid, out, NULL);
}

static bool
same_record(const struct person *a, const struct person *b)
{
	return strcmp(a->full_name, b->full_name) == 0 &&
	    strcmp(a->birth_date, b->birth_date) == 0 &&
	    strcmp(a->sex, b->sex) == 0 &&
	    strcmp(a->nationality, b->nationality) == 0 &&
	    strcmp(a->place_of_origin, b->place_of_origin) == 0 &&
	    strcmp(a->residence, b->residence) == 0 &&
	    strcmp(a->card_number, b->card_number) == 0 &&
	    strcmp(a->card_issued_on, b->card_issued_on) == 0 &&
	    strcmp(a->card_expires_on, b->card_expires_on) == 0 &&
	    strcmp(a->status, b->status) == 0;
}

struct import {
	struct db_conn *c;
	sqlite3_int64 id;
	bool update;
	int64_t now;
	char today[11];
	struct registry_import_result *res;
	struct pbatch *batch;
};

/* Records an error; the one on the earliest line is the one reported. */
static int
invalid(struct import *im, unsigned long line, const char *why)
{
	if (im->res->bad_line == 0 || line < im->res->bad_line) {
		im->res->bad_line = line;
		snprintf(im->res->reason, sizeof(im->res->reason), "%s", why);
	}
	return REG_INVALID;
}

/* A record whose personal_id is already stored. */
static int
import_existing(struct import *im, const struct person *p, unsigned long line)
{
	struct person old;
	sqlite3_int64 old_import;
	sqlite3_stmt *st;
	int rc;

	if ((rc = lookup(im->c, p->personal_id, &old, &old_import)) != DB_OK)
		return rc;
	if (old_import == im->id)
		return invalid(im, line, "duplicate personal_id (it appears on an earlier line)");
	if (same_record(p, &old)) {
		st = db_stmt(im->c, SQL_MARK_PERSON);
		if (st == NULL || db_bind_int64(st, 1, im->id) != DB_OK ||
		    db_bind_text(st, 2, p->personal_id) != DB_OK)
			return DB_ERR;
		im->res->unchanged++;
		return db_step(st);
	}
	if (!im->update)
		return invalid(im, line, "personal_id is already in the registry with "
		    "different data (use --update to replace it)");
	st = db_stmt(im->c, SQL_UPDATE_PERSON);
	if (st == NULL || bind_person(st, p, im->id, im->now) != DB_OK)
		return DB_ERR;
	im->res->updated++;
	return db_step(st);
}

/* Inserts one validated record, or settles it against the stored one. */
static int
insert_person(struct import *im, const struct person *p, unsigned long line)
{
	sqlite3_stmt *st = db_stmt(im->c, SQL_INSERT_PERSON);
	int rc;

	if (st == NULL || bind_person(st, p, im->id, im->now) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	if (sqlite3_changes(db_handle(im->c)) == 1) {
		im->res->inserted++;
		return DB_OK;
	}
	return import_existing(im, p, line);
}

/*
 * Inserts the batch in personal-ID order, so that each insert lands next
 * to the previous one in the index. Every record is tried, so that the
 * error reported is the one on the earliest line.
 */
static int
flush_batch(struct import *im)
{
	struct person p;
	unsigned long line;
	int rc;

	pbatch_sort(im->batch);
	for (size_t i = 0; i < pbatch_len(im->batch); i++) {
		pbatch_get(im->batch, i, &p, &line);
		rc = insert_person(im, &p, line);
		if (rc != DB_OK && rc != REG_INVALID)
			return rc;
	}
	pbatch_clear(im->batch);
	return im->res->bad_line != 0 ? REG_INVALID : DB_OK;
}

static int
import_record(struct import *im, const struct csv_record *rec)
{
	struct person p;
	char why[200], msg[256];
	int rc;

	if (rec->nfields != PERSON_FIELDS) {
		snprintf(msg, sizeof(msg), "expected %d fields, found %zu",
		    PERSON_FIELDS, rec->nfields);
		return invalid(im, rec->line, msg);
	}
	if (person_from_fields(&p, rec->field, rec->len, im->today, why,
	    sizeof(why)) != 0)
		return invalid(im, rec->line, why);
	if (pbatch_add(im->batch, &p, rec->line) == 0)
		return DB_OK;
	if ((rc = flush_batch(im)) != DB_OK)
		return rc;
	return pbatch_add(im->batch, &p, rec->line) == 0 ? DB_OK : DB_ERR;
}

static int
check_header(struct import *im, const struct csv_record *rec)
{
	char got[PERSON_FIELDS * 24];
	size_t pos = 0;

	for (size_t i = 0; i < rec->nfields && pos < sizeof(got) - 1; i++) {
		int n = snprintf(got + pos, sizeof(got) - pos, "%s%.*s",
		    i ? "," : "", (int)rec->len[i], rec->field[i]);
		pos += n > 0 ? (size_t)n : 0;
	}
	/* Field by field: a quoted "a,b" must not pass for two columns. */
	if (rec->nfields == PERSON_FIELDS && pos < sizeof(got) &&
	    strcmp(got, PERSON_CSV_HEADER) == 0)
		return DB_OK;
	return invalid(im, rec->line, "wrong header; expected: " PERSON_CSV_HEADER);
}

static int
begin_import(struct import *im, const char *source)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(im->c)) != DB_OK)
		return rc;
	st = db_stmt(im->c, SQL_INSERT_IMPORT);
	if (st == NULL || db_bind_text(st, 1, source) != DB_OK ||
	    db_bind_int64(st, 2, im->now) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	im->id = sqlite3_last_insert_rowid(db_handle(im->c));
	return DB_OK;
}

static int
finish_import(struct import *im)
{
	sqlite3_stmt *st = db_stmt(im->c, SQL_FINISH_IMPORT);

	if (st == NULL ||
	    db_bind_int64(st, 1, (sqlite3_int64)im->res->inserted) != DB_OK ||
	    db_bind_int64(st, 2, (sqlite3_int64)im->res->updated) != DB_OK ||
	    db_bind_int64(st, 3, (sqlite3_int64)im->res->unchanged) != DB_OK ||
	    db_bind_int64(st, 4, im->id) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static int
import_rows(struct import *im, struct csv_reader *rd)
{
	struct csv_record rec;
	int got, rc = DB_OK;

	if ((got = csv_next(rd, &rec)) <= 0)
		return got == 0 ? invalid(im, 1, "empty file; expected the header: "
		    PERSON_CSV_HEADER) : invalid(im, csv_error_line(rd), csv_error(rd));
	if ((rc = check_header(im, &rec)) != DB_OK)
		return rc;
	while ((got = csv_next(rd, &rec)) == 1)
		if ((rc = import_record(im, &rec)) != DB_OK)
			break;
	if (got < 0)
		rc = invalid(im, csv_error_line(rd), csv_error(rd));
	if (rc != DB_OK && rc != REG_INVALID)
		return rc;
	/* Lines before a bad one may hold an earlier error of their own. */
	if ((got = flush_batch(im)) != DB_OK)
		return got;
	return rc != DB_OK ? rc : finish_import(im);
}

int
registry_import(struct db *db, FILE *in, const char *source, bool update,
    int64_t now, struct registry_import_result *res)
{
	struct import im = { .update = update, .now = now, .res = res };
	struct csv_reader *rd = NULL;
	int rc = DB_ERR;

	if (db == NULL || in == NULL || source == NULL || res == NULL)
		return DB_ERR;
	memset(res, 0, sizeof(*res));
	clock_format_date(now, im.today);
	if ((rd = csv_new(in, MAX_LINE)) == NULL)
		return DB_ERR;
	if ((im.batch = pbatch_new(BATCH_ROWS, BATCH_BYTES)) == NULL)
		goto fail;
	if ((im.c = db_acquire(db)) == NULL)
		goto fail;
	/* Room for the index pages a large import touches, within 64 MB. */
	db_cache_size(im.c, 24576);
	if ((rc = begin_import(&im, source)) != DB_OK ||
	    (rc = import_rows(&im, rd)) != DB_OK)
		goto fail;
	rc = db_commit(im.c);
fail:
	if (im.c != NULL) {
		db_rollback(im.c);
		db_cache_size(im.c, 2000);
		db_release(db, im.c);
	}
	csv_free(rd);
	pbatch_free(im.batch);
	/* Nothing was written: no counts. */
	if (rc != DB_OK)
		res->inserted = res->updated = res->unchanged = 0;
	return rc;
}

int
registry_count(struct db *db, unsigned long *n)
{
	struct db_conn *c = db_acquire(db);
	sqlite3_stmt *st;
	int rc;

	if (c == NULL)
		return DB_ERR;
	st = db_stmt(c, "SELECT COUNT(*) FROM registry_people");
	rc = db_step(st);
	if (rc == 1) {
		*n = (unsigned long)sqlite3_column_int64(st, 0);
		rc = DB_OK;
	}
	sqlite3_reset(st);
	db_release(db, c);
	return rc;
}

int
registry_first_living(struct db *db, struct person *out)
{
	struct db_conn *c = db_acquire(db);
	sqlite3_stmt *st;
	int rc;

	if (c == NULL)
		return DB_ERR;
	st = db_stmt(c, "SELECT personal_id FROM registry_people "
	    "WHERE status = 'living' ORDER BY personal_id LIMIT 1");
	rc = db_step(st);
	if (rc == 1) {
		char pid[13];
		rc = db_column_text(st, 0, pid, sizeof(pid)) == 0 ?
		    lookup(c, pid, out, NULL) : DB_ERR;
	} else if (rc == DB_OK)
		rc = REG_NOT_FOUND;
	if (st != NULL)
		sqlite3_reset(st);
	db_release(db, c);
	return rc;
}

int
registry_card_held_by_other(struct db_conn *c, const char *card_number,
    const char *pid)
{
	return db_exists(c, "SELECT 1 FROM registry_people "
	    "WHERE card_number = ? AND personal_id <> ?", card_number, pid);
}

int
registry_card_superseded(struct db_conn *c, const char *card_number)
{
	return db_exists(c, "SELECT 1 FROM registry_superseded_cards "
	    "WHERE card_number = ?", card_number, NULL);
}

/* Runs an UPDATE of one person whose parameters are (value..., now, pid). */
static int
update_one(struct db_conn *c, const char *sql, const char *const *vals,
    int nvals, const char *pid, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, sql);
	int rc;

	if (st == NULL)
		return DB_ERR;
	for (int i = 0; i < nvals; i++)
		if (db_bind_text(st, i + 1, vals[i]) != DB_OK)
			return DB_ERR;
	if (db_bind_int64(st, nvals + 1, now) != DB_OK ||
	    db_bind_text(st, nvals + 2, pid) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	return sqlite3_changes(db_handle(c)) == 1 ? DB_OK : REG_NOT_FOUND;
}

int
registry_set_deceased(struct db_conn *c, const char *pid, const char *date,
    int64_t now)
{
	const char *v[] = { date };

	return update_one(c, "UPDATE registry_people SET status = 'deceased', "
	    "date_of_death = ?, updated_at = ? WHERE personal_id = ?", v, 1, pid, now);
}

int
registry_set_card(struct db_conn *c, const char *pid, const char *old_card,
    const char *card_number, const char *issued_on, const char *expires_on,
    int64_t now)
{
	const char *v[] = { card_number, issued_on, expires_on };
	sqlite3_stmt *st;
	int rc;

	rc = update_one(c, "UPDATE registry_people SET card_number = ?, "
	    "card_issued_on = ?, card_expires_on = ?, updated_at = ? "
	    "WHERE personal_id = ?", v, 3, pid, now);
	if (rc != DB_OK)
		return rc;
	st = db_stmt(c, "INSERT INTO registry_superseded_cards (card_number, "
	    "personal_id, superseded_at) VALUES (?, ?, ?) "
	    "ON CONFLICT (card_number) DO NOTHING");
	if (st == NULL || db_bind_text(st, 1, old_card) != DB_OK ||
	    db_bind_text(st, 2, pid) != DB_OK || db_bind_int64(st, 3, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
registry_set_name(struct db_conn *c, const char *pid, const char *full_name,
    int64_t now)
{
	const char *v[] = { full_name };

	return update_one(c, "UPDATE registry_people SET full_name = ?, "
	    "updated_at = ? WHERE personal_id = ?", v, 1, pid, now);
}

int
registry_set_residence(struct db_conn *c, const char *pid,
    const char *residence, int64_t now)
{
	const char *v[] = { residence };

	return update_one(c, "UPDATE registry_people SET residence = ?, "
	    "updated_at = ? WHERE personal_id = ?", v, 1, pid, now);
}
