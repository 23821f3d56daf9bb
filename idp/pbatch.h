/*
 * pbatch: a bounded batch of validated registry records, packed into one
 * arena and sortable by personal ID (then by line), so that an import
 * inserts each batch in index order. Owns the arena; no storage access.
 */
#ifndef IDP_PBATCH_H
#define IDP_PBATCH_H

#include <stddef.h>

#include "base.h"
#include "person.h"

struct pbatch;

/* A batch of at most max_rows records and arena_bytes of packed text. */
struct pbatch *pbatch_new(size_t max_rows, size_t arena_bytes);
void pbatch_free(struct pbatch *);
/* 0 when added, 1 when the batch is full (nothing added). */
int pbatch_add(struct pbatch *, const struct person *, unsigned long line) WUR;
/* Orders the records by personal ID, equal IDs by line. */
void pbatch_sort(struct pbatch *);
size_t pbatch_len(const struct pbatch *);
/* Unpacks record i into *out and its line into *line. */
void pbatch_get(const struct pbatch *, size_t i, struct person *out,
    unsigned long *line);
void pbatch_clear(struct pbatch *);

#endif
