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

#include "b64.h"
#include "otp.h"
#include "password.h"
#include "person.h"
#include "registry.h"
#include "sms.h"

#define NAME_MAX_CHARS 200
#define HOUR 3600
#define CODE_PURPOSE "sms-code"

static const char SQL_ACCOUNT_EXISTS[] =
    "SELECT 1 FROM accounts WHERE personal_id = ?";
static const char SQL_GET_ACCOUNT[] =
    "SELECT account_id, personal_id, level, phone, password_hash, status, "
    "created_at FROM accounts WHERE personal_id = ?";
static const char SQL_INSERT_ACCOUNT[] =
    "INSERT INTO accounts (account_id, personal_id, level, phone, "
    "password_hash, status, created_at) VALUES (?, ?, 1, ?, ?, 'active', ?)";
static const char SQL_INSERT_REG[] =
    "INSERT INTO registrations (id, personal_id, phone, password_hash, "
    "code_hash, attempts, created_at, expires_at, last_sent_at) "
    "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)";
static const char SQL_GET_REG[] =
    "SELECT personal_id, phone, password_hash, code_hash, attempts, "
    "expires_at, consumed_at IS NOT NULL FROM registrations WHERE id = ?";
static const char SQL_REG_ATTEMPT[] =
    "UPDATE registrations SET attempts = attempts + 1 WHERE id = ?";
static const char SQL_REG_CONSUME[] =
    "UPDATE registrations SET consumed_at = ? "
    "WHERE id = ? AND consumed_at IS NULL";

static void
new_id(char out[ACC_ID_SIZE])
{
	uint8_t rnd[32];

	randombytes_buf(rnd, sizeof(rnd));
	(void)b64_encode(out, ACC_ID_SIZE, rnd, sizeof(rnd));
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

static bool
digits(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The input's own validity; says nothing about the registry. */
static int
check_input(const struct accounts_reg_input *in, char phone[PHONE_E164_SIZE],
    char *reason, size_t rsz)
{
	char name[1024];

	if (in == NULL || !digits(in->personal_id, 12)) {
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

struct pending {
	const char *id;
	const char *personal_id;
	const char *phone;
	const char *password_hash;
	const char *code_hash;
};

/* Stores the registration and writes its code's SMS, in the caller's transaction. */
static int
store_and_send(struct db_conn *c, const struct pending *p, const char *code,
    int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, SQL_INSERT_REG);
	struct sms_gateway g = sms_outbox_gateway(c);
	char body[160];
	int rc;

	if (st == NULL || db_bind_text(st, 1, p->id) != DB_OK ||
	    db_bind_text(st, 2, p->personal_id) != DB_OK ||
	    db_bind_text(st, 3, p->phone) != DB_OK ||
	    db_bind_text(st, 4, p->password_hash) != DB_OK ||
	    db_bind_text(st, 5, p->code_hash) != DB_OK ||
	    db_bind_int64(st, 6, now) != DB_OK ||
	    db_bind_int64(st, 7, now + ACC_CODE_TTL) != DB_OK ||
	    db_bind_int64(st, 8, now) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	/* Vietnamese without diacritics: one GSM-7 message on every phone. */
	snprintf(body, sizeof(body), "dinhdanh: ma dang ky tai khoan cua ban la %s, "
	    "hieu luc 5 phut. Khong chia se ma nay cho bat ky ai.", code);
	rc = sms_send(&g, p->phone, body, "registration", now);
	sodium_memzero(body, sizeof(body));
	return rc;
}

/* Inside a transaction: the rate limit, the registry check and, if real, the write. */
static int
start_tx(struct db_conn *c, const struct accounts_reg_input *in,
    const struct pending *p, const char *code, int64_t now)
{
	int n = 0, rc;

	if ((rc = sms_count_since(c, p->phone, now - HOUR, &n)) != DB_OK)
		return rc;
	if (n >= ACC_CODES_PER_HOUR)
		return ACC_RATE_LIMITED;
	if ((rc = person_matches(c, in)) < 0)
		return rc;
	if (rc == 0)
		return ACC_OK;	/* a decoy: nothing stored, nothing sent */
	return store_and_send(c, p, code, now);
}

int
accounts_register_start(struct db *db, const struct seal *seal,
    const struct accounts_reg_input *in, int64_t now,
    char reg_id[ACC_ID_SIZE], char *reason, size_t rsz)
{
	char phone[PHONE_E164_SIZE], pwhash[crypto_pwhash_STRBYTES];
	char code[7], code_hash[OTP_HASH_HEX_LEN + 1];
	uint8_t key[32];
	struct db_conn *c = NULL;
	struct pending p;
	int rc;

	set_reason(reason, rsz, "");
	if (db == NULL || seal == NULL || reg_id == NULL)
		return DB_ERR;
	reg_id[0] = '\0';
	if ((rc = check_input(in, phone, reason, rsz)) != ACC_OK)
		return rc;
	new_id(reg_id);
	/* The same work for every outcome, and outside the write lock. */
	if (password_hash(in->password, pwhash) != 0)
		return DB_ERR;
	otp_code_new(code);
	seal_subkey(seal, CODE_PURPOSE, key);
	otp_code_hash(key, code, reg_id, code_hash);
	p = (struct pending){ reg_id, in->personal_id, phone, pwhash, code_hash };
	rc = DB_ERR;
	if ((c = db_acquire(db)) == NULL)
		goto fail;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = start_tx(c, in, &p, code, now)) == ACC_OK)
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
	sodium_memzero(code, sizeof(code));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(pwhash, sizeof(pwhash));
	return rc;
}

struct reg {
	char personal_id[13];
	char phone[PHONE_E164_SIZE];
	char password_hash[crypto_pwhash_STRBYTES];
	char code_hash[OTP_HASH_HEX_LEN + 1];
	int64_t attempts, expires_at;
	bool consumed;
};

/* DB_OK, ACC_BAD_CODE when there is no such registration, or a db_err. */
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
	else if (rc == 1) {
		if (db_column_text(st, 0, r->personal_id, sizeof(r->personal_id)) ||
		    db_column_text(st, 1, r->phone, sizeof(r->phone)) ||
		    db_column_text(st, 2, r->password_hash, sizeof(r->password_hash)) ||
		    db_column_text(st, 3, r->code_hash, sizeof(r->code_hash)))
			rc = DB_ERR;
		else
			rc = DB_OK;
		r->attempts = sqlite3_column_int64(st, 4);
		r->expires_at = sqlite3_column_int64(st, 5);
		r->consumed = sqlite3_column_int(st, 6) != 0;
	}
	sqlite3_reset(st);
	return rc;
}

static int
exec_id(struct db_conn *c, const char *sql, const char *id, bool with_now,
    int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, sql);
	int i = 1;

	if (st == NULL || (with_now && db_bind_int64(st, i++, now) != DB_OK) ||
	    db_bind_text(st, i, id) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static int
create_account(struct db_conn *c, const struct reg *r, int64_t now,
    char account_id[ACC_ID_SIZE])
{
	sqlite3_stmt *st = db_stmt(c, SQL_INSERT_ACCOUNT);

	new_id(account_id);
	if (st == NULL || db_bind_text(st, 1, account_id) != DB_OK ||
	    db_bind_text(st, 2, r->personal_id) != DB_OK ||
	    db_bind_text(st, 3, r->phone) != DB_OK ||
	    db_bind_text(st, 4, r->password_hash) != DB_OK ||
	    db_bind_int64(st, 5, now) != DB_OK)
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
	struct reg r;
	char hash[OTP_HASH_HEX_LEN + 1];
	uint8_t key[32];
	int rc, same;

	if ((rc = load_reg(c, reg_id, &r)) != DB_OK)
		goto fail;
	rc = r.consumed ? ACC_BAD_CODE :
	    r.attempts >= ACC_MAX_ATTEMPTS ? ACC_TOO_MANY_ATTEMPTS :
	    now > r.expires_at ? ACC_EXPIRED : ACC_OK;
	if (rc != ACC_OK)
		goto fail;
	seal_subkey(seal, CODE_PURPOSE, key);
	otp_code_hash(key, code, reg_id, hash);
	sodium_memzero(key, sizeof(key));
	same = otp_code_equal(hash, r.code_hash) == 0 && digits(code, OTP_DIGITS);
	if (!same) {
		rc = exec_id(c, SQL_REG_ATTEMPT, reg_id, false, 0);
		*counted = rc == DB_OK;
		rc = rc == DB_OK ? ACC_BAD_CODE : rc;
		goto fail;
	}
	if ((rc = account_exists(c, r.personal_id)) != DB_OK) {
		rc = rc == 1 ? ACC_EXISTS : rc;
		goto fail;
	}
	if ((rc = exec_id(c, SQL_REG_CONSUME, reg_id, true, now)) != DB_OK)
		goto fail;
	if (sqlite3_changes(db_handle(c)) != 1) {
		rc = ACC_BAD_CODE;
		goto fail;
	}
	rc = create_account(c, &r, now, account_id);
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

int
accounts_get_by_personal_id(struct db_conn *c, const char *pid,
    struct account *out)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || pid == NULL || out == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_GET_ACCOUNT)) == NULL ||
	    db_bind_text(st, 1, pid) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = ACC_NOT_FOUND;
	else if (rc == 1) {
		rc = DB_OK;
		if (db_column_text(st, 0, out->account_id, sizeof(out->account_id)) ||
		    db_column_text(st, 1, out->personal_id, sizeof(out->personal_id)) ||
		    db_column_text(st, 3, out->phone, sizeof(out->phone)) ||
		    db_column_text(st, 4, out->password_hash,
		    sizeof(out->password_hash)) ||
		    db_column_text(st, 5, out->status, sizeof(out->status)))
			rc = DB_ERR;
		out->level = sqlite3_column_int(st, 2);
		out->created_at = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc;
}
