/*
 * portal: the demo portal's server, its pages, and its calls to the
 * provider over HTTP with libcurl.
 */
#include "portal.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "portal_rp.h"

#define SCOPE "openid profile personal_id address phone offline_access"
#define ACR_LOA2 "urn:dinhdanh:loa:2"	/* asked by /login?level=2: the app */
#define FLOW_TTL 600		/* seconds to finish a sign-in */
#define SESSION_TTL 3600	/* seconds a portal session lasts */
#define STORE_MAX 1024		/* flows and sessions held at once */
#define JWKS_REFRESH 10		/* seconds between JWKS fetches on an unknown kid */
#define FETCH_MAX (1024 * 1024)	/* bytes of one answer from the provider */
#define FETCH_TIMEOUT 15L
#define FLOW_COOKIE "portal_flow"
#define SESSION_COOKIE "portal_sid"
#define LANG_MAX_AGE (365L * 24 * 3600)

struct portal {
	struct http_server *srv;
	const struct clock *clock;
	struct log *log;
	struct rp_store *store;
	char base[64];
	char issuer[512];
	pthread_mutex_t mu;	/* guards what follows */
	char client_id[64];
	char secret[128];
	json_t *disc;		/* the discovery document, once fetched */
	json_t *jwks;
	int64_t jwks_at;
	bool curl_ready;
};

/* ---- texts (the portal is its own service with its own words) ---- */

enum text {
	T_TITLE, T_INTRO, T_SIGN_IN, T_SIGN_IN_LOA2, T_SIGN_OUT, T_VERIFIED,
	T_NAME, T_BIRTH, T_GENDER, T_PID, T_ADDRESS, T_PHONE, T_SUB, T_ACR, T_AMR,
	T_AUTH_TIME,
	T_ERROR_TITLE, T_ERR_EXPIRED, T_ERR_PROVIDER, T_ERR_NOT_READY, T_ERR_DENIED,
	T_ERR_CODE, T_TRY_AGAIN, T_SIGNED_OUT, T_OTHER_LANG, T_FOOTER, T_WELCOME,
	T_COUNT
};

static const char *const TEXTS[T_COUNT][LANG_COUNT] = {
	[T_TITLE] = { "Cổng dịch vụ công (demo)", "Public service portal (demo)" },
	[T_INTRO] = { "Cổng thử nghiệm: đăng nhập bằng tài khoản định danh dinhdanh để "
	    "xem những thông tin của bạn mà cổng nhận được và đã kiểm tra.",
	    "A demonstration portal: sign in with your dinhdanh identity to see "
	    "the information about you it receives and has verified." },
	[T_SIGN_IN] = { "Đăng nhập bằng dinhdanh", "Sign in with dinhdanh" },
	[T_SIGN_IN_LOA2] = { "Đăng nhập mức 2 (ứng dụng)",
	    "Sign in with level 2 (app)" },
	[T_SIGN_OUT] = { "Đăng xuất", "Sign out" },
	[T_VERIFIED] = { "Thông tin đã xác minh", "Verified information" },
	[T_NAME] = { "Họ và tên", "Full name" },
	[T_BIRTH] = { "Ngày sinh", "Date of birth" },
	[T_GENDER] = { "Giới tính", "Gender" },
	[T_PID] = { "Số định danh cá nhân", "Personal ID number" },
	[T_ADDRESS] = { "Nơi thường trú", "Address" },
	[T_PHONE] = { "Số điện thoại", "Phone" },
	[T_SUB] = { "Mã người dùng tại cổng (sub)", "Your ID at this portal (sub)" },
	[T_ACR] = { "Mức bảo đảm (acr)", "Assurance level (acr)" },
	[T_AMR] = { "Cách xác thực (amr)", "Sign-in methods (amr)" },
	[T_AUTH_TIME] = { "Thời điểm xác thực", "Signed in at" },
	[T_ERROR_TITLE] = { "Không đăng nhập được", "Sign-in failed" },
	[T_ERR_EXPIRED] = { "Lượt đăng nhập này đã hết hạn hoặc không hợp lệ. Hãy thử lại.",
	    "This sign-in has expired or is not valid. Please try again." },
	[T_ERR_PROVIDER] = { "Không nhận được câu trả lời hợp lệ từ dinhdanh.",
	    "dinhdanh did not give a valid answer." },
	[T_ERR_NOT_READY] = { "Cổng chưa sẵn sàng. Hãy thử lại sau giây lát.",
	    "The portal is not ready yet. Please try again in a moment." },
	[T_ERR_DENIED] = { "Bạn đã không đồng ý chia sẻ thông tin, hoặc dinhdanh từ chối "
	    "yêu cầu.", "You did not agree to share your information, or dinhdanh "
	    "refused the request." },
	[T_ERR_CODE] = { "Mã lỗi", "Error code" },
	[T_TRY_AGAIN] = { "Thử lại", "Try again" },
	[T_SIGNED_OUT] = { "Bạn đã đăng xuất.", "You have signed out." },
	[T_OTHER_LANG] = { "English", "Tiếng Việt" },
	[T_FOOTER] = { "Cổng minh hoạ cho dinhdanh: không phải dịch vụ thật.",
	    "A demonstration for dinhdanh: not a real service." },
	[T_WELCOME] = { "Xin chào", "Welcome" },
};

static const char CSS[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;"
    "background:#f6f4ef}"
    "header{display:flex;justify-content:space-between;align-items:center;"
    "padding:.75rem 1rem;background:#a4161a;color:#fff}"
    "header a{color:#fff}.brand{font-weight:700;text-decoration:none}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem}"
    ".button{display:inline-block;padding:.75rem 1.25rem;border-radius:.375rem;"
    "background:#a4161a;color:#fff;text-decoration:none;font-weight:600}"
    ".button.secondary{background:#fff;color:#a4161a;border:1px solid #a4161a}"
    "dl{display:grid;grid-template-columns:minmax(8rem,1fr) 2fr;gap:.25rem 1rem;"
    "background:#fff;padding:1rem;border-radius:.375rem}"
    "dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    ".error{color:#a4161a;font-weight:600}.notice{color:#1b5e20;font-weight:600}"
    "footer{max-width:40rem;margin:2rem auto;padding:0 1rem;color:#555;"
    "font-size:.875rem}"
    "@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}";

static const char *
tx(enum lang l, enum text t)
{
	return TEXTS[t][l];
}

static enum lang
lang_of(struct http_req *r)
{
	return i18n_pick(http_cookie(r, "lang"), http_header(r, "Accept-Language"));
}

static void
page_begin(struct html *h, enum lang l, const char *title)
{
	html_printf(h, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>", i18n_code(l));
	if (title != NULL) {
		html_text(h, title);
		html_raw(h, " · ");
	}
	html_text(h, tx(l, T_TITLE));
	html_raw(h, "</title><link rel=\"stylesheet\" href=\"/portal.css\"></head><body>"
	    "<header><a class=\"brand\" href=\"/\">");
	html_text(h, tx(l, T_TITLE));
	html_printf(h, "</a><a href=\"/lang?to=%s\" lang=\"%s\">",
	    l == LANG_VI ? "en" : "vi", l == LANG_VI ? "en" : "vi");
	html_text(h, tx(l, T_OTHER_LANG));
	html_raw(h, "</a></header><main>");
}

static void
page_send(struct http_req *r, struct html *h, enum lang l, unsigned status)
{
	const char *data;
	size_t len;

	html_raw(h, "</main><footer>");
	html_text(h, tx(l, T_FOOTER));
	html_raw(h, "</footer></body></html>\n");
	if (html_failed(h)) {
		http_respond(r, 500, "text/plain; charset=utf-8", "internal error\n", 15);
	} else {
		data = html_data(h, &len);
		http_respond(r, status, "text/html; charset=utf-8", data, len);
	}
	html_free(h);
}

/* A page with a heading, a message, an optional error code, a link home. */
static void
message_page(struct http_req *r, unsigned status, enum text title, enum text msg,
    const char *code, const char *detail)
{
	enum lang l = lang_of(r);
	struct html *h = html_new();

	page_begin(h, l, tx(l, title));
	html_raw(h, "<h1>");
	html_text(h, tx(l, title));
	html_raw(h, "</h1><p class=\"error\" role=\"alert\">");
	html_text(h, tx(l, msg));
	html_raw(h, "</p>");
	if (code != NULL) {
		html_raw(h, "<p>");
		html_text(h, tx(l, T_ERR_CODE));
		html_raw(h, ": <code>");
		html_text(h, code);
		html_raw(h, "</code>");
		if (detail != NULL) {
			html_raw(h, " — ");
			html_text(h, detail);
		}
		html_raw(h, "</p>");
	}
	html_raw(h, "<p><a class=\"button\" href=\"/\">");
	html_text(h, tx(l, T_TRY_AGAIN));
	html_raw(h, "</a></p>");
	page_send(r, h, l, status);
}

/* ---- HTTP calls to the provider ---- */

struct fetched {
	char *data;
	size_t len;
	bool too_big;
};

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetched *f = arg;
	size_t add = size * n;
	char *grown;

	if (add > FETCH_MAX - f->len) {
		f->too_big = true;
		return 0;
	}
	if ((grown = realloc(f->data, f->len + add + 1)) == NULL)
		return 0;
	f->data = grown;
	memcpy(f->data + f->len, ptr, add);
	f->len += add;
	f->data[f->len] = '\0';
	return add;
}

struct call {
	const char *url;
	const char *form;	/* POST this form when not NULL */
	const char *bearer;	/* Authorization: Bearer */
	bool basic;		/* client_secret_basic */
};

/* The JSON object answered with 200, or NULL (logged). */
static json_t *
fetch_json(struct portal *p, const struct call *c)
{
	struct fetched f = { NULL, 0, false };
	struct curl_slist *hdrs = NULL;
	char auth[2200], id[64], secret[128];
	long status = 0;
	json_t *j = NULL;
	CURLcode rc;
	CURL *e;

	if (c->url == NULL || (e = curl_easy_init()) == NULL)
		return NULL;
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (c->bearer != NULL && (size_t)snprintf(auth, sizeof(auth),
	    "Authorization: Bearer %s", c->bearer) < sizeof(auth))
		hdrs = curl_slist_append(hdrs, auth);
	curl_easy_setopt(e, CURLOPT_URL, c->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, FETCH_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "dinhdanh-demo-portal/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &f);
	if (c->form != NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->form);
	if (c->basic) {
		/* Our ids and secrets are base64url: their form-encoding is themselves. */
		pthread_mutex_lock(&p->mu);
		snprintf(id, sizeof(id), "%s", p->client_id);
		snprintf(secret, sizeof(secret), "%s", p->secret);
		pthread_mutex_unlock(&p->mu);
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, id);
		curl_easy_setopt(e, CURLOPT_PASSWORD, secret);
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status == 200 && f.data != NULL)
		j = json_loadb(f.data, f.len, JSON_REJECT_DUPLICATES, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	if (j == NULL) {
		char st[16];

		snprintf(st, sizeof(st), "%ld", status);
		log_event(p->log, LOG_WARN, "portal.fetch_failed", "url", c->url,
		    "status", st, "curl", curl_easy_strerror(rc), NULL);
	}
	if (c->basic)
		sodium_memzero(secret, sizeof(secret));
	if (f.data != NULL)
		sodium_memzero(f.data, f.len);
	free(f.data);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	sodium_memzero(auth, sizeof(auth));
	return j;
}

static const char *
sget(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* The discovery document (a new reference), fetched on first use. */
static json_t *
discovery(struct portal *p)
{
	static const char *const need[] = { "issuer", "authorization_endpoint",
	    "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint" };
	char url[600];
	json_t *d;

	pthread_mutex_lock(&p->mu);
	if (p->disc == NULL) {
		snprintf(url, sizeof(url), "%s/.well-known/openid-configuration", p->issuer);
		d = fetch_json(p, &(struct call){ .url = url });
		for (size_t i = 0; d != NULL && i < ARRAY_LEN(need); i++)
			if (sget(d, need[i]) == NULL) {
				json_decref(d);
				d = NULL;
			}
		/* OIDC Discovery 4.3: the document's issuer is the one asked. */
		if (d != NULL && strcmp(sget(d, "issuer"), p->issuer) != 0) {
			log_event(p->log, LOG_WARN, "portal.discovery_mismatch",
			    "issuer", sget(d, "issuer"), NULL);
			json_decref(d);
			d = NULL;
		}
		p->disc = d;
	}
	d = json_incref(p->disc);
	pthread_mutex_unlock(&p->mu);
	return d;
}

/* The JWKS holding the key of `jwt` when there is one (a new reference). */
static json_t *
jwks_for(struct portal *p, const json_t *disc, const char *jwt)
{
	int64_t now = clock_now(p->clock);
	json_t *j;

	pthread_mutex_lock(&p->mu);
	if (p->jwks == NULL || (!rp_jwks_has_kid(p->jwks, jwt) &&
	    now - p->jwks_at >= JWKS_REFRESH)) {
		j = fetch_json(p, &(struct call){ .url = sget(disc, "jwks_uri") });
		if (j != NULL) {
			json_decref(p->jwks);
			p->jwks = j;
			p->jwks_at = now;
		}
	}
	j = json_incref(p->jwks);
	pthread_mutex_unlock(&p->mu);
	return j;
}

static bool
client_of(struct portal *p, char id[64])
{
	pthread_mutex_lock(&p->mu);
	snprintf(id, 64, "%s", p->client_id);
	pthread_mutex_unlock(&p->mu);
	return id[0] != '\0';
}

/* ---- pages ---- */

static void
fact(struct html *h, const char *label, const char *value)
{
	if (value != NULL)
		html_fact(h, label, value);
}

static void
claims_page(struct http_req *r, const json_t *s, bool signed_out)
{
	const json_t *idt = json_object_get(s, "claims"), *ui = json_object_get(s, "userinfo");
	const json_t *amr = json_object_get(idt, "amr"), *v;
	enum lang l = lang_of(r);
	struct html *h = html_new();
	char when[64] = "", methods[256] = "";
	time_t at = (time_t)json_integer_value(json_object_get(idt, "auth_time"));
	struct tm tm;
	size_t i;

	page_begin(h, l, tx(l, T_VERIFIED));
	html_raw(h, "<h1>");
	html_text(h, tx(l, T_WELCOME));
	html_raw(h, ", ");
	html_text(h, sget(ui, "name") != NULL ? sget(ui, "name") : "");
	html_raw(h, "</h1>");
	if (signed_out)
		html_notice(h, tx(l, T_SIGNED_OUT));
	html_raw(h, "<h2>");
	html_text(h, tx(l, T_VERIFIED));
	html_raw(h, "</h2><dl class=\"facts\">");
	fact(h, tx(l, T_NAME), sget(ui, "name"));
	fact(h, tx(l, T_BIRTH), sget(ui, "birthdate"));
	fact(h, tx(l, T_GENDER), sget(ui, "gender"));
	fact(h, tx(l, T_PID), sget(ui, "personal_id"));
	fact(h, tx(l, T_ADDRESS), sget(json_object_get(ui, "address"), "formatted"));
	fact(h, tx(l, T_PHONE), sget(ui, "phone_number"));
	fact(h, tx(l, T_SUB), sget(idt, "sub"));
	fact(h, tx(l, T_ACR), sget(idt, "acr"));
	json_array_foreach(amr, i, v)
		if (json_is_string(v) && strlen(methods) + strlen(json_string_value(v)) + 3 <
		    sizeof(methods))
			snprintf(methods + strlen(methods), sizeof(methods) - strlen(methods),
			    "%s%s", i > 0 ? ", " : "", json_string_value(v));
	fact(h, tx(l, T_AMR), methods);
	if (at > 0 && gmtime_r(&at, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fact(h, tx(l, T_AUTH_TIME), when);
	html_raw(h, "</dl><p><a class=\"button secondary\" href=\"/logout\">");
	html_text(h, tx(l, T_SIGN_OUT));
	html_raw(h, "</a></p>");
	page_send(r, h, l, 200);
}

static void
home_page(struct http_req *r, bool signed_out)
{
	enum lang l = lang_of(r);
	struct html *h = html_new();

	page_begin(h, l, NULL);
	html_raw(h, "<h1>");
	html_text(h, tx(l, T_TITLE));
	html_raw(h, "</h1>");
	if (signed_out)
		html_notice(h, tx(l, T_SIGNED_OUT));
	html_raw(h, "<p>");
	html_text(h, tx(l, T_INTRO));
	html_raw(h, "</p><p><a class=\"button\" href=\"/login\">");
	html_text(h, tx(l, T_SIGN_IN));
	html_raw(h, "</a></p><p><a class=\"button secondary\" href=\"/login?level=2\">");
	html_text(h, tx(l, T_SIGN_IN_LOA2));
	html_raw(h, "</a></p>");
	page_send(r, h, l, 200);
}

/* ---- handlers ---- */

static void
h_home(struct http_req *r, void *arg)
{
	struct portal *p = arg;
	int64_t now = clock_now(p->clock);
	const char *state = http_query(r, "state");
	struct rp_entry e;
	bool signed_out = false;
	char *data;
	json_t *s;

	/* Back from the provider's sign-out with our state: say so. */
	if (state != NULL && rp_store_take(p->store, http_cookie(r, FLOW_COOKIE), now,
	    &e) == 0) {
		signed_out = e.data == NULL && rp_equal(e.state, state);
		rp_entry_clear(&e);
		http_set_cookie(r, FLOW_COOKIE, "", 0, false);
	}
	data = rp_store_data(p->store, http_cookie(r, SESSION_COOKIE), now);
	s = data != NULL ? json_loads(data, 0, NULL) : NULL;
	if (data != NULL) {
		sodium_memzero(data, strlen(data));
		free(data);
	}
	if (s != NULL)
		claims_page(r, s, false);
	else
		home_page(r, signed_out);
	json_decref(s);
}

static void
h_css(struct http_req *r, void *arg)
{
	UNUSED(arg);
	http_add_header(r, "Cache-Control", "public, max-age=3600");
	http_respond(r, 200, "text/css; charset=utf-8", CSS, sizeof(CSS) - 1);
}

static void
h_lang(struct http_req *r, void *arg)
{
	const char *to = http_query(r, "to");

	UNUSED(arg);
	if (to != NULL && (strcmp(to, "vi") == 0 || strcmp(to, "en") == 0))
		http_set_cookie(r, "lang", to, LANG_MAX_AGE, false);
	http_redirect(r, 303, "/");
}

static void
h_login(struct http_req *r, void *arg)
{
	struct portal *p = arg;
	int64_t now = clock_now(p->clock);
	const char *level = http_query(r, "level");
	char id[64], redirect[128], challenge[RP_RAND_SIZE], key[RP_RAND_SIZE];
	char url[RP_URL_MAX];
	struct rp_entry e = { .data = NULL };
	json_t *d = NULL;
	int rc;

	if (!client_of(p, id)) {
		message_page(r, 503, T_ERROR_TITLE, T_ERR_NOT_READY, NULL, NULL);
		return;
	}
	if ((d = discovery(p)) == NULL) {
		message_page(r, 502, T_ERROR_TITLE, T_ERR_PROVIDER, NULL, NULL);
		return;
	}
	rp_random(e.state);
	rp_random(e.nonce);
	rp_random(e.verifier);
	rp_pkce_challenge(e.verifier, challenge);
	snprintf(redirect, sizeof(redirect), "%s/callback", p->base);
	rc = rp_authorize_url(&(struct rp_authz){ .endpoint = sget(d,
	    "authorization_endpoint"), .client_id = id, .redirect_uri = redirect,
	    .scope = SCOPE, .state = e.state, .nonce = e.nonce,
	    .challenge = challenge }, url, sizeof(url));
	/* Level 2 (OIDC Core 3.1.2.1 acr_values): a sign-in with the app. */
	if (rc == 0 && level != NULL && strcmp(level, "2") == 0)
		rc = rp_url_param(url, sizeof(url), "acr_values", ACR_LOA2);
	json_decref(d);
	if (rc != 0 || rp_store_put(p->store, &e, now, now + FLOW_TTL, key) != 0) {
		rp_entry_clear(&e);
		message_page(r, 500, T_ERROR_TITLE, T_ERR_PROVIDER, NULL, NULL);
		return;
	}
	http_set_cookie(r, FLOW_COOKIE, key, FLOW_TTL, false);
	http_redirect(r, 303, url);
}

/* Verifies what the token endpoint answered; the session JSON, or NULL and *why. */
static json_t *
verified_session(struct portal *p, const json_t *disc, const json_t *tok,
    const char *id, const char *nonce, const char **why)
{
	const char *jwt = sget(tok, "id_token"), *at = sget(tok, "access_token");
	json_t *jwks, *claims, *ui;

	if (jwt == NULL || at == NULL)
		return *why = "the token answer lacks id_token or access_token", NULL;
	if ((jwks = jwks_for(p, disc, jwt)) == NULL)
		return *why = "the provider's JWKS cannot be fetched", NULL;
	claims = rp_verify_jwt(jwt, jwks, why);
	json_decref(jwks);
	if (claims == NULL)
		return NULL;
	if (rp_check_claims(claims, p->issuer, id, nonce, clock_now(p->clock), why) != 0) {
		json_decref(claims);
		return NULL;
	}
	ui = fetch_json(p, &(struct call){ .url = sget(disc, "userinfo_endpoint"),
	    .bearer = at });
	/* OIDC Core 5.3.2: userinfo's sub must be the ID token's. */
	if (ui == NULL || sget(ui, "sub") == NULL ||
	    strcmp(sget(ui, "sub"), sget(claims, "sub")) != 0) {
		json_decref(ui);
		json_decref(claims);
		return *why = "userinfo failed or is about someone else", NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "id_token", jwt, "claims", claims,
	    "userinfo", ui);
}

static void
h_callback(struct http_req *r, void *arg)
{
	struct portal *p = arg;
	int64_t now = clock_now(p->clock);
	const char *err = http_query(r, "error"), *state = http_query(r, "state");
	const char *code = http_query(r, "code"), *iss = http_query(r, "iss");
	const char *why = NULL;
	char id[64], redirect[128], form[4096] = "", key[RP_RAND_SIZE], *text;
	struct rp_entry e, se = { .data = NULL };
	json_t *d = NULL, *tok = NULL, *s = NULL;

	/* The flow is used up whatever happens next. */
	http_set_cookie(r, FLOW_COOKIE, "", 0, false);
	if (rp_store_take(p->store, http_cookie(r, FLOW_COOKIE), now, &e) != 0 ||
	    e.data != NULL || !rp_equal(e.state, state)) {
		rp_entry_clear(&e);
		log_event(p->log, LOG_WARN, "portal.bad_state", NULL);
		message_page(r, 400, T_ERROR_TITLE, T_ERR_EXPIRED, NULL, NULL);
		return;
	}
	if (err != NULL) {
		rp_entry_clear(&e);
		message_page(r, 400, T_ERROR_TITLE, T_ERR_DENIED, err,
		    http_query(r, "error_description"));
		return;
	}
	if (!client_of(p, id) || (d = discovery(p)) == NULL) {
		rp_entry_clear(&e);
		message_page(r, 502, T_ERROR_TITLE, T_ERR_PROVIDER, NULL, NULL);
		return;
	}
	snprintf(redirect, sizeof(redirect), "%s/callback", p->base);
	/* RFC 9207: the answer names the issuer we sent the citizen to. */
	if (code == NULL || iss == NULL || strcmp(iss, sget(d, "issuer")) != 0)
		why = "the answer lacks the code or names another issuer";
	else if (rp_form_param(form, sizeof(form), "grant_type", "authorization_code") != 0 ||
	    rp_form_param(form, sizeof(form), "code", code) != 0 ||
	    rp_form_param(form, sizeof(form), "redirect_uri", redirect) != 0 ||
	    rp_form_param(form, sizeof(form), "code_verifier", e.verifier) != 0)
		why = "the code is too long";
	else if ((tok = fetch_json(p, &(struct call){ .url = sget(d, "token_endpoint"),
	    .form = form, .basic = true })) == NULL)
		why = "the token endpoint refused the code";
	else
		s = verified_session(p, d, tok, id, e.nonce, &why);
	sodium_memzero(form, sizeof(form));
	rp_entry_clear(&e);
	json_decref(tok);
	json_decref(d);
	if (s == NULL || (text = json_dumps(s, JSON_COMPACT)) == NULL) {
		log_event(p->log, LOG_WARN, "portal.sign_in_failed", "reason",
		    why != NULL ? why : "out of memory", NULL);
		message_page(r, 502, T_ERROR_TITLE, T_ERR_PROVIDER, "invalid_response", why);
		json_decref(s);
		return;
	}
	json_decref(s);
	se.data = text;
	if (rp_store_put(p->store, &se, now, now + SESSION_TTL, key) != 0) {
		message_page(r, 500, T_ERROR_TITLE, T_ERR_PROVIDER, NULL, NULL);
		return;
	}
	log_event(p->log, LOG_INFO, "portal.signed_in", "client_id", id, NULL);
	http_set_cookie(r, SESSION_COOKIE, key, SESSION_TTL, false);
	http_redirect(r, 303, "/");
}

static void
h_logout(struct http_req *r, void *arg)
{
	struct portal *p = arg;
	int64_t now = clock_now(p->clock);
	struct rp_entry e, fl = { .data = NULL };
	char home[80], url[RP_URL_MAX], key[RP_RAND_SIZE];
	json_t *s = NULL, *d = NULL;
	int rc = -1;

	http_set_cookie(r, SESSION_COOKIE, "", 0, false);
	if (rp_store_take(p->store, http_cookie(r, SESSION_COOKIE), now, &e) != 0 ||
	    e.data == NULL) {
		rp_entry_clear(&e);
		http_redirect(r, 303, "/");
		return;
	}
	s = json_loads(e.data, 0, NULL);
	rp_entry_clear(&e);
	snprintf(home, sizeof(home), "%s/", p->base);
	rp_random(fl.state);
	if (s != NULL && (d = discovery(p)) != NULL)
		rc = rp_logout_url(sget(d, "end_session_endpoint"), sget(s, "id_token"),
		    home, fl.state, url, sizeof(url));
	json_decref(s);
	json_decref(d);
	if (rc != 0) {
		/* Signed out here at least; the provider's session stays. */
		rp_entry_clear(&fl);
		message_page(r, 502, T_ERROR_TITLE, T_ERR_PROVIDER, NULL, NULL);
		return;
	}
	if (rp_store_put(p->store, &fl, now, now + FLOW_TTL, key) == 0)
		http_set_cookie(r, FLOW_COOKIE, key, FLOW_TTL, false);
	http_redirect(r, 303, url);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/", h_home },
	{ "GET", "/login", h_login },
	{ "GET", "/callback", h_callback },
	{ "GET", "/logout", h_logout },
	{ "GET", "/lang", h_lang },
	{ "GET", "/portal.css", h_css },
};

/* ---- life cycle ---- */

int
portal_start(const struct portal_opts *o, struct portal **out, char *err, size_t errsz)
{
	struct http_opts ho = { .host = "127.0.0.1", .port = o->port,
	    .threads = o->threads ? o->threads : 2, .body_limit = 16 * 1024,
	    .conn_timeout = 30, .per_ip_limit = 64, .log = o->log,
	    .routes = ROUTES, .nroutes = ARRAY_LEN(ROUTES) };
	struct portal *p;

	*out = NULL;
	if (sodium_init() < 0 || (p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errsz, "demo portal: out of memory");
		return -1;
	}
	pthread_mutex_init(&p->mu, NULL);
	p->clock = o->clock;
	p->log = o->log;
	snprintf(p->issuer, sizeof(p->issuer), "%s", o->issuer);
	if ((p->store = rp_store_new(STORE_MAX)) == NULL) {
		snprintf(err, errsz, "demo portal: out of memory");
		portal_stop(p);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsz, "demo portal: libcurl cannot start");
		portal_stop(p);
		return -1;
	}
	p->curl_ready = true;
	ho.ctx = p;
	if (http_start(&ho, &p->srv, err, errsz) != 0) {
		portal_stop(p);
		return -1;
	}
	snprintf(p->base, sizeof(p->base), "http://127.0.0.1:%u",
	    (unsigned)http_port(p->srv));
	*out = p;
	return 0;
}

const char *
portal_base_url(const struct portal *p)
{
	return p->base;
}

void
portal_set_client(struct portal *p, const char *client_id, const char *secret)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->client_id, sizeof(p->client_id), "%s", client_id);
	snprintf(p->secret, sizeof(p->secret), "%s", secret);
	pthread_mutex_unlock(&p->mu);
}

void
portal_stop(struct portal *p)
{
	if (p == NULL)
		return;
	http_stop(p->srv);
	rp_store_free(p->store);
	json_decref(p->disc);
	json_decref(p->jwks);
	if (p->curl_ready)
		curl_global_cleanup();
	pthread_mutex_destroy(&p->mu);
	sodium_memzero(p->secret, sizeof(p->secret));
	free(p);
}
