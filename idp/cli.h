/*
 * cli: what every `idp` subcommand shares: option parsing with --db and
 * --help, usage errors (one line, exit 2), and opening the database (with
 * migrations), the master key and the clock.
 */
#ifndef IDP_CLI_H
#define IDP_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "base.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "seal.h"

#define EXIT_USAGE 2

/* The open resources of one command; cli_close releases them. */
struct cli_res {
	struct db *db;
	struct seal *seal;
	struct clock *clock;
};

struct cli_cmd {
	const char *name;	/* "registry import" */
	const char *usage;	/* the synopsis after the name */
	const char *help;	/* the rest of --help */
};

/* Prints "idp NAME: message (see idp NAME --help)" and exits 2. */
void cli_usage_error(const struct cli_cmd *, const char *fmt, ...)
    PRINTF_LIKE(2, 3) __attribute__((noreturn));
void cli_print_help(const struct cli_cmd *);

/*
 * Parses options with getopt_long: --db and --help are handled here, other
 * long options call `opt` (which returns -1 on a bad value, after printing
 * nothing; the usage error is printed here). Leaves positional arguments at
 * argv[*first .. argc).
 */
void cli_parse(const struct cli_cmd *, int argc, char **argv,
    const struct option *extra, int (*opt)(int id, const char *val, void *arg),
    void *arg, struct config *cfg, int *first);

/* A subcommand of a command group. */
struct cli_sub {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
};

/*
 * Runs the subcommand argv[1] of `group` ("" for idp itself) with argv
 * shifted by one; --help lists them; a missing or unknown one is a usage
 * error (exit 2).
 */
int cli_dispatch(const char *group, const struct cli_sub *subs, size_t n,
    int argc, char **argv);

/* Opens database (migrated), master key and clock; prints and returns -1 on failure. */
int cli_open(const struct config *, struct cli_res *) WUR;
void cli_close(struct cli_res *);
/* Prints a one-line error to stderr. */
void cli_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
