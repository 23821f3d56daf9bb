/*
 * enroll: chip-record checks, level-2 enrollment with its audit row, and
 * activation codes.
 */
#include "enroll.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "b64.h"
#include "card.h"
#include "clock.h"
#include "jws.h"
#include "keys.h"
#include "log.h"
#include "officers.h"
#include "person.h"
#include "phone.h"
#include "registry.h"

#define CODE_CHARS 20
#define CODE_RANDOM_BYTES 13		/* 104 bits; the first 100 are used */

static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static const char SQL_ENROLLED_AT[] =
    "SELECT max(enrolled_at) FROM enrollments WHERE account_id = ?";
static const char SQL_CODE_INSERT[] =
    "INSERT INTO activation_codes (code_hash, account_id, issued_by, "
    "created_at, expires_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_CODE_GET[] =
    "SELECT account_id FROM activation_codes WHERE code_hash = ? "
    "AND used_at IS NULL AND expires_at > ?";
static const char SQL_CODE_USE[] =
    "UPDATE activation_codes SET used_at = ? WHERE code_hash = ? "
    "AND used_at IS NULL";
static const char SQL_CODE_VOID[] =
    "UPDATE activation_codes SET expires_at = ? WHERE account_id = ? "
    "AND used_at IS NULL AND expires_at > ?";
static const char SQL_AUDIT[] =
    "INSERT INTO enrollments (id, officer_id, account_id, personal_id_masked, "
    "card_number, biometric_digest, previous_level, enrolled_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

/* ---- activation codes ---- */

int
enroll_code_normalize(const char *code, char out[21])
{
	size_t n = 0;

	if (code == NULL || out == NULL)
		return -1;
	out[0] = '\0';
	for (const char *p = code; *p != '\0'; p++) {
		char ch = *p;

		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == 'I' || ch == 'L')
			ch = '1';
		else if (ch == 'O')
			ch = '0';
		if (ch == '\0' || strchr(CROCKFORD, ch) == NULL || n == CODE_CHARS)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == CODE_CHARS ? 0 : -1;
}

/* BLAKE2b-256 of the normalised code, hex: 100 random bits need no key. */
static void
code_hash(const char norm[21], char hex[65])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), (const uint8_t *)norm, CODE_CHARS,
	    (const uint8_t *)"dinhdanh-activation", 19);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* A fresh code: its normalised form and "XXXXX-XXXXX-XXXXX-XXXXX". */
static void
code_new(char norm[21], char shown[ENROLL_CODE_SIZE])
{
	uint8_t raw[CODE_RANDOM_BYTES];
	size_t o = 0;

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < CODE_CHARS; i++) {
		size_t bit = i * 5;
		unsigned v = ((unsigned)raw[bit / 8] << 8 | raw[bit / 8 + 1]) >>
		    (11 - bit % 8);

		norm[i] = CROCKFORD[v & 31];
		if (i > 0 && i % 5 == 0)
			shown[o++] = '-';
		shown[o++] = norm[i];
	}
	norm[CODE_CHARS] = '\0';
	shown[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
}

int
enroll_code_issue(struct db_conn *c, const char *account_id,
    const char *issued_by, int64_t now, char code[ENROLL_CODE_SIZE],
    int64_t *expires_at)
{
	char norm[21], hash[65];
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (c == NULL || account_id == NULL || issued_by == NULL ||
	    issued_by[0] == '\0' || code == NULL || expires_at == NULL)
		return DB_ERR;
	code_new(norm, code);
	code_hash(norm, hash);
	*expires_at = now + ENROLL_CODE_TTL;
	st = db_stmt(c, SQL_CODE_INSERT);
	if (st != NULL && db_bind_text(st, 1, hash) == DB_OK &&
	    db_bind_text(st, 2, account_id) == DB_OK &&
	    db_bind_text(st, 3, issued_by) == DB_OK &&
	    db_bind_int64(st, 4, now) == DB_OK &&
	    db_bind_int64(st, 5, *expires_at) == DB_OK)
		rc = db_step(st);
	sodium_memzero(norm, sizeof(norm));
	if (rc != DB_OK)
		sodium_memzero(code, ENROLL_CODE_SIZE);
	return rc;
}

/* The live code's account into account_id: DB_OK, ENROLL_BAD_CODE or a db_err. */
static int
code_lookup(struct db_conn *c, const char *hash, int64_t now,
    char account_id[ACC_ID_SIZE])
{
	sqlite3_stmt *st = db_stmt(c, SQL_CODE_GET);
	int rc;

	if (st == NULL || db_bind_text(st, 1, hash) != DB_OK ||
	    db_bind_int64(st, 2, now) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == DB_OK)
		rc = ENROLL_BAD_CODE;
	else if (rc == 1)
		rc = db_column_text(st, 0, account_id, ACC_ID_SIZE) == 0 ? DB_OK : DB_ERR;
	sqlite3_reset(st);
	return rc;
}

int
enroll_code_redeem(struct db_conn *c, const char *code, int64_t now,
    char account_id[44])
{
	char norm[21], hash[65];
	struct account acc;
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL)
		return DB_ERR;
	account_id[0] = '\0';
	if (enroll_code_normalize(code, norm) != 0)
		return ENROLL_BAD_CODE;
	code_hash(norm, hash);
	sodium_memzero(norm, sizeof(norm));
	if ((rc = code_lookup(c, hash, now, account_id)) != DB_OK)
		goto fail;
	/* A closed or locked account binds no new device. */
	if ((rc = accounts_get(c, account_id, &acc)) != DB_OK ||
	    strcmp(acc.status, "active") != 0) {
		rc = rc == DB_OK || rc == ACC_NOT_FOUND ? ENROLL_BAD_CODE : rc;
		goto fail;
	}
	st = db_stmt(c, SQL_CODE_USE);
	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, hash) != DB_OK) {
		rc = DB_ERR;
		goto fail;
	}
	if ((rc = db_step(st)) == DB_OK && sqlite3_changes(db_handle(c)) != 1)
		rc = ENROLL_BAD_CODE;
fail:
	sodium_memzero(&acc, sizeof(acc));
	if (rc != DB_OK)
		account_id[0] = '\0';
	return rc;
}

/* ---- chip records ---- */

struct chip {
	char personal_id[13];
	char card_number[16];
	char card_expires_on[11];
};

bool
enroll_digest_valid(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int
payload_field(json_t *o, const char *key, char *out, size_t outsz)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) >= outsz ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* The claims the checks need from a verified payload; 0 or -1. */
static int
chip_claims(const struct jws_parsed *p, struct chip *out)
{
	json_t *o = json_loadb(p->payload, p->payload_len, JSON_REJECT_DUPLICATES,
	    NULL);
	int rc = -1;

	if (json_is_object(o) &&
	    payload_field(o, "personal_id", out->personal_id, sizeof(out->personal_id)) == 0 &&
	    payload_field(o, "card_number", out->card_number, sizeof(out->card_number)) == 0 &&
	    payload_field(o, "card_expires_on", out->card_expires_on,
	    sizeof(out->card_expires_on)) == 0 &&
	    person_id_valid(out->personal_id) &&
	    person_card_number_valid(out->card_number, strlen(out->card_number)) &&
	    person_date_valid(out->card_expires_on, strlen(out->card_expires_on)))
		rc = 0;
	json_decref(o);
	return rc;
}

/* The header is the card centre's: typ eid-chip+jwt, alg EdDSA, and the
 * signature segment is the canonical encoding of the signature bytes. */
static bool
chip_form(const struct jws_parsed *p, const char *compact)
{
	const char *typ = json_string_value(json_object_get(p->header, "typ"));
	const char *alg = json_string_value(json_object_get(p->header, "alg"));
	const char *sig = compact + p->signing_input_len + 1;
	char enc[128];

	if (typ == NULL || strcmp(typ, CARD_JWS_TYP) != 0 || alg == NULL ||
	    strcmp(alg, "EdDSA") != 0 || p->sig_len != crypto_sign_BYTES)
		return false;
	return b64_encode(enc, sizeof(enc), p->sig, p->sig_len) > 0 &&
	    strcmp(enc, sig) == 0;
}

/* Step 1 of the checks: DB_OK with the claims, ENROLL_CARD_INVALID or a db_err. */
static int
chip_verify(struct db *db, const struct seal *seal, const char *compact,
    int64_t now, struct chip *out)
{
	struct jws_parsed p;
	struct jws_key *key = NULL;
	size_t len = strlen(compact);
	int rc;

	if (len == 0 || len > JWS_MAX_COMPACT || jws_parse(compact, len, &p) != 0)
		return ENROLL_CARD_INVALID;
	rc = ENROLL_CARD_INVALID;
	if (!chip_form(&p, compact))
		goto fail;
	if ((rc = keys_current(db, seal, CARD_KEY_PURPOSE, JWS_EDDSA, now, &key)) != DB_OK)
		goto fail;
	rc = ENROLL_CARD_INVALID;
	if (jws_verify_parsed(key, &p) != 0 || chip_claims(&p, out) != 0)
		goto fail;
	rc = DB_OK;
fail:
	jws_key_free(key);
	jws_parsed_free(&p);
	return rc;
}

/* Steps 2 to 5, against the registry, in the enrollment's transaction. */
static int
chip_current(struct db_conn *c, const struct chip *chip, int64_t now)
{
	struct person p;
	char today[11];
	int rc;

	if ((rc = registry_get(c, chip->personal_id, &p)) != DB_OK)
		return rc == REG_NOT_FOUND ? ENROLL_UNKNOWN_PERSON : rc;
	if (strcmp(p.status, "living") != 0)
		return ENROLL_DECEASED;
	if (strcmp(p.card_number, chip->card_number) != 0)
		return ENROLL_CARD_SUPERSEDED;
	if ((rc = registry_card_superseded(c, chip->card_number)) != 0)
		return rc == 1 ? ENROLL_CARD_SUPERSEDED : rc;
	clock_format_date(now, today);
	if (strcmp(chip->card_expires_on, today) < 0 ||
	    strcmp(p.card_expires_on, today) < 0)
		return ENROLL_CARD_EXPIRED;
	return DB_OK;
}

/* ---- enrollment ---- */

struct enroll_in {
	const char *officer_id;
	const char *digest;
	const char *phone;		/* E.164 */
	struct chip chip;
};

static int
audit(struct db_conn *c, const struct enroll_in *in,
    const struct enroll_result *out, int previous_level, int64_t now)
{
	char id[ACC_ID_SIZE];
	sqlite3_stmt *st = db_stmt(c, SQL_AUDIT);

	(void)b64_random(id, sizeof(id), 32);
	if (st == NULL || db_bind_text(st, 1, id) != DB_OK ||
	    db_bind_text(st, 2, in->officer_id) != DB_OK ||
	    db_bind_text(st, 3, out->account_id) != DB_OK ||
	    db_bind_text(st, 4, out->personal_id_masked) != DB_OK ||
	    db_bind_text(st, 5, in->chip.card_number) != DB_OK ||
	    db_bind_text(st, 6, in->digest) != DB_OK ||
	    db_bind_int64(st, 7, previous_level) != DB_OK ||
	    db_bind_int64(st, 8, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

/* Creates or upgrades the account; *previous is its old level (0: new). */
static int
account_level2(struct db_conn *c, const struct enroll_in *in, int64_t now,
    struct enroll_result *out, int *previous)
{
	struct account acc;
	sqlite3_stmt *st;
	int rc = accounts_get_by_personal_id(c, in->chip.personal_id, &acc);

	*previous = 0;
	if (rc == ACC_NOT_FOUND) {
		out->created = true;
		rc = accounts_create(c, in->chip.personal_id, in->phone, "", now,
		    out->account_id);
	} else if (rc == DB_OK) {
		*previous = acc.level;
		memcpy(out->account_id, acc.account_id, ACC_ID_SIZE);
	}
	sodium_memzero(&acc, sizeof(acc));
	if (rc != DB_OK)
		return rc;
	if ((rc = accounts_set_level2(c, out->account_id, in->phone, now)) != DB_OK)
		return rc;
	/* A new enrollment voids the codes handed over before. */
	st = db_stmt(c, SQL_CODE_VOID);
	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, out->account_id) != DB_OK ||
	    db_bind_int64(st, 3, now) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static int
enroll_tx(struct db_conn *c, const struct enroll_in *in, int64_t now,
    struct enroll_result *out)
{
	int rc, previous;

	if ((rc = officers_active(c, in->officer_id)) != 1)
		return rc == 0 ? OFFICER_NOT_FOUND : rc;
	if ((rc = chip_current(c, &in->chip, now)) != DB_OK)
		return rc;
	if ((rc = account_level2(c, in, now, out, &previous)) != DB_OK ||
	    (rc = audit(c, in, out, previous, now)) != DB_OK)
		return rc;
	out->level = 2;
	return enroll_code_issue(c, out->account_id, in->officer_id, now,
	    out->activation_code, &out->expires_at);
}

/* The audit trail's entries: the account made (if so) and the enrollment. */
static int
audit_enrollment(struct db_conn *c, const struct seal *seal,
    const struct enroll_in *in, const struct enroll_result *out, int64_t now)
{
	char actor[16 + OFFICER_ID_SIZE];
	json_t *d = json_pack("{s:i}", "level", out->level);
	int rc = d != NULL ? DB_OK : DB_ERR;

	snprintf(actor, sizeof(actor), "officer:%s", in->officer_id);
	if (rc == DB_OK && out->created)
		rc = audit_append(c, seal, "account_created", actor,
		    in->chip.personal_id, NULL, now);
	if (rc == DB_OK)
		rc = audit_append(c, seal, "enrollment", actor, in->chip.personal_id,
		    d, now);
	json_decref(d);
	return rc;
}

int
enroll_person(struct db *db, const struct seal *seal, const char *officer_id,
    const char *chip_record, const char *biometric_digest, const char *phone,
    int64_t now, struct enroll_result *out)
{
	struct enroll_in in = { officer_id, biometric_digest, NULL, { "", "", "" } };
	char e164[PHONE_E164_SIZE];
	struct db_conn *c = NULL;
	int rc;

	if (db == NULL || seal == NULL || officer_id == NULL ||
	    chip_record == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (!enroll_digest_valid(biometric_digest) || phone == NULL ||
	    phone_normalize(phone, e164, NULL, 0) != 0)
		return ENROLL_BAD_INPUT;
	in.phone = e164;
	/* The signature first, outside the write lock (the key may be made). */
	if ((rc = chip_verify(db, seal, chip_record, now, &in.chip)) != DB_OK)
		return rc;
	log_mask_id(in.chip.personal_id, out->personal_id_masked);
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = enroll_tx(c, &in, now, out)) == DB_OK &&
	    (rc = audit_enrollment(c, seal, &in, out, now)) == DB_OK)
		rc = db_commit(c);
	else
		db_rollback(c);
fail:
	db_release(db, c);
	if (rc != DB_OK) {
		char masked[13];

		memcpy(masked, out->personal_id_masked, sizeof(masked));
		sodium_memzero(out, sizeof(*out));
		memcpy(out->personal_id_masked, masked, sizeof(masked));
	}
	return rc;
}

const char *
enroll_err_name(int rc)
{
	switch (rc) {
	case ENROLL_CARD_INVALID: return "card_invalid";
	case ENROLL_CARD_SUPERSEDED: return "card_superseded";
	case ENROLL_CARD_EXPIRED: return "card_expired";
	case ENROLL_UNKNOWN_PERSON: return "unknown_person";
	case ENROLL_DECEASED: return "deceased";
	case ENROLL_BAD_CODE: return "invalid_code";
	default: return NULL;
	}
}

int
enroll_enrolled_at(struct db_conn *c, const char *account_id, int64_t *at)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || at == NULL)
		return DB_ERR;
	*at = 0;
	if ((st = db_stmt(c, SQL_ENROLLED_AT)) == NULL ||
	    db_bind_text(st, 1, account_id) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		*at = sqlite3_column_int64(st, 0);
		rc = DB_OK;
	}
	sqlite3_reset(st);
	return rc;
}
