/*
 * api_credentials: JSON handlers issuing credentials and the signed list
 * of revoked ones.
 */
#include "api_credentials.h"

#include <stdlib.h>
#include <string.h>

#include "api_devices.h"
#include "credentials.h"
#include "front.h"
#include "keys.h"
#include "routes.h"

static void
h_issue(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct keyring *ring;
	struct device dev;
	char *jws = NULL;
	int64_t exp = 0;
	int rc;

	if (api_device_auth(r, ctx, &dev) != 0)
		return;
	if (ctx->cred_keys == NULL) {
		front_db_error(r, ctx->log, DB_ERR);
		return;
	}
	ring = keys_cache_ring(ctx->cred_keys);
	rc = credentials_issue(ctx->db, keyring_signing_key(ring, JWS_EDDSA),
	    ctx->issuer, &dev, clock_now(ctx->clock), &jws, &exp);
	keyring_release(ring);
	if (rc == CRED_LEVEL)
		http_respond_error(r, 403, "level_too_low", "credentials are for "
		    "level-2 accounts; enroll at a desk first");
	else if (rc == CRED_INACTIVE)
		http_respond_error(r, 403, "not_eligible", "the account is not "
		    "active, or this device or its holder's record no longer allows "
		    "a credential");
	else if (rc != DB_OK)
		front_db_error(r, ctx->log, rc);
	else {
		log_event(ctx->log, LOG_INFO, "credential.issued", NULL);
		http_add_header(r, "Cache-Control", "no-store");
		http_respond_json(r, 201, json_pack("{s:s, s:I}", "credential", jws,
		    "expires_at", (json_int_t)exp));
	}
	free(jws);
}

/* The signed status list, or NULL (*rc set). */
static char *
status_jws(struct routes_ctx *ctx, int64_t now, int *rc)
{
	struct db_conn *c = db_acquire(ctx->db);
	struct keyring *ring;
	json_t *revoked = NULL, *payload;
	char *text = NULL, *jws = NULL;

	*rc = c != NULL ? credentials_revoked(c, now, &revoked) : DB_ERR;
	db_release(ctx->db, c);
	if (*rc != DB_OK)
		return NULL;
	payload = json_pack("{s:s, s:I, s:o}", "iss", ctx->issuer, "iat",
	    (json_int_t)now, "revoked", revoked);
	if (payload != NULL)
		text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(payload);
	if (text != NULL) {
		ring = keys_cache_ring(ctx->cred_keys);
		jws = jws_sign(keyring_signing_key(ring, JWS_EDDSA), CRED_STATUS_TYP,
		    text, strlen(text));
		keyring_release(ring);
	}
	free(text);
	*rc = jws != NULL ? DB_OK : DB_ERR;
	return jws;
}

static void
h_status(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	char *jws;
	int rc = DB_ERR;

	jws = ctx->cred_keys != NULL ? status_jws(ctx, clock_now(ctx->clock), &rc) :
	    NULL;
	if (jws == NULL) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	/* Revocation takes effect at once: verifiers fetch it afresh. */
	http_add_header(r, "Cache-Control", "no-cache");
	http_add_header(r, "Access-Control-Allow-Origin", "*");
	http_respond(r, 200, "application/jwt", jws, strlen(jws));
	free(jws);
}

static const struct http_route ROUTES[] = {
	{ "POST", "/v1/credentials", h_issue },
	{ "GET", "/v1/credentials/status", h_status },
};

const struct http_route *
api_credentials_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
