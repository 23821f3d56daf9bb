/*
 * jws: JSON Web Signatures in compact form (RFC 7515) and the keys that make
 * and check them, with their public JWK (RFC 7517, RFC 8037). Owns key
 * material in locked memory, wiped on free. EdDSA (Ed25519) is done with
 * libsodium; RS256 (RSASSA-PKCS1-v1_5, SHA-256) and ES256 (ECDSA P-256,
 * SHA-256, signature R || S) with GnuTLS, in jws_gnutls. A key may sign from
 * many threads at once.
 */
#ifndef COMMON_JWS_H
#define COMMON_JWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

enum jws_alg { JWS_EDDSA, JWS_RS256, JWS_ES256 };

#define JWS_ALG_COUNT 3
#define JWS_RSA_DEFAULT_BITS 2048

#define JWS_MAX_COMPACT (64 * 1024)

struct jws_key;

/* A new private key of `alg` named `kid` (RS256: RSA of 2048 bits). */
int jws_key_generate(enum jws_alg, const char *kid, struct jws_key **out) WUR;
/* A new RS256 key of `bits` (2048 to 4096, e.g. 3072). */
int jws_key_generate_rsa(unsigned bits, const char *kid, struct jws_key **out) WUR;
/*
 * The private key's bytes, for sealing at rest: raw for EdDSA (64 bytes),
 * PKCS#8 DER for RS256 and ES256 (RSA-4096 needs about 2,400); *len set.
 * Wipe after use.
 */
int jws_key_private_bytes(const struct jws_key *, uint8_t *out, size_t outsz,
    size_t *len) WUR;
int jws_key_from_private(enum jws_alg, const char *kid, const uint8_t *bytes,
    size_t len, struct jws_key **out) WUR;
/*
 * A public key from a JWK object (OKP Ed25519, RSA, EC P-256); -1 when it is
 * not a supported key, or its "alg", when present, is not the key's.
 */
int jws_key_from_jwk(const json_t *jwk, struct jws_key **out) WUR;
void jws_key_free(struct jws_key *);
const char *jws_key_kid(const struct jws_key *);
enum jws_alg jws_key_alg(const struct jws_key *);
/* "EdDSA", "RS256", "ES256". */
const char *jws_alg_name(enum jws_alg);
/* The alg of a name; -1 when not a supported one ("none", "HS256", ...). */
int jws_alg_parse(const char *name, enum jws_alg *out) WUR;
/* The public JWK with kid, use "sig" and alg. */
json_t *jws_key_public_jwk(const struct jws_key *);

/*
 * Signs `payload` (JSON text) with header {"alg", "typ" (when not NULL),
 * "kid"}; returns a new compact JWS (free()) or NULL.
 */
char *jws_sign(const struct jws_key *, const char *typ, const char *payload,
    size_t len);

/* A parsed compact JWS; its strings are owned by it. */
struct jws_parsed {
	json_t *header;		/* the protected header */
	char *payload;		/* decoded payload bytes, NUL-terminated */
	size_t payload_len;
	uint8_t sig[512];
	size_t sig_len;
	size_t signing_input_len;	/* bytes of "header.payload" */
	const char *compact;	/* the input, not owned */
};

/* Splits and decodes; -1 when malformed. Free with jws_parsed_free. */
int jws_parse(const char *compact, size_t len, struct jws_parsed *out) WUR;
void jws_parsed_free(struct jws_parsed *);
/*
 * 0 when the signature is by `key` and the header's alg is key's alg (so
 * "none", HMAC and any other alg than the key's are refused), and the
 * header has no "crit".
 */
int jws_verify_parsed(const struct jws_key *, const struct jws_parsed *) WUR;

#endif
