/*
 * challenge: second-factor challenges. Owns the tables challenges and
 * code_sends: a challenge asks whoever started a registration, a login, a
 * self-lock or unlock, or a password reset for a one-time code within 5
 * minutes and 5 attempts. An SMS challenge stores only a keyed hash of its
 * code (bound to the challenge id) and writes the message through the SMS
 * gateway in the caller's transaction; a TOTP challenge only counts
 * attempts (the totp module checks the code). Each challenge has its own
 * code; a resend waits 60 s, makes a new code and keeps the failure count;
 * each phone gets at most 10 codes an hour. A decoy (empty subject) spends
 * the same budget and answers the same, but its code was never sent and
 * can never match. All functions work in the caller's transaction; time
 * comes only from `now`.
 */
#ifndef IDP_CHALLENGE_H
#define IDP_CHALLENGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "phone.h"
#include "seal.h"

#define CH_ID_SIZE 44		/* 32 random bytes, base64url, NUL */
#define CH_TTL 300		/* seconds a code is valid */
#define CH_MAX_ATTEMPTS 5	/* wrong codes before the challenge is dead */
#define CH_RESEND_AFTER 60	/* seconds between codes of one challenge */
#define CH_CODES_PER_HOUR 10	/* codes sent to one phone per hour */

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum challenge_err {
	CH_UNKNOWN = -60,	/* no such challenge for this purpose, or already used */
	CH_BAD_CODE = -61,	/* wrong code: counted, the caller commits */
	CH_EXPIRED = -62,	/* older than CH_TTL */
	CH_TOO_MANY = -63,	/* CH_MAX_ATTEMPTS wrong codes already */
	CH_RESEND_WAIT = -64,	/* a resend before CH_RESEND_AFTER */
	CH_RATE_LIMITED = -65,	/* CH_CODES_PER_HOUR codes to this phone already */
};

struct challenge {
	char id[CH_ID_SIZE];
	char purpose[16];	/* registration, login, lock, unlock, reset */
	char subject[CH_ID_SIZE];	/* account or registration id; "" for a decoy */
	char factor[8];		/* sms or totp */
	char phone[PHONE_E164_SIZE];
	int attempts;
	int64_t created_at, expires_at, last_sent_at;
};

/*
 * A new challenge with a fresh id in id[]. For factor "sms" the phone's
 * hourly budget is checked (CH_RATE_LIMITED) and a code is made and sent,
 * unless `subject` is "" (a decoy: same budget, nothing sent).
 */
int challenge_create(struct db_conn *c, const struct seal *seal,
    const char *purpose, const char *subject, const char *factor,
    const char *phone, int64_t now, char id[CH_ID_SIZE]) WUR;

/*
 * A new code for SMS challenge `id`: CH_RESEND_WAIT with the seconds left
 * in *wait, CH_RATE_LIMITED, CH_UNKNOWN, CH_EXPIRED, CH_TOO_MANY or DB_OK.
 * The new code is valid CH_TTL from now; the failure count is kept.
 */
int challenge_resend(struct db_conn *c, const struct seal *seal,
    const char *id, const char *purpose, int64_t now, int64_t *wait) WUR;

/*
 * The live challenge `id` of `purpose` into *out: DB_OK, CH_UNKNOWN
 * (missing, malformed id, another purpose, used), CH_EXPIRED or CH_TOO_MANY.
 */
int challenge_get(struct db_conn *c, const char *id, const char *purpose,
    int64_t now, struct challenge *out) WUR;

/*
 * Checks an SMS code against live challenge `id`: DB_OK with the challenge
 * consumed and in *out; CH_BAD_CODE with the attempt counted (commit it);
 * or a challenge_get result.
 */
int challenge_check_code(struct db_conn *c, const struct seal *seal,
    const char *id, const char *purpose, const char *code, int64_t now,
    struct challenge *out) WUR;

/* Counts a wrong code (for factors checked elsewhere). */
int challenge_fail(struct db_conn *c, const char *id) WUR;
/* Marks `id` used: DB_OK, or CH_UNKNOWN when it already was. */
int challenge_consume(struct db_conn *c, const char *id, int64_t now) WUR;
/* Ends every live challenge of `subject` (an account closed or locked). */
int challenge_revoke_subject(struct db_conn *c, const char *subject,
    int64_t now) WUR;

#endif
