/*
 * test_pages_auth: what every citizen page shares, in process: the CSRF
 * cookie and token (a POST without a valid pair is 403 and writes
 * nothing), Content-Type and encoding refusals, the language choice and
 * the /lang switch with its open-redirect guard, escaping of echoed
 * values, the strict page headers, the notice pages and the error mapping.
 */
#include "t.h"
#include "pagesrv.h"

#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "i18n.h"
#include "pages_auth.h"

static long long
challenges(struct pagesrv *s)
{
	return fixture_count(&s->f, "SELECT count(*) FROM challenges");
}

TEST(csrf_refused)
{
	struct pagesrv s;
	struct browser b = { "", NULL }, other = { "", NULL };
	struct resp r;
	char csrf[64], mine[64], form[512];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_auth"), 0);
	/* A first visit posting straight away: no cookie. */
	CHECK_EQ_INT(ps_post(&s, &b, "/login", "personal_id=" PS_PID
	    "&password=x&csrf=abc", NULL, &r), 0);
	CHECK_EQ_INT(r.status, 403);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_CSRF)) != NULL);
	resp_free(&r);
	/* The cookie came with the refusal page; the token is still missing. */
	CHECK(ps_cookie(&b, PAGES_CSRF_COOKIE, csrf, sizeof(csrf))[0] != '\0');
	CHECK_EQ_INT(ps_post(&s, &b, "/register", "personal_id=" PS_PID
	    "&full_name=A&birth_date=1990-05-17&phone=0912345678&password=xx",
	    NULL, &r), 0);
	CHECK_EQ_INT(r.status, 403);
	resp_free(&r);
	/* Another browser's token does not fit this cookie. */
	CHECK_EQ_INT(ps_get(&s, &other, "/register", &r), 0);
	ps_value(&r, "csrf", csrf, sizeof(csrf));
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=" PS_PID
	    "&full_name=A&birth_date=1990-05-17&phone=0912345678&password=x", csrf);
	CHECK_EQ_INT(ps_post(&s, &b, "/register", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 403);
	resp_free(&r);
	CHECK_EQ_INT(challenges(&s), 0);
	CHECK(ps_log_has(&s, "security.csrf_refused"));
	/* The right pair passes the check (and then fails on the password). */
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK(strstr(r.head, "dd_csrf") == NULL);	/* not set twice */
	ps_value(&r, "csrf", mine, sizeof(mine));
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=" PS_PID "&password=x",
	    mine);
	CHECK_EQ_INT(ps_post(&s, &b, "/login", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(bad_bodies)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char csrf[64], form[512];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_auth"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	ps_value(&r, "csrf", csrf, sizeof(csrf));
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=1&password=x", csrf);
	CHECK_EQ_INT(ps_post(&s, &b, "/login", form, "application/json", &r), 0);
	CHECK_EQ_INT(r.status, 415);
	CHECK(strstr(r.head, "text/html") != NULL);
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=%%ff%%fe&password=x", csrf);
	CHECK_EQ_INT(ps_post(&s, &b, "/login", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=" PS_PID, csrf);
	CHECK_EQ_INT(ps_post(&s, &b, "/login", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_REQUIRED)) != NULL);
	CHECK(strstr(r.body, "value=\"" PS_PID "\"") == NULL);
	resp_free(&r);
	CHECK_EQ_INT(challenges(&s), 0);
	pagesrv_down(&s);
}

TEST(language)
{
	static const char *const bad[] = { "%2F%2Fevil.example", "https://evil.example/",
	    "%2F%5Cevil.example", "javascript:alert(1)", "", "evil", "/%0d%0aX:1" };
	struct pagesrv s;
	struct browser b = { "", NULL }, en = { "", "en-US,en;q=0.9" };
	char path[128], v[256];
	struct resp r;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_auth"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK(strstr(r.body, "<html lang=\"vi\">") != NULL);
	CHECK(strstr(r.body, "/lang?to=en&amp;back=%2Flogin") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/lang?to=en&back=/login", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/login");
	CHECK(strstr(r.head, "lang=en; Path=/; Max-Age=31536000") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK(strstr(r.body, "<html lang=\"en\">") != NULL);
	CHECK(strstr(r.body, i18n(LANG_EN, MSG_TITLE_LOGIN)) != NULL);
	resp_free(&r);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(path, sizeof(path), "/lang?to=vi&back=%s", bad[i]);
		CHECK_EQ_INT(ps_get(&s, &b, path, &r), 0);
		CHECK_EQ_INT(r.status, 303);
		CHECK_STR(header(&r, "Location", v, sizeof(v)), "/");
		resp_free(&r);
	}
	CHECK_EQ_INT(ps_get(&s, &b, "/lang?to=xx&back=/register", &r), 0);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/register");
	CHECK(strstr(r.head, "lang=") == NULL);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &en, "/register", &r), 0);
	CHECK(strstr(r.body, "<html lang=\"en\">") != NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(escaping_and_headers)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char csrf[64], form[512], v[512];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_auth"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/register", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(header(&r, "Content-Security-Policy", v, sizeof(v)) != NULL);
	CHECK(strstr(v, "unsafe-inline") == NULL);
	CHECK_STR(header(&r, "X-Frame-Options", v, sizeof(v)), "DENY");
	CHECK(strstr(r.body, "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">") != NULL);
	ps_value(&r, "csrf", csrf, sizeof(csrf));
	resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&personal_id=12%%22%%3E%%3Cb%%3E"
	    "&full_name=%%3Cscript%%3E%%22x%%22%%3C%%2Fscript%%3E&birth_date=1990-05-17"
	    "&phone=0912345678&password=hoa+sen+trong+dam", csrf);
	CHECK_EQ_INT(ps_post(&s, &b, "/register", form, NULL, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(strstr(r.body, "<script") == NULL);
	CHECK(strstr(r.body, "<b>") == NULL);
	CHECK(strstr(r.body, "&lt;script&gt;&quot;x&quot;&lt;/script&gt;") != NULL);
	CHECK(strstr(r.body, "12&quot;&gt;&lt;b&gt;") != NULL);
	CHECK(strstr(r.body, "hoa sen") == NULL);	/* never the password */
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_PERSONAL_ID)) != NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(notices_and_home)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_auth"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, "href=\"/login\"") != NULL);
	CHECK(strstr(r.body, "href=\"/register\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/done?n=created", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_NOTE_CREATED)) != NULL);
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/done?n=%3Cx%3E", &r), 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(strstr(r.body, "<x>") == NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(error_mapping)
{
	CHECK_EQ_INT(page_error(AUTH_BAD_CREDENTIALS, 0).status, 401);
	CHECK_EQ_INT(page_error(AUTH_LOCKED, 0).status, 423);
	CHECK_EQ_INT(page_error(AUTH_DISABLED, 0).status, 403);
	CHECK_EQ_INT(page_error(AUTH_DELAYED, 7).status, 429);
	CHECK_EQ_INT(page_error(AUTH_DELAYED, 7).wait, 7);
	CHECK_EQ_INT(page_error(AUTH_BAD_CODE, 0).msg, MSG_ERR_CODE_WRONG);
	CHECK_EQ_INT(page_error(ACC_EXPIRED, 0).msg, MSG_ERR_CODE_EXPIRED);
	CHECK_EQ_INT(page_error(ACC_RATE_LIMITED, 0).status, 429);
	CHECK_EQ_INT(page_error(DB_FULL, 0).status, 503);
	CHECK_EQ_INT(page_error(DB_ERR, 0).status, 500);
}

T_MAIN({ "csrf_refused", csrf_refused }, { "bad_bodies", bad_bodies },
    { "language", language }, { "escaping_and_headers", escaping_and_headers },
    { "notices_and_home", notices_and_home }, { "error_mapping", error_mapping })
