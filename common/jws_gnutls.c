/*
 * jws_gnutls: RSA and P-256 keys and signatures for JWS over GnuTLS.
 */
#include "jws_gnutls.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 4096
#define EC_COORD 32	/* a P-256 coordinate or scalar, in bytes */

struct jws_gt {
	enum jws_alg alg;
	gnutls_privkey_t priv;	/* NULL for a public key */
	gnutls_pubkey_t pub;
	size_t sig_len;		/* the JWS signature's length */
};

static gnutls_sign_algorithm_t
sign_algo(enum jws_alg alg)
{
	return alg == JWS_RS256 ? GNUTLS_SIGN_RSA_SHA256 : GNUTLS_SIGN_ECDSA_SHA256;
}

/* 0 when gt->pub is a key `alg` takes; sets the signature length. */
static int
check_pub(struct jws_gt *gt)
{
	gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	unsigned bits = 0;
	int pk = gnutls_pubkey_get_pk_algorithm(gt->pub, &bits);

	if (gt->alg == JWS_RS256) {
		if (pk != GNUTLS_PK_RSA || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
			return -1;
		gt->sig_len = (bits + 7) / 8;
		return 0;
	}
	if (pk != GNUTLS_PK_ECDSA ||
	    gnutls_pubkey_export_ecc_raw2(gt->pub, &curve, &x, &y, 0) < 0)
		return -1;
	gnutls_free(x.data);
	gnutls_free(y.data);
	gt->sig_len = 2 * EC_COORD;
	return curve == GNUTLS_ECC_CURVE_SECP256R1 ? 0 : -1;
}

static struct jws_gt *
gt_alloc(enum jws_alg alg)
{
	struct jws_gt *gt;

	if (alg != JWS_RS256 && alg != JWS_ES256)
		return NULL;
	if ((gt = calloc(1, sizeof(*gt))) == NULL)
		return NULL;
	gt->alg = alg;
	if (gnutls_pubkey_init(&gt->pub) < 0) {
		free(gt);
		return NULL;
	}
	return gt;
}

/* Takes x (released with gt, or here on failure) as gt's private key. */
static int
adopt_private(struct jws_gt *gt, gnutls_x509_privkey_t x)
{
	if (gnutls_privkey_init(&gt->priv) < 0) {
		gnutls_x509_privkey_deinit(x);
		return -1;
	}
	if (gnutls_privkey_import_x509(gt->priv, x,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) < 0) {
		gnutls_x509_privkey_deinit(x);
		return -1;
	}
	if (gnutls_pubkey_import_privkey(gt->pub, gt->priv, 0, 0) < 0)
		return -1;
	return check_pub(gt);
}

int
jws_gt_generate(enum jws_alg alg, unsigned bits, struct jws_gt **out)
{
	gnutls_x509_privkey_t x;
	struct jws_gt *gt;
	int rc;

	if (out == NULL || (alg == JWS_RS256 && (bits < RSA_MIN_BITS ||
	    bits > RSA_MAX_BITS)) || (gt = gt_alloc(alg)) == NULL)
		return -1;
	if (gnutls_x509_privkey_init(&x) < 0)
		goto fail;
	if (alg == JWS_RS256)
		rc = gnutls_x509_privkey_generate(x, GNUTLS_PK_RSA, bits, 0);
	else
		rc = gnutls_x509_privkey_generate(x, GNUTLS_PK_ECDSA,
		    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (rc < 0) {
		gnutls_x509_privkey_deinit(x);
		goto fail;
	}
	if (adopt_private(gt, x) != 0)
		goto fail;
	*out = gt;
	return 0;
fail:
	jws_gt_free(gt);
	return -1;
}

int
jws_gt_from_private(enum jws_alg alg, const uint8_t *der, size_t len,
    struct jws_gt **out)
{
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)der, (unsigned)len };
	gnutls_x509_privkey_t x;
	struct jws_gt *gt;

	if (out == NULL || der == NULL || len == 0 || len > 16384 ||
	    (gt = gt_alloc(alg)) == NULL)
		return -1;
	if (gnutls_x509_privkey_init(&x) < 0)
		goto fail;
	if (gnutls_x509_privkey_import_pkcs8(x, &d, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN) < 0) {
		gnutls_x509_privkey_deinit(x);
		goto fail;
	}
	if (adopt_private(gt, x) != 0)
		goto fail;
	*out = gt;
	return 0;
fail:
	jws_gt_free(gt);
	return -1;
}

/* The base64url member `name` of jwk decoded into buf; its length, or 0. */
static size_t
member(const json_t *jwk, const char *name, uint8_t *buf, size_t bufsz)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	size_t n = 0;

	if (s == NULL || b64_decode(buf, bufsz, &n, s, strlen(s)) != 0)
		return 0;
	return n;
}

static int
import_jwk(struct jws_gt *gt, const json_t *jwk)
{
	uint8_t a[RSA_MAX_BITS / 8 + 1], b[EC_COORD + 1];
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	gnutls_datum_t da, db;
	size_t na, nb;

	if (kty == NULL)
		return -1;
	if (gt->alg == JWS_RS256) {
		if (strcmp(kty, "RSA") != 0 ||
		    (na = member(jwk, "n", a, sizeof(a))) == 0 ||
		    (nb = member(jwk, "e", b, 8)) == 0)
			return -1;
		da = (gnutls_datum_t){ a, (unsigned)na };
		db = (gnutls_datum_t){ b, (unsigned)nb };
		return gnutls_pubkey_import_rsa_raw(gt->pub, &da, &db) < 0 ? -1 : 0;
	}
	if (strcmp(kty, "EC") != 0 || crv == NULL || strcmp(crv, "P-256") != 0 ||
	    member(jwk, "x", a, sizeof(a)) != EC_COORD ||
	    member(jwk, "y", b, sizeof(b)) != EC_COORD)
		return -1;
	da = (gnutls_datum_t){ a, EC_COORD };
	db = (gnutls_datum_t){ b, EC_COORD };
	return gnutls_pubkey_import_ecc_raw(gt->pub, GNUTLS_ECC_CURVE_SECP256R1,
	    &da, &db) < 0 ? -1 : 0;
}

int
jws_gt_from_jwk(enum jws_alg alg, const json_t *jwk, struct jws_gt **out)
{
	struct jws_gt *gt;

	if (out == NULL || !json_is_object(jwk) || (gt = gt_alloc(alg)) == NULL)
		return -1;
	if (import_jwk(gt, jwk) != 0 || check_pub(gt) != 0) {
		jws_gt_free(gt);
		return -1;
	}
	*out = gt;
	return 0;
}

void
jws_gt_free(struct jws_gt *gt)
{
	if (gt == NULL)
		return;
	if (gt->priv != NULL)
		gnutls_privkey_deinit(gt->priv);
	if (gt->pub != NULL)
		gnutls_pubkey_deinit(gt->pub);
	free(gt);
}

int
jws_gt_has_private(const struct jws_gt *gt)
{
	return gt != NULL && gt->priv != NULL;
}

int
jws_gt_private_der(const struct jws_gt *gt, uint8_t *out, size_t outsz,
    size_t *len)
{
	gnutls_x509_privkey_t x = NULL;
	gnutls_datum_t d = { NULL, 0 };
	int rc = -1;

	if (!jws_gt_has_private(gt) || out == NULL || len == NULL ||
	    gnutls_privkey_export_x509(gt->priv, &x) < 0)
		return -1;
	if (gnutls_x509_privkey_export2_pkcs8(x, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN, &d) < 0 || d.size > outsz)
		goto done;
	memcpy(out, d.data, d.size);
	*len = d.size;
	rc = 0;
done:
	if (d.data != NULL) {
		sodium_memzero(d.data, d.size);
		gnutls_free(d.data);
	}
	gnutls_x509_privkey_deinit(x);
	return rc;
}

/* Sets jwk[name] to the base64url of d, left-padded with zeros to `width`. */
static int
set_b64(json_t *jwk, const char *name, const gnutls_datum_t *d, size_t width)
{
	uint8_t buf[RSA_MAX_BITS / 8];
	char text[(RSA_MAX_BITS / 8) * 4 / 3 + 4];
	size_t n = width > 0 ? width : d->size;

	if (d->size > n || n > sizeof(buf))
		return -1;
	memset(buf, 0, n - d->size);
	memcpy(buf + n - d->size, d->data, d->size);
	if (b64_encode(text, sizeof(text), buf, n) == 0)
		return -1;
	return json_object_set_new(jwk, name, json_string(text));
}

int
jws_gt_public_members(const struct jws_gt *gt, json_t *jwk)
{
	gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
	gnutls_ecc_curve_t curve;
	int rc = -1;

	if (gt == NULL || !json_is_object(jwk))
		return -1;
	if (gt->alg == JWS_RS256) {
		if (gnutls_pubkey_export_rsa_raw2(gt->pub, &a, &b,
		    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			return -1;
		rc = json_object_set_new(jwk, "kty", json_string("RSA")) |
		    set_b64(jwk, "n", &a, 0) | set_b64(jwk, "e", &b, 0);
	} else {
		if (gnutls_pubkey_export_ecc_raw2(gt->pub, &curve, &a, &b,
		    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			return -1;
		rc = json_object_set_new(jwk, "kty", json_string("EC")) |
		    json_object_set_new(jwk, "crv", json_string("P-256")) |
		    set_b64(jwk, "x", &a, EC_COORD) | set_b64(jwk, "y", &b, EC_COORD);
	}
	gnutls_free(a.data);
	gnutls_free(b.data);
	return rc == 0 ? 0 : -1;
}

/* Copies the integer d right-aligned into out[EC_COORD]. */
static int
put_scalar(uint8_t *out, const gnutls_datum_t *d)
{
	const uint8_t *p = d->data;
	size_t n = d->size;

	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n > EC_COORD)
		return -1;
	memset(out, 0, EC_COORD - n);
	memcpy(out + EC_COORD - n, p, n);
	return 0;
}

int
jws_gt_sign(const struct jws_gt *gt, const uint8_t *data, size_t len,
    uint8_t *sig, size_t sigsz, size_t *siglen)
{
	gnutls_datum_t in = { (unsigned char *)(uintptr_t)data, (unsigned)len };
	gnutls_datum_t s = { NULL, 0 }, r = { NULL, 0 }, ss = { NULL, 0 };
	int rc = -1;

	if (!jws_gt_has_private(gt) || sigsz < gt->sig_len || len > UINT32_MAX ||
	    gnutls_privkey_sign_data2(gt->priv, sign_algo(gt->alg), 0, &in, &s) < 0)
		return -1;
	if (gt->alg == JWS_RS256) {
		if (s.size == gt->sig_len) {
			memcpy(sig, s.data, s.size);
			rc = 0;
		}
	} else if (gnutls_decode_rs_value(&s, &r, &ss) >= 0 &&
	    put_scalar(sig, &r) == 0 && put_scalar(sig + EC_COORD, &ss) == 0) {
		rc = 0;
	}
	*siglen = gt->sig_len;
	gnutls_free(s.data);
	gnutls_free(r.data);
	gnutls_free(ss.data);
	return rc;
}

int
jws_gt_verify(const struct jws_gt *gt, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	gnutls_datum_t in = { (unsigned char *)(uintptr_t)data, (unsigned)len };
	gnutls_datum_t s = { (unsigned char *)(uintptr_t)sig, (unsigned)siglen };
	gnutls_datum_t r, ss, der = { NULL, 0 };
	int rc;

	if (gt == NULL || sig == NULL || siglen != gt->sig_len || len > UINT32_MAX)
		return -1;
	if (gt->alg == JWS_RS256)
		return gnutls_pubkey_verify_data2(gt->pub, sign_algo(gt->alg), 0,
		    &in, &s) < 0 ? -1 : 0;
	r = (gnutls_datum_t){ (unsigned char *)(uintptr_t)sig, EC_COORD };
	ss = (gnutls_datum_t){ (unsigned char *)(uintptr_t)sig + EC_COORD, EC_COORD };
	if (gnutls_encode_rs_value(&der, &r, &ss) < 0)
		return -1;
	rc = gnutls_pubkey_verify_data2(gt->pub, sign_algo(gt->alg), 0, &in, &der);
	gnutls_free(der.data);
	return rc < 0 ? -1 : 0;
}
