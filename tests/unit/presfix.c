/*
 * presfix: test credentials, presentations and citizens for the airport tests.
 */
#include "presfix.h"
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "b64.h"
#include "db.h"
#include "presentation.h"

struct jws_key *
presfix_key(const char *kid)
{
	struct jws_key *k = NULL;

	if (jws_key_generate(JWS_EDDSA, kid, &k) != 0)
		return NULL;
	return k;
}

static char *
sign_obj(const struct jws_key *k, const char *typ, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL, *jws;

	json_decref(o);
	if (text == NULL)
		return NULL;
	jws = jws_sign(k, typ, text, strlen(text));
	free(text);
	return jws;
}

char *
presfix_cred(const struct jws_key *issuer, const struct jws_key *dev, int lvl,
    int64_t exp, const char *jti, const char *pid)
{
	json_t *jwk = jws_key_public_jwk(dev);

	return sign_obj(issuer, PRES_CRED_TYP, json_pack("{s:s, s:s, s:I, s:I, s:i, "
	    "s:{s:o}, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "iss", "http://127.0.0.1", "jti", jti, "iat", (json_int_t)(exp - 3600),
	    "exp", (json_int_t)exp, "lvl", lvl, "cnf", "jwk", jwk,
	    "personal_id", pid, "full_name", "Nguy\xe1\xbb\x85n V\xc4\x83n An",
	    "birth_date", "1990-05-17", "sex", "male", "nationality",
	    "Vi\xe1\xbb\x87t Nam", "portrait_sha256",
	    "0000000000000000000000000000000000000000000000000000000000000000"));
}

char *
presfix_present(const struct jws_key *dev, const char *cred, int64_t iat,
    const char *jti, const char *typ)
{
	return sign_obj(dev, typ, json_pack("{s:s, s:I, s:s}", "cred", cred,
	    "iat", (json_int_t)iat, "jti", jti));
}

char *
presfix_alter(const char *jws, const char *from, const char *to)
{
	const char *d1 = strchr(jws, '.'), *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
	char payload[8192], changed[8192], *hit, *enc, *out = NULL;
	size_t n;

	if (d2 == NULL || b64_decode(payload, sizeof(payload) - 1, &n, d1 + 1,
	    (size_t)(d2 - d1 - 1)) != 0)
		return NULL;
	payload[n] = '\0';
	if ((hit = strstr(payload, from)) == NULL)
		return NULL;
	snprintf(changed, sizeof(changed), "%.*s%s%s", (int)(hit - payload), payload,
	    to, hit + strlen(from));
	if ((enc = b64_encode_alloc(changed, strlen(changed))) == NULL)
		return NULL;
	if ((out = malloc(strlen(jws) + strlen(enc) + 4)) != NULL)
		sprintf(out, "%.*s.%s%s", (int)(d1 - jws), jws, enc, d2);
	free(enc);
	return out;
}

int
presfix_citizen(struct fixture *f, const char *row, const char *pid,
    const struct jws_key *dev, int64_t now, struct device *out)
{
	json_t *jwk = jws_key_public_jwk(dev);
	struct db_conn *c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (jwk == NULL || fixture_import(f, row, now - 86400) != 1)
		goto done;
	snprintf(out->public_key, sizeof(out->public_key), "%s",
	    json_string_value(json_object_get(jwk, "x")));
	if ((c = db_acquire(f->db)) == NULL)
		goto done;
	if (db_begin(c) == DB_OK) {
		if (accounts_create(c, pid, "+84912345678", "-", now,
		    out->account_id) == DB_OK &&
		    accounts_set_level2(c, out->account_id, "+84912345678", now) == DB_OK &&
		    devices_add(c, f->seal, out->account_id, "phone", out->public_key, 5, now,
		    out->device_id) == DB_OK && db_commit(c) == DB_OK)
			rc = 0;
		else
			db_rollback(c);
	}
	db_release(f->db, c);
	out->created_at = now;
done:
	json_decref(jwk);
	return rc;
}
