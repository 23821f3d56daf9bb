/*
 * pages_auth: the citizen web pages of level-1 accounts (server-rendered
 * HTML forms, no scripts). This module owns what every page shares: the
 * page language (the `lang` cookie, else Accept-Language), the CSRF cookie
 * and the token each form carries, reading and checking a POSTed form
 * (Content-Type, encoding, CSRF, field lengths), the mapping of auth and
 * account errors to a status and a message, the page frame and its answer,
 * the /lang switch and the notice pages reached after a POST (Post/
 * Redirect/Get). The flows themselves live in pages_login (register,
 * login, forgot, lock, unlock) and pages_account (the account page).
 */
#ifndef IDP_PAGES_AUTH_H
#define IDP_PAGES_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csrf.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "i18n.h"
#include "pwjob.h"
#include "routes.h"

#define PAGES_CSRF_COOKIE "dd_csrf"
#define PAGES_CSRF_COOKIE_SECURE "__Host-dd_csrf"
#define PAGES_LANG_MAX_AGE (365L * 24 * 3600)

/* Field limits, bytes. */
#define PF_ID 64
#define PF_CODE 16
#define PF_PHONE 32
#define PF_NAME 1024
#define PF_DATE 16
#define PF_PASSWORD 1024

/* One page being answered: its request, language, CSRF token and body. */
struct page {
	struct http_req *r;
	struct routes_ctx *ctx;
	enum lang lang;
	char csrf[CSRF_TOKEN_SIZE];	/* "" when the browser has no cookie yet */
	struct html *h;
	struct form *form;		/* a POST's parsed body, or NULL */
};

/* A status and a message for a refusal; wait > 0 adds Retry-After. */
struct page_err {
	unsigned status;
	enum msg msg;
	int64_t wait;
};

/*
 * Starts answering r: the language, and the CSRF cookie (set on the
 * response when the browser lacks a valid one). Never fails.
 */
void page_init(struct page *, struct http_req *, struct routes_ctx *);
/* Frees the page's html and form. */
void page_fini(struct page *);

/*
 * For a POST: checks the Content-Type (415), parses the body (400) and the
 * CSRF pair (403), each refusal answered with an error page. 0 with
 * pg->form set, or -1 after answering.
 */
int page_post(struct page *) WUR;
/* Parses the body again in a deferred job's done (checked before): 0 or -1. */
int page_reparse(struct page *) WUR;
/*
 * The fields `names[n]` of pg->form into out[n], each at most max[i]
 * bytes: 0; 1 when one is missing or empty (*bad its index, message
 * MSG_ERR_REQUIRED); 2 when one is too long (*bad its index). Every out[i]
 * is set (NULL when absent) whatever the result.
 */
int page_fields(const struct page *, const char *const *names,
    const size_t *max, size_t n, const char **out, size_t *bad) WUR;

/*
 * The parked OpenID Connect request the page carries (field or query
 * `req`: 43 base64url characters, anything else ignored), or NULL. Read
 * from the POSTed form when there is one, else from the query.
 */
const char *page_req(const struct page *);
/* Its hidden input in the form being written, when there is one. */
void page_hidden_req(struct page *);

/* 429 with the wait for an address over its budget; true when limited. */
bool page_limited(struct page *, struct page_err *out);

/* The status and message for an auth_err, acc_err, totp or db error. */
struct page_err page_error(int rc, int64_t wait);
/* The text of e in the page language (formats filled in) into buf. */
const char *page_err_text(const struct page *, const struct page_err *e,
    char *buf, size_t bufsz);

/* The frame up to <main> and the <h1>; path is the page's own. */
void page_begin(struct page *, enum msg title, const char *path);
/* Ends the frame and answers with status (500 when the page failed). */
void page_send(struct page *, unsigned status);
/* A whole page with the error e and a link back to `back` (NULL: the
 * GET page of the request's flow). */
void page_fail(struct page *, const struct page_err *e, const char *back);

/*
 * The plain-words texts of the OpenID scope values in `scope` (openid,
 * profile, personal_id, address, phone, offline_access, in that order)
 * into out[max]; their count.
 */
size_t page_scope_texts(const char *scope, enum msg *out, size_t max);
/* A time as "YYYY-MM-DD HH:MM UTC" into when[32]. */
const char *page_when(int64_t at, char when[32]);
/* 303 to /done?n=WHAT (a notice page). */
void page_done(struct page *, const char *what);

/*
 * Hands `job` to the worker pool, done called after; on a full pool (or
 * job NULL) answers the 503 (500) page and frees the job.
 */
void page_defer(struct page *, struct pwjob *job, http_done_fn done);

/* The <p class="muted"> navigation links of the sign-in pages. */
void page_links(struct page *, const char *const *hrefs,
    const enum msg *texts, size_t n);

/* A paragraph of text under the heading; nothing for PAGE_NO_INTRO. */
#define PAGE_NO_INTRO MSG_COUNT
void page_intro(struct page *, enum msg intro);
/* The contract's inputs: personal_id (autocomplete username), password
 * (label and autocomplete given: current-password or new-password), phone,
 * and the one-time `code` (autocomplete one-time-code). */
void page_input_personal_id(struct page *, const char *value,
    const char *error, bool autofocus);
void page_input_password(struct page *, enum msg label,
    const char *autocomplete, const char *error);
void page_input_phone(struct page *, const char *value, const char *error);
void page_input_code(struct page *, const char *hint, const char *error);

/* Every page route: the flows', the OIDC pages' and these (/lang, /done,
 * GET /). */
size_t pages_routes(struct http_route *out, size_t max);

#endif
