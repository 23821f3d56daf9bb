/*
 * card: chip records signed by the card centre.
 */
#include "card.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "jws.h"
#include "keys.h"
#include "registry.h"

void
card_portrait_digest(const struct person *p, char hex[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	/* The synthetic registry has no photos: a stable stand-in per card. */
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)"portrait\0", 9);
	crypto_hash_sha256_update(&st, (const uint8_t *)p->personal_id,
	    strlen(p->personal_id) + 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)p->card_number,
	    strlen(p->card_number));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

json_t *
card_payload(const struct person *p, int64_t now)
{
	char digest[65];

	card_portrait_digest(p, digest);
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "iss", "dinhdanh-card-centre", "iat", (json_int_t)now,
	    "personal_id", p->personal_id, "full_name", p->full_name,
	    "birth_date", p->birth_date, "sex", p->sex,
	    "nationality", p->nationality, "place_of_origin", p->place_of_origin,
	    "residence", p->residence, "card_number", p->card_number,
	    "card_issued_on", p->card_issued_on,
	    "card_expires_on", p->card_expires_on, "status", p->status,
	    "portrait_sha256", digest);
}

int
card_issue(struct db *db, const struct seal *seal, const char *pid,
    int64_t now, char **out)
{
	struct person p;
	struct db_conn *c;
	struct jws_key *key = NULL;
	json_t *payload;
	char *text;
	int rc;

	if (db == NULL || seal == NULL || pid == NULL || out == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = registry_get(c, pid, &p);
	db_release(db, c);
	if (rc != DB_OK)
		return rc;
	if ((rc = keys_current(db, seal, CARD_KEY_PURPOSE, JWS_EDDSA, now, &key)) != DB_OK)
		return rc;
	payload = card_payload(&p, now);
	text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(payload);
	*out = text != NULL ? jws_sign(key, CARD_JWS_TYP, text, strlen(text)) : NULL;
	free(text);
	jws_key_free(key);
	return *out != NULL ? DB_OK : DB_ERR;
}

int
card_public_jwk(struct db *db, const struct seal *seal, int64_t now, json_t **out)
{
	struct jws_key *key = NULL;
	int rc;

	if ((rc = keys_current(db, seal, CARD_KEY_PURPOSE, JWS_EDDSA, now, &key)) != DB_OK)
		return rc;
	*out = jws_key_public_jwk(key);
	jws_key_free(key);
	return *out != NULL ? DB_OK : DB_ERR;
}
