/*
 * test_keys: unit tests for signing keys (keys): one current key per purpose
 * and algorithm, made once and then reused, stored with the private half
 * sealed under the master key, and unusable under another master key.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"
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

T_MAIN(T(created_once_then_reused), T(loaded_key_is_the_same_key),
    T(private_key_is_stored_sealed), T(another_master_key_fails),
    T(altered_blob_fails), T(retired_key_is_replaced))
