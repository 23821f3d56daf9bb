/*
 * jws_gnutls: the RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and ES256 (ECDSA
 * P-256 with SHA-256) keys of jws, over GnuTLS. Owns the GnuTLS key objects
 * of one key; private keys travel as PKCS#8 DER (for sealing at rest) and
 * public keys as JWK members. Signatures are in their JWS form: the RSA
 * signature as is, the ECDSA one as the 64 bytes R || S. Used by jws only.
 */
#ifndef COMMON_JWS_GNUTLS_H
#define COMMON_JWS_GNUTLS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "jws.h"

#define JWS_GT_SIG_MAX 512	/* an RSA-4096 signature */

struct jws_gt;

/* A new private key: RSA of `bits` (2048..4096) for RS256, P-256 for ES256. */
int jws_gt_generate(enum jws_alg, unsigned bits, struct jws_gt **out) WUR;
/* A private key from unencrypted PKCS#8 DER; -1 when not a key of `alg`. */
int jws_gt_from_private(enum jws_alg, const uint8_t *der, size_t len,
    struct jws_gt **out) WUR;
/* A public key from a JWK's n and e (RS256) or crv, x and y (ES256). */
int jws_gt_from_jwk(enum jws_alg, const json_t *jwk, struct jws_gt **out) WUR;
void jws_gt_free(struct jws_gt *);
int jws_gt_has_private(const struct jws_gt *);
/* The private key as PKCS#8 DER into out; wiped on failure. */
int jws_gt_private_der(const struct jws_gt *, uint8_t *out, size_t outsz,
    size_t *len) WUR;
/* Adds kty and the public members (n, e or crv, x, y) to `jwk`. */
int jws_gt_public_members(const struct jws_gt *, json_t *jwk) WUR;

/*
 * The JWS signature of data into sig[sigsz]. Safe to call on one key from
 * many threads at once: the GnuTLS manual makes read-only use of shared
 * objects thread-safe, and a software (not PKCS#11) private key is only read
 * while signing, as when TLS sessions on many threads share one credentials
 * structure.
 */
int jws_gt_sign(const struct jws_gt *, const uint8_t *data, size_t len,
    uint8_t *sig, size_t sigsz, size_t *siglen) WUR;
/* 0 when sig is a valid JWS signature of data by the key. */
int jws_gt_verify(const struct jws_gt *, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen) WUR;

#endif
