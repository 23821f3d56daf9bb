/*
 * test_clock: unit tests for the clock: a system clock follows the real time
 * and refuses to move, a test clock starts where told and moves only when
 * moved (also from several threads at once), and dates format in UTC.
 */
#include "t.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"

TEST(system_clock_follows_real_time)
{
	struct clock *c = clock_new_system();
	int64_t now, ms;
	time_t real;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	real = time(NULL);
	now = clock_now(c);
	ms = clock_now_ms(c);
	CHECK(now >= (int64_t)real - 1 && now <= (int64_t)real + 1);
	CHECK(ms / 1000 >= now && ms / 1000 <= now + 1);
	clock_free(c);
}

TEST(system_clock_cannot_move)
{
	struct clock *c = clock_new_system();
	int64_t before;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	before = clock_now(c);
	CHECK_EQ_INT(clock_advance(c, 86400), -1);
	CHECK_EQ_INT(clock_advance(c, -86400), -1);
	CHECK(clock_now(c) - before <= 1);
	CHECK(clock_now(c) - before >= 0);
	CHECK_EQ_INT(clock_advance(NULL, 1), -1);
	clock_free(c);
}

TEST(test_clock_starts_where_told_and_moves)
{
	const int64_t start = INT64_C(1800000000);
	struct clock *c = clock_new_test(start);
	int64_t ms;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_INT(clock_now(c), start);
	ms = clock_now_ms(c);
	CHECK(ms >= start * 1000 && ms < start * 1000 + 1000);
	CHECK_EQ_INT(clock_advance(c, 3600), 0);
	CHECK_EQ_INT(clock_now(c), start + 3600);
	CHECK_EQ_INT(clock_advance(c, -7200), 0);
	CHECK_EQ_INT(clock_now(c), start - 3600);
	CHECK_EQ_INT(clock_advance(c, 0), 0);
	CHECK_EQ_INT(clock_now(c), start - 3600);
	/* A test clock far from the real time. */
	clock_free(c);
	c = clock_new_test(0);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_EQ_INT(clock_now(c), 0);
	CHECK_EQ_INT(clock_advance(c, 951782400), 0);
	CHECK_EQ_INT(clock_now(c), 951782400);
	clock_free(c);
}

TEST(test_clocks_are_independent)
{
	struct clock *a = clock_new_test(1000000000), *b = clock_new_test(1000000000);

	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL) {
		clock_free(a);
		clock_free(b);
		return;
	}
	CHECK_EQ_INT(clock_advance(a, 10), 0);
	CHECK_EQ_INT(clock_now(a), 1000000010);
	CHECK_EQ_INT(clock_now(b), 1000000000);
	clock_free(a);
	clock_free(b);
}

static void *
advance_many(void *arg)
{
	struct clock *c = arg;

	for (int i = 0; i < 10000; i++)
		if (clock_advance(c, 1) != 0)
			return arg;
	return NULL;
}

TEST(test_clock_moves_atomically)
{
	struct clock *c = clock_new_test(1500000000);
	pthread_t th[4];
	int started = 0;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, advance_many, c) == 0)
			started++;
	CHECK_EQ_INT(started, 4);
	for (int i = 0; i < started; i++) {
		void *res = NULL;
		pthread_join(th[i], &res);
		CHECK(res == NULL);
	}
	CHECK_EQ_INT(clock_now(c), 1500000000 + 10000 * started);
	clock_free(c);
}

TEST(monotonic_never_moves_back)
{
	double prev = clock_monotonic(), t;

	CHECK(prev > 0);
	for (int i = 0; i < 100000; i++) {
		t = clock_monotonic();
		if (t < prev) {
			CHECK(t >= prev);
			break;
		}
		prev = t;
	}
}

struct instant {
	int64_t unix_s;
	const char *date, *iso;
};

static const struct instant instants[] = {
	{ 0, "1970-01-01", "1970-01-01T00:00:00Z" },
	{ 59, "1970-01-01", "1970-01-01T00:00:59Z" },
	{ 86399, "1970-01-01", "1970-01-01T23:59:59Z" },
	{ 86400, "1970-01-02", "1970-01-02T00:00:00Z" },
	{ -1, "1969-12-31", "1969-12-31T23:59:59Z" },
	{ 951782400, "2000-02-29", "2000-02-29T00:00:00Z" },
	{ 951868799, "2000-02-29", "2000-02-29T23:59:59Z" },
	{ 951868800, "2000-03-01", "2000-03-01T00:00:00Z" },
	{ 1234567890, "2009-02-13", "2009-02-13T23:31:30Z" },
	{ 1709164800, "2024-02-29", "2024-02-29T00:00:00Z" },
	{ 2147483647, "2038-01-19", "2038-01-19T03:14:07Z" },
	{ INT64_C(2147483648), "2038-01-19", "2038-01-19T03:14:08Z" },
	{ INT64_C(4107542400), "2100-03-01", "2100-03-01T00:00:00Z" },
};

TEST(format_known_instants)
{
	for (size_t i = 0; i < ARRAY_LEN(instants); i++) {
		char date[11], iso[21];

		memset(date, 'X', sizeof(date));
		memset(iso, 'X', sizeof(iso));
		clock_format_date(instants[i].unix_s, date);
		clock_format_iso(instants[i].unix_s, iso);
		CHECK_STR(date, instants[i].date);
		CHECK_STR(iso, instants[i].iso);
	}
}

TEST(format_is_utc_whatever_the_zone)
{
	char *old = getenv("TZ") != NULL ? strdup(getenv("TZ")) : NULL;
	char date[11], iso[21];

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	clock_format_date(951868799, date);
	clock_format_iso(951868799, iso);
	CHECK_STR(date, "2000-02-29");
	CHECK_STR(iso, "2000-02-29T23:59:59Z");
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	clock_format_date(951782400, date);
	CHECK_STR(date, "2000-02-29");
	if (old != NULL)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
}

TEST(format_test_clock_now)
{
	struct clock *c = clock_new_test(951868799);
	char iso[21];

	CHECK(c != NULL);
	if (c == NULL)
		return;
	clock_format_iso(clock_now(c), iso);
	CHECK_STR(iso, "2000-02-29T23:59:59Z");
	CHECK_EQ_INT(clock_advance(c, 1), 0);
	clock_format_iso(clock_now(c), iso);
	CHECK_STR(iso, "2000-03-01T00:00:00Z");
	clock_free(c);
}

T_MAIN(T(system_clock_follows_real_time), T(system_clock_cannot_move),
    T(test_clock_starts_where_told_and_moves), T(test_clocks_are_independent),
    T(test_clock_moves_atomically), T(monotonic_never_moves_back),
    T(format_known_instants), T(format_is_utc_whatever_the_zone),
    T(format_test_clock_now))
