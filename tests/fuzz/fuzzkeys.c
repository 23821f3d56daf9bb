/*
 * fuzzkeys: the fixed keys of the fuzz harnesses.
 */
#include "fuzzkeys.h"

#include <sodium.h>
#include <string.h>

struct jws_key *
fuzzkeys_make(uint8_t seed, const char *kid)
{
	uint8_t s[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES],
	    sk[crypto_sign_SECRETKEYBYTES];
	struct jws_key *k = NULL;

	if (sodium_init() < 0)
		return NULL;
	memset(s, seed, sizeof(s));
	crypto_sign_seed_keypair(pk, sk, s);
	if (jws_key_from_private(JWS_EDDSA, kid, sk, sizeof(sk), &k) != 0)
		k = NULL;
	sodium_memzero(sk, sizeof(sk));
	return k;
}

struct jws_key *
fuzzkeys_credential(void)
{
	return fuzzkeys_make(0x11, FUZZ_CRED_KID);
}

struct jws_key *
fuzzkeys_device(void)
{
	return fuzzkeys_make(0x22, FUZZ_DEVICE_KID);
}
