/*
 * ceiling: what the ceiling programs of tests/bench share: the monotonic
 * clock in seconds.
 */
#ifndef TESTS_BENCH_CEILING_H
#define TESTS_BENCH_CEILING_H

#include <time.h>

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
