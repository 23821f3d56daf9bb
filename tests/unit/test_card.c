/*
 * test_card: unit tests for the card centre (card): the chip record is a
 * compact JWS (EdDSA, typ eid-chip+jwt, kid) over exactly the registry
 * fields, the portrait digest, iss and iat; it verifies with the published
 * key, and any altered character breaks it.
 */
#include "t.h"
#include "fixture.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"
#include "card.h"
#include "db.h"
#include "jws.h"
#include "registry.h"
#include "seal.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15 */

#define ROW_AN "001090000001,Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,\"S\xe1\xbb\x91 1, Ho\xc3\xa0n " \
	"Ki\xe1\xba\xbfm\",001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH "079195000002,Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,123456789,2020-01-15,2035-11-02,deceased\n"

static const char *const an_fields[][2] = {
	{ "personal_id", "001090000001" },
	{ "full_name", "Nguy\xe1\xbb\x85n V\xc4\x83n An" },
	{ "birth_date", "1990-05-17" },
	{ "sex", "male" },
	{ "nationality", "Vi\xe1\xbb\x87t Nam" },
	{ "place_of_origin", "H\xc3\xa0 N\xe1\xbb\x99i" },
	{ "residence", "S\xe1\xbb\x91 1, Ho\xc3\xa0n Ki\xe1\xba\xbfm" },
	{ "card_number", "001090000001" },
	{ "card_issued_on", "2021-03-01" },
	{ "card_expires_on", "2036-05-17" },
	{ "status", "living" },
};

static const char *const binh_fields[][2] = {
	{ "personal_id", "079195000002" },
	{ "full_name", "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh" },
	{ "birth_date", "1995-11-02" },
	{ "sex", "female" },
	{ "nationality", "Vi\xe1\xbb\x87t Nam" },
	{ "place_of_origin", "H\xe1\xbb\x93 Ch\xc3\xad Minh" },
	{ "residence", "Qu\xe1\xba\xadn 1" },
	{ "card_number", "123456789" },
	{ "card_issued_on", "2020-01-15" },
	{ "card_expires_on", "2035-11-02" },
	{ "status", "deceased" },
};

/* The fixture with An and Binh imported. */
static int
fx_open(struct fixture *f)
{
	return fixture_open(f, "test_card") == 0 &&
	    fixture_import(f, ROW_AN ROW_BINH, NOW) == 2 ? 0 : -1;
}

static struct jws_key *
card_key(struct fixture *f)
{
	struct jws_key *k = NULL;
	json_t *jwk = NULL;

	if (card_public_jwk(f->db, f->seal, NOW, &jwk) != DB_OK)
		return NULL;
	if (jws_key_from_jwk(jwk, &k) != 0)
		k = NULL;
	json_decref(jwk);
	return k;
}

/* 0 when `tok` parses and verifies with `k`. */
static int
verify(const struct jws_key *k, const char *tok, size_t len)
{
	struct jws_parsed p;
	int rc;

	memset(&p, 0, sizeof(p));
	if (jws_parse(tok, len, &p) != 0)
		return -1;
	rc = jws_verify_parsed(k, &p);
	jws_parsed_free(&p);
	return rc;
}

static int
is_lower_hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void
check_token(int *t_failed, struct fixture *f, const char *pid,
    const char *const fields[][2], size_t nfields, char *kid_out)
{
	struct jws_key *k = card_key(f);
	struct jws_parsed p;
	struct person person;
	struct db_conn *c;
	char *tok = NULL, digest[65];
	json_t *payload, *v;
	const char *kid;

	CHECK(k != NULL);
	CHECK_EQ_INT(card_issue(f->db, f->seal, pid, NOW, &tok), DB_OK);
	CHECK(tok != NULL);
	if (tok == NULL || k == NULL) {
		jws_key_free(k);
		free(tok);
		return;
	}
	/* Compact form: three base64url parts. */
	CHECK(strchr(tok, '.') != NULL && strchr(strchr(tok, '.') + 1, '.') != NULL);
	CHECK_EQ_INT(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_."), strlen(tok));
	memset(&p, 0, sizeof(p));
	CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
	CHECK_STR(json_string_value(json_object_get(p.header, "alg")), "EdDSA");
	CHECK_STR(json_string_value(json_object_get(p.header, "typ")), "eid-chip+jwt");
	kid = json_string_value(json_object_get(p.header, "kid"));
	CHECK(kid != NULL && kid[0] != '\0');
	CHECK_STR(kid, jws_key_kid(k));
	if (kid != NULL && kid_out != NULL)
		snprintf(kid_out, 64, "%s", kid);
	CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);

	payload = json_loads(p.payload, 0, NULL);
	CHECK(json_is_object(payload));
	/* Exactly the 11 fields, the digest, iss and iat. */
	CHECK_EQ_INT(json_object_size(payload), nfields + 3);
	for (size_t i = 0; i < nfields; i++) {
		v = json_object_get(payload, fields[i][0]);
		if (!json_is_string(v))
			fprintf(stderr, "  %s missing\n", fields[i][0]);
		CHECK_STR(json_string_value(v), fields[i][1]);
	}
	CHECK(is_lower_hex64(json_string_value(json_object_get(payload,
	    "portrait_sha256"))));
	c = db_acquire(f->db);
	CHECK(c != NULL && registry_get(c, pid, &person) == DB_OK);
	if (c != NULL) {
		db_release(f->db, c);
		card_portrait_digest(&person, digest);
		CHECK_STR(json_string_value(json_object_get(payload,
		    "portrait_sha256")), digest);
	}
	v = json_object_get(payload, "iss");
	CHECK(json_is_string(v) && json_string_length(v) > 0);
	CHECK(json_is_integer(json_object_get(payload, "iat")));
	CHECK_EQ_INT(json_integer_value(json_object_get(payload, "iat")), NOW);
	CHECK(json_object_get(payload, "date_of_death") == NULL);
	json_decref(payload);
	jws_parsed_free(&p);
	jws_key_free(k);
	free(tok);
}

TEST(issue_for_known_people)
{
	char kid1[64] = "", kid2[64] = "";
	struct fixture f;

	CHECK_EQ_INT(fx_open(&f), 0);
	check_token(t_failed, &f, "001090000001", an_fields, ARRAY_LEN(an_fields), kid1);
	check_token(t_failed, &f, "079195000002", binh_fields, ARRAY_LEN(binh_fields),
	    kid2);
	/* One card-signing key across calls. */
	CHECK(kid1[0] != '\0');
	CHECK_STR(kid1, kid2);
	fixture_close(&f);
}

TEST(unknown_person)
{
	struct fixture f;
	char *tok = NULL;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "001090999999", NOW, &tok), REG_NOT_FOUND);
	CHECK(tok == NULL);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "", NOW, &tok), REG_NOT_FOUND);
	CHECK(tok == NULL);
	fixture_close(&f);
}

TEST(same_key_across_calls)
{
	struct jws_key *k1, *k2;
	json_t *a = NULL, *b = NULL;
	struct fixture f;
	char *t1 = NULL, *t2 = NULL;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(card_public_jwk(f.db, f.seal, NOW, &a), DB_OK);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "001090000001", NOW, &t1), DB_OK);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "079195000002", NOW + 10, &t2), DB_OK);
	CHECK_EQ_INT(card_public_jwk(f.db, f.seal, NOW + 20, &b), DB_OK);
	CHECK(json_equal(a, b));
	CHECK_STR(json_string_value(json_object_get(a, "kty")), "OKP");
	CHECK_STR(json_string_value(json_object_get(a, "crv")), "Ed25519");
	CHECK(json_object_get(a, "d") == NULL);	/* no private part */
	k1 = card_key(&f);
	k2 = card_key(&f);
	CHECK(k1 != NULL && k2 != NULL);
	if (k1 != NULL && k2 != NULL && t1 != NULL && t2 != NULL) {
		CHECK_STR(jws_key_kid(k1), jws_key_kid(k2));
		CHECK_EQ_INT(verify(k1, t1, strlen(t1)), 0);
		CHECK_EQ_INT(verify(k2, t2, strlen(t2)), 0);
		/* The two tokens differ (different people). */
		CHECK(strcmp(t1, t2) != 0);
	}
	jws_key_free(k1);
	jws_key_free(k2);
	json_decref(a);
	json_decref(b);
	free(t1);
	free(t2);
	fixture_close(&f);
}

TEST(any_flipped_character_fails)
{
	struct jws_key *k;
	struct fixture f;
	char *tok = NULL;
	size_t n, flipped = 0;

	CHECK_EQ_INT(fx_open(&f), 0);
	k = card_key(&f);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "001090000001", NOW, &tok), DB_OK);
	CHECK(k != NULL && tok != NULL);
	if (k == NULL || tok == NULL)
		goto out;
	n = strlen(tok);
	CHECK_EQ_INT(verify(k, tok, n), 0);
	for (size_t i = 0; i < n; i++) {
		char was = tok[i];
		const char *alts = "AB.";
		for (const char *a = alts; *a != '\0'; a++) {
			if (*a == was)
				continue;
			tok[i] = *a;
			if (verify(k, tok, n) == 0) {
				fprintf(stderr, "  position %zu: %c -> %c still verifies\n",
				    i, was, *a);
				CHECK(0);
			}
			flipped++;
		}
		tok[i] = was;
	}
	CHECK(flipped >= 2 * n - 2);
	CHECK_EQ_INT(verify(k, tok, n), 0);
	/* Truncated or extended: fails too. */
	CHECK(verify(k, tok, n - 1) != 0);
	tok[n - 1] = '\0';
	CHECK(verify(k, tok, n - 1) != 0);
out:
	jws_key_free(k);
	free(tok);
	fixture_close(&f);
}

TEST(another_key_does_not_verify)
{
	struct jws_key *other = NULL;
	struct fixture f;
	char *tok = NULL;

	CHECK_EQ_INT(fx_open(&f), 0);
	CHECK_EQ_INT(card_issue(f.db, f.seal, "001090000001", NOW, &tok), DB_OK);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "other", &other), 0);
	if (tok != NULL && other != NULL)
		CHECK(verify(other, tok, strlen(tok)) != 0);
	jws_key_free(other);
	free(tok);
	fixture_close(&f);
}

T_MAIN(T(issue_for_known_people), T(unknown_person), T(same_key_across_calls),
    T(any_flipped_character_fails), T(another_key_does_not_verify))
