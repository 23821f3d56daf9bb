/*
 * cmd_admin: migrations and relying-party registration from the shell.
 */
#include "cmd_admin.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clients.h"
#include "schema.h"

#define MAX_URIS 16

static const struct cli_cmd migrate_cmd = { "migrate", "",
	"Applies the database migrations this program has and the database lacks.\n"
	"Refuses a database whose schema is newer than this program." };

int
cmd_migrate(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	int first, version = 0;

	cli_parse(&migrate_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&migrate_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	if (db_schema_version(r.db, &version) != DB_OK)
		version = -1;
	printf("%s: schema version %d\n", cfg.db, version);
	cli_close(&r);
	return 0;
}

static const struct cli_cmd add_cmd = { "client add",
	"--name NAME --kind portal|airport|registry [--redirect-uri URI ...]\n"
	"       [--post-logout-uri URI ...] [--scope \"openid profile ...\"]\n"
	"       [--id-token-alg RS256|EdDSA|ES256]",
	"Registers a relying party and prints {client_id, client_secret}. The\n"
	"secret is shown once and stored only as a keyed hash. Redirect URIs are\n"
	"absolute https URLs without a fragment (http only for loopback)." };

struct add_opts {
	struct client_new cn;
	const char *kind;
	const char *redirects[MAX_URIS], *logouts[MAX_URIS];
};

static int
add_opt(int id, const char *val, void *arg)
{
	struct add_opts *a = arg;

	switch (id) {
	case 'n': a->cn.name = val; return 0;
	case 'k': a->kind = val; return 0;
	case 's': a->cn.scope = val; return 0;
	case 'a': a->cn.id_token_alg = val; return 0;
	case 'r':
		if (a->cn.nredirect == MAX_URIS)
			return -1;
		a->redirects[a->cn.nredirect++] = val;
		return 0;
	case 'p':
		if (a->cn.npost_logout == MAX_URIS)
			return -1;
		a->logouts[a->cn.npost_logout++] = val;
		return 0;
	}
	return -1;
}

static int
client_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "kind", required_argument, NULL, 'k' },
		{ "redirect-uri", required_argument, NULL, 'r' },
		{ "post-logout-uri", required_argument, NULL, 'p' },
		{ "scope", required_argument, NULL, 's' },
		{ "id-token-alg", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 } };
	struct add_opts a = { 0 };
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX], reason[256];
	struct config cfg;
	struct cli_res r;
	int first, rc;

	cli_parse(&add_cmd, argc, argv, opts, add_opt, &a, &cfg, &first);
	if (first != argc)
		cli_usage_error(&add_cmd, "unexpected argument %s", argv[first]);
	if (a.cn.name == NULL)
		cli_usage_error(&add_cmd, "--name is required");
	if (a.kind == NULL || client_kind_parse(a.kind, &a.cn.kind) != 0)
		cli_usage_error(&add_cmd, "--kind must be portal, airport or registry");
	a.cn.redirect_uris = a.redirects;
	a.cn.post_logout_uris = a.logouts;
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = clients_add(r.db, r.seal, &a.cn, clock_now(r.clock), id, secret,
	    reason, sizeof(reason));
	if (rc == DB_OK)
		printf("{\"client_id\":\"%s\",\"client_secret\":\"%s\"}\n", id, secret);
	else
		cli_error("client add: %s", reason);
	sodium_memzero(secret, sizeof(secret));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static void
print_client(const struct client *c, void *arg)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I}",
	    "client_id", c->client_id, "name", c->name,
	    "kind", client_kind_name(c->kind),
	    "redirect_uris", json_loads(c->redirect_uris, 0, NULL),
	    "post_logout_uris", json_loads(c->post_logout_uris, 0, NULL),
	    "scope", c->scope, "id_token_alg", c->id_token_alg,
	    "created_at", (json_int_t)c->created_at);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	UNUSED(arg);
	if (s != NULL)
		puts(s);
	free(s);
	json_decref(o);
}

static const struct cli_cmd list_cmd = { "client list", "",
	"Prints every registered client, one JSON object a line (no secrets)." };

static int
client_list(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	int first, rc;

	cli_parse(&list_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first != argc)
		cli_usage_error(&list_cmd, "unexpected argument %s", argv[first]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	if ((rc = clients_foreach(r.db, print_client, NULL)) != DB_OK)
		cli_error("client list: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_sub client_subs[] = {
	{ "add", client_add, "register a relying party; prints its id and secret" },
	{ "list", client_list, "list the relying parties (no secrets)" },
};

int
cmd_client(int argc, char **argv)
{
	return cli_dispatch("client", client_subs, ARRAY_LEN(client_subs), argc, argv);
}
