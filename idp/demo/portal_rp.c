/*
 * portal_rp: the demo portal's flow store, PKCE, URLs and ID token checks.
 */
#include "portal_rp.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jws.h"

struct slot {
	bool used;
	char key[RP_RAND_SIZE];
	int64_t expires;
	struct rp_entry e;
};

struct rp_store {
	pthread_mutex_t mu;
	size_t max;
	struct slot *slots;
};

struct rp_store *
rp_store_new(size_t max)
{
	struct rp_store *s;

	if (max == 0 || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->slots = calloc(max, sizeof(*s->slots))) == NULL) {
		free(s);
		return NULL;
	}
	s->max = max;
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

void
rp_entry_clear(struct rp_entry *e)
{
	if (e->data != NULL) {
		sodium_memzero(e->data, strlen(e->data));
		free(e->data);
	}
	sodium_memzero(e, sizeof(*e));
}

static void
slot_clear(struct slot *sl)
{
	rp_entry_clear(&sl->e);
	sodium_memzero(sl, sizeof(*sl));
}

void
rp_store_free(struct rp_store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->max; i++)
		slot_clear(&s->slots[i]);
	free(s->slots);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* A free slot: an unused one, else an expired one, else the soonest to expire. */
static struct slot *
free_slot(struct rp_store *s, int64_t now)
{
	struct slot *best = NULL;

	for (size_t i = 0; i < s->max; i++) {
		struct slot *sl = &s->slots[i];

		if (!sl->used)
			return sl;
		if (sl->expires <= now) {
			slot_clear(sl);
			return sl;
		}
		if (best == NULL || sl->expires < best->expires)
			best = sl;
	}
	slot_clear(best);
	return best;
}

int
rp_store_put(struct rp_store *s, struct rp_entry *e, int64_t now,
    int64_t expires, char key[RP_RAND_SIZE])
{
	struct slot *sl;

	if (s == NULL) {
		rp_entry_clear(e);
		return -1;
	}
	rp_random(key);
	pthread_mutex_lock(&s->mu);
	sl = free_slot(s, now);
	sl->used = true;
	sl->expires = expires;
	memcpy(sl->key, key, RP_RAND_SIZE);
	sl->e = *e;
	pthread_mutex_unlock(&s->mu);
	e->data = NULL;
	sodium_memzero(e, sizeof(*e));
	return 0;
}

/* The live slot of `key`, under the lock; NULL when none (expired: dropped). */
static struct slot *
find(struct rp_store *s, const char *key, int64_t now)
{
	if (key == NULL || strlen(key) != RP_RAND_SIZE - 1)
		return NULL;
	for (size_t i = 0; i < s->max; i++) {
		struct slot *sl = &s->slots[i];

		if (!sl->used || sodium_memcmp(sl->key, key, RP_RAND_SIZE - 1) != 0)
			continue;
		if (sl->expires <= now) {
			slot_clear(sl);
			return NULL;
		}
		return sl;
	}
	return NULL;
}

int
rp_store_take(struct rp_store *s, const char *key, int64_t now, struct rp_entry *out)
{
	struct slot *sl;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	pthread_mutex_lock(&s->mu);
	if ((sl = find(s, key, now)) != NULL) {
		*out = sl->e;
		sl->e.data = NULL;
		slot_clear(sl);
		rc = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

char *
rp_store_data(struct rp_store *s, const char *key, int64_t now)
{
	struct slot *sl;
	char *copy = NULL;

	if (s == NULL)
		return NULL;
	pthread_mutex_lock(&s->mu);
	if ((sl = find(s, key, now)) != NULL && sl->e.data != NULL)
		copy = strdup(sl->e.data);
	pthread_mutex_unlock(&s->mu);
	return copy;
}

size_t
rp_store_count(struct rp_store *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->max; i++)
		n += s->slots[i].used;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
rp_random(char out[RP_RAND_SIZE])
{
	(void)b64_random(out, RP_RAND_SIZE, 32);
}

void
rp_pkce_challenge(const char *verifier, char out[RP_RAND_SIZE])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const uint8_t *)verifier, strlen(verifier));
	(void)b64_encode(out, RP_RAND_SIZE, h, sizeof(h));
}

bool
rp_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL || (n = strlen(a)) != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}

/* Appends value percent-encoded (all but A-Z a-z 0-9 - . _ ~) at out[*len]. */
static int
pct_append(char *out, size_t outsz, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

		if (*len + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[(*len)++] = (char)c;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[c >> 4];
			out[(*len)++] = hex[c & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

static int
append_param(char *out, size_t outsz, char sep, const char *name, const char *value)
{
	size_t len = strlen(out), n = strlen(name), start = len;

	if (value == NULL || len + n + 2 >= outsz)
		return -1;
	if (sep != '\0')
		out[len++] = sep;
	memcpy(out + len, name, n);
	len += n;
	out[len++] = '=';
	out[len] = '\0';
	if (pct_append(out, outsz, &len, value) != 0) {
		out[start] = '\0';	/* all or nothing */
		return -1;
	}
	return 0;
}

int
rp_url_param(char *url, size_t urlsz, const char *name, const char *value)
{
	return append_param(url, urlsz, strchr(url, '?') != NULL ? '&' : '?',
	    name, value);
}

int
rp_form_param(char *body, size_t bodysz, const char *name, const char *value)
{
	return append_param(body, bodysz, body[0] != '\0' ? '&' : '\0', name, value);
}

int
rp_authorize_url(const struct rp_authz *a, char *out, size_t outsz)
{
	if (a->endpoint == NULL || (size_t)snprintf(out, outsz, "%s", a->endpoint) >= outsz)
		return -1;
	return rp_url_param(out, outsz, "response_type", "code") != 0 ||
	    rp_url_param(out, outsz, "client_id", a->client_id) != 0 ||
	    rp_url_param(out, outsz, "redirect_uri", a->redirect_uri) != 0 ||
	    rp_url_param(out, outsz, "scope", a->scope) != 0 ||
	    rp_url_param(out, outsz, "state", a->state) != 0 ||
	    rp_url_param(out, outsz, "nonce", a->nonce) != 0 ||
	    rp_url_param(out, outsz, "code_challenge", a->challenge) != 0 ||
	    rp_url_param(out, outsz, "code_challenge_method", "S256") != 0 ? -1 : 0;
}

int
rp_logout_url(const char *endpoint, const char *id_token_hint,
    const char *post_logout_uri, const char *state, char *out, size_t outsz)
{
	if (endpoint == NULL || (size_t)snprintf(out, outsz, "%s", endpoint) >= outsz)
		return -1;
	return rp_url_param(out, outsz, "id_token_hint", id_token_hint) != 0 ||
	    rp_url_param(out, outsz, "post_logout_redirect_uri", post_logout_uri) != 0 ||
	    rp_url_param(out, outsz, "state", state) != 0 ? -1 : 0;
}

/* The JWK of `kid` in the set, or NULL. */
static const json_t *
jwk_of(const json_t *jwks, const char *kid)
{
	const json_t *keys = json_object_get(jwks, "keys"), *k;
	size_t i;

	if (kid == NULL || !json_is_array(keys))
		return NULL;
	json_array_foreach(keys, i, k) {
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *kk = json_string_value(json_object_get(k, "kid"));

		if (kk != NULL && strcmp(kk, kid) == 0 && (use == NULL || strcmp(use, "sig") == 0))
			return k;
	}
	return NULL;
}

bool
rp_jwks_has_kid(const json_t *jwks, const char *jwt)
{
	struct jws_parsed jp;
	bool has;

	if (jwt == NULL || jws_parse(jwt, strlen(jwt), &jp) != 0)
		return false;
	has = jwk_of(jwks, json_string_value(json_object_get(jp.header, "kid"))) != NULL;
	jws_parsed_free(&jp);
	return has;
}

json_t *
rp_verify_jwt(const char *jwt, const json_t *jwks, const char **why)
{
	struct jws_parsed jp;
	struct jws_key *key = NULL;
	const json_t *jwk;
	json_t *claims = NULL;

	if (jwt == NULL || strlen(jwt) > JWS_MAX_COMPACT ||
	    jws_parse(jwt, strlen(jwt), &jp) != 0) {
		*why = "the ID token is not a compact JWS";
		return NULL;
	}
	jwk = jwk_of(jwks, json_string_value(json_object_get(jp.header, "kid")));
	if (jwk == NULL)
		*why = "the ID token's key is not in the provider's JWKS";
	else if (jws_key_from_jwk(jwk, &key) != 0)
		*why = "the provider's key cannot be read";
	else if (jws_verify_parsed(key, &jp) != 0)
		*why = "the ID token's signature does not hold";
	else if ((claims = json_loads(jp.payload, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(claims)) {
		json_decref(claims);
		claims = NULL;
		*why = "the ID token's payload is not a JSON object";
	}
	jws_key_free(key);
	jws_parsed_free(&jp);
	return claims;
}

static bool
str_is(const json_t *o, const char *name, const char *want)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL && want != NULL && strcmp(v, want) == 0;
}

int
rp_check_claims(const json_t *claims, const char *issuer, const char *client_id,
    const char *nonce, int64_t now, const char **why)
{
	const json_t *aud = json_object_get(claims, "aud"), *v;
	const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	bool aud_ok = false;
	size_t i;

	if (json_is_string(aud)) {
		aud_ok = strcmp(json_string_value(aud), client_id) == 0;
	} else if (json_is_array(aud)) {
		json_array_foreach(aud, i, v)
			if (json_is_string(v) && strcmp(json_string_value(v), client_id) == 0)
				aud_ok = true;
		/* Several audiences: azp must name us (OIDC Core 3.1.3.7). */
		aud_ok = aud_ok && str_is(claims, "azp", client_id);
	}
	if (!str_is(claims, "iss", issuer))
		return *why = "the ID token is from another issuer", -1;
	if (!aud_ok)
		return *why = "the ID token is for another client", -1;
	if (json_object_get(claims, "azp") != NULL && !str_is(claims, "azp", client_id))
		return *why = "the ID token was issued to another party", -1;
	if (!json_is_integer(exp) || json_integer_value(exp) + RP_SKEW <= now)
		return *why = "the ID token has expired", -1;
	if (!json_is_integer(iat) || json_integer_value(iat) > now + RP_SKEW)
		return *why = "the ID token is issued in the future", -1;
	if (sub == NULL || sub[0] == '\0')
		return *why = "the ID token has no subject", -1;
	if (nonce == NULL || nonce[0] == '\0' || !str_is(claims, "nonce", nonce))
		return *why = "the ID token's nonce is not this sign-in's", -1;
	return 0;
}
