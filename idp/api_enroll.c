/*
 * api_enroll: the JSON handler of level-2 enrollment at the desk.
 */
#include "api_enroll.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "enroll.h"
#include "front.h"
#include "jws.h"
#include "officers.h"
#include "phone.h"

#define JSON_DEPTH 4

static const struct front_field FIELDS[] = {
	{ "chip_record", JWS_MAX_COMPACT }, { "biometric_digest", 64 },
	{ "phone", 32 },
};

/* The officer of the bearer token into id; 0, or -1 after answering 401/5xx. */
static int
officer_auth(struct http_req *r, const struct routes_ctx *ctx,
    char id[OFFICER_ID_SIZE])
{
	const char *h = http_header(r, "Authorization");
	struct db_conn *c;
	int rc = OFFICER_NOT_FOUND;

	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
		if ((c = db_acquire(ctx->db)) == NULL)
			rc = DB_ERR;
		else {
			rc = officers_authenticate(c, ctx->seal, h + 7, id);
			db_release(ctx->db, c);
		}
	}
	if (rc == DB_OK)
		return 0;
	if (rc != OFFICER_NOT_FOUND) {
		front_db_error(r, ctx->log, rc);
		return -1;
	}
	log_event(ctx->log, LOG_WARN, "security.officer_auth_failed",
	    "path", http_path(r), NULL);
	http_add_header(r, "WWW-Authenticate", "Bearer realm=\"dinhdanh\"");
	http_respond_error(r, 401, "invalid_token",
	    "an officer's valid bearer token is required");
	return -1;
}

static const char *
refusal_text(int rc)
{
	switch (rc) {
	case ENROLL_CARD_INVALID:
		return "the chip record is not one the card centre signed, or was altered";
	case ENROLL_CARD_SUPERSEDED:
		return "this card was replaced; the person holds a newer card";
	case ENROLL_CARD_EXPIRED:
		return "this card has expired";
	case ENROLL_UNKNOWN_PERSON:
		return "no person with this card's personal ID in the registry";
	case ENROLL_DECEASED:
		return "the registry records this person as deceased";
	default:
		return NULL;
	}
}

static void
refused(struct http_req *r, const struct routes_ctx *ctx, const char *officer,
    int rc, const struct enroll_result *res)
{
	const char *name = enroll_err_name(rc), *text = refusal_text(rc);

	if (rc == ENROLL_BAD_INPUT) {
		http_respond_error(r, 400, "invalid_request", "biometric_digest must "
		    "be 64 lowercase hex digits and phone a Vietnamese mobile number");
		return;
	}
	if (rc == OFFICER_NOT_FOUND) {	/* revoked while the request ran */
		http_add_header(r, "WWW-Authenticate", "Bearer realm=\"dinhdanh\"");
		http_respond_error(r, 401, "invalid_token",
		    "an officer's valid bearer token is required");
		return;
	}
	if (name == NULL || text == NULL) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "enroll.refused", "officer_id", officer,
	    "personal_id", res->personal_id_masked, "reason", name, NULL);
	http_respond_error(r, 422, name, text);
}

static void
h_enroll(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	char officer[OFFICER_ID_SIZE], why[96], e164[PHONE_E164_SIZE];
	const char *v[ARRAY_LEN(FIELDS)];
	struct enroll_result res;
	json_t *body = NULL;
	int rc;

	if (officer_auth(r, ctx, officer) != 0 ||
	    (body = http_json_body(r, JSON_DEPTH)) == NULL ||
	    front_json_fields(r, body, FIELDS, ARRAY_LEN(FIELDS), v) != 0)
		goto done;
	if (!enroll_digest_valid(v[1])) {
		http_respond_error(r, 400, "invalid_request",
		    "biometric_digest must be 64 lowercase hex digits");
		goto done;
	}
	if (phone_normalize(v[2], e164, why, sizeof(why)) != 0) {
		http_respond_error(r, 400, "invalid_phone", why);
		goto done;
	}
	rc = enroll_person(ctx->db, ctx->seal, officer, v[0], v[1], v[2],
	    clock_now(ctx->clock), &res);
	if (rc != DB_OK) {
		refused(r, ctx, officer, rc, &res);
		goto done;
	}
	log_event(ctx->log, LOG_INFO, "enroll.completed", "officer_id", officer,
	    "personal_id", res.personal_id_masked, "account",
	    res.created ? "created" : "upgraded", NULL);
	http_respond_json(r, 201, json_pack("{s:i, s:s, s:I}", "level", res.level,
	    "activation_code", res.activation_code,
	    "expires_at", (json_int_t)res.expires_at));
	sodium_memzero(&res, sizeof(res));
done:
	json_decref(body);
}

static const struct http_route routes[] = {
	{ "POST", "/v1/enrollments", h_enroll },
};

const struct http_route *
api_enroll_routes(size_t *n)
{
	*n = ARRAY_LEN(routes);
	return routes;
}
