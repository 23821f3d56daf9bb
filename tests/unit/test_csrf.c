/*
 * test_csrf: unit tests for the signed double-submit tokens: the round
 * trip, a token under another cookie or key, tampering, malformed cookies
 * and NULLs.
 */
#include "t.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "base.h"
#include "csrf.h"

static const uint8_t KEY_A[32] = { 1, 2, 3 };
static const uint8_t KEY_B[32] = { 3, 2, 1 };

TEST(round_trip)
{
	char cookie[CSRF_COOKIE_SIZE], token[CSRF_TOKEN_SIZE];
	char again[CSRF_TOKEN_SIZE];

	CHECK(sodium_init() >= 0);
	csrf_new_cookie(cookie);
	CHECK_EQ_INT(strlen(cookie), 43);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, token), 0);
	CHECK_EQ_INT(strlen(token), 43);
	CHECK(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == 43);
	CHECK(strcmp(token, cookie) != 0);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, again), 0);
	CHECK_STR(again, token);
	CHECK(csrf_check(KEY_A, cookie, token));
}

TEST(cookies_differ)
{
	char a[CSRF_COOKIE_SIZE], b[CSRF_COOKIE_SIZE];

	csrf_new_cookie(a);
	csrf_new_cookie(b);
	CHECK(strcmp(a, b) != 0);
}

TEST(wrong_cookie_refused)
{
	char a[CSRF_COOKIE_SIZE], b[CSRF_COOKIE_SIZE];
	char ta[CSRF_TOKEN_SIZE], tb[CSRF_TOKEN_SIZE];

	csrf_new_cookie(a);
	csrf_new_cookie(b);
	CHECK_EQ_INT(csrf_token(KEY_A, a, ta), 0);
	CHECK_EQ_INT(csrf_token(KEY_A, b, tb), 0);
	CHECK(strcmp(ta, tb) != 0);
	CHECK(!csrf_check(KEY_A, b, ta));
	CHECK(!csrf_check(KEY_A, a, tb));
	/* The cookie itself is not a token. */
	CHECK(!csrf_check(KEY_A, a, a));
}

TEST(tampered_token_refused)
{
	char cookie[CSRF_COOKIE_SIZE], token[CSRF_TOKEN_SIZE];
	char bad[CSRF_TOKEN_SIZE + 1];

	csrf_new_cookie(cookie);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, token), 0);
	for (size_t i = 0; i < 43; i += 7) {
		memcpy(bad, token, sizeof(token));
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		CHECK(!csrf_check(KEY_A, cookie, bad));
	}
	memcpy(bad, token, sizeof(token));
	bad[42] = '\0';
	CHECK(!csrf_check(KEY_A, cookie, bad));
	memcpy(bad, token, 43);
	bad[43] = 'A';
	bad[44] = '\0';
	CHECK(!csrf_check(KEY_A, cookie, bad));
	CHECK(!csrf_check(KEY_A, cookie, ""));
}

TEST(malformed_cookie_refused)
{
	static const char *bad[] = {
		"",
		"short",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* 42 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* 44 */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",	/* not url-safe */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",	/* stray low bits */
	};
	char token[CSRF_TOKEN_SIZE] = "x";

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK_EQ_INT(csrf_token(KEY_A, bad[i], token), -1);
		CHECK_STR(token, "");
		CHECK(!csrf_check(KEY_A, bad[i], token));
	}
	CHECK_EQ_INT(csrf_token(KEY_A,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", token), 0);
}

TEST(nulls_refused)
{
	char cookie[CSRF_COOKIE_SIZE], token[CSRF_TOKEN_SIZE];

	csrf_new_cookie(cookie);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, token), 0);
	CHECK(!csrf_check(NULL, cookie, token));
	CHECK(!csrf_check(KEY_A, NULL, token));
	CHECK(!csrf_check(KEY_A, cookie, NULL));
	CHECK(!csrf_check(NULL, NULL, NULL));
	CHECK_EQ_INT(csrf_token(NULL, cookie, token), -1);
	CHECK_EQ_INT(csrf_token(KEY_A, NULL, token), -1);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, NULL), -1);
}

TEST(different_keys)
{
	char cookie[CSRF_COOKIE_SIZE], ta[CSRF_TOKEN_SIZE], tb[CSRF_TOKEN_SIZE];

	csrf_new_cookie(cookie);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, ta), 0);
	CHECK_EQ_INT(csrf_token(KEY_B, cookie, tb), 0);
	CHECK(strcmp(ta, tb) != 0);
	CHECK(csrf_check(KEY_B, cookie, tb));
	CHECK(!csrf_check(KEY_B, cookie, ta));
	CHECK(!csrf_check(KEY_A, cookie, tb));
}

TEST(known_answer)
{
	/* Pins the construction: BLAKE2b-256 keyed, label with its NUL, cookie. */
	static const char label[] = "dinhdanh csrf v1";
	static const char cookie[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	uint8_t msg[sizeof(label) + 43], mac[32];
	char want[CSRF_TOKEN_SIZE], token[CSRF_TOKEN_SIZE];

	memcpy(msg, label, sizeof(label));
	memcpy(msg + sizeof(label), cookie, 43);
	CHECK_EQ_INT(crypto_generichash(mac, sizeof(mac), msg, sizeof(msg),
	    KEY_A, sizeof(KEY_A)), 0);
	sodium_bin2base64(want, sizeof(want), mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	CHECK_EQ_INT(csrf_token(KEY_A, cookie, token), 0);
	CHECK_STR(token, want);
}

T_MAIN(T(round_trip), T(cookies_differ), T(wrong_cookie_refused),
    T(tampered_token_refused), T(malformed_cookie_refused), T(nulls_refused),
    T(different_keys), T(known_answer))
