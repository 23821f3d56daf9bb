/*
 * portal_rp: the relying-party pieces of the demo portal that need no
 * network: the portal's own bounded, expiring store of sign-in flows and
 * signed-in sessions (keyed by a random cookie value), PKCE S256, the
 * authorization and end-session URLs, and the ID token's checks (signature
 * against a JWKS, then iss, aud, azp, exp, iat, nonce). Owns the store; the
 * rest is pure.
 */
#ifndef IDP_DEMO_PORTAL_RP_H
#define IDP_DEMO_PORTAL_RP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* 32 random bytes in base64url: 43 characters and the NUL. */
#define RP_RAND_SIZE 44
#define RP_URL_MAX 8192

/* One entry: a flow under way (state, nonce, verifier) or, with `data`, a
 * signed-in session (data: JSON text, owned by the entry). */
struct rp_entry {
	char state[RP_RAND_SIZE];
	char nonce[RP_RAND_SIZE];
	char verifier[RP_RAND_SIZE];
	char *data;
};

struct rp_store;

/* A store of at most `max` entries. NULL when out of memory. */
struct rp_store *rp_store_new(size_t max);
void rp_store_free(struct rp_store *);
/*
 * Keeps *e (its data taken over: e->data is NULL afterwards) until `expires`
 * under a new random key written into key[RP_RAND_SIZE]. When full, the
 * expired entries go first, then the one closest to expiry. -1 when out of
 * memory (e->data is then freed).
 */
int rp_store_put(struct rp_store *, struct rp_entry *e, int64_t now,
    int64_t expires, char key[RP_RAND_SIZE]) WUR;
/* Removes the entry `key` into *out (data handed over): 0, or -1 when there
 * is none or it has expired. */
int rp_store_take(struct rp_store *, const char *key, int64_t now,
    struct rp_entry *out) WUR;
/* A copy of the entry's data (free()), or NULL (none, expired, a flow). */
char *rp_store_data(struct rp_store *, const char *key, int64_t now);
/* Entries held, expired ones included until they are dropped. */
size_t rp_store_count(struct rp_store *);
/* Wipes and frees e->data. */
void rp_entry_clear(struct rp_entry *);

/* RP_RAND_SIZE random characters of base64url (32 bytes). */
void rp_random(char out[RP_RAND_SIZE]);
/* The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
void rp_pkce_challenge(const char *verifier, char out[RP_RAND_SIZE]);
/* Constant-time equality of two strings of the same length. */
bool rp_equal(const char *a, const char *b);

/* Appends "&name=value" (or "?name=value" when `url` has no '?') with
 * value percent-encoded; -1 when it does not fit in urlsz. */
int rp_url_param(char *url, size_t urlsz, const char *name, const char *value) WUR;
/* Appends "name=value" to a form body (with '&' unless first). */
int rp_form_param(char *body, size_t bodysz, const char *name, const char *value) WUR;

struct rp_authz {
	const char *endpoint, *client_id, *redirect_uri, *scope, *state, *nonce,
	    *challenge;
};
/* The authorization request URL (response_type=code, S256) into out[outsz]. */
int rp_authorize_url(const struct rp_authz *, char *out, size_t outsz) WUR;
/* The end-session URL: id_token_hint, post_logout_redirect_uri, state. */
int rp_logout_url(const char *endpoint, const char *id_token_hint,
    const char *post_logout_uri, const char *state, char *out, size_t outsz) WUR;

/*
 * The ID token's claims when its signature holds under the JWKS key of its
 * header's kid (the header alg must be that key's); NULL with *why set.
 */
json_t *rp_verify_jwt(const char *jwt, const json_t *jwks, const char **why);
/* Whether the JWKS holds a key with this kid. */
bool rp_jwks_has_kid(const json_t *jwks, const char *jwt);

/* Clock skew allowed on exp and iat, seconds. */
#define RP_SKEW 60

/*
 * 0 when the claims are the ID token of `client_id` from `issuer`, for
 * `nonce`, unexpired at `now`: iss equal, aud the client (or an array
 * holding it, then azp the client), exp in the future, iat not in the
 * future, sub present, nonce equal. -1 with *why set otherwise.
 */
int rp_check_claims(const json_t *claims, const char *issuer,
    const char *client_id, const char *nonce, int64_t now, const char **why) WUR;

#endif
