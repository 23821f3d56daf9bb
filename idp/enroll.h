/*
 * enroll: level-2 enrollment at an officer's desk. Owns the tables
 * enrollments (the audit of every enrollment) and activation_codes:
 * verifying the chip record the desk read from the card, creating or
 * upgrading the account, recording the biometric digest and the officer,
 * and the one-time activation codes (Crockford base32, 100 bits, 15
 * minutes, single use, stored hashed) that the citizen's app redeems.
 *
 * Checks of a chip record, in this order, the first failure answering:
 * 1. ENROLL_CARD_INVALID: not a compact JWS, a header other than
 *    typ eid-chip+jwt / alg EdDSA, a signature over the exact bytes that
 *    the card centre's current key did not make, or a payload without a
 *    12-digit personal_id, a card_number and a card_expires_on;
 * 2. ENROLL_UNKNOWN_PERSON: the payload's personal_id is not in the registry;
 * 3. ENROLL_DECEASED: the registry records the person as deceased (whatever
 *    card was shown: no new card can change that);
 * 4. ENROLL_CARD_SUPERSEDED: the card number is not the registry's current
 *    card of the person, or was replaced by a card_reissued event;
 * 5. ENROLL_CARD_EXPIRED: the card's card_expires_on is before today (UTC).
 * An existing account (level 1 or 2) is upgraded: it keeps its password
 * and status, and the phone given at the desk replaces its phone; earlier
 * unused activation codes of the account stop working. A new account has
 * no password ("" never verifies): it signs in with its device key.
 */
#ifndef IDP_ENROLL_H
#define IDP_ENROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "accounts.h"
#include "base.h"
#include "db.h"
#include "seal.h"

#define ENROLL_CODE_TTL 900            /* seconds */
#define ENROLL_CODE_SIZE 24            /* "XXXXX-XXXXX-XXXXX-XXXXX" + NUL: 20 Crockford base32 characters, 100 bits */
enum enroll_err { ENROLL_CARD_INVALID = -130, ENROLL_CARD_SUPERSEDED = -131, ENROLL_CARD_EXPIRED = -132, ENROLL_UNKNOWN_PERSON = -133, ENROLL_DECEASED = -134, ENROLL_BAD_CODE = -135 /* unknown, used or expired activation code */ };
/* Malformed biometric digest or phone given to enroll_person. */
#define ENROLL_BAD_INPUT -136

/* Redeems an activation code (case-insensitive; spaces and dashes ignored; Crockford's I/L→1, O→0) in the caller's transaction: DB_OK with the account into account_id[44], or ENROLL_BAD_CODE. Single use. */
int enroll_code_redeem(struct db_conn *c, const char *code, int64_t now, char account_id[44]) WUR;
/* When the account was last enrolled at a desk into *at (0 when never): DB_OK or a db_err. */
int enroll_enrolled_at(struct db_conn *c, const char *account_id, int64_t *at) WUR;
/* A new activation code for an existing account (for a second device approved by the first), in the caller's transaction; issued_by is an officer id or "device:<id>". */
int enroll_code_issue(struct db_conn *c, const char *account_id, const char *issued_by, int64_t now, char code[ENROLL_CODE_SIZE], int64_t *expires_at) WUR;

/*
 * A code normalised for comparison: upper case, spaces and dashes dropped,
 * I and L read as 1, O as 0, into out[21]; 0, or -1 unless exactly 20
 * Crockford base32 characters remain.
 */
int enroll_code_normalize(const char *code, char out[21]) WUR;

struct enroll_result {
	int level;				/* 2 */
	char activation_code[ENROLL_CODE_SIZE];	/* shown once, at the desk */
	int64_t expires_at;			/* unix seconds */
	char account_id[ACC_ID_SIZE];
	char personal_id_masked[13];		/* for logs */
	bool created;				/* a new account, not an upgrade */
};

/*
 * Enrolls the holder of `chip_record` (a compact JWS from the card centre)
 * at level 2 for officer `officer_id`, in one transaction: checks the card
 * (see above), creates or upgrades the account with `phone` (any form
 * phone_normalize accepts), records the audit row with `biometric_digest`
 * (64 lowercase hex, stored as given) and issues an activation code.
 * DB_OK with *out filled; an enroll_err; ENROLL_BAD_INPUT;
 * OFFICER_NOT_FOUND when the officer is unknown or revoked; or a db_err.
 */
int enroll_person(struct db *, const struct seal *, const char *officer_id,
    const char *chip_record, const char *biometric_digest, const char *phone,
    int64_t now, struct enroll_result *out) WUR;

/* True when `s` is 64 lowercase hexadecimal digits. */
bool enroll_digest_valid(const char *s);
/* "card_invalid", "card_superseded", ... for an enroll_err; NULL otherwise. */
const char *enroll_err_name(int rc);

#endif
