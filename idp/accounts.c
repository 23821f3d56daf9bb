/*
 * accounts: level-1 registration (start and confirm) and account look-ups
 * over the accounts and registrations tables.
 */
#include "accounts.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "audit.h"
#include "b64.h"
#include "challenge.h"
#include "otp.h"
#include "password.h"
#include "person.h"
#include "registry.h"

#define NAME_MAX_CHARS 200

static const char SQL_ACCOUNT_EXISTS[] =
    "SELECT 1 FROM accounts WHERE personal_id = ?";
#define ACCOUNT_COLUMNS "account_id, personal_id, level, phone, " \
    "password_hash, status, created_at, failures, last_failure_at, " \
    "COALESCE(lock_reason, '')"
static const char SQL_GET_BY_PID[] =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE personal_id = ?";
static const char SQL_GET_BY_ID[] =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE account_id = ?";
static const char SQL_INSERT_ACCOUNT[] =
    "INSERT INTO accounts (account_id, personal_id, level, phone, "
    "password_hash, status, created_at, updated_at) "
    "VALUES (?, ?, 1, ?, ?, 'active', ?, ?)";
static const char SQL_INSERT_REG[] =
    "INSERT INTO registrations (id, personal_id, phone, password_hash, "
    "created_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_GET_REG[] =
    "SELECT personal_id, phone, password_hash FROM registrations WHERE id = ?";
static const char SQL_DELETE_REG[] = "DELETE FROM registrations WHERE id = ?";
static const char SQL_FAILURE[] =
    "UPDATE accounts SET failures = failures + 1, last_failure_at = ? "
    "WHERE account_id = ?";
static const char SQL_FAILURES[] =
    "SELECT failures FROM accounts WHERE account_id = ?";
static const char SQL_CLEAR_FAILURES[] =
    "UPDATE accounts SET failures = 0 WHERE account_id = ? AND failures <> 0";
static const char SQL_SET_STATUS[] =
    "UPDATE accounts SET status = ?, lock_reason = ?, updated_at = ? "
    "WHERE account_id = ?";
static const char SQL_SET_PASSWORD[] =
    "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE account_id = ?";
static const char SQL_SET_LEVEL2[] =
    "UPDATE accounts SET level = 2, phone = ?, updated_at = ? WHERE account_id = ?";

static void
new_id(char out[ACC_ID_SIZE])
{
	(void)b64_random(out, ACC_ID_SIZE, 32);
}

static void
set_reason(char *reason, size_t rsz, const char *why)
{
	if (reason != NULL && rsz > 0)
		snprintf(reason, rsz, "%s", why);
}

/* `s` trimmed, with each run of whitespace made one space, into out. */
static int
squeeze(const char *s, char *out, size_t outsz)
{
	size_t n = 0;
	bool space = false;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			space = n > 0;
			continue;
		}
		if (n + 3 > outsz)
			return -1;
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = *s;
	}
	out[n] = '\0';
	return 0;
}

/*
 * Names equal after NFC, whitespace collapsing and case folding; diacritics
 * stay significant.
 */
static bool
names_match(const char *a, const char *b)
{
	char sa[1024], sb[1024];
	int cmp = 1;

	if (squeeze(a, sa, sizeof(sa)) != 0 || squeeze(b, sb, sizeof(sb)) != 0)
		return false;
	if (u8_casecmp((const uint8_t *)sa, strlen(sa), (const uint8_t *)sb,
	    strlen(sb), NULL, UNINORM_NFC, &cmp) != 0)
		return false;
	return cmp == 0;
}


/* The input's own validity; says nothing about the registry. */
static int
check_input(const struct accounts_reg_input *in, char phone[PHONE_E164_SIZE],
    char *reason, size_t rsz)
{
	char name[1024];

	if (in == NULL || !person_id_valid(in->personal_id)) {
		set_reason(reason, rsz, "personal_id must be 12 digits");
		return ACC_INVALID;
	}
	if (in->birth_date == NULL ||
	    !person_date_valid(in->birth_date, strlen(in->birth_date))) {
		set_reason(reason, rsz, "birth_date must be a real date YYYY-MM-DD");
		return ACC_INVALID;
	}
	if (in->full_name == NULL || person_text(in->full_name,
	    strlen(in->full_name), NAME_MAX_CHARS, name, sizeof(name),
	    "full_name", reason, rsz) != 0)
		return ACC_INVALID;
	if (name[0] == '\0') {
		set_reason(reason, rsz, "full_name is empty");
		return ACC_INVALID;
	}
	if (in->phone == NULL || phone_normalize(in->phone, phone, reason, rsz) != 0)
		return ACC_BAD_PHONE;
	if (in->password == NULL || password_check(in->password, in->personal_id,
	    in->birth_date, in->full_name, reason, rsz) != PW_OK)
		return ACC_WEAK_PASSWORD;
	return ACC_OK;
}

/* 1 when `pid` has an account, 0 when not, or a db_err. */
static int
account_exists(struct db_conn *c, const char *pid)
{
	return db_exists(c, SQL_ACCOUNT_EXISTS, pid, NULL);
}

/* 1 when a real registration may start for `in`, 0 for a decoy, or a db_err. */
static int
person_matches(struct db_conn *c, const struct accounts_reg_input *in)
{
	struct person p;
	int rc = registry_get(c, in->personal_id, &p);

	if (rc == REG_NOT_FOUND)
		return 0;
	if (rc != DB_OK)
		return rc;
	if (strcmp(p.status, "living") != 0 ||
	    strcmp(p.birth_date, in->birth_date) != 0 ||
	    !names_match(p.full_name, in->full_name))
		return 0;
	rc = account_exists(c, in->personal_id);
	return rc == 1 ? 0 : rc == DB_OK ? 1 : rc;
}

/* Inside a transaction: the registry check, the challenge and, if real, the pending row. */
static int
start_tx(struct db_conn *c, const struct seal *seal,
    const struct accounts_reg_input *in, const char *phone, const char *pwhash,
    int64_t now, char reg_id[ACC_ID_SIZE])
{
	sqlite3_stmt *st;
	int real, rc;

	if ((real = person_matches(c, in)) < 0)
		return real;
	/* A decoy spends the phone's budget like a real one and sends nothing. */
	if ((rc = challenge_create(c, seal, "registration",
	    real ? in->personal_id : "", "sms", phone, now, reg_id)) != DB_OK)
		return rc == CH_RATE_LIMITED ? ACC_RATE_LIMITED : rc;
	if (!real)
		return ACC_OK;
	st = db_stmt(c, SQL_INSERT_REG);
	if (st == NULL || db_bind_text(st, 1, reg_id) != DB_OK ||
	    db_bind_text(st, 2, in->personal_id) != DB_OK ||
	    db_bind_text(st, 3, phone) != DB_OK ||
	    db_bind_text(st, 4, pwhash) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
accounts_register_check(const struct accounts_reg_input *in, char *reason,
    size_t rsz)
{
	char phone[PHONE_E164_SIZE];

	set_reason(reason, rsz, "");
	return check_input(in, phone, reason, rsz);
}

int
accounts_register_start(struct db *db, const struct seal *seal,
    const struct accounts_reg_input *in, int64_t now,
    char reg_id[ACC_ID_SIZE], char *reason, size_t rsz)
{
	char phone[PHONE_E164_SIZE], pwhash[crypto_pwhash_STRBYTES];
	struct db_conn *c = NULL;
	int rc;

	set_reason(reason, rsz, "");
	if (db == NULL || seal == NULL || reg_id == NULL)
		return DB_ERR;
	reg_id[0] = '\0';
	if ((rc = check_input(in, phone, reason, rsz)) != ACC_OK)
		return rc;
	/* The same work for every outcome, and outside the write lock. */
	if (in->password_hash != NULL)
		snprintf(pwhash, sizeof(pwhash), "%s", in->password_hash);
	else if (password_hash(in->password, pwhash) != 0)
		return DB_ERR;
	rc = DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		goto fail;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = start_tx(c, seal, in, phone, pwhash, now, reg_id)) == ACC_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
fail:
	if (c != NULL)
		db_release(db, c);
	if (rc != ACC_OK)
		reg_id[0] = '\0';
	if (rc == ACC_RATE_LIMITED)
		set_reason(reason, rsz, "too many codes sent to this phone; "
		    "try again later");
	sodium_memzero(pwhash, sizeof(pwhash));
	return rc;
}

static int
from_challenge(int rc)
{
	switch (rc) {
	case CH_UNKNOWN:
	case CH_BAD_CODE:
		return ACC_BAD_CODE;
	case CH_EXPIRED:
		return ACC_EXPIRED;
	case CH_TOO_MANY:
		return ACC_TOO_MANY_ATTEMPTS;
	case CH_RESEND_WAIT:
		return ACC_RESEND_WAIT;
	case CH_RATE_LIMITED:
		return ACC_RATE_LIMITED;
	default:
		return rc;
	}
}

int
accounts_register_resend(struct db *db, const struct seal *seal,
    const char *reg_id, int64_t now, int64_t *wait)
{
	struct db_conn *c;
	int rc;

	if (db == NULL || seal == NULL || wait == NULL)
		return DB_ERR;
	*wait = 0;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) == DB_OK) {
		rc = challenge_resend(c, seal, reg_id, "registration", now, wait);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(db, c);
	return from_challenge(rc);
}

struct reg {
	char personal_id[13];
	char phone[PHONE_E164_SIZE];
	char password_hash[crypto_pwhash_STRBYTES];
};

static int
load_reg(struct db_conn *c, const char *id, struct reg *r)
{
	sqlite3_stmt *st = db_stmt(c, SQL_GET_REG);
	int rc;

	if (st == NULL || db_bind_text(st, 1, id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = ACC_BAD_CODE;
	else if (rc == 1)
		rc = db_column_text(st, 0, r->personal_id, sizeof(r->personal_id)) ||
		    db_column_text(st, 1, r->phone, sizeof(r->phone)) ||
		    db_column_text(st, 2, r->password_hash, sizeof(r->password_hash)) ?
		    DB_ERR : DB_OK;
	sqlite3_reset(st);
	return rc;
}

static int
exec_id(struct db_conn *c, const char *sql, const char *id)
{
	sqlite3_stmt *st = db_stmt(c, sql);

	if (st == NULL || db_bind_text(st, 1, id) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
accounts_create(struct db_conn *c, const char *personal_id, const char *phone,
    const char *password_hash, int64_t now, char account_id[ACC_ID_SIZE])
{
	sqlite3_stmt *st;

	if (c == NULL || personal_id == NULL || phone == NULL ||
	    password_hash == NULL || account_id == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_INSERT_ACCOUNT);
	new_id(account_id);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, personal_id) != DB_OK ||
	    db_bind_text(st, 3, phone) != DB_OK ||
	    db_bind_text(st, 4, password_hash) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK ||
	    db_bind_int64(st, 6, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

/*
 * Inside a transaction: ACC_OK when the account was made (commit), a wrong
 * code counted as *counted (commit too), anything else (roll back).
 */
static int
confirm_tx(struct db_conn *c, const struct seal *seal, const char *reg_id,
    const char *code, int64_t now, char account_id[ACC_ID_SIZE], bool *counted)
{
	struct challenge ch;
	struct reg r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = challenge_check_code(c, seal, reg_id, "registration", code, now, &ch);
	*counted = rc == CH_BAD_CODE;
	if (rc != DB_OK)
		return from_challenge(rc);
	if ((rc = load_reg(c, reg_id, &r)) != DB_OK)
		goto fail;
	if ((rc = account_exists(c, r.personal_id)) != DB_OK) {
		rc = rc == 1 ? ACC_EXISTS : rc;
		goto fail;
	}
	if ((rc = accounts_create(c, r.personal_id, r.phone, r.password_hash, now,
	    account_id)) != DB_OK ||
	    (rc = audit_append(c, seal, "account_created", "citizen",
	    r.personal_id, NULL, now)) != DB_OK)
		goto fail;
	rc = exec_id(c, SQL_DELETE_REG, reg_id);
fail:
	sodium_memzero(&r, sizeof(r));
	return rc;
}

int
accounts_register_confirm(struct db *db, const struct seal *seal,
    const char *reg_id, const char *code, int64_t now,
    char account_id[ACC_ID_SIZE])
{
	struct db_conn *c;
	bool counted = false;
	int rc;

	if (db == NULL || seal == NULL || account_id == NULL)
		return DB_ERR;
	account_id[0] = '\0';
	if (reg_id == NULL || code == NULL)
		return ACC_BAD_CODE;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	rc = confirm_tx(c, seal, reg_id, code, now, account_id, &counted);
	if (rc == ACC_OK || counted) {
		int crc = db_commit(c);

		if (crc != DB_OK)
			rc = crc;
	} else {
		db_rollback(c);
	}
fail:
	if (rc != ACC_OK)
		account_id[0] = '\0';
	db_release(db, c);
	return rc;
}

static int
read_account(sqlite3_stmt *st, struct account *out)
{
	memset(out, 0, sizeof(*out));
	if (db_column_text(st, 0, out->account_id, sizeof(out->account_id)) ||
	    db_column_text(st, 1, out->personal_id, sizeof(out->personal_id)) ||
	    db_column_text(st, 3, out->phone, sizeof(out->phone)) ||
	    db_column_text(st, 4, out->password_hash, sizeof(out->password_hash)) ||
	    db_column_text(st, 5, out->status, sizeof(out->status)) ||
	    db_column_text(st, 9, out->lock_reason, sizeof(out->lock_reason)))
		return DB_ERR;
	out->level = sqlite3_column_int(st, 2);
	out->created_at = sqlite3_column_int64(st, 6);
	out->failures = sqlite3_column_int(st, 7);
	out->last_failure_at = sqlite3_column_int64(st, 8);
	return DB_OK;
}

static int
get_account(struct db_conn *c, const char *sql, const char *key,
    struct account *out)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || key == NULL || out == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, sql)) == NULL || db_bind_text(st, 1, key) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = ACC_NOT_FOUND;
	else if (rc == 1)
		rc = read_account(st, out);
	sqlite3_reset(st);
	return rc;
}

int
accounts_get_by_personal_id(struct db_conn *c, const char *pid,
    struct account *out)
{
	return get_account(c, SQL_GET_BY_PID, pid, out);
}

int
accounts_get(struct db_conn *c, const char *account_id, struct account *out)
{
	return get_account(c, SQL_GET_BY_ID, account_id, out);
}

int
accounts_note_failure(struct db_conn *c, const char *account_id, int64_t now,
    int *failures)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || failures == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_FAILURE);
	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, account_id) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	if ((st = db_stmt(c, SQL_FAILURES)) == NULL ||
	    db_bind_text(st, 1, account_id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		*failures = sqlite3_column_int(st, 0);
		rc = DB_OK;
	} else if (rc == DB_OK)
		rc = ACC_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}

int
accounts_clear_failures(struct db_conn *c, const char *account_id)
{
	if (c == NULL || account_id == NULL)
		return DB_ERR;
	return exec_id(c, SQL_CLEAR_FAILURES, account_id);
}

/* The row's fate after an UPDATE of one account: DB_OK or ACC_NOT_FOUND. */
static int
one_row(struct db_conn *c, sqlite3_stmt *st)
{
	int rc = db_step(st);

	if (rc != DB_OK)
		return rc;
	return sqlite3_changes(db_handle(c)) == 1 ? DB_OK : ACC_NOT_FOUND;
}

int
accounts_set_status(struct db_conn *c, const char *account_id,
    const char *status, const char *lock_reason, int64_t now)
{
	sqlite3_stmt *st;

	if (c == NULL || account_id == NULL || status == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_SET_STATUS);
	if (st == NULL || db_bind_text(st, 1, status) != DB_OK ||
	    db_bind_text(st, 2, lock_reason) != DB_OK ||
	    db_bind_int64(st, 3, now) != DB_OK ||
	    db_bind_text(st, 4, account_id) != DB_OK)
		return DB_ERR;
	return one_row(c, st);
}

/* Runs `sql` (SET one text column and updated_at, WHERE account_id). */
static int
set_column(struct db_conn *c, const char *sql, const char *account_id,
    const char *value, int64_t now)
{
	sqlite3_stmt *st;

	if (c == NULL || account_id == NULL || value == NULL)
		return DB_ERR;
	st = db_stmt(c, sql);
	if (st == NULL || db_bind_text(st, 1, value) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK ||
	    db_bind_text(st, 3, account_id) != DB_OK)
		return DB_ERR;
	return one_row(c, st);
}

int
accounts_set_password(struct db_conn *c, const char *account_id,
    const char *hash, int64_t now)
{
	return set_column(c, SQL_SET_PASSWORD, account_id, hash, now);
}

int
accounts_set_level2(struct db_conn *c, const char *account_id,
    const char *phone, int64_t now)
{
	return set_column(c, SQL_SET_LEVEL2, account_id, phone, now);
}
