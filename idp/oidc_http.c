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
#include "disclosures.h"
#include "form.h"
#include "oidc_authz.h"
#include "oidc_params.h"
#include "front.h"
#include "jws.h"
#include "keys.h"
#include "oidc.h"
#include "pages_oidc.h"
#include "registry.h"

#define ID_TOKEN_TTL 600

struct oidc_edge {
	pthread_mutex_t mu;
	char *discovery;	/* built on first use: the issuer is known by then */
	size_t discovery_len;
	/* /jwks.json: the ID-token and credential keys, built once per pair. */
	struct keyring *jwks_id, *jwks_cred;	/* referenced while jwks is theirs */
	char *jwks;
	size_t jwks_len;
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
	free(e->jwks);
	keyring_release(e->jwks_id);
	keyring_release(e->jwks_cred);
	free(e);
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

/* The keys of both rings (cred may be NULL) as one JWK Set text, or NULL. */
static char *
jwks_merge(const struct keyring *id, const struct keyring *cred)
{
	json_t *a = json_loadb(keyring_jwks_json(id), keyring_jwks_len(id), 0, NULL);
	json_t *b = cred != NULL ? json_loadb(keyring_jwks_json(cred),
	    keyring_jwks_len(cred), 0, NULL) : NULL;
	char *out = NULL;

	if (a != NULL && (cred == NULL || (b != NULL &&
	    json_array_extend(json_object_get(a, "keys"),
	    json_object_get(b, "keys")) == 0)))
		out = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(a);
	json_decref(b);
	return out;
}

/* Makes e's JWK Set the one of (id, cred), taking references; 0 or -1. */
static int
jwks_update(struct oidc_edge *e, struct keyring *id, struct keyring *cred)
{
	char *doc;

	if (e->jwks != NULL && e->jwks_id == id && e->jwks_cred == cred)
		return 0;
	if ((doc = jwks_merge(id, cred)) == NULL)
		return -1;
	free(e->jwks);
	keyring_release(e->jwks_id);
	keyring_release(e->jwks_cred);
	e->jwks = doc;
	e->jwks_len = strlen(doc);
	/* Held, the rings cannot be freed, so their addresses name them. */
	e->jwks_id = id;
	e->jwks_cred = cred;
	return 1;
}

static void
h_jwks(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_edge *e = ctx->oidc;
	struct keyring *id = keys_cache_ring(ctx->keys);
	struct keyring *cred = ctx->cred_keys != NULL ?
	    keys_cache_ring(ctx->cred_keys) : NULL;
	int rc;

	pthread_mutex_lock(&e->mu);
	if ((rc = jwks_update(e, id, cred)) < 0)
		http_respond_error(r, 500, "server_error", "out of memory");
	else {
		http_add_header(r, "Cache-Control", "public, max-age=60");
		http_add_header(r, "Access-Control-Allow-Origin", "*");
		http_respond(r, 200, "application/jwk-set+json", e->jwks, e->jwks_len);
	}
	pthread_mutex_unlock(&e->mu);
	if (rc <= 0) {
		/* Not kept by the edge: ours to release. */
		keyring_release(id);
		keyring_release(cred);
	}
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
client_auth(struct http_req *r, struct routes_ctx *ctx, const struct oidc_params *p,
    struct client *cl)
{
	char user[3 * CLIENT_ID_MAX], pass[3 * CLIENT_SECRET_MAX];
	const char *fid = oidc_param(p, "client_id"), *fsec = oidc_param(p, "client_secret");
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
	    "amr", front_amr_json(g->amr), "azp", cl->client_id);
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
	oidc_no_cache(r);
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
	struct oidc_params p;
	struct client cl;
	struct oidc_tokens t;
	const char *gt, *code, *uri, *ver, *rt;
	int rc;

	if (oidc_parse_form(r, &p) != 0)
		return;
	if (client_auth(r, ctx, &p, &cl) != 0)
		goto done;
	gt = oidc_param(&p, "grant_type");
	if (gt != NULL && strcmp(gt, "authorization_code") == 0) {
		code = oidc_param(&p, "code");
		uri = oidc_param(&p, "redirect_uri");
		ver = oidc_param(&p, "code_verifier");
		if (code == NULL || uri == NULL || ver == NULL) {
			http_respond_error(r, 400, "invalid_request",
			    "code, redirect_uri and code_verifier are required");
			goto done;
		}
		rc = oidc_code_redeem(ctx->db, cl.client_id, code, uri, ver,
		    clock_now(ctx->clock), &t);
	} else if (gt != NULL && strcmp(gt, "refresh_token") == 0) {
		if ((rt = oidc_param(&p, "refresh_token")) == NULL) {
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

/* The claim names of `claims` besides sub, space separated, into out. */
static int
claim_names(json_t *claims, char *out, size_t n)
{
	const char *key;
	json_t *v;
	size_t len = 0;
	int w;

	out[0] = '\0';
	json_object_foreach(claims, key, v) {
		if (strcmp(key, "sub") == 0)
			continue;
		w = snprintf(out + len, n - len, "%s%s", len > 0 ? " " : "", key);
		if (w < 0 || (size_t)w >= n - len)
			return -1;
		len += (size_t)w;
	}
	return 0;
}

/*
 * The claims of grant g and the release's description (claim names), read
 * on c in whatever transaction the caller holds. DB_OK with *out.
 */
static int
userinfo_read(struct routes_ctx *ctx, struct db_conn *c, const struct oidc_grant *g,
    struct client *cl, char names[256], json_t **out)
{
	struct account acc;
	struct person p;
	int rc;

	*out = NULL;
	if ((rc = accounts_get(c, g->account_id, &acc)) == DB_OK &&
	    (rc = registry_get(c, acc.personal_id, &p)) == DB_OK &&
	    (rc = clients_get(c, g->client_id, cl)) == DB_OK &&
	    ((*out = claims_of(ctx, g, &acc, &p)) == NULL ||
	    claim_names(*out, names, 256) != 0))
		rc = DB_ERR;
	sodium_memzero(&acc, sizeof(acc));
	sodium_memzero(&p, sizeof(p));
	if (rc != DB_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * The userinfo answer of grant g into *out. No claims go out without their
 * disclosure entry: written, with the reads, in one transaction, once per
 * access token and set of claims, so that a portal asking again with the
 * same token reads without writing.
 */
static int
userinfo_tx(struct routes_ctx *ctx, struct db_conn *c, const struct oidc_grant *g,
    json_t **out)
{
	struct client cl;
	char names[256];
	bool found = false;
	int rc;

	if ((rc = userinfo_read(ctx, c, g, &cl, names, out)) != DB_OK)
		return rc;
	if (names[0] == '\0')
		return DB_OK;
	if ((rc = disclosures_recorded_since(c, g->account_id, g->client_id,
	    DISC_USERINFO, names, g->token_iat, &found)) != DB_OK || found)
		goto done;
	json_decref(*out);
	*out = NULL;
	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	if ((rc = userinfo_read(ctx, c, g, &cl, names, out)) == DB_OK &&
	    names[0] != '\0')
		rc = disclosures_record(c, g->account_id, g->client_id, cl.name,
		    names, DISC_USERINFO, "", clock_now(ctx->clock));
	if (rc == DB_OK && (rc = db_commit(c)) == DB_OK)
		return DB_OK;
	db_rollback(c);
done:
	if (rc != DB_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static void
h_userinfo(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_grant g;
	struct db_conn *c;
	json_t *claims = NULL;
	int rc = oidc_access_get(ctx->db, bearer_token(r), clock_now(ctx->clock), &g);

	if (rc == OIDC_NOT_FOUND) {
		bearer_error(r, "the access token is invalid or expired");
		return;
	}
	if (rc == DB_OK) {
		if ((c = db_acquire(ctx->db)) == NULL)
			rc = DB_ERR;
		else {
			rc = userinfo_tx(ctx, c, &g, &claims);
			db_release(ctx->db, c);
		}
	}
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	oidc_no_cache(r);
	http_respond_json(r, 200, claims);
}

/* ---- revocation and introspection ---- */

/*
 * The form, the authenticated client and its `token` parameter of a
 * revocation or introspection request; NULL after answering (p->f is
 * freed by the caller either way).
 */
static const char *
client_token(struct http_req *r, struct routes_ctx *ctx, struct oidc_params *p,
    struct client *cl)
{
	const char *token;

	if (oidc_parse_form(r, p) != 0 || client_auth(r, ctx, p, cl) != 0)
		return NULL;
	if ((token = oidc_param(p, "token")) == NULL)
		http_respond_error(r, 400, "invalid_request", "token is required");
	return token;
}

static void
h_revoke(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct oidc_params p;
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
	struct oidc_params p;
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
	oidc_no_cache(r);
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
	    oidc_url_param(out, outsz, "state", state) != 0) {
		snprintf(reason, rsz, "state is too long");
		return -1;
	}
	return 0;
}

static const struct http_route ROUTES[] = {
	{ "GET", "/.well-known/openid-configuration", h_discovery },
	{ "GET", "/jwks.json", h_jwks },
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
