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
/*
 * Appends to the file at `path` (made with mode 0640 when missing), which
 * log_free closes; NULL with errno set when it cannot be opened.
 */
struct log *log_open_file(const char *path, enum log_level min);
/*
 * Opens the file again by its path (after logrotate renamed it), lines
 * written meanwhile going to the old one; 0, or -1 (errno set) when it
 * cannot be opened, the old one then kept. 0 and nothing done for a log on
 * a FILE * of the caller's.
 */
int log_reopen(struct log *) WUR;

/*
 * Called for every event, whatever the level, before the level check:
 * `detail` is the value of the event's "reason" or "result" field (NULL
 * without one). For counters; it must not block or call log_event.
 */
typedef void (*log_observer_fn)(void *arg, const char *event,
    const char *detail);
/* Set before any thread logs. */
void log_set_observer(struct log *, log_observer_fn fn, void *arg);
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
