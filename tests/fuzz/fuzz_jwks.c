/*
 * fuzz_jwks: a JWK Set as eid-verify reads its trusted keys (trust_open,
 * hence jws_key_from_jwk for OKP, RSA and EC keys), then a fixed signed
 * JWS checked against every key the set yielded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzzkeys.h"
#include "trust.h"

static char *signed_jws;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jws_key *k = fuzzkeys_credential();

	(void)argc;
	(void)argv;
	if (k == NULL || (signed_jws = jws_sign(k, "JWT", "{}", 2)) == NULL)
		abort();
	jws_key_free(k);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kids[] = { FUZZ_CRED_KID, "k1", "rsa", "ec", "" };
	struct jws_parsed p;
	struct trust *t;
	char err[512], path[64];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if ((size == 0 || write(fd, data, size) == (ssize_t)size)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (trust_open(path, &t, err, sizeof(err)) == 0) {
			if (jws_parse(signed_jws, strlen(signed_jws), &p) != 0)
				abort();
			for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
				const struct jws_key *k = trust_key(t, kids[i]);
				/* The JWS is EdDSA: no RSA or EC key may pass it. */
				if (k != NULL && jws_verify_parsed(k, &p) == 0 &&
				    jws_key_alg(k) != JWS_EDDSA)
					__builtin_trap();
			}
			jws_parsed_free(&p);
			trust_free(t);
		}
	}
	close(fd);
	return 0;
}
