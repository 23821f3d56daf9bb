/*
 * cmd_keys: rotating the ID-token signing keys.
 */
#include "cmd_keys.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "keys.h"

static const struct cli_cmd rotate_cmd = { "keys rotate", "",
	"Makes new current ID-token signing keys (RS256, EdDSA, ES256) and\n"
	"retires the current ones, which stay published in the JWKS as the\n"
	"previous keys so tokens they signed still verify; older keys are no\n"
	"longer published. A running server picks the new keys up within 60\n"
	"seconds. The card centre's key is not rotated. Prints\n"
	"{\"rotated\": [{\"alg\", \"kid\"}, ...]}." };

static int
keys_rotate_cmd(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	json_t *rotated = NULL, *out;
	char *text = NULL;
	int first, rc, ok;

	cli_parse(&rotate_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&rotate_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = keys_rotate(r.db, r.seal, KEYS_ID_TOKEN, clock_now(r.clock), &rotated);
	if (rc == DB_OK) {
		out = json_pack("{s:o}", "rotated", rotated);
		text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(out);
	}
	if ((ok = text != NULL))
		puts(text);
	else
		cli_error("keys rotate: %s", db_strerror(rc == DB_OK ? DB_ERR : rc));
	free(text);
	cli_close(&r);
	return ok ? 0 : 1;
}

static const struct cli_sub keys_subs[] = {
	{ "rotate", keys_rotate_cmd, "new ID-token signing keys; the old stay published" },
};

int
cmd_keys(int argc, char **argv)
{
	return cli_dispatch("keys", keys_subs, ARRAY_LEN(keys_subs), argc, argv);
}
