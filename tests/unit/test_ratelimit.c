/*
 * test_ratelimit: unit tests for the token buckets, all on an explicit
 * clock: a burst then refusal with the right wait, refill over time,
 * the disabled mode, far more keys than slots (memory stays as it was, a
 * drained key is not forgotten, new keys still work), and eight threads
 * on one key taking exactly the burst.
 */
#include "t.h"

#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "ratelimit.h"

#define T0 INT64_C(1000000)

TEST(burst_then_wait)
{
	struct ratelimit *rl = NULL;

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(ratelimit_new(2.0, 5, 64, &rl), 0);
	if (rl == NULL)
		return;
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0), 0);
	/* 2 per second: the next token in 500 ms; refusals take nothing. */
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0), 500);
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0), 500);
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0 + 100), 400);
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0 + 499), 1);
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0 + 500), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.4", T0 + 500), 500);
	/* Other keys have their own bucket. */
	CHECK_EQ_INT(ratelimit_take(rl, "1.2.3.5", T0), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "", T0), 0);
	ratelimit_free(rl);
}

TEST(refill_over_time)
{
	struct ratelimit *rl = NULL;
	int ok = 0;

	CHECK_EQ_INT(ratelimit_new(0.1, 3, 16, &rl), 0);
	if (rl == NULL)
		return;
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(ratelimit_take(rl, "k", T0), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "k", T0), 10000);
	CHECK_EQ_INT(ratelimit_take(rl, "k", T0 + 9999), 1);
	CHECK_EQ_INT(ratelimit_take(rl, "k", T0 + 10000), 0);
	/* A long idle time refills only up to the burst. */
	for (int i = 0; i < 10; i++)
		ok += ratelimit_take(rl, "k", T0 + 3600000) == 0;
	CHECK_EQ_INT(ok, 3);
	ratelimit_free(rl);
	/* The promised wait is always enough, whatever the rate. */
	CHECK_EQ_INT(ratelimit_new(3.0, 1, 16, &rl), 0);
	if (rl == NULL)
		return;
	for (int64_t now = T0, i = 0; i < 50; i++) {
		int64_t wait = ratelimit_take(rl, "k", now);

		if (wait > 0) {
			CHECK(wait <= 334);
			now += wait;
			CHECK_EQ_INT(ratelimit_take(rl, "k", now), 0);
		}
	}
	/* A clock that steps back refills nothing and still says how long. */
	CHECK(ratelimit_take(rl, "k", T0) > 0);
	ratelimit_free(rl);
}

TEST(waits_exact_for_odd_rates)
{
	static const double rates[] = { 0.3, 3.0, 7.0, 1000.0 / 7.0, 999.0, 0.001 };

	for (size_t r = 0; r < ARRAY_LEN(rates); r++) {
		struct ratelimit *rl = NULL;
		int64_t now = T0;

		CHECK_EQ_INT(ratelimit_new(rates[r], 2, 16, &rl), 0);
		if (rl == NULL)
			return;
		for (int i = 0; i < 200; i++) {
			int64_t wait = ratelimit_take(rl, "k", now);

			if (wait == 0)
				continue;
			if (wait > 1)
				CHECK(ratelimit_take(rl, "k", now + wait - 1) > 0);
			now += wait;
			CHECK_EQ_INT(ratelimit_take(rl, "k", now), 0);
			now += i % 3;
		}
		ratelimit_free(rl);
	}
}

TEST(disabled_always_allows)
{
	struct ratelimit *rl = NULL;

	CHECK_EQ_INT(ratelimit_new(0, 0, 0, &rl), 0);
	CHECK(rl != NULL);
	for (int i = 0; i < 1000; i++)
		CHECK_EQ_INT(ratelimit_take(rl, "k", T0), 0);
	ratelimit_free(rl);
	CHECK_EQ_INT(ratelimit_new(-1, 5, 10, &rl), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "k", T0), 0);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

TEST(bad_arguments)
{
	struct ratelimit *rl = (struct ratelimit *)&rl;

	CHECK_EQ_INT(ratelimit_new(1, 0.5, 10, &rl), -1);
	CHECK(rl == NULL);
	CHECK_EQ_INT(ratelimit_new(1, 5, 0, &rl), -1);
	CHECK_EQ_INT(ratelimit_new(INFINITY, 5, 10, &rl), -1);
	CHECK_EQ_INT(ratelimit_new(NAN, 5, 10, &rl), -1);
	CHECK_EQ_INT(ratelimit_new(1, 5, 10, NULL), -1);
}

TEST(many_keys_bounded)
{
	struct ratelimit *rl = NULL;
	struct mallinfo2 before, after;
	char key[32];
	int ok = 0;

	CHECK_EQ_INT(ratelimit_new(1.0, 3, 100, &rl), 0);
	if (rl == NULL)
		return;
	/* A key drained at T0. */
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(ratelimit_take(rl, "victim", T0), 0);
	before = mallinfo2();
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "10.%d.%d.%d", i >> 16, (i >> 8) & 255,
		    i & 255);
		ok += ratelimit_take(rl, key, T0) == 0;
	}
	after = mallinfo2();
	CHECK_EQ_INT(after.uordblks, before.uordblks);
	CHECK_EQ_INT(after.arena, before.arena);
	CHECK_EQ_INT(ok, 100000);
	/* The flood replaced full-looking buckets, not the drained one. */
	CHECK_EQ_INT(ratelimit_take(rl, "victim", T0), 1000);
	/* New keys still get their burst. */
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(ratelimit_take(rl, "fresh", T0), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "fresh", T0), 1000);
	ratelimit_free(rl);
}

TEST(one_slot)
{
	struct ratelimit *rl = NULL;

	CHECK_EQ_INT(ratelimit_new(1.0, 1, 1, &rl), 0);
	if (rl == NULL)
		return;
	CHECK_EQ_INT(ratelimit_take(rl, "a", T0), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "a", T0), 1000);
	/* The only bucket goes to b: a is forgotten, which the size allows. */
	CHECK_EQ_INT(ratelimit_take(rl, "b", T0), 0);
	CHECK_EQ_INT(ratelimit_take(rl, "b", T0), 1000);
	ratelimit_free(rl);
}

struct hammer {
	struct ratelimit *rl;
	atomic_int allowed;
};

static void *
hammer_run(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < 20000; i++)
		if (ratelimit_take(h->rl, "203.0.113.9", T0) == 0)
			atomic_fetch_add(&h->allowed, 1);
	return NULL;
}

TEST(threads_take_exactly_burst)
{
	struct hammer h;
	pthread_t th[8];

	h.rl = NULL;
	atomic_init(&h.allowed, 0);
	CHECK_EQ_INT(ratelimit_new(10.0, 37, 4096, &h.rl), 0);
	if (h.rl == NULL)
		return;
	for (size_t i = 0; i < ARRAY_LEN(th); i++)
		CHECK_EQ_INT(pthread_create(&th[i], NULL, hammer_run, &h), 0);
	for (size_t i = 0; i < ARRAY_LEN(th); i++)
		pthread_join(th[i], NULL);
	CHECK_EQ_INT(atomic_load(&h.allowed), 37);
	ratelimit_free(h.rl);
}

T_MAIN(T(burst_then_wait), T(refill_over_time), T(waits_exact_for_odd_rates),
    T(disabled_always_allows),
    T(bad_arguments), T(many_keys_bounded), T(one_slot),
    T(threads_take_exactly_burst))
