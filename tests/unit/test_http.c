/*
 * test_http: unit tests for the HTTP edge's daemon (http): a server on
 * 127.0.0.1 with the httpfix routes, spoken to in raw HTTP/1.1 over a TCP
 * socket: routing (exact, HEAD, prefix) and its 404/405 answers, security
 * headers on every response, the body limit (declared and chunked),
 * keep-alive, the context pointer handed to handlers, start errors and
 * stopping, the route table's bounds, and requests deferred to a worker pool
 * (answers, refusals, keep-alive, clients leaving, shutdown).
 */
#include "t.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "http.h"
#include "httpfix.h"
#include "rawhttp.h"
#include "workpool.h"

TEST(get_exact_route)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char v[128];

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/hello", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "hello");
	CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "text/plain; charset=utf-8");
	CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "no-store");
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* An HTML page gets the page policy. */
	CHECK_EQ_INT(hf_get(fx, &r, "/page", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_INT(hf_security_headers_missing(&r, true), 0);
	resp_free(&r);
	/* Exact means exact. */
	CHECK_EQ_INT(hf_get(fx, &r, "/hello/", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/hellox", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	hf_close(fx);
}

TEST(head_served_by_get)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	const char req[] = "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n";

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_roundtrip(fx, &r, req, sizeof(req) - 1, true), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_INT(r.body_len, 0);
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	hf_close(fx);
}

TEST(handlers_get_ctx)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	/* h_hello answers 500 unless its ctx is the fixture's. */
	CHECK_EQ_INT(hf_get(fx, &r, "/hello", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	hf_close(fx);
}

TEST(prefix_route)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/p/abc/def", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/abc/def");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/p/", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/");
	resp_free(&r);
	/* Percent-escapes in the path are decoded, except %00. */
	CHECK_EQ_INT(hf_get(fx, &r, "/p/a%20b", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/a b");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/p/x%00y", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/x%00y");
	resp_free(&r);
	/* The prefix is "/p/": "/p" and "/px" are not under it. */
	CHECK_EQ_INT(hf_get(fx, &r, "/p", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/px", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	hf_close(fx);
}

TEST(unknown_path_404)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/no/such/thing", NULL), 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(hf_is_json_error(&r, "not_found"));
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(hf_post(fx, &r, "/nowhere", "application/json", "{}"), 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(hf_is_json_error(&r, "not_found"));
	resp_free(&r);
	hf_close(fx);
}

TEST(wrong_method_405)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char v[128];

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_post(fx, &r, "/hello", "text/plain", "x"), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "GET");
	CHECK(hf_is_json_error(&r, "method_not_allowed"));
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/echo", NULL), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "POST");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/multi", NULL), 0);
	CHECK_EQ_INT(r.status, 405);
	CHECK_STR(header(&r, "Allow", v, sizeof(v)), "PUT, DELETE");
	resp_free(&r);
	{
		const char req[] = "PUT /multi HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
		CHECK_EQ_INT(hf_roundtrip(fx, &r, req, sizeof(req) - 1, false), 0);
		CHECK_EQ_INT(r.status, 204);
		CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
		resp_free(&r);
	}
	{
		const char req[] = "DELETE /p/x HTTP/1.1\r\nHost: t\r\n\r\n";
		CHECK_EQ_INT(hf_roundtrip(fx, &r, req, sizeof(req) - 1, false), 0);
		CHECK_EQ_INT(r.status, 405);
		CHECK_STR(header(&r, "Allow", v, sizeof(v)), "GET");
		resp_free(&r);
	}
	hf_close(fx);
}

static char *
big_body(size_t n)
{
	char *b = malloc(n + 1);

	if (b != NULL) {
		memset(b, 'x', n);
		b[n] = '\0';
	}
	return b;
}

TEST(body_at_the_limit)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char *b = big_body(HF_BODY_LIMIT), expect[64];

	NEED_SERVER(fx);
	CHECK(b != NULL);
	if (b != NULL) {
		CHECK_EQ_INT(hf_post(fx, &r, "/echo", "text/plain", b), 0);
		CHECK_EQ_INT(r.status, 200);
		snprintf(expect, sizeof(expect), "len=%d sum=%lu", HF_BODY_LIMIT,
		    (unsigned long)HF_BODY_LIMIT * 'x');
		CHECK_STR(r.body, expect);
		resp_free(&r);
	}
	free(b);
	hf_close(fx);
}

TEST(declared_body_over_limit_413)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char req[256];
	int n;
	char *b = big_body(HF_BODY_LIMIT + 1);

	NEED_SERVER(fx);
	/* The whole body sent. */
	if (b != NULL) {
		CHECK_EQ_INT(hf_post(fx, &r, "/echo", "text/plain", b), 0);
		CHECK_EQ_INT(r.status, 413);
		CHECK(hf_is_json_error(&r, "invalid_request"));
		CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
		resp_free(&r);
		free(b);
	}
	/* Headers only: answered before the body comes. */
	n = snprintf(req, sizeof(req), "POST /echo HTTP/1.1\r\nHost: t\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n", 10 * HF_BODY_LIMIT);
	CHECK_EQ_INT(hf_roundtrip(fx, &r, req, (size_t)n, false), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(hf_is_json_error(&r, "invalid_request"));
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* Also for an unknown path: the size is checked first. */
	n = snprintf(req, sizeof(req), "POST /nowhere HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: %d\r\n\r\n", HF_BODY_LIMIT + 1);
	CHECK_EQ_INT(hf_roundtrip(fx, &r, req, (size_t)n, false), 0);
	CHECK_EQ_INT(r.status, 413);
	resp_free(&r);
	hf_close(fx);
}

/* Sends `total` bytes of body in chunks of `chunk`; the response into *r. */
static int
post_chunked(struct httpfix *fx, struct resp *r, size_t total, size_t chunk)
{
	struct conn *c = &fx->conn;
	char *data = big_body(chunk);
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (data == NULL || conn_open(c, fx->port) != 0)
		goto done;
	if (sendf(c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n") != 0)
		goto done;
	for (size_t sent = 0; sent < total; sent += chunk) {
		size_t n = total - sent < chunk ? total - sent : chunk;
		/* The server may answer and close early: stop sending then. */
		if (sendf(c, "%zx\r\n", n) != 0 || send_all(c, data, n) != 0 ||
		    sendf(c, "\r\n") != 0)
			break;
	}
	(void)sendf(c, "0\r\n\r\n");
	rc = read_response(c, r, false);
done:
	conn_close(c);
	free(data);
	return rc;
}

TEST(chunked_body)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char expect[64];

	NEED_SERVER(fx);
	CHECK_EQ_INT(post_chunked(fx, &r, 10000, 1000), 0);
	CHECK_EQ_INT(r.status, 200);
	snprintf(expect, sizeof(expect), "len=10000 sum=%lu", 10000ul * 'x');
	CHECK_STR(r.body, expect);
	resp_free(&r);
	/* Over the limit without a declared length: 413 too. */
	CHECK_EQ_INT(post_chunked(fx, &r, HF_BODY_LIMIT + 8192, 8192), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(hf_is_json_error(&r, "invalid_request"));
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	hf_close(fx);
}

TEST(keep_alive)
{
	struct httpfix *fx = hf_open();
	struct conn *c;
	struct resp r;

	NEED_SERVER(fx);
	c = &fx->conn;
	if (conn_open(c, fx->port) != 0) {
		CHECK(!"connected");
		hf_close(fx);
		return;
	}
	/* Two requests one after the other on one connection. */
	CHECK_EQ_INT(sendf(c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "hello");
	resp_free(&r);
	CHECK_EQ_INT(sendf(c, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=2 sum=195");
	resp_free(&r);
	/* An error answer keeps the connection too. */
	CHECK_EQ_INT(sendf(c, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 404);
	resp_free(&r);
	CHECK_EQ_INT(sendf(c, "GET /p/third HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/p/third");
	resp_free(&r);
	conn_close(c);
	hf_close(fx);
}

TEST(start_errors)
{
	struct http_opts o;
	struct http_server *s = NULL;
	char err[256] = "";

	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.routes = hf_routes;
	o.nroutes = hf_nroutes;
	o.body_limit = HF_BODY_LIMIT;
	CHECK_EQ_INT(http_start(&o, &s, err, sizeof(err)), -1);
	CHECK(s == NULL);
	CHECK(strstr(err, "not a numeric IP address") != NULL);
	CHECK_EQ_INT(http_start(NULL, &s, err, sizeof(err)), -1);
	CHECK_EQ_INT(http_start(&o, NULL, err, sizeof(err)), -1);
	http_stop(NULL);
}

TEST(stop_cleans_up)
{
	struct httpfix *fx = hf_open();
	uint16_t p;

	NEED_SERVER(fx);
	p = fx->port;
	hf_down(fx);
	/* Nothing listens on the port any more. */
	CHECK(conn_open(&fx->conn, p) != 0);
	conn_close(&fx->conn);
	/* And a new server starts again. */
	CHECK_EQ_INT(hf_up(fx), 0);
	CHECK(fx->port != 0);
	hf_close(fx);
}

/* ---- requests deferred to a worker pool, on a server of their own ---- */

struct dctx {
	struct workpool *pool;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool gate_open;
	int blocked;		/* jobs waiting at the gate */
	atomic_int done_calls;
	atomic_int live;	/* job args not yet freed */
	atomic_int redeferred;	/* a second http_defer that did not refuse */
};

struct djob {
	struct dctx *d;
	long n;
	char out[64];
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
slow_work(void *arg)
{
	struct djob *j = arg;

	sleep_ms(50);
	snprintf(j->out, sizeof(j->out), "job:%ld", j->n * 2);
}

static void
gate_work(void *arg)
{
	struct djob *j = arg;
	struct dctx *d = j->d;

	pthread_mutex_lock(&d->mu);
	d->blocked++;
	pthread_cond_broadcast(&d->cv);
	while (!d->gate_open)
		pthread_cond_wait(&d->cv, &d->mu);
	d->blocked--;
	pthread_mutex_unlock(&d->mu);
	snprintf(j->out, sizeof(j->out), "unblocked");
}

static void
job_done(struct http_req *r, void *ctx, void *arg)
{
	struct djob *j = arg;
	struct dctx *d = j->d;

	if (ctx != d)
		http_respond_error(r, 500, "bad_ctx", "done got the wrong ctx");
	else
		http_respond(r, 200, "text/plain", j->out, strlen(j->out));
	free(j);
	atomic_fetch_sub(&d->live, 1);
	atomic_fetch_add(&d->done_calls, 1);
}

static void
defer_job(struct http_req *r, struct dctx *d, http_work_fn work)
{
	struct djob *j = calloc(1, sizeof(*j));
	const char *n = http_query(r, "n");
	size_t len;
	const char *body = http_body(r, &len);

	if (j == NULL) {
		http_respond_error(r, 500, "server_error", "out of memory");
		return;
	}
	j->d = d;
	j->n = strtol(len > 0 ? body : n != NULL ? n : "0", NULL, 10);
	atomic_fetch_add(&d->live, 1);
	if (http_defer(r, d->pool, work, job_done, j) != 0) {
		atomic_fetch_sub(&d->live, 1);
		free(j);
		http_add_header(r, "Retry-After", "1");
		http_respond_error(r, 503, "temporarily_unavailable",
		    "too busy, try again");
		return;
	}
	/* Deferred once is enough: a second deferral is refused. */
	if (http_defer(r, d->pool, work, job_done, NULL) != -1)
		atomic_fetch_add(&d->redeferred, 1);
}

static void
h_slow(struct http_req *r, void *ctx)
{
	defer_job(r, ctx, slow_work);
}

static void
h_block(struct http_req *r, void *ctx)
{
	defer_job(r, ctx, gate_work);
}

static void
h_plain(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/plain", "plain", 5);
}

static const struct http_route droutes[] = {
	{ "GET", "/slow", h_slow },
	{ "POST", "/slow", h_slow },
	{ "GET", "/block", h_block },
	{ "GET", "/plain", h_plain },
};

struct dserver {
	struct dctx d;
	struct http_server *srv;
	uint16_t port;
};

static int
dserver_up(struct dserver *ds, unsigned pool_threads, size_t queue_max)
{
	struct http_opts o;
	char err[256] = "";

	memset(ds, 0, sizeof(*ds));
	pthread_mutex_init(&ds->d.mu, NULL);
	pthread_cond_init(&ds->d.cv, NULL);
	atomic_init(&ds->d.done_calls, 0);
	atomic_init(&ds->d.live, 0);
	atomic_init(&ds->d.redeferred, 0);
	if (workpool_new(pool_threads, queue_max, 0, &ds->d.pool) != 0)
		return -1;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 2;
	o.body_limit = HF_BODY_LIMIT;
	o.conn_timeout = 10;
	o.ctx = &ds->d;
	o.routes = droutes;
	o.nroutes = ARRAY_LEN(droutes);
	if (http_start(&o, &ds->srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "http_start: %s\n", err);
		workpool_free(ds->d.pool);
		return -1;
	}
	ds->port = http_port(ds->srv);
	return 0;
}

/* The shutdown order: the server first, then the pool. */
static void
dserver_down(struct dserver *ds)
{
	http_stop(ds->srv);
	workpool_free(ds->d.pool);
	pthread_cond_destroy(&ds->d.cv);
	pthread_mutex_destroy(&ds->d.mu);
}

static void
gate_open(struct dctx *d)
{
	pthread_mutex_lock(&d->mu);
	d->gate_open = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

static int
blocked_now(struct dctx *d)
{
	int n;

	pthread_mutex_lock(&d->mu);
	n = d->blocked;
	pthread_mutex_unlock(&d->mu);
	return n;
}

/* Polls for up to 5 s until jobs wait at the gate and the pool holds `load`. */
static bool
wait_for_jobs(struct dctx *d, int blocked, size_t load)
{
	for (int i = 0; i < 5000; i++) {
		if (blocked_now(d) == blocked && workpool_load(d->pool) == load)
			return true;
		sleep_ms(1);
	}
	return false;
}

static bool
wait_for_done(struct dctx *d, int calls)
{
	for (int i = 0; i < 5000; i++) {
		if (atomic_load(&d->done_calls) == calls)
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Opens a connection and sends one GET on it. */
static int
dsend(struct conn *c, const struct dserver *ds, const char *path)
{
	if (conn_open(c, ds->port) != 0)
		return -1;
	return sendf(c, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
}

#define NEED_DSERVER(ds, threads, qmax) do { \
	if (dserver_up((ds), (threads), (qmax)) != 0) { \
		CHECK(!"deferral server started"); \
		return; \
	} \
} while (0)

TEST(defer_answers)
{
	static struct dserver ds;
	static struct conn c;
	struct resp r;

	NEED_DSERVER(&ds, 1, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/slow?n=21"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:42");
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	conn_close(&c);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
	CHECK_EQ_INT(atomic_load(&ds.d.redeferred), 0);
}

TEST(defer_leaves_http_threads_free)
{
	static struct dserver ds;
	static struct conn c1, c2, c3;
	struct resp r;

	NEED_DSERVER(&ds, 1, 1);
	/* One job holds the pool's only thread, a second waits behind it. */
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(dsend(&c2, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 2));
	/* A plain route answers while both are still held. */
	CHECK_EQ_INT(dsend(&c3, &ds, "/plain"), 0);
	CHECK_EQ_INT(read_response(&c3, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "plain");
	resp_free(&r);
	CHECK_EQ_INT(blocked_now(&ds.d), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 0);
	gate_open(&ds.d);
	CHECK_EQ_INT(read_response(&c1, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "unblocked");
	resp_free(&r);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "unblocked");
	resp_free(&r);
	conn_close(&c1);
	conn_close(&c2);
	conn_close(&c3);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 2);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(defer_refused_when_pool_full)
{
	static struct dserver ds;
	static struct conn c1, c2;
	struct resp r;
	char v[64];

	NEED_DSERVER(&ds, 1, 0);
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	/* No room: the handler's own 503 reaches the client. */
	CHECK_EQ_INT(dsend(&c2, &ds, "/slow?n=1"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 503);
	CHECK(hf_is_json_error(&r, "temporarily_unavailable"));
	CHECK_STR(header(&r, "Retry-After", v, sizeof(v)), "1");
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* That connection stays usable. */
	CHECK_EQ_INT(sendf(&c2, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	gate_open(&ds.d);
	CHECK_EQ_INT(read_response(&c1, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	/* The answer can arrive before the worker has let go of its slot. */
	CHECK(wait_for_jobs(&ds.d, 0, 0));
	/* With the pool free again, deferral works. */
	CHECK_EQ_INT(sendf(&c2, "GET /slow?n=4 HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c2, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:8");
	resp_free(&r);
	conn_close(&c1);
	conn_close(&c2);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 2);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(keep_alive_after_defer)
{
	static struct dserver ds;
	static struct conn c;
	struct resp r;

	NEED_DSERVER(&ds, 2, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/slow?n=1"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:2");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "plain");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /slow?n=5 HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:10");
	resp_free(&r);
	/* A request with a body, deferred after its last upload call. */
	CHECK_EQ_INT(sendf(&c, "POST /slow HTTP/1.1\r\nHost: t\r\n"
	    "Content-Length: 2\r\n\r\n21"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:42");
	resp_free(&r);
	CHECK_EQ_INT(sendf(&c, "GET /plain HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	CHECK_EQ_INT(read_response(&c, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	conn_close(&c);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 3);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

TEST(client_gone_during_job)
{
	static struct dserver ds;
	static struct conn c1, c2, c3;
	struct resp r;

	NEED_DSERVER(&ds, 1, 4);
	/* One client leaves while its job runs, another while its job waits. */
	CHECK_EQ_INT(dsend(&c1, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(dsend(&c2, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 2));
	conn_close(&c1);
	conn_close(&c2);
	gate_open(&ds.d);
	/* `done` still runs, once each, and frees its argument. */
	CHECK(wait_for_done(&ds.d, 2));
	CHECK_EQ_INT(dsend(&c3, &ds, "/slow?n=3"), 0);
	CHECK_EQ_INT(read_response(&c3, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "job:6");
	resp_free(&r);
	conn_close(&c3);
	dserver_down(&ds);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 3);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
}

static void *
open_gate_later(void *arg)
{
	sleep_ms(100);
	gate_open(arg);
	return NULL;
}

TEST(stop_waits_for_deferred)
{
	static struct dserver ds;
	static struct conn c;
	pthread_t tid;

	NEED_DSERVER(&ds, 1, 4);
	CHECK_EQ_INT(dsend(&c, &ds, "/block"), 0);
	CHECK(wait_for_jobs(&ds.d, 1, 1));
	CHECK_EQ_INT(pthread_create(&tid, NULL, open_gate_later, &ds.d), 0);
	/* http_stop waits for the job, then closes its connection. */
	dserver_down(&ds);
	pthread_join(tid, NULL);
	CHECK_EQ_INT(atomic_load(&ds.d.done_calls), 1);
	CHECK_EQ_INT(atomic_load(&ds.d.live), 0);
	conn_close(&c);
}

TEST(routes_append_bounds)
{
	struct http_route out[3];
	size_t n;

	n = http_routes_append(out, 0, 3, hf_routes, 2);
	CHECK_EQ_INT(n, 2);
	CHECK(out[1].fn == hf_routes[1].fn);
	CHECK_EQ_INT(http_routes_append(out, n, 3, hf_routes, 1), 3);
	CHECK_EQ_INT(http_routes_append(out, 3, 3, hf_routes, 1), 4);
	CHECK_EQ_INT(http_routes_append(out, 2, 3, hf_routes, 2), 4);
	CHECK_EQ_INT(http_routes_append(out, 4, 3, hf_routes, 0), 4);
}

T_MAIN(T(routes_append_bounds), T(get_exact_route), T(head_served_by_get), T(handlers_get_ctx),
    T(prefix_route), T(unknown_path_404), T(wrong_method_405),
    T(body_at_the_limit), T(declared_body_over_limit_413), T(chunked_body),
    T(keep_alive), T(start_errors),
    T(stop_cleans_up), T(defer_answers), T(defer_leaves_http_threads_free),
    T(defer_refused_when_pool_full), T(keep_alive_after_defer),
    T(client_gone_during_job), T(stop_waits_for_deferred))
