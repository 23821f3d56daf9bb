/*
 * pbatch: records as NUL-separated fields in an arena, with a sortable
 * index of (personal ID, line, offset).
 */
#include "pbatch.h"

#include <stdlib.h>
#include <string.h>

struct row {
	char pid[13];
	unsigned long line;
	size_t off;
};

struct pbatch {
	struct row *rows;
	size_t nrows, max_rows;
	char *arena;
	size_t used, cap;
};

/* The packed fields, in this order. */
#define NPACK 11

static void
fields(const struct person *p, const char *f[NPACK])
{
	f[0] = p->full_name;
	f[1] = p->birth_date;
	f[2] = p->sex;
	f[3] = p->nationality;
	f[4] = p->place_of_origin;
	f[5] = p->residence;
	f[6] = p->card_number;
	f[7] = p->card_issued_on;
	f[8] = p->card_expires_on;
	f[9] = p->status;
	f[10] = p->date_of_death;
}

struct pbatch *
pbatch_new(size_t max_rows, size_t arena_bytes)
{
	struct pbatch *b = calloc(1, sizeof(*b));

	if (b == NULL || max_rows == 0 || arena_bytes == 0)
		goto fail;
	b->rows = malloc(max_rows * sizeof(*b->rows));
	b->arena = malloc(arena_bytes);
	if (b->rows == NULL || b->arena == NULL)
		goto fail;
	b->max_rows = max_rows;
	b->cap = arena_bytes;
	return b;
fail:
	pbatch_free(b);
	return NULL;
}

void
pbatch_free(struct pbatch *b)
{
	if (b == NULL)
		return;
	free(b->rows);
	free(b->arena);
	free(b);
}

int
pbatch_add(struct pbatch *b, const struct person *p, unsigned long line)
{
	const char *f[NPACK];
	size_t len[NPACK], need = 0;
	struct row *r;

	fields(p, f);
	for (int i = 0; i < NPACK; i++)
		need += (len[i] = strlen(f[i])) + 1;
	if (b->nrows == b->max_rows || b->used + need > b->cap)
		return 1;
	r = &b->rows[b->nrows++];
	memcpy(r->pid, p->personal_id, sizeof(r->pid));
	r->line = line;
	r->off = b->used;
	for (int i = 0; i < NPACK; i++) {
		memcpy(b->arena + b->used, f[i], len[i] + 1);
		b->used += len[i] + 1;
	}
	return 0;
}

static int
cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = memcmp(x->pid, y->pid, sizeof(x->pid));

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

void
pbatch_sort(struct pbatch *b)
{
	qsort(b->rows, b->nrows, sizeof(*b->rows), cmp_rows);
}

size_t
pbatch_len(const struct pbatch *b)
{
	return b->nrows;
}

void
pbatch_get(const struct pbatch *b, size_t i, struct person *out,
    unsigned long *line)
{
	const struct row *r = &b->rows[i];
	const char *s = b->arena + r->off;
	char *dst[NPACK] = {
		out->full_name, out->birth_date, out->sex, out->nationality,
		out->place_of_origin, out->residence, out->card_number,
		out->card_issued_on, out->card_expires_on, out->status,
		out->date_of_death,
	};

	memcpy(out->personal_id, r->pid, sizeof(out->personal_id));
	for (int k = 0; k < NPACK; k++) {
		size_t n = strlen(s);
		/* Each field came from the same struct person, so it fits. */
		memcpy(dst[k], s, n + 1);
		s += n + 1;
	}
	*line = r->line;
}

void
pbatch_clear(struct pbatch *b)
{
	b->nrows = 0;
	b->used = 0;
}
