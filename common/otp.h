/*
 * otp: one-time passwords, as pure functions over caller-given secrets and
 * times. Owns TOTP (RFC 6238: SHA-1, 30 s steps, 6 digits, +-1 step, replay
 * refusal by step) over liboath, the otpauth:// enrolment URI, and the
 * random 6-digit codes sent by SMS, which are kept only as keyed hashes bound
 * to their login or registration. Knows nothing of accounts or storage.
 */
#ifndef COMMON_OTP_H
#define COMMON_OTP_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define OTP_TOTP_SECRET_LEN 20	/* bytes, as RFC 6238 suggests for SHA-1 */
#define OTP_TOTP_PERIOD 30	/* seconds per step */
#define OTP_DIGITS 6
#define OTP_HASH_HEX_LEN 64	/* otp_code_hash output, without the NUL */

/* Initialises liboath and libsodium; call once at start-up. 0 or -1. */
int otp_init(void) WUR;
/* Releases liboath; call once at shut-down. */
void otp_done(void);

/* The TOTP step that `now` (unix seconds) falls in. */
int64_t otp_totp_step(int64_t now);
/* The 6-digit code for `now` into out[7]; 0, or -1 on error. */
int otp_totp_code(const uint8_t *secret, size_t len, int64_t now,
    char out[7]) WUR;
/*
 * Checks `code` (exactly 6 ASCII digits) against the steps around `now`
 * (-1, 0, +1), never accepting a step <= last_used_step (use -1 when no step
 * was ever used). Returns 0 with the matched step in *matched_step (to be
 * stored as the new last_used_step), or -1.
 */
int otp_totp_verify(const uint8_t *secret, size_t len, int64_t now,
    const char *code, int64_t last_used_step, int64_t *matched_step) WUR;
/* A new random 20-byte TOTP secret. 0, or -1 on error. */
int otp_totp_secret(uint8_t out[20]) WUR;
/* RFC 4648 base32 without padding into out[outsz]; 0, or -1 when it does not fit. */
int otp_base32(const uint8_t *secret, size_t len, char *out, size_t outsz) WUR;
/*
 * otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1&
 * digits=6&period=30 into out[outsz], issuer and account percent-encoded
 * (every byte outside the RFC 3986 unreserved set). 0, or -1 when it does
 * not fit or an argument is missing.
 */
int otp_uri(char *out, size_t outsz, const char *issuer, const char *account,
    const uint8_t *secret, size_t len) WUR;

/* A new uniformly random code of 6 digits, zero-padded, NUL-terminated. */
void otp_code_new(char out[7]);
/*
 * hex[65] = lowercase hex of keyed BLAKE2b-256 over context || 0x00 || code,
 * binding a stored code to its login or registration (`context`).
 */
void otp_code_hash(const uint8_t key[32], const char *code,
    const char *context, char hex[65]);
/* Constant-time comparison of two code hashes: 0 when equal, else -1. */
int otp_code_equal(const char *hex_a, const char *hex_b);

#endif
