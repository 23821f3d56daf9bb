/*
 * test_pages_login: the pages that start without a session, in process:
 * every form's field names and autocomplete attributes (DESIGN.md section
 * 9), registration to sign-in ending in a session cookie and 303 to
 * /account, refusals that keep the entered values but never a password,
 * the code step's hint and resend, lock and unlock, and a log without
 * secrets.
 */
#include "t.h"
#include "pagesrv.h"

#include <string.h>

#include "clock.h"
#include "i18n.h"

/* GETs path and checks its form posts to action with the given inputs. */
static int
form_ok(struct pagesrv *s, struct browser *b, const char *path,
    const char *action, const char *const *names, const char *const *ac,
    size_t n)
{
	struct resp r;
	char pat[96];
	int bad = 0;

	if (ps_get(s, b, path, &r) != 0)
		return -1;
	snprintf(pat, sizeof(pat), "<form method=\"post\" action=\"%s\">", action);
	bad += r.status != 200 || strstr(r.body, pat) == NULL;
	bad += !ps_has_attr(&r, "csrf", "type", "hidden");
	for (size_t i = 0; i < n; i++) {
		char id[64];

		bad += ac[i] != NULL && !ps_has_attr(&r, names[i], "autocomplete", ac[i]);
		snprintf(id, sizeof(id), "<label for=\"f-%s\">", names[i]);
		bad += strstr(r.body, id) == NULL;
	}
	resp_free(&r);
	return bad;
}

TEST(first_forms)
{
	static const char *const login[] = { "personal_id", "password" };
	static const char *const login_ac[] = { "username", "current-password" };
	static const char *const reg[] = { "personal_id", "full_name", "birth_date",
	    "phone", "password" };
	static const char *const reg_ac[] = { "username", "name", "bday", "tel",
	    "new-password" };
	static const char *const forgot[] = { "personal_id", "phone" };
	static const char *const forgot_ac[] = { "username", "tel" };
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_login"), 0);
	CHECK_EQ_INT(form_ok(&s, &b, "/login", "/login", login, login_ac, 2), 0);
	CHECK_EQ_INT(form_ok(&s, &b, "/lock", "/lock", login, login_ac, 2), 0);
	CHECK_EQ_INT(form_ok(&s, &b, "/unlock", "/unlock", login, login_ac, 2), 0);
	CHECK_EQ_INT(form_ok(&s, &b, "/register", "/register", reg, reg_ac, 5), 0);
	CHECK_EQ_INT(form_ok(&s, &b, "/forgot", "/forgot", forgot, forgot_ac, 2), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/register", &r), 0);
	CHECK(ps_has_attr(&r, "birth_date", "type", "date"));
	CHECK(ps_has_attr(&r, "password", "type", "password"));
	resp_free(&r);
	CHECK_EQ_INT(ps_get(&s, &b, "/login", &r), 0);
	CHECK(strstr(r.body, "href=\"/register\"") != NULL);
	CHECK(strstr(r.body, "href=\"/forgot\"") != NULL);
	CHECK(strstr(r.body, "href=\"/lock\"") != NULL);
	CHECK(strstr(r.body, "href=\"/unlock\"") != NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

/* POSTs form (with the browser's csrf) to action. */
static int
send(struct pagesrv *s, struct browser *b, const char *action,
    const char *fields, struct resp *r)
{
	char csrf[64], form[1024];
	struct resp g;

	if (ps_get(s, b, "/", &g) != 0)
		return -1;
	ps_value(&g, "csrf", csrf, sizeof(csrf));
	resp_free(&g);
	if (csrf[0] == '\0') {
		if (ps_get(s, b, "/login", &g) != 0)
			return -1;
		ps_value(&g, "csrf", csrf, sizeof(csrf));
		resp_free(&g);
	}
	snprintf(form, sizeof(form), "csrf=%s&%s", csrf, fields);
	return ps_post(s, b, action, form, NULL, r);
}

TEST(register_and_sign_in)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char id[64], code[7], form[256], v[256];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_login"), 0);
	CHECK_EQ_INT(send(&s, &b, "/register", "personal_id=" PS_PID
	    "&full_name=Nguy%E1%BB%85n+V%C4%83n+An&birth_date=" PS_BIRTH
	    "&phone=" PS_PHONE "&password=hoa+sen+trong+dam", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_NOTE_CODE_SENT)) != NULL);
	CHECK(strstr(r.body, "action=\"/register/code\"") != NULL);
	CHECK(strstr(r.body, "action=\"/register/resend\"") != NULL);
	CHECK(ps_has_attr(&r, "code", "autocomplete", "one-time-code"));
	CHECK(ps_has_attr(&r, "registration_id", "type", "hidden"));
	ps_value(&r, "registration_id", id, sizeof(id));
	resp_free(&r);
	/* A resend within 60 s: 429 on the code page. */
	snprintf(form, sizeof(form), "registration_id=%s", id);
	CHECK_EQ_INT(send(&s, &b, "/register/resend", form, &r), 0);
	CHECK_EQ_INT(r.status, 429);
	CHECK(header(&r, "Retry-After", v, sizeof(v)) != NULL);
	resp_free(&r);
	snprintf(form, sizeof(form), "registration_id=%s&code=000000", id);
	ps_newest_code(&s, code);
	if (strcmp(code, "000000") != 0) {
		CHECK_EQ_INT(send(&s, &b, "/register/code", form, &r), 0);
		CHECK_EQ_INT(r.status, 400);
		CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_CODE_WRONG)) != NULL);
		resp_free(&r);
	}
	snprintf(form, sizeof(form), "registration_id=%s&code=%s", id, code);
	CHECK_EQ_INT(send(&s, &b, "/register/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=created");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM accounts"), 1);

	/* Sign-in: the code page, then the session cookie and /account. */
	CHECK_EQ_INT(send(&s, &b, "/login", "personal_id=" PS_PID
	    "&password=hoa+sen+trong+dam", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strstr(r.body, "action=\"/login/code\"") != NULL);
	CHECK(strstr(r.body, "action=\"/login/resend\"") != NULL);
	CHECK(strstr(r.body, "678") != NULL);		/* the masked phone */
	CHECK(strstr(r.body, "912345678") == NULL);
	CHECK(ps_has_attr(&r, "code", "autocomplete", "one-time-code"));
	ps_value(&r, "login_id", id, sizeof(id));
	resp_free(&r);
	ps_newest_code(&s, code);
	snprintf(form, sizeof(form), "login_id=%s&code=%s", id, code);
	CHECK_EQ_INT(send(&s, &b, "/login/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/account");
	CHECK(strstr(r.head, "dd_session=") != NULL);
	CHECK(strstr(r.head, "HttpOnly; SameSite=Lax") != NULL);
	resp_free(&r);
	CHECK(!ps_log_has(&s, "hoa sen"));
	CHECK(!ps_log_has(&s, PS_PID));
	CHECK(!ps_log_has(&s, code));
	pagesrv_down(&s);
}

TEST(refusals_keep_values)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_login"), 0);
	CHECK_EQ_INT(ps_register(&s, &b), 0);
	CHECK_EQ_INT(send(&s, &b, "/login", "personal_id=" PS_PID
	    "&password=not+the+password", &r), 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_CREDENTIALS)) != NULL);
	CHECK(strstr(r.body, "value=\"" PS_PID "\"") != NULL);
	CHECK(strstr(r.body, "not the password") == NULL);
	CHECK(strstr(r.body, "action=\"/login\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(send(&s, &b, "/forgot", "personal_id=" PS_PID
	    "&phone=12345", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_PHONE)) != NULL);
	CHECK(strstr(r.body, "value=\"12345\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(send(&s, &b, "/login/code", "login_id=nope&code=123456", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_FLOW_EXPIRED)) != NULL);
	resp_free(&r);
	pagesrv_down(&s);
}

TEST(lock_unlock_forgot)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char id[64], code[7], form[256], v[256];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_login"), 0);
	CHECK_EQ_INT(ps_register(&s, &b), 0);
	CHECK_EQ_INT(send(&s, &b, "/lock", "personal_id=" PS_PID
	    "&password=hoa+sen+trong+dam", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(ps_has_attr(&r, "challenge_id", "type", "hidden"));
	CHECK(strstr(r.body, "action=\"/lock/code\"") != NULL);
	ps_value(&r, "challenge_id", id, sizeof(id));
	resp_free(&r);
	ps_newest_code(&s, code);
	snprintf(form, sizeof(form), "challenge_id=%s&code=%s", id, code);
	CHECK_EQ_INT(send(&s, &b, "/lock/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=locked");
	resp_free(&r);
	CHECK_EQ_INT(send(&s, &b, "/login", "personal_id=" PS_PID
	    "&password=hoa+sen+trong+dam", &r), 0);
	CHECK_EQ_INT(r.status, 423);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_LOCKED)) != NULL);
	resp_free(&r);

	/* A forgotten password lifts nothing but a failures lock; reset works. */
	CHECK_EQ_INT(send(&s, &b, "/forgot", "personal_id=" PS_PID
	    "&phone=" PS_PHONE, &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(ps_has_attr(&r, "password", "autocomplete", "new-password"));
	CHECK(ps_has_attr(&r, "code", "autocomplete", "one-time-code"));
	CHECK(strstr(r.body, "action=\"/forgot/code\"") != NULL);
	ps_value(&r, "challenge_id", id, sizeof(id));
	resp_free(&r);
	snprintf(form, sizeof(form), "challenge_id=%s&code=123456&password=abc", id);
	CHECK_EQ_INT(send(&s, &b, "/forgot/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 400);
	CHECK(strstr(r.body, i18n(LANG_VI, MSG_ERR_PASSWORD_SHORT)) != NULL);
	resp_free(&r);
	ps_newest_code(&s, code);
	snprintf(form, sizeof(form), "challenge_id=%s&code=%s&password="
	    "mot+mat+khau+moi", id, code);
	CHECK_EQ_INT(send(&s, &b, "/forgot/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=password");
	resp_free(&r);

	CHECK_EQ_INT(send(&s, &b, "/unlock", "personal_id=" PS_PID
	    "&password=mot+mat+khau+moi", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	ps_value(&r, "challenge_id", id, sizeof(id));
	resp_free(&r);
	CHECK_EQ_INT(clock_advance(s.clock, 61), 0);
	ps_newest_code(&s, code);
	snprintf(form, sizeof(form), "challenge_id=%s&code=%s", id, code);
	CHECK_EQ_INT(send(&s, &b, "/unlock/code", form, &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/done?n=unlocked");
	resp_free(&r);
	CHECK(!ps_log_has(&s, "mot mat khau moi"));
	pagesrv_down(&s);
}

T_MAIN({ "first_forms", first_forms },
    { "register_and_sign_in", register_and_sign_in },
    { "refusals_keep_values", refusals_keep_values },
    { "lock_unlock_forgot", lock_unlock_forgot })
