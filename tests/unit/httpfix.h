/*
 * httpfix: the server the http and http_req tests speak to. It owns one
 * http server on 127.0.0.1 with a table of test routes (echo, prefix,
 * target, JSON, Basic, cookies, query, handlers that answer twice or not
 * at all, redirect, cache, PUT/DELETE), the context handed to them, a raw
 * HTTP/1.1 connection for one request at a time, and the checks both test
 * files make on answers (security headers, JSON errors).
 */
#ifndef TESTS_HTTPFIX_H
#define TESTS_HTTPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "rawhttp.h"

#define HF_BODY_LIMIT (64 * 1024)
#define HF_MARKER 0x5eed

/* What the routes get as ctx: GET /hello answers 500 unless it is this one. */
struct hf_ctx {
	int marker;
	const struct hf_ctx *self;
};

struct httpfix {
	struct hf_ctx ctx;
	struct http_server *srv;
	uint16_t port;
	struct conn conn;	/* the connection of hf_roundtrip */
};

/* The test routes, as the fixture's server serves them. */
extern const struct http_route hf_routes[];
extern const size_t hf_nroutes;

/* A new fixture with its server running, or NULL; hf_close it. */
struct httpfix *hf_open(void);
/* Stops the server and frees h; nothing for NULL. */
void hf_close(struct httpfix *h);
/* Starts the server unless it runs: 2 threads, HF_BODY_LIMIT. 0 or -1. */
int hf_up(struct httpfix *h);
/* Stops the server if it runs; hf_up starts a new one afterwards. */
void hf_down(struct httpfix *h);

/* One request on a new connection to the running server; the answer into *r. */
int hf_roundtrip(struct httpfix *h, struct resp *r, const char *req,
    size_t len, bool head_only);
/* GET path with extra_headers (each ending in CRLF, or NULL). */
int hf_get(struct httpfix *h, struct resp *r, const char *path,
    const char *extra_headers);
/* POST body to path with Content-Type ctype (none when NULL). */
int hf_post(struct httpfix *h, struct resp *r, const char *path,
    const char *ctype, const char *body);

/* The security headers every response carries: the count missing (printed). */
int hf_security_headers_missing(const struct resp *r, bool page);
/* Whether r is a JSON error {"error": code, "error_description": ...}. */
int hf_is_json_error(const struct resp *r, const char *code);

/* In a test: returns from it, failed, when hf_open gave NULL. */
#define NEED_SERVER(h) do { \
	if ((h) == NULL) { \
		CHECK(!"server started"); \
		return; \
	} \
} while (0)

#endif
