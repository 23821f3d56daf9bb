/*
 * pages_data: the consents and disclosures sections of the account page,
 * and withdrawing a consent.
 */
#include "pages_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "clients.h"
#include "consent.h"
#include "disclosures.h"
#include "front.h"
#include "oidc.h"

#define CONSENTS_MAX 32


struct consent_list {
	struct consent k[CONSENTS_MAX];
	char name[CONSENTS_MAX][128];
	size_t n;
};


static void
heading(struct page *pg, const char *id, enum msg text)
{
	html_printf(pg->h, "<h2 id=\"%s\">", id);
	html_text(pg->h, i18n(pg->lang, text));
	html_raw(pg->h, "</h2>\n");
}

static void
table_begin(struct page *pg, const char *id, const enum msg *cols, size_t n)
{
	html_printf(pg->h, "<div class=\"table-wrap\"><table class=\"history\" "
	    "aria-labelledby=\"%s\">\n<thead><tr>", id);
	for (size_t i = 0; i < n; i++) {
		html_raw(pg->h, "<th scope=\"col\">");
		html_text(pg->h, i18n(pg->lang, cols[i]));
		html_raw(pg->h, "</th>");
	}
	html_raw(pg->h, "</tr></thead>\n<tbody>\n");
}

/* Opens a cell labelled for the stacked layout of narrow screens. */
static void
cell(struct page *pg, enum msg label)
{
	html_raw(pg->h, "<td data-label=\"");
	html_text(pg->h, i18n(pg->lang, label));
	html_raw(pg->h, "\">");
}

static void
paragraph(struct page *pg, enum msg text)
{
	html_raw(pg->h, "<p>");
	html_text(pg->h, i18n(pg->lang, text));
	html_raw(pg->h, "</p>\n");
}

static int
collect(const struct consent *k, void *arg)
{
	struct consent_list *l = arg;

	if (l->n == CONSENTS_MAX)
		return 1;
	l->k[l->n++] = *k;
	return 0;
}

/* The consents and their portals' names into l: a DB_ code. */
static int
load_consents(struct page *pg, const char *account_id, struct consent_list *l)
{
	struct client cl;
	struct db_conn *c;
	int rc;

	if ((rc = consent_foreach(pg->ctx->db, account_id, collect, l)) != DB_OK)
		return rc;
	if ((c = db_acquire(pg->ctx->db)) == NULL)
		return DB_ERR;
	for (size_t i = 0; i < l->n && rc == DB_OK; i++) {
		rc = clients_get(c, l->k[i].client_id, &cl);
		snprintf(l->name[i], sizeof(l->name[i]), "%s",
		    rc == DB_OK ? cl.name : l->k[i].client_id);
		if (rc == CLIENT_NOT_FOUND)
			rc = DB_OK;
	}
	db_release(pg->ctx->db, c);
	return rc;
}

static void
scopes_text(struct page *pg, const char *scope)
{
	enum msg texts[8];
	size_t n = page_scope_texts(scope, texts, ARRAY_LEN(texts));

	for (size_t i = 0; i < n; i++) {
		html_raw(pg->h, i == 0 ? "" : "; ");
		html_text(pg->h, i18n(pg->lang, texts[i]));
	}
}

static void
consents_section(struct page *pg, const struct consent_list *l)
{
	static const enum msg cols[] = { MSG_DATA_SERVICE, MSG_DATA_SCOPES,
	    MSG_DATA_SINCE };
	char when[32];

	heading(pg, "consents", MSG_DATA_CONSENTS);
	if (l->n == 0) {
		paragraph(pg, MSG_DATA_NO_CONSENTS);
		return;
	}
	table_begin(pg, "consents", cols, ARRAY_LEN(cols));
	for (size_t i = 0; i < l->n; i++) {
		html_raw(pg->h, "<tr>");
		cell(pg, MSG_DATA_SERVICE);
		html_text(pg->h, l->name[i]);
		html_raw(pg->h, "</td>");
		cell(pg, MSG_DATA_SCOPES);
		scopes_text(pg, l->k[i].scope);
		html_raw(pg->h, "</td>");
		cell(pg, MSG_DATA_SINCE);
		html_text(pg->h, page_when(l->k[i].granted_at, when));
		html_raw(pg->h, "</td><td>");
		html_form_begin(pg->h, "/account/consents/revoke", pg->csrf);
		html_hidden(pg->h, "client_id", l->k[i].client_id);
		html_button(pg->h, NULL, NULL, i18n(pg->lang, MSG_BTN_REVOKE_CONSENT),
		    false);
		html_form_end(pg->h);
		html_raw(pg->h, "</td></tr>\n");
	}
	html_raw(pg->h, "</tbody></table></div>\n");
}

struct disc_page {
	struct page *pg;
	size_t rows;
};

static int
disclosure_row(const struct disclosure *d, void *arg)
{
	struct disc_page *dp = arg;
	struct page *pg = dp->pg;
	char when[32];

	if (++dp->rows > DATA_PAGE_ROWS)
		return 1;	/* the one past the page: an older page exists */
	html_raw(pg->h, "<tr>");
	cell(pg, MSG_ACC_TIME);
	html_text(pg->h, page_when(d->at, when));
	html_raw(pg->h, "</td>");
	cell(pg, MSG_DATA_SERVICE);
	html_text(pg->h, d->client_name);
	html_raw(pg->h, "</td>");
	cell(pg, MSG_DATA_ATTRIBUTES);
	html_text(pg->h, d->attributes);
	html_raw(pg->h, "</td>");
	cell(pg, MSG_DATA_CHANNEL);
	html_text(pg->h, d->channel);
	if (d->purpose[0] != '\0') {
		html_raw(pg->h, " (");
		html_text(pg->h, d->purpose);
		html_raw(pg->h, ")");
	}
	html_raw(pg->h, "</td></tr>\n");
	return 0;
}

/* A link to /account with the page number and the service filter. */
static void
page_link(struct page *pg, long page, const char *service, enum msg text)
{
	html_printf(pg->h, "<a href=\"/account?page=%ld", page);
	if (service[0] != '\0') {
		html_raw(pg->h, "&amp;service=");
		html_urlencode(pg->h, service);
	}
	html_raw(pg->h, "#disclosures\">");
	html_text(pg->h, i18n(pg->lang, text));
	html_raw(pg->h, "</a> ");
}

static void
filter_links(struct page *pg, const struct consent_list *l)
{
	html_raw(pg->h, "<p class=\"muted\">");
	html_text(pg->h, i18n(pg->lang, MSG_DATA_FILTER));
	html_raw(pg->h, ": ");
	page_link(pg, 1, "", MSG_DATA_ALL_SERVICES);
	for (size_t i = 0; i < l->n; i++) {
		html_raw(pg->h, "<a href=\"/account?service=");
		html_urlencode(pg->h, l->k[i].client_id);
		html_raw(pg->h, "#disclosures\">");
		html_text(pg->h, l->name[i]);
		html_raw(pg->h, "</a> ");
	}
	html_raw(pg->h, "</p>\n");
}

static long
query_page(struct page *pg)
{
	const char *q = http_query(pg->r, "page");
	char *end;
	long n;

	if (q == NULL)
		return 1;
	n = strtol(q, &end, 10);
	return *end == '\0' && n >= 1 && n <= 1000000 ? n : 1;
}

static int
disclosures_section(struct page *pg, const char *account_id,
    const struct consent_list *l)
{
	static const enum msg cols[] = { MSG_ACC_TIME, MSG_DATA_SERVICE,
	    MSG_DATA_ATTRIBUTES, MSG_DATA_CHANNEL };
	const char *service = http_query(pg->r, "service");
	struct disc_page dp = { pg, 0 };
	long page = query_page(pg);
	int rc;

	if (service == NULL || strlen(service) >= sizeof(l->k[0].client_id))
		service = "";
	heading(pg, "disclosures", MSG_DATA_DISCLOSURES);
	filter_links(pg, l);
	table_begin(pg, "disclosures", cols, ARRAY_LEN(cols));
	rc = disclosures_foreach(pg->ctx->db, account_id, service,
	    (int64_t)(page - 1) * DATA_PAGE_ROWS, DATA_PAGE_ROWS + 1,
	    disclosure_row, &dp);
	html_raw(pg->h, "</tbody></table></div>\n");
	if (dp.rows == 0)
		paragraph(pg, MSG_DATA_NO_DISCLOSURES);
	if (page > 1 || dp.rows > DATA_PAGE_ROWS) {
		html_raw(pg->h, "<p class=\"muted\">");
		if (page > 1)
			page_link(pg, page - 1, service, MSG_DATA_NEWER);
		if (dp.rows > DATA_PAGE_ROWS)
			page_link(pg, page + 1, service, MSG_DATA_OLDER);
		html_raw(pg->h, "</p>\n");
	}
	return rc;
}

int
pages_data_render(struct page *pg, const char *account_id)
{
	struct consent_list *l = calloc(1, sizeof(*l));
	int rc;

	if (l == NULL)
		return DB_ERR;
	if ((rc = load_consents(pg, account_id, l)) == DB_OK) {
		consents_section(pg, l);
		rc = disclosures_section(pg, account_id, l);
	}
	free(l);
	return rc;
}

/* Withdraws the session's consent to one portal and ends its grants. */
static void
h_consent_revoke(struct http_req *r, void *arg)
{
	static const char *const names[] = { "client_id" };
	static const size_t max[] = { sizeof(((struct consent *)0)->client_id) - 1 };
	struct page_err e = { 400, MSG_ERR_BAD_FORM, 0 };
	struct session s;
	struct page pg;
	const char *id;
	size_t bad;
	int rc;

	page_init(&pg, r, arg);
	if (page_post(&pg) != 0)
		goto done;
	rc = auth_session_get(pg.ctx->auth, front_session_token(r, pg.ctx),
	    clock_now(pg.ctx->clock), &s);
	if (rc == SESS_NOT_FOUND) {
		http_redirect(r, 303, "/login");
		goto done;
	}
	if (rc == DB_OK && page_fields(&pg, names, max, 1, &id, &bad) != 0) {
		page_fail(&pg, &e, "/account");
		goto done;
	}
	if (rc == DB_OK)
		rc = consent_revoke(pg.ctx->db, pg.ctx->seal, s.account_id, id,
		    clock_now(pg.ctx->clock));
	if (rc != DB_OK) {
		e = rc == CONSENT_NOT_FOUND ? (struct page_err){ 404, MSG_ERR_NOT_FOUND, 0 } :
		    page_error(rc, 0);
		page_fail(&pg, &e, "/account");
		goto done;
	}
	log_event(pg.ctx->log, LOG_INFO, "consent.revoked", "by", "session",
	    "via", "page", NULL);
	http_redirect(r, 303, "/account?note=consent_revoked");
done:
	page_fini(&pg);
}

static const struct http_route ROUTES[] = {
	{ "POST", "/account/consents/revoke", h_consent_revoke },
};

const struct http_route *
pages_data_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
