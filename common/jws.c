/*
 * jws: compact serialization, Ed25519 keys and signatures; RSA and P-256
 * keys are handed to jws_gnutls.
 */
#include "jws.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "jws_gnutls.h"

#define KID_MAX 64
#define SIG_MAX 512

struct jws_key {
	enum jws_alg alg;
	char kid[KID_MAX];
	int has_private;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	struct jws_gt *gt;	/* RS256 and ES256 */
};

static int
alg_known(enum jws_alg alg)
{
	return alg == JWS_EDDSA || alg == JWS_RS256 || alg == JWS_ES256;
}

static struct jws_key *
key_alloc(enum jws_alg alg, const char *kid)
{
	struct jws_key *k;

	if (!alg_known(alg) || kid == NULL || strlen(kid) >= KID_MAX)
		return NULL;
	if ((k = sodium_malloc(sizeof(*k))) == NULL)
		return NULL;
	memset(k, 0, sizeof(*k));
	k->alg = alg;
	strcpy(k->kid, kid);
	return k;
}

static int
generate(enum jws_alg alg, unsigned bits, const char *kid, struct jws_key **out)
{
	struct jws_key *k;

	if (out == NULL || (k = key_alloc(alg, kid)) == NULL)
		return -1;
	if (alg == JWS_EDDSA) {
		crypto_sign_keypair(k->pk, k->sk);
	} else if (jws_gt_generate(alg, bits, &k->gt) != 0) {
		jws_key_free(k);
		return -1;
	}
	k->has_private = 1;
	*out = k;
	return 0;
}

int
jws_key_generate(enum jws_alg alg, const char *kid, struct jws_key **out)
{
	return generate(alg, JWS_RSA_DEFAULT_BITS, kid, out);
}

int
jws_key_generate_rsa(unsigned bits, const char *kid, struct jws_key **out)
{
	return generate(JWS_RS256, bits, kid, out);
}

int
jws_key_private_bytes(const struct jws_key *k, uint8_t *out, size_t outsz,
    size_t *len)
{
	if (k == NULL || !k->has_private)
		return -1;
	if (k->gt != NULL)
		return jws_gt_private_der(k->gt, out, outsz, len);
	if (outsz < sizeof(k->sk))
		return -1;
	memcpy(out, k->sk, sizeof(k->sk));
	*len = sizeof(k->sk);
	return 0;
}

int
jws_key_from_private(enum jws_alg alg, const char *kid, const uint8_t *bytes,
    size_t len, struct jws_key **out)
{
	struct jws_key *k;

	if (out == NULL || bytes == NULL || (k = key_alloc(alg, kid)) == NULL)
		return -1;
	if (alg == JWS_EDDSA && len == crypto_sign_SECRETKEYBYTES) {
		memcpy(k->sk, bytes, len);
		crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	} else if (alg == JWS_EDDSA ||
	    jws_gt_from_private(alg, bytes, len, &k->gt) != 0) {
		jws_key_free(k);
		return -1;
	}
	k->has_private = 1;
	*out = k;
	return 0;
}

/* The alg a JWK's kty and crv name; -1 when none of ours. */
static int
jwk_alg(const json_t *jwk, enum jws_alg *alg)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const json_t *named = json_object_get(jwk, "alg");
	enum jws_alg a;

	if (kty == NULL)
		return -1;
	if (strcmp(kty, "OKP") == 0 && crv != NULL && strcmp(crv, "Ed25519") == 0)
		*alg = JWS_EDDSA;
	else if (strcmp(kty, "RSA") == 0)
		*alg = JWS_RS256;
	else if (strcmp(kty, "EC") == 0 && crv != NULL && strcmp(crv, "P-256") == 0)
		*alg = JWS_ES256;
	else
		return -1;
	if (named != NULL && (jws_alg_parse(json_string_value(named), &a) != 0 ||
	    a != *alg))
		return -1;
	return 0;
}

int
jws_key_from_jwk(const json_t *jwk, struct jws_key **out)
{
	const char *x = json_string_value(json_object_get(jwk, "x"));
	const char *kid = json_string_value(json_object_get(jwk, "kid"));
	enum jws_alg alg;
	struct jws_key *k;
	size_t n;

	if (out == NULL || !json_is_object(jwk) || jwk_alg(jwk, &alg) != 0)
		return -1;
	if ((k = key_alloc(alg, kid != NULL ? kid : "")) == NULL)
		return -1;
	if (alg != JWS_EDDSA) {
		if (jws_gt_from_jwk(alg, jwk, &k->gt) != 0)
			goto fail;
	} else if (x == NULL || b64_decode(k->pk, sizeof(k->pk), &n, x,
	    strlen(x)) != 0 || n != sizeof(k->pk)) {
		goto fail;
	}
	*out = k;
	return 0;
fail:
	jws_key_free(k);
	return -1;
}

void
jws_key_free(struct jws_key *k)
{
	if (k == NULL)
		return;
	jws_gt_free(k->gt);
	sodium_free(k);
}

const char *
jws_key_kid(const struct jws_key *k)
{
	return k->kid;
}

enum jws_alg
jws_key_alg(const struct jws_key *k)
{
	return k->alg;
}

const char *
jws_alg_name(enum jws_alg alg)
{
	switch (alg) {
	case JWS_EDDSA: return "EdDSA";
	case JWS_RS256: return "RS256";
	case JWS_ES256: return "ES256";
	}
	return "none";
}

int
jws_alg_parse(const char *name, enum jws_alg *out)
{
	static const enum jws_alg all[] = { JWS_EDDSA, JWS_RS256, JWS_ES256 };

	for (size_t i = 0; name != NULL && i < ARRAY_LEN(all); i++) {
		if (strcmp(name, jws_alg_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

json_t *
jws_key_public_jwk(const struct jws_key *k)
{
	char x[64];
	json_t *jwk;

	if (k == NULL)
		return NULL;
	if (k->gt != NULL) {
		if ((jwk = json_object()) == NULL)
			return NULL;
		if (jws_gt_public_members(k->gt, jwk) != 0 ||
		    json_object_set_new(jwk, "kid", json_string(k->kid)) != 0 ||
		    json_object_set_new(jwk, "use", json_string("sig")) != 0 ||
		    json_object_set_new(jwk, "alg", json_string(jws_alg_name(k->alg))) != 0) {
			json_decref(jwk);
			return NULL;
		}
		return jwk;
	}
	if (b64_encode(x, sizeof(x), k->pk, sizeof(k->pk)) == 0)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP",
	    "crv", "Ed25519", "x", x, "kid", k->kid, "use", "sig",
	    "alg", jws_alg_name(k->alg));
}

/* The signature of data[len] by k into sig[SIG_MAX]; its length, or 0. */
static size_t
sign_bytes(const struct jws_key *k, const uint8_t *data, size_t len,
    uint8_t sig[SIG_MAX])
{
	size_t n = 0;

	if (k->gt != NULL)
		return jws_gt_sign(k->gt, data, len, sig, SIG_MAX, &n) == 0 ? n : 0;
	crypto_sign_detached(sig, NULL, data, len, k->sk);
	return crypto_sign_BYTES;
}

char *
jws_sign(const struct jws_key *k, const char *typ, const char *payload, size_t len)
{
	json_t *h;
	char *hs = NULL, *out = NULL;
	size_t hlen, hb, pb, sb, pos, n;
	uint8_t sig[SIG_MAX];

	if (k == NULL || !k->has_private || payload == NULL || len > JWS_MAX_COMPACT)
		return NULL;
	h = typ != NULL ?
	    json_pack("{s:s, s:s, s:s}", "alg", jws_alg_name(k->alg), "typ", typ, "kid", k->kid) :
	    json_pack("{s:s, s:s}", "alg", jws_alg_name(k->alg), "kid", k->kid);
	hs = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(h);
	if (hs == NULL)
		return NULL;
	hlen = strlen(hs);
	hb = b64_encoded_size(hlen);
	pb = b64_encoded_size(len);
	sb = b64_encoded_size(sizeof(sig));
	if ((out = malloc(hb + pb + sb)) == NULL)
		goto done;
	pos = b64_encode(out, hb, hs, hlen);
	out[pos++] = '.';
	pos += b64_encode(out + pos, pb, payload, len);
	if ((n = sign_bytes(k, (const uint8_t *)out, pos, sig)) == 0) {
		free(out);
		out = NULL;
		goto done;
	}
	out[pos++] = '.';
	b64_encode(out + pos, sb, sig, n);
done:
	free(hs);
	return out;
}

int
jws_parse(const char *compact, size_t len, struct jws_parsed *out)
{
	const char *d1, *d2, *end = compact + len;
	char hbuf[1024];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (compact == NULL || len == 0 || len > JWS_MAX_COMPACT)
		return -1;
	if ((d1 = memchr(compact, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL)
		return -1;
	if (b64_decode(hbuf, sizeof(hbuf) - 1, &n, compact, (size_t)(d1 - compact)) != 0)
		return -1;
	if ((out->header = json_loadb(hbuf, n, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(out->header))
		goto fail;
	if ((out->payload = malloc((size_t)(d2 - d1))) == NULL ||
	    b64_decode(out->payload, (size_t)(d2 - d1), &out->payload_len, d1 + 1,
	    (size_t)(d2 - d1 - 1)) != 0)
		goto fail;
	out->payload[out->payload_len] = '\0';
	if (b64_decode(out->sig, sizeof(out->sig), &out->sig_len, d2 + 1,
	    (size_t)(end - d2 - 1)) != 0)
		goto fail;
	out->signing_input_len = (size_t)(d2 - compact);
	out->compact = compact;
	return 0;
fail:
	jws_parsed_free(out);
	return -1;
}

void
jws_parsed_free(struct jws_parsed *p)
{
	if (p == NULL)
		return;
	json_decref(p->header);
	free(p->payload);
	memset(p, 0, sizeof(*p));
}

int
jws_verify_parsed(const struct jws_key *k, const struct jws_parsed *p)
{
	const char *alg;

	if (k == NULL || p == NULL || p->header == NULL)
		return -1;
	/* No extension is understood, so any "crit" must be refused (RFC 7515 4.1.11). */
	if (json_object_get(p->header, "crit") != NULL)
		return -1;
	alg = json_string_value(json_object_get(p->header, "alg"));
	if (alg == NULL || strcmp(alg, jws_alg_name(k->alg)) != 0)
		return -1;
	if (k->gt != NULL)
		return jws_gt_verify(k->gt, (const uint8_t *)p->compact,
		    p->signing_input_len, p->sig, p->sig_len);
	if (p->sig_len != crypto_sign_BYTES)
		return -1;
	return crypto_sign_verify_detached(p->sig, (const uint8_t *)p->compact,
	    p->signing_input_len, k->pk) == 0 ? 0 : -1;
}
