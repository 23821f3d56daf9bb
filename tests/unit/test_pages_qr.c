/*
 * test_pages_qr: the login page's QR sign-in, in process: the panel (the
 * QR code's SVG encodes exactly the URI of the "open in the app" link, the
 * status URL, the finish form with its visible button, a script file and
 * no inline script), the binding cookie, the status URL for this browser
 * and for another one, and the finish form: approved (a level-2 session,
 * acr loa:2, amr swk, once), pending (the same code again), denied (the
 * page says so), another browser (nothing). Decisions are made through
 * qrlogin directly, as the app's endpoint would.
 */
#include "t.h"
#include "pagesrv.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "b64.h"
#include "devices.h"
#include "i18n.h"
#include "qr.h"
#include "qrlogin.h"

struct l2 {
	char acc[ACC_ID_SIZE], dev[DEV_ID_SIZE];
};

/* Registers PS_PID, raises it to level 2 and binds a device. */
static int
level2(struct pagesrv *s, struct l2 *out)
{
	struct browser b = { "", NULL };
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char key[48];
	struct account acc;
	struct db_conn *c;
	int rc = -1;

	if (ps_register(s, &b) != 0 || (c = db_acquire(s->f.db)) == NULL)
		return -1;
	crypto_sign_keypair(pk, sk);
	if (b64_encode(key, sizeof(key), pk, sizeof(pk)) != 0 &&
	    accounts_get_by_personal_id(c, PS_PID, &acc) == DB_OK &&
	    accounts_set_level2(c, acc.account_id, acc.phone, PS_NOW) == DB_OK &&
	    devices_add(c, s->f.seal, acc.account_id, "Phone", key, DEV_MAX_DEFAULT, PS_NOW,
	    out->dev) == DB_OK) {
		snprintf(out->acc, sizeof(out->acc), "%s", acc.account_id);
		rc = 0;
	}
	db_release(s->f.db, c);
	return rc;
}

static int
decide(struct pagesrv *s, const struct l2 *who, const char *tx, int approve)
{
	struct db_conn *c = db_acquire(s->f.db);
	int rc;

	if (c == NULL)
		return DB_ERR;
	rc = qrlogin_decide(c, tx, who->acc, who->dev, approve, PS_NOW + 1);
	db_release(s->f.db, c);
	return rc;
}

/* Undoes the &amp; escaping of an attribute value in place. */
static void
unescape_amp(char *s)
{
	char *p;

	while ((p = strstr(s, "&amp;")) != NULL)
		memmove(p + 1, p + 5, strlen(p + 5) + 1);
}

/* The href of the app link (unescaped) into out. */
static const char *
app_link(const struct resp *r, char *out, size_t outsz)
{
	const char *p = strstr(r->body, "<p class=\"app-link\"><a href=\""), *e;

	out[0] = '\0';
	if (p == NULL)
		return out;
	p += strlen("<p class=\"app-link\"><a href=\"");
	if ((e = strchr(p, '"')) != NULL && (size_t)(e - p) < outsz)
		snprintf(out, outsz, "%.*s", (int)(e - p), p);
	unescape_amp(out);
	return out;
}

TEST(panel)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char uri[512], tx[64], want[600], cookie[64];
	char *svg;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_qr"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	ps_value(&r, "tx", tx, sizeof(tx));
	CHECK_EQ_INT(strlen(tx), 43);
	snprintf(want, sizeof(want), "dinhdanh://login?tx=%s&idp="
	    "http%%3A%%2F%%2F127.0.0.1", tx);
	CHECK_STR(app_link(&r, uri, sizeof(uri)), want);
	/* The inline SVG is the code of exactly that URI. */
	svg = qr_svg(want, i18n(LANG_VI, MSG_QR_LABEL));
	CHECK(svg != NULL && strstr(r.body, svg) != NULL);
	free(svg);
	CHECK(strstr(r.body, "action=\"/login/qr/finish\"") != NULL);
	CHECK(strstr(r.body, "data-status=\"/login/qr/status?tx=") != NULL);
	CHECK(strstr(r.body, "<script src=\"/static/qrlogin.js\" defer></script>")
	    != NULL);
	CHECK(strstr(r.body, "<script>") == NULL);
	CHECK(strstr(r.body, " onclick") == NULL);
	/* The fallback button is visible (not hidden, not in <noscript>). */
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_QR_BTN_DONE)) != NULL);
	CHECK(strstr(r.body, "<noscript") == NULL);
	/* The password form is still there, with the contract's fields. */
	CHECK(ps_has_attr(&r, "password", "autocomplete", "current-password"));
	CHECK(strstr(r.head, "Set-Cookie: dd_qr=") != NULL);
	CHECK(strstr(r.head, "HttpOnly") != NULL);
	CHECK_EQ_INT(strlen(ps_cookie(&b, "dd_qr", cookie, sizeof(cookie))), 43);
	resp_free(&r);
	/* The same browser keeps its secret on the next page. */
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK(strstr(r.head, "Set-Cookie: dd_qr=") == NULL);
	resp_free(&r);
	/* Lock and unlock have no QR. */
	CHECK_EQ_INT(ps_get(&s, &b, "/lock", &r), 0);
	CHECK(strstr(r.body, "qr-login") == NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

/* GETs /login in b and its tx and csrf. */
static int
show(struct pagesrv *s, struct browser *b, const char *path, char tx[64],
    char csrf[64])
{
	struct resp r;

	if (ps_get(s, b, path, &r) != 0)
		return -1;
	ps_value(&r, "tx", tx, 64);
	ps_value(&r, "csrf", csrf, 64);
	resp_free(&r);
	return tx[0] != '\0' ? 0 : -1;
}

static int
status(struct pagesrv *s, struct browser *b, const char *tx, char *body,
    size_t bodysz)
{
	char path[128];
	struct resp r;
	int st;

	snprintf(path, sizeof(path), "/login/qr/status?tx=%s", tx);
	if (ps_get(s, b, path, &r) != 0)
		return -1;
	snprintf(body, bodysz, "%s", r.body != NULL ? r.body : "");
	st = r.status;
	resp_free(&r);
	return st;
}

static int
finish(struct pagesrv *s, struct browser *b, const char *tx, const char *csrf,
    char *loc, size_t locsz)
{
	char form[256];
	struct resp r;
	int st;

	snprintf(form, sizeof(form), "csrf=%s&tx=%s", csrf, tx);
	if (ps_post(s, b, "/login/qr/finish", form, NULL, &r) != 0)
		return -1;
	header(&r, "Location", loc, locsz);
	st = r.status;
	resp_free(&r);
	return st;
}

TEST(approve_and_finish)
{
	struct pagesrv s;
	struct browser b = { "", NULL }, thief = { "", NULL };
	struct resp r;
	struct session live;
	char tx[64], csrf[64], csrf2[64], tx2[64], body[256], loc[256], tok[64];
	struct l2 who;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_qr"), 0);
	CHECK_EQ_INT(level2(&s, &who), 0);
	CHECK_EQ_INT(show(&s, &b, "/login", tx, csrf), 0);
	CHECK_EQ_INT(status(&s, &b, tx, body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"pending\"}");
	/* Pressed too early: back to the same code, told to approve first. */
	CHECK_EQ_INT(finish(&s, &b, tx, csrf, loc, sizeof(loc)), 303);
	CHECK(strncmp(loc, "/login?qr=pending&tx=", 21) == 0);
	CHECK_EQ_INT(ps_get(&s, &b, loc, &r), 0);
	ps_value(&r, "tx", tx2, sizeof(tx2));
	CHECK_STR(tx2, tx);
	CHECK(strstr(r.body, "<p class=\"notice\" id=\"qr-pending\" role=\"status\">")
	    != NULL);
	resp_free(&r);
	CHECK_EQ_INT(decide(&s, &who, tx, 1), DB_OK);
	CHECK_EQ_INT(status(&s, &b, tx, body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"approved\"}");
	/* Another browser, even with the id and its own CSRF pair: nothing. */
	CHECK_EQ_INT(show(&s, &thief, "/login", tx2, csrf2), 0);
	CHECK_EQ_INT(status(&s, &thief, tx, body, sizeof(body)), 404);
	CHECK(strstr(body, "approved") == NULL);
	CHECK_EQ_INT(finish(&s, &thief, tx, csrf2, loc, sizeof(loc)), 303);
	CHECK_STR(loc, "/login?qr=expired");
	CHECK_STR(ps_cookie(&thief, "dd_session", tok, sizeof(tok)), "");
	/* The browser that showed it signs in, once. */
	CHECK_EQ_INT(finish(&s, &b, tx, csrf, loc, sizeof(loc)), 303);
	CHECK_STR(loc, "/account");
	CHECK_EQ_INT(strlen(ps_cookie(&b, "dd_session", tok, sizeof(tok))), 43);
	CHECK_EQ_INT(auth_session_get(s.ctx.auth, tok, PS_NOW, &live), DB_OK);
	CHECK_STR(live.acr, "urn:dinhdanh:loa:2");
	CHECK_STR(live.amr, "swk");
	CHECK_EQ_INT(finish(&s, &b, tx, csrf, loc, sizeof(loc)), 303);
	CHECK_STR(loc, "/login?qr=expired");
	CHECK_EQ_INT(status(&s, &b, tx, body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"expired\"}");
	CHECK(!ps_log_has(&s, tx));
	CHECK(!ps_log_has(&s, tok));
	pagesrv_down(&s);
}

TEST(denied_and_expired)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char tx[64], csrf[64], body[256], loc[256];
	struct l2 who;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_qr"), 0);
	CHECK_EQ_INT(level2(&s, &who), 0);
	CHECK_EQ_INT(show(&s, &b, "/login", tx, csrf), 0);
	CHECK_EQ_INT(decide(&s, &who, tx, 0), DB_OK);
	CHECK_EQ_INT(status(&s, &b, tx, body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"denied\"}");
	CHECK_EQ_INT(finish(&s, &b, tx, csrf, loc, sizeof(loc)), 303);
	CHECK_STR(loc, "/login?qr=denied");
	CHECK_EQ_INT(ps_get(&s, &b, loc, &r), 0);
	CHECK(strstr(r.body, "<p class=\"error\" id=\"qr-denied\" role=\"status\">")
	    != NULL);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_QR_DENIED)) != NULL);
	resp_free(&r);
	/* 120 s later the code is dead. */
	CHECK_EQ_INT(show(&s, &b, "/login", tx, csrf), 0);
	CHECK_EQ_INT(clock_advance(s.clock, QRL_TTL), 0);
	CHECK_EQ_INT(status(&s, &b, tx, body, sizeof(body)), 200);
	CHECK_STR(body, "{\"status\":\"expired\"}");
	CHECK_EQ_INT(finish(&s, &b, tx, csrf, loc, sizeof(loc)), 303);
	CHECK_STR(loc, "/login?qr=expired");
	pagesrv_down(&s);
}

T_MAIN(T(panel), T(approve_and_finish), T(denied_and_expired))
