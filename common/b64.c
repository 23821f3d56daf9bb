/*
 * b64: base64url helpers.
 */
#include "b64.h"

#include <sodium.h>
#include <stdlib.h>

#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

size_t
b64_encoded_size(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, VARIANT);
}

size_t
b64_encode(char *out, size_t outsz, const void *in, size_t n)
{
	if (out == NULL || outsz < b64_encoded_size(n))
		return 0;
	sodium_bin2base64(out, outsz, in, n, VARIANT);
	return b64_encoded_size(n) - 1;
}

char *
b64_encode_alloc(const void *in, size_t n)
{
	size_t sz = b64_encoded_size(n);
	char *out = malloc(sz);

	if (out == NULL)
		return NULL;
	sodium_bin2base64(out, sz, in, n, VARIANT);
	return out;
}

int
b64_decode(void *out, size_t outsz, size_t *outlen, const char *in, size_t n)
{
	const char *end = NULL;
	size_t len = 0;

	if (out == NULL || in == NULL || outlen == NULL)
		return -1;
	if (sodium_base642bin(out, outsz, in, n, NULL, &len, &end, VARIANT) != 0)
		return -1;
	if (end != in + n)
		return -1;
	*outlen = len;
	return 0;
}

size_t
b64_random(char *out, size_t outsz, size_t nbytes)
{
	uint8_t raw[64];
	size_t n;

	if (nbytes > sizeof(raw))
		return 0;
	randombytes_buf(raw, nbytes);
	n = b64_encode(out, outsz, raw, nbytes);
	sodium_memzero(raw, nbytes);
	return n;
}
