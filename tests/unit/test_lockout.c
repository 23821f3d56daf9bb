/*
 * test_lockout: unit tests for the password-failure arithmetic: the delay
 * table (free failures, doubling from 30 s, the 900 s cap), the wait left at
 * the boundaries of a delay, and the hard lock at exactly 100 failures.
 */
#include "t.h"

#include <limits.h>
#include <stdint.h>

#include "lockout.h"

#define T0 INT64_C(1800000000)

TEST(constants_are_the_documented_policy)
{
	CHECK_EQ_INT(LOCKOUT_FREE, 5);
	CHECK_EQ_INT(LOCKOUT_BASE, 30);
	CHECK_EQ_INT(LOCKOUT_CAP, 900);
	CHECK_EQ_INT(LOCKOUT_HARD, 100);
}

TEST(first_failures_are_free)
{
	for (int f = -3; f < 5; f++)
		CHECK_EQ_INT(lockout_delay(f), 0);
}

TEST(delay_doubles_from_30_then_caps_at_900)
{
	static const struct { int failures; int64_t delay; } table[] = {
		{ 5, 30 }, { 6, 60 }, { 7, 120 }, { 8, 240 }, { 9, 480 },
		{ 10, 900 },	/* 960 capped */
		{ 11, 900 }, { 20, 900 }, { 99, 900 }, { 100, 900 },
		{ 1000, 900 }, { INT_MAX, 900 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		int64_t d = lockout_delay(table[i].failures);

		if (d != table[i].delay)
			fprintf(stderr, "failures %d\n", table[i].failures);
		CHECK_EQ_INT(d, table[i].delay);
	}
}

TEST(delay_never_decreases)
{
	for (int f = 0; f < 200; f++)
		CHECK(lockout_delay(f + 1) >= lockout_delay(f));
}

TEST(wait_counts_down_to_zero_at_the_boundary)
{
	/* 5 failures, the last at T0: 30 s */
	CHECK_EQ_INT(lockout_wait(5, T0, T0), 30);
	CHECK_EQ_INT(lockout_wait(5, T0, T0 + 1), 29);
	CHECK_EQ_INT(lockout_wait(5, T0, T0 + 29), 1);
	CHECK_EQ_INT(lockout_wait(5, T0, T0 + 30), 0);
	CHECK_EQ_INT(lockout_wait(5, T0, T0 + 31), 0);
	CHECK_EQ_INT(lockout_wait(5, T0, T0 + 100000), 0);
	/* 6 failures: 60 s */
	CHECK_EQ_INT(lockout_wait(6, T0, T0 + 59), 1);
	CHECK_EQ_INT(lockout_wait(6, T0, T0 + 60), 0);
	/* capped */
	CHECK_EQ_INT(lockout_wait(50, T0, T0), 900);
	CHECK_EQ_INT(lockout_wait(50, T0, T0 + 899), 1);
	CHECK_EQ_INT(lockout_wait(50, T0, T0 + 900), 0);
}

TEST(no_wait_below_five_failures)
{
	for (int f = 0; f < 5; f++) {
		CHECK_EQ_INT(lockout_wait(f, T0, T0), 0);
		CHECK_EQ_INT(lockout_wait(f, T0, T0 + 1), 0);
	}
	CHECK_EQ_INT(lockout_wait(0, 0, T0), 0);
}

TEST(hard_lock_at_100_not_99)
{
	CHECK(!lockout_hard(0));
	CHECK(!lockout_hard(5));
	CHECK(!lockout_hard(98));
	CHECK(!lockout_hard(99));
	CHECK(lockout_hard(100));
	CHECK(lockout_hard(101));
	CHECK(lockout_hard(INT_MAX));
}

T_MAIN(
	T(constants_are_the_documented_policy),
	T(first_failures_are_free),
	T(delay_doubles_from_30_then_caps_at_900),
	T(delay_never_decreases),
	T(wait_counts_down_to_zero_at_the_boundary),
	T(no_wait_below_five_failures),
	T(hard_lock_at_100_not_99)
)
