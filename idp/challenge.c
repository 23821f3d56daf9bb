/*
 * challenge: creation, resend, code checks and revocation over the
 * challenges and code_sends tables.
 */
#include "challenge.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "otp.h"
#include "sms.h"

#define HOUR 3600
#define CODE_PURPOSE "sms-code"

static const char SQL_INSERT[] =
    "INSERT INTO challenges (id, purpose, subject, factor, phone, code_hash, "
    "attempts, created_at, expires_at, last_sent_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)";
static const char SQL_GET[] =
    "SELECT purpose, subject, factor, phone, code_hash, attempts, created_at, "
    "expires_at, last_sent_at, consumed_at IS NOT NULL "
    "FROM challenges WHERE id = ?";
static const char SQL_NEW_CODE[] =
    "UPDATE challenges SET code_hash = ?, expires_at = ?, last_sent_at = ? "
    "WHERE id = ?";
static const char SQL_FAIL[] =
    "UPDATE challenges SET attempts = attempts + 1 WHERE id = ?";
static const char SQL_CONSUME[] =
    "UPDATE challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL";
static const char SQL_REVOKE[] =
    "UPDATE challenges SET consumed_at = ? "
    "WHERE subject = ? AND consumed_at IS NULL";
static const char SQL_SENDS_SINCE[] =
    "SELECT COUNT(*) FROM code_sends WHERE phone = ? AND sent_at >= ?";
static const char SQL_RECORD_SEND[] =
    "INSERT INTO code_sends (phone, sent_at) VALUES (?, ?)";

/* The message for each purpose: GSM-7 Vietnamese, so one SMS on every phone. */
static const struct {
	const char *purpose, *what;
} MESSAGES[] = {
	{ "registration", "ma dang ky tai khoan" },
	{ "login", "ma dang nhap" },
	{ "lock", "ma xac nhan khoa tai khoan" },
	{ "unlock", "ma xac nhan mo khoa tai khoan" },
	{ "reset", "ma dat lai mat khau" },
};

static const char *
message_for(const char *purpose)
{
	for (size_t i = 0; i < ARRAY_LEN(MESSAGES); i++)
		if (strcmp(MESSAGES[i].purpose, purpose) == 0)
			return MESSAGES[i].what;
	return NULL;
}

static bool
code_shaped(const char *code)
{
	if (code == NULL || strlen(code) != OTP_DIGITS)
		return false;
	for (size_t i = 0; i < OTP_DIGITS; i++)
		if (!isdigit((unsigned char)code[i]))
			return false;
	return true;
}

static void
hash_code(const struct seal *seal, const char *id, const char *code,
    char hex[OTP_HASH_HEX_LEN + 1])
{
	uint8_t key[32];

	seal_subkey(seal, CODE_PURPOSE, key);
	otp_code_hash(key, code, id, hex);
	sodium_memzero(key, sizeof(key));
}

/* DB_OK when `phone` may get another code now, CH_RATE_LIMITED, or a db_err. */
static int
budget_check(struct db_conn *c, const char *phone, int64_t now)
{
	sqlite3_stmt *st = db_stmt(c, SQL_SENDS_SINCE);
	int rc;

	if (st == NULL || db_bind_text(st, 1, phone) != DB_OK ||
	    db_bind_int64(st, 2, now - HOUR + 1) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1)
		rc = sqlite3_column_int64(st, 0) >= CH_CODES_PER_HOUR ?
		    CH_RATE_LIMITED : DB_OK;
	sqlite3_reset(st);
	return rc == DB_OK || rc == CH_RATE_LIMITED ? rc : DB_ERR;
}

/*
 * Makes a code for challenge `id`, its hash into hex[], and sends it
 * unless `decoy`; the send counts against the phone's budget either way.
 */
static int
make_and_send(struct db_conn *c, const struct seal *seal, const char *id,
    const char *purpose, const char *phone, bool decoy, int64_t now,
    char hex[OTP_HASH_HEX_LEN + 1])
{
	struct sms_gateway g = sms_outbox_gateway(c);
	sqlite3_stmt *st;
	char code[OTP_DIGITS + 1], body[160];
	int rc;

	if ((rc = budget_check(c, phone, now)) != DB_OK)
		return rc;
	otp_code_new(code);
	hash_code(seal, id, code, hex);
	rc = DB_OK;
	if (!decoy) {
		snprintf(body, sizeof(body), "dinhdanh: %s cua ban la %s, hieu luc "
		    "5 phut. Khong chia se ma nay cho bat ky ai.",
		    message_for(purpose), code);
		rc = sms_send(&g, phone, body, purpose, now);
		sodium_memzero(body, sizeof(body));
	}
	sodium_memzero(code, sizeof(code));
	if (rc != DB_OK)
		return rc;
	st = db_stmt(c, SQL_RECORD_SEND);
	if (st == NULL || db_bind_text(st, 1, phone) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
challenge_create(struct db_conn *c, const struct seal *seal,
    const char *purpose, const char *subject, const char *factor,
    const char *phone, int64_t now, char id[CH_ID_SIZE])
{
	char hex[OTP_HASH_HEX_LEN + 1] = "";
	sqlite3_stmt *st;
	bool sms;
	int rc;

	if (c == NULL || seal == NULL || purpose == NULL || subject == NULL ||
	    factor == NULL || phone == NULL || id == NULL ||
	    message_for(purpose) == NULL)
		return DB_ERR;
	sms = strcmp(factor, "sms") == 0;
	if (!sms && strcmp(factor, "totp") != 0)
		return DB_ERR;
	(void)b64_random(id, CH_ID_SIZE, 32);
	if (sms && (rc = make_and_send(c, seal, id, purpose, phone,
	    subject[0] == '\0', now, hex)) != DB_OK)
		goto fail;
	rc = DB_ERR;
	st = db_stmt(c, SQL_INSERT);
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK ||
	    db_bind_text(st, 2, purpose) != DB_OK ||
	    db_bind_text(st, 3, subject) != DB_OK ||
	    db_bind_text(st, 4, factor) != DB_OK ||
	    db_bind_text(st, 5, phone) != DB_OK ||
	    db_bind_text(st, 6, hex) != DB_OK ||
	    db_bind_int64(st, 7, now) != DB_OK ||
	    db_bind_int64(st, 8, now + CH_TTL) != DB_OK ||
	    db_bind_int64(st, 9, now) != DB_OK)
		goto fail;
	rc = db_step(st);
fail:
	if (rc != DB_OK)
		id[0] = '\0';
	return rc;
}

static int
read_row(sqlite3_stmt *st, struct challenge *ch, char hex[OTP_HASH_HEX_LEN + 1],
    bool *consumed)
{
	if (db_column_text(st, 0, ch->purpose, sizeof(ch->purpose)) ||
	    db_column_text(st, 1, ch->subject, sizeof(ch->subject)) ||
	    db_column_text(st, 2, ch->factor, sizeof(ch->factor)) ||
	    db_column_text(st, 3, ch->phone, sizeof(ch->phone)) ||
	    db_column_text(st, 4, hex, OTP_HASH_HEX_LEN + 1))
		return DB_ERR;
	ch->attempts = sqlite3_column_int(st, 5);
	ch->created_at = sqlite3_column_int64(st, 6);
	ch->expires_at = sqlite3_column_int64(st, 7);
	ch->last_sent_at = sqlite3_column_int64(st, 8);
	*consumed = sqlite3_column_int(st, 9) != 0;
	return DB_OK;
}

/* Loads `id` with its code hash and judges it live or not as of `now`. */
static int
load(struct db_conn *c, const char *id, const char *purpose, int64_t now,
    struct challenge *ch, char hex[OTP_HASH_HEX_LEN + 1])
{
	sqlite3_stmt *st;
	bool consumed = false;
	int rc;

	memset(ch, 0, sizeof(*ch));
	if (c == NULL || purpose == NULL)
		return DB_ERR;
	if (id == NULL || strlen(id) != CH_ID_SIZE - 1)
		return CH_UNKNOWN;
	if ((st = db_stmt(c, SQL_GET)) == NULL || db_bind_text(st, 1, id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = CH_UNKNOWN;
	else if (rc == 1)
		rc = read_row(st, ch, hex, &consumed);
	sqlite3_reset(st);
	if (rc != DB_OK)
		return rc;
	snprintf(ch->id, sizeof(ch->id), "%s", id);
	if (consumed || strcmp(ch->purpose, purpose) != 0)
		return CH_UNKNOWN;
	if (ch->attempts >= CH_MAX_ATTEMPTS)
		return CH_TOO_MANY;
	if (now > ch->expires_at)
		return CH_EXPIRED;
	return DB_OK;
}

int
challenge_get(struct db_conn *c, const char *id, const char *purpose,
    int64_t now, struct challenge *out)
{
	char hex[OTP_HASH_HEX_LEN + 1];

	if (out == NULL)
		return DB_ERR;
	return load(c, id, purpose, now, out, hex);
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

int
challenge_resend(struct db_conn *c, const struct seal *seal, const char *id,
    const char *purpose, int64_t now, int64_t *wait)
{
	struct challenge ch;
	char hex[OTP_HASH_HEX_LEN + 1];
	sqlite3_stmt *st;
	int rc;

	if (seal == NULL || wait == NULL)
		return DB_ERR;
	*wait = 0;
	if ((rc = load(c, id, purpose, now, &ch, hex)) != DB_OK)
		return rc;
	if (strcmp(ch.factor, "sms") != 0)
		return CH_UNKNOWN;
	if (now - ch.last_sent_at < CH_RESEND_AFTER) {
		*wait = CH_RESEND_AFTER - (now - ch.last_sent_at);
		return CH_RESEND_WAIT;
	}
	if ((rc = make_and_send(c, seal, ch.id, ch.purpose, ch.phone,
	    ch.subject[0] == '\0', now, hex)) != DB_OK)
		return rc;
	st = db_stmt(c, SQL_NEW_CODE);
	if (st == NULL || db_bind_text(st, 1, hex) != DB_OK ||
	    db_bind_int64(st, 2, now + CH_TTL) != DB_OK ||
	    db_bind_int64(st, 3, now) != DB_OK ||
	    db_bind_text(st, 4, ch.id) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
challenge_check_code(struct db_conn *c, const struct seal *seal,
    const char *id, const char *purpose, const char *code, int64_t now,
    struct challenge *out)
{
	char stored[OTP_HASH_HEX_LEN + 1], given[OTP_HASH_HEX_LEN + 1];
	bool same;
	int rc;

	if (seal == NULL || out == NULL)
		return DB_ERR;
	if ((rc = load(c, id, purpose, now, out, stored)) != DB_OK)
		return rc;
	if (strcmp(out->factor, "sms") != 0)
		return CH_UNKNOWN;
	hash_code(seal, out->id, code_shaped(code) ? code : "", given);
	/* A decoy's hash is of a code nobody saw; an empty subject never passes. */
	same = otp_code_equal(given, stored) == 0 && code_shaped(code) &&
	    out->subject[0] != '\0';
	sodium_memzero(given, sizeof(given));
	if (!same) {
		if ((rc = challenge_fail(c, out->id)) != DB_OK)
			return rc;
		out->attempts++;
		return CH_BAD_CODE;
	}
	return challenge_consume(c, out->id, now);
}

int
challenge_fail(struct db_conn *c, const char *id)
{
	if (c == NULL || id == NULL)
		return DB_ERR;
	return exec_id(c, SQL_FAIL, id, false, 0);
}

int
challenge_consume(struct db_conn *c, const char *id, int64_t now)
{
	int rc;

	if (c == NULL || id == NULL)
		return DB_ERR;
	if ((rc = exec_id(c, SQL_CONSUME, id, true, now)) != DB_OK)
		return rc;
	return sqlite3_changes(db_handle(c)) == 1 ? DB_OK : CH_UNKNOWN;
}

int
challenge_revoke_subject(struct db_conn *c, const char *subject, int64_t now)
{
	if (c == NULL || subject == NULL || subject[0] == '\0')
		return DB_ERR;
	return exec_id(c, SQL_REVOKE, subject, true, now);
}
