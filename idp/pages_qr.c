/*
 * pages_qr: the login page's QR panel, its status URL and its finish form.
 */
#include "pages_qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front.h"
#include "oidc.h"
#include "qr.h"
#include "qrlogin.h"

static const char *
cookie_name(const struct routes_ctx *ctx)
{
	return ctx->secure ? PAGES_QR_COOKIE_SECURE : PAGES_QR_COOKIE;
}

/* The browser's secret (a new one set on the response when it has none). */
static void
browser_secret(struct page *pg, char out[QRL_SECRET_SIZE])
{
	const char *have = http_cookie(pg->r, cookie_name(pg->ctx));

	if (qrlogin_secret_ok(have)) {
		snprintf(out, QRL_SECRET_SIZE, "%s", have);
		return;
	}
	qrlogin_new_secret(out);
	if (out[0] != '\0')
		http_set_cookie(pg->r, cookie_name(pg->ctx), out, -1, pg->ctx->secure);
}

/*
 * The transaction to show into id: the query's while this browser's and
 * pending, else a new one for the page's request. 0 or -1.
 */
static int
transaction(struct page *pg, const char *secret, char id[QRL_ID_SIZE])
{
	const char *want = http_query(pg->r, "tx"), *req = page_req(pg);
	struct oidc_request rq;
	enum qrlogin_state st;
	struct db_conn *c;
	int64_t now = clock_now(pg->ctx->clock);
	int rc;

	if ((c = db_acquire(pg->ctx->db)) == NULL)
		return -1;
	if (want != NULL && qrlogin_state(c, want, secret, now, &st) == DB_OK &&
	    st == QRL_ST_PENDING) {
		db_release(pg->ctx->db, c);
		snprintf(id, QRL_ID_SIZE, "%s", want);
		return 0;
	}
	if (req != NULL && oidc_request_get(pg->ctx->db, req, now, &rq) != DB_OK)
		req = NULL;
	rc = qrlogin_create(c, secret, req != NULL ? rq.client_id : NULL, req,
	    now, id);
	db_release(pg->ctx->db, c);
	if (rc != DB_OK)
		log_event(pg->ctx->log, LOG_ERROR, "qrlogin.create_failed", "error",
		    qrlogin_strerror(rc), NULL);
	return rc == DB_OK ? 0 : -1;
}

/* A message paragraph, hidden until the script (or the query) shows it. */
static void
message(struct page *pg, const char *id, const char *cls, enum msg m,
    bool shown, const char *again)
{
	html_printf(pg->h, "<p class=\"%s\" id=\"%s\" role=\"status\"%s>", cls, id,
	    shown ? "" : " hidden");
	html_text(pg->h, i18n(pg->lang, m));
	if (again != NULL) {
		html_raw(pg->h, " ");
		html_link(pg->h, again, i18n(pg->lang, MSG_QR_NEW));
	}
	html_raw(pg->h, "</p>\n");
}

/* The finish form: csrf, tx, req and the fallback button. */
static void
finish_form(struct page *pg, const char *id)
{
	html_raw(pg->h, "<form method=\"post\" action=\"/login/qr/finish\" "
	    "id=\"qr-finish\">\n");
	html_hidden(pg->h, "csrf", pg->csrf);
	html_hidden(pg->h, "tx", id);
	page_hidden_req(pg);
	html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_QR_BTN_DONE), false);
	html_raw(pg->h, "</form>\n");
}

/* The panel's markup for transaction id and its uri. */
static void
panel(struct page *pg, const char *id, const char *uri, const char *svg)
{
	const char *qr = http_query(pg->r, "qr");
	char again[96];

	snprintf(again, sizeof(again), "/login%s%s", page_req(pg) != NULL ?
	    "?req=" : "", page_req(pg) != NULL ? page_req(pg) : "");
	html_raw(pg->h, "<section class=\"qr-login\" id=\"qr-login\" "
	    "data-status=\"/login/qr/status?tx=");
	html_urlencode(pg->h, id);
	html_raw(pg->h, "\">\n<h2>");
	html_text(pg->h, i18n(pg->lang, MSG_QR_TITLE));
	html_raw(pg->h, "</h2>\n");
	message(pg, "qr-denied", "error", MSG_QR_DENIED,
	    qr != NULL && strcmp(qr, "denied") == 0, NULL);
	message(pg, "qr-expired", "error", MSG_QR_EXPIRED,
	    qr != NULL && strcmp(qr, "expired") == 0, again);
	message(pg, "qr-pending", "notice", MSG_QR_PENDING,
	    qr != NULL && strcmp(qr, "pending") == 0, NULL);
	html_raw(pg->h, "<div class=\"qr-body\">\n<p>");
	html_text(pg->h, i18n(pg->lang, MSG_QR_INTRO));
	html_raw(pg->h, "</p>\n<div class=\"qr-code\">");
	html_raw(pg->h, svg);
	html_raw(pg->h, "</div>\n<p class=\"app-link\">");
	html_link(pg->h, uri, i18n(pg->lang, MSG_QR_OPEN_APP));
	html_raw(pg->h, "</p>\n");
	finish_form(pg, id);
	html_raw(pg->h, "</div>\n<script src=\"/static/qrlogin.js\" defer>"
	    "</script>\n</section>\n");
}

void
pages_qr_panel(struct page *pg)
{
	char secret[QRL_SECRET_SIZE], id[QRL_ID_SIZE], uri[QRL_URI_MAX];
	char *svg = NULL;

	browser_secret(pg, secret);
	if (secret[0] == '\0' || transaction(pg, secret, id) != 0)
		goto done;
	if (qrlogin_uri(pg->ctx->issuer, id, uri, sizeof(uri)) != 0 ||
	    (svg = qr_svg(uri, i18n(pg->lang, MSG_QR_LABEL))) == NULL)
		goto done;
	panel(pg, id, uri, svg);
done:
	free(svg);
	sodium_memzero(secret, sizeof(secret));
}

/* ---- the status URL and the finish form ---- */

static void
h_status(struct http_req *r, void *arg)
{
	static const char *const names[] = { "pending", "approved", "denied",
	    "expired" };
	struct routes_ctx *ctx = arg;
	enum qrlogin_state st;
	struct db_conn *c;
	int rc = DB_ERR;

	if ((c = db_acquire(ctx->db)) != NULL) {
		rc = qrlogin_state(c, http_query(r, "tx"),
		    http_cookie(r, cookie_name(ctx)), clock_now(ctx->clock), &st);
		db_release(ctx->db, c);
	}
	http_add_header(r, "Cache-Control", "no-store");
	if (rc == QRL_NOT_FOUND)
		http_respond_error(r, 404, "not_found", "no such sign-in in this browser");
	else if (rc != DB_OK)
		front_db_error(r, ctx->log, rc);
	else
		http_respond_json(r, 200, json_pack("{s:s}", "status",
		    names[st]));
}

/* 303 back to the login page with the outcome `qr` (and tx when pending). */
static void
back_to_login(struct page *pg, const char *qr, const char *tx)
{
	char loc[192];
	const char *req = page_req(pg);

	snprintf(loc, sizeof(loc), "/login?qr=%s%s%s%s%s", qr,
	    tx != NULL ? "&tx=" : "", tx != NULL ? tx : "",
	    req != NULL ? "&req=" : "", req != NULL ? req : "");
	http_redirect(pg->r, 303, loc);
}

/* After the session: the parked request, or the account page. */
static void
signed_in(struct page *pg, struct auth_session *s, const char *req_id)
{
	char next[96];

	log_event(pg->ctx->log, LOG_INFO, "auth.login", "amr", s->amr, "acr",
	    s->acr, "via", "qr", NULL);
	front_set_session(pg->r, pg->ctx, s->token,
	    (long)auth_limits(pg->ctx->auth)->absolute);
	snprintf(next, sizeof(next), "/login/continue?req=%s", req_id);
	http_redirect(pg->r, 303, req_id[0] != '\0' ? next : "/account");
}

static void
h_finish(struct http_req *r, void *arg)
{
	static const char *const names[] = { "tx" };
	static const size_t max[] = { QRL_ID_SIZE };
	struct auth_session s;
	struct auth_meta meta;
	struct page pg;
	const char *tx;
	char addr[64], req_id[44];
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0)
		goto done;
	if (page_fields(&pg, names, max, 1, &tx, &bad) != 0) {
		back_to_login(&pg, "expired", NULL);
		goto done;
	}
	front_meta(r, addr, &meta);
	rc = qrlogin_finish(pg.ctx->db, tx, http_cookie(r, cookie_name(pg.ctx)),
	    &meta, clock_now(pg.ctx->clock), &s, req_id);
	if (rc == DB_OK)
		signed_in(&pg, &s, req_id);
	else if (rc == QRL_PENDING)
		back_to_login(&pg, "pending", tx);
	else if (rc == QRL_DENIED)
		back_to_login(&pg, "denied", NULL);
	else if (rc == QRL_GONE || rc == QRL_NOT_FOUND)
		back_to_login(&pg, "expired", NULL);
	else {
		struct page_err e = page_error(rc, 0);

		page_fail(&pg, &e, "/login");
	}
	sodium_memzero(&s, sizeof(s));
done:
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "GET", "/login/qr/status", h_status },
	{ "POST", "/login/qr/finish", h_finish },
};

const struct http_route *
pages_qr_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
