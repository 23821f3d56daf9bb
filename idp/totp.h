/*
 * totp: citizens' authenticator-app keys (RFC 6238 over common/otp). Owns
 * the totp_keys table: an enrolment makes a pending key and its otpauth://
 * URI; one correct code turns it into the account's active key; every later
 * code is checked at +-1 step and a step once accepted is never accepted
 * again (the update is conditional, so two concurrent uses of one code
 * cannot both pass). Keys are sealed at rest, bound to their account.
 * Functions work in the caller's transaction.
 */
#ifndef IDP_TOTP_H
#define IDP_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

#define TOTP_B32_SIZE 40	/* base32 of a 20-byte key, NUL */
#define TOTP_URI_SIZE 512

enum totp_err {
	TOTP_BAD_CODE = -70,	/* wrong, outside the window, or a step already used */
	TOTP_NONE = -71,	/* no such key (nothing enrolled, or nothing pending) */
};

/*
 * A new pending key for `account_id` (replacing a pending one; an active
 * key stays active until the new one is confirmed): its base32 text and
 * its otpauth:// URI for `issuer` and `label`.
 */
int totp_begin(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *issuer, const char *label,
    char b32[TOTP_B32_SIZE], char uri[TOTP_URI_SIZE]) WUR;
/*
 * Confirms the pending key with its first code: DB_OK, TOTP_BAD_CODE,
 * TOTP_NONE. In a transaction of its own, with the audit entry
 * "totp_enabled".
 */
int totp_confirm(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *code, int64_t now) WUR;
/* Checks a code against the active key: DB_OK, TOTP_BAD_CODE, TOTP_NONE. */
int totp_verify(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *code, int64_t now) WUR;
/*
 * Removes the account's key, active and pending (its holder asked): DB_OK
 * with the audit entry "totp_removed" in the same transaction, or
 * TOTP_NONE when there was no active key.
 */
int totp_remove(struct db_conn *c, const struct seal *seal,
    const char *account_id, int64_t now) WUR;
/* Whether the account has an active key. */
int totp_enabled(struct db_conn *c, const char *account_id, bool *on) WUR;

#endif
