/*
 * oidc_authz: /authorize and the parked request's way through sign-in and
 * consent to a code or an error redirect.
 */
#include "oidc_authz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clients.h"
#include "consent.h"
#include "front.h"
#include "oidc.h"
#include "oidc_params.h"
#include "pages_oidc.h"

/* 303 to the client with `error` (RFC 6749 4.1.2.1), state and iss. */
static void
redirect_error(struct http_req *r, struct routes_ctx *ctx, const char *uri,
    const char *state, const char *error, const char *desc)
{
	char url[8192];

	snprintf(url, sizeof(url), "%s", uri);
	if (oidc_url_param(url, sizeof(url), "error", error) != 0 ||
	    oidc_url_param(url, sizeof(url), "error_description", desc) != 0 ||
	    (state != NULL && state[0] != '\0' &&
	    oidc_url_param(url, sizeof(url), "state", state) != 0) ||
	    oidc_url_param(url, sizeof(url), "iss", ctx->issuer) != 0) {
		pages_oidc_error(r, ctx, 400, "invalid_request", "request too long");
		return;
	}
	log_event(ctx->log, LOG_INFO, "oidc.authorize_error", "error", error, NULL);
	http_redirect(r, 303, url);
}

static bool
b64url43(const char *s)
{
	if (s == NULL || strlen(s) != 43)
		return false;
	for (size_t i = 0; i < 43; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* The scopes both asked for and allowed to the client, openid first. */
static int
grant_scope(const char *asked, const char *allowed, char *out, size_t outsz)
{
	static const char *const known[] = { "openid", "profile", "personal_id",
	    "address", "phone", "offline_access" };

	out[0] = '\0';
	if (!oidc_scope_has(asked, "openid"))
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(known); i++) {
		if (!oidc_scope_has(asked, known[i]) ||
		    (i > 0 && !oidc_scope_has(allowed, known[i])))
			continue;
		if (strlen(out) + strlen(known[i]) + 2 > outsz)
			return -1;
		if (out[0] != '\0')
			strcat(out, " ");
		strcat(out, known[i]);
	}
	return 0;
}

static bool
prompt_ok(const char *prompt)
{
	static const char *const known[] = { "none", "login", "consent",
	    "select_account" };
	const char *p = prompt;
	size_t count = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, " "), i;

		for (i = 0; i < ARRAY_LEN(known); i++)
			if (n == strlen(known[i]) && strncmp(p, known[i], n) == 0)
				break;
		if (n > 0 && i == ARRAY_LEN(known))
			return false;
		count += n > 0;
		p += n;
		p += strspn(p, " ");
	}
	return !(oidc_scope_has(prompt, "none") && count > 1);
}

/*
 * The rest of the request's checks, made once the redirect URI is known
 * good: NULL when all pass (rq filled), else the error code with *desc.
 */
static const char *
check_request(const struct oidc_params *p, const struct client *cl,
    struct oidc_request *rq, const char **desc)
{
	const char *rt = oidc_param(p, "response_type"), *ma = oidc_param(p, "max_age");
	const char *cc = oidc_param(p, "code_challenge");
	const char *ccm = oidc_param(p, "code_challenge_method");
	const char *v;
	char *end;

	if (oidc_param(p, "request") != NULL)
		return *desc = "request objects are not supported", "request_not_supported";
	if (oidc_param(p, "request_uri") != NULL)
		return *desc = "request_uri is not supported", "request_uri_not_supported";
	if (rt == NULL || strcmp(rt, "code") != 0)
		return *desc = "only response_type=code is supported",
		    "unsupported_response_type";
	v = oidc_param(p, "scope");
	if (v == NULL || grant_scope(v, cl->scope, rq->scope, sizeof(rq->scope)) != 0)
		return *desc = "scope must include openid", "invalid_scope";
	if (cc == NULL || ccm == NULL || strcmp(ccm, "S256") != 0)
		return *desc = "PKCE with code_challenge_method=S256 is required",
		    "invalid_request";
	if (!b64url43(cc))
		return *desc = "code_challenge must be 43 base64url characters",
		    "invalid_request";
	snprintf(rq->code_challenge, sizeof(rq->code_challenge), "%s", cc);
	v = oidc_param(p, "prompt");
	if (v != NULL && !prompt_ok(v))
		return *desc = "unknown or contradictory prompt", "invalid_request";
	snprintf(rq->prompt, sizeof(rq->prompt), "%s", v != NULL ? v : "");
	rq->max_age = -1;
	if (ma != NULL && ((rq->max_age = strtoll(ma, &end, 10)) < 0 ||
	    *end != '\0' || *ma == '\0'))
		return *desc = "max_age must be a non-negative integer", "invalid_request";
	v = oidc_param(p, "nonce");
	snprintf(rq->nonce, sizeof(rq->nonce), "%s", v != NULL ? v : "");
	v = oidc_param(p, "acr_values");
	snprintf(rq->acr_values, sizeof(rq->acr_values), "%s", v != NULL ? v : "");
	return NULL;
}

/* Whether the session's acr meets the request's acr_values. */
static bool
acr_met(const char *acr_values, const char *acr)
{
	if (acr_values[0] == '\0' || oidc_scope_has(acr_values, acr))
		return true;
	/* level 2 also satisfies a request for level 1 */
	return strcmp(acr, OIDC_ACR_LOA2) == 0 &&
	    oidc_scope_has(acr_values, OIDC_ACR_LOA1);
}

/*
 * Sends the browser to the login or consent page, parking the request
 * first if it is not parked yet (a request answered at once never is).
 */
static void
to_page(struct http_req *r, struct routes_ctx *ctx, const char *page,
    struct oidc_request *rq)
{
	char url[256];
	int rc;

	if (rq->id[0] == '\0' &&
	    (rc = oidc_request_save(ctx->db, rq, clock_now(ctx->clock))) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	snprintf(url, sizeof(url), "%s?req=%s", page, rq->id);
	http_redirect(r, 303, url);
}

/* Forgets a parked request, if it was parked. */
static void
unpark(struct routes_ctx *ctx, const struct oidc_request *rq)
{
	if (rq->id[0] != '\0')
		oidc_request_drop(ctx->db, rq->id);
}

/* Issues the code and sends the browser back to the client. */
static void
send_code(struct http_req *r, struct routes_ctx *ctx,
    const struct oidc_request *rq, const struct session *s)
{
	struct oidc_authn a = { s->account_id, s->auth_time, s->amr, s->acr };
	char code[OIDC_ID_SIZE], url[8192];
	int rc;

	rc = oidc_code_issue(ctx->db, rq, &a, clock_now(ctx->clock), code);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	snprintf(url, sizeof(url), "%s", rq->redirect_uri);
	if (oidc_url_param(url, sizeof(url), "code", code) != 0 ||
	    (rq->state[0] != '\0' && oidc_url_param(url, sizeof(url), "state", rq->state) != 0) ||
	    oidc_url_param(url, sizeof(url), "iss", ctx->issuer) != 0) {
		pages_oidc_error(r, ctx, 400, "invalid_request", "request too long");
		return;
	}
	sodium_memzero(code, sizeof(code));
	unpark(ctx, rq);
	log_event(ctx->log, LOG_INFO, "oidc.code_issued", "client_id", rq->client_id,
	    "acr", s->acr, NULL);
	http_redirect(r, 303, url);
}

static void
fail_request(struct http_req *r, struct routes_ctx *ctx,
    const struct oidc_request *rq, const char *error, const char *desc)
{
	unpark(ctx, rq);
	redirect_error(r, ctx, rq->redirect_uri, rq->state, error, desc);
}

/*
 * Whether prompt=login or max_age ask for a sign-in newer than the
 * session's. Straight from /authorize a session as old as max_age is too
 * old (max_age=0 always signs in again); once back from the login page, a
 * sign-in made after the request satisfies both.
 */
static bool
must_sign_in(const struct oidc_request *rq, const struct session *s,
    int64_t now, bool fresh)
{
	bool since_request = s->auth_time >= rq->created_at;

	if (oidc_scope_has(rq->prompt, "login") && (fresh || !since_request))
		return true;
	if (rq->max_age < 0)
		return false;
	if (fresh)
		return now - s->auth_time >= rq->max_age;
	return !since_request && now - s->auth_time > rq->max_age;
}

/*
 * What a parked request needs next: sign-in, step-up, consent, or its code.
 * `fresh`: straight from /authorize (prompt=login asks for a new sign-in);
 * `consented`: the consent page was just accepted.
 */
static void
decide(struct http_req *r, struct routes_ctx *ctx, struct oidc_request *rq,
    bool fresh, bool consented)
{
	struct session s;
	int64_t now = clock_now(ctx->clock);
	bool none = oidc_scope_has(rq->prompt, "none"), agreed = false;
	int rc = auth_session_get(ctx->auth, front_session_token(r, ctx), now, &s);

	if (rc != DB_OK && rc != SESS_NOT_FOUND) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	if (rc == SESS_NOT_FOUND || must_sign_in(rq, &s, now, fresh)) {
		if (none)
			fail_request(r, ctx, rq, "login_required", "the citizen must sign in");
		else
			to_page(r, ctx, "/login", rq);
		return;
	}
	if (!acr_met(rq->acr_values, s.acr)) {
		if (none || !fresh)
			fail_request(r, ctx, rq, "unmet_authentication_requirements",
			    "the requested assurance level needs a device-key sign-in");
		else
			to_page(r, ctx, "/login", rq);
		return;
	}
	if (!consented && (rc = consent_covers(ctx->db, s.account_id,
	    rq->client_id, rq->scope, &agreed)) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	if (!consented && (!agreed || oidc_scope_has(rq->prompt, "consent"))) {
		if (none)
			fail_request(r, ctx, rq, "consent_required", "the citizen must consent");
		else
			to_page(r, ctx, "/consent", rq);
		return;
	}
	send_code(r, ctx, rq, &s);
}

/*
 * Parameters that must appear at most once, as sound text: those naming
 * the client and where to send it (an error page when bad), then the rest
 * (an error sent back to the client).
 */
static const char *const ENDPOINT_PARAMS[] = { "client_id", "redirect_uri", NULL };
static const char *const REQUEST_PARAMS[] = { "response_type", "scope", "state",
	"nonce", "code_challenge", "code_challenge_method", "prompt", "max_age",
	"acr_values", "login_hint", "ui_locales", "id_token_hint", "request",
	"request_uri", "response_mode", "display", "claims", NULL };
static const char *const STATE_PARAM[] = { "state", NULL };
#define BAD_PARAM "%s is repeated, too long, or not valid UTF-8 text"

/* The client and its redirect URI, or an error page (never a redirect). */
static int
known_client(struct http_req *r, struct routes_ctx *ctx, const struct oidc_params *p,
    struct client *cl)
{
	const char *id = oidc_param(p, "client_id"), *uri = oidc_param(p, "redirect_uri");
	struct db_conn *c;
	int rc = CLIENT_NOT_FOUND;

	if (id != NULL && (c = db_acquire(ctx->db)) != NULL) {
		rc = clients_get(c, id, cl);
		db_release(ctx->db, c);
	}
	if (rc != DB_OK || cl->kind != CLIENT_PORTAL) {
		pages_oidc_error(r, ctx, 400, "invalid_client",
		    "unknown client_id, or not a portal");
		return -1;
	}
	if (uri == NULL || !client_redirect_registered(cl, uri)) {
		pages_oidc_error(r, ctx, 400, "invalid_request",
		    "redirect_uri is missing or not registered for this client");
		return -1;
	}
	return 0;
}

static void
h_authorize(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_params p = { r, NULL };
	struct oidc_request rq;
	struct client cl;
	const char *err, *desc = NULL, *state, *bad;
	char msg[96];

	memset(&rq, 0, sizeof(rq));
	if (strcmp(http_method(r), "POST") == 0) {
		size_t len;
		const char *body = http_body(r, &len);

		if (!oidc_form_type(r) || form_parse(body, len, &p.f) != 0) {
			pages_oidc_error(r, ctx, 400, "invalid_request",
			    "the form cannot be read");
			return;
		}
	}
	if ((bad = oidc_query_problem(&p, ENDPOINT_PARAMS)) != NULL) {
		snprintf(msg, sizeof(msg), BAD_PARAM, bad);
		pages_oidc_error(r, ctx, 400, "invalid_request", msg);
		goto done;
	}
	if (known_client(r, ctx, &p, &cl) != 0)
		goto done;
	state = oidc_param(&p, "state");
	if ((bad = oidc_query_problem(&p, REQUEST_PARAMS)) != NULL) {
		snprintf(msg, sizeof(msg), BAD_PARAM, bad);
		redirect_error(r, ctx, oidc_param(&p, "redirect_uri"),
		    state != NULL && oidc_query_problem(&p, STATE_PARAM) == NULL ?
		    state : "", "invalid_request", msg);
		goto done;
	}
	snprintf(rq.client_id, sizeof(rq.client_id), "%s", cl.client_id);
	snprintf(rq.redirect_uri, sizeof(rq.redirect_uri), "%s", oidc_param(&p, "redirect_uri"));
	snprintf(rq.state, sizeof(rq.state), "%s", state != NULL ? state : "");
	if ((err = check_request(&p, &cl, &rq, &desc)) != NULL) {
		redirect_error(r, ctx, rq.redirect_uri, rq.state, err, desc);
		goto done;
	}
	/* Parked only if a page must be shown: a signed-in, consented
	 * browser gets its code without a write for the request. */
	rq.created_at = clock_now(ctx->clock);
	decide(r, ctx, &rq, true, false);
done:
	form_free(p.f);
}

void
oidc_authz_continue(struct http_req *r, struct routes_ctx *ctx, const char *req_id)
{
	struct oidc_request rq;
	int rc = oidc_request_get(ctx->db, req_id, clock_now(ctx->clock), &rq);

	if (rc == OIDC_NOT_FOUND) {
		pages_oidc_error(r, ctx, 400, "invalid_request",
		    "the sign-in request has expired; start again from the service");
		return;
	}
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	decide(r, ctx, &rq, false, false);
}

void
oidc_authz_consented(struct http_req *r, struct routes_ctx *ctx,
    const char *req_id)
{
	struct oidc_request rq;
	struct session s;
	int64_t now = clock_now(ctx->clock);
	int rc = oidc_request_get(ctx->db, req_id, now, &rq);

	if (rc == OIDC_NOT_FOUND) {
		pages_oidc_error(r, ctx, 400, "invalid_request",
		    "the sign-in request has expired; start again from the service");
		return;
	}
	if (rc == DB_OK && (rc = auth_session_get(ctx->auth,
	    front_session_token(r, ctx), now, &s)) == SESS_NOT_FOUND) {
		to_page(r, ctx, "/login", &rq);
		return;
	}
	if (rc == DB_OK)
		rc = consent_grant(ctx->db, ctx->seal, s.account_id, rq.client_id, rq.scope, now);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "oidc.consent_given", "client_id", rq.client_id,
	    "scope", rq.scope, NULL);
	decide(r, ctx, &rq, false, true);
}

void
oidc_authz_deny(struct http_req *r, struct routes_ctx *ctx, const char *req_id)
{
	struct oidc_request rq;
	int rc = oidc_request_get(ctx->db, req_id, clock_now(ctx->clock), &rq);

	if (rc != DB_OK) {
		pages_oidc_error(r, ctx, 400, "invalid_request",
		    "the sign-in request has expired; start again from the service");
		return;
	}
	fail_request(r, ctx, &rq, "access_denied", "the citizen declined");
}

static const struct http_route ROUTES[] = {
	{ "GET", "/authorize", h_authorize },
	{ "POST", "/authorize", h_authorize },
};

const struct http_route *
oidc_authz_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
