/*
 * keys: dinhdanh's signing keys, stored in signing_keys with the private half
 * sealed under the master key. Each purpose ("card" for the card centre,
 * "id-token" for OpenID Connect ID tokens, "credential" for level-2
 * credentials, EdDSA only) has one current key per algorithm;
 * rotation retires the current keys (retired_at) and makes new ones. The
 * published keys of a purpose are, per algorithm, the current key and the
 * previous one (the one retired last); older keys stay in the table but are
 * no longer published or trusted. Also owns the keys cache a running server
 * signs with, reloaded from the database so a rotation made by another
 * process takes effect within KEYS_RELOAD_SECONDS. A key the cache signed
 * with until a reload that finds it two rotations old (rotated twice
 * between reloads) stays published and trusted by that cache for 15 more
 * minutes, so the ID tokens it signed still verify.
 *
 * `idp keys rotate` rotates the "id-token" keys only. The card key is not
 * rotated with them: chip records stay valid for the card's life and
 * verifiers hold the card centre's key (`idp registry card-key`), so a new
 * card key is a separate, deliberate act (keys_rotate with "card").
 */
#ifndef IDP_KEYS_H
#define IDP_KEYS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "clock.h"
#include "db.h"
#include "jws.h"
#include "seal.h"

#define KEYS_ID_TOKEN "id-token"
#define KEYS_CREDENTIAL "credential"	/* level-2 credentials: EdDSA keys only */
#define KEYS_RELOAD_SECONDS 60

/*
 * The current key for (purpose, alg), made and stored on first use. The
 * caller frees it with jws_key_free.
 */
int keys_current(struct db *, const struct seal *, const char *purpose,
    enum jws_alg, int64_t now, struct jws_key **out) WUR;

/*
 * Makes a new current key of every algorithm (RS256, EdDSA, ES256; EdDSA
 * only for KEYS_CREDENTIAL) for `purpose` and retires the current ones as of `now`, all in one
 * transaction. When `rotated` is not NULL it receives the new keys as
 * [{"alg", "kid"}, ...] (json_decref).
 */
int keys_rotate(struct db *, const struct seal *, const char *purpose,
    int64_t now, json_t **rotated) WUR;

/*
 * The published public keys of `purpose` as a JWK Set {"keys": [...]}:
 * the current keys, then the previous ones. Makes no key.
 */
int keys_jwks(struct db *, const char *purpose, json_t **out) WUR;

/*
 * A keys cache: the published keys of one purpose with the current private
 * keys unsealed, as immutable, reference-counted snapshots (struct keyring).
 * Safe to use from many threads.
 */
struct keys_cache;
struct keyring;

/*
 * Loads the first snapshot (making the current keys when there are none).
 * db, seal and clock must outlive the cache.
 */
int keys_cache_new(struct db *, const struct seal *, const struct clock *,
    const char *purpose, struct keys_cache **out) WUR;
/* Frees the cache; snapshots still referenced stay valid until released. */
void keys_cache_free(struct keys_cache *);

/*
 * A reference to the current snapshot, reloaded first when it is
 * KEYS_RELOAD_SECONDS old (while one thread reloads, the others get the old
 * snapshot; a failed reload keeps it and is retried a few seconds later).
 * Never NULL. Release with keyring_release.
 */
struct keyring *keys_cache_ring(struct keys_cache *);
void keyring_release(struct keyring *);

/*
 * The current key of `alg`, borrowed until the ring is released; NULL when
 * the purpose has no key of alg.
 */
const struct jws_key *keyring_signing_key(const struct keyring *, enum jws_alg);
/* A published key (current or previous) by kid, borrowed; NULL when none. */
const struct jws_key *keyring_find_kid(const struct keyring *, const char *kid);
/* The JWK Set text {"keys": [...]} (as keys_jwks), built once per snapshot. */
const char *keyring_jwks_json(const struct keyring *);
size_t keyring_jwks_len(const struct keyring *);
/* When the snapshot was loaded (the cache's clock). */
int64_t keyring_loaded_at(const struct keyring *);

#endif
