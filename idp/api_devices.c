/*
 * api_devices: JSON handlers for binding, listing and revoking devices and
 * for activation codes asked by a device; the device-signature check.
 */
#include "api_devices.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "enroll.h"
#include "front.h"

#define JSON_DEPTH 4
#define F_CODE 64
#define F_KEY 64
#define PREFIX "/v1/devices/"

static void
unauthorized(struct http_req *r, const char *why)
{
	http_add_header(r, "WWW-Authenticate", "Device realm=\"dinhdanh\"");
	http_respond_error(r, 401, "invalid_device", why);
}

/* The reason of a refused device signature, for the app and for the log. */
static const char *
auth_reason(int rc, const char **event)
{
	*event = "bad_signature";
	switch (rc) {
	case DEV_NOT_FOUND:
		*event = "unknown_device";
		return "unknown device: it is not bound to any account";
	case DEV_REVOKED:
		*event = "revoked";
		return "this device has been revoked (or its account is locked or "
		    "closed); bind it again with a new activation code";
	case DEV_REPLAY:
		*event = "replay";
		return "this signed request was sent before (nonce reused)";
	case DEV_STALE:
		*event = "stale";
		return "the request's timestamp is more than 120 seconds from the "
		    "server's clock; check the device's clock";
	default:
		return "missing, malformed or wrong device signature";
	}
}

int
api_device_auth(struct http_req *r, struct routes_ctx *ctx, struct device *out)
{
	const char *body, *why, *event;
	size_t len;
	int rc;

	if (r == NULL || ctx == NULL || out == NULL)
		return -1;
	body = http_body(r, &len);
	rc = devices_authenticate(ctx->db, http_header(r, "Authorization"),
	    http_method(r), http_target(r), body, len, clock_now(ctx->clock), out);
	if (rc == DB_OK)
		return 0;
	if (rc == DEV_NOT_FOUND || rc == DEV_BAD_SIGNATURE || rc == DEV_REVOKED ||
	    rc == DEV_REPLAY || rc == DEV_STALE) {
		why = auth_reason(rc, &event);
		log_event(ctx->log, LOG_WARN, "security.device_auth_failed",
		    "reason", event, "path", http_path(r), NULL);
		unauthorized(r, why);
	} else
		front_db_error(r, ctx->log, rc);
	return -1;
}

/* A string field of body: its value, or NULL after answering 400. */
static const char *
field(struct http_req *r, json_t *body, const char *name, size_t max)
{
	json_t *v = json_object_get(body, name);
	char msg[96];

	if (v == NULL || json_is_null(v))
		snprintf(msg, sizeof(msg), "%s is required", name);
	else if (!json_is_string(v))
		snprintf(msg, sizeof(msg), "%s must be a string", name);
	else if (json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		snprintf(msg, sizeof(msg), "%s is too long or holds a NUL", name);
	else
		return json_string_value(v);
	http_respond_error(r, 400, "invalid_request", msg);
	return NULL;
}

/* Redeems the code and binds the key in one transaction; the new id. */
static int
bind_device(struct routes_ctx *ctx, const char *code, const char *key,
    const char *name, char id[DEV_ID_SIZE], int *level)
{
	struct db_conn *c = db_acquire(ctx->db);
	unsigned limit = ctx->device_limit ? ctx->device_limit : DEV_MAX_DEFAULT;
	int64_t now = clock_now(ctx->clock);
	char account_id[44];
	struct account acc;
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = enroll_code_redeem(c, code, now, account_id)) != DB_OK ||
	    (rc = devices_add(c, ctx->seal, account_id, name, key, limit, now, id)) != DB_OK ||
	    (rc = accounts_get(c, account_id, &acc)) != DB_OK) {
		db_rollback(c);
		goto fail;
	}
	*level = acc.level;
	sodium_memzero(&acc, sizeof(acc));
	rc = db_commit(c);
fail:
	db_release(ctx->db, c);
	return rc;
}

static void
bind_error(struct http_req *r, struct routes_ctx *ctx, int rc)
{
	if (rc == ENROLL_BAD_CODE)
		http_respond_error(r, 400, "invalid_code",
		    "the activation code is wrong, used or expired");
	else if (rc == DEV_LIMIT)
		http_respond_error(r, 409, "device_limit", "the account has as many "
		    "devices as it may; revoke one first");
	else if (rc == DEV_KEY_IN_USE)
		http_respond_error(r, 409, "key_in_use",
		    "this public key is bound already; make a new one");
	else if (rc == DEV_BAD_KEY || rc == ACC_NOT_FOUND)
		http_respond_error(r, 400, "invalid_key", "public_key must be an "
		    "Ed25519 public key (43 base64url characters) and name 1 to 63 "
		    "bytes of text");
	else
		front_db_error(r, ctx->log, rc);
}

static void
h_bind(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *code, *key, *name;
	char id[DEV_ID_SIZE];
	json_t *body;
	int level = 0, rc;

	if ((body = http_json_body(r, JSON_DEPTH)) == NULL)
		return;
	if ((code = field(r, body, "activation_code", F_CODE)) == NULL ||
	    (key = field(r, body, "public_key", F_KEY)) == NULL ||
	    (name = field(r, body, "name", DEV_NAME_MAX)) == NULL)
		goto done;
	if (front_limited(r, ctx) != 0) {
		http_add_header(r, "Retry-After", "60");
		http_respond_error(r, 429, "rate_limited",
		    "too many attempts from this network; try again later");
		goto done;
	}
	if ((rc = bind_device(ctx, code, key, name, id, &level)) != DB_OK) {
		if (rc == ENROLL_BAD_CODE || rc == DEV_LIMIT)
			log_event(ctx->log, LOG_WARN, "device.bind_refused", "reason",
			    rc == DEV_LIMIT ? "device_limit" : "invalid_code", NULL);
		bind_error(r, ctx, rc);
		goto done;
	}
	log_event(ctx->log, LOG_INFO, "device.bound", NULL);
	http_respond_json(r, 201, json_pack("{s:s, s:i}", "device_id", id,
	    "account_level", level));
done:
	json_decref(body);
}

struct list_ctx {
	json_t *arr;
	const char *self;
};

static void
list_row(const struct device_row *row, void *arg)
{
	struct list_ctx *l = arg;

	json_array_append_new(l->arr, json_pack("{s:s, s:s, s:I, s:I, s:b}",
	    "device_id", row->d.device_id, "name", row->d.name,
	    "created_at", (json_int_t)row->d.created_at,
	    "last_used_at", (json_int_t)row->d.last_used_at,
	    "this_device", strcmp(row->d.device_id, l->self) == 0));
}

static void
h_list(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct list_ctx l = { json_array(), NULL };
	struct db_conn *c = NULL;
	struct device dev;
	int rc = DB_ERR;

	if (api_device_auth(r, ctx, &dev) != 0)
		goto done;
	l.self = dev.device_id;
	if (l.arr != NULL && (c = db_acquire(ctx->db)) != NULL)
		rc = devices_foreach(c, dev.account_id, false, list_row, &l);
	db_release(ctx->db, c);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		goto done;
	}
	http_respond_json(r, 200, json_pack("{s:O}", "devices", l.arr));
done:
	json_decref(l.arr);
}

/* The device id of /v1/devices/<id>[/revoke], or NULL. */
static const char *
target_id(struct http_req *r, char id[DEV_ID_SIZE])
{
	const char *p = http_path(r) + strlen(PREFIX);
	size_t n = strcspn(p, "/");

	if (n != DEV_ID_SIZE - 1)
		return NULL;
	if (strcmp(http_method(r), "POST") == 0 ? strcmp(p + n, "/revoke") != 0 :
	    p[n] != '\0')
		return NULL;
	memcpy(id, p, n);
	id[n] = '\0';
	return id;
}

static void
h_revoke(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	char id[DEV_ID_SIZE];
	struct db_conn *c;
	struct device dev;
	int rc = DB_ERR;

	if (target_id(r, id) == NULL) {
		http_respond_error(r, 404, "not_found", "no such device");
		return;
	}
	if (api_device_auth(r, ctx, &dev) != 0)
		return;
	if ((c = db_acquire(ctx->db)) != NULL)
		rc = devices_revoke(c, ctx->seal, dev.account_id, id,
		    clock_now(ctx->clock));
	db_release(ctx->db, c);
	if (rc == DEV_NOT_FOUND) {
		http_respond_error(r, 404, "not_found",
		    "the account has no device with that id");
		return;
	}
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "device.revoked", "by", "device",
	    "self", strcmp(id, dev.device_id) == 0 ? "yes" : "no", NULL);
	http_respond_json(r, 200, json_pack("{s:s, s:s}", "device_id", id,
	    "status", "revoked"));
}

static void
h_code(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	char code[ENROLL_CODE_SIZE], by[8 + DEV_ID_SIZE];
	struct db_conn *c;
	struct device dev;
	int64_t exp = 0;
	int rc = DB_ERR;

	if (api_device_auth(r, ctx, &dev) != 0)
		return;
	snprintf(by, sizeof(by), "device:%s", dev.device_id);
	if ((c = db_acquire(ctx->db)) != NULL && (rc = db_begin(c)) == DB_OK) {
		rc = enroll_code_issue(c, dev.account_id, by, clock_now(ctx->clock),
		    code, &exp);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(ctx->db, c);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "device.code_issued", "by", "device", NULL);
	http_respond_json(r, 201, json_pack("{s:s, s:I}", "activation_code", code,
	    "expires_at", (json_int_t)exp));
	sodium_memzero(code, sizeof(code));
}

/* Exact paths before the prefix: /v1/devices/codes is not a device id. */
static const struct http_route ROUTES[] = {
	{ "POST", "/v1/devices", h_bind },
	{ "GET", "/v1/devices", h_list },
	{ "POST", "/v1/devices/codes", h_code },
	{ "POST", PREFIX "*", h_revoke },
	{ "DELETE", PREFIX "*", h_revoke },
};

const struct http_route *
api_devices_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
