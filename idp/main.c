/*
 * main: the `idp` program: picks the subcommand.
 */
#include <sodium.h>
#include <stdio.h>

#include "base.h"
#include "cli.h"
#include "cmd_admin.h"
#include "cmd_audit.h"
#include "cmd_backup.h"
#include "cmd_keys.h"
#include "cmd_officer.h"
#include "cmd_registry.h"
#include "cmd_serve.h"
#include "cmd_sms.h"

static const struct cli_sub commands[] = {
	{ "serve", cmd_serve, "run the HTTP service" },
	{ "migrate", cmd_migrate, "apply database migrations" },
	{ "registry", cmd_registry, "import, generate, issue cards, apply events" },
	{ "client", cmd_client, "register and list relying parties" },
	{ "officer", cmd_officer, "add and revoke enrolling officers" },
	{ "keys", cmd_keys, "rotate the ID-token signing keys" },
	{ "sms", cmd_sms, "list the SMS outbox (the default gateway)" },
	{ "audit", cmd_audit, "verify, checkpoint and export the audit trail" },
	{ "backup", cmd_backup, "copy the database while the server runs" },
};

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "idp: libsodium failed to start\n");
		return 1;
	}
	return cli_dispatch("", commands, ARRAY_LEN(commands), argc, argv);
}
