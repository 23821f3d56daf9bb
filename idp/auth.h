/*
 * auth: the citizen's authentication flows, over the accounts, challenge,
 * totp, sessions and signins modules. Owns the order of each flow and the
 * transaction around each step: the password step with its lockout (every
 * wrong password counted exactly; a growing delay after 5, a hard lock at
 * 100; every attempt inside a delay counts, right or wrong, and gets the
 * same answer and wait, so the delay gives guesses no oracle), the
 * second step (SMS code, or TOTP when enrolled) that ends in a session,
 * self-lock and unlock (password + SMS, or self-lock from a session),
 * forgotten passwords (ID + registered phone + SMS, all sessions end), and
 * what a death in the registry does to an account. Password hashing is left
 * to the caller (a worker pool): auth gives the hash to check and takes the
 * verdict.
 */
#ifndef IDP_AUTH_H
#define IDP_AUTH_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "accounts.h"
#include "base.h"
#include "challenge.h"
#include "db.h"
#include "regevent.h"
#include "seal.h"
#include "sessions.h"

#define AUTH_ACR_LOA1 "urn:dinhdanh:loa:1"
#define AUTH_ACR_LOA2 "urn:dinhdanh:loa:2"

enum auth_err {
	AUTH_BAD_CREDENTIALS = -80,	/* unknown ID or wrong password */
	AUTH_DELAYED = -81,		/* inside the lockout delay: see wait */
	AUTH_LOCKED = -82,		/* locked (self or failures): unlock by SMS */
	AUTH_DISABLED = -83,		/* closed: the holder is deceased */
	AUTH_BAD_TX = -84,		/* unknown, forged, used or mismatched step */
	AUTH_BAD_CODE = -85,		/* wrong one-time code (counted) */
	AUTH_EXPIRED = -86,		/* the step is older than 5 minutes */
	AUTH_TOO_MANY = -87,		/* 5 wrong codes: start again */
	AUTH_RESEND_WAIT = -88,		/* a new code only after 60 s: see wait */
	AUTH_RATE_LIMITED = -89,	/* 10 codes to this phone this hour */
	AUTH_WEAK_PASSWORD = -90,	/* a new password built from the person's data */
};

struct auth;

/* Who is asking: the client address (already truncated) and user agent. */
struct auth_meta {
	const char *addr;
	const char *user_agent;
};

/* The outcome of a password step. */
struct auth_step {
	char id[CH_ID_SIZE];		/* the second step's challenge */
	char factor[8];			/* sms or totp */
	char phone_masked[PHONE_MASK_SIZE];
	int64_t wait;			/* seconds, for AUTH_DELAYED */
};

struct auth_session {
	char token[SESSION_TOKEN_SIZE];
	char account_id[ACC_ID_SIZE];
	char amr[32];			/* RFC 8176, space separated */
	char acr[32];
	int64_t auth_time;
	int level;
};

/* The password check's verdict, made off the HTTP threads. */
struct auth_verdict {
	bool ok;
	const char *new_hash;		/* a rehash with today's parameters, or NULL */
};

int auth_new(struct db *db, const struct seal *seal,
    const struct session_limits *limits, struct auth **out) WUR;
void auth_free(struct auth *);
const struct session_limits *auth_limits(const struct auth *);
/* A short name for an auth_err or db_err, for logs. */
const char *auth_strerror(int rc);

/*
 * The hash to verify a password for `personal_id` against into hash[]: the
 * account's, or a decoy of the same cost when there is none.
 */
int auth_password_target(struct auth *, const char *personal_id,
    char hash[crypto_pwhash_STRBYTES]) WUR;

/*
 * The password step of `purpose` (login, lock or unlock) with the verdict
 * on the password: counts a failure or starts the second step (a login's
 * factor is TOTP when enrolled, else SMS; lock and unlock use SMS). DB_OK
 * with *out filled, or AUTH_BAD_CREDENTIALS, AUTH_DELAYED (out->wait),
 * AUTH_LOCKED, AUTH_DISABLED, AUTH_RATE_LIMITED, a db_err.
 */
int auth_password_step(struct auth *, const char *purpose,
    const char *personal_id, const struct auth_verdict *,
    const struct auth_meta *, int64_t now, struct auth_step *out) WUR;

/* The factor of a live challenge (for pages): DB_OK or an auth_err. */
int auth_step_info(struct auth *, const char *purpose, const char *id,
    int64_t now, struct auth_step *out) WUR;

/* A new SMS code for a live challenge of `purpose`: DB_OK or an auth_err. */
int auth_resend(struct auth *, const char *purpose, const char *id,
    int64_t now, int64_t *wait) WUR;

/*
 * The login's second step: DB_OK with a new session in *out, or
 * AUTH_BAD_TX, AUTH_BAD_CODE, AUTH_EXPIRED, AUTH_TOO_MANY, AUTH_LOCKED,
 * AUTH_DISABLED, a db_err.
 */
int auth_login_finish(struct auth *, const char *id, const char *code,
    const struct auth_meta *, int64_t now, struct auth_session *out) WUR;

/* The SMS step of a lock or unlock: DB_OK when done, else an auth_err. */
int auth_action_finish(struct auth *, const char *purpose, const char *id,
    const char *code, int64_t now) WUR;

/* Locks the account from one of its sessions: every session ends. */
int auth_lock_self(struct auth *, const char *account_id, int64_t now) WUR;

/*
 * Starts a password reset for `personal_id` and `phone`: DB_OK with a
 * challenge id whether or not they match an account (a decoy sends
 * nothing), ACC_BAD_PHONE, AUTH_RATE_LIMITED, or a db_err.
 */
int auth_reset_start(struct auth *, const char *personal_id,
    const char *phone, int64_t now, char id[CH_ID_SIZE]) WUR;
/*
 * Finishes reset `id` with `code`, the new password and its hash (the
 * generic password rules, which need no account, are the caller's to check
 * first): once the code is right, the password is checked against the
 * person's own ID, birth date and name (AUTH_WEAK_PASSWORD, nothing
 * changed and the code still usable); then the password is replaced, a
 * hard lock lifted and every session ended. DB_OK or an auth_err. The
 * personal rules wait for the code so that a decoy cannot be told apart.
 */
int auth_reset_finish(struct auth *, const char *id, const char *code,
    const char *password, const char *new_hash, int64_t now) WUR;

/*
 * In the caller's transaction: a device-key session for `account_id`
 * (amr "swk": the app's key is a software-held key; acr loa:2) and its
 * sign-in record (method "swk"). DB_OK with *out, AUTH_BAD_TX when the
 * account is unknown or not level 2, AUTH_LOCKED, AUTH_DISABLED, a db_err.
 */
int auth_device_session(struct db_conn *c, const char *account_id,
    const struct auth_meta *, int64_t now, struct auth_session *out) WUR;

/* The live session of `token`: DB_OK, SESS_NOT_FOUND, or a db_err. */
int auth_session_get(struct auth *, const char *token, int64_t now,
    struct session *out) WUR;
int auth_logout(struct auth *, const char *token) WUR;

/*
 * The registry recorded the death of `personal_id` (on the registry's
 * connection, in its transaction): the account is disabled, its sessions
 * end and its codes and credentials are revoked. DB_OK also when there is
 * no account.
 */
int auth_on_death(struct db_conn *c, const struct seal *seal,
    const char *personal_id, int64_t now) WUR;

/*
 * Registry hooks that apply auth_on_death to every death event and revoke
 * the person's credentials on a card_reissued one.
 */
const struct registry_hooks *auth_registry_hooks(void);

#endif
