/*
 * sessions: signed-in browsers. Owns the sessions table: a session is
 * known to the browser by a random 256-bit token (base64url) that only the
 * caller ever sees; the table keeps the token's BLAKE2b-256 (hex), so a
 * copy of the database signs nobody in. A session ends when its owner
 * signs out, when it has been idle too long, or when it is too old,
 * whatever its use. All functions work on the caller's connection (and its
 * transaction, if any); time comes only from `now` (unix seconds).
 */
#ifndef IDP_SESSIONS_H
#define IDP_SESSIONS_H

#include <stdint.h>

#include "base.h"
#include "db.h"

#define SESSION_TOKEN_SIZE 44		/* 32 random bytes base64url + NUL */
#define SESSION_IDLE_DEFAULT 1800	/* seconds */
#define SESSION_ABSOLUTE_DEFAULT 43200	/* seconds */
#define SESSION_REFRESH_AFTER 60	/* seconds before last_seen is rewritten */
#define SESSION_UA_MAX 200		/* bytes of User-Agent kept */

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum sessions_err {
	SESS_NOT_FOUND = -50,	/* unknown, ended or expired */
};

/* Seconds; NULL limits or a field <= 0 mean the defaults above. */
struct session_limits {
	int64_t idle, absolute;
};

struct session {
	char account_id[64];
	int64_t created_at, last_seen, auth_time;
	char amr[64];		/* RFC 8176 values, space separated: "pwd sms" */
	char acr[48];
};

/*
 * In the caller's transaction (c): a new session; the token (random 256
 * bits, base64url) goes only to the caller, the table keeps its
 * BLAKE2b-256 hex. addr is stored as given (the caller truncates; NULL is
 * ""); user_agent (NULL is "") is kept to SESSION_UA_MAX bytes, cut on a
 * UTF-8 boundary, with control characters and invalid UTF-8 replaced by
 * '?'. DB_ERR (token "") also when account_id, amr or acr is missing,
 * empty or too long for struct session.
 */
int sessions_create(struct db_conn *c, const char *account_id, const char *amr,
    const char *acr, int64_t auth_time, const char *addr,
    const char *user_agent, int64_t now, char token[SESSION_TOKEN_SIZE]) WUR;

/*
 * The live session for `token` as of now into *out: DB_OK, SESS_NOT_FOUND
 * (malformed token, unknown, idle longer than limits->idle, or older than
 * limits->absolute; an expired row is deleted), or a db_err. Refreshes
 * last_seen (in the table and in *out) when it is more than
 * SESSION_REFRESH_AFTER seconds old: one UPDATE, no write on most requests.
 */
int sessions_get(struct db_conn *c, const char *token,
    const struct session_limits *limits, int64_t now, struct session *out) WUR;

/* Ends the session of `token`: DB_OK even when unknown or malformed. */
int sessions_end(struct db_conn *c, const char *token) WUR;

/* Ends every session of the account; *ended counts them. */
int sessions_end_all(struct db_conn *c, const char *account_id, int *ended) WUR;

/* Drops the expired rows of every account; *removed counts them. */
int sessions_purge(struct db_conn *c, const struct session_limits *limits,
    int64_t now, int *removed) WUR;

/*
 * Calls fn for each live session of the account, newest first (for the
 * account page's device list). The strings live only during the call.
 */
int sessions_foreach(struct db_conn *c, const char *account_id,
    const struct session_limits *limits, int64_t now,
    void (*fn)(const struct session *, const char *addr,
    const char *user_agent, void *arg), void *arg) WUR;

#endif
