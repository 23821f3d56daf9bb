/*
 * log: structured logs, one JSON object per line, with a level and an event
 * name, written whole under a lock so lines from several threads never mix.
 * Callers never pass passwords, codes, tokens or full personal IDs; use
 * log_mask_id() for a personal ID.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdio.h>

#include "base.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct log;

/* Writes to `out` (not closed by log_free) entries at `min` and above. */
struct log *log_new(FILE *out, enum log_level min);
void log_free(struct log *);
int log_level_parse(const char *name, enum log_level *out) WUR;

/*
 * One line: {"ts":..., "level":..., "event": event, key: value, ...}. The
 * variadic part is pairs of const char * (key, string value) ending in NULL.
 * Security events use an event name starting with "security.".
 */
void log_event(struct log *, enum log_level, const char *event, ...)
    __attribute__((sentinel));

/* Writes "001******789"-style masking of a personal ID into buf[13]. */
void log_mask_id(const char *personal_id, char buf[13]);

#endif
