/*
 * test_oidc_http: the OpenID Connect endpoints in process: discovery, the
 * choice between an error page and an error redirect at /authorize, a
 * signed-in and consented browser getting a code, the token endpoint's
 * client authentication (form-encoded Basic credentials, post, both, none)
 * and grant types, the ID token against the published key, userinfo and
 * its bearer errors, revocation and introspection.
 */
#include "t.h"
#include "pagesrv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "clients.h"
#include "jws.h"
#include "keys.h"
#include "oidc.h"
#include "oidc_http.h"

#define CB "https://portal.example.vn/cb"
#define CB_ENC "https%3A%2F%2Fportal.example.vn%2Fcb"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

struct fx {
	struct pagesrv s;
	char id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX];
};

static int
up(struct fx *x)
{
	static const char *const cbs[] = { CB };
	struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
	    .redirect_uris = cbs, .nredirect = 1,
	    .scope = "openid profile personal_id offline_access",
	    .id_token_alg = "EdDSA" };
	char why[200];

	memset(x, 0, sizeof(*x));
	if (pagesrv_up(&x->s, "test_oidc_http") != 0 ||
	    keys_cache_new(x->s.f.db, x->s.f.seal, x->s.clock, KEYS_ID_TOKEN,
	    &x->s.ctx.keys) != 0 || oidc_edge_new(&x->s.ctx.oidc) != 0)
		return -1;
	return clients_add(x->s.f.db, x->s.f.seal, &cn, PS_NOW, x->id, x->secret,
	    why, sizeof(why));
}

static void
down(struct fx *x)
{
	pagesrv_down(&x->s);
	keys_cache_free(x->s.ctx.keys);
	oidc_edge_free(x->s.ctx.oidc);
}

/* A raw request with optional extra headers and form body. */
static int
req(struct fx *x, const char *method, const char *path, const char *headers,
    const char *form, struct resp *r)
{
	struct conn c;
	int rc;

	memset(r, 0, sizeof(*r));
	if (conn_open(&c, x->s.port) != 0)
		return -1;
	if (form != NULL)
		rc = sendf(&c, "%s %s HTTP/1.1\r\nHost: t\r\n%sContent-Type: "
		    "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n%s", method, path, headers,
		    strlen(form), form);
	else
		rc = sendf(&c, "%s %s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n",
		    method, path, headers);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

static void
authorize_path(const struct fx *x, const char *extra, char *out, size_t n)
{
	snprintf(out, n, "/authorize?response_type=code&client_id=%s&redirect_uri="
	    "%s&scope=openid%%20profile%%20offline_access&state=s1&nonce=n1"
	    "&code_challenge=" CHALLENGE "&code_challenge_method=S256%s", x->id,
	    CB_ENC, extra);
}

/* The value of query parameter `k` in a Location into out. */
static const char *
loc_param(const struct resp *r, const char *k, char *out, size_t n)
{
	char loc[4096], pat[64];
	const char *p;

	out[0] = '\0';
	if (header(r, "Location", loc, sizeof(loc)) == NULL)
		return out;
	snprintf(pat, sizeof(pat), "%s=", k);
	for (p = loc; (p = strstr(p, pat)) != NULL; p++)
		if (p[-1] == '?' || p[-1] == '&') {
			snprintf(out, n, "%.*s", (int)strcspn(p + strlen(pat), "&"),
			    p + strlen(pat));
			break;
		}
	return out;
}

TEST(discovery_complete)
{
	struct fx x;
	struct resp r;

	CHECK(up(&x) == 0);
	CHECK(req(&x, "GET", "/.well-known/openid-configuration", "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"code_challenge_methods_supported\":[\"S256\"]"));
	CHECK(r.body != NULL && strstr(r.body, "\"authorization_response_iss_parameter_supported\":true"));
	CHECK(r.body != NULL && strstr(r.body, "\"subject_types_supported\":[\"pairwise\"]"));
	CHECK(r.body != NULL && strstr(r.body, "urn:dinhdanh:loa:2"));
	resp_free(&r);
	CHECK(req(&x, "GET", "/jwks.json", "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"OKP\"") && strstr(r.body, "\"RSA\"") &&
	    strstr(r.body, "\"EC\""));
	resp_free(&r);
	down(&x);
}

TEST(authorize_page_or_redirect)
{
	struct fx x;
	struct resp r;
	char path[1024], v[256];

	CHECK(up(&x) == 0);
	/* an unregistered redirect URI: a page, never a Location */
	snprintf(path, sizeof(path), "/authorize?response_type=code&client_id=%s"
	    "&redirect_uri=https%%3A%%2F%%2Fevil.example%%2Fcb&scope=openid", x.id);
	CHECK(req(&x, "GET", path, "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(header(&r, "Location", v, sizeof(v)) == NULL);
	resp_free(&r);
	CHECK(req(&x, "GET", "/authorize?client_id=nobody&redirect_uri=" CB_ENC, "",
	    NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(header(&r, "Location", v, sizeof(v)) == NULL);
	resp_free(&r);
	/* plain PKCE: back to the client with state and iss */
	snprintf(path, sizeof(path), "/authorize?response_type=code&client_id=%s"
	    "&redirect_uri=%s&scope=openid&state=s1&code_challenge=abc"
	    "&code_challenge_method=plain", x.id, CB_ENC);
	CHECK(req(&x, "GET", path, "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(loc_param(&r, "error", v, sizeof(v)), "invalid_request");
	CHECK_STR(loc_param(&r, "state", v, sizeof(v)), "s1");
	CHECK_STR(loc_param(&r, "iss", v, sizeof(v)), "http%3A%2F%2F127.0.0.1");
	resp_free(&r);
	/* no session and prompt=none */
	authorize_path(&x, "&prompt=none", path, sizeof(path));
	CHECK(req(&x, "GET", path, "", NULL, &r) == 0);
	CHECK_STR(loc_param(&r, "error", v, sizeof(v)), "login_required");
	resp_free(&r);
	/* no session: to the login page with the parked request */
	authorize_path(&x, "", path, sizeof(path));
	CHECK(req(&x, "GET", path, "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL &&
	    strncmp(v, "/login?req=", 11) == 0);
	resp_free(&r);
	down(&x);
}

TEST(code_token_userinfo)
{
	struct fx x;
	struct browser b = { "", NULL };
	struct resp r;
	char path[1024], cookie[2100], v[4096], code[64], form[512], auth[320];
	char basic[256], access[64] = "";

	CHECK(up(&x) == 0);
	CHECK(ps_register(&x.s, &b) == 0);
	CHECK(ps_login(&x.s, &b) == 0);
	authorize_path(&x, "", path, sizeof(path));
	snprintf(cookie, sizeof(cookie), "Cookie: %s\r\n", b.cookies);
	/* signed in, no consent yet: the consent page */
	CHECK(req(&x, "GET", path, cookie, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(header(&r, "Location", v, sizeof(v)) != NULL &&
	    strncmp(v, "/consent?req=", 13) == 0);
	resp_free(&r);
	CHECK(fixture_exec(&x.s.f, "INSERT INTO consents (account_id, client_id, "
	    "scope, granted_at) SELECT account_id, (SELECT client_id FROM clients), "
	    "'openid profile offline_access', 0 FROM accounts") == 0);
	CHECK(req(&x, "GET", path, cookie, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 303);
	loc_param(&r, "code", code, sizeof(code));
	CHECK_EQ_INT(strlen(code), 43);
	resp_free(&r);
	/* Basic with the id form-encoded ('_' as %5F), as RFC 6749 2.3.1 says */
	snprintf(v, sizeof(v), "c%%5F%s:%s", x.id + 2, x.secret);
	(void)b64_encode(basic, sizeof(basic), v, strlen(v));
	for (char *p = basic; *p != '\0'; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	snprintf(auth, sizeof(auth), "Authorization: Basic %s%s\r\n", basic,
	    strlen(v) % 3 == 1 ? "==" : strlen(v) % 3 == 2 ? "=" : "");
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s"
	    "&redirect_uri=%s&code_verifier=" VERIFIER, code, CB_ENC);
	CHECK(req(&x, "POST", "/token", auth, form, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"id_token\":\"ey") != NULL);
	CHECK(r.body != NULL && strstr(r.body, "\"refresh_token\"") != NULL);
	if (r.body != NULL && strstr(r.body, "\"access_token\":\"") != NULL)
		snprintf(access, sizeof(access), "%.43s",
		    strstr(r.body, "\"access_token\":\"") + 16);
	resp_free(&r);
	/* the ID token releases no personal attribute: no disclosure entry */
	CHECK_EQ_INT(fixture_count(&x.s.f, "SELECT count(*) FROM disclosures"), 0);
	/* userinfo of scope profile: one entry naming exactly what it released */
	snprintf(v, sizeof(v), "Authorization: Bearer %s\r\n", access);
	CHECK(req(&x, "GET", "/userinfo", v, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"birthdate\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&x.s.f, "SELECT count(*) FROM disclosures WHERE "
	    "channel = 'userinfo' AND attributes = 'name birthdate gender' AND "
	    "client_name = 'Portal' AND purpose = ''"), 1);
	/* the same token again: the same release, already recorded */
	CHECK(req(&x, "GET", "/userinfo", v, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"birthdate\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&x.s.f, "SELECT count(*) FROM disclosures"), 1);
	/* introspection answers sub and scope only: no entry */
	snprintf(form, sizeof(form), "token=%s&client_id=%s&client_secret=%s",
	    access, x.id, x.secret);
	CHECK(req(&x, "POST", "/introspect", "", form, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strstr(r.body, "\"active\":true") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&x.s.f, "SELECT count(*) FROM disclosures"), 1);
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s"
	    "&redirect_uri=%s&code_verifier=" VERIFIER, code, CB_ENC);
	/* the same code again: refused, and its access token is dead */
	CHECK(req(&x, "POST", "/token", auth, form, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "invalid_grant") != NULL);
	resp_free(&r);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", access);
	CHECK(req(&x, "GET", "/userinfo", auth, NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(header(&r, "WWW-Authenticate", v, sizeof(v)) != NULL);
	resp_free(&r);
	down(&x);
}

TEST(token_client_auth_and_grant_types)
{
	struct fx x;
	struct resp r;
	char form[512], v[128];

	CHECK(up(&x) == 0);
	CHECK(req(&x, "POST", "/token", "", "grant_type=authorization_code", &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(r.body != NULL && strstr(r.body, "invalid_client") != NULL);
	resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=password&client_id=%s&client_secret=%s",
	    x.id, x.secret);
	CHECK(req(&x, "POST", "/token", "", form, &r) == 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(r.body != NULL && strstr(r.body, "unsupported_grant_type") != NULL);
	resp_free(&r);
	snprintf(form, sizeof(form), "grant_type=refresh_token&refresh_token=x"
	    "&client_id=%s&client_secret=%sx", x.id, x.secret);
	CHECK(req(&x, "POST", "/token", "", form, &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	CHECK(req(&x, "POST", "/token", "Authorization: Basic bm9ib2R5Om5vcGU=\r\n",
	    "grant_type=refresh_token&refresh_token=x", &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(header(&r, "WWW-Authenticate", v, sizeof(v)) != NULL &&
	    strncmp(v, "Basic", 5) == 0);
	resp_free(&r);
	/* not a form: 415 */
	CHECK(req(&x, "POST", "/token", "", NULL, &r) == 0);
	CHECK_EQ_INT(r.status, 415);
	resp_free(&r);
	/* introspection and revocation need the client too */
	CHECK(req(&x, "POST", "/introspect", "", "token=x", &r) == 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	snprintf(form, sizeof(form), "token=unknown&client_id=%s&client_secret=%s",
	    x.id, x.secret);
	CHECK(req(&x, "POST", "/introspect", "", form, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.body != NULL && strcmp(r.body, "{\"active\":false}") == 0);
	resp_free(&r);
	CHECK(req(&x, "POST", "/revoke", "", form, &r) == 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	down(&x);
}

T_MAIN(T(discovery_complete), T(authorize_page_or_redirect),
    T(code_token_userinfo), T(token_client_auth_and_grant_types))
