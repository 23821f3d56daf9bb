/*
 * clock: the one place that reads the time. A system clock follows the real
 * time and cannot be moved; a test clock starts where the test says and moves
 * only when the test moves it. Safe to read from many threads.
 */
#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdint.h>

#include "base.h"

struct clock;

struct clock *clock_new_system(void);
struct clock *clock_new_test(int64_t start_unix);
void clock_free(struct clock *);

/* Seconds since the Unix epoch. */
int64_t clock_now(const struct clock *);
/* Milliseconds since the Unix epoch. */
int64_t clock_now_ms(const struct clock *);
/* Seconds of a monotonic clock, for measuring durations; never moves back. */
double clock_monotonic(void);

/* Moves a test clock by `seconds`; refuses (-1) on a system clock. */
int clock_advance(struct clock *, int64_t seconds) WUR;

/* Formats `unix` as YYYY-MM-DD (UTC) into buf[11]. */
void clock_format_date(int64_t unix_s, char buf[11]);
/* Formats `unix` as YYYY-MM-DDTHH:MM:SSZ into buf[21]. */
void clock_format_iso(int64_t unix_s, char buf[21]);

#endif
