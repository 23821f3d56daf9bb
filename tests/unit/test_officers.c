/*
 * test_officers: unit tests for officers: the token is "<id>.<secret>" of
 * high entropy, stored only as a keyed hash; a right token authenticates,
 * a wrong, malformed, unknown or revoked one does not; names are checked.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "officers.h"
#include "seal.h"

#define NOW INT64_C(1800000000)

static int
auth(struct fixture *f, const char *token, char id[OFFICER_ID_SIZE])
{
	struct db_conn *c = db_acquire(f->db);
	int rc;

	if (c == NULL)
		return -100;
	rc = officers_authenticate(c, f->seal, token, id);
	db_release(f->db, c);
	return rc;
}

TEST(add_and_authenticate)
{
	struct fixture f;
	char id[OFFICER_ID_SIZE], tok[OFFICER_TOKEN_SIZE], got[OFFICER_ID_SIZE];
	char reason[128], sql[256];

	CHECK(fixture_open(&f, "test_officers") == 0);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B",
	    "C\xc3\xb4ng an Qu\xe1\xba\xadn 1", NOW, id, tok, reason,
	    sizeof(reason)), DB_OK);
	CHECK(strncmp(id, "o_", 2) == 0 && strlen(id) == 18);
	/* id "." and 32 random bytes in base64url: 256 bits of secret. */
	CHECK_EQ_INT(strlen(tok), 18 + 1 + 43);
	CHECK(strncmp(tok, id, strlen(id)) == 0 && tok[18] == '.');
	CHECK_EQ_INT(auth(&f, tok, got), DB_OK);
	CHECK_STR(got, id);
	/* Only a keyed hash is stored: neither the token nor its plain hash. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM officers WHERE "
	    "token_hash LIKE '%%%s%%' OR name LIKE '%%%s%%'", tok + 19, tok + 19);
	CHECK_EQ_INT(fixture_count(&f, sql), 0);
	CHECK_EQ_INT(fixture_count(&f, "SELECT length(token_hash) FROM officers"), 64);
	{
		uint8_t h[32];
		char hex[65];

		crypto_generichash(h, sizeof(h), (const uint8_t *)tok, strlen(tok),
		    NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM officers WHERE "
		    "token_hash = '%s'", hex);
		CHECK_EQ_INT(fixture_count(&f, sql), 0);
	}
	fixture_close(&f);
}

TEST(wrong_tokens_refused)
{
	struct fixture f;
	char id[OFFICER_ID_SIZE], tok[OFFICER_TOKEN_SIZE], got[OFFICER_ID_SIZE];
	char bad[OFFICER_TOKEN_SIZE + 8], reason[128];

	CHECK(fixture_open(&f, "test_officers") == 0);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "A", "B", NOW, id, tok, reason,
	    sizeof(reason)), DB_OK);
	/* Every character of the secret matters. */
	for (size_t i = 19; i < strlen(tok); i++) {
		snprintf(bad, sizeof(bad), "%s", tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		CHECK_EQ_INT(auth(&f, bad, got), OFFICER_NOT_FOUND);
		CHECK_STR(got, "");
	}
	snprintf(bad, sizeof(bad), "o_AAAAAAAAAAAAAAAA%s", tok + 18);
	CHECK_EQ_INT(auth(&f, bad, got), OFFICER_NOT_FOUND);
	snprintf(bad, sizeof(bad), "%sx", tok);
	CHECK_EQ_INT(auth(&f, bad, got), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(auth(&f, tok + 19, got), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(auth(&f, "", got), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(auth(&f, NULL, got), OFFICER_NOT_FOUND);
	snprintf(bad, sizeof(bad), "%.19s", tok);
	CHECK_EQ_INT(auth(&f, bad, got), OFFICER_NOT_FOUND);
	/* The same token under another master key is not the same hash. */
	{
		static const uint8_t other[32] = { 9, 9, 9 };
		struct fixture g;
		char id2[OFFICER_ID_SIZE], tok2[OFFICER_TOKEN_SIZE];

		CHECK(fixture_open_key(&g, "test_officers_k", other) == 0);
		CHECK_EQ_INT(officers_add(g.db, g.seal, "A", "B", NOW, id2, tok2,
		    reason, sizeof(reason)), DB_OK);
		CHECK_EQ_INT(auth(&g, tok2, got), DB_OK);
		CHECK_EQ_INT(auth(&f, tok2, got), OFFICER_NOT_FOUND);
		fixture_close(&g);
	}
	fixture_close(&f);
}

TEST(revocation)
{
	struct fixture f;
	char id[OFFICER_ID_SIZE], tok[OFFICER_TOKEN_SIZE], got[OFFICER_ID_SIZE];
	char id2[OFFICER_ID_SIZE], tok2[OFFICER_TOKEN_SIZE], reason[128];
	struct db_conn *c;

	CHECK(fixture_open(&f, "test_officers") == 0);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "A", "Office 1", NOW, id, tok,
	    reason, sizeof(reason)), DB_OK);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "B", "Office 1", NOW, id2, tok2,
	    reason, sizeof(reason)), DB_OK);
	CHECK(strcmp(id, id2) != 0 && strcmp(tok, tok2) != 0);
	CHECK_EQ_INT(officers_revoke(f.db, id, NOW + 10), DB_OK);
	CHECK_EQ_INT(auth(&f, tok, got), OFFICER_NOT_FOUND);
	CHECK_EQ_INT(auth(&f, tok2, got), DB_OK);
	/* Again: still revoked, as of the first time. */
	CHECK_EQ_INT(officers_revoke(f.db, id, NOW + 20), DB_OK);
	CHECK_EQ_INT(fixture_count(&f, "SELECT revoked_at - 1800000000 FROM "
	    "officers WHERE revoked_at IS NOT NULL"), 10);
	CHECK_EQ_INT(officers_revoke(f.db, "o_unknown", NOW), OFFICER_NOT_FOUND);
	c = db_acquire(f.db);
	CHECK(c != NULL);
	CHECK_EQ_INT(officers_active(c, id), 0);
	CHECK_EQ_INT(officers_active(c, id2), 1);
	CHECK_EQ_INT(officers_active(c, "o_unknown"), 0);
	db_release(f.db, c);
	fixture_close(&f);
}

TEST(names_checked)
{
	struct fixture f;
	char id[OFFICER_ID_SIZE], tok[OFFICER_TOKEN_SIZE], reason[128];
	char longname[200];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(fixture_open(&f, "test_officers") == 0);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "", "Office", NOW, id, tok, reason,
	    sizeof(reason)), OFFICER_INVALID);
	CHECK(strstr(reason, "name") != NULL);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "A", "  ", NOW, id, tok, reason,
	    sizeof(reason)), OFFICER_INVALID);
	CHECK(strstr(reason, "office") != NULL);
	CHECK_EQ_INT(officers_add(f.db, f.seal, longname, "O", NOW, id, tok, reason,
	    sizeof(reason)), OFFICER_INVALID);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "A\x01", "O", NOW, id, tok, reason,
	    sizeof(reason)), OFFICER_INVALID);
	CHECK_EQ_INT(officers_add(f.db, f.seal, "A\xff", "O", NOW, id, tok, reason,
	    sizeof(reason)), OFFICER_INVALID);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM officers"), 0);
	fixture_close(&f);
}

T_MAIN(T(add_and_authenticate), T(wrong_tokens_refused), T(revocation),
    T(names_checked))
