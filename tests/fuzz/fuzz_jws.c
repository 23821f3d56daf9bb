/*
 * fuzz_jws: compact JWS as every verifier in the server reads one (ID
 * token hints, chip records, credentials, status lists): jws_parse, then
 * jws_verify_parsed against an EdDSA key (fixed, so that signed seeds
 * verify), an RS256 and an ES256 key.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzzkeys.h"
#include "jws.h"

static struct jws_key *keys[JWS_ALG_COUNT];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_SETUP_BEGIN();
	keys[0] = fuzzkeys_credential();
	if (keys[0] == NULL || jws_key_generate(JWS_RS256, "rs", &keys[1]) != 0 ||
	    jws_key_generate(JWS_ES256, "es", &keys[2]) != 0)
		abort();
	FUZZ_SETUP_END();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jws_parsed p;
	/* Exact size, unterminated: jws_parse is bounded by its length. */
	char *text = malloc(size > 0 ? size : 1);

	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	if (jws_parse(text, size, &p) == 0) {
		if (p.header == NULL || p.payload == NULL ||
		    p.payload[p.payload_len] != '\0' || p.sig_len > sizeof(p.sig) ||
		    p.signing_input_len > size)
			__builtin_trap();
		for (size_t i = 0; i < JWS_ALG_COUNT; i++) {
			const char *alg = json_string_value(json_object_get(p.header,
			    "alg"));
			/* A signature holds only under the key's own alg. */
			if (jws_verify_parsed(keys[i], &p) == 0 && (alg == NULL ||
			    strcmp(alg, jws_alg_name(jws_key_alg(keys[i]))) != 0))
				__builtin_trap();
		}
		jws_parsed_free(&p);
	}
	free(text);
	return 0;
}
