/*
 * metrics: the server's counters for GET /metrics in the Prometheus text
 * format. Owns fixed arrays of atomic counters, made once at start-up for
 * the route table: requests by route and status, a latency histogram per
 * route, and the domain counters (logins by outcome, lockouts, airport
 * verifications by reason, security events) that it takes from the log's
 * events. Counting takes no lock and allocates nothing; only the rendering
 * of the page does.
 */
#ifndef COMMON_METRICS_H
#define COMMON_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

struct metrics;
struct http_route;
struct http_req;
struct workpool;
struct db;

#define METRICS_TOKEN_MAX 256

/* The routes are not copied: they must outlive the metrics. */
int metrics_new(const struct http_route *routes, size_t nroutes,
    struct metrics **out) WUR;
void metrics_free(struct metrics *);

/* The pool whose queue depth is shown (NULL: none). Before serving. */
void metrics_set_pool(struct metrics *, struct workpool *);
/* The database whose busy retries are shown (NULL: none). Before serving. */
void metrics_set_db(struct metrics *, struct db *);
/*
 * The bearer token that opens /metrics to any address (len bytes, copied;
 * 0 < len <= METRICS_TOKEN_MAX); without one only loopback peers are
 * answered. Before serving; -1 for a bad length.
 */
int metrics_set_token(struct metrics *, const char *token, size_t len) WUR;

/*
 * One answered request: route is its index in the table (nroutes or more:
 * no route matched), status its HTTP status, ns its duration.
 */
void metrics_request(struct metrics *, size_t route, unsigned status,
    uint64_t ns);

/* A log_observer_fn (arg: the metrics): counts the domain events. */
void metrics_log_event(void *metrics, const char *event, const char *detail);

/* The page: a malloc'd NUL-terminated text into *out; -1 out of memory. */
int metrics_render(struct metrics *, char **out, size_t *len) WUR;

/*
 * The GET /metrics handler, for the route table (ctx unused: the metrics
 * come from the server): 200 text/plain for a loopback peer or the right
 * bearer token, else 401 (a token is configured) or 403.
 */
void metrics_handler(struct http_req *, void *ctx);

#endif
