/*
 * fuzz_uri: the `dinhdanh://login?tx=...&idp=...` URI of a QR code as
 * `eid-app approve` reads it (idp/app/app_uri.c), the input's bytes as the
 * URI. Whatever it accepts is a 43-character base64url tx and an idp of
 * printable ASCII within its bound, without trailing slashes; the server's
 * own URI for that tx and idp (qrlogin_uri) parses back to the same two.
 */
#include <stdio.h>
#include <string.h>

#include "app_uri.h"
#include "fuzz.h"
#include "qrlogin.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
check_accepted(const struct app_uri_login *got)
{
	size_t n = strnlen(got->idp, sizeof(got->idp));

	if (!app_uri_is_id(got->tx) || n > APP_URI_IDP_MAX ||
	    (n > 0 && got->idp[n - 1] == '/'))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (got->idp[i] < 0x20 || got->idp[i] > 0x7e)
			__builtin_trap();
}

/* The server's URI for got parses to got again. */
static void
check_round_trip(const struct app_uri_login *got)
{
	struct app_uri_login back;
	char uri[APP_URI_MAX + 1];
	size_t n;

	if (got->idp[0] == '\0')
		n = (size_t)snprintf(uri, sizeof(uri), "dinhdanh://login?tx=%s",
		    got->tx);
	else if (qrlogin_uri(got->idp, got->tx, uri, sizeof(uri)) != 0)
		__builtin_trap();
	else
		n = strlen(uri);
	if (app_uri_parse_login(uri, n, &back) != APP_URI_OK ||
	    strcmp(back.tx, got->tx) != 0 || strcmp(back.idp, got->idp) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_uri_login got;

	if (app_uri_parse_login((const char *)data, size, &got) == APP_URI_OK) {
		check_accepted(&got);
		check_round_trip(&got);
	} else if (got.tx[0] != '\0' || got.idp[0] != '\0')
		__builtin_trap();
	return 0;
}
