/*
 * routes: handlers for health, registry events and static files; the
 * route table (the landing page is pages_auth's).
 */
#include "routes.h"

#include <sodium.h>
#include <string.h>

#include "api_airport.h"
#include "api_auth.h"
#include "api_credentials.h"
#include "api_devices.h"
#include "api_enroll.h"
#include "api_qrlogin.h"
#include "auth.h"
#include "clients.h"
#include "regevent.h"
#include "front.h"
#include "oidc_authz.h"
#include "oidc_http.h"
#include "pages_auth.h"
#include "registry.h"

#define JSON_DEPTH 16

static void
h_healthz(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct db_conn *c = db_acquire(ctx->db);
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (c != NULL && (st = db_stmt(c, "SELECT 1")) != NULL) {
		rc = db_step(st);
		sqlite3_reset(st);
	}
	db_release(ctx->db, c);
	if (rc != 1) {
		http_respond_error(r, 503, "temporarily_unavailable", "database unavailable");
		return;
	}
	http_respond(r, 200, "application/json", "{\"status\":\"ok\"}", 15);
}

static void
h_static(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *ctype, *data;
	size_t len;

	if ((data = web_find(ctx->web, http_path(r), &len, &ctype)) == NULL) {
		http_respond_error(r, 404, "not_found", "no such file");
		return;
	}
	http_add_header(r, "Cache-Control", "public, max-age=3600");
	http_respond(r, 200, ctype, data, len);
}

static const char *
json_str(struct http_req *r, json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	char msg[96];

	if (json_is_string(v))
		return json_string_value(v);
	snprintf(msg, sizeof(msg), "%s %s", key, v == NULL ? "is missing" :
	    "must be a string");
	http_respond_error(r, 400, "invalid_request", msg);
	return NULL;
}

/* Fills ev from the body, or answers 400 and returns -1. */
static int
event_from_json(struct http_req *r, json_t *body, struct registry_event *ev)
{
	const char *id, *type, *pid, *key;
	char reason[256];
	json_t *data, *v;

	memset(ev, 0, sizeof(*ev));
	if ((id = json_str(r, body, "event_id")) == NULL ||
	    (type = json_str(r, body, "type")) == NULL ||
	    (pid = json_str(r, body, "personal_id")) == NULL)
		return -1;
	if (registry_event_set_id(ev, id, reason, sizeof(reason)) != 0)
		goto bad;
	if (registry_event_type_parse(type, &ev->type) != 0) {
		snprintf(reason, sizeof(reason), "type must be death, card_reissued, "
		    "name_changed or residence_changed");
		goto bad;
	}
	if (strlen(pid) != 12 || strspn(pid, "0123456789") != 12) {
		snprintf(reason, sizeof(reason), "personal_id must be 12 digits");
		goto bad;
	}
	memcpy(ev->personal_id, pid, 13);
	data = json_object_get(body, "data");
	if (!json_is_object(data)) {
		snprintf(reason, sizeof(reason), "data %s", data == NULL ?
		    "is missing" : "must be an object");
		goto bad;
	}
	json_object_foreach(data, key, v) {
		if (!json_is_string(v)) {
			snprintf(reason, sizeof(reason), "data.%.40s must be a string", key);
			goto bad;
		}
		if (registry_event_set(ev, key, json_string_value(v),
		    json_string_length(v), reason, sizeof(reason)) != 0)
			goto bad;
	}
	return 0;
bad:
	http_respond_error(r, 400, "invalid_request", reason);
	return -1;
}

static void
h_registry_event(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct registry_event ev;
	struct client cl;
	char reason[256];
	json_t *body;
	bool dup;
	int rc;

	if (front_client_basic(r, ctx, CLIENT_REGISTRY, &cl) != 0)
		return;
	if ((body = http_json_body(r, JSON_DEPTH)) == NULL)
		return;
	rc = event_from_json(r, body, &ev);
	json_decref(body);
	if (rc != 0)
		return;
	rc = registry_apply_event(ctx->db, ctx->seal, &ev, cl.client_id,
	    clock_now(ctx->clock), auth_registry_hooks(), &dup, reason, sizeof(reason));
	if (rc == DB_OK) {
		log_event(ctx->log, LOG_INFO, "registry.event", "event_id", ev.event_id,
		    "type", registry_event_type_name(ev.type),
		    "status", dup ? "duplicate" : "applied", NULL);
		http_respond_json(r, 200, json_pack("{s:s, s:s}", "event_id",
		    ev.event_id, "status", dup ? "duplicate" : "applied"));
	} else if (rc == REG_NOT_FOUND)
		http_respond_error(r, 404, "unknown_person",
		    "no person with that personal ID in the registry");
	else if (rc == REG_INVALID)
		http_respond_error(r, 400, "invalid_request", reason);
	else
		front_db_error(r, ctx->log, rc);
}

static const struct http_route table[] = {
	{ "GET", "/healthz", h_healthz },
	{ "POST", "/v1/registry/events", h_registry_event },
	{ "GET", "/static/*", h_static },
};

size_t
routes_build(struct http_route *out, size_t max)
{
	const struct http_route *api;
	size_t n = 0, napi;

	api = api_auth_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = api_devices_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = api_enroll_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = api_qrlogin_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = api_credentials_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = api_airport_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = oidc_http_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	api = oidc_authz_routes(&napi);
	n = http_routes_append(out, n, max, api, napi);
	/* The citizen pages, with the landing page "/". */
	if (n <= max)
		n += pages_routes(out + n, max - n);
	/* The core last: "/" and the static prefix match after the rest. */
	return http_routes_append(out, n, max, table, ARRAY_LEN(table));
}
