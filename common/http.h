/*
 * http: the HTTP server edge over libmicrohttpd. Owns the daemon (an internal
 * thread pool, epoll), the per-request context (method, path, headers,
 * query, cookies, a body bounded at a byte limit), routing by exact path or
 * prefix with 404/405 answers, and the deferral of a request's heavy work
 * to a worker pool. A handler answers once with one of the http_respond_*
 * calls of http_req.h, or defers with http_defer.
 */
#ifndef COMMON_HTTP_H
#define COMMON_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "http_req.h"

struct http_server;
struct http_req;
struct log;
struct metrics;
struct workpool;

typedef void (*http_handler_fn)(struct http_req *, void *ctx);

struct http_route {
	const char *method;	/* "GET" (also serves HEAD), "POST", ... */
	const char *path;	/* exact; a trailing '*' matches a prefix */
	http_handler_fn fn;
};

struct http_opts {
	const char *host;	/* numeric IPv4 or IPv6 address */
	uint16_t port;		/* 0: any free port */
	unsigned threads;	/* 0: one per core */
	size_t body_limit;	/* bytes; larger bodies get 413 */
	unsigned conn_timeout;	/* seconds of inactivity, and for a request to
				   arrive whole, before closing */
	unsigned per_ip_limit;	/* concurrent connections from one address */
	struct log *log;
	void *ctx;		/* handed to every handler */
	const struct http_route *routes;
	size_t nroutes;
	struct metrics *metrics;	/* NULL: requests are not counted */
	const char *tls_cert;	/* PEM text (copied by libmicrohttpd); both */
	const char *tls_key;	/* given: HTTPS, else plain HTTP */
	const char *trust_proxy;	/* "A,B": proxies whose X-Forwarded-For is
				   believed (see proxy.h); NULL: none */
};

/*
 * Copies n routes to out[at..max) and returns the new count; max + 1 when
 * they did not all fit (so that a caller's table overflow shows).
 */
size_t http_routes_append(struct http_route *out, size_t at, size_t max,
    const struct http_route *add, size_t n);

int http_start(const struct http_opts *, struct http_server **out,
    char *err, size_t errsz) WUR;
uint16_t http_port(const struct http_server *);
/*
 * Stops accepting connections and waits, at most timeout_ms, until no
 * request is in progress (read, handled, deferred or being sent); 0 when
 * none is left, -1 at the timeout. http_stop must still follow.
 */
int http_drain(struct http_server *, unsigned timeout_ms);
/*
 * Stops the server. From its start http_defer refuses; it waits for the
 * deferred jobs still queued or running (their pools must still be alive),
 * then closes every connection; a deferred request whose `done` has not yet
 * run gets it called then, its answer going nowhere. The shutdown order is
 * therefore: http_stop first, workpool_free after. NULL is fine.
 */
void http_stop(struct http_server *);

typedef void (*http_work_fn)(void *arg);
typedef void (*http_done_fn)(struct http_req *, void *ctx, void *arg);

/*
 * Runs work(arg) on `pool`, off the HTTP threads, with the connection
 * suspended, then calls done(req, ctx, arg) back on an HTTP thread, where it
 * answers (or defers again) and frees arg. `work` must not touch the
 * request: copy what it needs into arg first. `done` is called exactly once
 * after `work` has returned, also when the client went away meanwhile or the
 * server stops; its answer then goes nowhere, but it still frees arg.
 *
 * 0 when deferred: the handler then returns without answering. -1 when the
 * pool has no room, the server is stopping, or the request was answered or
 * deferred already: nothing was called or answered, the connection was not
 * suspended, the caller still owns arg and answers itself (typically 503
 * with Retry-After).
 */
int http_defer(struct http_req *, struct workpool *pool, http_work_fn work,
    http_done_fn done, void *arg) WUR;

#endif
