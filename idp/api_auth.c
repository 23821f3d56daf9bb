/*
 * api_auth: JSON handlers for registration, login, the session's account,
 * lock, unlock and password reset.
 */
#include "api_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "front.h"
#include "otp.h"
#include "password.h"
#include "person.h"
#include "qr.h"
#include "registry.h"
#include "totp.h"

#define JSON_DEPTH 8
#define F_ID 64			/* ids and personal IDs, bytes */
#define F_CODE 16
#define F_PHONE 32
#define F_NAME 1024
#define F_PASSWORD 1024

/* The JSON body and its fields, or NULL after answering. */
static json_t *
body_fields(struct http_req *r, const struct front_field *f, size_t n,
    const char **out)
{
	json_t *body = http_json_body(r, JSON_DEPTH);

	if (body != NULL && front_json_fields(r, body, f, n, out) != 0) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static void
retry_after(struct http_req *r, int64_t seconds)
{
	char v[24];

	snprintf(v, sizeof(v), "%lld", (long long)(seconds > 0 ? seconds : 1));
	http_add_header(r, "Retry-After", v);
}

/* 429 for an address over its budget; true when answered. */
static bool
limited(struct http_req *r, const struct routes_ctx *ctx)
{
	int64_t wait = front_limited(r, ctx);

	if (wait == 0)
		return false;
	retry_after(r, wait);
	http_respond_error(r, 429, "rate_limited",
	    "too many attempts from this network; try again later");
	return true;
}

/* Answers the auth_err (or accounts/db error) `rc`. */
static void
auth_error(struct http_req *r, const struct routes_ctx *ctx, int rc,
    int64_t wait)
{
	switch (rc) {
	case AUTH_BAD_CREDENTIALS:
		http_respond_error(r, 401, "invalid_credentials",
		    "the personal ID or the password is wrong");
		return;
	case AUTH_DELAYED:
		retry_after(r, wait);
		http_respond_error(r, 429, "too_many_attempts",
		    "too many wrong passwords; wait before trying again");
		return;
	case AUTH_LOCKED:
		http_respond_error(r, 423, "account_locked",
		    "the account is locked; unlock it with the password and an SMS code");
		return;
	case AUTH_DISABLED:
		http_respond_error(r, 403, "account_disabled",
		    "the account is closed: the registry records its holder as deceased");
		return;
	case AUTH_BAD_TX:
		http_respond_error(r, 400, "invalid_transaction",
		    "unknown, used or expired step; start again");
		return;
	case AUTH_BAD_CODE:
	case ACC_BAD_CODE:
		http_respond_error(r, 400, "invalid_code", "the code is wrong");
		return;
	case AUTH_EXPIRED:
	case ACC_EXPIRED:
		http_respond_error(r, 400, "expired_code",
		    "the code has expired; ask for a new one");
		return;
	case AUTH_TOO_MANY:
	case ACC_TOO_MANY_ATTEMPTS:
		http_respond_error(r, 400, "too_many_attempts",
		    "too many wrong codes; start again");
		return;
	case AUTH_RESEND_WAIT:
	case ACC_RESEND_WAIT:
		retry_after(r, wait);
		http_respond_error(r, 429, "resend_too_soon",
		    "a new code can be sent 60 seconds after the last one");
		return;
	case AUTH_RATE_LIMITED:
	case ACC_RATE_LIMITED:
		retry_after(r, 3600);
		http_respond_error(r, 429, "rate_limited",
		    "too many codes sent to this phone; try again later");
		return;
	default:
		front_db_error(r, ctx->log, rc);
	}
}

/* ---- registration ---- */

static const struct front_field REG_FIELDS[] = {
	{ "personal_id", F_ID }, { "full_name", F_NAME }, { "birth_date", F_ID },
	{ "phone", F_PHONE }, { "password", F_PASSWORD },
};

static struct accounts_reg_input
reg_input(const char **v)
{
	return (struct accounts_reg_input){ v[0], v[1], v[2], v[3], v[4], NULL };
}

static void
register_error(struct http_req *r, const struct routes_ctx *ctx, int rc,
    const char *why)
{
	if (rc == ACC_INVALID)
		http_respond_error(r, 400, "invalid_request", why);
	else if (rc == ACC_BAD_PHONE)
		http_respond_error(r, 400, "invalid_phone", why);
	else if (rc == ACC_WEAK_PASSWORD)
		http_respond_error(r, 400, "weak_password", why);
	else
		auth_error(r, ctx, rc, 0);
}

static void
register_done(struct http_req *r, void *arg, void *jobp)
{
	struct routes_ctx *ctx = arg;
	struct pwjob *job = jobp;
	const char *v[ARRAY_LEN(REG_FIELDS)];
	struct accounts_reg_input in;
	char reg[ACC_ID_SIZE], why[200];
	json_t *body = body_fields(r, REG_FIELDS, ARRAY_LEN(REG_FIELDS), v);
	int rc;

	if (body == NULL)
		goto done;
	in = reg_input(v);
	in.password_hash = pwjob_new_hash(job);
	if (in.password_hash == NULL) {
		http_respond_error(r, 500, "server_error", "cannot hash the password");
		goto done;
	}
	rc = accounts_register_start(ctx->db, ctx->seal, &in, clock_now(ctx->clock),
	    reg, why, sizeof(why));
	if (rc != ACC_OK) {
		register_error(r, ctx, rc, why);
		goto done;
	}
	/* The same answer whether or not the details matched the registry. */
	http_respond_json(r, 202, json_pack("{s:s, s:i, s:i, s:s}",
	    "registration_id", reg, "expires_in", CH_TTL, "resend_after",
	    CH_RESEND_AFTER, "message", "if the details match the population "
	    "registry, a code has been sent to the phone"));
done:
	json_decref(body);
	pwjob_free(job);
}

static void
h_register(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *v[ARRAY_LEN(REG_FIELDS)];
	struct accounts_reg_input in;
	char why[200];
	json_t *body = body_fields(r, REG_FIELDS, ARRAY_LEN(REG_FIELDS), v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	in = reg_input(v);
	if ((rc = accounts_register_check(&in, why, sizeof(why))) != ACC_OK) {
		register_error(r, ctx, rc, why);
		goto done;
	}
	front_defer(r, ctx, pwjob_hash(in.password), register_done);
done:
	json_decref(body);
}

static void
h_register_resend(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	static const struct front_field f[] = { { "registration_id", F_ID } };
	const char *v[1];
	json_t *body = body_fields(r, f, 1, v);
	int64_t wait = 0;
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	rc = accounts_register_resend(ctx->db, ctx->seal, v[0],
	    clock_now(ctx->clock), &wait);
	if (rc != ACC_OK)
		auth_error(r, ctx, rc, wait);
	else
		http_respond_json(r, 202, json_pack("{s:i, s:i}", "expires_in",
		    CH_TTL, "resend_after", CH_RESEND_AFTER));
done:
	json_decref(body);
}

static void
h_register_confirm(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	static const struct front_field f[] = { { "registration_id", F_ID },
	    { "code", F_CODE } };
	const char *v[2];
	char acc[ACC_ID_SIZE];
	json_t *body = body_fields(r, f, 2, v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	rc = accounts_register_confirm(ctx->db, ctx->seal, v[0], v[1],
	    clock_now(ctx->clock), acc);
	if (rc == ACC_EXISTS)
		http_respond_error(r, 409, "account_exists",
		    "this person already has an account");
	else if (rc != ACC_OK)
		auth_error(r, ctx, rc, 0);
	else {
		log_event(ctx->log, LOG_INFO, "account.created", "account_level", "1", NULL);
		http_respond_json(r, 201, json_pack("{s:s, s:i}", "account_id", acc,
		    "level", 1));
	}
done:
	json_decref(body);
}

/* ---- password steps: login, lock, unlock ---- */

static const struct front_field PW_FIELDS[] = {
	{ "personal_id", F_ID }, { "password", F_PASSWORD },
};

static void
step_answer(struct http_req *r, const char *purpose, const struct auth_step *s)
{
	const char *idname = strcmp(purpose, "login") == 0 ? "login_id" :
	    "challenge_id";

	http_respond_json(r, 200, json_pack("{s:s, s:s, s:s, s:i}", idname, s->id,
	    "method", s->factor, "phone", s->phone_masked, "expires_in", CH_TTL));
}

static void
password_done(struct http_req *r, void *arg, void *jobp)
{
	struct routes_ctx *ctx = arg;
	struct pwjob *job = jobp;
	const char *purpose = pwjob_data(job);
	const char *v[2];
	char addr[64];
	struct auth_meta meta;
	struct auth_step s;
	struct auth_verdict verdict = { pwjob_ok(job), pwjob_new_hash(job) };
	json_t *body = body_fields(r, PW_FIELDS, 2, v);
	int rc;

	if (body == NULL)
		goto done;
	front_meta(r, addr, &meta);
	rc = auth_password_step(ctx->auth, purpose, v[0], &verdict, &meta,
	    clock_now(ctx->clock), &s);
	if (rc != DB_OK) {
		char masked[13];

		log_mask_id(v[0], masked);
		log_event(ctx->log, LOG_INFO, "auth.password_refused", "purpose",
		    purpose, "personal_id", masked, "addr", addr, "reason",
		    auth_strerror(rc), NULL);
		auth_error(r, ctx, rc, s.wait);
	} else
		step_answer(r, purpose, &s);
done:
	json_decref(body);
	pwjob_free(job);
}

static void
password_step(struct http_req *r, struct routes_ctx *ctx, const char *purpose)
{
	const char *v[2];
	char hash[crypto_pwhash_STRBYTES];
	struct pwjob *job;
	json_t *body = body_fields(r, PW_FIELDS, 2, v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	if ((rc = auth_password_target(ctx->auth, v[0], hash)) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		goto done;
	}
	if ((job = pwjob_verify(hash, v[1])) != NULL)
		pwjob_set_data(job, (void *)(uintptr_t)purpose, NULL);
	front_defer(r, ctx, job, password_done);
done:
	sodium_memzero(hash, sizeof(hash));
	json_decref(body);
}

static void
h_login(struct http_req *r, void *arg)
{
	password_step(r, arg, "login");
}

static void
h_lock(struct http_req *r, void *arg)
{
	password_step(r, arg, "lock");
}

static void
h_unlock(struct http_req *r, void *arg)
{
	password_step(r, arg, "unlock");
}

static void
h_login_code(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	static const struct front_field f[] = { { "login_id", F_ID }, { "code", F_CODE } };
	const char *v[2];
	char addr[64];
	struct auth_meta meta;
	struct auth_session s;
	json_t *body = body_fields(r, f, 2, v), *amr;
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	front_meta(r, addr, &meta);
	rc = auth_login_finish(ctx->auth, v[0], v[1], &meta, clock_now(ctx->clock), &s);
	if (rc != DB_OK) {
		auth_error(r, ctx, rc, 0);
		goto done;
	}
	log_event(ctx->log, LOG_INFO, "auth.login", "amr", s.amr, "addr", addr, NULL);
	front_set_session(r, ctx, s.token, (long)auth_limits(ctx->auth)->absolute);
	amr = front_amr_json(s.amr);
	http_respond_json(r, 200, json_pack("{s:s, s:s, s:I, s:s, s:i, s:s, s:o, s:I}",
	    "session_token", s.token, "token_type", "Bearer",
	    "expires_in", (json_int_t)auth_limits(ctx->auth)->idle,
	    "account_id", s.account_id, "level", s.level, "acr", s.acr,
	    "amr", amr, "auth_time", (json_int_t)s.auth_time));
	sodium_memzero(&s, sizeof(s));
done:
	json_decref(body);
}

static void
resend(struct http_req *r, struct routes_ctx *ctx, const char *purpose,
    const char *idname)
{
	const struct front_field f[] = { { idname, F_ID } };
	const char *v[1];
	json_t *body = body_fields(r, f, 1, v);
	int64_t wait = 0;
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	rc = auth_resend(ctx->auth, purpose, v[0], clock_now(ctx->clock), &wait);
	if (rc != DB_OK)
		auth_error(r, ctx, rc, wait);
	else
		http_respond_json(r, 202, json_pack("{s:i, s:i}", "expires_in",
		    CH_TTL, "resend_after", CH_RESEND_AFTER));
done:
	json_decref(body);
}

static void
h_login_resend(struct http_req *r, void *arg)
{
	resend(r, arg, "login", "login_id");
}

static void
h_challenge_resend(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *path = http_path(r);
	const char *purpose = strncmp(path, "/v1/lock", 8) == 0 ? "lock" :
	    strncmp(path, "/v1/unlock", 10) == 0 ? "unlock" : "reset";

	resend(r, ctx, purpose, "challenge_id");
}

static void
action_confirm(struct http_req *r, struct routes_ctx *ctx, const char *purpose)
{
	static const struct front_field f[] = { { "challenge_id", F_ID },
	    { "code", F_CODE } };
	const char *v[2];
	json_t *body = body_fields(r, f, 2, v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	rc = auth_action_finish(ctx->auth, purpose, v[0], v[1], clock_now(ctx->clock));
	if (rc != DB_OK) {
		auth_error(r, ctx, rc, 0);
		goto done;
	}
	log_event(ctx->log, LOG_INFO, strcmp(purpose, "lock") == 0 ?
	    "account.locked" : "account.unlocked", "by", "sms", NULL);
	http_respond_json(r, 200, json_pack("{s:s}", "status",
	    strcmp(purpose, "lock") == 0 ? "locked" : "active"));
done:
	json_decref(body);
}

static void
h_lock_confirm(struct http_req *r, void *arg)
{
	action_confirm(r, arg, "lock");
}

static void
h_unlock_confirm(struct http_req *r, void *arg)
{
	action_confirm(r, arg, "unlock");
}

/* ---- forgotten password ---- */

static void
h_forgot(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	static const struct front_field f[] = { { "personal_id", F_ID },
	    { "phone", F_PHONE } };
	const char *v[2];
	char id[CH_ID_SIZE];
	json_t *body = body_fields(r, f, 2, v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	/* The format is no secret; a malformed ID spends no code. */
	if (!person_id_valid(v[0])) {
		http_respond_error(r, 400, "invalid_request",
		    "personal_id must be 12 digits");
		goto done;
	}
	rc = auth_reset_start(ctx->auth, v[0], v[1], clock_now(ctx->clock), id);
	if (rc == ACC_BAD_PHONE)
		http_respond_error(r, 400, "invalid_phone",
		    "phone must be a Vietnamese mobile number (0xxxxxxxxx or +84xxxxxxxxx)");
	else if (rc != DB_OK)
		auth_error(r, ctx, rc, 0);
	else
		http_respond_json(r, 202, json_pack("{s:s, s:i, s:i, s:s}",
		    "challenge_id", id, "expires_in", CH_TTL, "resend_after",
		    CH_RESEND_AFTER, "message", "if the personal ID and phone match "
		    "an account, a code has been sent to the phone"));
done:
	json_decref(body);
}

static const struct front_field RESET_FIELDS[] = {
	{ "challenge_id", F_ID }, { "code", F_CODE }, { "password", F_PASSWORD },
};

static void
reset_done(struct http_req *r, void *arg, void *jobp)
{
	struct routes_ctx *ctx = arg;
	struct pwjob *job = jobp;
	const char *v[3];
	json_t *body = body_fields(r, RESET_FIELDS, 3, v);
	int rc;

	if (body == NULL)
		goto done;
	if (pwjob_new_hash(job) == NULL) {
		http_respond_error(r, 500, "server_error", "cannot hash the password");
		goto done;
	}
	rc = auth_reset_finish(ctx->auth, v[0], v[1], v[2], pwjob_new_hash(job),
	    clock_now(ctx->clock));
	if (rc == AUTH_WEAK_PASSWORD) {
		http_respond_error(r, 400, "weak_password", "the password is built "
		    "from the personal ID, birth date or name");
		goto done;
	}
	if (rc != DB_OK) {
		auth_error(r, ctx, rc, 0);
		goto done;
	}
	log_event(ctx->log, LOG_INFO, "account.password_reset", NULL);
	http_respond_json(r, 200, json_pack("{s:s}", "status", "password_changed"));
done:
	json_decref(body);
	pwjob_free(job);
}

static void
h_reset(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *v[3];
	char why[200];
	json_t *body = body_fields(r, RESET_FIELDS, 3, v);
	int rc;

	if (body == NULL || limited(r, ctx))
		goto done;
	/* The rules that need no account; the personal ones follow the code. */
	rc = password_check(v[2], NULL, NULL, NULL, why, sizeof(why));
	if (rc != PW_OK) {
		http_respond_error(r, 400, "weak_password", why);
		goto done;
	}
	front_defer(r, ctx, pwjob_hash(v[2]), reset_done);
done:
	json_decref(body);
}

/* ---- the session's own account ---- */

/* The request's live session into *s: 0, or -1 after answering 401. */
static int
need_session(struct http_req *r, struct routes_ctx *ctx, struct session *s)
{
	int rc = auth_session_get(ctx->auth, front_session_token(r, ctx),
	    clock_now(ctx->clock), s);

	if (rc == DB_OK)
		return 0;
	if (rc == SESS_NOT_FOUND) {
		http_add_header(r, "WWW-Authenticate", "Bearer");
		http_respond_error(r, 401, "invalid_session",
		    "no session, or the session has expired; sign in again");
	} else
		front_db_error(r, ctx->log, rc);
	return -1;
}

static json_t *
me_json(const struct account *acc, const struct person *p,
    const struct session *s, bool totp)
{
	char masked[PHONE_MASK_SIZE];

	phone_mask(acc->phone, masked);
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:I}",
	    "account_id", acc->account_id, "personal_id", acc->personal_id,
	    "level", acc->level, "status", acc->status, "full_name", p->full_name,
	    "birth_date", p->birth_date, "residence", p->residence,
	    "phone", masked, "totp", totp, "acr", s->acr, "amr", front_amr_json(s->amr),
	    "auth_time", (json_int_t)s->auth_time);
}

static void
h_me(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct session s;
	struct account acc;
	struct person p;
	struct db_conn *c;
	bool totp = false;
	int rc;

	if (need_session(r, ctx, &s) != 0)
		return;
	if ((c = db_acquire(ctx->db)) == NULL) {
		front_db_error(r, ctx->log, DB_ERR);
		return;
	}
	if ((rc = accounts_get(c, s.account_id, &acc)) == DB_OK &&
	    (rc = registry_get(c, acc.personal_id, &p)) == DB_OK)
		rc = totp_enabled(c, acc.account_id, &totp);
	db_release(ctx->db, c);
	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	http_respond_json(r, 200, me_json(&acc, &p, &s, totp));
	sodium_memzero(&acc, sizeof(acc));
}

static void
h_logout(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	const char *token = front_session_token(r, ctx);
	int rc = token != NULL ? auth_logout(ctx->auth, token) : DB_OK;

	if (rc != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	front_set_session(r, ctx, NULL, 0);
	http_respond(r, 204, NULL, "", 0);
}

static void
h_me_lock(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct session s;
	int rc;

	if (need_session(r, ctx, &s) != 0)
		return;
	if ((rc = auth_lock_self(ctx->auth, s.account_id, clock_now(ctx->clock))) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	log_event(ctx->log, LOG_INFO, "account.locked", "by", "session", NULL);
	front_set_session(r, ctx, NULL, 0);
	http_respond_json(r, 200, json_pack("{s:s}", "status", "locked"));
}

/* Runs a TOTP call on a connection of its own; DB_OK or its error. */
static int
totp_call(struct routes_ctx *ctx, const struct session *s, const char *code,
    char b32[TOTP_B32_SIZE], char uri[TOTP_URI_SIZE])
{
	struct db_conn *c = db_acquire(ctx->db);
	struct account acc;
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = accounts_get(c, s->account_id, &acc)) != DB_OK)
		goto fail;
	if (code == NULL) {
		char label[13];

		/* What the authenticator app shows: enough to recognise, no more. */
		log_mask_id(acc.personal_id, label);
		rc = totp_begin(c, ctx->seal, acc.account_id, "dinhdanh", label,
		    b32, uri);
	}
	else
		rc = totp_confirm(c, ctx->seal, acc.account_id, code,
		    clock_now(ctx->clock));
fail:
	db_release(ctx->db, c);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

static void
h_me_totp(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct session s;
	char b32[TOTP_B32_SIZE], uri[TOTP_URI_SIZE], *svg = NULL;
	int rc;

	if (need_session(r, ctx, &s) != 0)
		return;
	if ((rc = totp_call(ctx, &s, NULL, b32, uri)) != DB_OK) {
		front_db_error(r, ctx->log, rc);
		return;
	}
	svg = qr_svg(uri, "otpauth");
	http_respond_json(r, 200, json_pack("{s:s, s:s, s:s?}", "secret", b32,
	    "otpauth_uri", uri, "qr_svg", svg));
	free(svg);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
}

static void
h_me_totp_confirm(struct http_req *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	static const struct front_field f[] = { { "code", F_CODE } };
	const char *v[1];
	struct session s;
	json_t *body;
	int rc;

	if (need_session(r, ctx, &s) != 0)
		return;
	if ((body = body_fields(r, f, 1, v)) == NULL || limited(r, ctx))
		goto done;
	rc = totp_call(ctx, &s, v[0], NULL, NULL);
	if (rc == TOTP_BAD_CODE)
		http_respond_error(r, 400, "invalid_code", "the code is wrong");
	else if (rc == TOTP_NONE)
		http_respond_error(r, 400, "invalid_transaction",
		    "no authenticator enrolment is pending; start again");
	else if (rc != DB_OK)
		front_db_error(r, ctx->log, rc);
	else {
		log_event(ctx->log, LOG_INFO, "account.totp_enabled", NULL);
		http_respond_json(r, 200, json_pack("{s:b}", "totp", 1));
	}
done:
	json_decref(body);
}

static const struct http_route ROUTES[] = {
	{ "POST", "/v1/accounts", h_register },
	{ "POST", "/v1/accounts/resend", h_register_resend },
	{ "POST", "/v1/accounts/confirm", h_register_confirm },
	{ "POST", "/v1/login", h_login },
	{ "POST", "/v1/login/code", h_login_code },
	{ "POST", "/v1/login/resend", h_login_resend },
	{ "GET", "/v1/me", h_me },
	{ "POST", "/v1/me/totp", h_me_totp },
	{ "POST", "/v1/me/totp/confirm", h_me_totp_confirm },
	{ "POST", "/v1/me/lock", h_me_lock },
	{ "POST", "/v1/logout", h_logout },
	{ "POST", "/v1/lock", h_lock },
	{ "POST", "/v1/lock/confirm", h_lock_confirm },
	{ "POST", "/v1/lock/resend", h_challenge_resend },
	{ "POST", "/v1/unlock", h_unlock },
	{ "POST", "/v1/unlock/confirm", h_unlock_confirm },
	{ "POST", "/v1/unlock/resend", h_challenge_resend },
	{ "POST", "/v1/password/forgot", h_forgot },
	{ "POST", "/v1/password/reset", h_reset },
	{ "POST", "/v1/password/resend", h_challenge_resend },
};

const struct http_route *
api_auth_routes(size_t *n)
{
	*n = ARRAY_LEN(ROUTES);
	return ROUTES;
}
