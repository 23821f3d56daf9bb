/*
 * test_regen: unit tests for the synthetic population generator (regen):
 * CSV shape, determinism, personal identification number structure and
 * uniqueness, date validity and the card expiry rule, names and places.
 */
#include "t.h"

#include "province.h"
#include "regen.h"

#include <stdint.h>

#define NROWS 20000
#define NFIELDS 11
#define FIELD_CAP 512

static const char header[] =
	"personal_id,full_name,birth_date,sex,nationality,place_of_origin,"
	"residence,card_number,card_issued_on,card_expires_on,status\n";

enum {
	F_ID, F_NAME, F_BIRTH, F_SEX, F_NAT, F_ORIGIN, F_RES, F_CARD,
	F_ISSUED, F_EXPIRES, F_STATUS,
};

struct csv {
	char *data;
	size_t size;
};

static int
generate(struct csv *c, uint64_t count, uint64_t seed)
{
	FILE *f = open_memstream(&c->data, &c->size);
	int rc;

	if (f == NULL)
		return -1;
	rc = regen_write_csv(f, count, seed);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/*
 * Split one RFC 4180 record starting at *p into fields (unquoted, NUL
 * terminated). Returns the field count, or -1 on malformed input; *p moves
 * past the record's newline.
 */
static int
split_record(const char **p, const char *end, char fields[][FIELD_CAP],
    int max)
{
	const char *s = *p;
	int n = 0;

	for (;;) {
		size_t len = 0;
		int quoted = s < end && *s == '"';
		if (n == max)
			return -1;
		if (quoted)
			s++;
		while (s < end) {
			if (quoted && *s == '"' && s + 1 < end && s[1] == '"') {
				s++;
			} else if (quoted && *s == '"') {
				quoted = 2;
				s++;
				break;
			} else if (!quoted && (*s == ',' || *s == '\n')) {
				break;
			}
			if (len + 1 >= FIELD_CAP)
				return -1;
			fields[n][len++] = *s++;
		}
		fields[n++][len] = '\0';
		if (quoted == 1 || s >= end)
			return -1;
		if (*s++ == '\n')
			break;
	}
	*p = s;
	return n;
}

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Parse YYYY-MM-DD; 1 when well formed and a real calendar day. */
static int
parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2))
		return 0;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= mdays(*y, *m);
}

/* The date a person born on by-bm-bd turns `age`, as YYYY-MM-DD. */
static void
anniversary(char out[11], int by, int bm, int bd, int age)
{
	int y = by + age, last = mdays(y, bm);

	snprintf(out, 11, "%04d-%02d-%02d", y, bm, bd < last ? bd : last);
}

static void
expected_expiry(char out[11], const char *issued, int by, int bm, int bd)
{
	static const int ages[] = { 25, 40, 60 };
	char grace[11];

	for (size_t i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
		anniversary(grace, by, bm, bd, ages[i] - 2);
		if (strcmp(issued, grace) < 0) {
			anniversary(out, by, bm, bd, ages[i]);
			return;
		}
	}
	anniversary(out, by, bm, bd, 100);
}

/* Valid UTF-8 without combining marks (so precomposed, as NFC wants). */
static int
utf8_nfc_ok(const unsigned char *s, int *non_ascii)
{
	while (*s != '\0') {
		uint32_t cp;
		int extra;
		if (*s < 0x80) {
			s++;
			continue;
		}
		*non_ascii = 1;
		if ((*s & 0xE0) == 0xC0) {
			cp = *s & 0x1Fu;
			extra = 1;
		} else if ((*s & 0xF0) == 0xE0) {
			cp = *s & 0x0Fu;
			extra = 2;
		} else {
			return 0;
		}
		for (s++; extra > 0; extra--, s++) {
			if ((*s & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s & 0x3Fu);
		}
		if (cp < 0x80 || (cp >= 0x300 && cp <= 0x36F))
			return 0;
	}
	return 1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Count of distinct values after sorting; duplicates lower it. */
static size_t
distinct(uint64_t *v, size_t n)
{
	size_t k = n == 0 ? 0 : 1;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 1; i < n; i++)
		k += v[i] != v[i - 1];
	return k;
}

static int
ends_with_province(const char *s)
{
	const char *tail = strrchr(s, ',');

	if (tail == NULL || tail[1] != ' ')
		return 0;
	tail += 2;
	if (strncmp(tail, "Thành phố ", strlen("Thành phố ")) == 0)
		tail += strlen("Thành phố ");
	for (size_t i = 0; i < province_count(); i++) {
		if (strcmp(tail, province_name(i)) == 0)
			return 1;
	}
	return 0;
}

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

TEST(header_and_empty)
{
	struct csv c = { NULL, 0 };

	CHECK_EQ_INT(generate(&c, 0, 1), 0);
	CHECK_EQ_INT(c.size, strlen(header));
	CHECK(c.data != NULL && strcmp(c.data, header) == 0);
	free(c.data);
	c.data = NULL;
	CHECK_EQ_INT(generate(&c, 3, 1), 0);
	CHECK(c.data != NULL && strncmp(c.data, header, strlen(header)) == 0);
	CHECK_EQ_INT(count_char(c.data, '\n'), 4);
	free(c.data);
}

TEST(deterministic)
{
	struct csv a = { NULL, 0 }, b = { NULL, 0 }, d = { NULL, 0 };

	CHECK_EQ_INT(generate(&a, 2000, 42), 0);
	CHECK_EQ_INT(generate(&b, 2000, 42), 0);
	CHECK_EQ_INT(generate(&d, 2000, 43), 0);
	CHECK(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);
	CHECK(a.size != d.size || memcmp(a.data, d.data, a.size) != 0);
	free(a.data);
	free(b.data);
	free(d.data);
}

struct tally {
	size_t rows, bad_fields, deceased, non_ascii_names;
	uint64_t ids[NROWS];
	unsigned char province_seen[1000];
};

static void
check_id(int *t_failed, char f[][FIELD_CAP], int by)
{
	int female = strcmp(f[F_SEX], "female") == 0;
	int g = (by >= 2000 ? 2 : 0) + female;
	char code[4];

	CHECK(strlen(f[F_ID]) == 12 && digits(f[F_ID], 12));
	memcpy(code, f[F_ID], 3);
	code[3] = '\0';
	CHECK(province_lookup(code) != NULL);
	CHECK_EQ_INT(f[F_ID][3] - '0', g);
	CHECK_EQ_INT(atoi(f[F_ID] + 4) / 1000000, by % 100);
	CHECK_STR(f[F_CARD], f[F_ID]);
	CHECK(strcmp(f[F_SEX], "male") == 0 || female);
}

static void
check_dates(int *t_failed, char f[][FIELD_CAP], int by, int bm, int bd)
{
	int y, m, d;
	char min_issue[11], want[11];

	CHECK(by >= 1930 && by <= 2012);
	CHECK(parse_date(f[F_ISSUED], &y, &m, &d));
	CHECK(parse_date(f[F_EXPIRES], &y, &m, &d));
	anniversary(min_issue, by, bm, bd, 14);
	CHECK(strcmp(f[F_ISSUED], min_issue) >= 0);
	CHECK(strcmp(f[F_ISSUED], "2016-01-01") >= 0);
	CHECK(strcmp(f[F_ISSUED], "2026-06-30") <= 0);
	CHECK(strcmp(f[F_EXPIRES], f[F_ISSUED]) >= 0);
	expected_expiry(want, f[F_ISSUED], by, bm, bd);
	CHECK_STR(f[F_EXPIRES], want);
}

static void
check_text(int *t_failed, char f[][FIELD_CAP], struct tally *t)
{
	int non_ascii = 0, female = strcmp(f[F_SEX], "female") == 0;

	CHECK(utf8_nfc_ok((const unsigned char *)f[F_NAME], &non_ascii));
	t->non_ascii_names += (size_t)non_ascii;
	CHECK(count_char(f[F_NAME], ' ') >= 2);
	if (strstr(f[F_NAME], " Thị ") != NULL)
		CHECK(female);
	if (strstr(f[F_NAME], " Văn ") != NULL)
		CHECK(!female);
	CHECK_STR(f[F_NAT], "Việt Nam");
	CHECK(utf8_nfc_ok((const unsigned char *)f[F_ORIGIN], &non_ascii));
	CHECK(utf8_nfc_ok((const unsigned char *)f[F_RES], &non_ascii));
	CHECK(count_char(f[F_ORIGIN], ',') >= 2 && ends_with_province(f[F_ORIGIN]));
	CHECK(count_char(f[F_RES], ',') >= 3 && ends_with_province(f[F_RES]));
	CHECK(strcmp(f[F_STATUS], "living") == 0 ||
	    strcmp(f[F_STATUS], "deceased") == 0);
	t->deceased += strcmp(f[F_STATUS], "deceased") == 0;
}

static void
check_row(int *t_failed, char f[][FIELD_CAP], struct tally *t)
{
	int by = 0, bm = 0, bd = 0;

	CHECK(parse_date(f[F_BIRTH], &by, &bm, &bd));
	check_id(t_failed, f, by);
	check_dates(t_failed, f, by, bm, bd);
	check_text(t_failed, f, t);
	if (t->rows < NROWS)
		t->ids[t->rows] = strtoull(f[F_ID], NULL, 10);
	if (digits(f[F_ID], 3))
		t->province_seen[(f[F_ID][0] - '0') * 100 + (f[F_ID][1] - '0') * 10 +
		    (f[F_ID][2] - '0')] = 1;
	t->rows++;
}

TEST(rows_are_valid)
{
	static char f[NFIELDS + 1][FIELD_CAP];
	static struct tally t;
	struct csv c = { NULL, 0 };
	const char *p, *end;
	size_t seen = 0;

	memset(&t, 0, sizeof(t));
	CHECK_EQ_INT(generate(&c, NROWS, 20240601), 0);
	CHECK(c.data != NULL && strncmp(c.data, header, strlen(header)) == 0);
	p = c.data + strlen(header);
	end = c.data + c.size;
	while (p < end) {
		int n = split_record(&p, end, f, NFIELDS + 1);
		CHECK_EQ_INT(n, NFIELDS);
		if (n != NFIELDS)
			break;
		check_row(t_failed, f, &t);
	}
	CHECK_EQ_INT(t.rows, NROWS);
	CHECK_EQ_INT(distinct(t.ids, t.rows), t.rows);
	CHECK(t.deceased * 1000 >= t.rows * 5 && t.deceased * 1000 <= t.rows * 30);
	CHECK(t.non_ascii_names > 0);
	for (size_t i = 0; i < province_count(); i++)
		seen += t.province_seen[atoi(province_code(i))];
	CHECK_EQ_INT(seen, province_count());
	free(c.data);
}

/* Many more rows than NROWS, but only their IDs are kept. */
TEST(ids_unique_at_scale)
{
	enum { N = 300000 };
	struct csv c = { NULL, 0 };
	uint64_t *ids = malloc(N * sizeof(*ids));
	const char *p;
	size_t n = 0;

	CHECK(ids != NULL);
	CHECK_EQ_INT(generate(&c, N, 7), 0);
	if (ids == NULL || c.data == NULL) {
		free(ids);
		free(c.data);
		return;
	}
	for (p = strchr(c.data, '\n'); p != NULL && p[1] != '\0' && n < N;
	    p = strchr(p + 1, '\n'))
		ids[n++] = strtoull(p + 1, NULL, 10);
	CHECK_EQ_INT(n, N);
	CHECK_EQ_INT(distinct(ids, n), n);
	free(ids);
	free(c.data);
}

TEST(quoting)
{
	struct csv c = { NULL, 0 };
	const char *line;

	CHECK_EQ_INT(generate(&c, 50, 9), 0);
	line = c.data != NULL ? strchr(c.data, '\n') : NULL;
	CHECK(line != NULL);
	/* Residence always has commas, so every row holds a quoted field. */
	if (line != NULL)
		CHECK(strstr(line, ",\"") != NULL && strstr(line, "\",") != NULL);
	CHECK(c.data != NULL && strchr(c.data, '\r') == NULL);
	free(c.data);
}

TEST(write_error)
{
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		return;
	CHECK_EQ_INT(regen_write_csv(f, 5000, 1), -1);
	fclose(f);
}

T_MAIN(T(header_and_empty), T(deterministic), T(rows_are_valid),
    T(ids_unique_at_scale), T(quoting), T(write_error))
