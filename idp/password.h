/*
 * password: account passwords. Owns the Argon2id hashing parameters
 * (hash, verify, needs-rehash) and the password policy: length 8-128
 * characters, valid UTF-8, not a common password (the list embedded at build
 * time from idp/data/common-passwords.txt) and not built from the person's
 * own data (personal ID, birth date, name without diacritics).
 * Pure: no state beyond the embedded list, no I/O.
 */
#ifndef IDP_PASSWORD_H
#define IDP_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#include "base.h"

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_CHARS 128

/*
 * Argon2id, t=2, m=46 MiB (47104 KiB), p=1 (libsodium is single-lane).
 * OWASP's floor is m=19 MiB with t=2, or m=46 MiB with t=1; we take the
 * larger memory with t=2. Measured on the 2-core build machine: ~53 ms per
 * hash (m=19 MiB/t=2 took ~17 ms, m=64 MiB/t=3 ~97 ms), inside the
 * 50-100 ms budget for an interactive login. Hashing blocks its caller, so
 * callers keep it off the HTTP threads' critical path (DESIGN.md section 5).
 */
#define PASSWORD_OPSLIMIT 2ULL
#define PASSWORD_MEMLIMIT ((size_t)46 * 1024 * 1024)

enum password_reason {
	PW_OK = 0,
	PW_TOO_SHORT,
	PW_TOO_LONG,
	PW_NOT_UTF8,
	PW_COMMON,
	PW_PERSONAL,
	PW_ERROR, /* out of memory while checking: refused */
};

/* Argon2id hash string of `pw` into out; 0, or -1 (out of memory). */
int password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]) WUR;
/* 0 when `pw` matches `hash`, -1 otherwise (also for a malformed hash). */
int password_verify(const char *hash, const char *pw) WUR;
/* True when `hash` was not made with the current algorithm and parameters. */
bool password_needs_rehash(const char *hash);

/*
 * PW_OK (0) when `pw` passes the policy, otherwise the first failing
 * password_reason with an English explanation in reason (rsz bytes; reason
 * may be NULL). personal_id (12 digits), birth_date (YYYY-MM-DD) and
 * full_name (UTF-8, family name first) may each be NULL or "".
 */
int password_check(const char *pw, const char *personal_id,
    const char *birth_date, const char *full_name,
    char *reason, size_t rsz) WUR;

/* True when `pw` is on the common-password list (case-insensitive). */
bool password_is_common(const char *pw);
/* Entries on the embedded common-password list. */
size_t password_common_count(void);

#endif
