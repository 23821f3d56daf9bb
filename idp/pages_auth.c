/*
 * pages_auth: what the citizen pages share; /lang, /done and the landing page.
 */
#include "pages_auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "accounts.h"
#include "front.h"
#include "oidc.h"
#include "password.h"
#include "pages_account.h"
#include "pages_data.h"
#include "pages_login.h"
#include "pages_oidc.h"
#include "pages_qr.h"
#include "pages_security.h"
#include "totp.h"

#define PAGE_CTYPE "text/html; charset=utf-8"
#define FORM_CTYPE "application/x-www-form-urlencoded"

static const char *
csrf_cookie_name(const struct routes_ctx *ctx)
{
	return ctx->secure ? PAGES_CSRF_COOKIE_SECURE : PAGES_CSRF_COOKIE;
}

void
page_init(struct page *pg, struct http_req *r, struct routes_ctx *ctx)
{
	const char *cookie = http_cookie(r, csrf_cookie_name(ctx));
	char fresh[CSRF_COOKIE_SIZE];

	memset(pg, 0, sizeof(*pg));
	pg->r = r;
	pg->ctx = ctx;
	pg->lang = i18n_pick(http_cookie(r, "lang"),
	    http_header(r, "Accept-Language"));
	if (csrf_token(ctx->csrf_key, cookie, pg->csrf) == 0)
		return;
	/* No valid cookie yet: this page sets one; its forms carry its token. */
	csrf_new_cookie(fresh);
	http_set_cookie(r, csrf_cookie_name(ctx), fresh, -1, ctx->secure);
	if (csrf_token(ctx->csrf_key, fresh, pg->csrf) != 0)
		pg->csrf[0] = '\0';
}

void
page_fini(struct page *pg)
{
	html_free(pg->h);
	form_free(pg->form);
	pg->h = NULL;
	pg->form = NULL;
}

/* True for application/x-www-form-urlencoded, parameters allowed. */
static bool
is_form_type(const char *ct)
{
	size_t n = strlen(FORM_CTYPE);

	if (ct == NULL || strncasecmp(ct, FORM_CTYPE, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

int
page_post(struct page *pg)
{
	const char *cookie = http_cookie(pg->r, csrf_cookie_name(pg->ctx));
	struct page_err e = { 400, MSG_ERR_BAD_FORM, 0 };
	const char *body;
	size_t len;

	if (!is_form_type(http_header(pg->r, "Content-Type"))) {
		e.status = 415;
		goto fail;
	}
	body = http_body(pg->r, &len);
	if (form_parse(body != NULL ? body : "", body != NULL ? len : 0,
	    &pg->form) != 0) {
		pg->form = NULL;
		goto fail;
	}
	if (!csrf_check(pg->ctx->csrf_key, cookie, form_get(pg->form, "csrf"))) {
		log_event(pg->ctx->log, LOG_WARN, "security.csrf_refused",
		    "path", http_path(pg->r), NULL);
		e = (struct page_err){ 403, MSG_ERR_CSRF, 0 };
		goto fail;
	}
	return 0;
fail:
	page_fail(pg, &e, NULL);
	return -1;
}

int
page_reparse(struct page *pg)
{
	size_t len;
	const char *body = http_body(pg->r, &len);

	form_free(pg->form);
	pg->form = NULL;
	if (body != NULL && form_parse(body, len, &pg->form) == 0)
		return 0;
	pg->form = NULL;
	return -1;
}

int
page_fields(const struct page *pg, const char *const *names,
    const size_t *max, size_t n, const char **out, size_t *bad)
{
	for (size_t i = 0; i < n; i++)
		out[i] = pg->form != NULL ? form_get(pg->form, names[i]) : NULL;
	for (size_t i = 0; i < n; i++) {
		*bad = i;
		if (out[i] == NULL || out[i][0] == '\0')
			return 1;
		if (strlen(out[i]) > max[i])
			return 2;
	}
	return 0;
}

const char *
page_req(const struct page *pg)
{
	const char *v = pg->form != NULL ? form_get(pg->form, "req") :
	    http_query(pg->r, "req");

	if (v == NULL || strlen(v) != 43)
		return NULL;
	for (size_t i = 0; i < 43; i++) {
		char ch = v[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return NULL;
	}
	return v;
}

void
page_hidden_req(struct page *pg)
{
	if (page_req(pg) != NULL)
		html_hidden(pg->h, "req", page_req(pg));
}

bool
page_limited(struct page *pg, struct page_err *out)
{
	int64_t wait = front_limited(pg->r, pg->ctx);

	if (wait == 0)
		return false;
	*out = (struct page_err){ 429, MSG_ERR_NETWORK_LIMIT, wait };
	return true;
}

struct page_err
page_error(int rc, int64_t wait)
{
	switch (rc) {
	case AUTH_BAD_CREDENTIALS:
		return (struct page_err){ 401, MSG_ERR_CREDENTIALS, 0 };
	case AUTH_DELAYED:
		return (struct page_err){ 429, MSG_ERR_TOO_MANY_ATTEMPTS, wait };
	case AUTH_LOCKED:
		return (struct page_err){ 423, MSG_ERR_LOCKED, 0 };
	case AUTH_DISABLED:
		return (struct page_err){ 403, MSG_ERR_DISABLED, 0 };
	case AUTH_BAD_TX:
	case TOTP_NONE:
		return (struct page_err){ 400, MSG_ERR_FLOW_EXPIRED, 0 };
	case AUTH_BAD_CODE:
	case ACC_BAD_CODE:
	case TOTP_BAD_CODE:
		return (struct page_err){ 400, MSG_ERR_CODE_WRONG, 0 };
	case ACC_EXISTS:
		return (struct page_err){ 409, MSG_ERR_EXISTS, 0 };
	case AUTH_EXPIRED:
	case ACC_EXPIRED:
		return (struct page_err){ 400, MSG_ERR_CODE_EXPIRED, 0 };
	case AUTH_TOO_MANY:
	case ACC_TOO_MANY_ATTEMPTS:
		return (struct page_err){ 400, MSG_ERR_CODE_TOO_MANY, 0 };
	case AUTH_RESEND_WAIT:
	case ACC_RESEND_WAIT:
		return (struct page_err){ 429, MSG_ERR_RESEND_WAIT, wait };
	case AUTH_RATE_LIMITED:
	case ACC_RATE_LIMITED:
		return (struct page_err){ 429, MSG_ERR_PHONE_LIMIT, 3600 };
	case DB_FULL:
	case DB_BUSY:
	case DB_READONLY:
		return (struct page_err){ 503, MSG_ERR_BUSY, 5 };
	default:
		return (struct page_err){ 500, MSG_ERR_INTERNAL, 0 };
	}
}

const char *
page_err_text(const struct page *pg, const struct page_err *e, char *buf,
    size_t bufsz)
{
	const char *fmt = i18n(pg->lang, e->msg);

	if (e->msg == MSG_ERR_TOO_MANY_ATTEMPTS || e->msg == MSG_ERR_NETWORK_LIMIT ||
	    e->msg == MSG_ERR_RESEND_WAIT)
		snprintf(buf, bufsz, fmt, (long)(e->wait > 0 ? e->wait : 1));
	else
		snprintf(buf, bufsz, "%s", fmt);
	return buf;
}

void
page_begin(struct page *pg, enum msg title, const char *path)
{
	html_free(pg->h);
	pg->h = html_new();
	html_page_begin(pg->h, pg->lang, i18n(pg->lang, title), path);
	html_raw(pg->h, "<h1>");
	html_text(pg->h, i18n(pg->lang, title));
	html_raw(pg->h, "</h1>\n");
}

void
page_send(struct page *pg, unsigned status)
{
	const char *data;
	size_t len;

	html_page_end(pg->h, pg->lang);
	if (html_failed(pg->h)) {
		log_event(pg->ctx->log, LOG_ERROR, "page.render_failed",
		    "path", http_path(pg->r), NULL);
		http_respond(pg->r, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15);
		return;
	}
	data = html_data(pg->h, &len);
	http_add_header(pg->r, "Cache-Control", "no-store");
	http_respond(pg->r, status, PAGE_CTYPE, data, len);
}

static void
retry_after(struct http_req *r, int64_t wait)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", (long long)(wait > 0 ? wait : 1));
	http_add_header(r, "Retry-After", v);
}

/* The GET page of the request's flow: its first path segment. */
static const char *
flow_home(struct http_req *r, char *buf, size_t bufsz)
{
	const char *p = http_path(r);
	size_t n = strcspn(p[0] == '/' ? p + 1 : p, "/") + 1;

	if (strcmp(p, "/logout") == 0 || n >= bufsz)
		return "/account";
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void
fail_page(struct page *pg, const struct page_err *e, const char *back)
{
	char text[512], home[64];

	if (back == NULL)
		back = flow_home(pg->r, home, sizeof(home));

	if (e->wait > 0 || e->status == 503)
		retry_after(pg->r, e->wait);
	page_begin(pg, e->status == 404 ? MSG_TITLE_NOT_FOUND : MSG_TITLE_ERROR,
	    NULL);
	html_error(pg->h, page_err_text(pg, e, text, sizeof(text)));
	html_raw(pg->h, "<p>");
	html_link(pg->h, back, i18n(pg->lang, MSG_BTN_BACK));
	html_raw(pg->h, "</p>\n");
	page_send(pg, e->status);
}

/*
 * A 503 here comes from page_error (the database is full, busy or
 * read-only: the pool-full 503 of page_defer logs its own line) and a 500
 * from an unexpected failure; either is logged once, without personal data.
 */
void
page_fail(struct page *pg, const struct page_err *e, const char *back)
{
	if (e->status == 503)
		log_event(pg->ctx->log, LOG_ERROR, "db.unavailable", "error",
		    "database unavailable", "path", http_path(pg->r), NULL);
	else if (e->status >= 500)
		log_event(pg->ctx->log, LOG_ERROR, "page.failed", "path",
		    http_path(pg->r), NULL);
	fail_page(pg, e, back);
}

void
page_done(struct page *pg, const char *what)
{
	char loc[64];

	snprintf(loc, sizeof(loc), "/done?n=%s", what);
	http_redirect(pg->r, 303, loc);
}

void
page_defer(struct page *pg, struct pwjob *job, http_done_fn done)
{
	struct page_err e = { 500, MSG_ERR_INTERNAL, 0 };

	if (job != NULL) {
		if (http_defer(pg->r, pg->ctx->pool, pwjob_run, done, job) == 0)
			return;
		pwjob_free(job);
		log_event(pg->ctx->log, LOG_WARN, "auth.pool_full", NULL);
		e = (struct page_err){ 503, MSG_ERR_BUSY, 1 };
	}
	fail_page(pg, &e, NULL);
}

void
page_links(struct page *pg, const char *const *hrefs, const enum msg *texts,
    size_t n)
{
	html_raw(pg->h, "<ul class=\"links\">\n");
	for (size_t i = 0; i < n; i++) {
		html_raw(pg->h, "<li>");
		html_link(pg->h, hrefs[i], i18n(pg->lang, texts[i]));
		html_raw(pg->h, "</li>\n");
	}
	html_raw(pg->h, "</ul>\n");
}

/* ---- the inputs of the contract (DESIGN.md section 9) ---- */


void
page_intro(struct page *pg, enum msg intro)
{
	if (intro == PAGE_NO_INTRO)
		return;
	html_raw(pg->h, "<p>");
	html_text(pg->h, i18n(pg->lang, intro));
	html_raw(pg->h, "</p>\n");
}

void
page_input_personal_id(struct page *pg, const char *value, const char *error,
    bool autofocus)
{
	struct html_input in = { .name = "personal_id",
	    .label = i18n(pg->lang, MSG_LABEL_PERSONAL_ID),
	    .hint = i18n(pg->lang, MSG_HINT_PERSONAL_ID),
	    .autocomplete = "username", .inputmode = "numeric",
	    .pattern = "[0-9]{12}", .maxlength = 12, .required = true,
	    .value = value, .error = error, .autofocus = autofocus };

	html_input(pg->h, &in);
}

void
page_input_password(struct page *pg, enum msg label, const char *autocomplete,
    const char *error)
{
	struct html_input in = { .name = "password", .type = "password",
	    .label = i18n(pg->lang, label), .autocomplete = autocomplete,
	    .maxlength = PASSWORD_MAX_CHARS * 4, .required = true, .error = error,
	    .hint = strcmp(autocomplete, "new-password") == 0 ?
	    i18n(pg->lang, MSG_HINT_PASSWORD) : NULL };

	html_input(pg->h, &in);
}

void
page_input_phone(struct page *pg, const char *value, const char *error)
{
	struct html_input in = { .name = "phone", .type = "tel",
	    .label = i18n(pg->lang, MSG_LABEL_PHONE),
	    .hint = i18n(pg->lang, MSG_HINT_PHONE), .autocomplete = "tel",
	    .inputmode = "tel", .maxlength = PF_PHONE, .required = true,
	    .value = value, .error = error };

	html_input(pg->h, &in);
}

void
page_input_code(struct page *pg, const char *hint, const char *error)
{
	struct html_input in = { .name = "code", .label = i18n(pg->lang,
	    MSG_LABEL_CODE), .hint = hint, .autocomplete = "one-time-code",
	    .inputmode = "numeric", .pattern = "[0-9]{6}", .maxlength = 6,
	    .required = true, .autofocus = true, .error = error };

	html_input(pg->h, &in);
}

/* ---- /lang, /done, / ---- */

/* True for a path of this site: one leading '/', no "//", no '\\', no control. */
static bool
local_path(const char *p)
{
	if (p == NULL || p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return false;
	if (strlen(p) > 1024)
		return false;
	for (const char *s = p; *s != '\0'; s++)
		if (*s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void
h_lang(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *to = http_query(r, "to"), *back = http_query(r, "back");

	if (to != NULL && (strcmp(to, "en") == 0 || strcmp(to, "vi") == 0))
		http_set_cookie(r, "lang", to, PAGES_LANG_MAX_AGE, ctx->secure);
	http_redirect(r, 303, local_path(back) ? back : "/");
}

struct notice {
	const char *what;
	enum msg title, note, link;
	const char *href;
};

static const struct notice NOTICES[] = {
	{ "created", MSG_TITLE_CREATED, MSG_NOTE_CREATED, MSG_LINK_SIGN_IN, "/login" },
	{ "signed_out", MSG_TITLE_SIGNED_OUT, MSG_NOTE_SIGNED_OUT, MSG_LINK_SIGN_IN,
	    "/login" },
	{ "locked", MSG_TITLE_LOCK, MSG_NOTE_LOCKED, MSG_LINK_UNLOCK, "/unlock" },
	{ "unlocked", MSG_TITLE_UNLOCK, MSG_NOTE_UNLOCKED, MSG_LINK_SIGN_IN, "/login" },
	{ "password", MSG_TITLE_RESET, MSG_NOTE_PASSWORD_CHANGED, MSG_LINK_SIGN_IN,
	    "/login" },
};

static void
h_done(struct http_req *r, void *arg)
{
	const char *what = http_query(r, "n");
	struct page pg;
	char path[64];

	page_init(&pg, r, arg);
	for (size_t i = 0; what != NULL && i < ARRAY_LEN(NOTICES); i++) {
		const struct notice *n = &NOTICES[i];

		if (strcmp(what, n->what) != 0)
			continue;
		snprintf(path, sizeof(path), "/done?n=%s", n->what);
		page_begin(&pg, n->title, path);
		html_notice(pg.h, i18n(pg.lang, n->note));
		page_links(&pg, &n->href, &n->link, 1);
		page_send(&pg, 200);
		page_fini(&pg);
		return;
	}
	page_fail(&pg, &(struct page_err){ 404, MSG_ERR_NOT_FOUND, 0 }, "/");
	page_fini(&pg);
}

static void
h_home(struct http_req *r, void *arg)
{
	static const char *const hrefs[] = { "/login", "/register", "/forgot",
	    "/lock", "/unlock" };
	static const enum msg texts[] = { MSG_LINK_SIGN_IN, MSG_LINK_REGISTER,
	    MSG_LINK_FORGOT, MSG_LINK_LOCK, MSG_LINK_UNLOCK };
	struct page pg;

	page_init(&pg, r, arg);
	page_begin(&pg, MSG_TITLE_HOME, "/");
	page_links(&pg, hrefs, texts, ARRAY_LEN(hrefs));
	page_send(&pg, 200);
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/lang", h_lang },
	{ "GET", "/done", h_done },
	{ "GET", "/", h_home },
};

size_t
pages_routes(struct http_route *out, size_t max)
{
	const struct http_route *t;
	size_t n = 0, k;

	t = pages_login_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	t = pages_account_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	t = pages_data_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	t = pages_security_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	t = pages_oidc_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	t = pages_qr_routes(&k);
	n = http_routes_append(out, n, max, t, k);
	return http_routes_append(out, n, max, ROUTES, ARRAY_LEN(ROUTES));
}

size_t
page_scope_texts(const char *scope, enum msg *out, size_t max)
{
	static const struct {
		const char *scope;
		enum msg text;
	} SCOPES[] = {
		{ "openid", MSG_SCOPE_OPENID },
		{ "profile", MSG_SCOPE_PROFILE },
		{ "personal_id", MSG_SCOPE_PERSONAL_ID },
		{ "address", MSG_SCOPE_ADDRESS },
		{ "phone", MSG_SCOPE_PHONE },
		{ "offline_access", MSG_SCOPE_OFFLINE },
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(SCOPES) && n < max; i++)
		if (oidc_scope_has(scope, SCOPES[i].scope))
			out[n++] = SCOPES[i].text;
	return n;
}

const char *
page_when(int64_t at, char when[32])
{
	struct tm tm;
	time_t t = (time_t)at;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, 32, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, 32, "%lld", (long long)at);
	return when;
}
