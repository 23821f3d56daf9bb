/*
 * clock: wall time with an optional offset owned by tests.
 */
#include "clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct clock {
	bool movable;
	_Atomic int64_t offset_ms;
};

static struct clock *
clock_alloc(bool movable, int64_t offset_ms)
{
	struct clock *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->movable = movable;
	atomic_store(&c->offset_ms, offset_ms);
	return c;
}

static int64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct clock *
clock_new_system(void)
{
	return clock_alloc(false, 0);
}

struct clock *
clock_new_test(int64_t start_unix)
{
	return clock_alloc(true, start_unix * 1000 - real_ms());
}

void
clock_free(struct clock *c)
{
	free(c);
}

int64_t
clock_now_ms(const struct clock *c)
{
	return real_ms() + atomic_load(&((struct clock *)c)->offset_ms);
}

int64_t
clock_now(const struct clock *c)
{
	return clock_now_ms(c) / 1000;
}

double
clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
clock_advance(struct clock *c, int64_t seconds)
{
	if (c == NULL || !c->movable)
		return -1;
	atomic_fetch_add(&c->offset_ms, seconds * 1000);
	return 0;
}

void
clock_format_date(int64_t unix_s, char buf[11])
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

void
clock_format_iso(int64_t unix_s, char buf[21])
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
