/*
 * oidc_http: discovery, JWKS, authorize, token, userinfo, revocation,
 * introspection, and the logout-target check.
 */
#include "oidc_http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "b64.h"
#include "clients.h"
#include "form.h"
#include "front.h"
#include "jws.h"
#include "keys.h"
#include "oidc.h"
#include "pages_oidc.h"
#include "registry.h"

#define ID_TOKEN_TTL 600
#define PARAM_MAX 1024		/* bytes of any one request parameter */

struct oidc_edge {
	pthread_mutex_t mu;
	char *discovery;	/* built on first use: the issuer is known by then */
	size_t discovery_len;
};

int
oidc_edge_new(struct oidc_edge **out)
{
	struct oidc_edge *e = calloc(1, sizeof(*e));

	if (e == NULL || out == NULL) {
		free(e);
		return -1;
	}
	pthread_mutex_init(&e->mu, NULL);
	*out = e;
	return 0;
}

void
oidc_edge_free(struct oidc_edge *e)
{
	if (e == NULL)
		return;
	pthread_mutex_destroy(&e->mu);
	free(e->discovery);
	free(e);
}

/* ---- small helpers ---- */

/* Percent-encodes every byte outside RFC 3986's unreserved set. */
static int
url_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~';

		if (w + (plain ? 1 : 3) >= outsz)
			return -1;
		if (plain) {
			out[w++] = (char)c;
		} else {
			out[w++] = '%';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	out[w] = '\0';
	return 0;
}

/* Appends "?k=v" or "&k=v" (v encoded) to url; -1 when it does not fit. */
static int
url_param(char *url, size_t urlsz, const char *k, const char *v)
{
	char enc[3 * PARAM_MAX + 1];
	size_t n = strlen(url);

	if (v == NULL || url_encode(v, enc, sizeof(enc)) != 0)
		return -1;
	if ((size_t)snprintf(url + n, urlsz - n, "%s%s=%s",
	    strchr(url, '?') != NULL ? "&" : "?", k, enc) >= urlsz - n)
		return -1;
	return 0;
}

/* Request parameters: the query of a GET, the form of a POST. */
struct params {
	struct http_req *r;
	struct form *f;
};

static const char *
param(const struct params *p, const char *name)
{
	const char *v = p->f != NULL ? form_get(p->f, name) : http_query(p->r, name);

	return v != NULL && strlen(v) <= PARAM_MAX ? v : NULL;
}

static bool
form_type(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type");

	return ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* Parses a POSTed form into p->f: 0, or -1 after answering 400/415 JSON. */
static int
parse_form(struct http_req *r, struct params *p)
{
	size_t len;
	const char *body;

	p->r = r;
	p->f = NULL;
	if (!form_type(r)) {
		http_respond_error(r, 415, "invalid_request",
		    "Content-Type must be application/x-www-form-urlencoded");
		return -1;
	}
	body = http_body(r, &len);
	if (form_parse(body, len, &p->f) != 0) {
		http_respond_error(r, 400, "invalid_request", "the form cannot be read");
		return -1;
	}
	return 0;
}

static void
no_cache(struct http_req *r)
{
	http_add_header(r, "Pragma", "no-cache");
}

/* ---- discovery and JWKS ---- */

static char *
discovery_doc(const char *iss)
{
	char ep[8][640];
	static const char *const paths[8] = { "/authorize", "/token", "/userinfo",
	    "/jwks.json", "/revoke", "/introspect", "/logout", "/" };
	json_t *d;
	char *s;

	for (size_t i = 0; i < 8; i++)
		snprintf(ep[i], sizeof(ep[i]), "%s%s", iss, paths[i]);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    "s:[s], s:[s], s:[s,s], s:[s], s:[s,s,s], s:[s,s], s:[s,s], s:[s,s],"
	    "s:[s], s:[s,s,s,s,s,s], s:[s,s], s:[s,s,s,s], s:[s,s], s:[s],"
	    "s:b, s:b, s:b, s:b, s:b}",
	    "issuer", iss, "authorization_endpoint", ep[0], "token_endpoint", ep[1],
	    "userinfo_endpoint", ep[2], "jwks_uri", ep[3],
	    "revocation_endpoint", ep[4], "introspection_endpoint", ep[5],
	    "end_session_endpoint", ep[6],
	    "response_types_supported", "code",
	    "response_modes_supported", "query",
	    "grant_types_supported", "authorization_code", "refresh_token",
	    "subject_types_supported", "pairwise",
	    "id_token_signing_alg_values_supported", "RS256", "EdDSA", "ES256",
	    "token_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post",
	    "revocation_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post",
	    "introspection_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post",
	    "code_challenge_methods_supported", "S256",
	    "scopes_supported", "openid", "profile", "personal_id", "address",
	    "phone", "offline_access",
	    "acr_values_supported", OIDC_ACR_LOA1, OIDC_ACR_LOA2,
	    "prompt_values_supported", "none", "login", "consent", "select_account",
	    "ui_locales_supported", "vi", "en",
	    "claim_types_supported", "normal",
	    "authorization_response_iss_parameter_supported", 1,
	    "claims_parameter_supported", 0,
	    "request_parameter_supported", 0,
	    "request_uri_parameter_supported", 0,
	    "require_request_uri_registration", 0);
	if (d == NULL)
		return NULL;
	json_object_set_new(d, "claims_supported", json_pack(
	    "[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]", "sub", "iss", "aud", "exp", "iat",
	    "auth_time", "nonce", "acr", "amr", "azp", "name", "birthdate", "gender",
	    "personal_id", "address", "phone_number", "phone_number_verified"));
	s = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	return s;
}

static void
h_discovery(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_edge *e = ctx->oidc;

	/* Built once; after that only read, without the lock. */
	if (__atomic_load_n(&e->discovery, __ATOMIC_ACQUIRE) == NULL) {
		char *d;

		pthread_mutex_lock(&e->mu);
		if (e->discovery == NULL && (d = discovery_doc(ctx->issuer)) != NULL) {
			e->discovery_len = strlen(d);
			__atomic_store_n(&e->discovery, d, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&e->mu);
	}
	if (e->discovery == NULL) {
		http_respond_error(r, 500, "server_error", "out of memory");
		return;
	}
	http_add_header(r, "Cache-Control", "public, max-age=3600");
	http_add_header(r, "Access-Control-Allow-Origin", "*");
	http_respond(r, 200, "application/json", e->discovery, e->discovery_len);
}

static void
h_jwks(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct keyring *ring = keys_cache_ring(ctx->keys);

	http_add_header(r, "Cache-Control", "public, max-age=60");
	http_add_header(r, "Access-Control-Allow-Origin", "*");
	http_respond(r, 200, "application/jwk-set+json", keyring_jwks_json(ring),
	    keyring_jwks_len(ring));
	keyring_release(ring);
}

/* ---- authorize ---- */

/* 303 to the client with `error` (RFC 6749 4.1.2.1), state and iss. */
static void
redirect_error(struct http_req *r, struct routes_ctx *ctx, const char *uri,
    const char *state, const char *error, const char *desc)
{
	char url[8192];

	snprintf(url, sizeof(url), "%s", uri);
	if (url_param(url, sizeof(url), "error", error) != 0 ||
	    url_param(url, sizeof(url), "error_description", desc) != 0 ||
	    (state != NULL && state[0] != '\0' &&
	    url_param(url, sizeof(url), "state", state) != 0) ||
	    url_param(url, sizeof(url), "iss", ctx->issuer) != 0) {
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
check_request(const struct params *p, const struct client *cl,
    struct oidc_request *rq, const char **desc)
{
	const char *rt = param(p, "response_type"), *ma = param(p, "max_age");
	const char *cc = param(p, "code_challenge");
	const char *ccm = param(p, "code_challenge_method");
	const char *v;
	char *end;

	if (param(p, "request") != NULL)
		return *desc = "request objects are not supported", "request_not_supported";
	if (param(p, "request_uri") != NULL)
		return *desc = "request_uri is not supported", "request_uri_not_supported";
	if (rt == NULL || strcmp(rt, "code") != 0)
		return *desc = "only response_type=code is supported",
		    "unsupported_response_type";
	v = param(p, "scope");
	if (v == NULL || grant_scope(v, cl->scope, rq->scope, sizeof(rq->scope)) != 0)
		return *desc = "scope must include openid", "invalid_scope";
	if (cc == NULL || ccm == NULL || strcmp(ccm, "S256") != 0)
		return *desc = "PKCE with code_challenge_method=S256 is required",
		    "invalid_request";
	if (!b64url43(cc))
		return *desc = "code_challenge must be 43 base64url characters",
		    "invalid_request";
	snprintf(rq->code_challenge, sizeof(rq->code_challenge), "%s", cc);
	v = param(p, "prompt");
	if (v != NULL && !prompt_ok(v))
		return *desc = "unknown or contradictory prompt", "invalid_request";
	snprintf(rq->prompt, sizeof(rq->prompt), "%s", v != NULL ? v : "");
	rq->max_age = -1;
	if (ma != NULL && ((rq->max_age = strtoll(ma, &end, 10)) < 0 ||
	    *end != '\0' || *ma == '\0'))
		return *desc = "max_age must be a non-negative integer", "invalid_request";
	v = param(p, "nonce");
	snprintf(rq->nonce, sizeof(rq->nonce), "%s", v != NULL ? v : "");
	v = param(p, "acr_values");
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

static void
to_page(struct http_req *r, const char *page, const char *req_id)
{
	char url[256];

	snprintf(url, sizeof(url), "%s?req=%s", page, req_id);
	http_redirect(r, 303, url);
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
	if (url_param(url, sizeof(url), "code", code) != 0 ||
	    (rq->state[0] != '\0' && url_param(url, sizeof(url), "state", rq->state) != 0) ||
	    url_param(url, sizeof(url), "iss", ctx->issuer) != 0) {
		pages_oidc_error(r, ctx, 400, "invalid_request", "request too long");
		return;
	}
	sodium_memzero(code, sizeof(code));
	oidc_request_drop(ctx->db, rq->id);
	log_event(ctx->log, LOG_INFO, "oidc.code_issued", "client_id", rq->client_id,
	    "acr", s->acr, NULL);
	http_redirect(r, 303, url);
}

static void
fail_request(struct http_req *r, struct routes_ctx *ctx,
    const struct oidc_request *rq, const char *error, const char *desc)
{
	oidc_request_drop(ctx->db, rq->id);
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
decide(struct http_req *r, struct routes_ctx *ctx, const struct oidc_request *rq,
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
			to_page(r, "/login", rq->id);
		return;
	}
	if (!acr_met(rq->acr_values, s.acr)) {
		if (none || !fresh)
			fail_request(r, ctx, rq, "unmet_authentication_requirements",
			    "the requested assurance level needs a device-key sign-in");
		else
			to_page(r, "/login", rq->id);
		return;
	}
	if (!consented && (rc = oidc_consent_covers(ctx->db, s.account_id,
	    rq->client_id, rq->scope, &agreed)) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	if (!consented && (!agreed || oidc_scope_has(rq->prompt, "consent"))) {
		if (none)
			fail_request(r, ctx, rq, "consent_required", "the citizen must consent");
		else
			to_page(r, "/consent", rq->id);
		return;
	}
	send_code(r, ctx, rq, &s);
}

/* The client and its redirect URI, or an error page (never a redirect). */
static int
known_client(struct http_req *r, struct routes_ctx *ctx, const struct params *p,
    struct client *cl)
{
	const char *id = param(p, "client_id"), *uri = param(p, "redirect_uri");
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
	struct params p = { r, NULL };
	struct oidc_request rq;
	struct client cl;
	const char *err, *desc = NULL, *state;
	int rc;

	memset(&rq, 0, sizeof(rq));
	if (strcmp(http_method(r), "POST") == 0) {
		size_t len;
		const char *body = http_body(r, &len);

		if (!form_type(r) || form_parse(body, len, &p.f) != 0) {
			pages_oidc_error(r, ctx, 400, "invalid_request",
			    "the form cannot be read");
			return;
		}
	}
	if (known_client(r, ctx, &p, &cl) != 0)
		goto done;
	state = param(&p, "state");
	snprintf(rq.client_id, sizeof(rq.client_id), "%s", cl.client_id);
	snprintf(rq.redirect_uri, sizeof(rq.redirect_uri), "%s", param(&p, "redirect_uri"));
	snprintf(rq.state, sizeof(rq.state), "%s", state != NULL ? state : "");
	if ((err = check_request(&p, &cl, &rq, &desc)) != NULL) {
		redirect_error(r, ctx, rq.redirect_uri, rq.state, err, desc);
		goto done;
	}
	if ((rc = oidc_request_save(ctx->db, &rq, clock_now(ctx->clock))) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		goto done;
	}
	decide(r, ctx, &rq, true, false);
done:
	form_free(p.f);
}

void
oidc_http_continue(struct http_req *r, struct routes_ctx *ctx, const char *req_id)
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
oidc_http_consented(struct http_req *r, struct routes_ctx *ctx,
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
		to_page(r, "/login", rq.id);
		return;
	}
	if (rc == DB_OK)
		rc = oidc_consent_grant(ctx->db, s.account_id, rq.client_id, rq.scope, now);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "oidc.consent_given", "client_id", rq.client_id,
	    "scope", rq.scope, NULL);
	decide(r, ctx, &rq, false, true);
}

void
oidc_http_deny(struct http_req *r, struct routes_ctx *ctx, const char *req_id)
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

/* ---- client authentication ---- */

static void
invalid_client(struct http_req *r, bool basic)
{
	if (basic)
		http_add_header(r, "WWW-Authenticate", "Basic realm=\"dinhdanh\"");
	http_respond_error(r, 401, "invalid_client", "client authentication failed");
}

/*
 * The authenticated client of a token, revocation or introspection
 * request (client_secret_basic or client_secret_post, never both): 0, or
 * -1 after answering.
 */
static int
client_auth(struct http_req *r, struct routes_ctx *ctx, const struct params *p,
    struct client *cl)
{
	char user[3 * CLIENT_ID_MAX], pass[3 * CLIENT_SECRET_MAX];
	const char *fid = param(p, "client_id"), *fsec = param(p, "client_secret");
	bool basic = http_header(r, "Authorization") != NULL;
	struct db_conn *c;
	int rc = -1;

	/* RFC 6749 2.3.1: both halves are form-urlencoded before Base64. */
	if (basic && (http_basic_auth(r, user, sizeof(user), pass, sizeof(pass)) != 0 ||
	    form_unescape(user) != 0 || form_unescape(pass) != 0)) {
		sodium_memzero(pass, sizeof(pass));
		invalid_client(r, true);
		return -1;
	}
	if (basic && fsec != NULL) {
		http_respond_error(r, 400, "invalid_request",
		    "use one client authentication method, not two");
		goto done;
	}
	if (!basic && (fid == NULL || fsec == NULL)) {
		invalid_client(r, false);
		return -1;
	}
	if ((c = db_acquire(ctx->db)) == NULL) {
		front_db_error(r, ctx->log, DB_ERR);
		goto done;
	}
	rc = clients_authenticate(c, ctx->seal, basic ? user : fid,
	    basic ? pass : fsec, cl);
	db_release(ctx->db, c);
	if (rc == 0 && basic && fid != NULL && strcmp(fid, cl->client_id) != 0)
		rc = -1;
	if (rc != 0) {
		log_event(ctx->log, LOG_WARN, "security.client_auth_failed", NULL);
		invalid_client(r, basic);
	}
done:
	sodium_memzero(pass, sizeof(pass));
	return rc;
}

/* ---- token ---- */

static json_t *
amr_array(const char *amr)
{
	json_t *a = json_array();
	const char *p = amr;

	while (a != NULL && *p != '\0') {
		size_t n = strcspn(p, " ");

		if (n > 0)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		p += strspn(p, " ");
	}
	return a;
}

/* The signed ID token of `g` for client `cl`, or NULL. */
static char *
id_token(struct routes_ctx *ctx, const struct client *cl,
    const struct oidc_grant *g, const char *personal_id)
{
	char sub[OIDC_ID_SIZE], *payload, *jwt = NULL;
	int64_t now = clock_now(ctx->clock);
	enum jws_alg alg;
	struct keyring *ring;
	json_t *claims;

	if (jws_alg_parse(cl->id_token_alg, &alg) != 0)
		return NULL;
	oidc_pairwise_sub(ctx->seal, cl->client_id, personal_id, sub);
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s}",
	    "iss", ctx->issuer, "sub", sub, "aud", cl->client_id,
	    "exp", (json_int_t)(now + ID_TOKEN_TTL), "iat", (json_int_t)now,
	    "auth_time", (json_int_t)g->auth_time, "acr", g->acr,
	    "amr", amr_array(g->amr), "azp", cl->client_id);
	if (claims != NULL && g->nonce[0] != '\0')
		json_object_set_new(claims, "nonce", json_string(g->nonce));
	payload = claims != NULL ? json_dumps(claims, JSON_COMPACT) : NULL;
	json_decref(claims);
	if (payload == NULL)
		return NULL;
	ring = keys_cache_ring(ctx->keys);
	jwt = jws_sign(keyring_signing_key(ring, alg), "JWT", payload, strlen(payload));
	keyring_release(ring);
	free(payload);
	return jwt;
}

static const char *
personal_id_of(struct routes_ctx *ctx, const char *account_id, char out[13])
{
	struct account acc;
	struct db_conn *c = db_acquire(ctx->db);
	int rc = DB_ERR;

	out[0] = '\0';
	if (c != NULL) {
		rc = accounts_get(c, account_id, &acc);
		db_release(ctx->db, c);
	}
	if (rc == DB_OK)
		snprintf(out, 13, "%s", acc.personal_id);
	sodium_memzero(&acc, sizeof(acc));
	return rc == DB_OK ? out : NULL;
}

static void
token_answer(struct http_req *r, struct routes_ctx *ctx, const struct client *cl,
    struct oidc_tokens *t)
{
	char pid[13], *jwt = NULL;
	json_t *j;

	if (personal_id_of(ctx, t->grant.account_id, pid) == NULL ||
	    (jwt = id_token(ctx, cl, &t->grant, pid)) == NULL) {
		http_respond_error(r, 500, "server_error", "cannot sign the ID token");
		return;
	}
	j = json_pack("{s:s, s:s, s:i, s:s, s:s}", "access_token", t->access,
	    "token_type", "Bearer", "expires_in", OIDC_ACCESS_TTL, "id_token", jwt,
	    "scope", t->grant.scope);
	if (j != NULL && t->refresh[0] != '\0')
		json_object_set_new(j, "refresh_token", json_string(t->refresh));
	free(jwt);
	no_cache(r);
	http_respond_json(r, 200, j);
}

static void
grant_error(struct http_req *r, struct routes_ctx *ctx, int rc)
{
	if (rc == OIDC_REUSED)
		log_event(ctx->log, LOG_WARN, "security.token_reuse",
		    "action", "grant revoked", NULL);
	if (rc == OIDC_INVALID_GRANT || rc == OIDC_REUSED)
		http_respond_error(r, 400, "invalid_grant",
		    "the code or refresh token is invalid, expired, used or not yours");
	else
		front_db_error(r, ctx->log, rc);
}

static void
h_token(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct params p;
	struct client cl;
	struct oidc_tokens t;
	const char *gt, *code, *uri, *ver, *rt;
	int rc;

	if (parse_form(r, &p) != 0)
		return;
	if (client_auth(r, ctx, &p, &cl) != 0)
		goto done;
	gt = param(&p, "grant_type");
	if (gt != NULL && strcmp(gt, "authorization_code") == 0) {
		code = param(&p, "code");
		uri = param(&p, "redirect_uri");
		ver = param(&p, "code_verifier");
		if (code == NULL || uri == NULL || ver == NULL) {
			http_respond_error(r, 400, "invalid_request",
			    "code, redirect_uri and code_verifier are required");
			goto done;
		}
		rc = oidc_code_redeem(ctx->db, cl.client_id, code, uri, ver,
		    clock_now(ctx->clock), &t);
	} else if (gt != NULL && strcmp(gt, "refresh_token") == 0) {
		if ((rt = param(&p, "refresh_token")) == NULL) {
			http_respond_error(r, 400, "invalid_request",
			    "refresh_token is required");
			goto done;
		}
		rc = oidc_refresh(ctx->db, cl.client_id, rt, clock_now(ctx->clock), &t);
	} else {
		http_respond_error(r, 400, "unsupported_grant_type",
		    "grant_type must be authorization_code or refresh_token");
		goto done;
	}
	if (rc != DB_OK)
		grant_error(r, ctx, rc);
	else
		token_answer(r, ctx, &cl, &t);
	sodium_memzero(&t, sizeof(t));
done:
	form_free(p.f);
}

/* ---- userinfo ---- */

static void
bearer_error(struct http_req *r, const char *desc)
{
	http_add_header(r, "WWW-Authenticate",
	    "Bearer error=\"invalid_token\", error_description=\"invalid or expired\"");
	http_respond_error(r, 401, "invalid_token", desc);
}

/* The claims of `scope` for the person, always as the registry has them now. */
static json_t *
claims_of(struct routes_ctx *ctx, const struct oidc_grant *g,
    const struct account *acc, const struct person *p)
{
	char sub[OIDC_ID_SIZE];
	json_t *j;

	oidc_pairwise_sub(ctx->seal, g->client_id, acc->personal_id, sub);
	j = json_pack("{s:s}", "sub", sub);
	if (j == NULL)
		return NULL;
	if (oidc_scope_has(g->scope, "profile")) {
		json_object_set_new(j, "name", json_string(p->full_name));
		json_object_set_new(j, "birthdate", json_string(p->birth_date));
		json_object_set_new(j, "gender", json_string(p->sex));
	}
	if (oidc_scope_has(g->scope, "personal_id"))
		json_object_set_new(j, "personal_id", json_string(p->personal_id));
	if (oidc_scope_has(g->scope, "address"))
		json_object_set_new(j, "address", json_pack("{s:s, s:s}",
		    "formatted", p->residence, "country", "VN"));
	if (oidc_scope_has(g->scope, "phone")) {
		json_object_set_new(j, "phone_number", json_string(acc->phone));
		json_object_set_new(j, "phone_number_verified", json_true());
	}
	return j;
}

static const char *
bearer_token(struct http_req *r)
{
	const char *h = http_header(r, "Authorization");

	return h != NULL && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
}

static void
h_userinfo(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_grant g;
	struct account acc;
	struct person p;
	struct db_conn *c;
	int rc = oidc_access_get(ctx->db, bearer_token(r), clock_now(ctx->clock), &g);

	if (rc == OIDC_NOT_FOUND) {
		bearer_error(r, "the access token is invalid or expired");
		return;
	}
	if (rc == DB_OK) {
		if ((c = db_acquire(ctx->db)) == NULL)
			rc = DB_ERR;
		else {
			if ((rc = accounts_get(c, g.account_id, &acc)) == DB_OK)
				rc = registry_get(c, acc.personal_id, &p);
			db_release(ctx->db, c);
		}
	}
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	no_cache(r);
	http_respond_json(r, 200, claims_of(ctx, &g, &acc, &p));
	sodium_memzero(&acc, sizeof(acc));
}

/* ---- revocation and introspection ---- */

/*
 * The form, the authenticated client and its `token` parameter of a
 * revocation or introspection request; NULL after answering (p->f is
 * freed by the caller either way).
 */
static const char *
client_token(struct http_req *r, struct routes_ctx *ctx, struct params *p,
    struct client *cl)
{
	const char *token;

	if (parse_form(r, p) != 0 || client_auth(r, ctx, p, cl) != 0)
		return NULL;
	if ((token = param(p, "token")) == NULL)
		http_respond_error(r, 400, "invalid_request", "token is required");
	return token;
}

static void
h_revoke(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct params p;
	struct client cl;
	const char *token;
	int rc;

	if ((token = client_token(r, ctx, &p, &cl)) == NULL)
		goto done;
	/* RFC 7009 2.2: an unknown or foreign token is answered 200 too. */
	rc = oidc_revoke(ctx->db, cl.client_id, token, clock_now(ctx->clock));
	if (rc != DB_OK && rc != OIDC_NOT_FOUND) {
		front_db_error(r, ctx->log, rc);
		goto done;
	}
	http_respond(r, 200, "application/json", "{}", 2);
done:
	form_free(p.f);
}

static void
h_introspect(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_token_info ti;
	struct params p;
	struct client cl;
	char pid[13], sub[OIDC_ID_SIZE];
	const char *token;
	int rc;

	if ((token = client_token(r, ctx, &p, &cl)) == NULL)
		goto done;
	rc = oidc_introspect(ctx->db, cl.client_id, token, clock_now(ctx->clock), &ti);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		goto done;
	}
	no_cache(r);
	if (!ti.active || personal_id_of(ctx, ti.grant.account_id, pid) == NULL) {
		http_respond(r, 200, "application/json", "{\"active\":false}", 16);
		goto done;
	}
	oidc_pairwise_sub(ctx->seal, cl.client_id, pid, sub);
	http_respond_json(r, 200, json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:I,"
	    "s:I, s:s, s:s}", "active", 1, "scope", ti.grant.scope, "client_id",
	    cl.client_id, "sub", sub, "aud", cl.client_id, "iss", ctx->issuer,
	    "exp", (json_int_t)ti.exp, "iat", (json_int_t)ti.iat,
	    "auth_time", (json_int_t)ti.grant.auth_time, "token_type",
	    ti.refresh ? "refresh_token" : "Bearer", "acr", ti.grant.acr));
done:
	form_free(p.f);
}

/* ---- RP-initiated logout ---- */

/* The audience of a hint signed by one of our keys into aud[]; -1 when not. */
static int
hint_audience(struct routes_ctx *ctx, const char *hint, char *aud, size_t audsz)
{
	struct jws_parsed jp;
	struct keyring *ring;
	const struct jws_key *k;
	const char *kid, *iss, *a;
	json_t *claims = NULL;
	int rc = -1;

	if (jws_parse(hint, strlen(hint), &jp) != 0)
		return -1;
	ring = keys_cache_ring(ctx->keys);
	kid = json_string_value(json_object_get(jp.header, "kid"));
	if (kid != NULL && (k = keyring_find_kid(ring, kid)) != NULL &&
	    jws_verify_parsed(k, &jp) == 0 &&
	    (claims = json_loads(jp.payload, 0, NULL)) != NULL) {
		iss = json_string_value(json_object_get(claims, "iss"));
		a = json_string_value(json_object_get(claims, "aud"));
		if (iss != NULL && a != NULL && strcmp(iss, ctx->issuer) == 0 &&
		    strlen(a) < audsz) {
			snprintf(aud, audsz, "%s", a);
			rc = 0;
		}
	}
	json_decref(claims);
	keyring_release(ring);
	jws_parsed_free(&jp);
	return rc;
}

int
oidc_http_logout_target(struct routes_ctx *ctx, const char *hint,
    const char *client_id, const char *uri, const char *state, char *out,
    size_t outsz, char *reason, size_t rsz)
{
	char aud[CLIENT_ID_MAX] = "";
	struct client cl;
	struct db_conn *c;
	int rc = CLIENT_NOT_FOUND;

	out[0] = '\0';
	if (hint != NULL && hint[0] != '\0' &&
	    hint_audience(ctx, hint, aud, sizeof(aud)) != 0) {
		snprintf(reason, rsz, "id_token_hint is not a valid ID token of this provider");
		return -1;
	}
	if (client_id != NULL && client_id[0] != '\0' && aud[0] != '\0' &&
	    strcmp(client_id, aud) != 0) {
		snprintf(reason, rsz, "client_id does not match id_token_hint");
		return -1;
	}
	if (uri == NULL || uri[0] == '\0')
		return 0;
	if (aud[0] == '\0' && client_id != NULL)
		snprintf(aud, sizeof(aud), "%s", client_id);
	if (aud[0] != '\0' && (c = db_acquire(ctx->db)) != NULL) {
		rc = clients_get(c, aud, &cl);
		db_release(ctx->db, c);
	}
	if (rc != DB_OK || !client_post_logout_registered(&cl, uri)) {
		snprintf(reason, rsz, "post_logout_redirect_uri is not registered "
		    "for this client");
		return -1;
	}
	snprintf(out, outsz, "%s", uri);
	if (state != NULL && state[0] != '\0' &&
	    url_param(out, outsz, "state", state) != 0) {
		snprintf(reason, rsz, "state is too long");
		return -1;
	}
	return 0;
}

static const struct http_route ROUTES[] = {
	{ "GET", "/.well-known/openid-configuration", h_discovery },
	{ "GET", "/jwks.json", h_jwks },
	{ "GET", "/authorize", h_authorize },
	{ "POST", "/authorize", h_authorize },
	{ "POST", "/token", h_token },
	{ "GET", "/userinfo", h_userinfo },
	{ "POST", "/userinfo", h_userinfo },
	{ "POST", "/revoke", h_revoke },
	{ "POST", "/introspect", h_introspect },
};

const struct http_route *
oidc_http_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
