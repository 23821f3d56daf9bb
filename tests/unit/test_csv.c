/*
 * test_csv: unit tests for the streaming CSV reader (csv): table-driven
 * inputs with their records (fields and starting physical lines) or their
 * error and its line, and large inputs whose records straddle the reader's
 * 64 KiB chunks.
 */
#include "t.h"

#include <stdint.h>
#include <string.h>

#include "csv.h"

#define CHUNK (64 * 1024)

static FILE *
open_mem(const char *s, size_t n)
{
	FILE *f;

	if (n == 0)
		return tmpfile();
	f = fmemopen((void *)(uintptr_t)s, n, "r");
	return f;
}

/* Appends s to buf (always NUL-terminated; truncation shows as a mismatch). */
static void
put(char *buf, size_t bufsz, const char *s, size_t n)
{
	size_t used = strlen(buf);

	for (size_t i = 0; i < n && used + 3 < bufsz; i++) {
		if (s[i] == '\n') {
			buf[used++] = '\\';
			buf[used++] = 'n';
		} else if (s[i] == '\r') {
			buf[used++] = '\\';
			buf[used++] = 'r';
		} else
			buf[used++] = s[i];
	}
	buf[used] = '\0';
}

/*
 * Reads all of `in` into a text "LINE:[f1][f2]" per record, records joined
 * by '\n', with newlines and CRs in fields shown as \n and \r. Returns the
 * last csv_next result (0 at the end, -1 on error).
 */
static int
read_all(const char *in, size_t n, size_t max, char *out, size_t outsz,
    const char **err, unsigned long *err_line, int *lens_ok)
{
	FILE *f = open_mem(in, n);
	struct csv_reader *r;
	struct csv_record rec;
	int rc;

	out[0] = '\0';
	*lens_ok = 1;
	*err = NULL;
	*err_line = 0;
	if (f == NULL)
		return -2;
	if ((r = csv_new(f, max)) == NULL) {
		fclose(f);
		return -2;
	}
	while ((rc = csv_next(r, &rec)) == 1) {
		char num[32];

		if (out[0] != '\0' && strlen(out) + 1 < outsz)
			strcat(out, "\n");	/* between records: not escaped */
		snprintf(num, sizeof(num), "%lu:", rec.line);
		put(out, outsz, num, strlen(num));
		for (size_t i = 0; i < rec.nfields; i++) {
			put(out, outsz, "[", 1);
			put(out, outsz, rec.field[i], rec.len[i]);
			put(out, outsz, "]", 1);
			if (strlen(rec.field[i]) != rec.len[i])
				*lens_ok = 0;
		}
	}
	if (rc < 0) {
		*err = csv_error(r);
		*err_line = csv_error_line(r);
	} else if (csv_next(r, &rec) != 0) {
		/* The end stays the end. */
		rc = 99;
	}
	csv_free(r);
	fclose(f);
	return rc;
}

struct csv_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	size_t max;		/* 0: 4096 */
	const char *records;	/* as read_all writes them */
	const char *err;	/* NULL: reads to the end */
	unsigned long err_line;
};

#define E_UNTERM "unterminated quoted field"
#define E_QUOTE "quote inside an unquoted field"
#define E_AFTER "text after a closing quote"
#define E_NUL "NUL byte in the file"
#define E_LONG "line too long"
#define E_CR "carriage return not followed by a line feed"
#define E_MANY "too many fields"

#define F8 "a,b,c,d,e,f,g,h"
#define F32 F8 "," F8 "," F8 "," F8
#define R8 "[a][b][c][d][e][f][g][h]"
#define R32 R8 R8 R8 R8

static const struct csv_case cases[] = {
	{ "empty input", "", 0, 0, "", NULL, 0 },
	{ "simple", "a,b,c\nd,e,f\n", 0, 0, "1:[a][b][c]\n2:[d][e][f]", NULL, 0 },
	{ "one field", "x\ny\n", 0, 0, "1:[x]\n2:[y]", NULL, 0 },
	{ "last line without newline", "a,b\nc,d", 0, 0, "1:[a][b]\n2:[c][d]", NULL, 0 },
	{ "empty fields", ",,\n,x,\n", 0, 0, "1:[][][]\n2:[][x][]", NULL, 0 },
	{ "empty line", "a\n\nb\n", 0, 0, "1:[a]\n2:[]\n3:[b]", NULL, 0 },
	{ "spaces kept", " a , b \n", 0, 0, "1:[ a ][ b ]", NULL, 0 },
	{ "quoted with comma", "\"a,b\",c\n", 0, 0, "1:[a,b][c]", NULL, 0 },
	{ "doubled quotes", "\"he said \"\"hi\"\"\",x\n", 0, 0,
	    "1:[he said \"hi\"][x]", NULL, 0 },
	{ "only a quote", "\"\"\"\",\"\"\n", 0, 0, "1:[\"][]", NULL, 0 },
	{ "quoted last without newline", "a,\"b c\"", 0, 0, "1:[a][b c]", NULL, 0 },
	{ "newlines inside quotes", "\"l1\nl2\nl3\",x\ny,z\n", 0, 0,
	    "1:[l1\\nl2\\nl3][x]\n4:[y][z]", NULL, 0 },
	{ "two multi-line records", "\"a\nb\"\n\"c\n\nd\",e\nf\n", 0, 0,
	    "1:[a\\nb]\n3:[c\\n\\nd][e]\n6:[f]", NULL, 0 },
	{ "CRLF", "a,b\r\nc,d\r\n", 0, 0, "1:[a][b]\n2:[c][d]", NULL, 0 },
	{ "CRLF after quoted", "\"a\",\"b\"\r\nc\r\n", 0, 0, "1:[a][b]\n2:[c]", NULL, 0 },
	{ "CRLF inside quotes", "\"x\r\ny\",z\r\nw\r\n", 0, 0,
	    "1:[x\\r\\ny][z]\n3:[w]", NULL, 0 },
	{ "CR inside quotes", "\"x\ry\"\n", 0, 0, "1:[x\\ry]", NULL, 0 },
	{ "BOM stripped", "\xEF\xBB\xBF" "a,b\nc\n", 0, 0, "1:[a][b]\n2:[c]", NULL, 0 },
	{ "BOM before quote", "\xEF\xBB\xBF\"a\",b\n", 0, 0, "1:[a][b]", NULL, 0 },
	{ "BOM only", "\xEF\xBB\xBF", 0, 0, "", NULL, 0 },
	{ "BOM later kept", "a\n\xEF\xBB\xBF" "b\n", 0, 0,
	    "1:[a]\n2:[\xEF\xBB\xBF" "b]", NULL, 0 },
	{ "partial BOM kept", "\xEF\xBB" "a\n", 0, 0, "1:[\xEF\xBB" "a]", NULL, 0 },
	{ "UTF-8 bytes", "Nguy\xE1\xBB\x85n,H\xC3\xA0 N\xE1\xBB\x99i\n", 0, 0,
	    "1:[Nguy\xE1\xBB\x85n][H\xC3\xA0 N\xE1\xBB\x99i]", NULL, 0 },
	{ "32 fields", F32 "\n", 0, 0, "1:" R32, NULL, 0 },
	{ "32 empty fields at the limit", ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", 0, 31,
	    "1:[][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][][]", NULL, 0 },
	{ "record of max bytes", "abcdefghi\n", 0, 10, "1:[abcdefghi]", NULL, 0 },
	{ "record of max bytes at end", "abcdefghij", 0, 10, "1:[abcdefghij]", NULL, 0 },

	{ "unterminated quote", "a\n\"abc\ndef\n", 0, 0, "1:[a]", E_UNTERM, 2 },
	{ "unterminated quote after multi-line", "\"a\nb\"\nc\n\"d\n", 0, 0,
	    "1:[a\\nb]\n3:[c]", E_UNTERM, 4 },
	{ "unterminated after doubled quote", "\"abc\"\"", 0, 0, "", E_UNTERM, 1 },
	{ "quote inside unquoted field", "ok\nab\"c\n", 0, 0, "1:[ok]", E_QUOTE, 2 },
	{ "quote at end of unquoted", "a,b\"\n", 0, 0, "", E_QUOTE, 1 },
	{ "text after closing quote", "\"a\"b\n", 0, 0, "", E_AFTER, 1 },
	{ "space after closing quote", "x\n\"a\" ,b\n", 0, 0, "1:[x]", E_AFTER, 2 },
	{ "text after multi-line quote", "x\n\"a\nb\"c\n", 0, 0, "1:[x]", E_AFTER, 2 },
	{ "error line after multi-line records", "\"a\nb\"\n\"c\nd\"\nx\"y\n", 0, 0,
	    "1:[a\\nb]\n3:[c\\nd]", E_QUOTE, 5 },
	{ "NUL byte", "a\nb\0c\nd\n", 7, 0, "1:[a]", E_NUL, 2 },
	{ "NUL byte in quotes", "\"a\0\"\n", 5, 0, "", E_NUL, 1 },
	{ "line over the limit", "short\n0123456789abc\nok\n", 0, 10,
	    "1:[short]", E_LONG, 2 },
	{ "line over the limit by one", "abcdefghij\n", 0, 10, "", E_LONG, 1 },
	{ "quoted over the limit", "a\n\"0123\n4567\n89\"\n", 0, 10, "1:[a]", E_LONG, 2 },
	{ "bare CR", "a\rb\n", 0, 0, "", E_CR, 1 },
	{ "bare CR on line 2", "x\ny\r\r\n", 0, 0, "1:[x]", E_CR, 2 },
	{ "CR after quoted", "x\n\"y\"\rz\n", 0, 0, "1:[x]", E_CR, 2 },
	{ "33 fields", F32 ",x\n", 0, 0, "", E_MANY, 1 },
	{ "33 empty fields", ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n", 0, 0, "", E_MANY, 1 },
	{ "too many fields on line 3", "\"a\nb\"\n" F32 ",\n", 0, 0, "1:[a\\nb]", E_MANY, 3 },
};

TEST(table)
{
	static char out[64 * 1024];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct csv_case *tc = &cases[i];
		const char *err;
		unsigned long line;
		int lens_ok, rc;
		int bad = *t_failed;

		rc = read_all(tc->in, tc->len != 0 ? tc->len : strlen(tc->in),
		    tc->max != 0 ? tc->max : 4096, out, sizeof(out), &err, &line, &lens_ok);
		CHECK_STR(out, tc->records);
		CHECK(lens_ok);
		if (tc->err == NULL) {
			CHECK_EQ_INT(rc, 0);
			CHECK(err == NULL);
		} else {
			CHECK_EQ_INT(rc, -1);
			CHECK_STR(err, tc->err);
			CHECK_EQ_INT(line, tc->err_line);
		}
		if (*t_failed != bad)
			fprintf(stderr, "  in case \"%s\"\n", tc->name);
	}
}

TEST(new_refuses_bad_arguments)
{
	FILE *f = tmpfile();

	CHECK(csv_new(NULL, 100) == NULL);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(csv_new(f, 0) == NULL);
	fclose(f);
	csv_free(NULL);
}

TEST(no_error_before_one)
{
	FILE *f = open_mem("a\n", 2);
	struct csv_reader *r = f != NULL ? csv_new(f, 100) : NULL;
	struct csv_record rec;

	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_STR(csv_error(r), "no error");
		CHECK_EQ_INT(csv_error_line(r), 0);
		CHECK_EQ_INT(csv_next(r, &rec), 1);
		CHECK_EQ_INT(csv_next(r, &rec), 0);
		CHECK_STR(csv_error(r), "no error");
		csv_free(r);
	}
	if (f != NULL)
		fclose(f);
}

/* Record i of the generated input: varied lengths, quotes, commas, newlines. */
static size_t
gen_record(char *buf, size_t i, char *field, size_t *flen)
{
	size_t n = 0, len = (i * 7919u) % 300u;

	*flen = 0;
	for (size_t k = 0; k < len; k++) {
		char c;
		switch ((i + k) % 23) {
		case 0: c = '"'; break;
		case 1: c = ','; break;
		case 2: c = '\n'; break;
		default: c = (char)('a' + (i + k) % 26); break;
		}
		field[(*flen)++] = c;
	}
	field[*flen] = '\0';
	n += (size_t)sprintf(buf + n, "%zu,\"", i);
	for (size_t k = 0; k < *flen; k++) {
		if (field[k] == '"')
			buf[n++] = '"';
		buf[n++] = field[k];
	}
	n += (size_t)sprintf(buf + n, "\",end%zu%s", i, i % 2 ? "\r\n" : "\n");
	return n;
}

static size_t
count_nl(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

TEST(large_input_across_chunks)
{
	const size_t nrec = 3000;
	size_t cap = 3 + nrec * 700, n = 0;
	char *in = malloc(cap), rec[700], field[400], num[32];
	FILE *f;
	struct csv_reader *r;
	struct csv_record cr;
	unsigned long line = 1;
	size_t got = 0, flen;
	int rc;

	CHECK(in != NULL);
	if (in == NULL)
		return;
	memcpy(in, "\xEF\xBB\xBF", 3);
	n = 3;
	for (size_t i = 0; i < nrec; i++)
		n += gen_record(in + n, i, field, &flen);
	CHECK(n > 6 * CHUNK);
	f = open_mem(in, n);
	r = f != NULL ? csv_new(f, 4096) : NULL;
	CHECK(r != NULL);
	if (r == NULL) {
		if (f != NULL)
			fclose(f);
		free(in);
		return;
	}
	while ((rc = csv_next(r, &cr)) == 1) {
		size_t rl = gen_record(rec, got, field, &flen);

		snprintf(num, sizeof(num), "%zu", got);
		if (cr.nfields != 3 || strcmp(cr.field[0], num) != 0 ||
		    cr.len[1] != flen || memcmp(cr.field[1], field, flen) != 0 ||
		    strncmp(cr.field[2], "end", 3) != 0 ||
		    strcmp(cr.field[2] + 3, num) != 0 || cr.line != line) {
			fprintf(stderr, "record %zu wrong (line %lu, expected %lu)\n",
			    got, cr.line, line);
			CHECK(0);
			break;
		}
		line += (unsigned long)count_nl(rec, rl);
		got++;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(got, nrec);
	csv_free(r);
	fclose(f);
	free(in);
}

/*
 * Inputs where the byte pair that matters sits across the first chunk
 * boundary: CR|LF, a doubled quote "|", a closing quote|comma.
 */
TEST(pairs_straddling_the_boundary)
{
	static const struct {
		const char *name;
		const char *head;	/* after the padding, ends at byte CHUNK - 1 */
		const char *tail;	/* starts at byte CHUNK */
		const char *field;	/* the second field, after the padding */
		const char *next;	/* the next record's only field */
	} pairs[] = {
		{ "CR LF", "x,y\r", "\nz\n", "y", "z" },
		{ "doubled quote", "x,\"a\"", "\"b\"\nz\n", "a\"b", "z" },
		{ "closing quote then comma", "x,\"ab\"", ",c\nz\n", "ab", "z" },
		{ "newline inside quotes", "x,\"a", "\nb\"\nz\n", "a\nb", "z" },
	};

	for (size_t t = 0; t < ARRAY_LEN(pairs); t++) {
		size_t hl = strlen(pairs[t].head), tl = strlen(pairs[t].tail);
		size_t pad = CHUNK - hl, n = 0;
		char *in = malloc(CHUNK + tl + 1);
		FILE *f;
		struct csv_reader *r;
		struct csv_record rec;
		int bad = *t_failed;

		CHECK(in != NULL);
		if (in == NULL)
			return;
		/* A first record of padding, then the record under test. */
		memset(in, 'p', pad - 1);
		in[pad - 1] = '\n';
		n = pad;
		memcpy(in + n, pairs[t].head, hl);
		n += hl;
		CHECK_EQ_INT(n, CHUNK);
		memcpy(in + n, pairs[t].tail, tl);
		n += tl;
		f = open_mem(in, n);
		r = f != NULL ? csv_new(f, CHUNK * 2) : NULL;
		CHECK(r != NULL);
		if (r != NULL) {
			CHECK_EQ_INT(csv_next(r, &rec), 1);
			CHECK_EQ_INT(rec.len[0], pad - 1);
			CHECK_EQ_INT(csv_next(r, &rec), 1);
			CHECK_EQ_INT(rec.line, 2);
			CHECK(rec.nfields >= 2);
			if (rec.nfields >= 2) {
				CHECK_STR(rec.field[0], "x");
				CHECK_STR(rec.field[1], pairs[t].field);
			}
			CHECK_EQ_INT(csv_next(r, &rec), 1);
			CHECK_EQ_INT(rec.nfields, 1);
			CHECK_STR(rec.field[0], pairs[t].next);
			CHECK_EQ_INT(rec.line, 3 + count_nl(pairs[t].field, strlen(pairs[t].field)));
			CHECK_EQ_INT(csv_next(r, &rec), 0);
			csv_free(r);
		}
		if (f != NULL)
			fclose(f);
		free(in);
		if (*t_failed != bad)
			fprintf(stderr, "  in case \"%s\"\n", pairs[t].name);
	}
}

TEST(long_record_across_chunks)
{
	/* One record of 150 000 bytes, read whole with a high enough limit. */
	size_t n = 150000;
	char *in = malloc(n + 16);
	FILE *f;
	struct csv_reader *r;
	struct csv_record rec;

	CHECK(in != NULL);
	if (in == NULL)
		return;
	in[0] = '"';
	memset(in + 1, 'q', n);
	memcpy(in + 1 + n, "\",z\nlast\n", 9);
	f = open_mem(in, n + 10);
	r = f != NULL ? csv_new(f, n + 8) : NULL;
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_EQ_INT(csv_next(r, &rec), 1);
		CHECK_EQ_INT(rec.nfields, 2);
		CHECK_EQ_INT(rec.len[0], n);
		CHECK_EQ_INT(strlen(rec.field[0]), n);
		CHECK_STR(rec.field[1], "z");
		CHECK_EQ_INT(csv_next(r, &rec), 1);
		CHECK_STR(rec.field[0], "last");
		CHECK_EQ_INT(rec.line, 2);
		CHECK_EQ_INT(csv_next(r, &rec), 0);
		csv_free(r);
	}
	if (f != NULL)
		fclose(f);
	/* The same record under a lower limit is refused. */
	f = open_mem(in, n + 10);
	r = f != NULL ? csv_new(f, 100000) : NULL;
	CHECK(r != NULL);
	if (r != NULL) {
		CHECK_EQ_INT(csv_next(r, &rec), -1);
		CHECK_STR(csv_error(r), E_LONG);
		CHECK_EQ_INT(csv_error_line(r), 1);
		csv_free(r);
	}
	if (f != NULL)
		fclose(f);
	free(in);
}

T_MAIN(T(table), T(new_refuses_bad_arguments), T(no_error_before_one),
    T(large_input_across_chunks), T(pairs_straddling_the_boundary),
    T(long_record_across_chunks))
