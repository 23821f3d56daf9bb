/*
 * fuzz_device: a device-signed request as every device endpoint checks it
 * (devices_authenticate: the Authorization: Device header, clock window,
 * signature over method, target and body, nonce, revocation) against a
 * database holding one level-2 citizen with the fixed device key bound.
 * Input: the header value, the method, the target and the body, split at
 * the first three newlines. FUZZ_DEVICE_PLACEHOLDER in the header stands
 * for the bound device's id (random at bind time), so signed seeds name it.
 */
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "fixture.h"
#include "fuzz.h"
#include "fuzzkeys.h"
#include "presfix.h"

#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"

static struct fixture fx;
static struct device dev;

static void
cleanup(void)
{
	fixture_close(&fx);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jws_key *k = fuzzkeys_device();

	(void)argc;
	(void)argv;
	atexit(cleanup);
	if (k == NULL || fixture_open(&fx, "fuzz_device") != 0 ||
	    presfix_citizen(&fx, ROW, PID, k, FUZZ_NOW - 60, &dev) != 0)
		abort();
	jws_key_free(k);
	return 0;
}

/* The next line of *p (cut at '\n') or the rest at the end; NULL when none. */
static char *
next_line(char **p)
{
	char *s = *p, *nl;

	if (s == NULL)
		return NULL;
	nl = strchr(s, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = NULL;
	return s;
}

/* The header with FUZZ_DEVICE_PLACEHOLDER replaced by the device id; free(). */
static char *
with_device(const char *h)
{
	const char *at = strstr(h, FUZZ_DEVICE_PLACEHOLDER);
	char *out;

	if (at == NULL)
		return strdup(h);
	if ((out = malloc(strlen(h) + DEV_ID_SIZE)) != NULL)
		sprintf(out, "%.*s%s%s", (int)(at - h), h, dev.device_id, at + strlen(FUZZ_DEVICE_PLACEHOLDER));
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *p = text, *auth, *hdr, *method, *target;
	struct device out;
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	auth = next_line(&p);
	method = next_line(&p);
	target = next_line(&p);
	/* The body: the rest of the input as bytes (it may hold NULs). */
	size_t blen = p != NULL ? size - (size_t)(p - text) : 0;
	if ((hdr = with_device(auth)) != NULL && method != NULL && target != NULL) {
		rc = devices_authenticate(fx.db, hdr, method, target, p != NULL ? p : "",
		    blen, FUZZ_NOW, &out);
		if (rc == DB_OK && strcmp(out.device_id, dev.device_id) != 0)
			__builtin_trap();
	}
	free(hdr);
	free(text);
	return 0;
}
