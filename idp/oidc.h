/*
 * oidc: the authorization server's state. Owns the tables authz_requests
 * (validated /authorize requests parked during sign-in and consent),
 * grants (one client's authorization by one account: the family of every
 * token issued from one code), authz_codes (single use, 60 s, bound to
 * client, redirect URI and PKCE challenge; a second use revokes the
 * grant), tokens (opaque access and refresh tokens, stored as hashes;
 * refresh tokens rotate and a reused one revokes its grant). Also the
 * pairwise subject. Domain
 * results only: the HTTP edge builds the protocol answers.
 */
#ifndef IDP_OIDC_H
#define IDP_OIDC_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

#define OIDC_ID_SIZE 44		/* 32 random bytes, base64url, NUL */
#define OIDC_CODE_TTL 60
#define OIDC_ACCESS_TTL 600
#define OIDC_REFRESH_TTL (30 * 86400)
#define OIDC_REQUEST_TTL 900	/* time to sign in and consent */

enum oidc_err {
	OIDC_NOT_FOUND = -100,		/* unknown, expired or revoked */
	OIDC_INVALID_GRANT = -101,	/* code or refresh token not for this use */
	OIDC_REUSED = -102,		/* a used code or refresh token: grant revoked */
};

struct oidc_request {
	char id[OIDC_ID_SIZE];
	char client_id[48];
	char redirect_uri[1024];
	char scope[512];
	char state[512];
	char nonce[512];
	char code_challenge[64];
	char acr_values[256];
	char prompt[64];
	int64_t max_age;		/* -1: none */
	int64_t created_at;
};

/* Who signed in, as the session recorded it. */
struct oidc_authn {
	const char *account_id;
	int64_t auth_time;
	const char *amr;
	const char *acr;
};

struct oidc_grant {
	char id[OIDC_ID_SIZE];
	char client_id[48];
	char account_id[OIDC_ID_SIZE];
	char scope[512];
	int64_t auth_time;
	char amr[64];
	char acr[48];
	char nonce[512];		/* set when redeemed from a code */
	int64_t created_at;
	int64_t token_iat;		/* oidc_access_get: the token's issue time */
};

struct oidc_tokens {
	char access[OIDC_ID_SIZE];
	char refresh[OIDC_ID_SIZE];	/* "" unless offline_access */
	struct oidc_grant grant;
};

struct oidc_token_info {
	bool active;
	bool refresh;			/* a refresh token, else access */
	int64_t iat, exp;
	struct oidc_grant grant;
};

/* Parks a validated request; its new id into rq->id. */
int oidc_request_save(struct db *, struct oidc_request *rq, int64_t now) WUR;
/* A parked request: DB_OK or OIDC_NOT_FOUND (unknown or expired). */
int oidc_request_get(struct db *, const char *id, int64_t now,
    struct oidc_request *out) WUR;
/* Forgets a parked request (answered); best effort: it expires anyway. */
int oidc_request_drop(struct db *, const char *id);

/* A new grant for rq and authn, and its code into code[]. */
int oidc_code_issue(struct db *, const struct oidc_request *rq,
    const struct oidc_authn *authn, int64_t now, char code[OIDC_ID_SIZE]) WUR;

/*
 * Redeems `code` for `client_id`: unused, unexpired, the same redirect URI,
 * and BASE64URL(SHA-256(verifier)) equal to its challenge. DB_OK with an
 * access token (and a refresh token when the scope holds offline_access);
 * OIDC_INVALID_GRANT; OIDC_REUSED (its grant and every token revoked).
 */
int oidc_code_redeem(struct db *, const char *client_id, const char *code,
    const char *redirect_uri, const char *verifier, int64_t now,
    struct oidc_tokens *out) WUR;

/*
 * Rotates refresh token `refresh` of `client_id`: a new access and refresh
 * token, the old one spent. OIDC_INVALID_GRANT, or OIDC_REUSED for a spent
 * one (its grant revoked).
 */
int oidc_refresh(struct db *, const char *client_id, const char *refresh,
    int64_t now, struct oidc_tokens *out) WUR;

/* The grant behind a live access token of an active account, for userinfo. */
int oidc_access_get(struct db *, const char *token, int64_t now,
    struct oidc_grant *out) WUR;

/* RFC 7662: what `token` is, for `client_id` (inactive when another client's). */
int oidc_introspect(struct db *, const char *client_id, const char *token,
    int64_t now, struct oidc_token_info *out) WUR;

/* RFC 7009: revokes a token of `client_id` (a refresh token: its grant). */
int oidc_revoke(struct db *, const char *client_id, const char *token,
    int64_t now) WUR;

/* Revokes every grant of an account (closed, locked), in the caller's transaction. */
int oidc_revoke_account(struct db_conn *, const char *account_id, int64_t now) WUR;

/* Revokes the account's grants to `client_id`, in the caller's transaction. */
int oidc_revoke_client(struct db_conn *, const char *account_id,
    const char *client_id, int64_t now) WUR;

/* The pairwise subject of `personal_id` for `client_id` into out[44]. */
void oidc_pairwise_sub(const struct seal *, const char *client_id,
    const char *personal_id, char out[OIDC_ID_SIZE]);

/* True when the space-separated `scope` holds `value`. */
bool oidc_scope_has(const char *scope, const char *value);

#endif
