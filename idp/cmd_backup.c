/*
 * cmd_backup: copying the database while the server runs.
 */
#include "cmd_backup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const struct cli_cmd backup_cmd = { "backup", "FILE",
	"Copies the database into FILE while a server may be using it: one\n"
	"consistent snapshot, written to FILE.tmp (mode 0600), synced to disk,\n"
	"then renamed to FILE. Prints the page count. The master key is not\n"
	"in the copy: back it up once, apart. To restore, stop the server, put\n"
	"the copy in place of the database (removing its -wal and -shm files)\n"
	"with the same master key, and start it." };

int
cmd_backup(int argc, char **argv)
{
	struct config cfg;
	struct stat st;
	char err[512] = "";
	int first, pages = 0, rc;

	cli_parse(&backup_cmd, argc, argv, NULL, NULL, NULL, &cfg, &first);
	if (first == argc)
		cli_usage_error(&backup_cmd, "missing FILE");
	if (first + 1 != argc)
		cli_usage_error(&backup_cmd, "unexpected argument %s", argv[first + 1]);
	/* A missing database would be made, empty, by opening it. */
	if (stat(cfg.db, &st) != 0) {
		cli_error("%s: %s", cfg.db, strerror(errno));
		return 1;
	}
	rc = db_backup(cfg.db, argv[first], &pages, err, sizeof(err));
	if (rc != DB_OK) {
		cli_error("backup: %s", err[0] != '\0' ? err : db_strerror(rc));
		return 1;
	}
	printf("backed up %s to %s: %d pages\n", cfg.db, argv[first], pages);
	return 0;
}
