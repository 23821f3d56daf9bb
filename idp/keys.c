/*
 * keys: creation, sealing and loading of signing keys.
 */
#include "keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

#define PRIV_MAX 2048

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
	snprintf(aad, sizeof(aad), "signing-key:%s", (const char *)sqlite3_column_text(st, 0));
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

static int
store_new(struct db_conn *c, const struct seal *seal, const char *purpose,
    enum jws_alg alg, int64_t now, struct jws_key **out)
{
	uint8_t rnd[9], priv[PRIV_MAX], sealed[PRIV_MAX + SEAL_OVERHEAD];
	char kid[64], rb[16], aad[128], *jwk = NULL;
	json_t *pub;
	sqlite3_stmt *st;
	size_t n;
	int rc = DB_ERR;

	randombytes_buf(rnd, sizeof(rnd));
	if (b64_encode(rb, sizeof(rb), rnd, sizeof(rnd)) == 0)
		return DB_ERR;
	snprintf(kid, sizeof(kid), "%s-%s", purpose, rb);
	snprintf(aad, sizeof(aad), "signing-key:%s", kid);
	if (jws_key_generate(alg, kid, out) != 0)
		return DB_ERR;
	if (jws_key_private_bytes(*out, priv, sizeof(priv), &n) != 0 ||
	    seal_seal(seal, sealed, priv, n, aad) != 0)
		goto fail;
	pub = jws_key_public_jwk(*out);
	jwk = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(pub);
	st = db_stmt(c, "INSERT INTO signing_keys (kid, purpose, alg, public_jwk, "
	    "private_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)");
	if (jwk == NULL || st == NULL || db_bind_text(st, 1, kid) != DB_OK ||
	    db_bind_text(st, 2, purpose) != DB_OK ||
	    db_bind_text(st, 3, jws_alg_name(alg)) != DB_OK ||
	    db_bind_text(st, 4, jwk) != DB_OK ||
	    sqlite3_bind_blob(st, 5, sealed, (int)(n + SEAL_OVERHEAD), SQLITE_TRANSIENT) != SQLITE_OK ||
	    db_bind_int64(st, 6, now) != DB_OK)
		goto fail;
	rc = db_step(st);
fail:
	sodium_memzero(priv, sizeof(priv));
	free(jwk);
	if (rc != DB_OK) {
		jws_key_free(*out);
		*out = NULL;
	}
	return rc;
}

int
keys_current(struct db *db, const struct seal *seal, const char *purpose,
    enum jws_alg alg, int64_t now, struct jws_key **out)
{
	struct db_conn *c;
	int rc;

	if (db == NULL || seal == NULL || purpose == NULL || out == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	*out = NULL;
	if ((rc = load_current(c, seal, purpose, alg, out)) != 1)
		goto done;
	/* None yet: make one under the write lock, unless another did first. */
	if ((rc = db_begin(c)) != DB_OK)
		goto done;
	rc = load_current(c, seal, purpose, alg, out);
	if (rc == 1)
		rc = store_new(c, seal, purpose, alg, now, out);
	if (rc == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
done:
	db_release(db, c);
	if (rc != DB_OK && *out != NULL) {
		jws_key_free(*out);
		*out = NULL;
	}
	return rc;
}
