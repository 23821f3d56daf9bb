/*
 * pages_oidc: the consent page, the login hand-over, the sign-out
 * confirmation and the OIDC error page.
 */
#include "pages_oidc.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "clients.h"
#include "front.h"
#include "oidc.h"
#include "oidc_authz.h"
#include "oidc_http.h"

#define LOGOUT_FIELD_MAX 8192	/* bytes of one logout parameter */
#define EXPIRED "the sign-in request has expired; start again from the service"

/* ---- the error page ---- */

static enum msg
error_msg(const char *error)
{
	if (error != NULL && strcmp(error, "invalid_client") == 0)
		return MSG_OIDC_ERR_CLIENT;
	if (error != NULL && strcmp(error, "invalid_request") == 0)
		return MSG_OIDC_ERR_REQUEST;
	return MSG_OIDC_ERR_OTHER;
}

/* The error page on a page already started (one CSRF cookie at most). */
static void
error_page(struct page *pg, unsigned status, const char *error,
    const char *description)
{
	log_event(pg->ctx->log, LOG_INFO, "oidc.error_page", "error",
	    error != NULL ? error : "", "path", http_path(pg->r), NULL);
	page_begin(pg, MSG_TITLE_OIDC_ERROR, NULL);
	html_error(pg->h, i18n(pg->lang, error_msg(error)));
	html_raw(pg->h, "<p class=\"tech\"><small>");
	html_text(pg->h, i18n(pg->lang, MSG_OIDC_ERR_DETAILS));
	html_raw(pg->h, " <code>");
	html_text(pg->h, error != NULL ? error : "server_error");
	html_raw(pg->h, "</code>");
	if (description != NULL && description[0] != '\0') {
		html_raw(pg->h, " \xe2\x80\x94 ");
		html_text(pg->h, description);
	}
	html_raw(pg->h, "</small></p>\n<p>");
	html_link(pg->h, "/", i18n(pg->lang, MSG_LINK_HOME));
	html_raw(pg->h, "</p>\n");
	page_send(pg, status);
}

void
pages_oidc_error(struct http_req *r, struct routes_ctx *ctx, unsigned status,
    const char *error, const char *description)
{
	struct page pg;

	page_init(&pg, r, ctx);
	error_page(&pg, status, error, description);
	page_fini(&pg);
}

/* ---- consent ---- */


/* True with a live session; false after a 303 to /login?req= or an error page. */
static bool
signed_in(struct page *pg, const char *req)
{
	struct session s;
	char loc[96];
	int rc = auth_session_get(pg->ctx->auth, front_session_token(pg->r,
	    pg->ctx), clock_now(pg->ctx->clock), &s);

	if (rc == DB_OK)
		return true;
	if (rc == SESS_NOT_FOUND) {
		snprintf(loc, sizeof(loc), "/login?req=%s", req);
		http_redirect(pg->r, 303, loc);
	} else {
		struct page_err e = page_error(rc, 0);

		page_fail(pg, &e, "/");
	}
	return false;
}

/* The parked request and its client: 0, or -1 after answering. */
static int
load_request(struct page *pg, const char *req, struct oidc_request *rq,
    struct client *cl)
{
	struct db_conn *c;
	int rc = oidc_request_get(pg->ctx->db, req, clock_now(pg->ctx->clock), rq);

	if (rc == OIDC_NOT_FOUND) {
		error_page(pg, 400, "invalid_request", EXPIRED);
		return -1;
	}
	if (rc == DB_OK) {
		rc = DB_ERR;
		if ((c = db_acquire(pg->ctx->db)) != NULL) {
			rc = clients_get(c, rq->client_id, cl);
			db_release(pg->ctx->db, c);
		}
		if (rc == CLIENT_NOT_FOUND) {
			error_page(pg, 400, "invalid_client",
			    "the client is no longer registered");
			return -1;
		}
	}
	if (rc != DB_OK) {
		struct page_err e = page_error(rc, 0);

		page_fail(pg, &e, "/");
		return -1;
	}
	return 0;
}

/* Which attributes go to which service, and the two decision buttons. */
static void
send_consent(struct page *pg, const struct oidc_request *rq,
    const struct client *cl)
{
	enum msg texts[8];
	size_t n;
	char path[96];

	snprintf(path, sizeof(path), "/consent?req=%s", rq->id);
	page_begin(pg, MSG_TITLE_CONSENT, path);
	page_intro(pg, MSG_INTRO_CONSENT);
	html_raw(pg->h, "<dl class=\"facts\">\n");
	html_fact(pg->h, i18n(pg->lang, MSG_CONSENT_SERVICE), cl->name);
	html_raw(pg->h, "</dl>\n<h2 id=\"receives\">");
	html_text(pg->h, i18n(pg->lang, MSG_CONSENT_RECEIVES));
	html_raw(pg->h, "</h2>\n<ul class=\"scopes\" aria-labelledby=\"receives\">\n");
	n = page_scope_texts(rq->scope, texts, ARRAY_LEN(texts));
	for (size_t i = 0; i < n; i++) {
		html_raw(pg->h, "<li>");
		html_text(pg->h, i18n(pg->lang, texts[i]));
		html_raw(pg->h, "</li>\n");
	}
	html_raw(pg->h, "</ul>\n");
	page_intro(pg, MSG_CONSENT_NOTE);
	html_form_begin(pg->h, "/consent", pg->csrf);
	html_hidden(pg->h, "req", rq->id);
	html_button(pg->h, "decision", "allow", i18n(pg->lang, MSG_BTN_ALLOW), true);
	html_button(pg->h, "decision", "deny", i18n(pg->lang, MSG_BTN_DENY), false);
	html_form_end(pg->h);
	page_send(pg, 200);
}

static void
h_consent(struct http_req *r, void *arg)
{
	struct oidc_request rq;
	struct client cl;
	struct page pg;
	const char *req;

	page_init(&pg, r, arg);
	if ((req = page_req(&pg)) == NULL) {
		error_page(&pg, 400, "invalid_request", "req is missing or malformed");
		goto done;
	}
	if (!signed_in(&pg, req) || load_request(&pg, req, &rq, &cl) != 0)
		goto done;
	log_event(pg.ctx->log, LOG_INFO, "oidc.consent_page", "client_id",
	    cl.client_id, "scope", rq.scope, NULL);
	send_consent(&pg, &rq, &cl);
done:
	page_fini(&pg);
}

static void
h_consent_post(struct http_req *r, void *arg)
{
	struct page pg;
	const char *req, *d;
	bool allow;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0)
		goto done;
	req = page_req(&pg);
	d = form_get(pg.form, "decision");
	allow = d != NULL && strcmp(d, "allow") == 0;
	if (req == NULL || d == NULL || (!allow && strcmp(d, "deny") != 0)) {
		page_fail(&pg, &(struct page_err){ 400, MSG_ERR_BAD_FORM, 0 }, "/");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "oidc.consent_decision", "decision",
	    allow ? "allow" : "deny", NULL);
	if (allow)
		oidc_authz_consented(r, pg.ctx, req);
	else
		oidc_authz_deny(r, pg.ctx, req);
done:
	page_fini(&pg);
}

/*
 * After the login page's code step: the new session cookie reaches the
 * server only with the browser's next request, so the parked request
 * continues here.
 */
static void
h_login_continue(struct http_req *r, void *arg)
{
	struct page pg;
	const char *req;

	page_init(&pg, r, arg);
	if ((req = page_req(&pg)) == NULL)
		error_page(&pg, 400, "invalid_request", "req is missing or malformed");
	else
		oidc_authz_continue(r, pg.ctx, req);
	page_fini(&pg);
}

/* ---- RP-initiated logout ---- */

/* Indexes into LOGOUT_FIELDS. */
enum { LO_HINT, LO_URI, LO_STATE, LO_CLIENT, LO_COUNT };
static const char *const LOGOUT_FIELDS[LO_COUNT] = { "id_token_hint",
    "post_logout_redirect_uri", "state", "client_id" };

/*
 * The logout parameters of the query (form NULL) or a form into v[] (NULL
 * when absent or empty): the number given, or -1 when one is too long.
 */
static int
logout_params(struct page *pg, const struct form *form, const char **v)
{
	int n = 0, rc = 0;

	for (size_t i = 0; i < LO_COUNT; i++) {
		v[i] = form != NULL ? form_get(form, LOGOUT_FIELDS[i]) :
		    http_query(pg->r, LOGOUT_FIELDS[i]);
		if (v[i] != NULL && v[i][0] == '\0')
			v[i] = NULL;
		if (v[i] != NULL && strlen(v[i]) > LOGOUT_FIELD_MAX)
			rc = -1;
		n += v[i] != NULL;
	}
	return rc != 0 ? rc : n;
}

/* The page's own path with its parameters (for the language switch). */
static void
logout_path(const char *const *v, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = (size_t)snprintf(out, outsz, "/logout");

	for (size_t i = 0; i < LO_COUNT; i++) {
		if (v[i] == NULL)
			continue;
		if (w + 48 >= outsz)
			break;
		w += (size_t)snprintf(out + w, outsz - w, "%s%s=",
		    w == 7 ? "?" : "&", LOGOUT_FIELDS[i]);
		for (const char *s = v[i]; *s != '\0' && w + 4 < outsz; s++) {
			unsigned char c = (unsigned char)*s;

			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
				out[w++] = (char)c;
			} else {
				out[w++] = '%';
				out[w++] = hex[c >> 4];
				out[w++] = hex[c & 15];
			}
		}
		out[w] = '\0';
	}
	if (w + 48 >= outsz)
		snprintf(out, outsz, "/logout");	/* too long to keep */
}

static void
h_logout_page(struct http_req *r, void *arg)
{
	const char *v[LO_COUNT];
	char target[8192], reason[160], path[1100];
	struct page pg;

	page_init(&pg, r, arg);
	reason[0] = '\0';
	if (logout_params(&pg, NULL, v) < 0) {
		error_page(&pg, 400, "invalid_request", "a parameter is too long");
		goto done;
	}
	if (oidc_http_logout_target(pg.ctx, v[LO_HINT], v[LO_CLIENT], v[LO_URI],
	    v[LO_STATE], target, sizeof(target), reason, sizeof(reason)) != 0) {
		error_page(&pg, 400, "invalid_request", reason);
		goto done;
	}
	logout_path(v, path, sizeof(path));
	log_event(pg.ctx->log, LOG_INFO, "oidc.logout_page", "return",
	    target[0] != '\0' ? "client" : "none", NULL);
	page_begin(&pg, MSG_TITLE_LOGOUT, path);
	page_intro(&pg, MSG_INTRO_LOGOUT);
	if (target[0] != '\0')
		page_intro(&pg, MSG_INTRO_LOGOUT_RETURN);
	html_form_begin(pg.h, "/logout", pg.csrf);
	for (size_t i = 0; i < LO_COUNT; i++)
		if (v[i] != NULL)
			html_hidden(pg.h, LOGOUT_FIELDS[i], v[i]);
	html_button(pg.h, NULL, NULL, i18n(pg.lang, MSG_BTN_SIGN_OUT), true);
	html_form_end(pg.h);
	page_links(&pg, (const char *const[]){ "/account" },
	    (const enum msg[]){ MSG_LINK_CANCEL }, 1);
	page_send(&pg, 200);
done:
	page_fini(&pg);
}

void
pages_oidc_after_logout(struct page *pg)
{
	const char *v[LO_COUNT];
	char target[8192], reason[160];

	if (logout_params(pg, pg->form, v) > 0 &&
	    oidc_http_logout_target(pg->ctx, v[LO_HINT], v[LO_CLIENT], v[LO_URI],
	    v[LO_STATE], target, sizeof(target), reason, sizeof(reason)) == 0 &&
	    target[0] != '\0') {
		log_event(pg->ctx->log, LOG_INFO, "oidc.logout", "return", "client",
		    NULL);
		http_redirect(pg->r, 303, target);
		return;
	}
	page_done(pg, "signed_out");
}

static const struct http_route ROUTES[] = {
	{ "GET", "/consent", h_consent },
	{ "POST", "/consent", h_consent_post },
	{ "GET", "/login/continue", h_login_continue },
	{ "GET", "/logout", h_logout_page },
};

const struct http_route *
pages_oidc_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
