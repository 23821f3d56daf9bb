/*
 * main: the `idp` program: picks the subcommand.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "cli.h"
#include "cmd_admin.h"
#include "cmd_registry.h"
#include "cmd_serve.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "serve", cmd_serve, "run the HTTP service" },
	{ "migrate", cmd_migrate, "apply database migrations" },
	{ "registry", cmd_registry, "import, generate, issue cards, apply events" },
	{ "client", cmd_client, "register and list relying parties" },
};

static int
usage(FILE *out, int rc)
{
	fprintf(out, "usage: idp COMMAND [options]   (idp COMMAND --help for more)\n\n"
	    "commands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\nEvery command takes --db PATH (default var/idp.db, or $IDP_DB).\n");
	return rc;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "idp: libsodium failed to start\n");
		return 1;
	}
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "idp: unknown command %s (see idp --help)\n", argv[1]);
	return EXIT_USAGE;
}
