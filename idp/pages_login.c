/*
 * pages_login: registration, sign-in, forgotten password, lock and unlock.
 */
#include "pages_login.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "front.h"
#include "pages_auth.h"
#include "pages_qr.h"
#include "password.h"

/* One flow: its first form and its code step. */
struct flow {
	const char *purpose;	/* auth purpose (registration for accounts) */
	const char *path;	/* the first form's page */
	const char *idname;	/* the hidden transaction field */
	enum msg title, code_title, intro, button;
	const char *done;	/* the notice after the code step */
};

static const struct flow LOGIN = { "login", "/login", "login_id",
    MSG_TITLE_LOGIN, MSG_TITLE_LOGIN_CODE, PAGE_NO_INTRO, MSG_BTN_SIGN_IN, NULL };
static const struct flow LOCK = { "lock", "/lock", "challenge_id",
    MSG_TITLE_LOCK, MSG_TITLE_LOGIN_CODE, MSG_INTRO_LOCK, MSG_BTN_LOCK, "locked" };
static const struct flow UNLOCK = { "unlock", "/unlock", "challenge_id",
    MSG_TITLE_UNLOCK, MSG_TITLE_LOGIN_CODE, MSG_INTRO_UNLOCK, MSG_BTN_UNLOCK,
    "unlocked" };
static const struct flow RESET = { "reset", "/forgot", "challenge_id",
    MSG_TITLE_FORGOT, MSG_TITLE_RESET, MSG_INTRO_FORGOT, MSG_BTN_CONTINUE,
    "password" };
static const struct flow REG = { "registration", "/register",
    "registration_id", MSG_TITLE_REGISTER, MSG_TITLE_REGISTER_CODE,
    MSG_INTRO_REGISTER, MSG_BTN_REGISTER, "created" };

/* What a code page shows besides its form. */
struct code_view {
	const char *id;
	const char *factor;		/* sms, totp, or NULL when unknown */
	const char *phone_masked;	/* for the SMS hint, or NULL */
	const char *notice, *error;
	const char *pw_error;		/* the reset page's password error */
};

/* ---- markup ---- */

/* Sends the first form of login, lock or unlock. */
static void
send_pw_form(struct page *pg, const struct flow *f, const char *pid,
    const char *error, unsigned status)
{
	static const char *const hrefs[] = { "/register", "/forgot", "/lock",
	    "/unlock" };
	static const enum msg texts[] = { MSG_LINK_REGISTER, MSG_LINK_FORGOT,
	    MSG_LINK_LOCK, MSG_LINK_UNLOCK };
	char action[32];

	snprintf(action, sizeof(action), "%s", f->path);
	page_begin(pg, f->title, f->path);
	page_intro(pg, f->intro);
	html_error(pg->h, error);
	if (f == &LOGIN)
		html_raw(pg->h, "<div class=\"login-methods\"><div>\n");
	html_form_begin(pg->h, action, pg->csrf);
	if (f == &LOGIN)
		page_hidden_req(pg);
	page_input_personal_id(pg, pid, NULL, true);
	page_input_password(pg, MSG_LABEL_PASSWORD, "current-password", NULL);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, f->button), true);
	html_form_end(pg->h);
	if (f == &LOGIN) {
		html_raw(pg->h, "</div>\n");
		pages_qr_panel(pg);	/* the device-key method beside it */
		html_raw(pg->h, "</div>\n");
	}
	page_links(pg, hrefs, texts, ARRAY_LEN(hrefs));
	page_send(pg, status);
}

/* Registration's first form; v[] as REG_NAMES, bad the erring field. */
static const char *const REG_NAMES[] = { "personal_id", "full_name",
    "birth_date", "phone", "password" };
static const size_t REG_MAX[] = { PF_ID, PF_NAME, PF_DATE, PF_PHONE,
    PF_PASSWORD };

static void
send_reg_form(struct page *pg, const char *const *v, size_t bad,
    const char *error, unsigned status)
{
	const char *e[5] = { NULL };
	struct html_input name = { .name = "full_name", .label = i18n(pg->lang,
	    MSG_LABEL_FULL_NAME), .hint = i18n(pg->lang, MSG_HINT_FULL_NAME),
	    .autocomplete = "name", .maxlength = 200, .required = true };
	struct html_input birth = { .name = "birth_date", .type = "date",
	    .label = i18n(pg->lang, MSG_LABEL_BIRTH_DATE),
	    .hint = i18n(pg->lang, MSG_HINT_BIRTH_DATE), .autocomplete = "bday",
	    .pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}", .maxlength = 10,
	    .required = true };

	if (bad < 5)
		e[bad] = error;
	name.value = v[1], name.error = e[1];
	birth.value = v[2], birth.error = e[2];
	page_begin(pg, MSG_TITLE_REGISTER, REG.path);
	page_intro(pg, REG.intro);
	html_error(pg->h, bad < 5 ? NULL : error);
	html_form_begin(pg->h, "/register", pg->csrf);
	page_input_personal_id(pg, v[0], e[0], bad >= 5);
	html_input(pg->h, &name);
	html_input(pg->h, &birth);
	page_input_phone(pg, v[3], e[3]);
	page_input_password(pg, MSG_LABEL_PASSWORD, "new-password", e[4]);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_REGISTER), true);
	html_form_end(pg->h);
	page_links(pg, (const char *const[]){ "/login" },
	    (const enum msg[]){ MSG_LINK_SIGN_IN }, 1);
	page_send(pg, status);
}

static void
send_forgot_form(struct page *pg, const char *pid, const char *phone,
    const char *error, const char *phone_error, unsigned status)
{
	page_begin(pg, MSG_TITLE_FORGOT, RESET.path);
	page_intro(pg, RESET.intro);
	html_error(pg->h, error);
	html_form_begin(pg->h, "/forgot", pg->csrf);
	page_input_personal_id(pg, pid, NULL, true);
	page_input_phone(pg, phone, phone_error);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_CONTINUE), true);
	html_form_end(pg->h);
	page_links(pg, (const char *const[]){ "/login" },
	    (const enum msg[]){ MSG_LINK_SIGN_IN }, 1);
	page_send(pg, status);
}

/* Sends the first form of flow f with an error and no values kept but pid. */
static void
send_start(struct page *pg, const struct flow *f, const char *pid,
    const char *error, unsigned status)
{
	const char *none[5] = { pid, NULL, NULL, NULL, NULL };

	if (f == &REG)
		send_reg_form(pg, none, 5, error, status);
	else if (f == &RESET)
		send_forgot_form(pg, pid, NULL, error, NULL, status);
	else
		send_pw_form(pg, f, pid, error, status);
}

static void
send_code_page(struct page *pg, const struct flow *f,
    const struct code_view *cv, unsigned status)
{
	char action[32], hint[256];
	bool sms = cv->factor == NULL || strcmp(cv->factor, "totp") != 0;

	if (!sms)
		snprintf(hint, sizeof(hint), "%s", i18n(pg->lang, MSG_HINT_TOTP_CODE));
	else if (cv->phone_masked != NULL && cv->phone_masked[0] != '\0')
		snprintf(hint, sizeof(hint), i18n(pg->lang, MSG_HINT_SMS_CODE),
		    cv->phone_masked);
	else
		snprintf(hint, sizeof(hint), "%s", i18n(pg->lang, MSG_HINT_CODE));
	page_begin(pg, f->code_title, f->path);
	html_notice(pg->h, cv->notice);
	html_error(pg->h, cv->error);
	snprintf(action, sizeof(action), "%s/code", f->path);
	html_form_begin(pg->h, action, pg->csrf);
	html_hidden(pg->h, f->idname, cv->id);
	if (f == &LOGIN)
		page_hidden_req(pg);
	page_input_code(pg, hint, NULL);
	if (f == &RESET)
		page_input_password(pg, MSG_LABEL_NEW_PASSWORD, "new-password",
		    cv->pw_error);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, f == &RESET ?
	    MSG_BTN_RESET : MSG_BTN_CONFIRM), true);
	html_form_end(pg->h);
	if (sms) {
		snprintf(action, sizeof(action), "%s/resend", f->path);
		html_form_begin(pg->h, action, pg->csrf);
		html_hidden(pg->h, f->idname, cv->id);
		if (f == &LOGIN)
			page_hidden_req(pg);
		html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_RESEND), false);
		html_form_end(pg->h);
	}
	page_send(pg, status);
}

/* ---- shared steps ---- */

/* Answers a refusal e on flow f's first form (or an error page for 5xx). */
static void
refuse_start(struct page *pg, const struct flow *f, const char *pid,
    const struct page_err *e)
{
	char text[512];

	if (e->status >= 500) {
		page_fail(pg, e, f->path);
		return;
	}
	if (e->wait > 0) {
		char v[24];

		snprintf(v, sizeof(v), "%lld", (long long)e->wait);
		http_add_header(pg->r, "Retry-After", v);
	}
	send_start(pg, f, pid, page_err_text(pg, e, text, sizeof(text)), e->status);
}

/* Answers the code step's error rc: the code page again, or the first form. */
static void
refuse_code(struct page *pg, const struct flow *f, const char *id, int rc,
    int64_t wait)
{
	struct page_err e = page_error(rc, wait);
	struct code_view cv = { .id = id };
	struct auth_step s;
	char text[512];
	bool again = rc == AUTH_BAD_CODE || rc == ACC_BAD_CODE ||
	    rc == AUTH_RESEND_WAIT || rc == ACC_RESEND_WAIT ||
	    rc == AUTH_RATE_LIMITED || rc == ACC_RATE_LIMITED;

	if (!again || e.status >= 500) {
		refuse_start(pg, f, NULL, &e);
		return;
	}
	if (f != &REG && auth_step_info(pg->ctx->auth, f->purpose, id,
	    clock_now(pg->ctx->clock), &s) == DB_OK) {
		cv.factor = s.factor;
		cv.phone_masked = s.phone_masked;
	}
	if (e.wait > 0) {
		snprintf(text, sizeof(text), "%lld", (long long)e.wait);
		http_add_header(pg->r, "Retry-After", text);
	}
	cv.error = page_err_text(pg, &e, text, sizeof(text));
	send_code_page(pg, f, &cv, e.status);
}

/* The message for an overlong field `name`. */
static enum msg
too_long_msg(const char *name)
{
	if (strcmp(name, "password") == 0)
		return MSG_ERR_PASSWORD_LONG;
	if (strcmp(name, "personal_id") == 0)
		return MSG_ERR_PERSONAL_ID;
	if (strcmp(name, "phone") == 0)
		return MSG_ERR_PHONE;
	if (strcmp(name, "code") == 0)
		return MSG_ERR_CODE_WRONG;
	return MSG_ERR_FLOW_EXPIRED;
}

/*
 * The POST's form and fields names[n] into v[]: 0, or -1 after answering
 * (a bad form, a missing or overlong field on the first form of f, or the
 * address over its budget when `limit`).
 */
static int
posted(struct page *pg, const struct flow *f, const char *const *names,
    const size_t *max, size_t n, const char **v, bool limit)
{
	struct page_err e = { 400, MSG_ERR_REQUIRED, 0 };
	size_t bad;
	int rc;

	if (page_post(pg) != 0)
		return -1;
	if ((rc = page_fields(pg, names, max, n, v, &bad)) != 0) {
		if (rc == 2)
			e.msg = too_long_msg(names[bad]);
		refuse_start(pg, f, NULL, &e);
		return -1;
	}
	if (limit && page_limited(pg, &e)) {
		refuse_start(pg, f, NULL, &e);
		return -1;
	}
	return 0;
}

/* ---- login, lock, unlock ---- */

static const char *const PW_NAMES[] = { "personal_id", "password" };
static const size_t PW_MAX[] = { PF_ID, PF_PASSWORD };

static void
pw_get(struct http_req *r, void *arg, const struct flow *f)
{
	struct page pg;

	page_init(&pg, r, arg);
	send_pw_form(&pg, f, NULL, NULL, 200);
	page_fini(&pg);
}

static void
password_done(struct http_req *r, void *arg, void *jobp)
{
	struct pwjob *job = jobp;
	const struct flow *f = pwjob_data(job);
	struct auth_verdict verdict = { pwjob_ok(job), pwjob_new_hash(job) };
	struct auth_meta meta;
	struct auth_step s;
	struct page pg;
	const char *v[2];
	char addr[64], masked[13];
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_reparse(&pg) != 0 || page_fields(&pg, PW_NAMES, PW_MAX, 2, v,
	    &bad) != 0) {
		page_fail(&pg, &(struct page_err){ 500, MSG_ERR_INTERNAL, 0 }, f->path);
		goto done;
	}
	front_meta(r, addr, &meta);
	rc = auth_password_step(pg.ctx->auth, f->purpose, v[0], &verdict, &meta,
	    clock_now(pg.ctx->clock), &s);
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, s.wait);

		log_mask_id(v[0], masked);
		log_event(pg.ctx->log, LOG_INFO, "auth.password_refused", "purpose",
		    f->purpose, "personal_id", masked, "addr", addr, "reason",
		    auth_strerror(rc), "via", "page", NULL);
		refuse_start(&pg, f, v[0], &e);
		goto done;
	}
	send_code_page(&pg, f, &(struct code_view){ .id = s.id,
	    .factor = s.factor, .phone_masked = s.phone_masked }, 200);
done:
	page_fini(&pg);
	pwjob_free(job);
}

static void
pw_post(struct http_req *r, void *arg, const struct flow *f)
{
	struct page pg;
	const char *v[2];
	char hash[crypto_pwhash_STRBYTES];
	struct pwjob *job;
	int rc;

	page_init(&pg, r, arg);
	hash[0] = '\0';
	if (posted(&pg, f, PW_NAMES, PW_MAX, 2, v, true) != 0)
		goto done;
	if ((rc = auth_password_target(pg.ctx->auth, v[0], hash)) != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, f->path);
		goto done;
	}
	if ((job = pwjob_verify(hash, v[1])) != NULL)
		pwjob_set_data(job, (void *)(uintptr_t)f, NULL);
	page_defer(&pg, job, password_done);
done:
	sodium_memzero(hash, sizeof(hash));
	page_fini(&pg);
}

/* The flow of the request: the one whose page prefixes its path. */
static const struct flow *
flow_of(struct http_req *r)
{
	static const struct flow *const all[] = { &LOGIN, &LOCK, &UNLOCK, &RESET,
	    &REG };
	const char *p = http_path(r);

	for (size_t i = 0; i < ARRAY_LEN(all); i++) {
		size_t n = strlen(all[i]->path);

		if (strncmp(p, all[i]->path, n) == 0 && (p[n] == '\0' || p[n] == '/'))
			return all[i];
	}
	return &LOGIN;
}

static void
h_pw_get(struct http_req *r, void *arg)
{
	pw_get(r, arg, flow_of(r));
}

static void
h_pw_post(struct http_req *r, void *arg)
{
	pw_post(r, arg, flow_of(r));
}

static const size_t CODE_MAX[] = { PF_ID, PF_CODE, PF_PASSWORD };

static void
h_login_code(struct http_req *r, void *arg)
{
	static const char *const names[] = { "login_id", "code" };
	struct auth_session s;
	struct auth_meta meta;
	struct page pg;
	const char *v[2];
	char addr[64], next[96];
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, &LOGIN, names, CODE_MAX, 2, v, true) != 0)
		goto done;
	front_meta(r, addr, &meta);
	rc = auth_login_finish(pg.ctx->auth, v[0], v[1], &meta,
	    clock_now(pg.ctx->clock), &s);
	if (rc != DB_OK) {
		refuse_code(&pg, &LOGIN, v[0], rc, 0);
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "auth.login", "amr", s.amr, "addr", addr,
	    "via", "page", NULL);
	front_set_session(r, pg.ctx, s.token,
	    (long)auth_limits(pg.ctx->auth)->absolute);
	sodium_memzero(&s, sizeof(s));
	/* Back to a parked OIDC request, once the browser holds the cookie. */
	snprintf(next, sizeof(next), "/login/continue?req=%s",
	    page_req(&pg) != NULL ? page_req(&pg) : "");
	http_redirect(r, 303, page_req(&pg) != NULL ? next : "/account");
done:
	page_fini(&pg);
}

/* The code step of lock or unlock. */
static void
action_code(struct http_req *r, void *arg, const struct flow *f)
{
	static const char *const names[] = { "challenge_id", "code" };
	struct page pg;
	const char *v[2];
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, f, names, CODE_MAX, 2, v, true) != 0)
		goto done;
	rc = auth_action_finish(pg.ctx->auth, f->purpose, v[0], v[1],
	    clock_now(pg.ctx->clock));
	if (rc != DB_OK) {
		refuse_code(&pg, f, v[0], rc, 0);
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, f == &LOCK ? "account.locked" :
	    "account.unlocked", "by", "sms", "via", "page", NULL);
	page_done(&pg, f->done);
done:
	page_fini(&pg);
}

static void
h_action_code(struct http_req *r, void *arg)
{
	action_code(r, arg, flow_of(r));
}

/* A new SMS code for flow f's transaction. */
static void
resend(struct http_req *r, void *arg, const struct flow *f)
{
	const char *names[] = { f->idname };
	struct code_view cv = { 0 };
	struct auth_step s;
	struct page pg;
	int64_t now, wait = 0;
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, f, names, CODE_MAX, 1, &cv.id, true) != 0)
		goto done;
	now = clock_now(pg.ctx->clock);
	if (f == &REG)
		rc = accounts_register_resend(pg.ctx->db, pg.ctx->seal, cv.id, now,
		    &wait);
	else
		rc = auth_resend(pg.ctx->auth, f->purpose, cv.id, now, &wait);
	if (rc != DB_OK) {
		refuse_code(&pg, f, cv.id, rc, wait);
		goto done;
	}
	if (f != &REG && auth_step_info(pg.ctx->auth, f->purpose, cv.id, now,
	    &s) == DB_OK)
		cv.phone_masked = s.phone_masked;
	cv.notice = i18n(pg.lang, MSG_NOTE_CODE_SENT);
	send_code_page(&pg, f, &cv, 200);
done:
	page_fini(&pg);
}

static void
h_resend(struct http_req *r, void *arg)
{
	resend(r, arg, flow_of(r));
}

/* ---- registration ---- */

/* The message of a password refused by the policy. */
static enum msg
password_msg(const char *const *v)
{
	switch (password_check(v[4], v[0], v[2], v[1], NULL, 0)) {
	case PW_TOO_LONG:
		return MSG_ERR_PASSWORD_LONG;
	case PW_COMMON:
		return MSG_ERR_PASSWORD_COMMON;
	case PW_PERSONAL:
		return MSG_ERR_PASSWORD_PERSONAL;
	default:
		return MSG_ERR_PASSWORD_SHORT;
	}
}

/* The erring field (index into REG_NAMES) and message of an input refusal. */
static size_t
reg_refusal(int rc, const char *why, const char *const *v, enum msg *m)
{
	if (rc == ACC_BAD_PHONE) {
		*m = MSG_ERR_PHONE;
		return 3;
	}
	if (rc == ACC_WEAK_PASSWORD) {
		*m = password_msg(v);
		return 4;
	}
	if (strncmp(why, "birth_date", 10) == 0) {
		*m = MSG_ERR_BIRTH_DATE;
		return 2;
	}
	if (strncmp(why, "full_name", 9) == 0) {
		*m = MSG_ERR_FULL_NAME;
		return 1;
	}
	*m = MSG_ERR_PERSONAL_ID;
	return 0;
}

/* Answers registration's first form refused with rc; v[] as REG_NAMES. */
static void
refuse_reg(struct page *pg, const char *const *v, int rc, const char *why)
{
	struct page_err e;
	char text[512];
	size_t bad;

	if (rc == ACC_INVALID || rc == ACC_BAD_PHONE || rc == ACC_WEAK_PASSWORD) {
		bad = reg_refusal(rc, why, v, &e.msg);
		e.status = 400;
		e.wait = 0;
	} else {
		e = page_error(rc, 0);
		bad = 5;
		if (e.status >= 500) {
			page_fail(pg, &e, REG.path);
			return;
		}
	}
	send_reg_form(pg, v, bad, page_err_text(pg, &e, text, sizeof(text)),
	    e.status);
}

static struct accounts_reg_input
reg_input(const char *const *v)
{
	return (struct accounts_reg_input){ v[0], v[1], v[2], v[3], v[4], NULL };
}

static void
h_register(struct http_req *r, void *arg)
{
	const char *none[5] = { NULL };
	struct page pg;

	page_init(&pg, r, arg);
	send_reg_form(&pg, none, 5, NULL, 200);
	page_fini(&pg);
}

static void
register_done(struct http_req *r, void *arg, void *jobp)
{
	struct pwjob *job = jobp;
	struct accounts_reg_input in;
	const char *v[5];
	char reg[ACC_ID_SIZE], why[200];
	struct page pg;
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_reparse(&pg) != 0 || page_fields(&pg, REG_NAMES, REG_MAX, 5, v,
	    &bad) != 0 || pwjob_new_hash(job) == NULL) {
		page_fail(&pg, &(struct page_err){ 500, MSG_ERR_INTERNAL, 0 }, REG.path);
		goto done;
	}
	in = reg_input(v);
	in.password_hash = pwjob_new_hash(job);
	rc = accounts_register_start(pg.ctx->db, pg.ctx->seal, &in,
	    clock_now(pg.ctx->clock), reg, why, sizeof(why));
	if (rc != ACC_OK) {
		refuse_reg(&pg, v, rc, why);
		goto done;
	}
	/* The same page whether or not the details matched the registry. */
	send_code_page(&pg, &REG, &(struct code_view){ .id = reg,
	    .notice = i18n(pg.lang, MSG_NOTE_CODE_SENT) }, 200);
done:
	page_fini(&pg);
	pwjob_free(job);
}

static void
h_register_post(struct http_req *r, void *arg)
{
	struct accounts_reg_input in;
	struct page_err e = { 400, MSG_ERR_REQUIRED, 0 };
	const char *v[5];
	char why[200], text[512];
	struct page pg;
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0)
		goto done;
	if ((rc = page_fields(&pg, REG_NAMES, REG_MAX, 5, v, &bad)) != 0) {
		if (rc == 2)
			(void)reg_refusal(bad == 3 ? ACC_BAD_PHONE : bad == 4 ?
			    ACC_WEAK_PASSWORD : ACC_INVALID, REG_NAMES[bad], v, &e.msg);
		send_reg_form(&pg, v, bad, page_err_text(&pg, &e, text,
		    sizeof(text)), 400);
		goto done;
	}
	if (page_limited(&pg, &e)) {
		refuse_start(&pg, &REG, NULL, &e);
		goto done;
	}
	in = reg_input(v);
	if ((rc = accounts_register_check(&in, why, sizeof(why))) != ACC_OK) {
		refuse_reg(&pg, v, rc, why);
		goto done;
	}
	page_defer(&pg, pwjob_hash(in.password), register_done);
done:
	page_fini(&pg);
}

static void
h_register_code(struct http_req *r, void *arg)
{
	static const char *const names[] = { "registration_id", "code" };
	struct page pg;
	const char *v[2];
	char acc[ACC_ID_SIZE];
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, &REG, names, CODE_MAX, 2, v, true) != 0)
		goto done;
	rc = accounts_register_confirm(pg.ctx->db, pg.ctx->seal, v[0], v[1],
	    clock_now(pg.ctx->clock), acc);
	if (rc != ACC_OK) {
		refuse_code(&pg, &REG, v[0], rc, 0);
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.created", "account_level", "1",
	    "via", "page", NULL);
	page_done(&pg, REG.done);
done:
	page_fini(&pg);
}

/* ---- forgotten password ---- */

static void
h_forgot(struct http_req *r, void *arg)
{
	struct page pg;

	page_init(&pg, r, arg);
	send_forgot_form(&pg, NULL, NULL, NULL, NULL, 200);
	page_fini(&pg);
}

static void
h_forgot_post(struct http_req *r, void *arg)
{
	static const char *const names[] = { "personal_id", "phone" };
	static const size_t max[] = { PF_ID, PF_PHONE };
	struct page pg;
	const char *v[2];
	char id[CH_ID_SIZE];
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, &RESET, names, max, 2, v, true) != 0)
		goto done;
	rc = auth_reset_start(pg.ctx->auth, v[0], v[1], clock_now(pg.ctx->clock),
	    id);
	if (rc == ACC_BAD_PHONE)
		send_forgot_form(&pg, v[0], v[1], NULL, i18n(pg.lang, MSG_ERR_PHONE),
		    400);
	else if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		refuse_start(&pg, &RESET, v[0], &e);
	} else
		send_code_page(&pg, &RESET, &(struct code_view){ .id = id,
		    .notice = i18n(pg.lang, MSG_NOTE_CODE_SENT) }, 200);
done:
	page_fini(&pg);
}

static const char *const RESET_NAMES[] = { "challenge_id", "code", "password" };

static void
reset_done(struct http_req *r, void *arg, void *jobp)
{
	struct pwjob *job = jobp;
	struct page pg;
	const char *v[3];
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_reparse(&pg) != 0 || page_fields(&pg, RESET_NAMES, CODE_MAX, 3,
	    v, &bad) != 0 || pwjob_new_hash(job) == NULL) {
		page_fail(&pg, &(struct page_err){ 500, MSG_ERR_INTERNAL, 0 },
		    RESET.path);
		goto done;
	}
	rc = auth_reset_finish(pg.ctx->auth, v[0], v[1], v[2], pwjob_new_hash(job),
	    clock_now(pg.ctx->clock));
	if (rc == AUTH_WEAK_PASSWORD) {
		send_code_page(&pg, &RESET, &(struct code_view){ .id = v[0],
		    .pw_error = i18n(pg.lang, MSG_ERR_PASSWORD_PERSONAL) }, 400);
		goto done;
	}
	if (rc != DB_OK) {
		refuse_code(&pg, &RESET, v[0], rc, 0);
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.password_reset", "via", "page",
	    NULL);
	page_done(&pg, RESET.done);
done:
	page_fini(&pg);
	pwjob_free(job);
}

static void
h_forgot_code(struct http_req *r, void *arg)
{
	struct page pg;
	const char *v[3];
	char why[200];
	int rc;

	page_init(&pg, r, arg);
	if (posted(&pg, &RESET, RESET_NAMES, CODE_MAX, 3, v, true) != 0)
		goto done;
	/* The rules that need no account; the personal ones follow the code. */
	rc = password_check(v[2], NULL, NULL, NULL, why, sizeof(why));
	if (rc != PW_OK) {
		const char *pv[5] = { NULL, NULL, NULL, NULL, v[2] };

		send_code_page(&pg, &RESET, &(struct code_view){ .id = v[0],
		    .pw_error = i18n(pg.lang, rc == PW_PERSONAL ?
		    MSG_ERR_PASSWORD_PERSONAL : password_msg(pv)) }, 400);
		goto done;
	}
	page_defer(&pg, pwjob_hash(v[2]), reset_done);
done:
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/register", h_register },
	{ "POST", "/register", h_register_post },
	{ "POST", "/register/code", h_register_code },
	{ "POST", "/register/resend", h_resend },
	{ "GET", "/login", h_pw_get },
	{ "POST", "/login", h_pw_post },
	{ "POST", "/login/code", h_login_code },
	{ "POST", "/login/resend", h_resend },
	{ "GET", "/forgot", h_forgot },
	{ "POST", "/forgot", h_forgot_post },
	{ "POST", "/forgot/code", h_forgot_code },
	{ "POST", "/forgot/resend", h_resend },
	{ "GET", "/lock", h_pw_get },
	{ "POST", "/lock", h_pw_post },
	{ "POST", "/lock/code", h_action_code },
	{ "POST", "/lock/resend", h_resend },
	{ "GET", "/unlock", h_pw_get },
	{ "POST", "/unlock", h_pw_post },
	{ "POST", "/unlock/code", h_action_code },
	{ "POST", "/unlock/resend", h_resend },
};

const struct http_route *
pages_login_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
