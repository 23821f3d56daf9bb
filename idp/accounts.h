/*
 * accounts: citizens' accounts and their level-1 registration. Owns the
 * tables accounts and registrations: starting a registration (checks against
 * the registry with one answer for every outcome, so the registry cannot be
 * probed; the SMS code stored hashed and sent through the outbox in the same
 * transaction; at most 10 codes per phone per hour), confirming it with the
 * code (5 minutes, 5 attempts, single use), and account look-ups. Time comes
 * only from the callers' `now`.
 */
#ifndef IDP_ACCOUNTS_H
#define IDP_ACCOUNTS_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "challenge.h"
#include "db.h"
#include "phone.h"
#include "seal.h"

#define ACC_ID_SIZE 44			/* 32 random bytes, base64url, NUL */

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum acc_err {
	ACC_OK = 0,
	ACC_INVALID = -30,		/* malformed ID, name or date: see reason */
	ACC_BAD_PHONE = -31,		/* not a Vietnamese mobile number */
	ACC_WEAK_PASSWORD = -32,	/* refused by the password policy */
	ACC_RATE_LIMITED = -33,		/* too many codes to this phone this hour */
	ACC_BAD_CODE = -34,		/* wrong code, unknown or used registration */
	ACC_EXPIRED = -35,		/* the code is older than CH_TTL */
	ACC_TOO_MANY_ATTEMPTS = -36,	/* CH_MAX_ATTEMPTS wrong codes already */
	ACC_EXISTS = -37,		/* the person already has an account */
	ACC_NOT_FOUND = -38,		/* no such account */
	ACC_RESEND_WAIT = -39,		/* a new code only CH_RESEND_AFTER after the last */
};

struct accounts_reg_input {
	const char *personal_id;	/* 12 digits */
	const char *full_name;		/* as on the card; case and spacing free */
	const char *birth_date;		/* YYYY-MM-DD */
	const char *phone;		/* any form phone_normalize accepts */
	const char *password;
	const char *password_hash;	/* its Argon2id string if made already, or NULL */
};

struct account {
	char account_id[ACC_ID_SIZE];
	char personal_id[13];
	int level;
	char phone[PHONE_E164_SIZE];
	char password_hash[crypto_pwhash_STRBYTES];
	char status[10];		/* active, locked or disabled */
	char lock_reason[10];		/* self or failures when locked, else "" */
	int64_t created_at;
	int failures;			/* consecutive wrong passwords */
	int64_t last_failure_at;
};

/*
 * Starts a level-1 registration as of `now`. ACC_OK with a registration id
 * in reg_id whether or not the person is in the registry, living, matches
 * the name and birth date and has no account yet: only when all hold is the
 * registration stored and its code sent. ACC_INVALID, ACC_BAD_PHONE or
 * ACC_WEAK_PASSWORD (with a one-line reason in reason[rsz]) for input that
 * is wrong in itself, ACC_RATE_LIMITED, or a db_err.
 */
int accounts_register_start(struct db *db, const struct seal *seal,
    const struct accounts_reg_input *in, int64_t now,
    char reg_id[ACC_ID_SIZE], char *reason, size_t rsz) WUR;

/* The input checks of accounts_register_start alone, for callers that hash first. */
int accounts_register_check(const struct accounts_reg_input *in, char *reason,
    size_t rsz) WUR;

/*
 * A new code for registration `reg_id`: ACC_OK, ACC_RESEND_WAIT (seconds
 * left in *wait), ACC_RATE_LIMITED, ACC_BAD_CODE (unknown), ACC_EXPIRED,
 * ACC_TOO_MANY_ATTEMPTS, or a db_err. A decoy answers the same.
 */
int accounts_register_resend(struct db *db, const struct seal *seal,
    const char *reg_id, int64_t now, int64_t *wait) WUR;

/*
 * Confirms registration `reg_id` with `code` as of `now`; on ACC_OK the
 * level-1 account is created and its id written to account_id. An unknown
 * or already used registration is ACC_BAD_CODE, like a wrong code.
 */
int accounts_register_confirm(struct db *db, const struct seal *seal,
    const char *reg_id, const char *code, int64_t now,
    char account_id[ACC_ID_SIZE]) WUR;

/*
 * A level-1 account for `personal_id` (in the caller's transaction), its id
 * into account_id: for callers that proved the person otherwise (the demo
 * seed; enrolment). DB_CONSTRAINT when the person has one already.
 */
int accounts_create(struct db_conn *c, const char *personal_id,
    const char *phone, const char *password_hash, int64_t now,
    char account_id[ACC_ID_SIZE]) WUR;

/* The account of `pid` into *out: DB_OK, ACC_NOT_FOUND or a db_err. */
int accounts_get_by_personal_id(struct db_conn *c, const char *pid,
    struct account *out) WUR;
/* The account `account_id` into *out: DB_OK, ACC_NOT_FOUND or a db_err. */
int accounts_get(struct db_conn *c, const char *account_id,
    struct account *out) WUR;

/* Counts a wrong password as of `now`; the new count into *failures. */
int accounts_note_failure(struct db_conn *c, const char *account_id,
    int64_t now, int *failures) WUR;
int accounts_clear_failures(struct db_conn *c, const char *account_id) WUR;
/* Sets status (active, locked, disabled) and lock_reason (NULL unless locked). */
int accounts_set_status(struct db_conn *c, const char *account_id,
    const char *status, const char *lock_reason, int64_t now) WUR;
/* Replaces the password hash (an Argon2id string). */
int accounts_set_password(struct db_conn *c, const char *account_id,
    const char *hash, int64_t now) WUR;
/*
 * Level-2 enrollment: sets the account's level to 2 and its phone (E.164,
 * replacing the old one); the password, if any, is kept. DB_OK,
 * ACC_NOT_FOUND or a db_err.
 */
int accounts_set_level2(struct db_conn *c, const char *account_id,
    const char *phone, int64_t now) WUR;

#endif
