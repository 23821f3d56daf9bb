/*
 * routes: the HTTP API of `idp serve`: the route table and the handlers
 * that turn requests into calls of the domain modules and their answers
 * into JSON. Handlers share one read-only context.
 */
#ifndef IDP_ROUTES_H
#define IDP_ROUTES_H

#include <stddef.h>

#include "clock.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "seal.h"
#include "web.h"

struct routes_ctx {
	struct db *db;
	const struct seal *seal;
	const struct clock *clock;
	struct log *log;
	const struct web *web;
	const char *issuer;
};

const struct http_route *routes_table(size_t *n);

#endif
