/*
 * demo-portal: the demo portal (idp/demo/portal) as a program of its own,
 * the one that links libcurl; `idp serve --demo` runs it as a child
 * (idp/demo/portal_proc). It listens on 127.0.0.1 at --port (any free port
 * when that one is taken or 0), prints its base URL as the first line of
 * stdout, then reads its client's id and secret from stdin, one a line, and
 * serves until SIGTERM or SIGINT; SIGHUP reopens the --log-file. It logs
 * JSON lines to stderr (or --log-file).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "clock.h"
#include "log.h"
#include "portal.h"

#define ID_MAX 64		/* struct portal's client_id */
#define SECRET_MAX 128		/* struct portal's secret */
#define CLIENT_IN_MAX 256	/* bytes read from stdin at most */

static const char USAGE[] =
    "usage: demo-portal --issuer URL [--port N] [--log-level LEVEL]\n"
    "                   [--log-file PATH]\n"
    "The demo relying party of `idp serve --demo`, which starts it. It\n"
    "listens on 127.0.0.1:N (any free port when N is taken or 0), prints\n"
    "http://127.0.0.1:PORT as its first line, then reads its client's id\n"
    "and secret from stdin, one a line.\n";

struct args {
	const char *issuer, *log_file;
	unsigned long port;
	enum log_level level;
};

/* 0, 1 for --help, -1 on a bad argument. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "issuer", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char *end;
	int c;

	*a = (struct args){ .level = LOG_INFO };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'i') {
			a->issuer = optarg;
		} else if (c == 'p') {
			errno = 0;
			a->port = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || a->port > 65535)
				return -1;
		} else if (c == 'l') {
			if (log_level_parse(optarg, &a->level) != 0)
				return -1;
		} else if (c == 'f') {
			a->log_file = optarg;
		} else if (c == 'h') {
			return 1;
		} else {
			return -1;
		}
	}
	return optind == argc && a->issuer != NULL && a->issuer[0] != '\0' ? 0 : -1;
}

/* Taken from one line of at most max - 1 visible characters. */
static int
take_line(char **cur, char *out, size_t max)
{
	char *nl = strchr(*cur, '\n');
	size_t len;

	if (nl == NULL || (len = (size_t)(nl - *cur)) == 0 || len >= max)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((*cur)[i] <= ' ' || (*cur)[i] == 0x7f)
			return -1;
	memcpy(out, *cur, len);
	out[len] = '\0';
	*cur = nl + 1;
	return 0;
}

/*
 * "ID\nSECRET\n" from stdin (until both lines or end of input): 0, 1 when
 * stdin ended empty (stopped before it was given one), -1 otherwise.
 */
static int
read_client(char id[ID_MAX], char secret[SECRET_MAX])
{
	char buf[CLIENT_IN_MAX], *cur = buf;
	size_t len = 0, lines = 0;
	ssize_t n;
	int rc = -1;

	while (lines < 2 && len < sizeof(buf) - 1) {
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			lines += buf[len + (size_t)i] == '\n';
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (len == 0)
		rc = 1;
	else if (take_line(&cur, id, ID_MAX) == 0 &&
	    take_line(&cur, secret, SECRET_MAX) == 0 && *cur == '\0')
		rc = 0;
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* Until SIGTERM or SIGINT; SIGHUP meanwhile reopens the log file. */
static void
wait_for_stop(const sigset_t *set, struct log *lg)
{
	int sig = 0;

	while (sigwait(set, &sig) == 0 && sig == SIGHUP)
		if (log_reopen(lg) != 0)
			fprintf(stderr, "demo-portal: cannot reopen the log file: %s\n",
			    strerror(errno));
}

/* Starts on the port asked, else on any free one; reports why not. */
static struct portal *
start(const struct args *a, const struct clock *clk, struct log *lg)
{
	struct portal_opts po = { .issuer = a->issuer, .port = (uint16_t)a->port,
	    .clock = clk, .log = lg };
	struct portal *p = NULL;
	char err[512];
	int rc = -1;

	if (po.port != 0)
		rc = portal_start(&po, &p, err, sizeof(err));
	if (rc != 0) {
		po.port = 0;
		rc = portal_start(&po, &p, err, sizeof(err));
	}
	if (rc != 0)
		log_event(lg, LOG_ERROR, "portal.start_failed", "reason", err, NULL);
	return rc == 0 ? p : NULL;
}

static int
serve(const struct args *a, struct log *lg, const sigset_t *set)
{
	char id[ID_MAX], secret[SECRET_MAX];
	struct clock *clk = clock_new_system();
	struct portal *p = NULL;
	int rc = 1;

	if (clk == NULL || (p = start(a, clk, lg)) == NULL)
		goto fail;
	printf("%s\n", portal_base_url(p));
	/* Nothing else goes to stdout, whoever reads it. */
	if (fflush(stdout) != 0 || freopen("/dev/null", "w", stdout) == NULL)
		goto fail;
	if ((rc = read_client(id, secret)) != 0) {
		log_event(lg, rc > 0 ? LOG_WARN : LOG_ERROR, "portal.no_client",
		    "reason", rc > 0 ? "stdin ended before a client was given" :
		    "stdin did not give a client id and secret", NULL);
		rc = 1;
		goto fail;
	}
	portal_set_client(p, id, secret);
	sodium_memzero(secret, sizeof(secret));
	log_event(lg, LOG_INFO, "portal.started", "url", portal_base_url(p),
	    "issuer", a->issuer, "client_id", id, NULL);
	wait_for_stop(set, lg);
	log_event(lg, LOG_INFO, "portal.stopped", NULL);
	rc = 0;
fail:
	portal_stop(p);
	clock_free(clk);
	return rc;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct log *lg;
	sigset_t set;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0) {
		fputs(USAGE, rc == 1 ? stdout : stderr);
		return rc == 1 ? 0 : 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "demo-portal: libsodium failed to start\n");
		return 1;
	}
	/* Block the signals before any thread starts, then wait for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	lg = a.log_file != NULL ? log_open_file(a.log_file, a.level) :
	    log_new(stderr, a.level);
	if (lg == NULL) {
		fprintf(stderr, "demo-portal: %s: %s\n", a.log_file != NULL ?
		    a.log_file : "log", strerror(errno));
		return 1;
	}
	rc = serve(&a, lg, &set);
	log_free(lg);
	return rc;
}
