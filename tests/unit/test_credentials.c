/*
 * test_credentials: issuing level-2 credentials (the signed payload, its
 * header and lifetime; refused for level 1, a locked account, a revoked
 * device, a deceased person), revocation at once by device revocation,
 * self-lock, the lockout's hard lock, a death event and a card_reissued
 * event, the revoked list (expired ones left out) and the verifier's
 * look-ups.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "b64.h"
#include "credentials.h"
#include "db.h"
#include "devices.h"
#include "regevent.h"

#define NOW INT64_C(1800000000)
#define ISS "https://id.example.vn"
#define PID_AN "001090000001"
#define PID_BINH "079195000002"
#define ROW_AN PID_AN ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ROW_BINH PID_BINH ",Tr\xe1\xba\xa7n Th\xe1\xbb\x8b B\xc3\xacnh," \
	"1995-11-02,female,Vi\xe1\xbb\x87t Nam,H\xe1\xbb\x93 Ch\xc3\xad Minh," \
	"Qu\xe1\xba\xadn 1,079195000002,2020-01-15,2035-11-02,living\n"
#define ACC_A "acc-an"
#define ACC_B "acc-binh"

struct ctx {
	struct fixture f;
	struct jws_key *key;
	struct device a1, a2, b1;	/* two devices of An, one of Binh */
};

static int
add_device(struct ctx *x, const char *acc, struct device *d)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	struct db_conn *c = db_acquire(x->f.db);
	int rc;

	memset(d, 0, sizeof(*d));
	crypto_sign_keypair(pk, sk);
	(void)b64_encode(d->public_key, sizeof(d->public_key), pk, sizeof(pk));
	snprintf(d->account_id, sizeof(d->account_id), "%s", acc);
	rc = c != NULL ? devices_add(c, x->f.seal, acc, "phone", d->public_key, 3, NOW,
	    d->device_id) : -1;
	db_release(x->f.db, c);
	return rc;
}

static int
open_ctx(struct ctx *x)
{
	memset(x, 0, sizeof(*x));
	if (fixture_open(&x->f, "test_credentials") != 0 ||
	    fixture_import(&x->f, ROW_AN ROW_BINH, NOW - 86400 * 365) != 2 ||
	    fixture_exec(&x->f, "INSERT INTO accounts (account_id, personal_id, "
	    "level, phone, password_hash, status, created_at) VALUES "
	    "('" ACC_A "', '" PID_AN "', 2, '+84912345678', 'x', 'active', 0), "
	    "('" ACC_B "', '" PID_BINH "', 2, '+84987654321', 'x', 'active', 0)")
	    != 0 || jws_key_generate(JWS_EDDSA, "credential-test", &x->key) != 0)
		return -1;
	return add_device(x, ACC_A, &x->a1) == 0 && add_device(x, ACC_A, &x->a2) == 0 &&
	    add_device(x, ACC_B, &x->b1) == 0 ? 0 : -1;
}

static void
close_ctx(struct ctx *x)
{
	jws_key_free(x->key);
	fixture_close(&x->f);
}

/* A credential for d: its jti into jti[48]; the rc. */
static int
issue(struct ctx *x, const struct device *d, int64_t now, char jti[48])
{
	struct jws_parsed p;
	json_t *pl;
	char *jws = NULL;
	int64_t exp;
	int rc = credentials_issue(x->f.db, x->key, ISS, d, now, &jws, &exp);

	jti[0] = '\0';
	if (rc == DB_OK && jws_parse(jws, strlen(jws), &p) == 0) {
		pl = json_loads(p.payload, 0, NULL);
		snprintf(jti, 48, "%s", json_string_value(json_object_get(pl, "jti")));
		json_decref(pl);
		jws_parsed_free(&p);
	}
	free(jws);
	return rc;
}

static int
revoked(struct ctx *x, const char *jti)
{
	struct db_conn *c = db_acquire(x->f.db);
	char acc[44];
	bool r = false;
	int rc = c != NULL ? credentials_lookup(c, jti, acc, &r) : DB_ERR;

	db_release(x->f.db, c);
	return rc != DB_OK ? rc : r ? 1 : 0;
}

/* Whether jti is in the revoked list as of now. */
static bool
listed(struct ctx *x, const char *jti, int64_t now)
{
	struct db_conn *c = db_acquire(x->f.db);
	json_t *list = NULL, *v;
	bool found = false;
	size_t i;

	if (c != NULL && credentials_revoked(c, now, &list) == DB_OK)
		json_array_foreach(list, i, v)
			found |= strcmp(json_string_value(v), jti) == 0;
	json_decref(list);
	db_release(x->f.db, c);
	return found;
}

TEST(issue_payload)
{
	struct ctx x;
	struct jws_parsed p;
	json_t *pl, *jwk;
	char *jws = NULL;
	int64_t exp = 0;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(credentials_issue(x.f.db, x.key, ISS, &x.a1, NOW, &jws, &exp), DB_OK);
	CHECK_EQ_INT(exp, NOW + CRED_TTL);
	CHECK(jws != NULL && jws_parse(jws, strlen(jws), &p) == 0);
	CHECK_EQ_INT(jws_verify_parsed(x.key, &p), 0);
	CHECK_STR(json_string_value(json_object_get(p.header, "typ")), CRED_JWS_TYP);
	CHECK_STR(json_string_value(json_object_get(p.header, "alg")), "EdDSA");
	CHECK_STR(json_string_value(json_object_get(p.header, "kid")), "credential-test");
	pl = json_loads(p.payload, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(pl, "iss")), ISS);
	CHECK(strlen(json_string_value(json_object_get(pl, "jti"))) >= 22);
	CHECK_EQ_INT(json_integer_value(json_object_get(pl, "iat")), NOW);
	CHECK_EQ_INT(json_integer_value(json_object_get(pl, "exp")), NOW + CRED_TTL);
	CHECK_EQ_INT(json_integer_value(json_object_get(pl, "lvl")), 2);
	jwk = json_object_get(json_object_get(pl, "cnf"), "jwk");
	CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "OKP");
	CHECK_STR(json_string_value(json_object_get(jwk, "crv")), "Ed25519");
	CHECK_STR(json_string_value(json_object_get(jwk, "x")), x.a1.public_key);
	CHECK_STR(json_string_value(json_object_get(pl, "personal_id")), PID_AN);
	CHECK_STR(json_string_value(json_object_get(pl, "full_name")),
	    "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	CHECK_STR(json_string_value(json_object_get(pl, "birth_date")), "1990-05-17");
	CHECK_STR(json_string_value(json_object_get(pl, "sex")), "male");
	CHECK_STR(json_string_value(json_object_get(pl, "nationality")),
	    "Vi\xe1\xbb\x87t Nam");
	CHECK_EQ_INT(strlen(json_string_value(json_object_get(pl, "portrait_sha256"))), 64);
	CHECK_EQ_INT(json_object_size(pl), 12);
	json_decref(pl);
	jws_parsed_free(&p);
	free(jws);
	close_ctx(&x);
}

TEST(issue_only_level2_active)
{
	struct ctx x;
	char jti[48];
	struct db_conn *c;

	CHECK(open_ctx(&x) == 0);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET level = 1 WHERE account_id = '"
	    ACC_B "'") == 0);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jti), CRED_LEVEL);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET level = 2, status = 'locked', "
	    "lock_reason = 'self' WHERE account_id = '" ACC_B "'") == 0);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jti), CRED_INACTIVE);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET status = 'disabled', "
	    "lock_reason = NULL WHERE account_id = '" ACC_B "'") == 0);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jti), CRED_INACTIVE);
	/* A revoked device gets none; the account's other device still does. */
	c = db_acquire(x.f.db);
	CHECK_EQ_INT(devices_revoke(c, x.f.seal, ACC_A, x.a2.device_id, NOW), DB_OK);
	db_release(x.f.db, c);
	CHECK_EQ_INT(issue(&x, &x.a2, NOW, jti), CRED_INACTIVE);
	CHECK_EQ_INT(issue(&x, &x.a1, NOW, jti), DB_OK);
	/* A deceased person's record gives none. */
	CHECK(fixture_exec(&x.f, "UPDATE registry_people SET status = 'deceased' "
	    "WHERE personal_id = '" PID_AN "'") == 0);
	CHECK_EQ_INT(issue(&x, &x.a1, NOW, jti), CRED_INACTIVE);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM credentials"), 1);
	close_ctx(&x);
}

TEST(device_revoke_revokes_its_credentials)
{
	struct ctx x;
	char j1[48], j2[48];
	struct db_conn *c;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(issue(&x, &x.a1, NOW, j1), DB_OK);
	CHECK_EQ_INT(issue(&x, &x.a2, NOW, j2), DB_OK);
	CHECK_EQ_INT(revoked(&x, j1), 0);
	CHECK(!listed(&x, j1, NOW));
	c = db_acquire(x.f.db);
	CHECK_EQ_INT(devices_revoke(c, x.f.seal, ACC_A, x.a1.device_id, NOW + 5), DB_OK);
	db_release(x.f.db, c);
	CHECK_EQ_INT(revoked(&x, j1), 1);
	CHECK_EQ_INT(revoked(&x, j2), 0);
	/* Audited: one credential of the device, then the device itself. */
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT count(*) FROM audit_log WHERE "
	    "event = 'credential_revoked' AND details = "
	    "'{\"count\":1,\"scope\":\"device\"}' AND subject <> ''"), 1);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT max(seq) FROM audit_log WHERE "
	    "event = 'device_revoked'"), fixture_count(&x.f, "SELECT max(seq) "
	    "FROM audit_log"));
	CHECK(listed(&x, j1, NOW + 5));
	CHECK(!listed(&x, j2, NOW + 5));
	/* Expired, it leaves the list; the look-up still knows it. */
	CHECK(!listed(&x, j1, NOW + CRED_TTL));
	CHECK_EQ_INT(revoked(&x, j1), 1);
	close_ctx(&x);
}

TEST(lock_revokes)
{
	struct session_limits lim = { 1800, 43200 };
	struct auth *a = NULL;
	struct ctx x;
	char ja[48], jb[48];

	CHECK(open_ctx(&x) == 0);
	CHECK(auth_new(x.f.db, x.f.seal, &lim, &a) == 0);
	CHECK_EQ_INT(issue(&x, &x.a1, NOW, ja), DB_OK);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jb), DB_OK);
	CHECK_EQ_INT(auth_lock_self(a, ACC_A, NOW + 1), DB_OK);
	CHECK_EQ_INT(revoked(&x, ja), 1);
	CHECK_EQ_INT(revoked(&x, jb), 0);
	CHECK(listed(&x, ja, NOW + 1));
	auth_free(a);
	close_ctx(&x);
}

/* Applies an event of `type` for pid with the auth hooks; the rc. */
static int
event(struct ctx *x, const char *id, const char *type, const char *pid,
    const char *k1, const char *v1, const char *k2, const char *v2,
    const char *k3, const char *v3)
{
	struct registry_event ev;
	char why[256];
	bool dup = false;

	memset(&ev, 0, sizeof(ev));
	if (registry_event_set_id(&ev, id, why, sizeof(why)) != 0 ||
	    registry_event_type_parse(type, &ev.type) != 0)
		return -1;
	snprintf(ev.personal_id, sizeof(ev.personal_id), "%s", pid);
	if ((k1 != NULL && registry_event_set(&ev, k1, v1, strlen(v1), why, sizeof(why)) != 0) ||
	    (k2 != NULL && registry_event_set(&ev, k2, v2, strlen(v2), why, sizeof(why)) != 0) ||
	    (k3 != NULL && registry_event_set(&ev, k3, v3, strlen(v3), why, sizeof(why)) != 0))
		return -2;
	return registry_apply_event(x->f.db, x->f.seal, &ev, "test", NOW + 10,
	    auth_registry_hooks(), &dup, why, sizeof(why));
}

TEST(death_and_card_reissued_revoke)
{
	struct ctx x;
	char ja[48], ja2[48], jb[48];

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(issue(&x, &x.a1, NOW, ja), DB_OK);
	CHECK_EQ_INT(issue(&x, &x.a2, NOW, ja2), DB_OK);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jb), DB_OK);
	CHECK_EQ_INT(event(&x, "ev-card-1", "card_reissued", PID_AN, "card_number",
	    "001090000099", "card_issued_on", "2027-01-01", "card_expires_on",
	    "2036-05-17"), DB_OK);
	CHECK_EQ_INT(revoked(&x, ja), 1);
	CHECK_EQ_INT(revoked(&x, ja2), 1);
	CHECK_EQ_INT(revoked(&x, jb), 0);
	/* A new one carries the new card's portrait digest and is valid. */
	CHECK_EQ_INT(issue(&x, &x.a1, NOW + 20, ja), DB_OK);
	CHECK_EQ_INT(revoked(&x, ja), 0);
	CHECK_EQ_INT(event(&x, "ev-death-1", "death", PID_BINH, "date_of_death",
	    "2027-01-02", NULL, NULL, NULL, NULL), DB_OK);
	CHECK_EQ_INT(revoked(&x, jb), 1);
	CHECK(listed(&x, jb, NOW + 20));
	CHECK_EQ_INT(revoked(&x, ja), 0);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW + 20, jb), CRED_INACTIVE);
	close_ctx(&x);
}

TEST(lookups)
{
	struct ctx x;
	char jti[48], acc[44];
	struct db_conn *c;
	bool r = true;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(issue(&x, &x.b1, NOW, jti), DB_OK);
	c = db_acquire(x.f.db);
	CHECK_EQ_INT(credentials_lookup(c, jti, acc, &r), DB_OK);
	CHECK_STR(acc, ACC_B);
	CHECK(!r);
	r = true;
	CHECK_EQ_INT(credentials_lookup(c, "no-such-credential-jti", acc, &r),
	    CRED_NOT_FOUND);
	CHECK_STR(acc, "");
	CHECK(!r);
	CHECK_EQ_INT(credentials_revoke_person(c, x.f.seal, "001099999999", NOW), DB_OK);
	CHECK_EQ_INT(credentials_lookup(c, jti, acc, &r), DB_OK);
	CHECK(!r);
	CHECK_EQ_INT(credentials_revoke_person(c, x.f.seal, PID_BINH, NOW), DB_OK);
	CHECK_EQ_INT(credentials_lookup(c, jti, acc, &r), DB_OK);
	CHECK_STR(acc, ACC_B);
	CHECK(r);
	db_release(x.f.db, c);
	close_ctx(&x);
}

T_MAIN({ "issue_payload", issue_payload },
    { "issue_only_level2_active", issue_only_level2_active },
    { "device_revoke_revokes_its_credentials", device_revoke_revokes_its_credentials },
    { "lock_revokes", lock_revokes },
    { "death_and_card_reissued_revoke", death_and_card_reissued_revoke },
    { "lookups", lookups })
