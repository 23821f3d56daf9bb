/*
 * api_qrlogin: the app's look-up and decision on a QR sign-in.
 */
#include "api_qrlogin.h"

#include <stdio.h>
#include <string.h>

#include "api_devices.h"
#include "clients.h"
#include "devices.h"
#include "front.h"
#include "oidc.h"
#include "qrlogin.h"
#include "routes.h"

#define PREFIX "/v1/login/qr/"
#define JSON_DEPTH 4
#define OWN_NAME "dinhdanh"

/* What each scope releases, in words for the app (English). */
static const struct {
	const char *scope;
	const char *labels[3];
} CLAIMS[] = {
	{ "openid", { "Identifier for this service", NULL, NULL } },
	{ "profile", { "Full name", "Date of birth", "Gender" } },
	{ "personal_id", { "Personal identification number", NULL, NULL } },
	{ "address", { "Place of residence", NULL, NULL } },
	{ "phone", { "Mobile phone number", NULL, NULL } },
	{ "offline_access", { "Access while you are signed out", NULL, NULL } },
};

/* The labels of the claims `scope` releases, as a new JSON array. */
static json_t *
attributes(const char *scope)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < ARRAY_LEN(CLAIMS); i++) {
		if (!oidc_scope_has(scope, CLAIMS[i].scope))
			continue;
		for (size_t j = 0; j < 3 && CLAIMS[i].labels[j] != NULL; j++)
			json_array_append_new(a, json_string(CLAIMS[i].labels[j]));
	}
	return a;
}

/* The transaction id of the path (after PREFIX). */
static const char *
tx_of(struct http_req *r)
{
	const char *p = http_path(r);

	return strncmp(p, PREFIX, strlen(PREFIX)) == 0 ? p + strlen(PREFIX) : "";
}

/* Answers a qrlogin refusal (or a db_err). */
static void
refuse(struct http_req *r, struct routes_ctx *ctx, int rc)
{
	if (rc == QRL_NOT_FOUND)
		http_respond_error(r, 404, "not_found", "no such sign-in");
	else if (rc == QRL_GONE)
		http_respond_error(r, 410, "expired",
		    "this sign-in has expired or was already answered");
	else if (rc == QRL_LEVEL)
		http_respond_error(r, 403, "level_too_low",
		    "only a device of a level-2 account can approve a sign-in");
	else
		front_db_error(r, ctx->log, rc);
}

/* The service's name and scope for `info` into name[128] and scope[512]. */
static int
service_of(struct routes_ctx *ctx, struct db_conn *c,
    const struct qrlogin_info *info, char name[128], char scope[512])
{
	struct oidc_request rq;
	struct client cl;
	int rc;

	snprintf(name, 128, "%s", OWN_NAME);
	scope[0] = '\0';
	if (info->client_id[0] == '\0')
		return DB_OK;
	if ((rc = clients_get(c, info->client_id, &cl)) != DB_OK)
		return rc == CLIENT_NOT_FOUND ? QRL_GONE : rc;
	snprintf(name, 128, "%s", cl.name);
	snprintf(scope, 512, "%s", cl.scope);
	if (info->req_id[0] != '\0' && oidc_request_get(ctx->db, info->req_id,
	    clock_now(ctx->clock), &rq) == DB_OK)
		snprintf(scope, 512, "%s", rq.scope);
	return DB_OK;
}

static void
h_get(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct qrlogin_info info;
	struct device dev;
	struct db_conn *c;
	char name[128], scope[512];
	int64_t now = clock_now(ctx->clock);
	int rc;

	if (api_device_auth(r, ctx, &dev) != 0)
		return;
	if ((c = db_acquire(ctx->db)) == NULL) {
		front_db_error(r, ctx->log, DB_ERR);
		return;
	}
	rc = qrlogin_info(c, tx_of(r), now, &info);
	if (rc == DB_OK)
		rc = service_of(ctx, c, &info, name, scope);
	db_release(ctx->db, c);
	if (rc != DB_OK) {
		refuse(r, ctx, rc);
		return;
	}
	http_add_header(r, "Cache-Control", "no-store");
	http_respond_json(r, 200, json_pack("{s:s, s:o, s:I}", "client_name", name,
	    "attributes", attributes(scope), "expires_in",
	    (json_int_t)(info.expires_at - now)));
}

/* The decision of the body: 1 approve, 0 deny, or -1 after answering 400. */
static int
decision_of(struct http_req *r)
{
	json_t *body = http_json_body(r, JSON_DEPTH), *v;
	int d = -1;

	if (body == NULL)
		return -1;
	v = json_object_get(body, "decision");
	if (json_is_string(v) && strcmp(json_string_value(v), "approve") == 0)
		d = 1;
	else if (json_is_string(v) && strcmp(json_string_value(v), "deny") == 0)
		d = 0;
	json_decref(body);
	if (d < 0)
		http_respond_error(r, 400, "invalid_request", v == NULL ?
		    "decision is missing" : "decision must be \"approve\" or \"deny\"");
	return d;
}

static void
h_post(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct device dev;
	struct db_conn *c;
	int d, rc = DB_ERR;

	if (api_device_auth(r, ctx, &dev) != 0 || (d = decision_of(r)) < 0)
		return;
	if ((c = db_acquire(ctx->db)) != NULL) {
		rc = qrlogin_decide(c, tx_of(r), dev.account_id, dev.device_id, d,
		    clock_now(ctx->clock));
		db_release(ctx->db, c);
	}
	log_event(ctx->log, LOG_INFO, "qrlogin.decision", "decision",
	    d ? "approve" : "deny", "device_id", dev.device_id, "result",
	    qrlogin_strerror(rc), NULL);
	if (rc != DB_OK) {
		refuse(r, ctx, rc);
		return;
	}
	http_respond_json(r, 200, json_pack("{s:s}", "status",
	    d ? "approved" : "denied"));
}

static const struct http_route ROUTES[] = {
	{ "GET", PREFIX "*", h_get },
	{ "POST", PREFIX "*", h_post },
};

const struct http_route *
api_qrlogin_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
