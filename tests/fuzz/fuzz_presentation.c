/*
 * fuzz_presentation: an airport presentation as both verifiers check it
 * (presentation_check, then presentation_verdict): the device-signed JWS,
 * the credential inside it, both signatures, level, expiry and iat window,
 * with the fixed credential key trusted and the fixed clock.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzzkeys.h"
#include "presentation.h"

static struct jws_key *cred_key;

static const struct jws_key *
key_of(void *arg, const char *kid)
{
	(void)arg;
	return kid != NULL && strcmp(kid, jws_key_kid(cred_key)) == 0 ?
	    cred_key : NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((cred_key = fuzzkeys_credential()) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pres_result res;
	enum pres_reason why;
	json_t *verdict;
	char *text = malloc(size > 0 ? size : 1);

	if (text == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	memset(&res, 0, sizeof(res));
	why = presentation_check(text, size, FUZZ_NOW, key_of, NULL, &res);
	if (why != res.reason || strnlen(res.pres_jti, PRES_JTI_MAX) == PRES_JTI_MAX ||
	    strnlen(res.cred_jti, PRES_JTI_MAX) == PRES_JTI_MAX)
		__builtin_trap();
	if ((verdict = presentation_verdict(&res, FUZZ_NOW)) != NULL) {
		char *s = json_dumps(verdict, JSON_COMPACT);
		free(s);
		json_decref(verdict);
	}
	free(text);
	return 0;
}
