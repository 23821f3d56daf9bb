/*
 * test_pages_account: the signed-in pages in process: /account without a
 * session redirects to /login; with one it shows the facts (phone masked),
 * the sign-in history table and the three action forms, each with its CSRF
 * field; authenticator enrolment (inline SVG QR, the otpauth URI and key as
 * text, the code form) and its confirmation; self-lock and sign-out ending
 * the session and clearing the cookie.
 */
#include "t.h"
#include "pagesrv.h"

#include <string.h>

#include "clock.h"
#include "i18n.h"
#include "otp.h"

static int
signed_in(struct pagesrv *s, struct browser *b)
{
	return pagesrv_up(s, "test_pages_account") == 0 && ps_register(s, b) == 0 &&
	    ps_login(s, b) == 0 ? 0 : -1;
}

/* POSTs `fields` with the csrf of the /account page to action. */
static int
act(struct pagesrv *s, struct browser *b, const char *action,
    const char *fields, struct resp *r)
{
	char csrf[64], form[512];
	struct resp g;

	if (ps_get(s, b, "/login", &g) != 0)
		return -1;
	ps_value(&g, "csrf", csrf, sizeof(csrf));
	resp_free(&g);
	snprintf(form, sizeof(form), "csrf=%s%s%s", csrf, fields[0] ? "&" : "",
	    fields);
	return ps_post(s, b, action, form, NULL, r);
}

TEST(needs_session)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char v[128];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_account"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/login");
	resp_free(&r);
	snprintf(b.cookies, sizeof(b.cookies), "dd_session=forged");
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	resp_free(&r);
	CHECK_EQ_INT(act(&s, &b, "/account/totp", "", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(account_page)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, PS_NAME) != NULL);
	CHECK(strstr(r.body, PS_PID) != NULL);
	CHECK(strstr(r.body, PS_BIRTH) != NULL);
	CHECK(strstr(r.body, "912345678") == NULL);	/* masked */
	CHECK(strstr(r.body, "<dl class=\"facts\">") != NULL);
	CHECK(strstr(r.body, "<table") != NULL);
	CHECK(strstr(r.body, "<th scope=\"col\">") != NULL);
	CHECK(strstr(r.body, "2027-01-15") != NULL);	/* the sign-in's time */
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ACC_SUCCESS)) != NULL);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_METHOD_PWD_SMS)) != NULL);
	CHECK(strstr(r.body, "action=\"/account/totp\"") != NULL);
	CHECK(strstr(r.body, "action=\"/account/lock\"") != NULL);
	CHECK(strstr(r.body, "action=\"/logout\"") != NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

/* Decodes base32 (RFC 4648, no padding) into out; the length or -1. */
static int
b32_decode(const char *s, uint8_t *out, size_t outsz)
{
	static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned buf = 0, bits = 0;
	size_t n = 0;

	for (; *s != '\0' && *s != '='; s++) {
		const char *p = strchr(A, *s);

		if (p == NULL)
			return -1;
		buf = (buf << 5) | (unsigned)(p - A);
		bits += 5;
		if (bits >= 8) {
			if (n == outsz)
				return -1;
			out[n++] = (uint8_t)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}

TEST(totp_enrolment)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char b32[64], code[7], form[64], v[128];
	const char *p;
	uint8_t key[32];
	int klen;

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	CHECK_EQ_INT(act(&s, &b, "/account/totp", "", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, "<figure class=\"qr\">\n<svg") != NULL);
	CHECK(strstr(r.body, "otpauth://totp/") != NULL);
	CHECK(strstr(r.body, "action=\"/account/totp/confirm\"") != NULL);
	CHECK(ps_has_attr(&r, "code", "autocomplete", "one-time-code"));
	CHECK(strstr(r.body, "<script") == NULL && strstr(r.body, "style=") == NULL);
	b32[0] = '\0';
	if ((p = strstr(r.body, "<code class=\"secret\">")) != NULL)
		snprintf(b32, sizeof(b32), "%.*s", (int)strcspn(p + 21, "<"), p + 21);
	CHECK(strstr(r.body, "secret=") != NULL && strstr(r.body, b32) != NULL);
	resp_free(&r);
	klen = b32_decode(b32, key, sizeof(key));
	CHECK_EQ_INT(klen, 20);
	CHECK_EQ_INT(act(&s, &b, "/account/totp/confirm", "code=12345x", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	CHECK_EQ_INT(otp_totp_code(key, (size_t)klen, PS_NOW, code), 0);
	snprintf(form, sizeof(form), "code=%s", code);
	CHECK_EQ_INT(act(&s, &b, "/account/totp/confirm", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/account?note=totp");
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/account?note=totp", &r), 0);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_NOTE_TOTP_ENABLED)) != NULL);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ACC_TWO_STEP_TOTP)) != NULL);
	resp_free(&r);
	CHECK(!ps_log_has(&s, b32));
	pagesrv_down(&s);
}

TEST(self_lock_and_logout)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char v[128];

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	CHECK_EQ_INT(act(&s, &b, "/logout", "", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=signed_out");
	CHECK(strstr(r.head, "dd_session=; Path=/; Max-Age=0") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM sessions"), 0);
	CHECK_EQ_INT(ps_login(&s, &b), 0);
	/* Without the CSRF token: refused, nothing locked. */
	CHECK_EQ_INT(ps_post(&s, &b, "/account/lock", "x=1", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 403);
	resp_free(&r);
	CHECK_EQ_INT(act(&s, &b, "/account/lock", "", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=locked");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f,
	    "SELECT count(*) FROM accounts WHERE status = 'locked'"), 1);
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	resp_free(&r);
	pagesrv_down(&s);
}

T_MAIN({ "needs_session", needs_session }, { "account_page", account_page },
    { "totp_enrolment", totp_enrolment },
    { "self_lock_and_logout", self_lock_and_logout })
