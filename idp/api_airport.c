/*
 * api_airport: the airport client's authentication and the verify handler:
 * the offline checks (presentation) with the credential keys of the
 * server's cache, then the live ones (airport).
 */
#include "api_airport.h"

#include <sodium.h>
#include <string.h>

#include "airport.h"
#include "clients.h"
#include "form.h"
#include "front.h"
#include "keys.h"
#include "presentation.h"
#include "routes.h"


static const struct jws_key *
ring_key(void *arg, const char *kid)
{
	return arg != NULL ? keyring_find_kid(arg, kid) : NULL;
}

/* The body's presentation, or NULL (the caller answers malformed). */
static json_t *
presentation_of(struct http_req *r)
{
	const char *body;
	json_t *o, *p;
	size_t len;

	body = http_body(r, &len);
	if (body == NULL || len == 0 ||
	    (o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return NULL;
	p = json_object_get(o, "presentation");
	if (!json_is_object(o) || !json_is_string(p)) {
		json_decref(o);
		return NULL;
	}
	json_incref(p);
	json_decref(o);
	return p;
}

static void
h_verify(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct pres_result res;
	struct keyring *ring;
	struct client cl;
	json_t *p;
	int64_t now;
	int rc = DB_OK;

	if (front_client_basic(r, ctx, CLIENT_AIRPORT, &cl) != 0)
		return;
	now = clock_now(ctx->clock);
	memset(&res, 0, sizeof(res));
	res.reason = PRES_MALFORMED;
	if ((p = presentation_of(r)) != NULL) {
		ring = ctx->cred_keys != NULL ? keys_cache_ring(ctx->cred_keys) : NULL;
		(void)presentation_check(json_string_value(p), json_string_length(p),
		    now, ring_key, ring, &res);
		if (ring != NULL)
			keyring_release(ring);
		json_decref(p);
		rc = airport_verify(ctx->db, &res, cl.client_id, cl.name, now);
	}
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, res.reason == PRES_ACCEPTED ? LOG_INFO : LOG_WARN,
	    "airport.verify", "client_id", cl.client_id,
	    "result", pres_reason_name(res.reason), NULL);
	http_add_header(r, "Cache-Control", "no-store");
	http_respond_json(r, res.reason == PRES_ACCEPTED ? 200 : 422,
	    presentation_verdict(&res, now));
}

static const struct http_route routes[] = {
	{ "POST", "/v1/airport/verify", h_verify },
};

const struct http_route *
api_airport_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
