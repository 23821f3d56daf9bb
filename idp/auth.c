/*
 * auth: password step with lockout, second step, lock, unlock, reset, and
 * the effect of a death, each step one transaction.
 */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "credentials.h"
#include "lockout.h"
#include "oidc.h"
#include "password.h"
#include "person.h"
#include "phone.h"
#include "registry.h"
#include "signins.h"
#include "totp.h"

struct auth {
	struct db *db;
	const struct seal *seal;
	struct session_limits limits;
	char decoy_hash[crypto_pwhash_STRBYTES];
};

/* A step's body inside a transaction; *keep commits a failure too (a counted attempt). */
typedef int (*tx_fn)(struct auth *, struct db_conn *, void *arg, bool *keep);

static int
run_tx(struct auth *a, tx_fn fn, void *arg)
{
	struct db_conn *c;
	bool keep = false;
	int rc;

	if ((c = db_acquire(a->db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	rc = fn(a, c, arg, &keep);
	if (rc == DB_OK || keep) {
		int crc = db_commit(c);

		rc = crc != DB_OK ? crc : rc;
	} else {
		db_rollback(c);
	}
fail:
	db_release(a->db, c);
	return rc;
}

int
auth_new(struct db *db, const struct seal *seal,
    const struct session_limits *limits, struct auth **out)
{
	struct auth *a;
	uint8_t rnd[16];
	char pw[33];

	if (db == NULL || seal == NULL || limits == NULL || out == NULL)
		return -1;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	a->db = db;
	a->seal = seal;
	a->limits = *limits;
	/* A hash nobody knows the password of, with today's parameters. */
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (password_hash(pw, a->decoy_hash) != 0) {
		free(a);
		return -1;
	}
	sodium_memzero(pw, sizeof(pw));
	*out = a;
	return 0;
}

void
auth_free(struct auth *a)
{
	free(a);
}

const char *
auth_strerror(int rc)
{
	switch (rc) {
	case AUTH_BAD_CREDENTIALS: return "bad_credentials";
	case AUTH_DELAYED: return "delayed";
	case AUTH_LOCKED: return "locked";
	case AUTH_DISABLED: return "disabled";
	case AUTH_BAD_TX: return "bad_transaction";
	case AUTH_BAD_CODE: return "bad_code";
	case AUTH_EXPIRED: return "expired";
	case AUTH_TOO_MANY: return "too_many_attempts";
	case AUTH_RESEND_WAIT: return "resend_wait";
	case AUTH_RATE_LIMITED: return "rate_limited";
	case AUTH_WEAK_PASSWORD: return "weak_password";
	default: return db_strerror(rc);
	}
}

const struct session_limits *
auth_limits(const struct auth *a)
{
	return &a->limits;
}

int
auth_password_target(struct auth *a, const char *personal_id,
    char hash[crypto_pwhash_STRBYTES])
{
	struct account acc;
	struct db_conn *c;
	int rc;

	if (a == NULL || hash == NULL)
		return DB_ERR;
	snprintf(hash, crypto_pwhash_STRBYTES, "%s", a->decoy_hash);
	if (personal_id == NULL)
		return DB_OK;
	if ((c = db_acquire(a->db)) == NULL)
		return DB_ERR;
	rc = accounts_get_by_personal_id(c, personal_id, &acc);
	db_release(a->db, c);
	/* An account made at a desk has no password yet: the decoy's cost too. */
	if (rc == DB_OK && acc.password_hash[0] != '\0')
		snprintf(hash, crypto_pwhash_STRBYTES, "%s", acc.password_hash);
	sodium_memzero(&acc, sizeof(acc));
	return rc == DB_OK || rc == ACC_NOT_FOUND ? DB_OK : rc;
}

static int
record(struct db_conn *c, const char *account_id, const char *outcome,
    const char *method, const struct auth_meta *m, int64_t now)
{
	struct signin s = { now, outcome, method, m != NULL ? m->addr : NULL,
	    m != NULL ? m->user_agent : NULL };

	return signins_record(c, account_id, &s);
}

struct pw_args {
	const char *purpose, *personal_id;
	const struct auth_verdict *v;
	const struct auth_meta *meta;
	int64_t now;
	struct auth_step *out;
	const struct seal *seal;
};

static int
audit_failure(struct db_conn *c, const struct pw_args *p,
    const struct account *acc, bool delayed)
{
	json_t *d = json_pack("{s:s, s:s}", "purpose", p->purpose, "reason",
	    delayed ? "delayed" : "wrong_password");
	int rc = d != NULL ? audit_append(c, p->seal, "login_failure", "citizen",
	    acc->personal_id, d, p->now) : DB_ERR;

	json_decref(d);
	return rc;
}

/*
 * A failure: a wrong password, or any attempt inside the delay. Counted,
 * perhaps the hard lock, recorded; the answer for it. Inside the delay a
 * right password is counted and answered exactly like a wrong one (same
 * status, same wait), so guesses made there learn nothing.
 */
static int
failure(struct db_conn *c, const struct account *acc, const struct pw_args *p,
    bool delayed, bool *keep)
{
	int f = 0, rc;

	if ((rc = accounts_note_failure(c, acc->account_id, p->now, &f)) != DB_OK)
		return rc;
	if (lockout_hard(f) && strcmp(acc->status, "active") == 0 &&
	    ((rc = accounts_set_status(c, acc->account_id, "locked", "failures",
	    p->now)) != DB_OK ||
	    (rc = credentials_revoke_account(c, p->seal, acc->account_id,
	    p->now)) != DB_OK ||
	    (rc = audit_append(c, p->seal, "lockout", "system", acc->personal_id,
	    NULL, p->now)) != DB_OK))
		return rc;
	if ((rc = record(c, acc->account_id, delayed ? "delayed" :
	    "wrong_password", "pwd", p->meta, p->now)) != DB_OK ||
	    (rc = audit_failure(c, p, acc, delayed)) != DB_OK)
		return rc;
	*keep = true;
	p->out->wait = lockout_wait(f, p->now, p->now);
	return delayed ? AUTH_DELAYED : AUTH_BAD_CREDENTIALS;
}

/* Whether the account may take this step; the refusal is recorded. */
static int
may_proceed(struct db_conn *c, const struct account *acc,
    const struct pw_args *p, bool *keep)
{
	const char *refusal = NULL;
	int rc = DB_OK;

	if (strcmp(acc->status, "disabled") == 0) {
		refusal = "disabled";
		rc = AUTH_DISABLED;
	} else if (strcmp(acc->status, "locked") == 0 &&
	    strcmp(p->purpose, "unlock") != 0) {
		refusal = "locked";
		rc = AUTH_LOCKED;
	}
	if (refusal == NULL)
		return DB_OK;
	*keep = record(c, acc->account_id, refusal, "pwd", p->meta, p->now) == DB_OK;
	return rc;
}

static int
password_step_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct pw_args *p = arg;
	struct account acc;
	bool totp = false, delayed;
	int rc;

	rc = accounts_get_by_personal_id(c, p->personal_id, &acc);
	if (rc != DB_OK)
		return rc == ACC_NOT_FOUND ? AUTH_BAD_CREDENTIALS : rc;
	delayed = lockout_wait(acc.failures, acc.last_failure_at, p->now) > 0;
	if (delayed || !p->v->ok) {
		rc = failure(c, &acc, p, delayed, keep);
		goto done;
	}
	if ((rc = may_proceed(c, &acc, p, keep)) != DB_OK ||
	    (rc = accounts_clear_failures(c, acc.account_id)) != DB_OK)
		goto done;
	if (p->v->new_hash != NULL && (rc = accounts_set_password(c,
	    acc.account_id, p->v->new_hash, p->now)) != DB_OK)
		goto done;
	if (strcmp(p->purpose, "login") == 0 &&
	    (rc = totp_enabled(c, acc.account_id, &totp)) != DB_OK)
		goto done;
	snprintf(p->out->factor, sizeof(p->out->factor), "%s", totp ? "totp" : "sms");
	phone_mask(acc.phone, p->out->phone_masked);
	rc = challenge_create(c, a->seal, p->purpose, acc.account_id,
	    p->out->factor, acc.phone, p->now, p->out->id);
	if (rc == CH_RATE_LIMITED)
		rc = AUTH_RATE_LIMITED;
done:
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

int
auth_password_step(struct auth *a, const char *purpose,
    const char *personal_id, const struct auth_verdict *v,
    const struct auth_meta *meta, int64_t now, struct auth_step *out)
{
	struct pw_args p = { purpose, personal_id, v, meta, now, out, a->seal };

	if (a == NULL || purpose == NULL || v == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (strcmp(purpose, "login") != 0 && strcmp(purpose, "lock") != 0 &&
	    strcmp(purpose, "unlock") != 0)
		return DB_ERR;
	if (personal_id == NULL)
		return AUTH_BAD_CREDENTIALS;
	return run_tx(a, password_step_tx, &p);
}

static int
from_challenge(int rc)
{
	switch (rc) {
	case CH_UNKNOWN:
		return AUTH_BAD_TX;
	case CH_BAD_CODE:
		return AUTH_BAD_CODE;
	case CH_EXPIRED:
		return AUTH_EXPIRED;
	case CH_TOO_MANY:
		return AUTH_TOO_MANY;
	case CH_RESEND_WAIT:
		return AUTH_RESEND_WAIT;
	case CH_RATE_LIMITED:
		return AUTH_RATE_LIMITED;
	default:
		return rc;
	}
}

int
auth_step_info(struct auth *a, const char *purpose, const char *id,
    int64_t now, struct auth_step *out)
{
	struct challenge ch;
	struct db_conn *c;
	int rc;

	if (a == NULL || purpose == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if ((c = db_acquire(a->db)) == NULL)
		return DB_ERR;
	rc = challenge_get(c, id, purpose, now, &ch);
	db_release(a->db, c);
	if (rc != DB_OK)
		return from_challenge(rc);
	snprintf(out->id, sizeof(out->id), "%s", ch.id);
	snprintf(out->factor, sizeof(out->factor), "%s", ch.factor);
	phone_mask(ch.phone, out->phone_masked);
	return DB_OK;
}

struct resend_args {
	const char *purpose, *id;
	int64_t now, *wait;
};

static int
resend_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct resend_args *r = arg;

	UNUSED(keep);
	return challenge_resend(c, a->seal, r->id, r->purpose, r->now, r->wait);
}

int
auth_resend(struct auth *a, const char *purpose, const char *id, int64_t now,
    int64_t *wait)
{
	struct resend_args r = { purpose, id, now, wait };

	if (a == NULL || purpose == NULL || wait == NULL)
		return DB_ERR;
	*wait = 0;
	return from_challenge(run_tx(a, resend_tx, &r));
}

/*
 * Checks the code of challenge `id` by its factor; a wrong one is counted
 * (and recorded when `meta` is given) with *keep set.
 */
static int
second_factor(struct auth *a, struct db_conn *c, const char *purpose,
    const char *id, const char *code, int64_t now,
    const struct auth_meta *meta, struct challenge *ch, bool *keep)
{
	int rc;

	if ((rc = challenge_get(c, id, purpose, now, ch)) != DB_OK)
		return from_challenge(rc);
	if (strcmp(ch->factor, "totp") == 0) {
		rc = totp_verify(c, a->seal, ch->subject, code, now);
		if (rc == TOTP_BAD_CODE || rc == TOTP_NONE)
			rc = challenge_fail(c, ch->id) == DB_OK ? CH_BAD_CODE : DB_ERR;
		else if (rc == DB_OK)
			rc = challenge_consume(c, ch->id, now);
	} else {
		rc = challenge_check_code(c, a->seal, id, purpose, code, now, ch);
	}
	if (rc == CH_BAD_CODE) {
		*keep = true;
		if (meta != NULL && ch->subject[0] != '\0' &&
		    record(c, ch->subject, "wrong_code", strcmp(ch->factor, "totp") == 0 ?
		    "pwd+totp" : "pwd+sms", meta, now) != DB_OK)
			return DB_ERR;
	}
	return from_challenge(rc);
}

static int
status_refusal(const struct account *acc)
{
	if (strcmp(acc->status, "disabled") == 0)
		return AUTH_DISABLED;
	if (strcmp(acc->status, "locked") == 0)
		return AUTH_LOCKED;
	return DB_OK;
}

struct finish_args {
	const char *id, *code;
	const struct auth_meta *meta;
	int64_t now;
	struct auth_session *out;
};

static int
login_finish_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct finish_args *f = arg;
	struct challenge ch;
	struct account acc;
	bool totp;
	int rc;

	if ((rc = second_factor(a, c, "login", f->id, f->code, f->now, f->meta,
	    &ch, keep)) != DB_OK)
		return rc;
	if ((rc = accounts_get(c, ch.subject, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? AUTH_BAD_TX : rc;
	if ((rc = status_refusal(&acc)) != DB_OK)
		return rc;
	totp = strcmp(ch.factor, "totp") == 0;
	snprintf(f->out->account_id, sizeof(f->out->account_id), "%s", acc.account_id);
	snprintf(f->out->amr, sizeof(f->out->amr), "pwd %s", totp ? "otp" : "sms");
	snprintf(f->out->acr, sizeof(f->out->acr), "%s", AUTH_ACR_LOA1);
	f->out->auth_time = f->now;
	f->out->level = acc.level;
	rc = audit_append(c, a->seal, "login_success", "citizen", acc.personal_id,
	    NULL, f->now);
	sodium_memzero(&acc, sizeof(acc));
	if (rc != DB_OK)
		return rc;
	if ((rc = sessions_create(c, f->out->account_id, f->out->amr,
	    f->out->acr, f->now, f->meta->addr, f->meta->user_agent, f->now,
	    f->out->token)) != DB_OK)
		return rc;
	return record(c, f->out->account_id, "success",
	    totp ? "pwd+totp" : "pwd+sms", f->meta, f->now);
}

int
auth_login_finish(struct auth *a, const char *id, const char *code,
    const struct auth_meta *meta, int64_t now, struct auth_session *out)
{
	struct finish_args f = { id, code, meta, now, out };
	int rc;

	if (a == NULL || meta == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	rc = run_tx(a, login_finish_tx, &f);
	if (rc != DB_OK)
		sodium_memzero(out, sizeof(*out));
	return rc;
}

/*
 * Locks `account_id` by its holder's wish: sessions end, codes and
 * credentials are revoked.
 */
static int
lock_tx(struct db_conn *c, const struct seal *seal, const char *account_id,
    int64_t now)
{
	int n = 0, rc;

	if ((rc = accounts_set_status(c, account_id, "locked", "self", now)) != DB_OK ||
	    (rc = sessions_end_all(c, account_id, &n)) != DB_OK ||
	    (rc = oidc_revoke_account(c, account_id, now)) != DB_OK ||
	    (rc = credentials_revoke_account(c, seal, account_id, now)) != DB_OK)
		return rc;
	return challenge_revoke_subject(c, account_id, now);
}

struct action_args {
	const char *purpose, *id, *code, *password, *new_hash;
	int64_t now;
};

/* The new password against the account holder's own data. */
static int
personal_rules(struct db_conn *c, const char *personal_id, const char *pw)
{
	struct person p;
	int rc;

	if ((rc = registry_get(c, personal_id, &p)) != DB_OK)
		return rc;
	rc = password_check(pw, p.personal_id, p.birth_date, p.full_name, NULL,
	    0) == PW_OK ? DB_OK : AUTH_WEAK_PASSWORD;
	sodium_memzero(&p, sizeof(p));
	return rc;
}

static int
action_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct action_args *x = arg;
	struct challenge ch;
	struct account acc;
	int rc;

	if ((rc = second_factor(a, c, x->purpose, x->id, x->code, x->now, NULL,
	    &ch, keep)) != DB_OK)
		return rc;
	if ((rc = accounts_get(c, ch.subject, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? AUTH_BAD_TX : rc;
	/* Only the id and lock reason are needed from here on. */
	sodium_memzero(acc.password_hash, sizeof(acc.password_hash));
	if (strcmp(acc.status, "disabled") == 0)
		return AUTH_DISABLED;
	if ((rc = audit_append(c, a->seal, strcmp(x->purpose, "lock") == 0 ?
	    "self_lock" : strcmp(x->purpose, "unlock") == 0 ? "unlock" :
	    "password_reset", "citizen", acc.personal_id, NULL, x->now)) != DB_OK)
		return rc;
	if (strcmp(x->purpose, "lock") == 0)
		return lock_tx(c, a->seal, acc.account_id, x->now);
	if (strcmp(x->purpose, "unlock") == 0) {
		if ((rc = accounts_set_status(c, acc.account_id, "active", NULL,
		    x->now)) != DB_OK)
			return rc;
		return accounts_clear_failures(c, acc.account_id);
	}
	/* reset: the new password; a lock for failures is lifted, a self-lock stays */
	if ((rc = personal_rules(c, acc.personal_id, x->password)) != DB_OK ||
	    (rc = accounts_set_password(c, acc.account_id, x->new_hash, x->now)) != DB_OK ||
	    (rc = accounts_clear_failures(c, acc.account_id)) != DB_OK)
		return rc;
	if (strcmp(acc.lock_reason, "failures") == 0 &&
	    (rc = accounts_set_status(c, acc.account_id, "active", NULL, x->now)) != DB_OK)
		return rc;
	{
		int n = 0;

		if ((rc = sessions_end_all(c, acc.account_id, &n)) != DB_OK)
			return rc;
		return oidc_revoke_account(c, acc.account_id, x->now);
	}
}

int
auth_action_finish(struct auth *a, const char *purpose, const char *id,
    const char *code, int64_t now)
{
	struct action_args x = { purpose, id, code, NULL, NULL, now };

	if (a == NULL || purpose == NULL || (strcmp(purpose, "lock") != 0 &&
	    strcmp(purpose, "unlock") != 0))
		return DB_ERR;
	return run_tx(a, action_tx, &x);
}

struct self_lock {
	const char *account_id;
	int64_t now;
};

static int
self_lock_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct self_lock *s = arg;
	struct account acc;
	int rc;

	UNUSED(keep);
	if ((rc = accounts_get(c, s->account_id, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? AUTH_BAD_TX : rc;
	rc = audit_append(c, a->seal, "self_lock", "citizen", acc.personal_id,
	    NULL, s->now);
	sodium_memzero(&acc, sizeof(acc));
	return rc != DB_OK ? rc : lock_tx(c, a->seal, s->account_id, s->now);
}

int
auth_lock_self(struct auth *a, const char *account_id, int64_t now)
{
	struct self_lock s = { account_id, now };

	if (a == NULL || account_id == NULL)
		return DB_ERR;
	return run_tx(a, self_lock_tx, &s);
}

struct reset_args {
	const char *personal_id, *phone;
	int64_t now;
	char *id;
};

static int
reset_start_tx(struct auth *a, struct db_conn *c, void *arg, bool *keep)
{
	struct reset_args *r = arg;
	struct account acc;
	bool real;
	int rc;

	UNUSED(keep);
	rc = accounts_get_by_personal_id(c, r->personal_id, &acc);
	if (rc != DB_OK && rc != ACC_NOT_FOUND)
		return rc;
	real = rc == DB_OK && strcmp(acc.phone, r->phone) == 0 &&
	    strcmp(acc.status, "disabled") != 0;
	rc = challenge_create(c, a->seal, "reset", real ? acc.account_id : "",
	    "sms", r->phone, r->now, r->id);
	sodium_memzero(&acc, sizeof(acc));
	return from_challenge(rc);
}

int
auth_reset_start(struct auth *a, const char *personal_id, const char *phone,
    int64_t now, char id[CH_ID_SIZE])
{
	char e164[PHONE_E164_SIZE];
	struct reset_args r = { personal_id, e164, now, id };

	if (a == NULL || id == NULL)
		return DB_ERR;
	id[0] = '\0';
	if (personal_id == NULL || phone == NULL ||
	    phone_normalize(phone, e164, NULL, 0) != 0)
		return ACC_BAD_PHONE;
	return run_tx(a, reset_start_tx, &r);
}

int
auth_reset_finish(struct auth *a, const char *id, const char *code,
    const char *password, const char *new_hash, int64_t now)
{
	struct action_args x = { "reset", id, code, password, new_hash, now };

	if (a == NULL || password == NULL || new_hash == NULL)
		return DB_ERR;
	return run_tx(a, action_tx, &x);
}

int
auth_session_get(struct auth *a, const char *token, int64_t now,
    struct session *out)
{
	struct db_conn *c;
	int rc;

	if (a == NULL || out == NULL)
		return DB_ERR;
	if (token == NULL)
		return SESS_NOT_FOUND;
	if ((c = db_acquire(a->db)) == NULL)
		return DB_ERR;
	rc = sessions_get(c, token, &a->limits, now, out);
	db_release(a->db, c);
	return rc;
}

int
auth_logout(struct auth *a, const char *token)
{
	struct db_conn *c;
	int rc;

	if (a == NULL || token == NULL)
		return DB_ERR;
	if ((c = db_acquire(a->db)) == NULL)
		return DB_ERR;
	rc = sessions_end(c, token);
	db_release(a->db, c);
	return rc;
}

int
auth_on_death(struct db_conn *c, const struct seal *seal,
    const char *personal_id, int64_t now)
{
	struct account acc;
	int n = 0, rc;

	if (c == NULL || seal == NULL || personal_id == NULL)
		return DB_ERR;
	rc = accounts_get_by_personal_id(c, personal_id, &acc);
	if (rc == ACC_NOT_FOUND)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	if ((rc = accounts_set_status(c, acc.account_id, "disabled", NULL, now)) != DB_OK ||
	    (rc = sessions_end_all(c, acc.account_id, &n)) != DB_OK ||
	    (rc = oidc_revoke_account(c, acc.account_id, now)) != DB_OK ||
	    (rc = credentials_revoke_account(c, seal, acc.account_id, now)) != DB_OK)
		return rc;
	return challenge_revoke_subject(c, acc.account_id, now);
}

static int
on_event(struct db_conn *c, const struct seal *seal,
    const struct registry_event *ev, int64_t now, void *arg)
{
	UNUSED(arg);
	if (ev->type == REG_EV_DEATH)
		return auth_on_death(c, seal, ev->personal_id, now);
	/* The old card's portrait digest is in the credentials: new ones needed. */
	if (ev->type == REG_EV_CARD_REISSUED)
		return credentials_revoke_person(c, seal, ev->personal_id, now);
	return DB_OK;
}

static const struct registry_hooks AUTH_HOOKS = { on_event, NULL };

const struct registry_hooks *
auth_registry_hooks(void)
{
	return &AUTH_HOOKS;
}

int
auth_device_session(struct db_conn *c, const char *account_id,
    const struct auth_meta *meta, int64_t now, struct auth_session *out)
{
	struct account acc;
	int rc;

	if (c == NULL || account_id == NULL || meta == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if ((rc = accounts_get(c, account_id, &acc)) != DB_OK)
		return rc == ACC_NOT_FOUND ? AUTH_BAD_TX : rc;
	if ((rc = status_refusal(&acc)) != DB_OK)
		goto done;
	rc = AUTH_BAD_TX;
	if (acc.level < 2)
		goto done;
	snprintf(out->account_id, sizeof(out->account_id), "%s", acc.account_id);
	snprintf(out->amr, sizeof(out->amr), "swk");
	snprintf(out->acr, sizeof(out->acr), "%s", AUTH_ACR_LOA2);
	out->auth_time = now;
	out->level = acc.level;
	if ((rc = sessions_create(c, out->account_id, out->amr, out->acr, now,
	    meta->addr, meta->user_agent, now, out->token)) == DB_OK)
		rc = record(c, out->account_id, "success", "swk", meta, now);
done:
	if (rc != DB_OK)
		sodium_memzero(out, sizeof(*out));
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}
