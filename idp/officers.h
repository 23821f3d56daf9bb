/*
 * officers: the registration officers who enroll citizens at level 2. Owns
 * the officers table: adding an officer with a high-entropy bearer token
 * (shown once, stored as a keyed BLAKE2b hash), revoking it, and checking a
 * token in constant time, taking the same time whether or not the officer
 * exists. A token is "<officer_id>.<secret>".
 */
#ifndef IDP_OFFICERS_H
#define IDP_OFFICERS_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

#define OFFICER_ID_SIZE 24		/* "o_" + 12 random bytes base64url + NUL */
#define OFFICER_TOKEN_SIZE 72		/* id "." 32 random bytes base64url + NUL */
#define OFFICER_NOT_FOUND -140		/* no such officer, or revoked */
#define OFFICER_INVALID -141		/* bad name or office: see reason */

/*
 * Adds an officer of `name` at `office` (each 1 to 127 characters of UTF-8
 * text); writes the id and the token (shown once) into id and token.
 * DB_OK, OFFICER_INVALID with a reason, or a db_err.
 */
int officers_add(struct db *, const struct seal *, const char *name,
    const char *office, int64_t now, char id[OFFICER_ID_SIZE],
    char token[OFFICER_TOKEN_SIZE], char *reason, size_t rsz) WUR;

/* Revokes the officer's token as of `now`: DB_OK (also when revoked
 * already), OFFICER_NOT_FOUND or a db_err. */
int officers_revoke(struct db *, const char *id, int64_t now) WUR;

/*
 * The officer of bearer `token` into id: DB_OK, or OFFICER_NOT_FOUND for a
 * malformed, unknown, wrong or revoked token, or a db_err.
 */
int officers_authenticate(struct db_conn *, const struct seal *,
    const char *token, char id[OFFICER_ID_SIZE]) WUR;

/* 1 when `id` is an officer whose token is not revoked, 0 when not, or a db_err. */
int officers_active(struct db_conn *, const char *id) WUR;

#endif
