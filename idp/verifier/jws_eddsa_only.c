/*
 * jws_eddsa_only: eid-verify's stand-in for common/jws_gnutls. The keys
 * eid-verify needs (the credential key and the status-list key) are EdDSA,
 * which common/jws does with libsodium alone; without GnuTLS the program
 * starts in about half the time. RS256 and ES256 keys in the JWK Set are
 * skipped (jws_gt_from_jwk fails, trust_open ignores the key).
 */
#include "jws_gnutls.h"

int
jws_gt_generate(enum jws_alg alg, unsigned bits, struct jws_gt **out)
{
	(void)alg, (void)bits, (void)out;
	return -1;
}

int
jws_gt_from_private(enum jws_alg alg, const uint8_t *der, size_t len,
    struct jws_gt **out)
{
	(void)alg, (void)der, (void)len, (void)out;
	return -1;
}

int
jws_gt_from_jwk(enum jws_alg alg, const json_t *jwk, struct jws_gt **out)
{
	(void)alg, (void)jwk, (void)out;
	return -1;
}

void
jws_gt_free(struct jws_gt *gt)
{
	(void)gt;
}

int
jws_gt_has_private(const struct jws_gt *gt)
{
	(void)gt;
	return 0;
}

int
jws_gt_private_der(const struct jws_gt *gt, uint8_t *out, size_t outsz,
    size_t *len)
{
	(void)gt, (void)out, (void)outsz, (void)len;
	return -1;
}

int
jws_gt_public_members(const struct jws_gt *gt, json_t *jwk)
{
	(void)gt, (void)jwk;
	return -1;
}

int
jws_gt_sign(const struct jws_gt *gt, const uint8_t *data, size_t len,
    uint8_t *sig, size_t sigsz, size_t *siglen)
{
	(void)gt, (void)data, (void)len, (void)sig, (void)sigsz, (void)siglen;
	return -1;
}

int
jws_gt_verify(const struct jws_gt *gt, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen)
{
	(void)gt, (void)data, (void)len, (void)sig, (void)siglen;
	return -1;
}
