/*
 * test_enroll: unit tests for enroll: a genuine chip record creates a
 * level-2 account (or upgrades a level-1 one, keeping its password) with an
 * audit row and a one-time code; every refusal (any changed byte, another
 * key, another typ, a reissued card, an expired card, a deceased or unknown
 * person, bad input, a revoked officer) in the documented order; activation
 * codes: format, normalisation, single use, expiry at 900 s.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "base.h"
#include "card.h"
#include "db.h"
#include "enroll.h"
#include "jws.h"
#include "keys.h"
#include "officers.h"
#include "person.h"
#include "registry.h"
#include "seal.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15 */
#define DIGEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define PHONE "0912345678"

#define AN "001090000001"
#define BINH "079195000002"
#define CUONG "001085000003"
#define DUNG "001192000004"
#define ROWS \
	AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male,Vi\xe1\xbb\x87t Nam," \
	"H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," AN ",2021-03-01,2036-05-17,living\n" \
	BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh,1995-11-02,female,Vi\xe1\xbb\x87t Nam," \
	"H\xe1\xbb\x93 Ch\xc3\xad Minh,Qu\xe1\xba\xadn 1,123456789,2020-01-15,2035-11-02,deceased\n" \
	CUONG ",L\xc3\xaa V\xc4\x83n C\xc6\xb0\xe1\xbb\x9dng,1985-02-03,male,Vi\xe1\xbb\x87t Nam," \
	"H\xc3\xa0 N\xe1\xbb\x99i,Ba \xc4\x90\xc3\xacnh," CUONG ",2010-01-01,2020-01-01,living\n" \
	DUNG ",Ph\xe1\xba\xa1m Th\xe1\xbb\x8b Dung,1992-08-09,female,Vi\xe1\xbb\x87t Nam," \
	"H\xc3\xa0 N\xe1\xbb\x99i,\xc4\x90\xe1\xbb\x91ng \xc4\x90" "a," DUNG ",2022-01-01,2037-08-09,living\n"

struct fx {
	struct fixture f;
	char officer[OFFICER_ID_SIZE];
};

static int
fx_open(struct fx *x)
{
	char tok[OFFICER_TOKEN_SIZE], reason[128];

	if (fixture_open(&x->f, "test_enroll") != 0 ||
	    fixture_import(&x->f, ROWS, NOW - 86400) != 4)
		return -1;
	return officers_add(x->f.db, x->f.seal, "Officer", "Desk 1", NOW,
	    x->officer, tok, reason, sizeof(reason)) == DB_OK ? 0 : -1;
}

static char *
chip(struct fx *x, const char *pid)
{
	char *out = NULL;

	if (card_issue(x->f.db, x->f.seal, pid, NOW - 3600, &out) != DB_OK)
		return NULL;
	return out;
}

/* A chip record for `pid` whose personal_id claims `claim`, signed by `key`. */
static char *
chip_signed(struct fx *x, const char *pid, const char *claim,
    const struct jws_key *key, const char *typ)
{
	struct person p;
	json_t *o;
	char *text, *out;

	if (fixture_get(&x->f, pid, &p) != DB_OK)
		return NULL;
	o = card_payload(&p, NOW);
	json_object_set_new(o, "personal_id", json_string(claim));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	out = text != NULL ? jws_sign(key, typ, text, strlen(text)) : NULL;
	free(text);
	return out;
}

static int
enroll(struct fx *x, const char *chip_record, int64_t now,
    struct enroll_result *res)
{
	return enroll_person(x->f.db, x->f.seal, x->officer, chip_record, DIGEST,
	    PHONE, now, res);
}

static int
get_account(struct fx *x, const char *pid, struct account *acc)
{
	struct db_conn *c = db_acquire(x->f.db);
	int rc = c != NULL ? accounts_get_by_personal_id(c, pid, acc) : DB_ERR;

	db_release(x->f.db, c);
	return rc;
}

/* Redeems in a transaction of its own, as a caller would. */
static int
redeem(struct fx *x, const char *code, int64_t now, char acc[ACC_ID_SIZE])
{
	struct db_conn *c = db_acquire(x->f.db);
	int rc = DB_ERR;

	if (c != NULL && db_begin(c) == DB_OK) {
		rc = enroll_code_redeem(c, code, now, acc);
		if (rc == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(x->f.db, c);
	return rc;
}

static int
code_shaped(const char *code)
{
	static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

	if (strlen(code) != 23)
		return 0;
	for (size_t i = 0; i < 23; i++) {
		if (i % 6 == 5 ? code[i] != '-' : strchr(alpha, code[i]) == NULL ||
		    code[i] == '\0')
			return 0;
	}
	return 1;
}

TEST(creates_level2_account)
{
	struct fx x;
	struct enroll_result res;
	struct account acc;
	char got[ACC_ID_SIZE];
	char *c1;

	CHECK(fx_open(&x) == 0);
	CHECK((c1 = chip(&x, AN)) != NULL);
	CHECK_EQ_INT(enroll(&x, c1, NOW, &res), DB_OK);
	CHECK_EQ_INT(res.level, 2);
	CHECK(res.created);
	CHECK(code_shaped(res.activation_code));
	CHECK_EQ_INT(res.expires_at, NOW + ENROLL_CODE_TTL);
	CHECK_STR(res.personal_id_masked, "001******001");
	CHECK_EQ_INT(get_account(&x, AN, &acc), DB_OK);
	CHECK_STR(acc.account_id, res.account_id);
	CHECK_EQ_INT(acc.level, 2);
	CHECK_STR(acc.phone, "+84912345678");
	CHECK_STR(acc.password_hash, "");
	CHECK_STR(acc.status, "active");
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM enrollments WHERE "
	    "personal_id_masked = '001******001' AND card_number = '" AN "' AND "
	    "biometric_digest = '" DIGEST "' AND previous_level = 0 AND "
	    "enrolled_at = 1800000000"), 1);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM enrollments e JOIN "
	    "officers o ON o.officer_id = e.officer_id JOIN accounts a ON "
	    "a.account_id = e.account_id"), 1);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM activation_codes "
	    "WHERE issued_by LIKE 'o_%' AND used_at IS NULL"), 1);
	/* Stored hashed: the code appears nowhere. */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM activation_codes "
	    "WHERE length(code_hash) = 64"), 1);
	CHECK_EQ_INT(redeem(&x, res.activation_code, NOW + 60, got), DB_OK);
	CHECK_STR(got, res.account_id);
	CHECK_EQ_INT(redeem(&x, res.activation_code, NOW + 61, got), ENROLL_BAD_CODE);
	CHECK_STR(got, "");
	free(c1);
	fixture_close(&x.f);
}

TEST(upgrades_level1_account)
{
	struct fx x;
	struct enroll_result r1, r2;
	struct account acc;
	struct db_conn *c;
	char id[ACC_ID_SIZE], got[ACC_ID_SIZE];
	char *cd;

	CHECK(fx_open(&x) == 0);
	c = db_acquire(x.f.db);
	CHECK(c != NULL);
	CHECK_EQ_INT(accounts_create(c, DUNG, "+84987654321", "$argon2id$kept",
	    NOW - 100, id), DB_OK);
	db_release(x.f.db, c);
	CHECK((cd = chip(&x, DUNG)) != NULL);
	CHECK_EQ_INT(enroll(&x, cd, NOW, &r1), DB_OK);
	CHECK(!r1.created);
	CHECK_STR(r1.account_id, id);
	CHECK_EQ_INT(get_account(&x, DUNG, &acc), DB_OK);
	CHECK_EQ_INT(acc.level, 2);
	CHECK_STR(acc.password_hash, "$argon2id$kept");
	CHECK_STR(acc.phone, "+84912345678");
	/* Enrolled again (a lost code): the first code no longer works. */
	CHECK_EQ_INT(enroll(&x, cd, NOW + 30, &r2), DB_OK);
	CHECK(strcmp(r1.activation_code, r2.activation_code) != 0);
	CHECK_EQ_INT(redeem(&x, r1.activation_code, NOW + 40, got), ENROLL_BAD_CODE);
	CHECK_EQ_INT(redeem(&x, r2.activation_code, NOW + 40, got), DB_OK);
	CHECK_STR(got, id);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT group_concat(previous_level, '') "
	    "FROM (SELECT previous_level FROM enrollments ORDER BY enrolled_at)"), 12);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM accounts"), 1);
	free(cd);
	fixture_close(&x.f);
}

TEST(any_changed_byte_refused)
{
	struct fx x;
	struct enroll_result res;
	char *c1, *bad;
	size_t n, wrong = 0;

	CHECK(fx_open(&x) == 0);
	CHECK((c1 = chip(&x, AN)) != NULL);
	n = c1 != NULL ? strlen(c1) : 0;
	bad = c1 != NULL ? strdup(c1) : NULL;
	/* Header, payload, signature and the dots: every position, two ways. */
	for (size_t i = 0; bad != NULL && i < n; i++) {
		static const char subst[] = "AB";

		for (size_t k = 0; k < 2; k++) {
			if (c1[i] == subst[k])
				continue;
			bad[i] = subst[k];
			if (enroll(&x, bad, NOW, &res) != ENROLL_CARD_INVALID)
				wrong++;
		}
		bad[i] = c1[i];
	}
	CHECK_EQ_INT(wrong, 0);
	/* Cut short, lengthened, padded. */
	if (bad != NULL) {
		bad[n - 1] = '\0';
		CHECK_EQ_INT(enroll(&x, bad, NOW, &res), ENROLL_CARD_INVALID);
	}
	free(bad);
	bad = malloc(n + 2);
	if (bad != NULL && c1 != NULL) {
		snprintf(bad, n + 2, "%sA", c1);
		CHECK_EQ_INT(enroll(&x, bad, NOW, &res), ENROLL_CARD_INVALID);
		snprintf(bad, n + 2, "%s=", c1);
		CHECK_EQ_INT(enroll(&x, bad, NOW, &res), ENROLL_CARD_INVALID);
	}
	CHECK_EQ_INT(enroll(&x, "", NOW, &res), ENROLL_CARD_INVALID);
	CHECK_EQ_INT(enroll(&x, "a.b.c", NOW, &res), ENROLL_CARD_INVALID);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM accounts"), 0);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM enrollments"), 0);
	/* The genuine record still enrolls. */
	CHECK_EQ_INT(enroll(&x, c1, NOW, &res), DB_OK);
	free(bad);
	free(c1);
	fixture_close(&x.f);
}

TEST(other_key_or_typ_refused)
{
	struct fx x;
	struct enroll_result res;
	struct jws_key *card = NULL, *other = NULL, *es = NULL;
	char *s;

	CHECK(fx_open(&x) == 0);
	CHECK_EQ_INT(keys_current(x.f.db, x.f.seal, CARD_KEY_PURPOSE, JWS_EDDSA,
	    NOW, &card), DB_OK);
	/* Another Ed25519 key, even under the card key's kid. */
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, jws_key_kid(card), &other), 0);
	CHECK((s = chip_signed(&x, AN, AN, other, CARD_JWS_TYP)) != NULL);
	CHECK_EQ_INT(enroll(&x, s, NOW, &res), ENROLL_CARD_INVALID);
	free(s);
	CHECK_EQ_INT(jws_key_generate(JWS_ES256, jws_key_kid(card), &es), 0);
	CHECK((s = chip_signed(&x, AN, AN, es, CARD_JWS_TYP)) != NULL);
	CHECK_EQ_INT(enroll(&x, s, NOW, &res), ENROLL_CARD_INVALID);
	free(s);
	/* The card key itself, but not a chip record's typ. */
	CHECK((s = chip_signed(&x, AN, AN, card, "JWT")) != NULL);
	CHECK_EQ_INT(enroll(&x, s, NOW, &res), ENROLL_CARD_INVALID);
	free(s);
	CHECK((s = chip_signed(&x, AN, AN, card, NULL)) != NULL);
	CHECK_EQ_INT(enroll(&x, s, NOW, &res), ENROLL_CARD_INVALID);
	free(s);
	/* Signed by the card key with the right typ: accepted. */
	CHECK((s = chip_signed(&x, AN, AN, card, CARD_JWS_TYP)) != NULL);
	CHECK_EQ_INT(enroll(&x, s, NOW, &res), DB_OK);
	free(s);
	jws_key_free(card);
	jws_key_free(other);
	jws_key_free(es);
	fixture_close(&x.f);
}

static int
in_tx(struct fx *x, int (*fn)(struct db_conn *, const void *), const void *arg)
{
	struct db_conn *c = db_acquire(x->f.db);
	int rc = DB_ERR;

	if (c != NULL && db_begin(c) == DB_OK) {
		if ((rc = fn(c, arg)) == DB_OK)
			rc = db_commit(c);
		else
			db_rollback(c);
	}
	db_release(x->f.db, c);
	return rc;
}

static int
reissue_an(struct db_conn *c, const void *arg)
{
	UNUSED(arg);
	return registry_set_card(c, AN, AN, "001090777777", "2026-12-01",
	    "2041-12-01", NOW - 600);
}

static int
death(struct db_conn *c, const void *pid)
{
	return registry_set_deceased(c, pid, "2027-01-10", NOW - 300);
}

TEST(reissued_card_superseded)
{
	struct fx x;
	struct enroll_result res;
	char *old, *cur;

	CHECK(fx_open(&x) == 0);
	CHECK((old = chip(&x, AN)) != NULL);
	CHECK_EQ_INT(in_tx(&x, reissue_an, NULL), DB_OK);
	CHECK_EQ_INT(enroll(&x, old, NOW, &res), ENROLL_CARD_SUPERSEDED);
	CHECK_STR(res.personal_id_masked, "001******001");
	CHECK((cur = chip(&x, AN)) != NULL);
	CHECK_EQ_INT(enroll(&x, cur, NOW, &res), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM enrollments WHERE "
	    "card_number = '001090777777'"), 1);
	/* A registry that moved on without an event: not the current card either. */
	CHECK_EQ_INT(fixture_exec(&x.f, "UPDATE registry_people SET card_number = "
	    "'001090888888' WHERE personal_id = '" AN "'"), 0);
	CHECK_EQ_INT(enroll(&x, cur, NOW, &res), ENROLL_CARD_SUPERSEDED);
	free(old);
	free(cur);
	fixture_close(&x.f);
}

TEST(expired_card)
{
	struct fx x;
	struct enroll_result res;
	char *cc, *ca;

	CHECK(fx_open(&x) == 0);
	CHECK((cc = chip(&x, CUONG)) != NULL);
	CHECK_EQ_INT(enroll(&x, cc, NOW, &res), ENROLL_CARD_EXPIRED);
	CHECK((ca = chip(&x, AN)) != NULL);
	/* 2036-05-17 is the last day of An's card (UTC); the day after, expired. */
	CHECK_EQ_INT(enroll(&x, ca, INT64_C(2094681599), &res), DB_OK);
	CHECK_EQ_INT(enroll(&x, ca, INT64_C(2094681600), &res), ENROLL_CARD_EXPIRED);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM enrollments"), 1);
	free(cc);
	free(ca);
	fixture_close(&x.f);
}

TEST(deceased_and_unknown)
{
	struct fx x;
	struct enroll_result res;
	struct jws_key *card = NULL;
	char *cb, *ca, *cu;

	CHECK(fx_open(&x) == 0);
	CHECK((cb = chip(&x, BINH)) != NULL);
	CHECK_EQ_INT(enroll(&x, cb, NOW, &res), ENROLL_DECEASED);
	/* A death after the card was issued; deceased also outranks superseded. */
	CHECK((ca = chip(&x, AN)) != NULL);
	CHECK_EQ_INT(in_tx(&x, reissue_an, NULL), DB_OK);
	CHECK_EQ_INT(in_tx(&x, death, AN), DB_OK);
	CHECK_EQ_INT(enroll(&x, ca, NOW, &res), ENROLL_DECEASED);
	/* Signed by the card centre, for an ID the registry does not have. */
	CHECK_EQ_INT(keys_current(x.f.db, x.f.seal, CARD_KEY_PURPOSE, JWS_EDDSA,
	    NOW, &card), DB_OK);
	CHECK((cu = chip_signed(&x, DUNG, "001192999999", card, CARD_JWS_TYP)) != NULL);
	CHECK_EQ_INT(enroll(&x, cu, NOW, &res), ENROLL_UNKNOWN_PERSON);
	CHECK_STR(res.personal_id_masked, "001******999");
	free(cu);
	/* A personal_id that is not 12 digits is not a chip record at all. */
	CHECK((cu = chip_signed(&x, DUNG, "00119200000", card, CARD_JWS_TYP)) != NULL);
	CHECK_EQ_INT(enroll(&x, cu, NOW, &res), ENROLL_CARD_INVALID);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM accounts"), 0);
	jws_key_free(card);
	free(cu);
	free(cb);
	free(ca);
	fixture_close(&x.f);
}

TEST(bad_input_and_officer)
{
	struct fx x;
	struct enroll_result res;
	char *ca;

	CHECK(fx_open(&x) == 0);
	CHECK((ca = chip(&x, AN)) != NULL);
	CHECK_EQ_INT(enroll_person(x.f.db, x.f.seal, x.officer, ca,
	    "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
	    PHONE, NOW, &res), ENROLL_BAD_INPUT);
	CHECK_EQ_INT(enroll_person(x.f.db, x.f.seal, x.officer, ca, DIGEST "0",
	    PHONE, NOW, &res), ENROLL_BAD_INPUT);
	CHECK_EQ_INT(enroll_person(x.f.db, x.f.seal, x.officer, ca, "", PHONE, NOW,
	    &res), ENROLL_BAD_INPUT);
	CHECK_EQ_INT(enroll_person(x.f.db, x.f.seal, x.officer, ca, DIGEST,
	    "0212345678", NOW, &res), ENROLL_BAD_INPUT);
	CHECK_EQ_INT(enroll_person(x.f.db, x.f.seal, "o_nobody", ca, DIGEST, PHONE,
	    NOW, &res), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(officers_revoke(x.f.db, x.officer, NOW - 1), DB_OK);
	CHECK_EQ_INT(enroll(&x, ca, NOW, &res), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM accounts"), 0);
	CHECK(enroll_digest_valid(DIGEST));
	CHECK(!enroll_digest_valid(NULL));
	free(ca);
	fixture_close(&x.f);
}

TEST(code_normalisation)
{
	char n[21];

	CHECK_EQ_INT(enroll_code_normalize("ABCDE-FGHJK-MNPQR-STVWX", n), 0);
	CHECK_STR(n, "ABCDEFGHJKMNPQRSTVWX");
	CHECK_EQ_INT(enroll_code_normalize(" abcde fghjk-mnpqr--stvwx ", n), 0);
	CHECK_STR(n, "ABCDEFGHJKMNPQRSTVWX");
	CHECK_EQ_INT(enroll_code_normalize("iIlLo-O0123-45678-9YZ00", n), 0);
	CHECK_STR(n, "1111000123456789YZ00");
	CHECK_EQ_INT(enroll_code_normalize("ABCDE-FGHJK-MNPQR-STVWU", n), -1);
	CHECK_EQ_INT(enroll_code_normalize("ABCDE-FGHJK-MNPQR-STVW", n), -1);
	CHECK_EQ_INT(enroll_code_normalize("ABCDE-FGHJK-MNPQR-STVWXY", n), -1);
	CHECK_EQ_INT(enroll_code_normalize("ABCDE_FGHJK_MNPQR_STVWX", n), -1);
	CHECK_EQ_INT(enroll_code_normalize("ABCDE-FGHJK-MNPQR-STVW\xc3\x9a", n), -1);
	CHECK_EQ_INT(enroll_code_normalize("", n), -1);
	CHECK_EQ_INT(enroll_code_normalize(NULL, n), -1);
}

static int
issue(struct fx *x, const char *acc, int64_t now, char code[ENROLL_CODE_SIZE])
{
	struct db_conn *c = db_acquire(x->f.db);
	int64_t exp = 0;
	int rc = c != NULL ? enroll_code_issue(c, acc, "device:abc", now, code, &exp) :
	    DB_ERR;

	db_release(x->f.db, c);
	return rc == DB_OK && exp == now + ENROLL_CODE_TTL ? DB_OK : DB_ERR;
}

TEST(codes_single_use_and_expiry)
{
	struct fx x;
	struct db_conn *c;
	char id[ACC_ID_SIZE], got[ACC_ID_SIZE], code[ENROLL_CODE_SIZE];
	char typed[64], seen[200][ENROLL_CODE_SIZE];

	CHECK(fx_open(&x) == 0);
	c = db_acquire(x.f.db);
	CHECK(c != NULL);
	CHECK_EQ_INT(accounts_create(c, AN, "+84912345678", "", NOW, id), DB_OK);
	db_release(x.f.db, c);
	/* Typed by hand: lower case, spaces for dashes, O for 0, l for 1. */
	CHECK_EQ_INT(issue(&x, id, NOW, code), DB_OK);
	CHECK(code_shaped(code));
	for (size_t i = 0, o = 0; i < sizeof(typed); i++) {
		char ch = code[i];

		typed[o++] = ch == '-' ? ' ' : ch == '0' ? 'o' : ch == '1' ? 'l' :
		    (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
		if (ch == '\0')
			break;
	}
	CHECK_EQ_INT(redeem(&x, typed, NOW + ENROLL_CODE_TTL - 1, got), DB_OK);
	CHECK_STR(got, id);
	CHECK_EQ_INT(redeem(&x, code, NOW + 1, got), ENROLL_BAD_CODE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM activation_codes "
	    "WHERE issued_by = 'device:abc' AND used_at IS NOT NULL"), 1);
	/* At 900 s the code is gone. */
	CHECK_EQ_INT(issue(&x, id, NOW, code), DB_OK);
	CHECK_EQ_INT(redeem(&x, code, NOW + ENROLL_CODE_TTL, got), ENROLL_BAD_CODE);
	CHECK_STR(got, "");
	CHECK_EQ_INT(redeem(&x, "00000-00000-00000-00000", NOW, got), ENROLL_BAD_CODE);
	CHECK_EQ_INT(redeem(&x, "nonsense", NOW, got), ENROLL_BAD_CODE);
	/* A locked account binds no device with its code. */
	CHECK_EQ_INT(issue(&x, id, NOW, code), DB_OK);
	c = db_acquire(x.f.db);
	CHECK(c != NULL && accounts_set_status(c, id, "locked", "self", NOW) == DB_OK);
	db_release(x.f.db, c);
	CHECK_EQ_INT(redeem(&x, code, NOW + 1, got), ENROLL_BAD_CODE);
	/* Fresh randomness every time. */
	for (size_t i = 0; i < ARRAY_LEN(seen); i++) {
		CHECK_EQ_INT(issue(&x, id, NOW, seen[i]), DB_OK);
		CHECK(code_shaped(seen[i]));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(seen[i], seen[j]) != 0);
	}
	fixture_close(&x.f);
}

T_MAIN(T(creates_level2_account), T(upgrades_level1_account),
    T(any_changed_byte_refused), T(other_key_or_typ_refused),
    T(reissued_card_superseded), T(expired_card), T(deceased_and_unknown),
    T(bad_input_and_officer), T(code_normalisation),
    T(codes_single_use_and_expiry))
