/*
 * csv: byte-at-a-time state machine over a large read buffer.
 */
#include "csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (64 * 1024)

enum state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED, AFTER_CR };

struct csv_reader {
	FILE *in;
	size_t max_record;
	unsigned char *rbuf;
	size_t rpos, rlen;
	bool eof, started;
	char *rec;		/* unescaped fields, NUL-separated */
	size_t reclen;		/* bytes used in rec */
	size_t raw;		/* raw bytes of the current record */
	unsigned long line;	/* current physical line */
	unsigned long err_line;
	const char *err;
	size_t starts[CSV_MAX_FIELDS];
	size_t nfields;
};

struct csv_reader *
csv_new(FILE *f, size_t max_record)
{
	struct csv_reader *r;

	if (f == NULL || max_record == 0)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->in = f;
	r->max_record = max_record;
	r->rbuf = malloc(READ_CHUNK);
	/* Room for every byte plus a terminator per field. */
	r->rec = malloc(max_record + CSV_MAX_FIELDS + 1);
	r->line = 1;
	if (r->rbuf == NULL || r->rec == NULL) {
		csv_free(r);
		return NULL;
	}
	return r;
}

void
csv_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->rbuf);
	free(r->rec);
	free(r);
}

const char *
csv_error(const struct csv_reader *r)
{
	return r->err != NULL ? r->err : "no error";
}

unsigned long
csv_error_line(const struct csv_reader *r)
{
	return r->err_line;
}

/* Next byte, or -1 at the end; -2 on a read error. */
static int
next_byte(struct csv_reader *r)
{
	if (r->rpos == r->rlen) {
		if (r->eof)
			return -1;
		r->rlen = fread(r->rbuf, 1, READ_CHUNK, r->in);
		r->rpos = 0;
		if (r->rlen < READ_CHUNK) {
			if (ferror(r->in))
				return -2;
			r->eof = true;
		}
		if (r->rlen == 0)
			return -1;
		if (!r->started) {
			r->started = true;
			if (r->rlen >= 3 && memcmp(r->rbuf, "\xEF\xBB\xBF", 3) == 0)
				r->rpos = 3;
			if (r->rpos == r->rlen)
				return next_byte(r);
		}
	}
	return r->rbuf[r->rpos++];
}

static int
fail(struct csv_reader *r, unsigned long line, const char *why)
{
	r->err = why;
	r->err_line = line;
	return -1;
}

static int
end_field(struct csv_reader *r, unsigned long start_line)
{
	if (r->nfields == CSV_MAX_FIELDS)
		return fail(r, start_line, "too many fields");
	r->rec[r->reclen++] = '\0';
	r->nfields++;
	if (r->nfields < CSV_MAX_FIELDS)
		r->starts[r->nfields] = r->reclen;
	return 0;
}

static void
emit(struct csv_record *rec, struct csv_reader *r, unsigned long start_line)
{
	rec->line = start_line;
	rec->nfields = r->nfields;
	for (size_t i = 0; i < r->nfields; i++) {
		rec->field[i] = r->rec + r->starts[i];
		rec->len[i] = (i + 1 < r->nfields ? r->starts[i + 1] : r->reclen)
		    - r->starts[i] - 1;
	}
}

/*
 * Bytes with a meaning in an unquoted field (PLAIN) or inside quotes
 * (QUOTED_DATA); every other byte is copied as it is.
 */
enum { PLAIN = 1, QUOTED_DATA = 2 };

static const unsigned char special[256] = {
	['\0'] = PLAIN | QUOTED_DATA, ['\n'] = PLAIN | QUOTED_DATA,
	['\r'] = PLAIN, [','] = PLAIN, ['"'] = PLAIN | QUOTED_DATA,
};

/*
 * Copies the run of ordinary bytes at the read position in one go, so
 * that the state machine sees only the bytes that matter. -1 when the
 * record would pass its limit.
 */
static int
copy_run(struct csv_reader *r, enum state *st, unsigned long start)
{
	unsigned char mask = *st == QUOTED ? QUOTED_DATA : PLAIN;
	const unsigned char *p = r->rbuf + r->rpos;
	size_t n = 0, avail = r->rlen - r->rpos;

	if (*st != QUOTED && *st != UNQUOTED && *st != FIELD_START)
		return 0;
	while (n < avail && (special[p[n]] & mask) == 0)
		n++;
	if (n == 0)
		return 0;
	if (r->raw + n > r->max_record)
		return fail(r, start, "line too long");
	memcpy(r->rec + r->reclen, p, n);
	r->reclen += n;
	r->raw += n;
	r->rpos += n;
	if (*st == FIELD_START)
		*st = UNQUOTED;
	return 0;
}

/* Handles one byte in state *st; 1 when the record ended, 0 to go on, -1 on error. */
static int
step(struct csv_reader *r, enum state *st, int c, unsigned long start)
{
	switch (*st) {
	case AFTER_CR:
		if (c != '\n')
			return fail(r, start, "carriage return not followed by a line feed");
		r->line++;
		return end_field(r, start) < 0 ? -1 : 1;
	case QUOTED:
		if (c == '"')
			*st = QUOTE_IN_QUOTED;
		else {
			if (c == '\n')
				r->line++;
			r->rec[r->reclen++] = (char)c;
		}
		return 0;
	case QUOTE_IN_QUOTED:
		if (c == '"') {
			r->rec[r->reclen++] = '"';
			*st = QUOTED;
			return 0;
		}
		if (c != ',' && c != '\r' && c != '\n')
			return fail(r, start, "text after a closing quote");
		break;
	case FIELD_START:
		if (c == '"') {
			*st = QUOTED;
			return 0;
		}
		break;
	case UNQUOTED:
		if (c == '"')
			return fail(r, start, "quote inside an unquoted field");
		break;
	}
	/* FIELD_START, UNQUOTED, or the byte after a closing quote. */
	if (c == ',') {
		*st = FIELD_START;
		return end_field(r, start);
	}
	if (c == '\r') {
		*st = AFTER_CR;
		return 0;
	}
	if (c == '\n') {
		r->line++;
		return end_field(r, start) < 0 ? -1 : 1;
	}
	*st = UNQUOTED;
	r->rec[r->reclen++] = (char)c;
	return 0;
}

int
csv_next(struct csv_reader *r, struct csv_record *rec)
{
	enum state st = FIELD_START;
	unsigned long start = r->line;
	int c, rc;

	r->reclen = 0;
	r->raw = 0;
	r->nfields = 0;
	r->starts[0] = 0;
	for (;;) {
		if (copy_run(r, &st, start) < 0)
			return -1;
		c = next_byte(r);
		if (c == -2)
			return fail(r, r->line, "read error");
		if (c == -1)
			break;
		if (c == 0)
			return fail(r, r->line, "NUL byte in the file");
		if (++r->raw > r->max_record)
			return fail(r, start, "line too long");
		if ((rc = step(r, &st, c, start)) != 0) {
			if (rc < 0)
				return -1;
			emit(rec, r, start);
			return 1;
		}
	}
	/* End of input: a last record without a final newline. */
	if (r->raw == 0)
		return 0;
	if (st == QUOTED)
		return fail(r, start, "unterminated quoted field");
	if (st == AFTER_CR)
		r->line++;
	if (end_field(r, start) < 0)
		return -1;
	emit(rec, r, start);
	return 1;
}
