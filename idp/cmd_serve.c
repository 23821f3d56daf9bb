/*
 * cmd_serve: the server's start-up and shutdown.
 */
#include "cmd_serve.h"

#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "auth.h"
#include "cli.h"
#include "demo.h"
#include "http.h"
#include "routes.h"
#include "keys.h"
#include "oidc_http.h"
#include "portal.h"
#include "ratelimit.h"
#include "web.h"
#include "workpool.h"

#define BODY_LIMIT (64 * 1024)
#define OPT_BASE 200
#define ROUTES_MAX 96
#define CHECKPOINT_MS 250
#define POOL_QUEUE_PER_THREAD 64

static const struct cli_cmd serve_cmd = { "serve",
	"[--listen ADDR:PORT] [--issuer URL] [--web DIR] [--demo]",
	"Runs the identity provider's HTTP service. An empty database is\n"
	"migrated first; with --demo an empty database is also seeded with a\n"
	"synthetic registry and demo clients, whose credentials are printed;\n"
	"--demo also runs the demo portal, a relying party on 127.0.0.1 at the\n"
	"provider's port + 1 (any free port when that is taken or LISTEN's is 0).\n"
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
	"  --log-level LEVEL   debug, info, warn or error (default info)" };

static int
serve_opt(int id, const char *val, void *arg)
{
	static const char *const keys[] = { "listen", "issuer", "web",
		"master-key", "threads", "log-level", "session-idle", "session-max",
		"login-rate", "device-limit", "audit-checkpoint" };
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

static int
wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	if (sigwait(set, &sig) != 0)
		return -1;
	return sig;
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
 * The demo portal, on 127.0.0.1 at the provider's port + 1 when the
 * provider's port was given and that one is free (8080: 8081), else on any
 * free port; its client pointed at that address. -1 when it cannot start.
 */
static int
portal_open(struct config *cfg, struct cli_res *res, struct log *lg,
    uint16_t provider_port, struct portal **out)
{
	struct portal_opts po = { .issuer = cfg->issuer, .clock = res->clock,
	    .log = lg };
	char err[512], id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX];
	int rc = -1;

	if (cfg->listen_port != 0 && provider_port < UINT16_MAX) {
		po.port = (uint16_t)(provider_port + 1);
		rc = portal_start(&po, out, err, sizeof(err));
	}
	if (rc != 0) {
		po.port = 0;
		rc = portal_start(&po, out, err, sizeof(err));
	}
	if (rc != 0) {
		cli_error("%s", err);
		return -1;
	}
	if (demo_portal_client(res, cfg, portal_base_url(*out), id, secret) != 0) {
		portal_stop(*out);
		*out = NULL;
		return -1;
	}
	portal_set_client(*out, id, secret);
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

static int
run(struct config *cfg, struct cli_res *res, struct log *lg, const sigset_t *set)
{
	struct routes_ctx ctx = { .db = res->db, .seal = res->seal,
	    .clock = res->clock, .log = lg };
	struct http_route routes[ROUTES_MAX];
	struct http_opts ho = { .host = cfg->listen_host, .port = cfg->listen_port,
	    .threads = cfg->threads, .body_limit = BODY_LIMIT, .conn_timeout = 30,
	    .per_ip_limit = 256, .log = lg, .ctx = &ctx, .routes = routes };
	struct http_server *srv = NULL;
	struct audit_checkpointer *audit = NULL;
	struct portal *portal = NULL;
	struct web *web = NULL;
	char err[512];
	int sig, rc = 1;

	if (web_load(cfg->web, &web, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		return 1;
	}
	ctx.web = web;
	ctx.issuer = cfg->issuer;
	if ((ho.nroutes = routes_build(routes, ARRAY_LEN(routes))) > ARRAY_LEN(routes)) {
		cli_error("the route table is full: raise ROUTES_MAX");
		web_free(web);
		return 1;
	}
	/* A commit never waits for a checkpoint's fsync. */
	if (db_checkpoint_in_background(ctx.db, CHECKPOINT_MS) != DB_OK)
		log_event(lg, LOG_WARN, "db.checkpointer_failed", NULL);
	if (ctx_open(&ctx, cfg) != 0) {
		cli_error("cannot start: out of memory");
		goto fail;
	}
	if (cfg->audit_checkpoint > 0 && audit_checkpointer_start(ctx.db,
	    ctx.seal, ctx.clock, cfg->audit_checkpoint, lg, &audit) != DB_OK) {
		cli_error("cannot start the audit checkpointer");
		goto fail;
	}
	if (http_start(&ho, &srv, err, sizeof(err)) != 0) {
		cli_error("%s", err);
		goto fail;
	}
	config_default_issuer(cfg, http_port(srv));
	if (cfg->demo && portal_open(cfg, res, lg, http_port(srv), &portal) != 0)
		goto fail;
	log_event(lg, LOG_INFO, "server.started", "issuer", cfg->issuer,
	    "db", cfg->db, NULL);
	printf("dinhdanh listening on %s (port %u)\n", cfg->issuer,
	    (unsigned)http_port(srv));
	if (cfg->demo)
		demo_print(cfg, cfg->issuer, portal_base_url(portal), stdout);
	fflush(stdout);
	sig = wait_for_signal(set);
	log_event(lg, LOG_INFO, "server.stopping", "signal",
	    sig == SIGTERM ? "TERM" : "INT", NULL);
	rc = 0;
fail:
	/* The portal first: it calls the server. Then the server: it waits for
	 * deferred jobs, which need the pool. */
	portal_stop(portal);
	http_stop(srv);
	audit_checkpointer_stop(audit);
	ctx_close(&ctx);
	web_free(web);
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
	/* Block the stop signals before any thread starts, then wait for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((lg = log_new(stderr, cfg.log_level)) == NULL)
		return 1;
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
