/*
 * routes: the HTTP API of `idp serve`: the route table and the handlers
 * that turn requests into calls of the domain modules and their answers
 * into JSON. Handlers share one read-only context.
 */
#ifndef IDP_ROUTES_H
#define IDP_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "clock.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "seal.h"
#include "web.h"

struct keys_cache;
struct oidc_edge;
struct ratelimit;
struct workpool;

struct routes_ctx {
	struct db *db;
	const struct seal *seal;
	const struct clock *clock;
	struct log *log;
	const struct web *web;
	const char *issuer;
	struct auth *auth;
	struct workpool *pool;		/* password hashing, off the HTTP threads */
	struct ratelimit *limit;	/* password and code attempts per address */
	bool secure;			/* https issuer: Secure, __Host- cookies */
	uint8_t csrf_key[32];
	struct keys_cache *keys;	/* ID-token signing keys, reloaded every 60 s */
	struct keys_cache *cred_keys;	/* the credential key (EdDSA), likewise */
	struct oidc_edge *oidc;
	unsigned device_limit;		/* active devices per account; 0: DEV_MAX_DEFAULT */
};

/*
 * Every route of the server into out[max] (the citizen API and pages, then
 * the core routes); the number written, or more than max when they do not
 * fit.
 */
size_t routes_build(struct http_route *out, size_t max);

#endif
