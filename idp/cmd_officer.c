/*
 * cmd_officer: adding officers (the token printed once) and revoking them.
 */
#include "cmd_officer.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "officers.h"

static const struct cli_cmd add_cmd = { "officer add",
	"--name NAME --office OFFICE",
	"Adds a registration officer and prints {officer_id, token}. The token\n"
	"(sent as \"Authorization: Bearer TOKEN\" to POST /v1/enrollments) is\n"
	"shown once and stored only as a keyed hash." };

struct add_opts {
	const char *name;
	const char *office;
};

static int
add_opt(int id, const char *val, void *arg)
{
	struct add_opts *a = arg;

	switch (id) {
	case 'n': a->name = val; return 0;
	case 'o': a->office = val; return 0;
	}
	return -1;
}

static int
print_officer(const char *id, const char *token)
{
	json_t *o = json_pack("{s:s, s:s}", "officer_id", id, "token", token);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc = s != NULL && puts(s) >= 0 && fflush(stdout) == 0 ? 0 : -1;

	if (s != NULL)
		sodium_memzero(s, strlen(s));
	free(s);
	json_decref(o);
	return rc;
}

static int
officer_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "office", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 } };
	struct add_opts a = { NULL, NULL };
	char id[OFFICER_ID_SIZE], token[OFFICER_TOKEN_SIZE], reason[256];
	struct config cfg;
	struct cli_res r;
	int first, rc;

	cli_parse(&add_cmd, argc, argv, opts, add_opt, &a, &cfg, &first);
	if (first != argc)
		cli_usage_error(&add_cmd, "unexpected argument %s", argv[first]);
	if (a.name == NULL)
		cli_usage_error(&add_cmd, "--name is required");
	if (a.office == NULL)
		cli_usage_error(&add_cmd, "--office is required");
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = officers_add(r.db, r.seal, a.name, a.office, clock_now(r.clock), id,
	    token, reason, sizeof(reason));
	if (rc == DB_OK && print_officer(id, token) != 0) {
		cli_error("officer add: cannot write the token");
		rc = DB_ERR;
	} else if (rc != DB_OK)
		cli_error("officer add: %s", reason);
	sodium_memzero(token, sizeof(token));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_cmd revoke_cmd = { "officer revoke", "OFFICER_ID",
	"Revokes the officer's token: it no longer enrolls anyone. Enrollments\n"
	"made before stay valid and audited." };

static int
officer_revoke(int argc, char **argv)
{
	struct config cfg;
	struct cli_res r;
	int first, rc;

	cli_parse(&revoke_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first == argc)
		cli_usage_error(&revoke_cmd, "OFFICER_ID is required");
	if (argc - first > 1)
		cli_usage_error(&revoke_cmd, "unexpected argument %s", argv[first + 1]);
	if (cli_open(&cfg, &r) != 0)
		return 1;
	rc = officers_revoke(r.db, argv[first], clock_now(r.clock));
	if (rc == DB_OK)
		printf("revoked %s\n", argv[first]);
	else if (rc == OFFICER_NOT_FOUND)
		cli_error("officer revoke: no officer %s", argv[first]);
	else
		cli_error("officer revoke: %s", db_strerror(rc));
	cli_close(&r);
	return rc == DB_OK ? 0 : 1;
}

static const struct cli_sub officer_subs[] = {
	{ "add", officer_add, "add a registration officer; prints its id and token" },
	{ "revoke", officer_revoke, "revoke an officer's token" },
};

int
cmd_officer(int argc, char **argv)
{
	return cli_dispatch("officer", officer_subs, ARRAY_LEN(officer_subs), argc, argv);
}
