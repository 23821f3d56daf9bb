/*
 * test_pages_oidc: the OpenID Connect pages in process: the consent page
 * (the service's name escaped, the attributes of the asked scopes in plain
 * words in both languages, the `decision` buttons and the hidden csrf and
 * req), its POST (CSRF, deny, allow), the error page, the login page
 * carrying `req` through both steps back to the client, and RP-initiated
 * logout (confirmation page, refusals, the return to the client).
 */
#include "t.h"
#include "pagesrv.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "b64.h"
#include "clients.h"
#include "i18n.h"
#include "keys.h"
#include "oidc.h"
#include "oidc_http.h"

#define CB "https://portal.example/cb"
#define BYE "https://portal.example/bye"
#define NAME "C\xe1\xbb\x95ng d\xe1\xbb\x8b""ch v\xe1\xbb\xa5 <c\xc3\xb4ng>"
#define NAME_HTML "C\xe1\xbb\x95ng d\xe1\xbb\x8b""ch v\xe1\xbb\xa5 &lt;c\xc3\xb4ng&gt;"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

struct fx {
	struct pagesrv s;
	char client_id[CLIENT_ID_MAX], secret[CLIENT_SECRET_MAX];
};

static int
up(struct fx *x)
{
	static const char *const cbs[] = { CB };
	static const char *const byes[] = { BYE };
	struct client_new cn = { .name = NAME, .kind = CLIENT_PORTAL,
	    .redirect_uris = cbs, .nredirect = 1, .post_logout_uris = byes,
	    .npost_logout = 1,
	    .scope = "openid profile personal_id address phone offline_access" };
	char why[200];

	memset(x, 0, sizeof(*x));
	if (pagesrv_up(&x->s, "test_pages_oidc") != 0 ||
	    keys_cache_new(x->s.f.db, x->s.f.seal, x->s.clock, KEYS_ID_TOKEN,
	    &x->s.ctx.keys) != 0 || oidc_edge_new(&x->s.ctx.oidc) != 0)
		return -1;
	return clients_add(x->s.f.db, x->s.f.seal, &cn, PS_NOW, x->client_id,
	    x->secret, why, sizeof(why));
}

static void
down(struct fx *x)
{
	pagesrv_down(&x->s);
	keys_cache_free(x->s.ctx.keys);
	oidc_edge_free(x->s.ctx.oidc);
}

/* Parks an authorization request of the client; its id into id[]. */
static void
park(struct fx *x, const char *scope, const char *prompt, char id[OIDC_ID_SIZE])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	struct oidc_request rq;

	memset(&rq, 0, sizeof(rq));
	crypto_hash_sha256(h, (const uint8_t *)VERIFIER, strlen(VERIFIER));
	(void)b64_encode(rq.code_challenge, sizeof(rq.code_challenge), h, sizeof(h));
	snprintf(rq.client_id, sizeof(rq.client_id), "%s", x->client_id);
	snprintf(rq.redirect_uri, sizeof(rq.redirect_uri), "%s", CB);
	snprintf(rq.scope, sizeof(rq.scope), "%s", scope);
	snprintf(rq.state, sizeof(rq.state), "st-1");
	snprintf(rq.nonce, sizeof(rq.nonce), "n-1");
	snprintf(rq.prompt, sizeof(rq.prompt), "%s", prompt);
	rq.max_age = -1;
	id[0] = '\0';
	if (oidc_request_save(x->s.f.db, &rq, PS_NOW) == DB_OK)
		snprintf(id, OIDC_ID_SIZE, "%s", rq.id);
}

/* Percent-encodes s into out (a form or query value). */
static const char *
enc(const char *s, char *out, size_t outsz)
{
	size_t w = 0;

	for (; *s != '\0' && w + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			out[w++] = (char)c;
		else
			w += (size_t)snprintf(out + w, outsz - w, "%%%02X", c);
	}
	out[w] = '\0';
	return out;
}

/* A GET too long for ps_get (an ID token in the query), with b's cookies. */
static int
big_get(struct pagesrv *s, const struct browser *b, const char *path,
    struct resp *r)
{
	struct conn c;
	int rc;

	if (conn_open(&c, s->port) != 0)
		return -1;
	rc = sendf(&c, "GET %s HTTP/1.1\r\nHost: t\r\nCookie: %s\r\n"
	    "Connection: close\r\n\r\n", path, b->cookies);
	if (rc == 0)
		rc = read_response(&c, r, false);
	conn_close(&c);
	return rc;
}

/* The Location of r into out, "" when none. */
static const char *
location(const struct resp *r, char *out, size_t outsz)
{
	if (header(r, "Location", out, outsz) == NULL)
		out[0] = '\0';
	return out;
}

/* GETs page, then POSTs "csrf=..&fields" to action. */
static int
submit(struct pagesrv *s, struct browser *b, const char *page,
    const char *action, const char *fields, struct resp *r)
{
	char csrf[64], form[8192];
	struct resp g;

	if (ps_get(s, b, page, &g) != 0)
		return -1;
	ps_value(&g, "csrf", csrf, sizeof(csrf));
	resp_free(&g);
	snprintf(form, sizeof(form), "csrf=%s&%s", csrf, fields);
	return ps_post(s, b, action, form, NULL, r);
}

/* POSTs a consent decision for req: the answer's status, Location in loc. */
static int
decide(struct fx *x, struct browser *b, const char *req, const char *d,
    char *loc, size_t locsz)
{
	char fields[128];
	struct resp r;
	int status;

	snprintf(fields, sizeof(fields), "req=%s&decision=%s", req, d);
	loc[0] = '\0';
	if (submit(&x->s, b, "/login", "/consent", fields, &r) != 0)
		return -1;
	status = r.status;
	location(&r, loc, locsz);
	resp_free(&r);
	return status;
}

static bool
has(const struct resp *r, const char *s)
{
	return r->body != NULL && strstr(r->body, s) != NULL;
}

TEST(consent_page)
{
	struct fx x;
	struct browser b = { "", NULL }, anon = { "", NULL };
	char req[OIDC_ID_SIZE], path[128], v[512];
	struct resp r;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(ps_register(&x.s, &b), 0);
	CHECK_EQ_INT(ps_login(&x.s, &b), 0);
	park(&x, "openid profile phone", "", req);
	snprintf(path, sizeof(path), "/consent?req=%s", req);
	CHECK_EQ_INT(ps_get(&x.s, &b, path, &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(has(&r, NAME_HTML));
	CHECK(!has(&r, "<c\xc3\xb4ng>"));
	CHECK(has(&r, i18n(LANG_VI, MSG_SCOPE_OPENID)));
	CHECK(has(&r, i18n(LANG_VI, MSG_SCOPE_PROFILE)));
	CHECK(has(&r, i18n(LANG_VI, MSG_SCOPE_PHONE)));
	CHECK(!has(&r, i18n(LANG_VI, MSG_SCOPE_PERSONAL_ID)));
	CHECK(!has(&r, i18n(LANG_VI, MSG_SCOPE_ADDRESS)));
	CHECK(!has(&r, i18n(LANG_VI, MSG_SCOPE_OFFLINE)));
	CHECK(has(&r, "<form method=\"post\" action=\"/consent\">"));
	CHECK(has(&r, "name=\"decision\" value=\"allow\""));
	CHECK(has(&r, "name=\"decision\" value=\"deny\""));
	CHECK(ps_has_attr(&r, "csrf", "type", "hidden"));
	CHECK(ps_has_attr(&r, "req", "type", "hidden"));
	CHECK_STR(ps_value(&r, "req", v, sizeof(v)), req);
	resp_free(&r);
	CHECK(ps_log_has(&x.s, "oidc.consent_page"));
	/* English one click away: the same page in the other language. */
	b.accept_language = "en";
	CHECK_EQ_INT(ps_get(&x.s, &b, path, &r), 0);
	CHECK(has(&r, i18n(LANG_EN, MSG_TITLE_CONSENT)));
	CHECK(has(&r, i18n(LANG_EN, MSG_SCOPE_PROFILE)));
	CHECK(has(&r, i18n(LANG_EN, MSG_SCOPE_OPENID)));
	CHECK(has(&r, i18n(LANG_EN, MSG_BTN_ALLOW)));
	resp_free(&r);
	b.accept_language = NULL;
	/* Without a session: to the login page, the request kept. */
	CHECK_EQ_INT(ps_get(&x.s, &anon, path, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	snprintf(path, sizeof(path), "/login?req=%s", req);
	CHECK_STR(location(&r, v, sizeof(v)), path);
	resp_free(&r);
	down(&x);
}

TEST(consent_decisions)
{
	struct fx x;
	struct browser b = { "", NULL };
	char req[OIDC_ID_SIZE], path[128], form[128], loc[1024];
	struct resp r;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(ps_register(&x.s, &b), 0);
	CHECK_EQ_INT(ps_login(&x.s, &b), 0);
	park(&x, "openid personal_id", "", req);
	/* Without the CSRF token: refused. */
	snprintf(form, sizeof(form), "req=%s&decision=allow", req);
	CHECK_EQ_INT(ps_post(&x.s, &b, "/consent", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 403);
	resp_free(&r);
	CHECK_EQ_INT(decide(&x, &b, req, "maybe", loc, sizeof(loc)), 400);
	CHECK_EQ_INT(decide(&x, &b, req, "deny", loc, sizeof(loc)), 303);
	CHECK(strncmp(loc, CB "?error=access_denied", strlen(CB) + 20) == 0);
	CHECK(strstr(loc, "state=st-1") != NULL);
	CHECK(strstr(loc, "code=") == NULL);
	/* Answered: the request is gone, an error page (never a redirect). */
	snprintf(path, sizeof(path), "/consent?req=%s", req);
	CHECK_EQ_INT(ps_get(&x.s, &b, path, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(has(&r, i18n(LANG_VI, MSG_TITLE_OIDC_ERROR)));
	CHECK(has(&r, i18n(LANG_VI, MSG_OIDC_ERR_REQUEST)));
	CHECK(has(&r, "invalid_request"));
	CHECK(has(&r, "href=\"/\""));
	resp_free(&r);
	park(&x, "openid personal_id", "", req);
	CHECK_EQ_INT(decide(&x, &b, req, "allow", loc, sizeof(loc)), 303);
	CHECK(strncmp(loc, CB "?code=", strlen(CB) + 6) == 0);
	CHECK(strstr(loc, "state=st-1") != NULL);
	CHECK(ps_log_has(&x.s, "oidc.consent_given"));
	down(&x);
}

TEST(error_page)
{
	struct fx x;
	struct browser b = { "", NULL };
	struct resp r;
	char v[64];

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(ps_get(&x.s, &b, "/consent?req="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r), 0);
	CHECK_EQ_INT(r.status, 303);	/* no session yet: sign in first */
	resp_free(&r);
	CHECK_EQ_INT(ps_register(&x.s, &b), 0);
	CHECK_EQ_INT(ps_login(&x.s, &b), 0);
	CHECK_EQ_INT(ps_get(&x.s, &b, "/consent?req="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(has(&r, "invalid_request"));
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&x.s, &b, "/consent?req=short", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	/* An unknown client at /authorize: the page, escaped, in English too. */
	b.accept_language = "en";
	CHECK_EQ_INT(ps_get(&x.s, &b, "/authorize?client_id=%3Cb%3E&response_type="
	    "code&redirect_uri=https%3A%2F%2Fevil.example%2F", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(location(&r, v, sizeof(v))[0] == '\0');
	CHECK(has(&r, i18n(LANG_EN, MSG_TITLE_OIDC_ERROR)));
	CHECK(has(&r, i18n(LANG_EN, MSG_OIDC_ERR_CLIENT)));
	CHECK(has(&r, "invalid_client"));
	CHECK(!has(&r, "<b>"));
	resp_free(&r);
	down(&x);
}

/* The login page's two steps with `req`; the final answer into *out. */
static int
login_with_req(struct fx *x, struct browser *b, const char *req,
    struct resp *out)
{
	char path[96], fields[512], id[64], code[7], v[64];
	struct resp r;
	int bad = 0;

	snprintf(path, sizeof(path), "/login?req=%s", req);
	if (ps_get(&x->s, b, path, &r) != 0)
		return -1;
	bad += r.status != 200 || strcmp(ps_value(&r, "req", v, sizeof(v)), req) != 0;
	bad += !has(&r, "href=\"/register\"") || !has(&r, "href=\"/forgot\"");
	resp_free(&r);
	snprintf(fields, sizeof(fields), "personal_id=" PS_PID
	    "&password=hoa+sen+trong+dam&req=%s", req);
	if (submit(&x->s, b, path, "/login", fields, &r) != 0)
		return -1;
	bad += r.status != 200 || strcmp(ps_value(&r, "req", v, sizeof(v)), req) != 0;
	ps_value(&r, "login_id", id, sizeof(id));
	resp_free(&r);
	ps_newest_code(&x->s, code);
	snprintf(fields, sizeof(fields), "login_id=%s&code=%s&req=%s", id, code, req);
	if (submit(&x->s, b, path, "/login/code", fields, out) != 0)
		return -1;
	return bad;
}

TEST(login_handover)
{
	struct fx x;
	struct browser b = { "", NULL };
	char req[OIDC_ID_SIZE], want[128], loc[1024], v[64];
	struct resp r;

	CHECK_EQ_INT(up(&x), 0);
	CHECK_EQ_INT(ps_register(&x.s, &b), 0);
	park(&x, "openid profile", "", req);
	CHECK_EQ_INT(login_with_req(&x, &b, req, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	snprintf(want, sizeof(want), "/login/continue?req=%s", req);
	CHECK_STR(location(&r, loc, sizeof(loc)), want);
	CHECK(strstr(r.head, "dd_session=") != NULL);
	resp_free(&r);
	/* The new session continues the request: consent first, then the code. */
	CHECK_EQ_INT(ps_get(&x.s, &b, want, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	snprintf(want, sizeof(want), "/consent?req=%s", req);
	CHECK_STR(location(&r, loc, sizeof(loc)), want);
	resp_free(&r);
	CHECK_EQ_INT(decide(&x, &b, req, "allow", loc, sizeof(loc)), 303);
	CHECK(strncmp(loc, CB "?code=", strlen(CB) + 6) == 0);
	/* Signed in already, prompt=login: the login page again, then the client
	 * straight away (consent given). */
	park(&x, "openid profile", "login", req);
	CHECK_EQ_INT(login_with_req(&x, &b, req, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	snprintf(want, sizeof(want), "/login/continue?req=%s", req);
	CHECK_STR(location(&r, loc, sizeof(loc)), want);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&x.s, &b, want, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK(strncmp(location(&r, loc, sizeof(loc)), CB "?code=",
	    strlen(CB) + 6) == 0);
	CHECK(strstr(loc, "state=st-1") != NULL);
	resp_free(&r);
	/* A malformed req is ignored; without one the login ends at /account. */
	CHECK_EQ_INT(ps_get(&x.s, &b, "/login?req=not-a-request", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(ps_value(&r, "req", v, sizeof(v)), "");
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&x.s, &b, "/login/continue?req=x", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	down(&x);
}

/* A code for the client through consent, then its ID token into tok. */
static int
id_token_of(struct fx *x, struct browser *b, char *tok, size_t toksz)
{
	char req[OIDC_ID_SIZE], loc[1024], code[64], form[1024], e[3][256];
	const char *c, *t;
	struct resp r;
	json_t *j;
	int rc = -1;

	park(x, "openid", "", req);
	if (decide(x, b, req, "allow", loc, sizeof(loc)) != 303 ||
	    (c = strstr(loc, "code=")) == NULL)
		return -1;
	snprintf(code, sizeof(code), "%.*s", (int)strcspn(c + 5, "&"), c + 5);
	snprintf(form, sizeof(form), "grant_type=authorization_code&code=%s"
	    "&redirect_uri=%s&code_verifier=" VERIFIER "&client_id=%s"
	    "&client_secret=%s", code, enc(CB, e[0], sizeof(e[0])),
	    enc(x->client_id, e[1], sizeof(e[1])), enc(x->secret, e[2], sizeof(e[2])));
	if (ps_post(&x->s, NULL, "/token", form, NULL, &r) != 0)
		return -1;
	j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
	t = json_string_value(json_object_get(j, "id_token"));
	if (t != NULL && strlen(t) < toksz) {
		snprintf(tok, toksz, "%s", t);
		rc = 0;
	}
	json_decref(j);
	resp_free(&r);
	return rc;
}

TEST(rp_logout)
{
	struct fx x;
	struct browser b = { "", NULL };
	char tok[4096], path[8192], e[2][256], fields[8192], v[4096];
	struct resp r;

	CHECK_EQ_INT(up(&x), 0);
	/* Without parameters: the confirmation page and its form. */
	CHECK_EQ_INT(ps_get(&x.s, &b, "/logout", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(has(&r, i18n(LANG_VI, MSG_TITLE_LOGOUT)));
	CHECK(has(&r, "<form method=\"post\" action=\"/logout\">"));
	CHECK(ps_has_attr(&r, "csrf", "type", "hidden"));
	CHECK(ps_input(&r, "id_token_hint", v, sizeof(v))[0] == '\0');
	resp_free(&r);
	b.accept_language = "en";
	CHECK_EQ_INT(ps_get(&x.s, &b, "/logout", &r), 0);
	CHECK(has(&r, "Sign out of dinhdanh?"));
	resp_free(&r);
	b.accept_language = NULL;
	/* A forged hint, an unregistered URI: the error page. */
	CHECK_EQ_INT(ps_get(&x.s, &b, "/logout?id_token_hint=eyJhbGciOiJub25lIn0."
	    "e30.x&post_logout_redirect_uri=" BYE, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(has(&r, "invalid_request") && has(&r, "id_token_hint"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/logout?client_id=%s&post_logout_redirect_uri="
	    "https%%3A%%2F%%2Fevil.example%%2F", x.client_id);
	CHECK_EQ_INT(ps_get(&x.s, &b, path, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	/* A real ID token: confirm, sign out, back to the client with state. */
	CHECK_EQ_INT(ps_register(&x.s, &b), 0);
	CHECK_EQ_INT(ps_login(&x.s, &b), 0);
	CHECK_EQ_INT(id_token_of(&x, &b, tok, sizeof(tok)), 0);
	snprintf(path, sizeof(path), "/logout?id_token_hint=%s"
	    "&post_logout_redirect_uri=%s&state=s-9", tok, enc(BYE, e[0], sizeof(e[0])));
	CHECK_EQ_INT(big_get(&x.s, &b, path, &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(ps_value(&r, "id_token_hint", v, sizeof(v)), tok);
	CHECK_STR(ps_value(&r, "post_logout_redirect_uri", v, sizeof(v)), BYE);
	CHECK_STR(ps_value(&r, "state", v, sizeof(v)), "s-9");
	CHECK(ps_input(&r, "client_id", v, sizeof(v))[0] == '\0');
	CHECK(has(&r, i18n(LANG_VI, MSG_INTRO_LOGOUT_RETURN)));
	resp_free(&r);
	snprintf(fields, sizeof(fields), "id_token_hint=%s&post_logout_redirect_uri="
	    "%s&state=s-9", tok, e[0]);
	CHECK_EQ_INT(submit(&x.s, &b, "/logout", "/logout", fields, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(location(&r, v, sizeof(v)), BYE "?state=s-9");
	CHECK(strstr(r.head, "dd_session=; Path=/; Max-Age=0") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&x.s.f, "SELECT count(*) FROM sessions"), 0);
	CHECK(!ps_log_has(&x.s, tok));
	/* A tampered hint posted: signed out, but no redirect. */
	CHECK_EQ_INT(ps_login(&x.s, &b), 0);
	snprintf(fields, sizeof(fields), "id_token_hint=%sx&post_logout_redirect_uri="
	    "%s", tok, enc(BYE, e[1], sizeof(e[1])));
	CHECK_EQ_INT(submit(&x.s, &b, "/logout", "/logout", fields, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(location(&r, v, sizeof(v)), "/done?n=signed_out");
	resp_free(&r);
	down(&x);
}

T_MAIN({ "consent_page", consent_page },
    { "consent_decisions", consent_decisions }, { "error_page", error_page },
    { "login_handover", login_handover }, { "rp_logout", rp_logout })
