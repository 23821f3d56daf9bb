/*
 * test_otp: unit tests for one-time passwords (otp): the RFC 6238 SHA-1
 * vectors, the +-1 step window, replay refusal, strict code syntax, a
 * cross-check against the oathtool command, base32 and the otpauth URI, and
 * the hashed random SMS codes.
 */
#include "t.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "otp.h"

static const uint8_t rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20

struct vec {
	int64_t t;
	const char *code;
};

/* RFC 6238 Appendix B, SHA-1, last 6 of the 8 digits. */
static const struct vec rfc6238[] = {
	{ 59, "287082" },
	{ 1111111109, "081804" },
	{ 1111111111, "050471" },
	{ 1234567890, "005924" },
	{ 2000000000, "279037" },
};

TEST(rfc6238_vectors)
{
	for (size_t i = 0; i < ARRAY_LEN(rfc6238); i++) {
		char code[7];
		int64_t step = -7;

		CHECK_EQ_INT(otp_totp_code(rfc_secret, RFC_LEN, rfc6238[i].t, code), 0);
		CHECK_STR(code, rfc6238[i].code);
		CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, rfc6238[i].t,
		    rfc6238[i].code, -1, &step), 0);
		CHECK_EQ_INT(step, rfc6238[i].t / 30);
	}
}

TEST(window_one_step)
{
	int64_t t = 1111111109, step = 0, s = t / 30;
	const char *code = "081804";

	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t - 30, code, -1, &step), 0);
	CHECK_EQ_INT(step, s);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t + 30, code, -1, &step), 0);
	CHECK_EQ_INT(step, s);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t - 60, code, -1, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t + 60, code, -1, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t + 3600, code, -1, &step), -1);
	/* A wrong code is refused in the right step. */
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, "081805", -1, &step), -1);
}

TEST(replay_refused)
{
	int64_t t = 1234567890, step = 0, s = t / 30;
	char next[7];

	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, "005924", -1, &step), 0);
	CHECK_EQ_INT(step, s);
	/* The same code again, in the same step or the next one. */
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, "005924", step, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t + 30, "005924", s, &step), -1);
	/* A later step is still accepted... */
	CHECK_EQ_INT(otp_totp_code(rfc_secret, RFC_LEN, t + 30, next), 0);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, next, s, &step), 0);
	CHECK_EQ_INT(step, s + 1);
	/* ...but an earlier one is not, even inside the window. */
	char prev[7];
	CHECK_EQ_INT(otp_totp_code(rfc_secret, RFC_LEN, t - 30, prev), 0);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, prev, s, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, prev, s - 2, &step), 0);
	CHECK_EQ_INT(step, s - 1);
}

TEST(code_syntax_strict)
{
	int64_t t = 59, step = 0;
	static const char *bad[] = {
		"28708", "2870820", "28708a", " 287082", "287082 ", "+87082",
		"28 082", "", "２87082", "287082\n",
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, bad[i], -1, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, NULL, -1, &step), -1);
	CHECK_EQ_INT(otp_totp_verify(rfc_secret, RFC_LEN, t, "287082", -1, &step), 0);
}

static int
oathtool_code(const char *b32, int64_t t, char out[7])
{
	char cmd[256], line[64];
	snprintf(cmd, sizeof cmd, "oathtool --totp -b %s --now '@%lld' 2>/dev/null",
	    b32, (long long)t);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	int ok = fgets(line, sizeof line, p) != NULL;
	if (pclose(p) != 0 || !ok || strlen(line) != 7 || line[6] != '\n')
		return -1;
	memcpy(out, line, 6);
	out[6] = '\0';
	return 0;
}

TEST(matches_oathtool)
{
	static const int64_t times[] = { 0, 59, 1700000000, 1760000015, 4102444800 };
	uint8_t secret[20];
	char b32[64];

	CHECK_EQ_INT(otp_totp_secret(secret), 0);
	CHECK_EQ_INT(otp_base32(secret, sizeof secret, b32, sizeof b32), 0);
	CHECK_EQ_INT(strlen(b32), 32);
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		char mine[7], theirs[7];
		int64_t step = 0;

		CHECK_EQ_INT(otp_totp_code(secret, sizeof secret, times[i], mine), 0);
		CHECK_EQ_INT(oathtool_code(b32, times[i], theirs), 0);
		CHECK_STR(mine, theirs);
		CHECK_EQ_INT(otp_totp_verify(secret, sizeof secret, times[i], theirs,
		    -1, &step), 0);
		CHECK_EQ_INT(step, times[i] / 30);
	}
}

TEST(secret_random)
{
	uint8_t a[20], b[20];

	CHECK_EQ_INT(otp_totp_secret(a), 0);
	CHECK_EQ_INT(otp_totp_secret(b), 0);
	CHECK(memcmp(a, b, sizeof a) != 0);
}

TEST(base32)
{
	char out[64];

	CHECK_EQ_INT(otp_base32(rfc_secret, RFC_LEN, out, sizeof out), 0);
	CHECK_STR(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	/* No padding: "foobar" is MZXW6YTBOI====== in RFC 4648. */
	CHECK_EQ_INT(otp_base32((const uint8_t *)"foobar", 6, out, sizeof out), 0);
	CHECK_STR(out, "MZXW6YTBOI");
	CHECK_EQ_INT(otp_base32((const uint8_t *)"f", 1, out, sizeof out), 0);
	CHECK_STR(out, "MY");
	/* Too small: 32 characters need 33 bytes. */
	CHECK_EQ_INT(otp_base32(rfc_secret, RFC_LEN, out, 32), -1);
	CHECK_EQ_INT(otp_base32(rfc_secret, RFC_LEN, out, 33), 0);
}

TEST(uri)
{
	char out[512];

	CHECK_EQ_INT(otp_uri(out, sizeof out, "Bộ Công an", "079200001234",
	    rfc_secret, RFC_LEN), 0);
	CHECK_STR(out, "otpauth://totp/B%E1%BB%99%20C%C3%B4ng%20an:079200001234"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=B%E1%BB%99%20C%C3%B4ng%20an"
	    "&algorithm=SHA1&digits=6&period=30");
	CHECK_EQ_INT(otp_uri(out, sizeof out, "a:b&c=d", "x@y.z/~_-",
	    rfc_secret, RFC_LEN), 0);
	CHECK_STR(out, "otpauth://totp/a%3Ab%26c%3Dd:x%40y.z%2F~_-"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a%3Ab%26c%3Dd"
	    "&algorithm=SHA1&digits=6&period=30");
	size_t full = strlen(out);
	CHECK_EQ_INT(otp_uri(out, full, "a:b&c=d", "x@y.z/~_-", rfc_secret, RFC_LEN), -1);
	CHECK_STR(out, "");
	CHECK_EQ_INT(otp_uri(out, full + 1, "a:b&c=d", "x@y.z/~_-", rfc_secret, RFC_LEN), 0);
	CHECK_EQ_INT(otp_uri(out, sizeof out, NULL, "x", rfc_secret, RFC_LEN), -1);
}

TEST(code_new)
{
	int seen[10] = { 0 };

	for (int i = 0; i < 20000; i++) {
		char c[7];

		memset(c, 'x', sizeof c);
		otp_code_new(c);
		int ok = strlen(c) == 6;
		for (int j = 0; j < 6 && ok; j++)
			ok = c[j] >= '0' && c[j] <= '9';
		CHECK(ok);
		if (!ok)
			return;
		seen[c[0] - '0']++;
	}
	for (int d = 0; d < 10; d++)
		CHECK(seen[d] > 0);
}

TEST(code_hash)
{
	uint8_t k1[32], k2[32];
	char a[65], b[65], c[65], d[65], e[65];

	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	otp_code_hash(k1, "123456", "login:42", a);
	otp_code_hash(k1, "123456", "login:42", b);
	otp_code_hash(k1, "123456", "login:43", c);
	otp_code_hash(k2, "123456", "login:42", d);
	otp_code_hash(k1, "123457", "login:42", e);
	CHECK_EQ_INT(strlen(a), 64);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(strcmp(a, d) != 0);
	CHECK(strcmp(a, e) != 0);
	/* The separator keeps context and code apart. */
	otp_code_hash(k1, "23456", "login:421", c);
	CHECK(strcmp(a, c) != 0);
	CHECK_EQ_INT(otp_code_equal(a, b), 0);
	CHECK_EQ_INT(otp_code_equal(a, c), -1);
	CHECK_EQ_INT(otp_code_equal(a, d), -1);
	CHECK_EQ_INT(otp_code_equal(a, "abc"), -1);
	CHECK_EQ_INT(otp_code_equal(a, NULL), -1);
}

TEST(init)
{
	CHECK_EQ_INT(otp_init(), 0);
}

T_MAIN(T(init), T(rfc6238_vectors), T(window_one_step), T(replay_refused),
    T(code_syntax_strict), T(matches_oathtool), T(secret_random), T(base32),
    T(uri), T(code_new), T(code_hash))
