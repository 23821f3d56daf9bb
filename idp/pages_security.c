/*
 * pages_security: changing the password after a recent sign-in, and the
 * export of everything kept about the citizen.
 */
#include "pages_security.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "auth.h"
#include "consent.h"
#include "devices.h"
#include "disclosures.h"
#include "enroll.h"
#include "front.h"
#include "password.h"
#include "pwjob.h"
#include "registry.h"
#include "signins.h"
#include "totp.h"

#define EXPORT_ROWS 10000

static const char *const PW_NAMES[] = { "password" };
static const size_t PW_MAX[] = { PF_PASSWORD };

void
pages_security_render(struct page *pg, bool totp)
{
	html_raw(pg->h, "<h2 id=\"security\">");
	html_text(pg->h, i18n(pg->lang, MSG_SEC_HEADING));
	html_raw(pg->h, "</h2>\n<p>");
	html_text(pg->h, i18n(pg->lang, MSG_SEC_REAUTH_HINT));
	html_raw(pg->h, "</p>\n");
	html_form_begin(pg->h, "/account/password", pg->csrf);
	page_input_password(pg, MSG_SEC_NEW_PASSWORD, "new-password", NULL);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_CHANGE_PASSWORD), false);
	html_form_end(pg->h);
	if (totp) {
		html_form_begin(pg->h, "/account/totp/remove", pg->csrf);
		html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_REMOVE_TOTP),
		    false);
		html_form_end(pg->h);
	}
	html_raw(pg->h, "<h2 id=\"your-data\">");
	html_text(pg->h, i18n(pg->lang, MSG_DATA_EXPORT));
	html_raw(pg->h, "</h2>\n<p>");
	html_text(pg->h, i18n(pg->lang, MSG_DATA_EXPORT_HINT));
	html_raw(pg->h, "</p>\n<p>");
	html_link(pg->h, "/account/export", i18n(pg->lang, MSG_BTN_EXPORT));
	html_raw(pg->h, "</p>\n");
}

/*
 * The live session into *s: 0; 1 after answering (303 to /login when there
 * is none or, with `fresh`, when its sign-in is older than REAUTH_WINDOW).
 */
static int
session_of(struct page *pg, struct session *s, bool fresh)
{
	int64_t now = clock_now(pg->ctx->clock);
	int rc = auth_session_get(pg->ctx->auth, front_session_token(pg->r,
	    pg->ctx), now, s);

	if (rc == SESS_NOT_FOUND || (rc == DB_OK && fresh &&
	    now - s->auth_time > REAUTH_WINDOW)) {
		http_redirect(pg->r, 303, "/login");
		return 1;
	}
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(pg, &e, "/account");
		return 1;
	}
	return 0;
}

static enum msg
password_msg(int why)
{
	switch (why) {
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

/* Checks the new password against the policy; 0, or 1 after answering. */
static int
policy(struct page *pg, const char *account_id, const char *pw)
{
	struct db_conn *c = db_acquire(pg->ctx->db);
	struct account acc;
	struct person p;
	struct page_err e;
	int rc = DB_ERR, why = PW_ERROR;

	if (c != NULL && (rc = accounts_get(c, account_id, &acc)) == DB_OK &&
	    (rc = registry_get(c, acc.personal_id, &p)) == DB_OK)
		why = password_check(pw, p.personal_id, p.birth_date, p.full_name,
		    NULL, 0);
	if (c != NULL)
		db_release(pg->ctx->db, c);
	sodium_memzero(&acc, sizeof(acc));
	sodium_memzero(&p, sizeof(p));
	if (rc == DB_OK && why == PW_OK)
		return 0;
	e = rc != DB_OK ? page_error(rc, 0) : why == PW_ERROR ?
	    (struct page_err){ 500, MSG_ERR_INTERNAL, 0 } :
	    (struct page_err){ 400, password_msg(why), 0 };
	page_fail(pg, &e, "/account");
	return 1;
}

/* Stores the new hash, audited, in one transaction. */
static int
store_password(struct page *pg, const char *account_id, const char *hash)
{
	int64_t now = clock_now(pg->ctx->clock);
	struct db_conn *c = db_acquire(pg->ctx->db);
	struct account acc;
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) == DB_OK) {
		if ((rc = accounts_get(c, account_id, &acc)) == DB_OK &&
		    (rc = accounts_set_password(c, account_id, hash, now)) == DB_OK)
			rc = audit_append(c, pg->ctx->seal, "password_changed",
			    "citizen", acc.personal_id, NULL, now);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(pg->ctx->db, c);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

static void
password_done(struct http_req *r, void *arg, void *jobp)
{
	struct pwjob *job = jobp;
	struct session s;
	struct page pg;
	int rc;

	page_init(&pg, r, arg);
	if (session_of(&pg, &s, true) != 0)
		goto done;
	if (page_reparse(&pg) != 0 || pwjob_new_hash(job) == NULL) {
		page_fail(&pg, &(struct page_err){ 500, MSG_ERR_INTERNAL, 0 }, "/account");
		goto done;
	}
	if ((rc = store_password(&pg, s.account_id, pwjob_new_hash(job))) != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.password_changed", "via", "page",
	    NULL);
	http_redirect(r, 303, "/account?note=password_changed");
done:
	page_fini(&pg);
	pwjob_free(job);
}

static void
h_password(struct http_req *r, void *arg)
{
	struct session s;
	struct page pg;
	const char *pw;
	size_t bad;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0 || session_of(&pg, &s, true) != 0)
		goto done;
	if (page_fields(&pg, PW_NAMES, PW_MAX, 1, &pw, &bad) != 0) {
		page_fail(&pg, &(struct page_err){ 400, MSG_ERR_BAD_FORM, 0 }, "/account");
		goto done;
	}
	if (policy(&pg, s.account_id, pw) != 0)
		goto done;
	page_defer(&pg, pwjob_hash(pw), password_done);
done:
	page_fini(&pg);
}

static int
add_consent(const struct consent *k, void *arg)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:I}",
	    "client_id", k->client_id, "scope", k->scope,
	    "granted_at", (json_int_t)k->granted_at)) != 0;
}

static int
add_disclosure(const struct disclosure *d, void *arg)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}",
	    "client_id", d->client_id, "client_name", d->client_name,
	    "attributes", d->attributes, "at", (json_int_t)d->at,
	    "channel", d->channel, "purpose", d->purpose)) != 0;
}

static void
add_device(const struct device_row *row, void *arg)
{
	(void)json_array_append_new(arg, json_pack("{s:s, s:s, s:I, s:I, s:I}",
	    "device_id", row->d.device_id, "name", row->d.name,
	    "created_at", (json_int_t)row->d.created_at,
	    "last_used_at", (json_int_t)row->d.last_used_at,
	    "revoked_at", (json_int_t)row->revoked_at));
}

static void
add_signin(const struct signin *si, void *arg)
{
	(void)json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s}",
	    "at", (json_int_t)si->at, "outcome", si->outcome, "method", si->method,
	    "addr", si->addr, "user_agent", si->user_agent));
}

static json_t *
person_json(const struct person *p, const struct account *acc, bool totp,
    int64_t enrolled_at)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, "
	    "s:{s:i, s:s, s:I, s:s, s:I, s:s}}",
	    "personal_data", "personal_id", p->personal_id, "full_name",
	    p->full_name, "birth_date", p->birth_date, "sex", p->sex,
	    "nationality", p->nationality, "place_of_origin", p->place_of_origin,
	    "residence", p->residence, "phone", acc->phone,
	    "account", "level", acc->level, "level_reached_by", acc->level >= 2 ?
	    "enrolled_at_desk" : "registered_online", "enrolled_at",
	    (json_int_t)enrolled_at, "status", acc->status,
	    "created_at", (json_int_t)acc->created_at,
	    "second_step", totp ? "totp" : "sms");
}

/* Everything about account_id read on c into *out: a DB_ code. */
static int
export_json(struct db_conn *c, const char *account_id,
    json_t **out)
{
	struct { struct account acc; struct person p; } *v = calloc(1, sizeof(*v));
	json_t *arr[4] = { json_array(), NULL, json_array(), json_array() };
	int64_t enrolled_at = 0;
	bool totp = false;
	int rc = DB_ERR;

	*out = NULL;
	if (v != NULL && arr[0] != NULL && arr[2] != NULL && arr[3] != NULL &&
	    (rc = accounts_get(c, account_id, &v->acc)) == DB_OK &&
	    (rc = registry_get(c, v->acc.personal_id, &v->p)) == DB_OK &&
	    (rc = totp_enabled(c, account_id, &totp)) == DB_OK &&
	    (rc = enroll_enrolled_at(c, account_id, &enrolled_at)) == DB_OK &&
	    (rc = devices_foreach(c, account_id, true, add_device, arr[0])) == DB_OK &&
	    (rc = disclosures_foreach_conn(c, account_id, NULL, 0, EXPORT_ROWS,
	    add_disclosure, arr[2])) == DB_OK &&
	    (rc = signins_foreach(c, account_id, EXPORT_ROWS, add_signin,
	    arr[3])) == DB_OK &&
	    (*out = person_json(&v->p, &v->acc, totp, enrolled_at)) != NULL) {
		json_object_set(*out, "devices", arr[0]);
		json_object_set(*out, "disclosures", arr[2]);
		json_object_set(*out, "signins", arr[3]);
	}
	if (rc == DB_OK && *out == NULL)
		rc = DB_ERR;
	for (int i = 0; i < 4; i++)
		json_decref(arr[i]);
	if (v != NULL)
		sodium_memzero(v, sizeof(*v));
	free(v);
	return rc;
}

static void
h_export(struct http_req *r, void *arg)
{
	struct session s;
	struct db_conn *c;
	struct page pg;
	json_t *j = NULL;
	int rc = DB_ERR;

	page_init(&pg, r, arg);
	if (session_of(&pg, &s, false) != 0)
		goto done;
	if ((c = db_acquire(pg.ctx->db)) != NULL) {
		rc = export_json(c, s.account_id, &j);
		db_release(pg.ctx->db, c);
	}
	/* consents on their own connection, once this one is back */
	if (rc == DB_OK) {
		json_t *k = json_array();

		rc = k == NULL ? DB_ERR : consent_foreach(pg.ctx->db, s.account_id,
		    add_consent, k);
		if (json_object_set_new(j, "consents", k) != 0 && rc == DB_OK)
			rc = DB_ERR;
	}
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		json_decref(j);
		page_fail(&pg, &e, "/account");
		goto done;
	}
	http_add_header(r, "Content-Disposition",
	    "attachment; filename=\"dinhdanh-my-data.json\"");
	http_add_header(r, "Cache-Control", "no-store");
	http_respond_json(r, 200, j);
	log_event(pg.ctx->log, LOG_INFO, "account.exported", "via", "page", NULL);
done:
	page_fini(&pg);
}

/* Removes the authenticator app: a fresh sign-in, like a password change. */
static void
h_totp_remove(struct http_req *r, void *arg)
{
	struct session s;
	struct page pg;
	struct db_conn *c;
	int rc = DB_ERR;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0 || session_of(&pg, &s, true) != 0)
		goto done;
	if ((c = db_acquire(pg.ctx->db)) != NULL) {
		rc = totp_remove(c, pg.ctx->seal, s.account_id, clock_now(pg.ctx->clock));
		db_release(pg.ctx->db, c);
	}
	if (rc != DB_OK && rc != TOTP_NONE) {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "account.totp_removed", "via", "page", NULL);
	http_redirect(r, 303, rc == DB_OK ? "/account?note=totp_removed" : "/account");
done:
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "POST", "/account/password", h_password },
	{ "POST", "/account/totp/remove", h_totp_remove },
	{ "GET", "/account/export", h_export },
};

const struct http_route *
pages_security_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
