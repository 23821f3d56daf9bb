/*
 * csrf: signed double-submit tokens (see csrf.h).
 */
#include "csrf.h"

#include <sodium.h>
#include <string.h>

#include "b64.h"

#define COOKIE_BYTES 32
#define COOKIE_CHARS (CSRF_COOKIE_SIZE - 1)
#define MAC_BYTES 32

/* Separates this MAC from any other use of the same key. */
static const char LABEL[] = "dinhdanh csrf v1";

/* 43 characters that decode (canonically) to 32 bytes. */
static bool
cookie_valid(const char *cookie)
{
	uint8_t raw[COOKIE_BYTES];
	size_t len = 0;
	bool ok;

	if (cookie == NULL || strnlen(cookie, COOKIE_CHARS + 1) != COOKIE_CHARS)
		return false;
	ok = b64_decode(raw, sizeof(raw), &len, cookie, COOKIE_CHARS) == 0 &&
	    len == COOKIE_BYTES;
	sodium_memzero(raw, sizeof(raw));
	return ok;
}

void
csrf_new_cookie(char out[CSRF_COOKIE_SIZE])
{
	(void)b64_random(out, CSRF_COOKIE_SIZE, COOKIE_BYTES);
}

int
csrf_token(const uint8_t key[32], const char *cookie, char out[CSRF_TOKEN_SIZE])
{
	crypto_generichash_state st;
	uint8_t mac[MAC_BYTES];
	int rc = -1;

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (key == NULL || !cookie_valid(cookie))
		return -1;
	if (crypto_generichash_init(&st, key, 32, sizeof(mac)) != 0 ||
	    crypto_generichash_update(&st, (const uint8_t *)LABEL,
	    sizeof(LABEL)) != 0 ||
	    crypto_generichash_update(&st, (const uint8_t *)cookie,
	    COOKIE_CHARS) != 0 ||
	    crypto_generichash_final(&st, mac, sizeof(mac)) != 0)
		goto fail;
	if (b64_encode(out, CSRF_TOKEN_SIZE, mac, sizeof(mac)) != COOKIE_CHARS)
		goto fail;
	rc = 0;
fail:
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
	if (rc != 0)
		out[0] = '\0';
	return rc;
}

bool
csrf_check(const uint8_t key[32], const char *cookie, const char *token)
{
	char want[CSRF_TOKEN_SIZE];
	bool ok;

	if (key == NULL || cookie == NULL || token == NULL)
		return false;
	if (strnlen(token, CSRF_TOKEN_SIZE) != CSRF_TOKEN_SIZE - 1)
		return false;
	if (csrf_token(key, cookie, want) != 0)
		return false;
	ok = sodium_memcmp(want, token, CSRF_TOKEN_SIZE - 1) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
