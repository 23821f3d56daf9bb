/*
 * b64: base64url without padding (RFC 4648 section 5), as JOSE uses it, over
 * libsodium's constant-time codec.
 */
#ifndef COMMON_B64_H
#define COMMON_B64_H

#include <stddef.h>

#include "base.h"

/* Buffer size (with the NUL) that encoding `n` bytes needs. */
size_t b64_encoded_size(size_t n);
/* Encodes into out[outsz]; returns the string length, or 0 when it does not fit. */
size_t b64_encode(char *out, size_t outsz, const void *in, size_t n);
/* Encodes into a new NUL-terminated string (free()), or NULL. */
char *b64_encode_alloc(const void *in, size_t n);
/*
 * `nbytes` (at most 64) fresh random bytes, base64url-encoded into
 * out[outsz] (random ids, tokens, cookies); the bytes are wiped. Returns
 * the string length, or 0 when it does not fit.
 */
size_t b64_random(char *out, size_t outsz, size_t nbytes);
/* Decodes exactly `n` characters; returns 0 and the length in *outlen, or -1. */
int b64_decode(void *out, size_t outsz, size_t *outlen, const char *in, size_t n) WUR;

#endif
