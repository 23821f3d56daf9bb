/*
 * test_registry: unit tests for the registry tables (registry): all-or-
 * nothing CSV import with physical line numbers in its errors, re-import and
 * update, look-ups, the first living person and superseded cards.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base.h"
#include "db.h"
#include "regen.h"
#include "registry.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15 */

/* Imports `len` bytes of `data` through a file. */
static int
import_bytes(struct fixture *f, const char *data, size_t len, bool update,
    struct registry_import_result *res)
{
	char csv[128];
	FILE *fp;
	int rc;

	if (fixture_path(f, "in.csv", csv, sizeof(csv)) != 0 ||
	    (fp = fopen(csv, "wb")) == NULL)
		return -100;
	if (len > 0 && fwrite(data, 1, len, fp) != len) {
		fclose(fp);
		return -100;
	}
	fclose(fp);
	if ((fp = fopen(csv, "rb")) == NULL)
		return -100;
	rc = registry_import(f->db, fp, "test.csv", update, NOW, res);
	fclose(fp);
	return rc;
}

static int
import_str(struct fixture *f, const char *data, bool update,
    struct registry_import_result *res)
{
	return import_bytes(f, data, strlen(data), update, res);
}

static unsigned long
count_people(struct fixture *f)
{
	unsigned long n = 999999;

	if (registry_count(f->db, &n) != DB_OK)
		return 999998;
	return n;
}

static long long
count_imports(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM registry_imports");
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

#define HEADER PERSON_CSV_HEADER "\n"
/* Nguyễn Văn An; Trần Thị Bình with decomposed diacritics; Lê Minh Châu. */
#define ROW_AN "001090000001,Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,\"S\xe1\xbb\x91 1 Tr\xc3\xa0ng " \
	"Ti\xe1\xbb\x81n, Ho\xc3\xa0n Ki\xe1\xba\xbfm\",001090000001,2021-03-01," \
	"2036-05-17,living\n"
#define ROW_BINH "079195000002,Tra\xcc\x82\xcc\x80n Thi\xcc\xa3 Bi\xcc\x80nh,1995-11-02," \
	"female,Vie\xcc\xa3\xcc\x82t Nam,Ho\xcc\x82\xcc\x80 Chi\xcc\x81 Minh," \
	"Qua\xcc\xa3\xcc\x82n 1,079195000002,2020-01-15,2035-11-02,living\n"
#define ROW_CHAU "048203000003,L\xc3\xaa Minh Ch\xc3\xa2u,2003-07-20,male," \
	"Vi\xe1\xbb\x87t Nam,\xc4\x90\xc3\xa0 N\xe1\xba\xb5ng,H\xe1\xba\xa3i Ch\xc3\xa2u," \
	"048203000003,2022-08-01,2028-07-20,living\n"
#define ROW_DEAD "001050000009,Ph\xe1\xba\xa1m V\xc4\x83n D\xc5\xa9ng,1950-01-01," \
	"male,Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,H\xc3\xa0 N\xe1\xbb\x99i," \
	"123456789,2016-01-01,2031-01-01,deceased\n"
#define GOOD_CSV HEADER ROW_AN ROW_BINH ROW_CHAU ROW_DEAD

/* A fresh valid row, used as line 2 of bad files. */
#define ROW_NEW "036085000010,\xc4\x90\xe1\xbb\x97 V\xc4\x83n Em,1985-04-04,male," \
	"Vi\xe1\xbb\x87t Nam,Nam \xc4\x90\xe1\xbb\x8bnh,Nam \xc4\x90\xe1\xbb\x8bnh," \
	"036085000010,2021-04-04,2025-04-04,living\n"

TEST(import_good_file)
{
	struct registry_import_result res;
	struct fixture f;
	struct person p;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(count_people(&f), 0);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 4);
	CHECK_EQ_INT(res.updated, 0);
	CHECK_EQ_INT(res.unchanged, 0);
	CHECK_EQ_INT(res.bad_line, 0);
	CHECK_EQ_INT(count_people(&f), 4);
	CHECK_EQ_INT(count_imports(&f), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT rows_inserted FROM registry_imports"), 4);

	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.full_name, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	CHECK_STR(p.birth_date, "1990-05-17");
	CHECK_STR(p.sex, "male");
	CHECK_STR(p.residence, "S\xe1\xbb\x91 1 Tr\xc3\xa0ng Ti\xe1\xbb\x81n, "
	    "Ho\xc3\xa0n Ki\xe1\xba\xbfm");
	CHECK_STR(p.card_number, "001090000001");
	CHECK_STR(p.card_issued_on, "2021-03-01");
	CHECK_STR(p.card_expires_on, "2036-05-17");
	CHECK_STR(p.status, "living");
	CHECK_STR(p.date_of_death, "");

	/* Decomposed input is stored precomposed (NFC), byte for byte. */
	CHECK_EQ_INT(fixture_get(&f, "079195000002", &p), DB_OK);
	CHECK_STR(p.full_name, "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh");
	CHECK_STR(p.nationality, "Vi\xe1\xbb\x87t Nam");
	CHECK_STR(p.place_of_origin, "H\xe1\xbb\x93 Ch\xc3\xad Minh");
	CHECK_STR(p.residence, "Qu\xe1\xba\xadn 1");
	CHECK_STR(p.sex, "female");

	CHECK_EQ_INT(fixture_get(&f, "001050000009", &p), DB_OK);
	CHECK_STR(p.status, "deceased");
	CHECK_STR(p.card_number, "123456789");

	CHECK_EQ_INT(fixture_get(&f, "001090000002", &p), REG_NOT_FOUND);
	fixture_close(&f);
}

TEST(reimport_identical_changes_nothing)
{
	struct registry_import_result res;
	struct fixture f;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 0);
	CHECK_EQ_INT(res.updated, 0);
	CHECK_EQ_INT(res.unchanged, 4);
	CHECK_EQ_INT(count_people(&f), 4);
	/* Also with update: identical is unchanged, not updated. */
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, true, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 0);
	CHECK_EQ_INT(res.updated, 0);
	CHECK_EQ_INT(res.unchanged, 4);
	/* A file with the old rows and one new: one inserted. */
	CHECK_EQ_INT(import_str(&f, HEADER ROW_AN ROW_NEW ROW_CHAU, false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 1);
	CHECK_EQ_INT(res.unchanged, 2);
	CHECK_EQ_INT(count_people(&f), 5);
	fixture_close(&f);
}

#define ROW_CHAU_MOVED "048203000003,L\xc3\xaa Minh Ch\xc3\xa2u,2003-07-20,male," \
	"Vi\xe1\xbb\x87t Nam,\xc4\x90\xc3\xa0 N\xe1\xba\xb5ng,S\xc6\xa1n Tr\xc3\xa0," \
	"048203000003,2022-08-01,2028-07-20,living\n"

TEST(changed_record_needs_update)
{
	struct registry_import_result res;
	struct fixture f;
	struct person p;
	long long imports;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	imports = count_imports(&f);
	CHECK_EQ_INT(import_str(&f, HEADER ROW_AN ROW_BINH ROW_CHAU_MOVED, false,
	    &res), REG_INVALID);
	CHECK_EQ_INT(res.bad_line, 4);
	CHECK(contains(res.reason, "different"));
	CHECK_EQ_INT(count_imports(&f), imports);
	CHECK_EQ_INT(fixture_get(&f, "048203000003", &p), DB_OK);
	CHECK_STR(p.residence, "H\xe1\xba\xa3i Ch\xc3\xa2u");

	CHECK_EQ_INT(import_str(&f, HEADER ROW_AN ROW_BINH ROW_CHAU_MOVED, true,
	    &res), DB_OK);
	CHECK_EQ_INT(res.updated, 1);
	CHECK_EQ_INT(res.unchanged, 2);
	CHECK_EQ_INT(res.inserted, 0);
	CHECK_EQ_INT(count_imports(&f), imports + 1);
	CHECK_EQ_INT(fixture_get(&f, "048203000003", &p), DB_OK);
	CHECK_STR(p.residence, "S\xc6\xa1n Tr\xc3\xa0");
	CHECK_EQ_INT(count_people(&f), 4);
	fixture_close(&f);
}

#define LONG_FIELD_5000 \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

struct bad_case {
	const char *name;
	const char *data;
	size_t len;			/* 0: strlen(data) */
	unsigned long line;
	const char *why;		/* a substring of the reason */
};

#define ROW_TAIL ",Vi\xe1\xbb\x87t Nam,Hu\xe1\xba\xbf,Hu\xe1\xba\xbf,"

static const struct bad_case bad_cases[] = {
	{ "missing header", ROW_NEW ROW_AN, 0, 1, PERSON_CSV_HEADER },
	{ "wrong header", "personal_id,name,birth_date,sex,nationality,"
	    "place_of_origin,residence,card_number,card_issued_on,"
	    "card_expires_on,status\n" ROW_NEW, 0, 1, "expected: " PERSON_CSV_HEADER },
	{ "header with extra column", PERSON_CSV_HEADER ",extra\n" ROW_NEW, 0, 1,
	    PERSON_CSV_HEADER },
	{ "header missing a column", "personal_id,full_name,birth_date,sex,"
	    "nationality,place_of_origin,residence,card_number,card_issued_on,"
	    "card_expires_on\n" ROW_NEW, 0, 1, PERSON_CSV_HEADER },
	{ "header in capitals", "PERSONAL_ID,full_name,birth_date,sex,nationality,"
	    "place_of_origin,residence,card_number,card_issued_on,"
	    "card_expires_on,status\n" ROW_NEW, 0, 1, PERSON_CSV_HEADER },
	{ "header of ten fields, one holding a comma", "\"personal_id,full_name\","
	    "birth_date,sex,nationality,place_of_origin,residence,card_number,"
	    "card_issued_on,card_expires_on,status\n" ROW_NEW, 0, 1, PERSON_CSV_HEADER },
	{ "empty file", "", 0, 1, "empty" },
	{ "only a BOM", "\xef\xbb\xbf", 0, 1, "empty" },
	{ "embedded NUL", HEADER ROW_NEW "046090000011,Ho\0ang" ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01,living\n", sizeof(HEADER ROW_NEW
	    "046090000011,Ho\0ang" ROW_TAIL "046090000011,2020-01-01,2035-01-01,"
	    "living\n") - 1, 3, "NUL" },
	{ "ten fields", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng,1990-01-01,male"
	    ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01\n", 0, 3, "expected 11 fields, found 10" },
	{ "twelve fields", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng,1990-01-01,male"
	    ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01,living,x\n", 0, 3, "found 12" },
	{ "one field", HEADER ROW_NEW "\n", 0, 3, "found 1" },
	{ "invalid UTF-8 name", HEADER ROW_NEW "046090000011,Ho\xe0ng,1990-01-01,male"
	    ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "UTF-8" },
	{ "overlong UTF-8 residence", HEADER ROW_NEW "046090000011,Hoang,"
	    "1990-01-01,male,VN,Hue,\xc0\xaf,046090000011,2020-01-01,2035-01-01,"
	    "living\n", 0, 3, "residence" },
	{ "2001-02-30", HEADER ROW_NEW "046201000011,Ho\xc3\xa0ng,2001-02-30,male"
	    ROW_TAIL "046201000011,2020-01-01,2035-01-01,living\n", 0, 3, "birth_date" },
	{ "ID/sex mismatch", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng,1990-01-01,"
	    "female" ROW_TAIL "046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "sex" },
	{ "ID/year mismatch", HEADER ROW_NEW "046091000011,Ho\xc3\xa0ng,1990-01-01,"
	    "male" ROW_TAIL "046091000011,2020-01-01,2035-01-01,living\n", 0, 3, "year" },
	{ "ID/century mismatch", HEADER ROW_NEW "046290000011,Ho\xc3\xa0ng,1990-01-01,"
	    "male" ROW_TAIL "046290000011,2020-01-01,2035-01-01,living\n", 0, 3, "century" },
	{ "unknown province", HEADER ROW_NEW "003090000011,Ho\xc3\xa0ng,1990-01-01,"
	    "male" ROW_TAIL "003090000011,2020-01-01,2035-01-01,living\n", 0, 3, "province" },
	{ "card expires before issue", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng,"
	    "1990-01-01,male" ROW_TAIL "046090000011,2020-01-01,2019-12-31,living\n",
	    0, 3, "card_expires_on" },
	{ "birth in the future", HEADER ROW_NEW "046227000011,Ho\xc3\xa0ng,"
	    "2027-02-01,male" ROW_TAIL "046227000011,2027-02-01,2035-01-01,living\n",
	    0, 3, "birth_date" },
	{ "bad status", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng,1990-01-01,"
	    "male" ROW_TAIL "046090000011,2020-01-01,2035-01-01,dead\n", 0, 3, "status" },
	{ "duplicate, identical lines", HEADER ROW_NEW ROW_NEW, 0, 3, "duplicate" },
	{ "duplicate, identical lines apart", HEADER ROW_NEW ROW_AN ROW_NEW, 0, 4,
	    "duplicate" },
	{ "duplicate, same ID different data", HEADER ROW_NEW
	    "036085000010,\xc4\x90\xe1\xbb\x97 V\xc4\x83n Em,1985-04-04,male,"
	    "Vi\xe1\xbb\x87t Nam,Nam \xc4\x90\xe1\xbb\x8bnh,H\xc3\xa0 N\xe1\xbb\x99i,"
	    "036085000010,2021-04-04,2025-04-04,living\n", 0, 3, "duplicate" },
	{ "duplicate of a stored record, twice", HEADER ROW_NEW ROW_AN ROW_AN, 0, 4,
	    "duplicate" },
	/*
	 * No field may hold a line break (text refuses control characters), so
	 * a record with a quoted newline is itself bad: named by the physical
	 * line where it starts, after earlier lines and records.
	 */
	{ "quoted newline, record named by its first line", HEADER ROW_NEW
	    ROW_AN ROW_BINH "046090000012,Ho\xc3\xa0ng,1990-01-01,male,VN,Hue,\"1 L\xc3\xaa "
	    "L\xe1\xbb\xa3i\nHu\xe1\xba\xbf\",046090000012,2020-01-01,2035-01-01,"
	    "living\n", 0, 5, "residence" },
	{ "quoted newlines in a name", HEADER ROW_NEW "046090000013,\"Ng\xc3\xb4\n\n"
	    "B\xe1\xba\xa3o\",1990-01-01,male,VN,Hue,Hue,046090000013,2020-01-01,"
	    "2035-01-01,living\n", 0, 3, "full_name" },
	/* A reader error inside a quoted field names the physical line. */
	{ "NUL on the third line of a quoted field", HEADER ROW_NEW
	    "046090000012,Hoang,1990-01-01,male,VN,Hue,\"a\nb\nc\0d\",046090000012,"
	    "2020-01-01,2035-01-01,living\n", sizeof(HEADER ROW_NEW
	    "046090000012,Hoang,1990-01-01,male,VN,Hue,\"a\nb\nc\0d\",046090000012,"
	    "2020-01-01,2035-01-01,living\n") - 1, 5, "NUL" },
	{ "unterminated quote over several lines", HEADER ROW_NEW
	    "046090000011,\"Ho\xc3\xa0ng,1990-01-01,male,VN,Hue,Hue,\n046090000011,"
	    "2020-01-01,\n2035-01-01,living\n", 0, 3, "unterminated" },
	{ "text after a closing quote", HEADER ROW_NEW "046090000011,\"Hoang\"x,"
	    "1990-01-01,male,VN,Hue,Hue,046090000011,2020-01-01,2035-01-01,living\n",
	    0, 3, "quote" },
	{ "blank lines before a bad line", HEADER "\n" ROW_NEW "\n\n"
	    "046090000011,Hoang,1990-01-01,female,VN,Hue,Hue,046090000011,"
	    "2020-01-01,2035-01-01,living\n", 0, 2, "found 1" },
	{ "CRLF file with a bad line", PERSON_CSV_HEADER "\r\n"
	    "036085000010,Em,1985-04-04,male,VN,Nam,Nam,036085000010,2021-04-04,"
	    "2025-04-04,living\r\n"
	    "046090000011,Ho\xc3\xa0ng,1990-01-01,female,VN,Hue,Hue,046090000011,"
	    "2020-01-01,2035-01-01,living\r\n", 0, 3, "sex" },
	{ "BOM file with a bad line", "\xef\xbb\xbf" HEADER ROW_NEW
	    "046090000011,Ho\xc3\xa0ng,1990-01-01,female" ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "sex" },
	{ "bad last line without newline", HEADER ROW_NEW
	    "046090000011,Ho\xc3\xa0ng,1990-01-01,female" ROW_TAIL
	    "046090000011,2020-01-01,2035-01-01,living", 0, 3, "sex" },
	{ "unterminated quote", HEADER ROW_NEW "046090000011,\"Ho\xc3\xa0ng,1990-01-01,"
	    "male,VN,Hue,Hue,046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "quote" },
	{ "lone CR", HEADER ROW_NEW "046090000011,Ho\xc3\xa0ng\r,1990-01-01,male,VN,"
	    "Hue,Hue,046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "carriage" },
	{ "control character", HEADER ROW_NEW "046090000011,Ho\tang,1990-01-01,male,"
	    "VN,Hue,Hue,046090000011,2020-01-01,2035-01-01,living\n", 0, 3, "control" },
	{ "bad card number", HEADER ROW_NEW "046090000011,Hoang,1990-01-01,male,"
	    "VN,Hue,Hue,4609,2020-01-01,2035-01-01,living\n", 0, 3, "card_number" },
};

static void
check_bad(int *t_failed, struct fixture *f, const char *data, size_t len,
    unsigned long line, const char *why, const char *name)
{
	struct registry_import_result res;
	unsigned long before = count_people(f);
	long long imports = count_imports(f);
	int rc;

	rc = import_bytes(f, data, len, false, &res);
	if (rc != REG_INVALID || res.bad_line != line || !contains(res.reason, why))
		fprintf(stderr, "  %s: rc %d, line %lu (want %lu): %s\n", name, rc,
		    res.bad_line, line, res.reason);
	CHECK_EQ_INT(rc, REG_INVALID);
	CHECK_EQ_INT(res.bad_line, line);
	CHECK(contains(res.reason, why));
	CHECK_EQ_INT(count_people(f), before);
	CHECK_EQ_INT(count_imports(f), imports);
	/* With update allowed, the same file is refused the same way. */
	rc = import_bytes(f, data, len, true, &res);
	CHECK_EQ_INT(rc, REG_INVALID);
	CHECK_EQ_INT(res.bad_line, line);
	CHECK_EQ_INT(count_people(f), before);
	CHECK_EQ_INT(count_imports(f), imports);
}

TEST(bad_inputs_import_nothing)
{
	struct registry_import_result res;
	struct fixture f;
	struct person p;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		check_bad(t_failed, &f, b->data, b->len ? b->len : strlen(b->data),
		    b->line, b->why, b->name);
	}
	/* The valid rows before each bad line were never kept. */
	CHECK_EQ_INT(fixture_get(&f, "036085000010", &p), REG_NOT_FOUND);
	CHECK_EQ_INT(fixture_get(&f, "046090000012", &p), REG_NOT_FOUND);
	CHECK_EQ_INT(count_people(&f), 4);
	CHECK_EQ_INT(count_imports(&f), 1);
	fixture_close(&f);
}

TEST(bad_inputs_on_an_empty_registry)
{
	struct fixture f;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		if (strstr(b->name, "stored") != NULL)
			continue;	/* needs the good file first */
		check_bad(t_failed, &f, b->data, b->len ? b->len : strlen(b->data),
		    b->line, b->why, b->name);
	}
	CHECK_EQ_INT(count_people(&f), 0);
	CHECK_EQ_INT(count_imports(&f), 0);
	fixture_close(&f);
}

TEST(line_over_4k)
{
	char *data = malloc(16384);
	struct fixture f;
	size_t n;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	n = (size_t)sprintf(data, "%s%s046090000011,Hoang,1990-01-01,male,VN,Hue,",
	    HEADER, ROW_NEW);
	memset(data + n, 'x', 4200);
	n += 4200;
	n += (size_t)sprintf(data + n, ",046090000011,2020-01-01,2035-01-01,living\n");
	check_bad(t_failed, &f, data, n, 3, "too long", "line over 4 KiB");
	/* A quoted field that runs over the limit across lines: its first line. */
	n = (size_t)sprintf(data, "%s%s046090000011,Hoang,1990-01-01,male,VN,Hue,\"",
	    HEADER, ROW_NEW);
	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(data + n, "%s\n", LONG_FIELD_5000);
	n += (size_t)sprintf(data + n, "\",046090000011,2020-01-01,2035-01-01,living\n");
	check_bad(t_failed, &f, data, n, 3, "too long", "quoted field over 4 KiB");
	free(data);
	CHECK_EQ_INT(count_people(&f), 0);
	fixture_close(&f);
}

TEST(crlf_and_bom_files_import)
{
	struct registry_import_result res;
	struct fixture f;
	struct person p;
	const char *crlf = PERSON_CSV_HEADER "\r\n"
	    "036085000010,Em,1985-04-04,male,VN,Nam,\"Nam, Dinh\",036085000010,"
	    "2021-04-04,2025-04-04,living\r\n"
	    "046090000011,Ho\xc3\xa0ng,1990-01-01,male,VN,Hue,Hue,046090000011,"
	    "2020-01-01,2035-01-01,living\r\n";

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, crlf, false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 2);
	CHECK_EQ_INT(fixture_get(&f, "046090000011", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_STR(p.card_expires_on, "2035-01-01");
	CHECK_EQ_INT(fixture_get(&f, "036085000010", &p), DB_OK);
	CHECK_STR(p.status, "living");
	CHECK_STR(p.residence, "Nam, Dinh");

	CHECK_EQ_INT(import_str(&f, "\xef\xbb\xbf" HEADER ROW_AN ROW_CHAU, false,
	    &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 2);
	CHECK_EQ_INT(fixture_get(&f, "001090000001", &p), DB_OK);
	CHECK_STR(p.personal_id, "001090000001");
	/* BOM and CRLF together, no final newline. */
	CHECK_EQ_INT(import_str(&f, "\xef\xbb\xbf" PERSON_CSV_HEADER "\r\n"
	    "048303000004,L\xc3\xaa Minh Ch\xc3\xa2u,2003-07-20,female,VN,Da Nang,"
	    "Hai Chau,048303000004,2022-08-01,2028-07-20,living", false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 1);
	CHECK_EQ_INT(count_people(&f), 5);
	fixture_close(&f);
}

TEST(header_only_imports_zero)
{
	struct registry_import_result res;
	struct fixture f;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, HEADER, false, &res), DB_OK);
	CHECK_EQ_INT(res.inserted, 0);
	CHECK_EQ_INT(count_people(&f), 0);
	CHECK_EQ_INT(count_imports(&f), 1);
	fixture_close(&f);
}

static int
write_regen(const char *path, uint64_t count)
{
	FILE *fp = fopen(path, "wb");
	int rc;

	if (fp == NULL)
		return -1;
	rc = regen_write_csv(fp, count, 7);
	if (fclose(fp) != 0)
		rc = -1;
	return rc;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, fp);
		buf[*len] = '\0';
	}
	fclose(fp);
	return buf;
}

TEST(ten_thousand_rows)
{
	struct registry_import_result res;
	struct fixture f, g;
	char csv[128] = "", *data, *line;
	size_t len = 0;
	unsigned long ln = 1;
	FILE *fp;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	(void)fixture_path(&f, "in.csv", csv, sizeof(csv));
	CHECK_EQ_INT(write_regen(csv, 10000), 0);
	fp = fopen(csv, "rb");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	CHECK_EQ_INT(registry_import(f.db, fp, "regen", false, NOW, &res), DB_OK);
	fclose(fp);
	CHECK_EQ_INT(res.inserted, 10000);
	CHECK_EQ_INT(count_people(&f), 10000);

	/* Line 5001 (the 5000th person) corrupted: nothing, and line 5001. */
	data = slurp(csv, &len);
	CHECK(data != NULL);
	if (data == NULL)
		return;
	for (line = data; ln < 5001 && line != NULL; ln++) {
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	CHECK(line != NULL);
	if (line != NULL) {
		char *comma = strchr(line, ',');
		CHECK(comma != NULL && comma < strchr(line, '\n'));
		/* The birth date moves a year: the ID's year digits disagree. */
		comma = strchr(comma + 1, ',');
		if (comma[1] == '"')
			comma = strstr(comma, "\",") + 1;
		CHECK(comma[5] == '-' && comma[4] >= '0' && comma[4] <= '9');
		comma[4] = comma[4] == '9' ? '8' : (char)(comma[4] + 1);
	}
	CHECK_EQ_INT(fixture_open(&g, "test_registry"), 0);
	CHECK_EQ_INT(import_bytes(&g, data, len, false, &res), REG_INVALID);
	CHECK_EQ_INT(res.bad_line, 5001);
	CHECK(contains(res.reason, "personal_id") || contains(res.reason, "birth_date"));
	CHECK_EQ_INT(count_people(&g), 0);
	CHECK_EQ_INT(count_imports(&g), 0);
	/* Into the registry that holds the good file: still refused, unchanged. */
	CHECK_EQ_INT(import_bytes(&f, data, len, true, &res), REG_INVALID);
	CHECK_EQ_INT(res.bad_line, 5001);
	CHECK_EQ_INT(count_people(&f), 10000);
	CHECK_EQ_INT(count_imports(&f), 1);
	free(data);
	fixture_close(&g);
	fixture_close(&f);
}

TEST(first_living)
{
	struct registry_import_result res;
	struct fixture f;
	struct person p;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(registry_first_living(f.db, &p), REG_NOT_FOUND);
	/* 001050000009 is lower but deceased. */
	CHECK_EQ_INT(import_str(&f, HEADER ROW_CHAU ROW_DEAD ROW_BINH, false, &res),
	    DB_OK);
	CHECK_EQ_INT(registry_first_living(f.db, &p), DB_OK);
	CHECK_STR(p.personal_id, "048203000003");
	CHECK_STR(p.status, "living");
	CHECK_EQ_INT(import_str(&f, HEADER ROW_AN, false, &res), DB_OK);
	CHECK_EQ_INT(registry_first_living(f.db, &p), DB_OK);
	CHECK_STR(p.personal_id, "001090000001");
	CHECK_STR(p.full_name, "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	fixture_close(&f);

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, HEADER ROW_DEAD, false, &res), DB_OK);
	CHECK_EQ_INT(registry_first_living(f.db, &p), REG_NOT_FOUND);
	fixture_close(&f);
}

TEST(card_superseded)
{
	struct registry_import_result res;
	struct db_conn *c;
	struct fixture f;
	struct person p;

	CHECK_EQ_INT(fixture_open(&f, "test_registry"), 0);
	CHECK_EQ_INT(import_str(&f, GOOD_CSV, false, &res), DB_OK);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_INT(registry_card_superseded(c, "001090000001"), 0);
	CHECK_EQ_INT(registry_card_superseded(c, "999999999"), 0);
	CHECK_EQ_INT(db_begin(c), DB_OK);
	CHECK_EQ_INT(registry_set_card(c, "001090000001", "001090000001",
	    "001090000099", "2026-01-10", "2041-01-10", NOW), DB_OK);
	CHECK_EQ_INT(db_commit(c), DB_OK);
	CHECK_EQ_INT(registry_card_superseded(c, "001090000001"), 1);
	CHECK_EQ_INT(registry_card_superseded(c, "001090000099"), 0);
	CHECK_EQ_INT(registry_get(c, "001090000001", &p), DB_OK);
	CHECK_STR(p.card_number, "001090000099");
	CHECK_STR(p.card_issued_on, "2026-01-10");
	CHECK_STR(p.card_expires_on, "2041-01-10");
	/* Another person's card is untouched. */
	CHECK_EQ_INT(registry_card_superseded(c, "079195000002"), 0);
	/* An unknown person: not found, nothing recorded. */
	CHECK_EQ_INT(db_begin(c), DB_OK);
	CHECK_EQ_INT(registry_set_card(c, "001090999999", "555555555",
	    "666666666", "2026-01-10", "2041-01-10", NOW), REG_NOT_FOUND);
	db_rollback(c);
	CHECK_EQ_INT(registry_card_superseded(c, "555555555"), 0);
	db_release(f.db, c);
	fixture_close(&f);
}

T_MAIN(T(import_good_file), T(reimport_identical_changes_nothing),
    T(changed_record_needs_update), T(bad_inputs_import_nothing),
    T(bad_inputs_on_an_empty_registry), T(line_over_4k),
    T(crlf_and_bom_files_import), T(header_only_imports_zero),
    T(ten_thousand_rows), T(first_living), T(card_superseded))
