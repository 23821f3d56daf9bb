/*
 * test_consent: consents cover a scope only with every value agreed;
 * withdrawing one ends that client's grants and no other's; the list shows
 * live consents only; granting and withdrawing are audited by the citizen.
 */
#include "t.h"
#include "fixture.h"

#include <string.h>

#include "consent.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ACC "acc-an"

static int
setup(struct fixture *f, const char *name)
{
	if (fixture_open(f, name) != 0 || fixture_import(f, ROW, NOW - 86400) != 1)
		return -1;
	if (fixture_exec(f, "INSERT INTO accounts (account_id, personal_id, level, "
	    "phone, password_hash, status, created_at) VALUES ('" ACC "', '" PID
	    "', 2, '+84912345678', '', 'active', 0)") != 0)
		return -1;
	return fixture_exec(f, "INSERT INTO clients (client_id, name, kind, "
	    "secret_hash, redirect_uris, post_logout_uris, scope, id_token_alg, "
	    "created_at) VALUES ('c_a', 'A', 'portal', '', '[]', '[]', 'openid', "
	    "'EdDSA', 0), ('c_b', 'B', 'portal', '', '[]', '[]', 'openid', "
	    "'EdDSA', 0)");
}

static int
count_consent(const struct consent *k, void *arg)
{
	(void)k;
	(*(int *)arg)++;
	return 0;
}

TEST(consents_cover_scopes)
{
	struct fixture f;
	bool yes = true;

	CHECK(setup(&f, "test_consent_cover") == 0);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_a", "openid", &yes), DB_OK);
	CHECK(!yes);
	CHECK_EQ_INT(consent_grant(f.db, f.seal, ACC, "c_a", "openid profile", NOW),
	    DB_OK);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_a", "openid profile", &yes), DB_OK);
	CHECK(yes);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_a", "openid", &yes), DB_OK);
	CHECK(yes);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_a", "openid phone", &yes), DB_OK);
	CHECK(!yes);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_b", "openid", &yes), DB_OK);
	CHECK(!yes);
	/* an unknown account is no grant and leaves no audit entry */
	CHECK(consent_grant(f.db, f.seal, "nobody", "c_a", "openid", NOW) != DB_OK);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'consent_granted'"), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM audit_log WHERE "
	    "actor LIKE 'citizen:%' AND subject IS NOT NULL AND details LIKE "
	    "'%c_a%' AND details NOT LIKE '%" PID "%'"), 1);
	fixture_close(&f);
}

TEST(consent_revoke_ends_grants)
{
	struct fixture f;
	bool yes = true;
	int n = 0;

	CHECK(setup(&f, "test_consent_revoke") == 0);
	CHECK(fixture_exec(&f, "INSERT INTO grants (id, client_id, account_id, "
	    "scope, auth_time, amr, acr, created_at) VALUES ('g1', 'c_a', '" ACC
	    "', 'openid', 0, 'pwd', '1', 0), ('g2', 'c_b', '" ACC "', 'openid', "
	    "0, 'pwd', '1', 0)") == 0);
	CHECK_EQ_INT(consent_grant(f.db, f.seal, ACC, "c_a", "openid profile", NOW),
	    DB_OK);
	CHECK_EQ_INT(consent_grant(f.db, f.seal, ACC, "c_b", "openid", NOW), DB_OK);
	CHECK_EQ_INT(consent_foreach(f.db, ACC, count_consent, &n), DB_OK);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(consent_revoke(f.db, f.seal, ACC, "c_a", NOW + 5), DB_OK);
	CHECK_EQ_INT(consent_revoke(f.db, f.seal, ACC, "c_a", NOW + 6),
	    CONSENT_NOT_FOUND);
	CHECK_EQ_INT(consent_covers(f.db, ACC, "c_a", "openid", &yes), DB_OK);
	CHECK(!yes);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM grants WHERE id = 'g1' "
	    "AND revoked_at IS NOT NULL"), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM grants WHERE id = 'g2' "
	    "AND revoked_at IS NULL"), 1);
	CHECK_EQ_INT(fixture_count(&f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'consent_revoked'"), 1);
	n = 0;
	CHECK_EQ_INT(consent_foreach(f.db, ACC, count_consent, &n), DB_OK);
	CHECK_EQ_INT(n, 1);
	fixture_close(&f);
}

T_MAIN(T(consents_cover_scopes), T(consent_revoke_ends_grants))
