/*
 * otp: TOTP over liboath, the otpauth:// URI, and hashed SMS codes over
 * libsodium. Pure functions; the only state is liboath's global init.
 */
#include "otp.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OTP_MAX_TIME ((int64_t)1 << 40)	/* far beyond any real clock */

int
otp_init(void)
{
	if (sodium_init() < 0)
		return -1;
	return oath_init() == OATH_OK ? 0 : -1;
}

void
otp_done(void)
{
	(void)oath_done();
}

int64_t
otp_totp_step(int64_t now)
{
	int64_t step = now / OTP_TOTP_PERIOD;

	if (now < 0 && now % OTP_TOTP_PERIOD != 0)
		step--;
	return step;
}

int
otp_totp_code(const uint8_t *secret, size_t len, int64_t now, char out[7])
{
	if (secret == NULL || len == 0 || now < 0 || now > OTP_MAX_TIME)
		return -1;
	if (oath_totp_generate((const char *)secret, len, (time_t)now,
	    OTP_TOTP_PERIOD, OATH_TOTP_DEFAULT_START_TIME, OTP_DIGITS,
	    out) != OATH_OK)
		return -1;
	out[OTP_DIGITS] = '\0';
	return 0;
}

static int
six_digits(const char *code)
{
	if (code == NULL)
		return 0;
	for (size_t i = 0; i < OTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[OTP_DIGITS] == '\0';
}

int
otp_totp_verify(const uint8_t *secret, size_t len, int64_t now,
    const char *code, int64_t last_used_step, int64_t *matched_step)
{
	if (!six_digits(code) || now < 0 || now > OTP_MAX_TIME)
		return -1;
	int64_t cur = otp_totp_step(now);
	int found = 0;
	int64_t match = 0;

	/* Every candidate step is computed, so timing does not tell which matched. */
	for (int64_t step = cur - 1; step <= cur + 1; step++) {
		char want[OTP_DIGITS + 1];

		if (step < 0 || step <= last_used_step)
			continue;
		if (otp_totp_code(secret, len, step * OTP_TOTP_PERIOD, want) != 0)
			return -1;
		if (sodium_memcmp(want, code, OTP_DIGITS) == 0 && !found) {
			found = 1;
			match = step;
		}
		sodium_memzero(want, sizeof want);
	}
	if (!found)
		return -1;
	if (matched_step != NULL)
		*matched_step = match;
	return 0;
}

int
otp_totp_secret(uint8_t out[20])
{
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(out, OTP_TOTP_SECRET_LEN);
	return 0;
}

int
otp_base32(const uint8_t *secret, size_t len, char *out, size_t outsz)
{
	char *enc = NULL;
	size_t enclen = 0;

	if (secret == NULL || out == NULL || len == 0)
		return -1;
	if (oath_base32_encode((const char *)secret, len, &enc, &enclen) != OATH_OK)
		return -1;
	while (enclen > 0 && enc[enclen - 1] == '=')
		enclen--;
	int rc = -1;
	if (enclen < outsz) {
		memcpy(out, enc, enclen);
		out[enclen] = '\0';
		rc = 0;
	}
	free(enc);
	return rc;
}

/* Appends s percent-encoded at out[*pos]; -1 when it does not fit. */
static int
pct_append(char *out, size_t outsz, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~';
		size_t need = plain ? 1 : 3;

		if (*pos + need >= outsz)
			return -1;
		if (plain) {
			out[(*pos)++] = (char)c;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[c >> 4];
			out[(*pos)++] = hex[c & 15];
		}
	}
	out[*pos] = '\0';
	return 0;
}

/* Appends literal s at out[*pos]; -1 when it does not fit. */
static int
lit_append(char *out, size_t outsz, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= outsz)
		return -1;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int
otp_uri(char *out, size_t outsz, const char *issuer, const char *account,
    const uint8_t *secret, size_t len)
{
	char b32[((OTP_TOTP_SECRET_LEN * 4) + 8) * 2];
	size_t pos = 0;

	if (out == NULL || outsz == 0 || issuer == NULL || account == NULL ||
	    len > OTP_TOTP_SECRET_LEN * 4)
		return -1;
	out[0] = '\0';
	if (otp_base32(secret, len, b32, sizeof b32) != 0)
		return -1;
	if (lit_append(out, outsz, &pos, "otpauth://totp/") != 0 ||
	    pct_append(out, outsz, &pos, issuer) != 0 ||
	    lit_append(out, outsz, &pos, ":") != 0 ||
	    pct_append(out, outsz, &pos, account) != 0 ||
	    lit_append(out, outsz, &pos, "?secret=") != 0 ||
	    lit_append(out, outsz, &pos, b32) != 0 ||
	    lit_append(out, outsz, &pos, "&issuer=") != 0 ||
	    pct_append(out, outsz, &pos, issuer) != 0 ||
	    lit_append(out, outsz, &pos,
	    "&algorithm=SHA1&digits=6&period=30") != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

void
otp_code_new(char out[7])
{
	uint32_t n = randombytes_uniform(1000000);

	for (int i = OTP_DIGITS - 1; i >= 0; i--) {
		out[i] = (char)('0' + n % 10);
		n /= 10;
	}
	out[OTP_DIGITS] = '\0';
}

void
otp_code_hash(const uint8_t key[32], const char *code, const char *context,
    char hex[65])
{
	crypto_generichash_state st;
	uint8_t sep = 0, h[32];

	crypto_generichash_init(&st, key, 32, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)context,
	    strlen(context));
	crypto_generichash_update(&st, &sep, 1);
	crypto_generichash_update(&st, (const unsigned char *)code, strlen(code));
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(hex, OTP_HASH_HEX_LEN + 1, h, sizeof h);
	sodium_memzero(&st, sizeof st);
}

int
otp_code_equal(const char *hex_a, const char *hex_b)
{
	if (hex_a == NULL || hex_b == NULL ||
	    strlen(hex_a) != OTP_HASH_HEX_LEN || strlen(hex_b) != OTP_HASH_HEX_LEN)
		return -1;
	return sodium_memcmp(hex_a, hex_b, OTP_HASH_HEX_LEN) == 0 ? 0 : -1;
}
