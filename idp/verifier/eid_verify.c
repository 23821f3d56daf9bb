/*
 * eid-verify: the airport's offline verifier (DESIGN sections 3 and 7).
 *
 *   eid-verify --jwks FILE --status FILE [--max-status-age SECONDS]
 *              [--seen FILE] [--now UNIX] PRESENTATION|-
 *
 * Runs the checks that need no network (presentation), then revocation
 * against the status list and replay against the verifier's own store, and
 * prints the same JSON verdict as POST /v1/airport/verify. Exit 0 accepted,
 * 1 rejected, 2 usage error or unusable input files (a status list older
 * than --max-status-age, 86400 by default, is refused). --now sets the
 * verifier's clock (for tests and for checking a recorded presentation).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "clock.h"
#include "presentation.h"
#include "seen.h"
#include "trust.h"

#define DEFAULT_SEEN "var/eid-verify-seen.txt"
#define DEFAULT_MAX_AGE 86400
#define EXIT_USAGE 2

struct opts {
	const char *jwks, *status, *seen, *pres;
	int64_t max_age, now;
	char *buf;		/* the presentation read from stdin */
};

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "eid-verify: %s\n", why);
	fprintf(stderr, "usage: eid-verify --jwks FILE --status FILE "
	    "[--max-status-age SECONDS] [--seen FILE] [--now UNIX] PRESENTATION|-\n");
	return EXIT_USAGE;
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* The presentation from stdin into o->buf, white space trimmed. */
static int
read_stdin(struct opts *o)
{
	size_t cap = JWS_MAX_COMPACT + 2, n;

	if ((o->buf = malloc(cap)) == NULL)
		return -1;
	n = fread(o->buf, 1, cap - 1, stdin);
	while (n > 0 && strchr(" \t\r\n", o->buf[n - 1]) != NULL)
		n--;
	o->buf[n] = '\0';
	o->pres = o->buf;
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "jwks", required_argument, NULL, 'j' },
		{ "status", required_argument, NULL, 's' },
		{ "max-status-age", required_argument, NULL, 'a' },
		{ "seen", required_argument, NULL, 'r' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (ch == 'j')
			o->jwks = optarg;
		else if (ch == 's')
			o->status = optarg;
		else if (ch == 'r')
			o->seen = optarg;
		else if (ch == 'a' && parse_int(optarg, &o->max_age) != 0)
			return usage("--max-status-age wants a number of seconds");
		else if (ch == 'n' && parse_int(optarg, &o->now) != 0)
			return usage("--now wants unix seconds");
		else if (ch == 'h' || ch == '?')
			return usage(NULL);
	}
	if (o->jwks == NULL || o->status == NULL)
		return usage("--jwks and --status are required");
	if (optind != argc - 1)
		return usage("one presentation (or - for stdin) is required");
	o->pres = argv[optind];
	if (strcmp(o->pres, "-") == 0 && read_stdin(o) != 0)
		return usage("cannot read the presentation from stdin");
	return 0;
}

/* The checks after presentation_check: revocation, then replay. */
static int
offline_checks(const struct opts *o, const struct trust *t, struct pres_result *r,
    char *err, size_t errsz)
{
	int rc;

	if (r->reason != PRES_ACCEPTED)
		return 0;
	if (trust_revoked(t, r->cred_jti)) {
		r->reason = PRES_REVOKED;
		return 0;
	}
	if (strcmp(o->seen, DEFAULT_SEEN) == 0)
		(void)mkdir("var", 0700);
	rc = seen_check_and_record(o->seen, r->pres_jti, o->now,
	    3 * PRES_IAT_WINDOW, err, errsz);
	if (rc == SEEN_REPLAYED)
		r->reason = PRES_REPLAYED;
	return rc < 0 ? -1 : 0;
}

static int
run(struct opts *o)
{
	struct trust *t = NULL;
	struct pres_result r;
	char err[512];
	json_t *v;
	int rc;

	if (trust_open(o->jwks, &t, err, sizeof(err)) != 0 ||
	    trust_load_status(t, o->status, o->now, o->max_age, err, sizeof(err)) != 0)
		goto fail;
	(void)presentation_check(o->pres, strlen(o->pres), o->now, trust_key, t, &r);
	if (offline_checks(o, t, &r, err, sizeof(err)) != 0)
		goto fail;
	trust_free(t);
	v = presentation_verdict(&r, o->now);
	rc = v != NULL && json_dumpf(v, stdout, JSON_COMPACT) == 0 &&
	    fputc('\n', stdout) != EOF && fflush(stdout) == 0;
	json_decref(v);
	if (!rc)
		return EXIT_USAGE;
	return r.reason == PRES_ACCEPTED ? 0 : 1;
fail:
	fprintf(stderr, "eid-verify: %s\n", err);
	trust_free(t);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	struct opts o = { .seen = DEFAULT_SEEN, .max_age = DEFAULT_MAX_AGE, .now = -1 };
	struct clock *clk;
	int rc;

	if (sodium_init() < 0)
		return EXIT_USAGE;
	if ((rc = parse_args(argc, argv, &o)) == 0) {
		if (o.now < 0 && (clk = clock_new_system()) != NULL) {
			o.now = clock_now(clk);
			clock_free(clk);
		}
		rc = o.now < 0 ? EXIT_USAGE : run(&o);
	}
	free(o.buf);
	return rc;
}
