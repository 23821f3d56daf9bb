/*
 * pages_account: the account page, authenticator enrolment, self-lock and
 * sign-out.
 */
#include "pages_account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "auth.h"
#include "devices.h"
#include "enroll.h"
#include "front.h"
#include "pages_auth.h"
#include "pages_data.h"
#include "pages_oidc.h"
#include "pages_security.h"
#include "qr.h"
#include "registry.h"
#include "signins.h"
#include "totp.h"

#define HISTORY_ROWS 20

/* What the account page shows, read on one connection. */
struct account_view {
	struct account acc;
	struct person p;
	bool totp;
	int64_t enrolled_at;	/* 0 when never enrolled at a desk */
};

/*
 * The request's live session into *s: 0; 1 after answering 303 to /login
 * (no session) or an error page.
 */
static int
need_session(struct page *pg, struct session *s)
{
	int rc = auth_session_get(pg->ctx->auth, front_session_token(pg->r,
	    pg->ctx), clock_now(pg->ctx->clock), s);

	if (rc == DB_OK)
		return 0;
	if (rc == SESS_NOT_FOUND)
		http_redirect(pg->r, 303, "/login");
	else {
		struct page_err e = page_error(rc, 0);

		page_fail(pg, &e, "/");
	}
	return 1;
}

static void
history_row(const struct signin *si, void *arg)
{
	struct page *pg = arg;
	char when[32];
	struct tm tm;
	time_t t = (time_t)si->at;
	enum msg method = strcmp(si->method, "pwd+sms") == 0 ? MSG_METHOD_PWD_SMS :
	    strcmp(si->method, "pwd+totp") == 0 ? MSG_METHOD_PWD_TOTP :
	    strcmp(si->method, "swk") == 0 ? MSG_METHOD_SWK :
	    MSG_METHOD_PWD;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)si->at);
	html_raw(pg->h, "<tr><td>");
	html_text(pg->h, when);
	html_raw(pg->h, "</td><td>");
	html_text(pg->h, i18n(pg->lang, strcmp(si->outcome, "success") == 0 ?
	    MSG_ACC_SUCCESS : MSG_ACC_FAILURE));
	html_raw(pg->h, "</td><td>");
	html_text(pg->h, i18n(pg->lang, method));
	html_raw(pg->h, "</td><td>");
	html_text(pg->h, si->addr);
	html_raw(pg->h, "</td></tr>\n");
}


static void
device_row(const struct device_row *row, void *arg)
{
	struct page *pg = arg;
	char when[32];

	html_raw(pg->h, "<tr><td>");
	html_text(pg->h, row->d.name);
	html_raw(pg->h, "</td><td>");
	html_text(pg->h, page_when(row->d.created_at, when));
	html_raw(pg->h, "</td><td>");
	html_text(pg->h, page_when(row->d.last_used_at, when));
	html_raw(pg->h, "</td><td>");
	html_form_begin(pg->h, "/account/devices/revoke", pg->csrf);
	html_hidden(pg->h, "device_id", row->d.device_id);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_REVOKE_DEVICE), false);
	html_form_end(pg->h);
	html_raw(pg->h, "</td></tr>\n");
}

/* The account's active devices, each with its revoke button; a DB_ code. */
static int
devices_table(struct page *pg, struct db_conn *c, const char *account_id)
{
	static const enum msg cols[] = { MSG_ACC_DEVICE_NAME, MSG_ACC_DEVICE_ADDED,
	    MSG_ACC_DEVICE_LAST_USED };
	unsigned n = 0;
	int rc;

	html_raw(pg->h, "<h2 id=\"devices\">");
	html_text(pg->h, i18n(pg->lang, MSG_ACC_DEVICES));
	html_raw(pg->h, "</h2>\n");
	if ((rc = devices_count(c, account_id, &n)) != DB_OK || n == 0) {
		html_raw(pg->h, "<p>");
		html_text(pg->h, i18n(pg->lang, MSG_ACC_NO_DEVICES));
		html_raw(pg->h, "</p>\n");
		return rc;
	}
	html_raw(pg->h, "<div class=\"table-wrap\"><table class=\"history\" "
	    "aria-labelledby=\"devices\">\n<thead><tr>");
	for (size_t i = 0; i < ARRAY_LEN(cols); i++) {
		html_raw(pg->h, "<th scope=\"col\">");
		html_text(pg->h, i18n(pg->lang, cols[i]));
		html_raw(pg->h, "</th>");
	}
	html_raw(pg->h, "<td></td></tr></thead>\n<tbody>\n");
	rc = devices_foreach(c, account_id, false, device_row, pg);
	html_raw(pg->h, "</tbody></table></div>\n");
	return rc;
}

/* The sign-in history table (newest first); a DB_ code. */
static int
history(struct page *pg, struct db_conn *c, const char *account_id)
{
	static const enum msg cols[] = { MSG_ACC_TIME, MSG_ACC_RESULT,
	    MSG_ACC_METHOD, MSG_ACC_ADDRESS };
	int rc;

	html_raw(pg->h, "<h2 id=\"history\">");
	html_text(pg->h, i18n(pg->lang, MSG_ACC_HISTORY));
	html_raw(pg->h, "</h2>\n<div class=\"table-wrap\">"
	    "<table class=\"history\" aria-labelledby=\"history\">\n<thead><tr>");
	for (size_t i = 0; i < ARRAY_LEN(cols); i++) {
		html_raw(pg->h, "<th scope=\"col\">");
		html_text(pg->h, i18n(pg->lang, cols[i]));
		html_raw(pg->h, "</th>");
	}
	html_raw(pg->h, "</tr></thead>\n<tbody>\n");
	rc = signins_foreach(c, account_id, HISTORY_ROWS, history_row, pg);
	html_raw(pg->h, "</tbody></table></div>\n");
	return rc;
}

static void
facts(struct page *pg, const struct account_view *v)
{
	char masked[PHONE_MASK_SIZE], when[32];
	const char *st = v->acc.status;
	enum lang l = pg->lang;

	phone_mask(v->acc.phone, masked);
	html_raw(pg->h, "<dl class=\"facts\">\n");
	html_fact(pg->h, i18n(l, MSG_ACC_FULL_NAME), v->p.full_name);
	html_fact(pg->h, i18n(l, MSG_ACC_PERSONAL_ID), v->acc.personal_id);
	html_fact(pg->h, i18n(l, MSG_ACC_BIRTH_DATE), v->p.birth_date);
	html_fact(pg->h, i18n(l, MSG_ACC_PHONE), masked);
	html_fact(pg->h, i18n(l, MSG_ACC_RESIDENCE), v->p.residence);
	html_fact(pg->h, i18n(l, MSG_ACC_LEVEL), i18n(l, v->acc.level >= 2 ?
	    MSG_ACC_LEVEL_HOW_2 : MSG_ACC_LEVEL_HOW_1));
	if (v->enrolled_at > 0)
		html_fact(pg->h, i18n(l, MSG_ACC_ENROLLED_AT),
		    page_when(v->enrolled_at, when));
	html_fact(pg->h, i18n(l, MSG_ACC_STATUS), i18n(l,
	    strcmp(st, "active") == 0 ? MSG_ACC_STATUS_ACTIVE :
	    strcmp(st, "locked") == 0 ? MSG_ACC_STATUS_LOCKED :
	    MSG_ACC_STATUS_DISABLED));
	html_fact(pg->h, i18n(l, MSG_ACC_TWO_STEP), i18n(l, v->totp ?
	    MSG_ACC_TWO_STEP_TOTP : MSG_ACC_TWO_STEP_SMS));
	html_raw(pg->h, "</dl>\n");
}

static void
action_form(struct page *pg, const char *action, enum msg label, bool primary)
{
	html_form_begin(pg->h, action, pg->csrf);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, label), primary);
	html_form_end(pg->h);
}

/* Renders the account page of session s into pg->h: a DB_ code. */
static int
render_account(struct page *pg, const struct session *s)
{
	struct db_conn *c = db_acquire(pg->ctx->db);
	struct account_view *v = calloc(1, sizeof(*v));
	const char *note = http_query(pg->r, "note");
	int rc = DB_ERR;

	if (c == NULL || v == NULL)
		goto fail;
	if ((rc = accounts_get(c, s->account_id, &v->acc)) != DB_OK ||
	    (rc = registry_get(c, v->acc.personal_id, &v->p)) != DB_OK ||
	    (rc = totp_enabled(c, v->acc.account_id, &v->totp)) != DB_OK ||
	    (rc = enroll_enrolled_at(c, v->acc.account_id, &v->enrolled_at)) != DB_OK)
		goto fail;
	page_begin(pg, MSG_TITLE_ACCOUNT, "/account");
	if (note != NULL && strcmp(note, "totp") == 0)
		html_notice(pg->h, i18n(pg->lang, MSG_NOTE_TOTP_ENABLED));
	if (note != NULL && strcmp(note, "device_revoked") == 0)
		html_notice(pg->h, i18n(pg->lang, MSG_NOTE_DEVICE_REVOKED));
	if (note != NULL && strcmp(note, "consent_revoked") == 0)
		html_notice(pg->h, i18n(pg->lang, MSG_NOTE_CONSENT_REVOKED));
	if (note != NULL && strcmp(note, "password_changed") == 0)
		html_notice(pg->h, i18n(pg->lang, MSG_NOTE_PASSWORD_UPDATED));
	if (note != NULL && strcmp(note, "totp_removed") == 0)
		html_notice(pg->h, i18n(pg->lang, MSG_NOTE_TOTP_REMOVED));
	facts(pg, v);
	html_raw(pg->h, "<div class=\"actions\">\n");
	action_form(pg, "/account/totp", MSG_BTN_ENABLE_TOTP, true);
	action_form(pg, "/account/lock", MSG_BTN_LOCK, false);
	action_form(pg, "/logout", MSG_BTN_SIGN_OUT, false);
	html_raw(pg->h, "</div>\n");
	if ((rc = devices_table(pg, c, v->acc.account_id)) != DB_OK)
		goto fail;
	if ((rc = history(pg, c, v->acc.account_id)) != DB_OK)
		goto fail;
	pages_security_render(pg, v->totp);
	rc = pages_data_render(pg, v->acc.account_id);
fail:
	db_release(pg->ctx->db, c);
	if (v != NULL)
		sodium_memzero(v, sizeof(*v));
	free(v);
	return rc;
}

static void
h_account(struct http_req *r, void *arg)
{
	struct page pg;
	struct session s;
	int rc;

	page_init(&pg, r, arg);
	if (need_session(&pg, &s) != 0)
		goto done;
	if ((rc = render_account(&pg, &s)) != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/");
		goto done;
	}
	page_send(&pg, 200);
done:
	page_fini(&pg);
}

/* A POST from a session: the form checked and the session in *s; 0 or 1. */
static int
session_post(struct page *pg, struct session *s)
{
	if (page_post(pg) != 0)
		return 1;
	return need_session(pg, s);
}

/* The code form of the enrolment, with an error when retried. */
static void
totp_form(struct page *pg, const char *error)
{
	html_form_begin(pg->h, "/account/totp/confirm", pg->csrf);
	page_input_code(pg, i18n(pg->lang, MSG_HINT_TOTP_CODE), error);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_CONFIRM), true);
	html_form_end(pg->h);
	html_raw(pg->h, "<p>");
	html_link(pg->h, "/account", i18n(pg->lang, MSG_BTN_BACK));
	html_raw(pg->h, "</p>\n");
}

static void
totp_page(struct page *pg, const char *b32, const char *uri)
{
	char *svg = qr_svg(uri, i18n(pg->lang, MSG_TITLE_TOTP));

	page_begin(pg, MSG_TITLE_TOTP, "/account");
	html_raw(pg->h, "<p>");
	html_text(pg->h, i18n(pg->lang, MSG_TOTP_SCAN));
	html_raw(pg->h, "</p>\n<figure class=\"qr\">\n");
	if (svg != NULL)
		html_raw(pg->h, svg);
	html_raw(pg->h, "\n<figcaption><code class=\"uri\">");
	html_text(pg->h, uri);
	html_raw(pg->h, "</code></figcaption>\n</figure>\n<p>");
	html_text(pg->h, i18n(pg->lang, MSG_TOTP_KEY));
	html_raw(pg->h, " <code class=\"secret\">");
	html_text(pg->h, b32);
	html_raw(pg->h, "</code></p>\n");
	totp_form(pg, NULL);
	free(svg);
}

/* A TOTP call on a connection of its own: begin (code NULL) or confirm. */
static int
totp_call(struct page *pg, const struct session *s, const char *code,
    char b32[TOTP_B32_SIZE], char uri[TOTP_URI_SIZE])
{
	struct db_conn *c = db_acquire(pg->ctx->db);
	struct account acc;
	char label[13];
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = accounts_get(c, s->account_id, &acc)) != DB_OK)
		goto fail;
	if (code == NULL) {
		/* What the authenticator app shows: enough to recognise, no more. */
		log_mask_id(acc.personal_id, label);
		rc = totp_begin(c, pg->ctx->seal, acc.account_id, "dinhdanh", label,
		    b32, uri);
	} else
		rc = totp_confirm(c, pg->ctx->seal, acc.account_id, code,
		    clock_now(pg->ctx->clock));
fail:
	db_release(pg->ctx->db, c);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

static void
h_totp(struct http_req *r, void *arg)
{
	char b32[TOTP_B32_SIZE], uri[TOTP_URI_SIZE];
	struct session s;
	struct page pg;
	int rc;

	page_init(&pg, r, arg);
	if (session_post(&pg, &s) != 0)
		goto done;
	if ((rc = totp_call(&pg, &s, NULL, b32, uri)) != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.totp_begin", "via", "page", NULL);
	totp_page(&pg, b32, uri);
	page_send(&pg, 200);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
done:
	page_fini(&pg);
}

static void
h_totp_confirm(struct http_req *r, void *arg)
{
	static const char *const names[] = { "code" };
	static const size_t max[] = { PF_CODE };
	struct page_err e = { 400, MSG_ERR_REQUIRED, 0 };
	const char *code;
	char text[512];
	struct session s;
	struct page pg;
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (session_post(&pg, &s) != 0)
		goto done;
	rc = page_fields(&pg, names, max, 1, &code, &bad);
	if (rc == 2)
		e.msg = MSG_ERR_CODE_WRONG;
	else if (rc == 0 && !page_limited(&pg, &e)) {
		if ((rc = totp_call(&pg, &s, code, NULL, NULL)) == DB_OK) {
			log_event(pg.ctx->log, LOG_INFO, "account.totp_enabled",
			    "via", "page", NULL);
			http_redirect(r, 303, "/account?note=totp");
			goto done;
		}
		e = page_error(rc, 0);
	}
	if (e.status >= 500) {
		page_fail(&pg, &e, "/account");
		goto done;
	}
	page_begin(&pg, MSG_TITLE_TOTP, "/account");
	html_error(pg.h, page_err_text(&pg, &e, text, sizeof(text)));
	totp_form(&pg, NULL);
	page_send(&pg, e.status);
done:
	page_fini(&pg);
}

static void
h_account_lock(struct http_req *r, void *arg)
{
	struct session s;
	struct page pg;
	int rc;

	page_init(&pg, r, arg);
	if (session_post(&pg, &s) != 0)
		goto done;
	rc = auth_lock_self(pg.ctx->auth, s.account_id, clock_now(pg.ctx->clock));
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.locked", "by", "session",
	    "via", "page", NULL);
	front_set_session(r, pg.ctx, NULL, 0);
	page_done(&pg, "locked");
done:
	page_fini(&pg);
}

/* Revokes one of the session's devices; it fails at its next request. */
static void
h_device_revoke(struct http_req *r, void *arg)
{
	static const char *const names[] = { "device_id" };
	static const size_t max[] = { DEV_ID_SIZE - 1 };
	struct page_err e = { 400, MSG_ERR_BAD_FORM, 0 };
	const char *id;
	struct db_conn *c;
	struct session s;
	struct page pg;
	size_t bad;
	int rc = DB_ERR;

	page_init(&pg, r, arg);
	if (session_post(&pg, &s) != 0)
		goto done;
	if (page_fields(&pg, names, max, 1, &id, &bad) != 0) {
		page_fail(&pg, &e, "/account");
		goto done;
	}
	if ((c = db_acquire(pg.ctx->db)) != NULL)
		rc = devices_revoke(c, pg.ctx->seal, s.account_id, id, clock_now(pg.ctx->clock));
	db_release(pg.ctx->db, c);
	if (rc != DB_OK) {
		e = rc == DEV_NOT_FOUND ? (struct page_err){ 404, MSG_ERR_NOT_FOUND, 0 } :
		    page_error(rc, 0);
		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "device.revoked", "by", "session",
	    "via", "page", NULL);
	http_redirect(r, 303, "/account?note=device_revoked");
done:
	page_fini(&pg);
}

static void
h_logout(struct http_req *r, void *arg)
{
	struct page pg;
	const char *token;
	int rc = DB_OK;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0)
		goto done;
	if ((token = http_cookie(r, front_session_cookie(pg.ctx))) != NULL)
		rc = auth_logout(pg.ctx->auth, token);
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/account");
		goto done;
	}
	front_set_session(r, pg.ctx, NULL, 0);
	/* Back to the service of an RP-initiated logout, else the notice. */
	pages_oidc_after_logout(&pg);
done:
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/account", h_account },
	{ "POST", "/account/totp", h_totp },
	{ "POST", "/account/totp/confirm", h_totp_confirm },
	{ "POST", "/account/lock", h_account_lock },
	{ "POST", "/account/devices/revoke", h_device_revoke },
	{ "POST", "/logout", h_logout },
};

const struct http_route *
pages_account_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
