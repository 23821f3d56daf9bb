/*
 * test_pages_security: the account page's security and data routes in
 * process: each POST refused without its CSRF field; changing the password
 * refused (sent to /login) once the sign-in is older than REAUTH_WINDOW,
 * accepted and audited after signing in again; a weak new password refused;
 * the export a JSON attachment of the citizen's data without secrets, and
 * only with a session.
 */
#include "t.h"
#include "pagesrv.h"

#include <jansson.h>
#include <string.h>

#include "clock.h"
#include "pages_security.h"

#define NEW_PW "song hong chay mai"

static int
signed_in(struct pagesrv *s, struct browser *b)
{
	return pagesrv_up(s, "test_pages_security") == 0 && ps_register(s, b) == 0 &&
	    ps_login(s, b) == 0 ? 0 : -1;
}

/* POSTs `fields` with the browser's CSRF token to action. */
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

TEST(posts_need_csrf)
{
	static const char *const paths[] = { "/account/password",
	    "/account/consents/revoke", "/account/totp/remove" };
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
		CHECK_EQ_INT(ps_post(&s, &b, paths[i], "password=" "x&client_id=x",
		    NULL, &r), 0);
		CHECK_EQ_INT(r.status, 403);
		resp_free(&r);
		CHECK_EQ_INT(ps_post(&s, &b, paths[i], "csrf=forged&password=x&"
		    "client_id=x", NULL, &r), 0);
		CHECK_EQ_INT(r.status, 403);
		resp_free(&r);
	}
	pagesrv_down(&s);
}

TEST(password_change_needs_recent_sign_in)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char v[128];

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK(strstr(r.body, "action=\"/account/password\"") != NULL);
	CHECK(strstr(r.body, "href=\"/account/export\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(clock_advance(s.clock, REAUTH_WINDOW + 1), 0);
	CHECK_EQ_INT(act(&s, &b, "/account/password", "password=song+hong+chay+mai",
	    &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/login");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'password_changed'"), 0);
	/* signed in again: a weak one refused, a good one taken */
	CHECK_EQ_INT(ps_login(&s, &b), 0);
	CHECK_EQ_INT(act(&s, &b, "/account/password", "password=short", &r), 0);
	CHECK_EQ_INT(r.status, 400);
	resp_free(&r);
	CHECK_EQ_INT(act(&s, &b, "/account/password", "password=song+hong+chay+mai",
	    &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/account?note=password_changed");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'password_changed'"), 1);
	pagesrv_down(&s);
}

TEST(totp_removal_needs_recent_sign_in)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	char v[128];

	CHECK_EQ_INT(signed_in(&s, &b), 0);
	/* no app enrolled: no button, and the action changes nothing */
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK(strstr(r.body, "action=\"/account/totp/remove\"") == NULL);
	resp_free(&r);
	CHECK(fixture_exec(&s.f, "INSERT INTO totp_keys (account_id, secret_sealed, "
	    "last_step, enabled_at) SELECT account_id, 'sealed', -1, 0 FROM accounts") == 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account", &r), 0);
	CHECK(strstr(r.body, "action=\"/account/totp/remove\"") != NULL);
	resp_free(&r);
	CHECK_EQ_INT(clock_advance(s.clock, REAUTH_WINDOW + 1), 0);
	CHECK_EQ_INT(act(&s, &b, "/account/totp/remove", "x=1", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/login");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM totp_keys"), 1);
	/* signed in again (with the app: the second step is TOTP now) */
	CHECK(fixture_exec(&s.f, "DELETE FROM totp_keys") == 0);
	CHECK_EQ_INT(ps_login(&s, &b), 0);
	CHECK(fixture_exec(&s.f, "INSERT INTO totp_keys (account_id, secret_sealed, "
	    "last_step, enabled_at) SELECT account_id, 'sealed', -1, 0 FROM accounts") == 0);
	CHECK_EQ_INT(act(&s, &b, "/account/totp/remove", "x=1", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/account?note=totp_removed");
	resp_free(&r);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM totp_keys"), 0);
	CHECK_EQ_INT(fixture_count(&s.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'totp_removed'"), 1);
	pagesrv_down(&s);
}

TEST(export_is_a_json_attachment)
{
	struct pagesrv s;
	struct browser b = { "", NULL };
	struct resp r;
	json_t *j, *pd, *acc;
	char v[256];

	CHECK_EQ_INT(pagesrv_up(&s, "test_pages_security"), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account/export", &r), 0);
	CHECK_EQ_INT(r.status, 303);
	resp_free(&r);
	pagesrv_down(&s);
	CHECK_EQ_INT(signed_in(&s, &b), 0);
	CHECK_EQ_INT(ps_get(&s, &b, "/account/export", &r), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(strncmp(header(&r, "Content-Disposition", v, sizeof(v)),
	    "attachment;", 11) == 0);
	CHECK(strstr(header(&r, "Content-Type", v, sizeof(v)), "json") != NULL);
	CHECK(strstr(r.body, "argon2") == NULL);
	CHECK(strstr(r.body, "password") == NULL);
	CHECK((j = json_loadb(r.body, r.body_len, 0, NULL)) != NULL);
	pd = json_object_get(j, "personal_data");
	acc = json_object_get(j, "account");
	CHECK_STR(json_string_value(json_object_get(pd, "personal_id")), PS_PID);
	CHECK_STR(json_string_value(json_object_get(pd, "birth_date")), PS_BIRTH);
	CHECK_EQ_INT((int)json_integer_value(json_object_get(acc, "level")), 1);
	CHECK_STR(json_string_value(json_object_get(acc, "level_reached_by")),
	    "registered_online");
	CHECK(json_is_array(json_object_get(j, "devices")));
	CHECK(json_is_array(json_object_get(j, "consents")));
	CHECK(json_is_array(json_object_get(j, "disclosures")));
	CHECK(json_array_size(json_object_get(j, "signins")) >= 1);
	json_decref(j);
	resp_free(&r);
	pagesrv_down(&s);
}

T_MAIN(T(posts_need_csrf), T(password_change_needs_recent_sign_in),
    T(totp_removal_needs_recent_sign_in), T(export_is_a_json_attachment))
