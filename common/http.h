/*
 * http: the HTTP server edge over libmicrohttpd. Owns the daemon (an internal
 * thread pool, epoll), the per-request context (method, path, headers,
 * query, cookies, a body bounded at a byte limit), routing by exact path or
 * prefix with 404/405 answers, every response's security headers, and the
 * deferral of a request's heavy work to a worker pool. A handler answers
 * once with one of the http_respond_* calls, or defers with http_defer.
 */
#ifndef COMMON_HTTP_H
#define COMMON_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

struct http_server;
struct http_req;
struct log;
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
	unsigned conn_timeout;	/* seconds of inactivity before closing */
	unsigned per_ip_limit;	/* concurrent connections from one address */
	struct log *log;
	void *ctx;		/* handed to every handler */
	const struct http_route *routes;
	size_t nroutes;
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
 * Stops the server. From its start http_defer refuses; it waits for the
 * deferred jobs still queued or running (their pools must still be alive),
 * then closes every connection; a deferred request whose `done` has not yet
 * run gets it called then, its answer going nowhere. The shutdown order is
 * therefore: http_stop first, workpool_free after. NULL is fine.
 */
void http_stop(struct http_server *);

/* The request. Strings live until the handler returns. */
const char *http_method(const struct http_req *);
const char *http_path(const struct http_req *);
/*
 * The request target as the client sent it: the path and the query, not
 * decoded (what a request signature covers).
 */
const char *http_target(const struct http_req *);
const char *http_header(struct http_req *, const char *name);
const char *http_query(struct http_req *, const char *name);
const char *http_cookie(struct http_req *, const char *name);
const char *http_body(const struct http_req *, size_t *len);
/* The client's address as text into buf[64]. */
const char *http_client_addr(struct http_req *, char buf[64]);

/*
 * The body as a JSON object, or NULL after answering 400 (not JSON, not an
 * object, nested deeper than max_depth, duplicate keys) or 415 (another
 * Content-Type).
 */
json_t *http_json_body(struct http_req *, int max_depth);
/*
 * HTTP Basic credentials into user[ulen] and pass[plen] (zero the password
 * after use); -1 when absent or malformed.
 */
int http_basic_auth(struct http_req *, char *user, size_t ulen, char *pass,
    size_t plen) WUR;

/* Adds a header to the coming response (at most 8). */
void http_add_header(struct http_req *, const char *name, const char *value);

/*
 * Sets a cookie on the coming response: Path=/, HttpOnly, SameSite=Lax,
 * Secure when `secure`; max_age < 0 leaves it a session cookie, 0 deletes it.
 */
void http_set_cookie(struct http_req *, const char *name, const char *value,
    long max_age, bool secure);

/* Answers. The body is copied; `json` is taken over (decref'd). */
void http_respond(struct http_req *, unsigned status, const char *ctype,
    const void *body, size_t len);
void http_respond_json(struct http_req *, unsigned status, json_t *json);
void http_respond_error(struct http_req *, unsigned status, const char *code,
    const char *description);
/* A redirect (302, 303) to `location`, with an empty body. */
void http_redirect(struct http_req *, unsigned status, const char *location);
bool http_responded(const struct http_req *);

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
