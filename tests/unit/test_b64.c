/*
 * test_b64: unit tests for base64url without padding (b64): the RFC 4648
 * vectors, round trips of every length up to 64, and the strict decoder
 * (no padding, no '+' or '/', no impossible lengths, no trailing garbage).
 */
#include "t.h"

#include <stdint.h>
#include <string.h>

#include "b64.h"

struct vec {
	const char *plain;
	const char *enc;
};

/* RFC 4648 section 10, without the padding. */
static const struct vec rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

TEST(rfc4648_vectors_encode)
{
	for (size_t i = 0; i < ARRAY_LEN(rfc4648); i++) {
		char buf[32];
		size_t n = strlen(rfc4648[i].plain);
		char *a;

		memset(buf, 'X', sizeof(buf));
		CHECK_EQ_INT(b64_encode(buf, sizeof(buf), rfc4648[i].plain, n),
		    strlen(rfc4648[i].enc));
		CHECK_STR(buf, rfc4648[i].enc);
		CHECK_EQ_INT(b64_encoded_size(n), strlen(rfc4648[i].enc) + 1);
		a = b64_encode_alloc(rfc4648[i].plain, n);
		CHECK_STR(a, rfc4648[i].enc);
		free(a);
	}
}

TEST(rfc4648_vectors_decode)
{
	for (size_t i = 0; i < ARRAY_LEN(rfc4648); i++) {
		char buf[32];
		size_t len = 99;

		memset(buf, 0, sizeof(buf));
		CHECK_EQ_INT(b64_decode(buf, sizeof(buf), &len, rfc4648[i].enc,
		    strlen(rfc4648[i].enc)), 0);
		CHECK_EQ_INT(len, strlen(rfc4648[i].plain));
		CHECK(memcmp(buf, rfc4648[i].plain, len) == 0);
	}
}

TEST(url_alphabet)
{
	/* 0xfb 0xff 0xbf is "+/+/" in the standard alphabet. */
	static const uint8_t bin[] = { 0xfb, 0xff, 0xbf };
	static const uint8_t bin2[] = { 0x03, 0xef, 0xff };	/* "A-__" */
	uint8_t out[8];
	char buf[16];
	size_t len = 0;

	CHECK_EQ_INT(b64_encode(buf, sizeof(buf), bin, sizeof(bin)), 4);
	CHECK_STR(buf, "-_-_");
	CHECK_EQ_INT(b64_encode(buf, sizeof(buf), bin2, sizeof(bin2)), 4);
	CHECK_STR(buf, "A-__");
	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, "-_-_", 4), 0);
	CHECK_EQ_INT(len, 3);
	CHECK(memcmp(out, bin, 3) == 0);
}

TEST(round_trip_all_lengths)
{
	uint8_t in[64], out[64];
	char enc[128];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37u + 251u);	/* every high bit pattern */
	for (size_t n = 0; n <= 64; n++) {
		size_t elen = b64_encode(enc, sizeof(enc), in, n), len = 1000;
		char *a = b64_encode_alloc(in, n);

		CHECK_EQ_INT(elen, (4 * n + 2) / 3);
		CHECK_EQ_INT(strlen(enc), elen);
		CHECK(strpbrk(enc, "=+/") == NULL);
		CHECK_STR(a, enc);
		free(a);
		memset(out, 0, sizeof(out));
		CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, enc, elen), 0);
		CHECK_EQ_INT(len, n);
		CHECK(memcmp(in, out, n) == 0);
		/* A buffer one byte short refuses. */
		if (n > 0)
			CHECK_EQ_INT(b64_decode(out, n - 1, &len, enc, elen), -1);
	}
}

TEST(decode_rejects_padding)
{
	static const char *const bad[] = { "Zg==", "Zg=", "Zm8=", "Zm9vYg==",
	    "=", "====", "Zm9v====" };
	uint8_t out[32];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t len = 0;
		CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, bad[i], strlen(bad[i])), -1);
	}
}

TEST(decode_rejects_standard_alphabet)
{
	static const char *const bad[] = { "+/+/", "-_-/", "+_-_", "Zm9v+w", "ab/c" };
	uint8_t out[32];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t len = 0;
		CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, bad[i], strlen(bad[i])), -1);
	}
}

TEST(decode_rejects_bad_lengths_and_garbage)
{
	static const char *const bad[] = {
		"Z",		/* one character cannot hold a byte */
		"Zm9vY",	/* 4n+1 characters */
		"Zh",		/* non-zero unused bits: not canonical */
		"Zm9",		/* non-zero unused bits */
		"Zm9v ",	/* trailing space */
		"Zm9v\n",	/* trailing newline */
		" Zm9v",	/* leading space */
		"Zm9vYg!",	/* trailing garbage */
		"Zm.9v",	/* a dot inside */
		"Zm9v\xc3\xa9",	/* non-ASCII */
	};
	uint8_t out[32];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		size_t len = 0;
		if (b64_decode(out, sizeof(out), &len, bad[i], strlen(bad[i])) != -1) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(decode_exact_count)
{
	/* Exactly n characters are decoded: a NUL inside is garbage... */
	uint8_t out[16];
	size_t len = 0;

	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, "Zm9v\0Yg", 7), -1);
	/* ... and characters past n are not read. */
	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, "Zm9vYmFy", 4), 0);
	CHECK_EQ_INT(len, 3);
	CHECK(memcmp(out, "foo", 3) == 0);
	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, "Zm9v!!!", 4), 0);
	CHECK_EQ_INT(len, 3);
	/* Zero characters decode to zero bytes. */
	len = 7;
	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, "", 0), 0);
	CHECK_EQ_INT(len, 0);
}

TEST(decode_null_arguments)
{
	uint8_t out[8];
	size_t len;

	CHECK_EQ_INT(b64_decode(NULL, 8, &len, "Zm9v", 4), -1);
	CHECK_EQ_INT(b64_decode(out, sizeof(out), NULL, "Zm9v", 4), -1);
	CHECK_EQ_INT(b64_decode(out, sizeof(out), &len, NULL, 4), -1);
}

TEST(encode_too_small)
{
	char buf[16];

	memset(buf, 'X', sizeof(buf));
	/* "foobar" needs 8 characters and the NUL. */
	CHECK_EQ_INT(b64_encode(buf, 8, "foobar", 6), 0);
	CHECK_EQ_INT(buf[0], 'X');
	CHECK_EQ_INT(b64_encode(buf, 0, "foobar", 6), 0);
	CHECK_EQ_INT(b64_encode(NULL, 16, "foobar", 6), 0);
	CHECK_EQ_INT(b64_encode(buf, 9, "foobar", 6), 8);
	CHECK_STR(buf, "Zm9vYmFy");
	/* The empty string needs room for its NUL only. */
	CHECK_EQ_INT(b64_encode(buf, 1, "", 0), 0);
	CHECK_STR(buf, "");
	buf[0] = 'X';
	CHECK_EQ_INT(b64_encode(buf, 0, "", 0), 0);
	CHECK_EQ_INT(buf[0], 'X');
	CHECK_EQ_INT(b64_encoded_size(0), 1);
	CHECK_EQ_INT(b64_encoded_size(32), 44);
}

TEST(random_ids)
{
	char a[44], b[44], small[10];
	uint8_t raw[32];
	size_t n = 0;

	CHECK_EQ_INT(b64_random(a, sizeof(a), 32), 43);
	CHECK_EQ_INT(b64_random(b, sizeof(b), 32), 43);
	CHECK(strcmp(a, b) != 0);
	CHECK_EQ_INT(b64_decode(raw, sizeof(raw), &n, a, 43), 0);
	CHECK_EQ_INT(n, 32);
	CHECK_EQ_INT(b64_random(small, sizeof(small), 32), 0);
	CHECK_EQ_INT(b64_random(a, sizeof(a), 65), 0);
}

T_MAIN(T(random_ids), T(rfc4648_vectors_encode), T(rfc4648_vectors_decode), T(url_alphabet),
    T(round_trip_all_lengths), T(decode_rejects_padding),
    T(decode_rejects_standard_alphabet),
    T(decode_rejects_bad_lengths_and_garbage), T(decode_exact_count),
    T(decode_null_arguments), T(encode_too_small))
