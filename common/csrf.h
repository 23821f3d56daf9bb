/*
 * csrf: CSRF protection for HTML forms as a signed double-submit token
 * (OWASP "signed double-submit cookie"). Each browser gets a random cookie;
 * a form carries a token that is a keyed BLAKE2b-256 MAC of that cookie
 * under the server's key, so a token is worth nothing with another cookie
 * or another key. Owns no state: the key and the cookie come from the caller.
 */
#ifndef COMMON_CSRF_H
#define COMMON_CSRF_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"

#define CSRF_COOKIE_SIZE 44	/* 32 random bytes, base64url, NUL */
#define CSRF_TOKEN_SIZE 44	/* a 32-byte MAC, base64url, NUL */

/* A fresh cookie value: 32 random bytes, base64url. */
void csrf_new_cookie(char out[CSRF_COOKIE_SIZE]);

/*
 * The form token for `cookie` under `key` (keyed BLAKE2b-256 over a fixed
 * label and the cookie, base64url): 0, or -1 when cookie is not a
 * well-formed cookie value (43 base64url chars); out is then "".
 */
int csrf_token(const uint8_t key[32], const char *cookie,
    char out[CSRF_TOKEN_SIZE]) WUR;

/*
 * True only when cookie is well formed and token equals
 * csrf_token(key, cookie), compared in constant time. NULLs give false.
 */
bool csrf_check(const uint8_t key[32], const char *cookie, const char *token);

#endif
