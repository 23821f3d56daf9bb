/*
 * keys: creation, sealing, rotation and loading of signing keys, and the
 * keys cache.
 */
#include "keys.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "b64.h"

#define PRIV_MAX 4096
#define KID_LEN 64
#define PURPOSE_MAX 32
#define RETRY_SECONDS 5
/* A key this server signed with, found rotated twice over at a reload, stays
 * published this long: past the 10-minute life of the ID tokens it signed.
 * A reload keeps at most one more key per algorithm, and reloads are
 * KEYS_RELOAD_SECONDS apart, so KEPT_MAX is never reached. */
#define KEEP_SECONDS 900
#define KEPT_MAX (3 * (KEEP_SECONDS / KEYS_RELOAD_SECONDS + 1))

static const enum jws_alg all_algs[JWS_ALG_COUNT] = {
	JWS_RS256, JWS_EDDSA, JWS_ES256,
};

/* A key made but not yet stored. */
struct newkey {
	struct jws_key *key;
	char *jwk;		/* the public JWK text */
	uint8_t sealed[PRIV_MAX + SEAL_OVERHEAD];
	size_t sealed_len;
};

/* Whether `purpose` has keys of `alg`: the credential keys are EdDSA only. */
static bool
purpose_has(const char *purpose, enum jws_alg alg)
{
	return alg == JWS_EDDSA || strcmp(purpose, KEYS_CREDENTIAL) != 0;
}

static void
aad_for(char *aad, size_t n, const char *kid)
{
	snprintf(aad, n, "signing-key:%s", kid);
}

static int
load_current(struct db_conn *c, const struct seal *seal, const char *purpose,
    enum jws_alg alg, struct jws_key **out)
{
	sqlite3_stmt *st = db_stmt(c, "SELECT kid, private_sealed FROM signing_keys "
	    "WHERE purpose = ? AND alg = ? AND retired_at IS NULL "
	    "ORDER BY created_at DESC, kid LIMIT 1");
	uint8_t priv[PRIV_MAX];
	char aad[128];
	const uint8_t *sealed;
	size_t n;
	int rc;

	if (st == NULL || db_bind_text(st, 1, purpose) != DB_OK ||
	    db_bind_text(st, 2, jws_alg_name(alg)) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != 1)
		return rc == DB_OK ? 1 : rc;	/* 1: none yet */
	sealed = sqlite3_column_blob(st, 1);
	n = (size_t)sqlite3_column_bytes(st, 1);
	aad_for(aad, sizeof(aad), (const char *)sqlite3_column_text(st, 0));
	rc = DB_ERR;
	if (sealed != NULL && n > SEAL_OVERHEAD && n - SEAL_OVERHEAD <= sizeof(priv) &&
	    seal_unseal(seal, priv, sealed, n, aad) == 0 &&
	    jws_key_from_private(alg, (const char *)sqlite3_column_text(st, 0), priv,
	    n - SEAL_OVERHEAD, out) == 0)
		rc = DB_OK;
	sodium_memzero(priv, sizeof(priv));
	sqlite3_reset(st);
	return rc;
}

/* The stored public JWK of the current (retired 0) or previous (1) key. */
static int
load_jwk(struct db_conn *c, const char *purpose, enum jws_alg alg, int retired,
    json_t **out)
{
	sqlite3_stmt *st = db_stmt(c, retired ?
	    "SELECT public_jwk FROM signing_keys WHERE purpose = ? AND alg = ? "
	    "AND retired_at IS NOT NULL ORDER BY retired_at DESC, created_at DESC, "
	    "kid LIMIT 1" :
	    "SELECT public_jwk FROM signing_keys WHERE purpose = ? AND alg = ? "
	    "AND retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1");
	const char *text;
	int rc;

	*out = NULL;
	if (st == NULL || db_bind_text(st, 1, purpose) != DB_OK ||
	    db_bind_text(st, 2, jws_alg_name(alg)) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != 1)
		return rc == DB_OK ? 1 : rc;	/* 1: none */
	text = (const char *)sqlite3_column_text(st, 0);
	*out = text != NULL ? json_loads(text, 0, NULL) : NULL;
	sqlite3_reset(st);
	return json_is_object(*out) ? DB_OK : DB_ERR;
}

static void
newkey_clear(struct newkey *nk)
{
	jws_key_free(nk->key);
	free(nk->jwk);
	sodium_memzero(nk, sizeof(*nk));
}

/* Generates a key of alg for purpose, sealed; no database work. */
static int
make_key(const struct seal *seal, const char *purpose, enum jws_alg alg,
    struct newkey *nk)
{
	uint8_t rnd[9], priv[PRIV_MAX];
	char kid[KID_LEN], rb[16], aad[128];
	json_t *pub;
	size_t n = 0;
	int rc = DB_ERR;

	memset(nk, 0, sizeof(*nk));
	randombytes_buf(rnd, sizeof(rnd));
	if (b64_encode(rb, sizeof(rb), rnd, sizeof(rnd)) == 0)
		return DB_ERR;
	snprintf(kid, sizeof(kid), "%s-%s", purpose, rb);
	aad_for(aad, sizeof(aad), kid);
	if (jws_key_generate(alg, kid, &nk->key) != 0)
		return DB_ERR;
	if (jws_key_private_bytes(nk->key, priv, sizeof(priv), &n) != 0 ||
	    seal_seal(seal, nk->sealed, priv, n, aad) != 0)
		goto done;
	nk->sealed_len = n + SEAL_OVERHEAD;
	pub = jws_key_public_jwk(nk->key);
	nk->jwk = pub != NULL ? json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(pub);
	if (nk->jwk != NULL)
		rc = DB_OK;
done:
	sodium_memzero(priv, sizeof(priv));
	if (rc != DB_OK)
		newkey_clear(nk);
	return rc;
}

static int
insert_key(struct db_conn *c, const char *purpose, int64_t now,
    const struct newkey *nk)
{
	sqlite3_stmt *st = db_stmt(c, "INSERT INTO signing_keys (kid, purpose, alg, "
	    "public_jwk, private_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)");

	if (st == NULL || db_bind_text(st, 1, jws_key_kid(nk->key)) != DB_OK ||
	    db_bind_text(st, 2, purpose) != DB_OK ||
	    db_bind_text(st, 3, jws_alg_name(jws_key_alg(nk->key))) != DB_OK ||
	    db_bind_text(st, 4, nk->jwk) != DB_OK ||
	    sqlite3_bind_blob(st, 5, nk->sealed, (int)nk->sealed_len,
	    SQLITE_TRANSIENT) != SQLITE_OK ||
	    db_bind_int64(st, 6, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static int
retire_current(struct db_conn *c, const char *purpose, enum jws_alg alg,
    int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, "UPDATE signing_keys SET retired_at = ? "
	    "WHERE purpose = ? AND alg = ? AND retired_at IS NULL");

	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, purpose) != DB_OK ||
	    db_bind_text(st, 3, jws_alg_name(alg)) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
keys_current(struct db *db, const struct seal *seal, const char *purpose,
    enum jws_alg alg, int64_t now, struct jws_key **out)
{
	struct newkey nk;
	struct db_conn *c;
	int rc;

	if (db == NULL || seal == NULL || purpose == NULL || out == NULL ||
	    !purpose_has(purpose, alg))
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	*out = NULL;
	memset(&nk, 0, sizeof(nk));
	if ((rc = load_current(c, seal, purpose, alg, out)) != 1)
		goto done;
	/* None yet: make one (outside the write lock, RSA takes a while)... */
	if ((rc = make_key(seal, purpose, alg, &nk)) != DB_OK ||
	    (rc = db_begin(c)) != DB_OK)
		goto done;
	/* ... and store it unless another did first. */
	rc = load_current(c, seal, purpose, alg, out);
	if (rc == 1 && (rc = insert_key(c, purpose, now, &nk)) == DB_OK) {
		*out = nk.key;
		nk.key = NULL;
	}
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
done:
	db_release(db, c);
	newkey_clear(&nk);
	if (rc != DB_OK && *out != NULL) {
		jws_key_free(*out);
		*out = NULL;
	}
	return rc;
}

static json_t *
rotated_list(const struct newkey *nk)
{
	json_t *list = json_array();

	for (size_t i = 0; list != NULL && i < JWS_ALG_COUNT; i++) {
		if (nk[i].key != NULL && json_array_append_new(list, json_pack("{s:s, s:s}", "alg",
		    jws_alg_name(jws_key_alg(nk[i].key)), "kid",
		    jws_key_kid(nk[i].key))) != 0) {
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}

static int
audit_key_rotation(struct db_conn *c, const struct seal *seal,
    const char *purpose, int64_t now)
{
	json_t *d = json_pack("{s:s}", "purpose", purpose);
	int rc = d != NULL ? audit_append(c, seal, "key_rotation", "operator",
	    NULL, d, now) : DB_ERR;

	json_decref(d);
	return rc;
}

int
keys_rotate(struct db *db, const struct seal *seal, const char *purpose,
    int64_t now, json_t **rotated)
{
	struct newkey nk[JWS_ALG_COUNT];
	struct db_conn *c = NULL;
	size_t i;
	int rc = DB_ERR;

	memset(nk, 0, sizeof(nk));
	if (rotated != NULL)
		*rotated = NULL;
	if (db == NULL || seal == NULL || purpose == NULL ||
	    strlen(purpose) >= PURPOSE_MAX)
		return DB_ERR;
	for (i = 0; i < JWS_ALG_COUNT; i++)
		if (purpose_has(purpose, all_algs[i]) &&
		    (rc = make_key(seal, purpose, all_algs[i], &nk[i])) != DB_OK)
			goto fail;
	if ((c = db_acquire(db)) == NULL || (rc = db_begin(c)) != DB_OK) {
		rc = c == NULL ? DB_ERR : rc;
		goto fail;
	}
	for (i = 0; i < JWS_ALG_COUNT && rc == DB_OK; i++)
		if (nk[i].key != NULL &&
		    (rc = retire_current(c, purpose, all_algs[i], now)) == DB_OK)
			rc = insert_key(c, purpose, now, &nk[i]);
	if (rc == DB_OK)
		rc = audit_key_rotation(c, seal, purpose, now);
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
	if (rc == DB_OK && rotated != NULL && (*rotated = rotated_list(nk)) == NULL)
		rc = DB_ERR;	/* stored; only the report failed */
fail:
	if (c != NULL)
		db_release(db, c);
	for (i = 0; i < JWS_ALG_COUNT; i++)
		newkey_clear(&nk[i]);
	return rc;
}

int
keys_jwks(struct db *db, const char *purpose, json_t **out)
{
	json_t *keys = json_array(), *jwk;
	struct db_conn *c;
	int rc = DB_OK;

	if (out == NULL || db == NULL || purpose == NULL || keys == NULL ||
	    (c = db_acquire(db)) == NULL) {
		json_decref(keys);
		return DB_ERR;
	}
	for (int retired = 0; retired <= 1 && rc == DB_OK; retired++) {
		for (size_t i = 0; i < JWS_ALG_COUNT && rc == DB_OK; i++) {
			rc = load_jwk(c, purpose, all_algs[i], retired, &jwk);
			if (rc == DB_OK)
				rc = json_array_append_new(keys, jwk) == 0 ? DB_OK : DB_ERR;
			else if (rc == 1)
				rc = DB_OK;
		}
	}
	db_release(db, c);
	*out = rc == DB_OK ? json_pack("{s:o}", "keys", keys) : NULL;
	if (rc != DB_OK)
		json_decref(keys);
	return *out != NULL ? DB_OK : (rc != DB_OK ? rc : DB_ERR);
}

/* ---- the keys cache ---- */

struct keyring {
	atomic_int refs;
	int64_t loaded_at;
	struct jws_key *current[JWS_ALG_COUNT];	/* indexed by enum jws_alg */
	struct jws_key *previous[JWS_ALG_COUNT];	/* public; may be NULL */
	/*
	 * Public keys this server signed with that the database no longer
	 * publishes (rotated twice between two reloads), kept published and
	 * trusted until kept_until.
	 */
	struct jws_key *kept[KEPT_MAX];
	int64_t kept_until[KEPT_MAX];
	size_t nkept;
	char *jwks;
	size_t jwks_len;
};

struct keys_cache {
	struct db *db;
	const struct seal *seal;
	const struct clock *clock;
	char purpose[PURPOSE_MAX];
	pthread_mutex_t mu;
	struct keyring *ring;	/* the cache's own reference */
	int64_t next_load;
	int loading;
};

static void
ring_free(struct keyring *r)
{
	for (size_t i = 0; i < JWS_ALG_COUNT; i++) {
		jws_key_free(r->current[i]);
		jws_key_free(r->previous[i]);
	}
	for (size_t i = 0; i < r->nkept; i++)
		jws_key_free(r->kept[i]);
	free(r->jwks);
	free(r);
}

void
keyring_release(struct keyring *r)
{
	if (r != NULL && atomic_fetch_sub(&r->refs, 1) == 1)
		ring_free(r);
}

/* The previous key of alg as a public key; *out NULL when there is none. */
static int
load_previous(struct db *db, const char *purpose, enum jws_alg alg,
    struct jws_key **out)
{
	struct db_conn *c = db_acquire(db);
	json_t *jwk = NULL;
	int rc;

	*out = NULL;
	if (c == NULL)
		return DB_ERR;
	rc = load_jwk(c, purpose, alg, 1, &jwk);
	db_release(db, c);
	if (rc == 1)
		return DB_OK;
	if (rc == DB_OK && jws_key_from_jwk(jwk, out) != 0)
		rc = DB_ERR;
	json_decref(jwk);
	return rc;
}

/* The JWK Set text of r: current keys, then previous ones not among them. */
static int
ring_jwks(struct keyring *r)
{
	json_t *keys = json_array(), *set;
	size_t i;
	int bad = keys == NULL;

	for (i = 0; !bad && i < JWS_ALG_COUNT; i++)
		bad = r->current[all_algs[i]] != NULL && json_array_append_new(keys,
		    jws_key_public_jwk(r->current[all_algs[i]])) != 0;
	for (i = 0; !bad && i < JWS_ALG_COUNT; i++) {
		const struct jws_key *prev = r->previous[all_algs[i]];

		if (prev == NULL || r->current[all_algs[i]] == NULL ||
		    strcmp(jws_key_kid(prev),
		    jws_key_kid(r->current[all_algs[i]])) == 0)
			continue;
		bad = json_array_append_new(keys, jws_key_public_jwk(prev)) != 0;
	}
	for (i = 0; !bad && i < r->nkept; i++)
		bad = json_array_append_new(keys, jws_key_public_jwk(r->kept[i])) != 0;
	if (bad) {
		json_decref(keys);
		return -1;
	}
	set = json_pack("{s:o}", "keys", keys);
	r->jwks = json_dumps(set, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(set);
	if (r->jwks == NULL)
		return -1;
	r->jwks_len = strlen(r->jwks);
	return 0;
}

/* Whether r publishes a key of this kid. */
static bool
ring_has_kid(const struct keyring *r, const char *kid)
{
	return keyring_find_kid(r, kid) != NULL;
}

/* Keeps the public half of k published in r until `until`; 0 or -1. */
static int
ring_keep(struct keyring *r, const struct jws_key *k, int64_t until)
{
	json_t *jwk;
	int rc;

	if (ring_has_kid(r, jws_key_kid(k)) || r->nkept == KEPT_MAX)
		return 0;
	if ((jwk = jws_key_public_jwk(k)) == NULL)
		return -1;
	rc = jws_key_from_jwk(jwk, &r->kept[r->nkept]) == 0 ? 0 : -1;
	json_decref(jwk);
	if (rc == 0)
		r->kept_until[r->nkept++] = until;
	return rc;
}

/*
 * What r, loaded at `now` to replace `prior`, must go on publishing: the keys
 * prior signed with (when two rotations since the last load have taken them
 * off the database's list, its tokens still verify) and what prior kept.
 */
static int
ring_carry(struct keyring *r, const struct keyring *prior, int64_t now)
{
	for (size_t i = 0; i < JWS_ALG_COUNT; i++)
		if (prior->current[i] != NULL &&
		    ring_keep(r, prior->current[i], now + KEEP_SECONDS) != 0)
			return -1;
	for (size_t i = 0; i < prior->nkept; i++)
		if (prior->kept_until[i] > now &&
		    ring_keep(r, prior->kept[i], prior->kept_until[i]) != 0)
			return -1;
	return 0;
}

/* A snapshot of the database's keys; prior (or NULL) the one it replaces. */
static int
ring_load(const struct keys_cache *kc, const struct keyring *prior,
    int64_t now, struct keyring **out)
{
	struct keyring *r = calloc(1, sizeof(*r));
	int rc = DB_ERR;

	if (r == NULL)
		return DB_ERR;
	atomic_init(&r->refs, 1);
	r->loaded_at = now;
	for (size_t i = 0; i < JWS_ALG_COUNT; i++) {
		enum jws_alg alg = all_algs[i];

		if (!purpose_has(kc->purpose, alg))
			continue;
		if ((rc = keys_current(kc->db, kc->seal, kc->purpose, alg, now,
		    &r->current[alg])) != DB_OK ||
		    (rc = load_previous(kc->db, kc->purpose, alg,
		    &r->previous[alg])) != DB_OK)
			goto fail;
	}
	if ((prior != NULL && ring_carry(r, prior, now) != 0) || ring_jwks(r) != 0) {
		rc = DB_ERR;
		goto fail;
	}
	*out = r;
	return DB_OK;
fail:
	ring_free(r);
	return rc;
}

int
keys_cache_new(struct db *db, const struct seal *seal, const struct clock *clock,
    const char *purpose, struct keys_cache **out)
{
	struct keys_cache *kc;
	int rc;

	if (db == NULL || seal == NULL || clock == NULL || purpose == NULL ||
	    out == NULL || strlen(purpose) >= PURPOSE_MAX)
		return DB_ERR;
	if ((kc = calloc(1, sizeof(*kc))) == NULL)
		return DB_ERR;
	kc->db = db;
	kc->seal = seal;
	kc->clock = clock;
	strcpy(kc->purpose, purpose);
	if (pthread_mutex_init(&kc->mu, NULL) != 0) {
		free(kc);
		return DB_ERR;
	}
	if ((rc = ring_load(kc, NULL, clock_now(clock), &kc->ring)) != DB_OK) {
		keys_cache_free(kc);
		return rc;
	}
	kc->next_load = kc->ring->loaded_at + KEYS_RELOAD_SECONDS;
	*out = kc;
	return DB_OK;
}

void
keys_cache_free(struct keys_cache *kc)
{
	if (kc == NULL)
		return;
	keyring_release(kc->ring);
	pthread_mutex_destroy(&kc->mu);
	free(kc);
}

/*
 * Loads a new snapshot to replace `prior` (the installed one, referenced by
 * the caller) and installs it; the new one referenced, or NULL.
 */
static struct keyring *
reload(struct keys_cache *kc, const struct keyring *prior, int64_t now)
{
	struct keyring *fresh = NULL, *old = NULL;
	int rc = ring_load(kc, prior, now, &fresh);

	pthread_mutex_lock(&kc->mu);
	kc->loading = 0;
	if (rc == DB_OK) {
		old = kc->ring;
		kc->ring = fresh;
		atomic_fetch_add(&fresh->refs, 1);
		kc->next_load = now + KEYS_RELOAD_SECONDS;
	} else {
		kc->next_load = now + RETRY_SECONDS;
	}
	pthread_mutex_unlock(&kc->mu);
	keyring_release(old);
	return rc == DB_OK ? fresh : NULL;
}

struct keyring *
keys_cache_ring(struct keys_cache *kc)
{
	struct keyring *r, *fresh;
	int64_t now = clock_now(kc->clock);
	int load = 0;

	pthread_mutex_lock(&kc->mu);
	if (!kc->loading && now >= kc->next_load)
		load = kc->loading = 1;
	r = kc->ring;
	atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&kc->mu);
	if (load && (fresh = reload(kc, r, now)) != NULL) {
		keyring_release(r);
		r = fresh;
	}
	return r;
}

const struct jws_key *
keyring_signing_key(const struct keyring *r, enum jws_alg alg)
{
	if (r == NULL || (size_t)alg >= JWS_ALG_COUNT)
		return NULL;
	return r->current[alg];
}

const struct jws_key *
keyring_find_kid(const struct keyring *r, const char *kid)
{
	for (size_t i = 0; r != NULL && kid != NULL && i < JWS_ALG_COUNT; i++) {
		if (r->current[i] != NULL && strcmp(jws_key_kid(r->current[i]), kid) == 0)
			return r->current[i];
		if (r->previous[i] != NULL &&
		    strcmp(jws_key_kid(r->previous[i]), kid) == 0)
			return r->previous[i];
	}
	for (size_t i = 0; r != NULL && kid != NULL && i < r->nkept; i++)
		if (strcmp(jws_key_kid(r->kept[i]), kid) == 0)
			return r->kept[i];
	return NULL;
}

const char *
keyring_jwks_json(const struct keyring *r)
{
	return r->jwks;
}

size_t
keyring_jwks_len(const struct keyring *r)
{
	return r->jwks_len;
}

int64_t
keyring_loaded_at(const struct keyring *r)
{
	return r->loaded_at;
}
