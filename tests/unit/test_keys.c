/*
 * test_keys: unit tests for signing keys (keys): one current key per purpose
 * and algorithm, made once and then reused, stored with the private half
 * sealed under the master key, and unusable under another master key;
 * rotation and the published JWK Set; the keys cache: reload after
 * KEYS_RELOAD_SECONDS on a test clock, previous keys found by kid, and
 * readers on several threads while rotations and reloads happen.
 */
#include "t.h"
#include "fixture.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base.h"
#include "clock.h"
#include "db.h"
#include "jws.h"
#include "keys.h"
#include "seal.h"

#define NOW INT64_C(1800000000)

static const uint8_t master[32] = { 0x42, 0x13, 0x37, 1, 2, 3 };
static const uint8_t other_master[32] = { 0x42, 0x13, 0x37, 1, 2, 4 };

static long long
count_keys(struct fixture *f)
{
	return fixture_count(f, "SELECT COUNT(*) FROM signing_keys");
}

/* The stored sealed blob of `kid` into buf; its length, or 0. */
static size_t
sealed_blob(struct fixture *f, const char *kid, uint8_t *buf, size_t bufsz,
    char *purpose, size_t psz)
{
	struct db_conn *c = db_acquire(f->db);
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (c == NULL)
		return 0;
	if (sqlite3_prepare_v2(db_handle(c), "SELECT private_sealed, purpose, alg "
	    "FROM signing_keys WHERE kid = ?", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		n = (size_t)sqlite3_column_bytes(st, 0);
		if (n > bufsz)
			n = 0;
		else
			memcpy(buf, sqlite3_column_blob(st, 0), n);
		snprintf(purpose, psz, "%s/%s", sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	db_release(f->db, c);
	return n;
}

static int
has_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	return m > 0 && n >= m && memmem(hay, n, needle, m) != NULL;
}

TEST(created_once_then_reused)
{
	struct jws_key *k1 = NULL, *k2 = NULL, *k3 = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(count_keys(&f), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k1), DB_OK);
	CHECK(k1 != NULL);
	CHECK_EQ_INT(count_keys(&f), 1);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW + 100, &k2),
	    DB_OK);
	CHECK(k2 != NULL);
	CHECK_EQ_INT(count_keys(&f), 1);
	if (k1 != NULL && k2 != NULL) {
		CHECK_STR(jws_key_kid(k1), jws_key_kid(k2));
		CHECK(strncmp(jws_key_kid(k1), "card-", 5) == 0);
		CHECK_EQ_INT(jws_key_alg(k2), JWS_EDDSA);
	}
	/* Another purpose has its own key. */
	CHECK_EQ_INT(keys_current(f.db, f.seal, "assertion", JWS_EDDSA, NOW, &k3),
	    DB_OK);
	CHECK(k3 != NULL);
	if (k1 != NULL && k3 != NULL)
		CHECK(strcmp(jws_key_kid(k1), jws_key_kid(k3)) != 0);
	CHECK_EQ_INT(count_keys(&f), 2);
	jws_key_free(k1);
	jws_key_free(k2);
	jws_key_free(k3);
	fixture_close(&f);
}

TEST(loaded_key_is_the_same_key)
{
	struct jws_key *k1 = NULL, *k2 = NULL, *pub = NULL;
	struct jws_parsed p;
	struct fixture f;
	json_t *jwk;
	char *tok;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k1), DB_OK);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k2), DB_OK);
	if (k1 == NULL || k2 == NULL)
		goto out;
	/* Signed by the key read back, verified with the new key's public half. */
	jwk = jws_key_public_jwk(k1);
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	json_decref(jwk);
	tok = jws_sign(k2, "x", "{\"a\":1}", 7);
	CHECK(tok != NULL);
	memset(&p, 0, sizeof(p));
	if (tok != NULL && pub != NULL) {
		CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
		CHECK_EQ_INT(jws_verify_parsed(pub, &p), 0);
		jws_parsed_free(&p);
	}
	free(tok);
out:
	jws_key_free(pub);
	jws_key_free(k1);
	jws_key_free(k2);
	fixture_close(&f);
}

TEST(private_key_is_stored_sealed)
{
	uint8_t priv[2048], blob[4096];
	struct jws_key *k = NULL;
	char what[64] = "";
	struct fixture f;
	size_t n = 0, bn;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k), DB_OK);
	CHECK(k != NULL);
	if (k == NULL)
		goto out;
	CHECK_EQ_INT(jws_key_private_bytes(k, priv, sizeof(priv), &n), 0);
	CHECK(n >= 32);
	bn = sealed_blob(&f, jws_key_kid(k), blob, sizeof(blob), what, sizeof(what));
	CHECK_STR(what, "card/EdDSA");
	CHECK_EQ_INT(bn, n + SEAL_OVERHEAD);
	/* Neither the whole private key nor its 32-byte seed is in the blob. */
	CHECK(!has_bytes(blob, bn, priv, n));
	CHECK(!has_bytes(blob, bn, priv, 32));
	CHECK(!has_bytes(blob, bn, priv, 16));
	/* And the public JWK row holds no private member. */
	{
		struct db_conn *c = db_acquire(f.db);
		sqlite3_stmt *st = NULL;
		if (c != NULL && sqlite3_prepare_v2(db_handle(c), "SELECT public_jwk "
		    "FROM signing_keys", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			json_t *j = json_loads((const char *)sqlite3_column_text(st, 0),
			    0, NULL);
			CHECK(json_is_object(j));
			CHECK(json_object_get(j, "d") == NULL);
			CHECK_STR(json_string_value(json_object_get(j, "kid")),
			    jws_key_kid(k));
			json_decref(j);
		} else {
			CHECK(0);
		}
		sqlite3_finalize(st);
		if (c != NULL)
			db_release(f.db, c);
	}
	sodium_memzero(priv, sizeof(priv));
out:
	jws_key_free(k);
	fixture_close(&f);
}

TEST(another_master_key_fails)
{
	struct jws_key *k = NULL, *k2 = (struct jws_key *)1;
	struct seal *other = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k), DB_OK);
	CHECK_EQ_INT(seal_from_key(other_master, &other), SEAL_OK);
	CHECK(keys_current(f.db, other, "card", JWS_EDDSA, NOW, &k2) != DB_OK);
	CHECK(k2 == NULL);
	/* No replacement key was made behind the operator's back. */
	CHECK_EQ_INT(count_keys(&f), 1);
	/* The right master key still works. */
	jws_key_free(k);
	k = NULL;
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k), DB_OK);
	CHECK(k != NULL);
	jws_key_free(k);
	seal_free(other);
	fixture_close(&f);
}

TEST(altered_blob_fails)
{
	struct jws_key *k = NULL, *k2 = (struct jws_key *)1;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k), DB_OK);
	/* A sealed blob moved to another kid no longer opens (bound to its kid). */
	CHECK_EQ_INT(fixture_exec(&f, "UPDATE signing_keys SET kid = 'card-moved'"), 0);
	CHECK(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k2) != DB_OK);
	CHECK(k2 == NULL);
	CHECK_EQ_INT(count_keys(&f), 1);
	jws_key_free(k);
	fixture_close(&f);
}

TEST(retired_key_is_replaced)
{
	struct jws_key *k1 = NULL, *k2 = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &k1), DB_OK);
	CHECK_EQ_INT(fixture_exec(&f, "UPDATE signing_keys SET retired_at = 1"), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW + 1, &k2), DB_OK);
	CHECK(k1 != NULL && k2 != NULL);
	if (k1 != NULL && k2 != NULL)
		CHECK(strcmp(jws_key_kid(k1), jws_key_kid(k2)) != 0);
	CHECK_EQ_INT(count_keys(&f), 2);
	jws_key_free(k1);
	jws_key_free(k2);
	fixture_close(&f);
}

static long long
count_where(struct fixture *f, const char *where)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM signing_keys WHERE %s", where);
	return fixture_count(f, sql);
}

/* 0 when `tok` verifies under `k`. */
static int
verifies(const struct jws_key *k, const char *tok)
{
	struct jws_parsed p;
	int rc;

	if (k == NULL || tok == NULL || jws_parse(tok, strlen(tok), &p) != 0)
		return -1;
	rc = jws_verify_parsed(k, &p);
	jws_parsed_free(&p);
	return rc;
}

static const enum jws_alg algs[] = { JWS_RS256, JWS_EDDSA, JWS_ES256 };

TEST(all_algs_stored)
{
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	for (size_t i = 0; i < ARRAY_LEN(algs); i++) {
		struct jws_key *k1 = NULL, *k2 = NULL;
		char *tok;

		CHECK_EQ_INT(keys_current(f.db, f.seal, KEYS_ID_TOKEN, algs[i], NOW, &k1),
		    DB_OK);
		CHECK_EQ_INT(keys_current(f.db, f.seal, KEYS_ID_TOKEN, algs[i], NOW, &k2),
		    DB_OK);
		if (k1 == NULL || k2 == NULL) {
			CHECK(0);
			jws_key_free(k1);
			jws_key_free(k2);
			continue;
		}
		CHECK_EQ_INT(jws_key_alg(k2), algs[i]);
		CHECK_STR(jws_key_kid(k1), jws_key_kid(k2));
		CHECK(strncmp(jws_key_kid(k1), "id-token-", 9) == 0);
		/* The key read back (unsealed) signs what the made one verifies. */
		tok = jws_sign(k2, "JWT", "{}", 2);
		CHECK_EQ_INT(verifies(k1, tok), 0);
		free(tok);
		jws_key_free(k1);
		jws_key_free(k2);
	}
	CHECK_EQ_INT(count_keys(&f), 3);
	fixture_close(&f);
}

/* The kids of a rotation report, in order, into kids[3][64]. */
static int
rotated_kids(const json_t *rotated, char kids[3][64])
{
	if (json_array_size(rotated) != 3)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		const json_t *o = json_array_get(rotated, i);
		const char *alg = json_string_value(json_object_get(o, "alg"));
		const char *kid = json_string_value(json_object_get(o, "kid"));

		if (alg == NULL || kid == NULL || strcmp(alg, jws_alg_name(algs[i])) != 0)
			return -1;
		snprintf(kids[i], 64, "%s", kid);
	}
	return 0;
}

TEST(rotate_makes_new_keys)
{
	struct jws_key *k1 = NULL, *k2 = NULL;
	json_t *rotated = NULL, *jwks = NULL;
	char kids[3][64], *tok = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, KEYS_ID_TOKEN, JWS_RS256, NOW, &k1), DB_OK);
	if (k1 == NULL)
		goto out;
	tok = jws_sign(k1, "JWT", "{}", 2);
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 10, &rotated), DB_OK);
	CHECK_EQ_INT(rotated_kids(rotated, kids), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, KEYS_ID_TOKEN, JWS_RS256, NOW + 11, &k2),
	    DB_OK);
	if (k2 == NULL)
		goto out;
	CHECK_STR(jws_key_kid(k2), kids[0]);
	CHECK(strcmp(jws_key_kid(k1), jws_key_kid(k2)) != 0);
	CHECK_EQ_INT(count_where(&f, "purpose = 'id-token'"), 4);
	CHECK_EQ_INT(count_where(&f, "retired_at = 1800000010"), 1);
	/* The old key is still published and verifies what it signed. */
	CHECK_EQ_INT(keys_jwks(f.db, KEYS_ID_TOKEN, &jwks), DB_OK);
	CHECK_EQ_INT(json_array_size(json_object_get(jwks, "keys")), 4);
	{
		json_t *last = json_array_get(json_object_get(jwks, "keys"), 3);
		struct jws_key *pub = NULL;

		CHECK_STR(json_string_value(json_object_get(last, "kid")), jws_key_kid(k1));
		CHECK_EQ_INT(jws_key_from_jwk(last, &pub), 0);
		CHECK_EQ_INT(verifies(pub, tok), 0);
		CHECK(verifies(k2, tok) != 0);
		jws_key_free(pub);
	}
	/* Refusals. */
	CHECK(keys_rotate(NULL, f.seal, KEYS_ID_TOKEN, NOW, NULL) != DB_OK);
	CHECK(keys_rotate(f.db, f.seal, NULL, NOW, NULL) != DB_OK);
out:
	free(tok);
	json_decref(rotated);
	json_decref(jwks);
	jws_key_free(k1);
	jws_key_free(k2);
	fixture_close(&f);
}

/* 1 when the JWK Set `jwks` has a key `kid` among keys[from .. to). */
static int
has_kid(const json_t *jwks, const char *kid, size_t from, size_t to)
{
	const json_t *keys = json_object_get(jwks, "keys");

	for (size_t i = from; i < to && i < json_array_size(keys); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(keys, i),
		    "kid")), kid) == 0)
			return 1;
	return 0;
}

TEST(jwks_current_and_previous)
{
	json_t *r[3] = { NULL, NULL, NULL }, *jwks = NULL;
	char kids[3][3][64];
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	/* Nothing published, and nothing made, before the first key. */
	CHECK_EQ_INT(keys_jwks(f.db, KEYS_ID_TOKEN, &jwks), DB_OK);
	CHECK_EQ_INT(json_array_size(json_object_get(jwks, "keys")), 0);
	CHECK_EQ_INT(count_keys(&f), 0);
	json_decref(jwks);
	jwks = NULL;
	for (int g = 0; g < 3; g++) {
		CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 10 * g, &r[g]),
		    DB_OK);
		CHECK_EQ_INT(rotated_kids(r[g], kids[g]), 0);
	}
	CHECK_EQ_INT(count_keys(&f), 9);
	CHECK_EQ_INT(keys_jwks(f.db, KEYS_ID_TOKEN, &jwks), DB_OK);
	CHECK_EQ_INT(json_array_size(json_object_get(jwks, "keys")), 6);
	for (size_t i = 0; i < 3; i++) {
		CHECK(has_kid(jwks, kids[2][i], 0, 3));	/* current first */
		CHECK(has_kid(jwks, kids[1][i], 3, 6));	/* then previous */
		CHECK(!has_kid(jwks, kids[0][i], 0, 6));	/* older: gone */
	}
	for (int g = 0; g < 3; g++)
		json_decref(r[g]);
	json_decref(jwks);
	fixture_close(&f);
}

TEST(rotate_leaves_card_alone)
{
	struct jws_key *c1 = NULL, *c2 = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW, &c1), DB_OK);
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 5, NULL), DB_OK);
	CHECK_EQ_INT(keys_current(f.db, f.seal, "card", JWS_EDDSA, NOW + 6, &c2), DB_OK);
	CHECK(c1 != NULL && c2 != NULL);
	if (c1 != NULL && c2 != NULL)
		CHECK_STR(jws_key_kid(c1), jws_key_kid(c2));
	CHECK_EQ_INT(count_where(&f, "purpose = 'card'"), 1);
	CHECK_EQ_INT(count_where(&f, "retired_at IS NOT NULL"), 0);
	jws_key_free(c1);
	jws_key_free(c2);
	fixture_close(&f);
}

static char *
kid_copy(const struct keyring *r, enum jws_alg alg)
{
	const struct jws_key *k = keyring_signing_key(r, alg);

	return k != NULL ? strdup(jws_key_kid(k)) : NULL;
}

TEST(cache_reloads_after_interval)
{
	struct clock *clk = clock_new_test(NOW);
	struct keyring *r1, *r2, *r3, *r4;
	struct keys_cache *kc = NULL;
	char *a = NULL, *tok = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_cache_new(f.db, f.seal, clk, KEYS_ID_TOKEN, &kc), DB_OK);
	if (kc == NULL || clk == NULL)
		goto out;
	CHECK_EQ_INT(count_keys(&f), 3);	/* made on first load */
	r1 = keys_cache_ring(kc);
	a = kid_copy(r1, JWS_RS256);
	tok = jws_sign(keyring_signing_key(r1, JWS_RS256), "JWT", "{}", 2);
	CHECK(keyring_signing_key(r1, (enum jws_alg)7) == NULL);
	CHECK(keyring_find_kid(r1, "nope") == NULL);
	CHECK(keyring_find_kid(r1, a) == keyring_signing_key(r1, JWS_RS256));
	CHECK_EQ_INT(keyring_jwks_len(r1), strlen(keyring_jwks_json(r1)));
	CHECK(strstr(keyring_jwks_json(r1), a) != NULL);
	CHECK_EQ_INT(keyring_loaded_at(r1), NOW);
	/* Rotated by another process: not seen before the interval... */
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 1, NULL), DB_OK);
	CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS - 1), 0);
	r2 = keys_cache_ring(kc);
	CHECK(r2 == r1);
	/* ... and seen once it is over, the old key still found by kid. */
	CHECK_EQ_INT(clock_advance(clk, 1), 0);
	r3 = keys_cache_ring(kc);
	CHECK(r3 != r1);
	CHECK_EQ_INT(keyring_loaded_at(r3), NOW + KEYS_RELOAD_SECONDS);
	CHECK(strcmp(jws_key_kid(keyring_signing_key(r3, JWS_RS256)), a) != 0);
	CHECK_EQ_INT(verifies(keyring_find_kid(r3, a), tok), 0);
	CHECK(strstr(keyring_jwks_json(r3), a) != NULL);
	/* The ring held across the reload is still whole. */
	CHECK_STR(jws_key_kid(keyring_signing_key(r1, JWS_RS256)), a);
	keyring_release(r1);
	keyring_release(r2);
	keyring_release(r3);
	/* Two more rotations: the first keys are no longer published. */
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 70, NULL), DB_OK);
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 80, NULL), DB_OK);
	CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS), 0);
	r4 = keys_cache_ring(kc);
	CHECK(keyring_find_kid(r4, a) == NULL);
	CHECK(strstr(keyring_jwks_json(r4), a) == NULL);
	/* A ring outlives its cache. */
	keys_cache_free(kc);
	kc = NULL;
	CHECK(keyring_signing_key(r4, JWS_ES256) != NULL);
	keyring_release(r4);
out:
	free(a);
	free(tok);
	keys_cache_free(kc);
	clock_free(clk);
	fixture_close(&f);
}

/* The number of keys in r's JWK Set. */
static int
jwks_count(const struct keyring *r)
{
	int n = 0;

	for (const char *p = keyring_jwks_json(r); (p = strstr(p, "\"kid\"")) != NULL;
	    p++)
		n++;
	return n;
}

TEST(cache_keeps_keys_rotated_twice_between_reloads)
{
	struct clock *clk = clock_new_test(NOW);
	struct keyring *r1 = NULL, *r2 = NULL, *r;
	struct keys_cache *kc = NULL;
	char *a = NULL, *tok = NULL;
	struct fixture f;

	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_cache_new(f.db, f.seal, clk, KEYS_ID_TOKEN, &kc), DB_OK);
	if (kc == NULL || clk == NULL)
		goto out;
	r1 = keys_cache_ring(kc);
	a = kid_copy(r1, JWS_RS256);
	/* Two rotations before the cache looks: it still signs with a. */
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 1, NULL), DB_OK);
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 2, NULL), DB_OK);
	CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS - 1), 0);
	r = keys_cache_ring(kc);
	CHECK(r == r1);
	tok = jws_sign(keyring_signing_key(r, JWS_RS256), "JWT", "{}", 2);
	keyring_release(r);
	/* The reload: new keys, and a still published, trusted and verifying. */
	CHECK_EQ_INT(clock_advance(clk, 1), 0);
	r2 = keys_cache_ring(kc);
	CHECK(r2 != r1);
	CHECK(strcmp(jws_key_kid(keyring_signing_key(r2, JWS_RS256)), a) != 0);
	CHECK_EQ_INT(verifies(keyring_find_kid(r2, a), tok), 0);
	CHECK(strstr(keyring_jwks_json(r2), a) != NULL);
	CHECK_EQ_INT(jwks_count(r2), 9);	/* current, previous, kept: 3 each */
	/* Kept across reloads for 15 minutes after that reload, then dropped. */
	for (;;) {
		CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS), 0);
		r = keys_cache_ring(kc);
		if (clock_now(clk) >= NOW + KEYS_RELOAD_SECONDS + 900)
			break;
		CHECK_EQ_INT(verifies(keyring_find_kid(r, a), tok), 0);
		keyring_release(r);
	}
	CHECK(keyring_find_kid(r, a) == NULL);
	CHECK(strstr(keyring_jwks_json(r), a) == NULL);
	CHECK_EQ_INT(jwks_count(r), 6);
	keyring_release(r);
	/* One rotation keeps nothing more: the old key is the previous one. */
	CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + 2000, NULL), DB_OK);
	CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS), 0);
	r = keys_cache_ring(kc);
	CHECK_EQ_INT(jwks_count(r), 6);
	keyring_release(r);
out:
	keyring_release(r1);
	keyring_release(r2);
	free(a);
	free(tok);
	keys_cache_free(kc);
	clock_free(clk);
	fixture_close(&f);
}

struct reader {
	struct keys_cache *kc;
	atomic_int *stop;
	int rounds, failures;
};

/* One round: sign with a current key, verify by kid, find it in the JWKS. */
static int
read_round(struct keys_cache *kc, enum jws_alg alg)
{
	struct keyring *r = keys_cache_ring(kc);
	const struct jws_key *k = keyring_signing_key(r, alg);
	char *tok = k != NULL ? jws_sign(k, "JWT", "{\"a\":1}", 7) : NULL;
	int bad = tok == NULL ||
	    verifies(keyring_find_kid(r, jws_key_kid(k)), tok) != 0 ||
	    strstr(keyring_jwks_json(r), jws_key_kid(k)) == NULL;

	free(tok);
	keyring_release(r);
	return bad;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;

	while (!atomic_load(rd->stop) || rd->rounds < 3) {
		/* RS256 is the slow one: one round in four. */
		enum jws_alg alg = rd->rounds % 4 == 0 ? JWS_RS256 :
		    rd->rounds % 2 ? JWS_EDDSA : JWS_ES256;

		rd->failures += read_round(rd->kc, alg);
		rd->rounds++;
	}
	return NULL;
}

TEST(cache_readers_on_threads)
{
	struct clock *clk = clock_new_test(NOW);
	struct keys_cache *kc = NULL;
	struct reader rd[4];
	pthread_t th[4];
	atomic_int stop;
	json_t *last = NULL;
	char kids[3][64];
	struct fixture f;

	atomic_init(&stop, 0);
	CHECK_EQ_INT(fixture_open_key(&f, "test_keys", master), 0);
	CHECK_EQ_INT(keys_cache_new(f.db, f.seal, clk, KEYS_ID_TOKEN, &kc), DB_OK);
	if (kc == NULL || clk == NULL)
		goto out;
	for (size_t i = 0; i < 4; i++) {
		rd[i] = (struct reader){ kc, &stop, 0, 0 };
		CHECK_EQ_INT(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	for (int g = 0; g < 4; g++) {
		json_decref(last);
		CHECK_EQ_INT(keys_rotate(f.db, f.seal, KEYS_ID_TOKEN, NOW + g, &last),
		    DB_OK);
		CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS), 0);
		usleep(20000);
	}
	atomic_store(&stop, 1);
	for (size_t i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_INT(rd[i].failures, 0);
		CHECK(rd[i].rounds >= 3);
	}
	/* The cache ends on the last rotation's keys. */
	CHECK_EQ_INT(rotated_kids(last, kids), 0);
	CHECK_EQ_INT(clock_advance(clk, KEYS_RELOAD_SECONDS), 0);
	{
		struct keyring *r = keys_cache_ring(kc);

		for (size_t i = 0; i < 3; i++)
			CHECK_STR(jws_key_kid(keyring_signing_key(r, algs[i])), kids[i]);
		keyring_release(r);
	}
out:
	json_decref(last);
	keys_cache_free(kc);
	clock_free(clk);
	fixture_close(&f);
}

T_MAIN(T(created_once_then_reused), T(loaded_key_is_the_same_key),
    T(private_key_is_stored_sealed), T(another_master_key_fails),
    T(altered_blob_fails), T(retired_key_is_replaced), T(all_algs_stored),
    T(rotate_makes_new_keys), T(jwks_current_and_previous),
    T(rotate_leaves_card_alone), T(cache_reloads_after_interval),
    T(cache_keeps_keys_rotated_twice_between_reloads),
    T(cache_readers_on_threads))
