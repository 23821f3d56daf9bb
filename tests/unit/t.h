/*
 * t: the unit test runner. A test file defines test functions, lists them
 * with T_MAIN, and uses the CHECK macros; a failed check prints file:line
 * and the test goes on, so one run shows every failure. Exit 0 only when all
 * checks held and at least one test ran.
 */
#ifndef TESTS_T_H
#define TESTS_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_case {
	const char *name;
	void (*fn)(int *failed);
};

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		(*t_failed)++; \
	} \
} while (0)

#define CHECK_EQ_INT(a, b) do { \
	long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) { \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
		    __FILE__, __LINE__, #a, t_a_, #b, t_b_); \
		(*t_failed)++; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *t_a_ = (a), *t_b_ = (b); \
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) { \
		fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", \
		    __FILE__, __LINE__, #a, t_a_ ? t_a_ : "(null)", \
		    t_b_ ? t_b_ : "(null)"); \
		(*t_failed)++; \
	} \
} while (0)

#define TEST(name) static void name(int *t_failed)

#define T_MAIN(...) \
int main(void) { \
	static const struct t_case t_cases[] = { __VA_ARGS__ }; \
	size_t n = sizeof(t_cases) / sizeof(t_cases[0]), bad = 0; \
	for (size_t i = 0; i < n; i++) { \
		int failed = 0; \
		t_cases[i].fn(&failed); \
		printf("%s %s\n", failed ? "FAIL" : "ok  ", t_cases[i].name); \
		if (failed) \
			bad++; \
	} \
	printf("%zu passed, %zu failed\n", n - bad, bad); \
	return (bad == 0 && n > 0) ? 0 : 1; \
}

#define T(fn) { #fn, fn }

#endif
