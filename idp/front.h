/*
 * front: what the citizen-facing handlers (JSON API and pages) share at
 * the HTTP edge: who is asking (truncated address, user agent), the
 * per-address limit on password and code requests, the session cookie and
 * bearer token, the mapping of database failures to 503/500, and handing
 * password work to the worker pool.
 */
#ifndef IDP_FRONT_H
#define IDP_FRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "clients.h"
#include "http.h"
#include "pwjob.h"
#include "routes.h"

#define FRONT_SESSION_COOKIE "dd_session"
#define FRONT_SESSION_COOKIE_SECURE "__Host-dd_session"

/* The asker, for sign-in records and sessions; addr is the caller's 64 bytes. */
void front_meta(struct http_req *, char addr[64], struct auth_meta *out);

/*
 * Takes a token from the client address's bucket: 0, or the seconds to
 * wait (at least 1) when the address made too many attempts.
 */
int64_t front_limited(struct http_req *, const struct routes_ctx *);

/* The session cookie's name for this server (__Host- when https). */
const char *front_session_cookie(const struct routes_ctx *);
/* The session token of the request: a Bearer token, else the cookie; NULL. */
const char *front_session_token(struct http_req *, const struct routes_ctx *);
/* Sets (max_age > 0) or clears (0) the session cookie. */
void front_set_session(struct http_req *, const struct routes_ctx *,
    const char *token, long max_age);

/*
 * The client of an HTTP Basic request (RFC 6749 2.3.1: both halves
 * form-decoded) into *out when it is of `kind`: 0, or -1 after answering
 * 401 invalid_client (with WWW-Authenticate) or 403 unauthorized_client.
 */
int front_client_basic(struct http_req *, struct routes_ctx *,
    enum client_kind kind, struct client *out) WUR;

/* A string field of a JSON body and its limit in bytes. */
struct front_field {
	const char *name;
	size_t max;
};

/*
 * The string fields f[n] of `body` into out[] (pointers into body): 0, or
 * -1 after answering 400 invalid_request naming the first missing, mistyped,
 * overlong or NUL-holding field.
 */
int front_json_fields(struct http_req *, json_t *body,
    const struct front_field *f, size_t n, const char **out) WUR;

/* RFC 8176 `amr` values, space separated, as a JSON array (new reference). */
json_t *front_amr_json(const char *amr);

/* Answers a database failure: 503 when full, busy or read-only, else 500. */
void front_db_error(struct http_req *, struct log *, int rc);

/*
 * Runs `job` on the pool and calls done(req, ctx, job) after; on a full
 * pool answers 503 temporarily_unavailable (JSON) and frees the job.
 */
void front_defer(struct http_req *, const struct routes_ctx *,
    struct pwjob *job, http_done_fn done);

#endif
