/*
 * cli: shared option handling and resource opening for idp subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"

#define OPT_DB 1000
#define OPT_HELP 1001
#define OPT_CONFIG 1002
#define MAX_OPTS 32

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("idp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "idp %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see idp %s --help)\n", cmd->name);
	exit(EXIT_USAGE);
}

void
cli_print_help(const struct cli_cmd *cmd)
{
	printf("usage: idp %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->help);
	printf("\ncommon options:\n"
	    "  --db PATH     the database (default var/idp.db, or $IDP_DB)\n"
	    "  --config FILE settings as KEY = VALUE lines, KEY a flag's name;\n"
	    "                flags given too win\n"
	    "  --help        this text\n");
}

/*
 * The config file named by --config FILE or --config=FILE, applied before
 * any flag so that flags win; a bad line exits 2 with FILE:LINE.
 */
static void
load_config_file(const struct cli_cmd *cmd, int argc, char **argv,
    struct config *cfg)
{
	const char *path = NULL;
	char err[CONFIG_PATH_MAX + 300];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
	}
	if (path != NULL && config_load_file(cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "idp %s: %s\n", cmd->name, err);
		exit(EXIT_USAGE);
	}
}

void
cli_parse(const struct cli_cmd *cmd, int argc, char **argv,
    const struct option *extra, int (*opt)(int, const char *, void *),
    void *arg, struct config *cfg, int *first)
{
	struct option opts[MAX_OPTS];
	size_t n = 0;
	char err[256];
	int c, idx = 0;

	config_defaults(cfg);
	config_from_env(cfg);
	load_config_file(cmd, argc, argv, cfg);
	for (; extra != NULL && extra[n].name != NULL && n < MAX_OPTS - 4; n++)
		opts[n] = extra[n];
	opts[n++] = (struct option){ "db", required_argument, NULL, OPT_DB };
	opts[n++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	opts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", opts, &idx)) != -1) {
		if (c == OPT_HELP) {
			cli_print_help(cmd);
			exit(0);
		}
		if (c == OPT_CONFIG)
			continue;	/* applied before the flags */
		if (c == OPT_DB) {
			if (config_set(cfg, "db", optarg, err, sizeof(err)) != 0)
				cli_usage_error(cmd, "%s", err);
			continue;
		}
		if (c == ':')
			cli_usage_error(cmd, "%s needs a value", argv[optind - 1]);
		if (c == '?')
			cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
		if (opt == NULL || opt(c, optarg, arg) != 0)
			cli_usage_error(cmd, "bad value for --%s: \"%s\"", opts[idx].name,
			    optarg != NULL ? optarg : "");
	}
	if (config_finish(cfg, err, sizeof(err)) != 0)
		cli_usage_error(cmd, "%s", err);
	*first = optind;
}

int
cli_dispatch(const char *group, const struct cli_sub *subs, size_t n,
    int argc, char **argv)
{
	const char *sep = group[0] != '\0' ? " " : "";

	if (argc < 2) {
		fprintf(stderr, "idp%s%s: missing COMMAND (see idp%s%s --help)\n",
		    sep, group, sep, group);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (group[0] == '\0' && strcmp(argv[1], "help") == 0)) {
		FILE *out = stdout;
		fprintf(out, "usage: idp%s%s COMMAND [options]   (idp%s%s COMMAND --help "
		    "for more)\n\ncommands:\n", sep, group, sep, group);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "  %-11s %s\n", subs[i].name, subs[i].what);
		fprintf(out, "\nEvery command takes --db PATH (default var/idp.db, "
		    "or $IDP_DB) and --config FILE.\n");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "idp%s%s: unknown command %s (see idp%s%s --help)\n", sep,
	    group, argv[1], sep, group);
	return EXIT_USAGE;
}

static int
ensure_default_dir(const struct config *cfg)
{
	/* The default var/ is made on demand; any other directory must exist. */
	if (strcmp(cfg->db, "var/idp.db") != 0)
		return 0;
	if (mkdir("var", 0700) != 0 && errno != EEXIST) {
		cli_error("cannot create var/: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
cli_open(const struct config *cfg, struct cli_res *res)
{
	char err[512];
	int rc, applied;

	memset(res, 0, sizeof(*res));
	if (ensure_default_dir(cfg) != 0)
		return -1;
	if (db_open(cfg->db, &res->db, err, sizeof(err)) != DB_OK) {
		cli_error("cannot open the database: %s", err);
		return -1;
	}
	rc = db_migrate(res->db, schema_migrations, schema_migrations_count, &applied);
	if (rc == DB_NEWER) {
		cli_error("%s: the database schema is newer than this program; "
		    "upgrade idp before using it", cfg->db);
		goto fail;
	}
	if (rc != DB_OK) {
		cli_error("%s: migration failed: %s", cfg->db, db_strerror(rc));
		goto fail;
	}
	if ((rc = seal_open(cfg->master_key, &res->seal)) != SEAL_OK) {
		cli_error("%s: %s", cfg->master_key, seal_strerror(rc));
		goto fail;
	}
	if ((res->clock = clock_new_system()) == NULL)
		goto fail;
	return 0;
fail:
	cli_close(res);
	return -1;
}

void
cli_close(struct cli_res *res)
{
	seal_free(res->seal);
	db_close(res->db);
	clock_free(res->clock);
	memset(res, 0, sizeof(*res));
}
