/*
 * metrics: relaxed atomic counters and the Prometheus text page.
 *
 * Requests are counted per route in a row of statuses 100..599 (a row is
 * 4 KiB of zeros that the kernel maps only where written); histogram
 * buckets are counted one by one and summed when rendered. Counters are
 * never reset: Prometheus computes rates from them.
 */
#include "metrics.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "http.h"
#include "workpool.h"

#define STATUS_LO 100
#define STATUS_N 500

static const double bucket_le[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBUCKETS (ARRAY_LEN(bucket_le) + 1)	/* the last: +Inf */

/* Login outcomes: "success" (auth.login), "busy" (auth.pool_full), or
 * the refusal's reason. */
static const char *const login_outcomes[] = { "success", "busy",
	"bad_credentials", "delayed", "locked", "disabled", "rate_limited",
	"bad_code", "expired", "too_many_attempts", "other" };
static const char *const airport_reasons[] = { "accepted", "malformed",
	"signature_invalid", "level_too_low", "expired", "revoked",
	"account_locked", "deceased", "replayed", "other" };
static const char *const security_events[] = { "client_auth_failed",
	"csrf_refused", "device_auth_failed", "officer_auth_failed",
	"token_reuse", "other" };

struct route_stats {
	atomic_ulong status[STATUS_N];
	atomic_ulong bucket[NBUCKETS];
	atomic_ulong count;
	atomic_ulong sum_ns;
};

struct metrics {
	const struct http_route *routes;
	size_t nroutes;
	struct route_stats *stats;	/* nroutes + 1: the last, no route */
	atomic_ulong logins[ARRAY_LEN(login_outcomes)];
	atomic_ulong airport[ARRAY_LEN(airport_reasons)];
	atomic_ulong security[ARRAY_LEN(security_events)];
	atomic_ulong lockouts;
	struct workpool *pool;
	struct db *db;
	char token[METRICS_TOKEN_MAX];
	size_t token_len;
	struct timespec started;
};

int
metrics_new(const struct http_route *routes, size_t nroutes,
    struct metrics **out)
{
	struct metrics *m;

	if (out == NULL || (routes == NULL && nroutes > 0))
		return -1;
	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	/* calloc'd zeros are valid atomic zeros on every Linux target. */
	if ((m->stats = calloc(nroutes + 1, sizeof(*m->stats))) == NULL) {
		free(m);
		return -1;
	}
	m->routes = routes;
	m->nroutes = nroutes;
	clock_gettime(CLOCK_MONOTONIC, &m->started);
	*out = m;
	return 0;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	sodium_memzero(m->token, sizeof(m->token));
	free(m->stats);
	free(m);
}

void
metrics_set_pool(struct metrics *m, struct workpool *pool)
{
	if (m != NULL)
		m->pool = pool;
}

void
metrics_set_db(struct metrics *m, struct db *db)
{
	if (m != NULL)
		m->db = db;
}

int
metrics_set_token(struct metrics *m, const char *token, size_t len)
{
	if (m == NULL || token == NULL || len == 0 || len > sizeof(m->token))
		return -1;
	memcpy(m->token, token, len);
	m->token_len = len;
	return 0;
}

void
metrics_request(struct metrics *m, size_t route, unsigned status, uint64_t ns)
{
	struct route_stats *st;
	size_t b = 0;
	double s = (double)ns / 1e9;

	if (m == NULL)
		return;
	st = &m->stats[route < m->nroutes ? route : m->nroutes];
	if (status >= STATUS_LO && status < STATUS_LO + STATUS_N)
		atomic_fetch_add_explicit(&st->status[status - STATUS_LO], 1,
		    memory_order_relaxed);
	while (b < ARRAY_LEN(bucket_le) && s > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&st->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->sum_ns, (unsigned long)ns,
	    memory_order_relaxed);
}

/* The index of `name` in names[n], the last one ("other") when absent. */
static size_t
lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i + 1 < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return n - 1;
}

static void
bump(atomic_ulong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

void
metrics_log_event(void *arg, const char *event, const char *detail)
{
	struct metrics *m = arg;

	if (m == NULL || event == NULL)
		return;
	if (strcmp(event, "auth.login") == 0)
		bump(&m->logins[0]);
	else if (strcmp(event, "auth.pool_full") == 0)
		bump(&m->logins[1]);
	else if (strcmp(event, "auth.password_refused") == 0)
		bump(&m->logins[2 + lookup(login_outcomes + 2,
		    ARRAY_LEN(login_outcomes) - 2, detail)]);
	else if (strcmp(event, "account.locked") == 0)
		bump(&m->lockouts);
	else if (strcmp(event, "airport.verify") == 0)
		bump(&m->airport[lookup(airport_reasons,
		    ARRAY_LEN(airport_reasons), detail)]);
	else if (strncmp(event, "security.", 9) == 0)
		bump(&m->security[lookup(security_events,
		    ARRAY_LEN(security_events), event + 9)]);
}

/* A growing text buffer; `failed` sticks after an allocation failure. */
struct out {
	char *s;
	size_t len, cap;
	bool failed;
};

static void PRINTF_LIKE(2, 3)
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if ((size_t)n < o->cap - o->len)
			break;
		char *ns = realloc(o->s, o->cap * 2 + (size_t)n);
		if (ns == NULL) {
			o->failed = true;
			return;
		}
		o->s = ns;
		o->cap = o->cap * 2 + (size_t)n;
	}
	o->len += (size_t)n;
}

static unsigned long
load(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* The route's labels: method and pattern (patterns hold no '"' or '\'). */
static void
route_labels(const struct metrics *m, size_t i, char *buf, size_t bufsz)
{
	if (i < m->nroutes)
		snprintf(buf, bufsz, "method=\"%s\",route=\"%s\"",
		    m->routes[i].method, m->routes[i].path);
	else
		snprintf(buf, bufsz, "method=\"\",route=\"(none)\"");
}

static void
render_requests(struct metrics *m, struct out *o)
{
	char lab[512];

	put(o, "# HELP dinhdanh_http_requests_total HTTP requests answered, by "
	    "route pattern and status.\n"
	    "# TYPE dinhdanh_http_requests_total counter\n");
	for (size_t i = 0; i <= m->nroutes; i++) {
		route_labels(m, i, lab, sizeof(lab));
		for (size_t s = 0; s < STATUS_N; s++) {
			unsigned long v = load(&m->stats[i].status[s]);
			if (v != 0)
				put(o, "dinhdanh_http_requests_total{%s,status=\"%zu\"} "
				    "%lu\n", lab, s + STATUS_LO, v);
		}
	}
}

static void
render_latency(struct metrics *m, struct out *o)
{
	char lab[512];

	put(o, "# HELP dinhdanh_http_request_duration_seconds From the request "
	    "line to the answer sent, by route pattern.\n"
	    "# TYPE dinhdanh_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= m->nroutes; i++) {
		struct route_stats *st = &m->stats[i];
		unsigned long cum = 0, count = load(&st->count);
		if (count == 0)
			continue;
		route_labels(m, i, lab, sizeof(lab));
		for (size_t b = 0; b < ARRAY_LEN(bucket_le); b++) {
			cum += load(&st->bucket[b]);
			put(o, "dinhdanh_http_request_duration_seconds_bucket{%s,"
			    "le=\"%g\"} %lu\n", lab, bucket_le[b], cum);
		}
		cum += load(&st->bucket[NBUCKETS - 1]);
		put(o, "dinhdanh_http_request_duration_seconds_bucket{%s,"
		    "le=\"+Inf\"} %lu\n", lab, cum);
		put(o, "dinhdanh_http_request_duration_seconds_sum{%s} %.9f\n",
		    lab, (double)load(&st->sum_ns) / 1e9);
		put(o, "dinhdanh_http_request_duration_seconds_count{%s} %lu\n",
		    lab, cum);
	}
}

static void
render_family(struct out *o, const char *name, const char *help,
    const char *label, const char *const *names, atomic_ulong *counts,
    size_t n)
{
	put(o, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (size_t i = 0; i < n; i++)
		put(o, "%s{%s=\"%s\"} %lu\n", name, label, names[i],
		    load(&counts[i]));
}

static void
render_airport(struct metrics *m, struct out *o)
{
	const char *name = "dinhdanh_airport_verifications_total";

	put(o, "# HELP %s Airport presentations verified, by result and "
	    "reason.\n# TYPE %s counter\n", name, name);
	for (size_t i = 0; i < ARRAY_LEN(airport_reasons); i++)
		put(o, "%s{result=\"%s\",reason=\"%s\"} %lu\n", name,
		    i == 0 ? "accepted" : "refused", airport_reasons[i],
		    load(&m->airport[i]));
}

/* Resident set size from /proc/self/statm; -1 when unreadable. */
static long
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = -1, rss = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * sysconf(_SC_PAGESIZE);
}

static void
render_process(struct metrics *m, struct out *o)
{
	struct timespec now;
	long rss = rss_bytes();

	clock_gettime(CLOCK_MONOTONIC, &now);
	put(o, "# HELP dinhdanh_password_pool_queue_depth Password jobs waiting "
	    "for an Argon2id thread.\n"
	    "# TYPE dinhdanh_password_pool_queue_depth gauge\n"
	    "dinhdanh_password_pool_queue_depth %zu\n", workpool_queued(m->pool));
	put(o, "# HELP dinhdanh_db_busy_retries_total Waits in SQLite's busy "
	    "handler (another connection held the lock).\n"
	    "# TYPE dinhdanh_db_busy_retries_total counter\n"
	    "dinhdanh_db_busy_retries_total %lu\n", db_busy_retries(m->db));
	put(o, "# HELP dinhdanh_uptime_seconds Seconds since the server started.\n"
	    "# TYPE dinhdanh_uptime_seconds gauge\n"
	    "dinhdanh_uptime_seconds %.3f\n",
	    (double)(now.tv_sec - m->started.tv_sec) +
	    (double)(now.tv_nsec - m->started.tv_nsec) / 1e9);
	if (rss >= 0)
		put(o, "# HELP dinhdanh_resident_memory_bytes Resident set size.\n"
		    "# TYPE dinhdanh_resident_memory_bytes gauge\n"
		    "dinhdanh_resident_memory_bytes %ld\n", rss);
}

int
metrics_render(struct metrics *m, char **text, size_t *len)
{
	struct out o = { .cap = 16384 };

	if (m == NULL || text == NULL || len == NULL)
		return -1;
	if ((o.s = malloc(o.cap)) == NULL)
		return -1;
	o.s[0] = '\0';
	render_requests(m, &o);
	render_latency(m, &o);
	render_family(&o, "dinhdanh_logins_total", "Password and sign-in "
	    "outcomes: success, busy (pool full) or the refusal's reason.",
	    "outcome", login_outcomes, m->logins, ARRAY_LEN(login_outcomes));
	put(&o, "# HELP dinhdanh_lockouts_total Accounts locked by their "
	    "holder (SMS code or session).\n# TYPE dinhdanh_lockouts_total "
	    "counter\ndinhdanh_lockouts_total %lu\n", load(&m->lockouts));
	render_airport(m, &o);
	render_family(&o, "dinhdanh_security_events_total", "Security events "
	    "logged, by name (after security.).", "event", security_events,
	    m->security, ARRAY_LEN(security_events));
	render_process(m, &o);
	if (o.failed) {
		free(o.s);
		return -1;
	}
	*text = o.s;
	*len = o.len;
	return 0;
}

/* A peer that may read without a token: loopback, not through a proxy. */
static bool
loopback_direct(struct http_req *r)
{
	char addr[64];
	struct in_addr a4;

	if (http_header(r, "X-Forwarded-For") != NULL ||
	    http_header(r, "Forwarded") != NULL)
		return false;
	http_peer_addr(r, addr);
	if (strcmp(addr, "::1") == 0)
		return true;
	if (strncmp(addr, "::ffff:", 7) == 0)
		memmove(addr, addr + 7, strlen(addr + 7) + 1);
	return inet_pton(AF_INET, addr, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
}

static bool
token_ok(const struct metrics *m, struct http_req *r)
{
	const char *h = http_header(r, "Authorization");
	size_t n;

	if (m->token_len == 0 || h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	n = strlen(h);
	return n == m->token_len && sodium_memcmp(h, m->token, n) == 0;
}

void
metrics_handler(struct http_req *r, void *ctx)
{
	struct metrics *m = http_metrics(r);
	char *text = NULL;
	size_t len;

	UNUSED(ctx);
	if (m == NULL) {
		http_respond_error(r, 404, "not_found", "no such resource");
		return;
	}
	if (!token_ok(m, r) && !loopback_direct(r)) {
		if (m->token_len > 0) {
			http_add_header(r, "WWW-Authenticate", "Bearer");
			http_respond_error(r, 401, "unauthorized", "a bearer token is needed");
		} else
			http_respond_error(r, 403, "forbidden",
			    "metrics are served to loopback addresses only");
		return;
	}
	if (metrics_render(m, &text, &len) != 0) {
		http_respond_error(r, 500, "server_error", "out of memory");
		return;
	}
	http_respond(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
}
