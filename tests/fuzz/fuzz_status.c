/*
 * fuzz_status: the credential status list as eid-verify reads it
 * (trust_load_status: a compact JWS by a key of the trusted set, with iat
 * and revoked), over a fresh trust holding the fixed credential key, as of
 * the fixed clock. The input is written to a memory file first, since the
 * verifier reads a path.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzzkeys.h"
#include "trust.h"

static char jwks_path[64];

/* A memory file holding data[size]; its /proc path into path[64]; the fd or -1. */
static int
memfile(const void *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return -1;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jws_key *k = fuzzkeys_credential();
	json_t *set;
	char *text;

	(void)argc;
	(void)argv;
	if (k == NULL)
		abort();
	set = json_pack("{s:[o]}", "keys", jws_key_public_jwk(k));
	text = set != NULL ? json_dumps(set, JSON_COMPACT) : NULL;
	if (text == NULL || memfile(text, strlen(text), jwks_path) < 0)
		abort();	/* the fd stays open for the process's life */
	free(text);
	json_decref(set);
	jws_key_free(k);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trust *t;
	char err[512], path[64];
	int fd, rc;

	if (trust_open(jwks_path, &t, err, sizeof(err)) != 0)
		abort();
	if ((fd = memfile(data, size, path)) >= 0) {
		rc = trust_load_status(t, path, FUZZ_NOW, 86400, err, sizeof(err));
		bool a = trust_revoked(t, "jti-a"), b = trust_revoked(t, "jti-b");
		/* The same list again replaces the first with itself. */
		if (trust_load_status(t, path, FUZZ_NOW, 86400, err,
		    sizeof(err)) != rc || (rc == 0 &&
		    (trust_revoked(t, "jti-a") != a || trust_revoked(t, "jti-b") != b)))
			__builtin_trap();
		close(fd);
	}
	trust_free(t);
	return 0;
}
