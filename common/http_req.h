/*
 * http_req: one request as a handler sees it. What it reads (method, path,
 * target, headers, query, cookies, the bounded body, the client's address,
 * a JSON body, Basic credentials) and how it answers (headers, cookies,
 * JSON, errors, redirects), every answer with the security headers. The
 * request's state is private to http.c and http_req.c (http_priv.h).
 */
#ifndef COMMON_HTTP_REQ_H
#define COMMON_HTTP_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base.h"

struct http_req;
struct metrics;

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
/*
 * The client's address as text into buf[64]: the peer's, or the one a
 * trusted proxy put in X-Forwarded-For (http_opts.trust_proxy).
 */
const char *http_client_addr(struct http_req *, char buf[64]);
/* The connected peer's address into buf[64], proxies or not. */
const char *http_peer_addr(struct http_req *, char buf[64]);
/* The server's metrics (http_opts.metrics), or NULL. */
struct metrics *http_metrics(struct http_req *);

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

#endif
