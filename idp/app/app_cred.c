/*
 * app_cred: fetching the credential and making presentations.
 */
#include "app_cred.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_http.h"
#include "b64.h"
#include "jws.h"

#define PRES_JTI_BYTES 16
/* The header of every presentation, base64url of {"alg":"EdDSA","typ":...}. */
#define PRES_HEADER "{\"alg\":\"EdDSA\",\"typ\":\"" APP_PRES_TYP "\"}"

bool
app_cred_valid(const struct app_state *st, int64_t now)
{
	int64_t exp = 0;

	return st != NULL && app_state_credential(st, &exp)[0] != '\0' && now < exp;
}

bool
app_cred_due(const struct app_state *st, int64_t now)
{
	int64_t exp = 0;

	return st == NULL || app_state_credential(st, &exp)[0] == '\0' ||
	    exp - now < APP_CRED_REFRESH;
}

/* The exp of `jws` when its cnf key is this device's; -1 when not. */
static int64_t
check_credential(const struct app_state *st, const char *jws)
{
	struct jws_parsed p;
	json_t *pl = NULL, *x;
	int64_t exp = -1;

	if (jws_parse(jws, strlen(jws), &p) != 0)
		return -1;
	pl = json_loads(p.payload, 0, NULL);
	x = json_object_get(json_object_get(json_object_get(pl, "cnf"), "jwk"), "x");
	if (json_is_string(x) && strcmp(json_string_value(x),
	    app_state_public_key(st)) == 0 &&
	    json_is_integer(json_object_get(pl, "exp")))
		exp = json_integer_value(json_object_get(pl, "exp"));
	json_decref(pl);
	jws_parsed_free(&p);
	return exp;
}

int
app_cred_fetch(const char *base_url, struct app_state *st, long *status,
    char *err, size_t errsz)
{
	struct app_resp resp;
	const char *jws;
	int64_t exp;
	int rc = 1;

	if (base_url == NULL || st == NULL || status == NULL || err == NULL)
		return -1;
	if (app_http_call(base_url, st, "POST", "/v1/credentials", NULL, &resp,
	    err, errsz) != 0)
		return -1;
	*status = resp.status;
	jws = json_string_value(json_object_get(resp.json, "credential"));
	if (resp.status != 201 || jws == NULL)
		snprintf(err, errsz, "%s", app_resp_reason(&resp, "no reason given"));
	else if ((exp = check_credential(st, jws)) < 0 ||
	    app_state_set_credential(st, jws, exp) != 0) {
		snprintf(err, errsz, "the identity provider sent a credential that "
		    "is not for this device's key");
		*status = 0;
	} else
		rc = 0;
	app_resp_free(&resp);
	return rc;
}

bool
app_cred_nonce_ok(const char *nonce)
{
	size_t n = nonce != NULL ? strlen(nonce) : 0;

	if (n == 0 || n > APP_NONCE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (nonce[i] < 0x21 || nonce[i] > 0x7e)
			return false;
	return true;
}

/* "b64(header).b64(payload)" with room for ".b64(signature)", or NULL. */
static char *
signing_input(const char *payload, size_t *len, size_t *size)
{
	char *h = b64_encode_alloc(PRES_HEADER, strlen(PRES_HEADER));
	char *p = b64_encode_alloc(payload, strlen(payload));
	char *out = NULL;

	if (h != NULL && p != NULL) {
		*size = strlen(h) + 1 + strlen(p) + 1 + b64_encoded_size(APP_SIG_SIZE);
		if ((out = malloc(*size)) != NULL)
			*len = (size_t)snprintf(out, *size, "%s.%s", h, p);
	}
	free(h);
	free(p);
	return out;
}

char *
app_cred_present(const struct app_state *st, const char *nonce, int64_t now)
{
	char jti[32], *text = NULL, *out = NULL;
	uint8_t sig[APP_SIG_SIZE];
	size_t len = 0, size = 0;
	json_t *pl;

	if (!app_cred_valid(st, now) || (nonce != NULL && !app_cred_nonce_ok(nonce)) ||
	    b64_random(jti, sizeof(jti), PRES_JTI_BYTES) == 0)
		return NULL;
	pl = json_pack("{s:s, s:I, s:s}", "cred", app_state_credential(st, NULL),
	    "iat", (json_int_t)now, "jti", jti);
	if (pl != NULL && nonce != NULL &&
	    json_object_set_new(pl, "nonce", json_string(nonce)) != 0) {
		json_decref(pl);
		pl = NULL;
	}
	if (pl != NULL)
		text = json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(pl);
	if (text == NULL || (out = signing_input(text, &len, &size)) == NULL)
		goto fail;
	app_state_sign(st, out, len, sig);
	out[len] = '.';
	if (b64_encode(out + len + 1, size - len - 1, sig, sizeof(sig)) == 0) {
		free(out);
		out = NULL;
	}
fail:
	free(text);
	return out;
}
