/*
 * csv: a streaming RFC 4180 reader. Owns its read buffer and one record's
 * worth of unescaped fields; handles quoting, CRLF and a leading UTF-8 BOM,
 * counts physical lines, and refuses records over a byte limit or with a
 * NUL byte. Fields are bytes: the caller validates their encoding.
 */
#ifndef COMMON_CSV_H
#define COMMON_CSV_H

#include <stdio.h>

#include "base.h"

#define CSV_MAX_FIELDS 32

struct csv_reader;

struct csv_record {
	unsigned long line;		/* physical line where the record starts */
	size_t nfields;
	const char *field[CSV_MAX_FIELDS];	/* NUL-terminated, unescaped */
	size_t len[CSV_MAX_FIELDS];
};

/* A reader over `f` (not closed by csv_free); records up to max_record bytes. */
struct csv_reader *csv_new(FILE *f, size_t max_record);
void csv_free(struct csv_reader *);

/*
 * The next record: 1 when one was read into *rec (valid until the next
 * call), 0 at the end of the input, -1 on an error, which csv_error() names
 * along with csv_error_line().
 */
int csv_next(struct csv_reader *, struct csv_record *rec) WUR;
const char *csv_error(const struct csv_reader *);
unsigned long csv_error_line(const struct csv_reader *);

#endif
