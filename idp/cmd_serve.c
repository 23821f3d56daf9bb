/*
 * cmd_serve: the server's start-up, signals (SIGHUP reopens the log file;
 * SIGTERM and SIGINT drain the requests in flight, then stop) and shutdown.
 */
#include "cmd_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "cli.h"
#include "demo.h"
#include "http.h"
#include "routes.h"
#include "keys.h"
#include "metrics.h"
#include "oidc_http.h"
#include "portal_proc.h"
#include "ratelimit.h"
#include "web.h"
#include "workpool.h"

#define BODY_LIMIT (64 * 1024)
#define OPT_BASE 200
#define ROUTES_MAX 96
#define CHECKPOINT_MS 50
/* About 23 s of Argon2id per core (22 verifications a second): a burst of
 * 1,000 sign-ins on two cores waits its turn rather than being refused. */
#define POOL_QUEUE_PER_THREAD 512
#define DRAIN_MS 10000
#define PEM_MAX (1024 * 1024)
#define TOKEN_MIN 16

static const struct cli_cmd serve_cmd = { "serve",
	"[--listen ADDR:PORT] [--issuer URL] [--web DIR] [--demo] [--config FILE]",
	"Runs the identity provider's HTTP service. An empty database is\n"
	"migrated first; with --demo an empty database is also seeded with a\n"
	"synthetic registry and demo clients, whose credentials are printed;\n"
	"--demo also runs the demo portal, a relying party on 127.0.0.1 at the\n"
	"provider's port + 1 (any free port when that is taken or LISTEN's is 0):\n"
	"the program demo-portal beside idp, as a child that ends with it.\n"
	"  --listen ADDR:PORT  numeric address and port (default 127.0.0.1:8080;\n"
	"                      port 0 picks a free one)\n"
	"  --issuer URL        the public base URL (default http://LISTEN)\n"
	"  --web DIR           pages and static files (default web)\n"
	"  --master-key PATH   the master key file (default beside the database)\n"
	"  --threads N         worker threads (default: one per core)\n"
	"  --session-idle S    seconds unused before a session ends (default 1800)\n"
	"  --session-max S     seconds after sign-in a session ends (default 43200)\n"
	"  --login-rate N      password and code attempts per minute from one\n"
	"                      client address (default 120; 0: unlimited)\n"
	"  --device-limit N    app devices one account may bind (default 3)\n"
	"  --audit-checkpoint S  seconds between signed audit checkpoints, made\n"
	"                      when entries were added (default 3600; 0: none)\n"
	"  --log-level LEVEL   debug, info, warn or error (default info)\n"
	"  --log-file PATH     append the log there (default stderr); SIGHUP\n"
	"                      reopens it\n"
	"  --tls-cert PATH     serve HTTPS with this PEM certificate chain...\n"
	"  --tls-key PATH      ...and this PEM key (not readable by group or\n"
	"                      others); the default issuer is then https://\n"
	"  --trust-proxy ADDR[,ADDR...]  reverse proxies whose X-Forwarded-For\n"
	"                      names the client (for rate limits and logs)\n"
	"  --metrics-token PATH  a file holding a bearer token that opens\n"
	"                      GET /metrics to any address (default: loopback\n"
	"                      peers only)\n"
	"  --conn-timeout S    seconds a connection may idle (default 30)\n"
	"  --per-ip-connections N  concurrent connections from one address\n"
	"                      (default 256)\n"
	"Every flag may also be a line KEY = VALUE of the --config file\n"
	"(demo = true for --demo); flags given too win." };

static int
serve_opt(int id, const char *val, void *arg)
{
	static const char *const keys[] = { "listen", "issuer", "web",
		"master-key", "threads", "log-level", "session-idle", "session-max",
		"login-rate", "device-limit", "audit-checkpoint", "tls-cert",
		"tls-key", "trust-proxy", "log-file", "metrics-token",
		"conn-timeout", "per-ip-connections" };
	struct config *cfg = arg;
	char err[256];

	if (id == 'd') {
		cfg->demo = true;
		return 0;
	}
	id -= OPT_BASE;
	if (id < 0 || (size_t)id >= ARRAY_LEN(keys))
		return -1;
	if (config_set(cfg, keys[id], val, err, sizeof(err)) != 0) {
		fprintf(stderr, "idp serve: %s\n", err);
		return -1;
	}
	return 0;
}

/* SIGCHLD: the demo portal's child, reaped and logged if it has ended. */
static void
portal_check(struct portal_proc *portal, struct log *lg)
{
	char why[64];

	if (portal_proc_ended(portal, why, sizeof(why)))
		log_event(lg, LOG_WARN, "portal.exited", "reason", why, NULL);
}

/*
 * Waits for SIGTERM or SIGINT; SIGHUP meanwhile reopens the log file (the
 * demo portal's too), SIGCHLD reaps the demo portal if it ended.
 */
static int
wait_for_stop(const sigset_t *set, struct log *lg, struct portal_proc *portal)
{
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			return -1;
		if (sig == SIGCHLD) {
			portal_check(portal, lg);
			continue;
		}
		if (sig != SIGHUP)
			return sig;
		portal_proc_hangup(portal);
		if (log_reopen(lg) != 0)
			fprintf(stderr, "idp serve: cannot reopen the log file: %s\n",
			    strerror(errno));
		else
			log_event(lg, LOG_INFO, "log.reopened", NULL);
	}
}

/*
 * The whole of a small file into a malloc'd NUL-terminated *out. A
 * `private` file readable by group or others is refused.
 */
static int
read_small_file(const char *path, bool private, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (private && (st.st_mode & 077) != 0) {
		cli_error("%s: readable by group or others; chmod 600 it", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > PEM_MAX) {
		cli_error("%s: not a regular file of 1 byte to 1 MiB", path);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	if ((n = read(fd, buf, (size_t)st.st_size)) != (ssize_t)st.st_size) {
		cli_error("%s: short read", path);
		goto fail;
	}
	buf[n] = '\0';
	close(fd);
	*out = buf;
	*len = (size_t)n;
	return 0;
fail:
	if (buf != NULL) {
		sodium_memzero(buf, (size_t)st.st_size + 1);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The files that --tls-cert, --tls-key and --metrics-token name. */
struct serve_files {
	char *cert, *key, *token;
	size_t cert_len, key_len, token_len;
};

static void
files_free(struct serve_files *f)
{
	if (f->key != NULL)
		sodium_memzero(f->key, f->key_len);
	if (f->token != NULL)
		sodium_memzero(f->token, f->token_len);
	free(f->cert);
	free(f->key);
	free(f->token);
	memset(f, 0, sizeof(*f));
}

static int
files_load(const struct config *cfg, struct serve_files *f)
{
	memset(f, 0, sizeof(*f));
	if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0')) {
		cli_error("--tls-cert and --tls-key go together");
		return -1;
	}
	if (cfg->tls_cert[0] != '\0' &&
	    (read_small_file(cfg->tls_cert, false, &f->cert, &f->cert_len) != 0 ||
	    read_small_file(cfg->tls_key, true, &f->key, &f->key_len) != 0))
		goto fail;
	if (cfg->metrics_token[0] == '\0')
		return 0;
	if (read_small_file(cfg->metrics_token, true, &f->token, &f->token_len) != 0)
		goto fail;
	while (f->token_len > 0 && (f->token[f->token_len - 1] == '\n' ||
	    f->token[f->token_len - 1] == '\r' || f->token[f->token_len - 1] == ' '))
		f->token[--f->token_len] = '\0';
	if (f->token_len < TOKEN_MIN || f->token_len > METRICS_TOKEN_MAX ||
	    strpbrk(f->token, " \t\r\n") != NULL) {
		cli_error("%s: the token must be %d to %d characters without spaces",
		    cfg->metrics_token, TOKEN_MIN, METRICS_TOKEN_MAX);
		goto fail;
	}
	return 0;
fail:
	files_free(f);
	return -1;
}

static size_t
cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

/* The handlers' shared state: auth flows, password pool, address limits. */
static int
ctx_open(struct routes_ctx *ctx, const struct config *cfg)
{
	struct session_limits lim = { cfg->session_idle, cfg->session_absolute };
	double per_min = (double)cfg->login_rate;

	ctx->secure = strncmp(cfg->issuer, "https://", 8) == 0;
	ctx->device_limit = cfg->device_limit;
	seal_subkey(ctx->seal, "csrf", ctx->csrf_key);
	if (auth_new(ctx->db, ctx->seal, &lim, &ctx->auth) != 0)
		return -1;
	/* Argon2id on every core, below the HTTP threads' priority. */
	if (workpool_new(0, POOL_QUEUE_PER_THREAD * cores(), 5, &ctx->pool) != 0)
		return -1;
	if (keys_cache_new(ctx->db, ctx->seal, ctx->clock, KEYS_ID_TOKEN, &ctx->keys) != 0 ||
	    keys_cache_new(ctx->db, ctx->seal, ctx->clock, KEYS_CREDENTIAL,
	    &ctx->cred_keys) != 0 || oidc_edge_new(&ctx->oidc) != 0)
		return -1;
	return ratelimit_new(per_min / 60.0, per_min, 65536, &ctx->limit);
}

static void
ctx_close(struct routes_ctx *ctx)
{
	workpool_free(ctx->pool);
	ratelimit_free(ctx->limit);
	keys_cache_free(ctx->keys);
	keys_cache_free(ctx->cred_keys);
	oidc_edge_free(ctx->oidc);
	auth_free(ctx->auth);
	sodium_memzero(ctx->csrf_key, sizeof(ctx->csrf_key));
}

/*
 * The demo portal: the demo-portal program beside this one (it alone links
 * libcurl) as a child, on 127.0.0.1 at the provider's port + 1 when the
 * provider's port was given and that one is free (8080: 8081), else on any
 * free port; its client pointed at the address it reports, then handed to
 * it over its stdin. -1 when it cannot start (reported).
 */
static int
portal_open(const struct config *cfg, struct cli_res *res,
    uint16_t provider_port, struct portal_proc **out)
{
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	struct portal_proc_opts po = { .issuer = cfg->issuer,
	    .log_file = cfg->log_file[0] != '\0' ? cfg->log_file : NULL };
	char path[4096], err[512] = "", id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX];
	int rc = -1;

	if ((size_t)cfg->log_level < ARRAY_LEN(levels))
		po.log_level = levels[cfg->log_level];
	if (portal_proc_beside_self(PORTAL_PROC_NAME, path, sizeof(path)) != 0) {
		cli_error("demo portal: cannot locate this program's directory");
		return -1;
	}
	po.path = path;
	if (cfg->listen_port != 0 && provider_port < UINT16_MAX)
		po.port = (uint16_t)(provider_port + 1);
	if (portal_proc_start(&po, out, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		return -1;
	}
	if (demo_portal_client(res, cfg, portal_proc_url(*out), id, secret) == 0 &&
	    (rc = portal_proc_send_client(*out, id, secret, err, sizeof(err))) != 0)
		cli_error("%s", err);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		portal_proc_stop(*out);
		*out = NULL;
	}
	return rc;
}

/* What one run of the server holds, released by serve_stop. */
struct serve {
	struct routes_ctx ctx;
	struct http_route routes[ROUTES_MAX];
	size_t nroutes;
	struct serve_files files;
	struct metrics *metrics;
	struct http_server *srv;
	struct audit_checkpointer *audit;
	struct portal_proc *portal;
	struct web *web;
	struct log *lg;
};

/* The route table with GET /metrics, and the metrics counting over it. */
static int
routes_open(struct serve *sv)
{
	static const struct http_route metrics_route = { "GET", "/metrics",
	    metrics_handler };
	size_t n = routes_build(sv->routes, ARRAY_LEN(sv->routes));

	n = http_routes_append(sv->routes, n, ARRAY_LEN(sv->routes),
	    &metrics_route, 1);
	if (n > ARRAY_LEN(sv->routes)) {
		cli_error("the route table is full: raise ROUTES_MAX");
		return -1;
	}
	sv->nroutes = n;
	if (metrics_new(sv->routes, n, &sv->metrics) != 0 ||
	    (sv->files.token != NULL && metrics_set_token(sv->metrics,
	    sv->files.token, sv->files.token_len) != 0)) {
		cli_error("cannot start: out of memory");
		return -1;
	}
	/* Every event counts, whatever the log level; no thread logs yet. */
	log_set_observer(sv->lg, metrics_log_event, sv->metrics);
	return 0;
}

static int
serve_start(struct serve *sv, struct config *cfg, struct cli_res *res)
{
	struct http_opts ho = { .host = cfg->listen_host, .port = cfg->listen_port,
	    .threads = cfg->threads, .body_limit = BODY_LIMIT,
	    .conn_timeout = cfg->conn_timeout,
	    .per_ip_limit = cfg->per_ip_connections, .log = sv->lg,
	    .ctx = &sv->ctx, .routes = sv->routes,
	    .trust_proxy = cfg->trust_proxy };
	char err[512];

	if (files_load(cfg, &sv->files) != 0)
		return -1;
	if (web_load(cfg->web, &sv->web, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		return -1;
	}
	sv->ctx.web = sv->web;
	sv->ctx.issuer = cfg->issuer;
	if (routes_open(sv) != 0)
		return -1;
	/* A commit never waits for a checkpoint's fsync. */
	if (db_checkpoint_in_background(sv->ctx.db, CHECKPOINT_MS) != DB_OK)
		log_event(sv->lg, LOG_WARN, "db.checkpointer_failed", NULL);
	if (ctx_open(&sv->ctx, cfg) != 0) {
		cli_error("cannot start: out of memory");
		return -1;
	}
	metrics_set_pool(sv->metrics, sv->ctx.pool);
	metrics_set_db(sv->metrics, sv->ctx.db);
	if (cfg->audit_checkpoint > 0 && audit_checkpointer_start(sv->ctx.db,
	    sv->ctx.seal, sv->ctx.clock, cfg->audit_checkpoint, sv->lg,
	    &sv->audit) != DB_OK) {
		cli_error("cannot start the audit checkpointer");
		return -1;
	}
	ho.nroutes = sv->nroutes;
	ho.metrics = sv->metrics;
	ho.tls_cert = sv->files.cert;
	ho.tls_key = sv->files.key;
	if (http_start(&ho, &sv->srv, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		return -1;
	}
	config_default_issuer(cfg, http_port(sv->srv));
	if (cfg->demo && portal_open(cfg, res, http_port(sv->srv),
	    &sv->portal) != 0)
		return -1;
	return 0;
}

/*
 * Stops in order: the portal first (it calls the server); then the server,
 * after the requests in flight were answered (bounded); it waits for
 * deferred jobs, which need the pool, so the pool goes after it.
 */
static void
serve_stop(struct serve *sv, bool drain)
{
	portal_proc_stop(sv->portal);
	sv->portal = NULL;
	if (drain && sv->srv != NULL) {
		if (http_drain(sv->srv, DRAIN_MS) == 0)
			log_event(sv->lg, LOG_INFO, "server.drained", NULL);
		else
			log_event(sv->lg, LOG_WARN, "server.drain_timeout", NULL);
	}
	http_stop(sv->srv);
	audit_checkpointer_stop(sv->audit);
	ctx_close(&sv->ctx);
	web_free(sv->web);
	log_set_observer(sv->lg, NULL, NULL);
	metrics_free(sv->metrics);
	files_free(&sv->files);
}

static int
run(struct config *cfg, struct cli_res *res, struct log *lg, const sigset_t *set)
{
	struct serve *sv = calloc(1, sizeof(*sv));
	int sig, rc = 1;

	if (sv == NULL)
		return 1;
	sv->lg = lg;
	sv->ctx = (struct routes_ctx){ .db = res->db, .seal = res->seal,
	    .clock = res->clock, .log = lg };
	if (serve_start(sv, cfg, res) != 0) {
		serve_stop(sv, false);
		free(sv);
		return 1;
	}
	log_event(lg, LOG_INFO, "server.started", "issuer", cfg->issuer,
	    "db", cfg->db, "tls", sv->files.cert != NULL ? "yes" : "no", NULL);
	printf("dinhdanh listening on %s (port %u)\n", cfg->issuer,
	    (unsigned)http_port(sv->srv));
	if (cfg->demo)
		demo_print(cfg, cfg->issuer, portal_proc_url(sv->portal), stdout);
	fflush(stdout);
	sig = wait_for_stop(set, lg, sv->portal);
	log_event(lg, LOG_INFO, "server.stopping", "signal",
	    sig == SIGTERM ? "TERM" : "INT", NULL);
	rc = 0;
	serve_stop(sv, true);
	log_event(lg, LOG_INFO, "server.stopped", NULL);
	free(sv);
	return rc;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_BASE + 0 },
		{ "issuer", required_argument, NULL, OPT_BASE + 1 },
		{ "web", required_argument, NULL, OPT_BASE + 2 },
		{ "master-key", required_argument, NULL, OPT_BASE + 3 },
		{ "threads", required_argument, NULL, OPT_BASE + 4 },
		{ "log-level", required_argument, NULL, OPT_BASE + 5 },
		{ "session-idle", required_argument, NULL, OPT_BASE + 6 },
		{ "session-max", required_argument, NULL, OPT_BASE + 7 },
		{ "login-rate", required_argument, NULL, OPT_BASE + 8 },
		{ "device-limit", required_argument, NULL, OPT_BASE + 9 },
		{ "audit-checkpoint", required_argument, NULL, OPT_BASE + 10 },
		{ "tls-cert", required_argument, NULL, OPT_BASE + 11 },
		{ "tls-key", required_argument, NULL, OPT_BASE + 12 },
		{ "trust-proxy", required_argument, NULL, OPT_BASE + 13 },
		{ "log-file", required_argument, NULL, OPT_BASE + 14 },
		{ "metrics-token", required_argument, NULL, OPT_BASE + 15 },
		{ "conn-timeout", required_argument, NULL, OPT_BASE + 16 },
		{ "per-ip-connections", required_argument, NULL, OPT_BASE + 17 },
		{ "demo", no_argument, NULL, 'd' }, { NULL, 0, NULL, 0 } };
	struct config cfg;
	struct cli_res res;
	struct log *lg;
	sigset_t set;
	int first, rc;

	cli_parse(&serve_cmd, argc, argv, opts, serve_opt, &cfg, &cfg, &first);
	if (first != argc)
		cli_usage_error(&serve_cmd, "unexpected argument %s", argv[first]);
	/*
	 * glibc gives every thread that allocates an arena of its own; two are
	 * plenty for short requests and keep the resident size near the data.
	 */
	mallopt(M_ARENA_MAX, 2);
	/* Block the signals before any thread starts, then wait for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	lg = cfg.log_file[0] != '\0' ? log_open_file(cfg.log_file, cfg.log_level) :
	    log_new(stderr, cfg.log_level);
	if (lg == NULL) {
		cli_error("%s: %s", cfg.log_file[0] != '\0' ? cfg.log_file :
		    "log", strerror(errno));
		return 1;
	}
	if (cli_open(&cfg, &res) != 0) {
		log_free(lg);
		return 1;
	}
	rc = 0;
	if (cfg.demo && demo_seed(&res, &cfg) != 0) {
		cli_error("cannot seed the demo data");
		rc = 1;
	}
	if (rc == 0)
		rc = run(&cfg, &res, lg, &set);
	cli_close(&res);
	log_free(lg);
	return rc;
}
