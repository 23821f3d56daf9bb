/*
 * test_oidc: the authorization server's state: parked requests and their
 * expiry, codes (single use, 60 s, bound to client, redirect URI and PKCE;
 * a replay revokes the grant), refresh rotation and reuse, access tokens
 * ending with their grant or account, revocation, introspection, and the
 * pairwise subject.
 */
#include "t.h"
#include "fixture.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "b64.h"
#include "clients.h"
#include "oidc.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define URI "https://portal.example.vn/cb"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"	/* RFC 7636 B */

struct ctx {
	struct fixture f;
	char acc[ACC_ID_SIZE], cl1[CLIENT_ID_MAX], cl2[CLIENT_ID_MAX];
};

static int
open_ctx(struct ctx *x)
{
	const char *uris[] = { URI };
	struct client_new cn = { .name = "Portal", .kind = CLIENT_PORTAL,
	    .redirect_uris = uris, .nredirect = 1,
	    .scope = "openid profile offline_access", .id_token_alg = "EdDSA" };
	char secret[CLIENT_SECRET_MAX], why[128];
	struct db_conn *c;
	int rc;

	if (fixture_open(&x->f, "test_oidc") != 0 ||
	    fixture_import(&x->f, ROW, NOW - 86400) != 1 ||
	    clients_add(x->f.db, x->f.seal, &cn, NOW, x->cl1, secret, why, sizeof(why)) != 0 ||
	    clients_add(x->f.db, x->f.seal, &cn, NOW, x->cl2, secret, why, sizeof(why)) != 0 ||
	    (c = db_acquire(x->f.db)) == NULL)
		return -1;
	rc = accounts_create(c, PID, "+84912345678", "$argon2id$x", NOW, x->acc);
	db_release(x->f.db, c);
	return rc;
}

static void
request(struct ctx *x, struct oidc_request *rq, const char *scope)
{
	memset(rq, 0, sizeof(*rq));
	snprintf(rq->client_id, sizeof(rq->client_id), "%s", x->cl1);
	snprintf(rq->redirect_uri, sizeof(rq->redirect_uri), "%s", URI);
	snprintf(rq->scope, sizeof(rq->scope), "%s", scope);
	snprintf(rq->nonce, sizeof(rq->nonce), "n-1");
	snprintf(rq->code_challenge, sizeof(rq->code_challenge), "%s", CHALLENGE);
	rq->max_age = -1;
}

static int
code_for(struct ctx *x, const char *scope, char code[OIDC_ID_SIZE])
{
	struct oidc_request rq;
	struct oidc_authn a = { x->acc, NOW - 5, "pwd sms", "urn:dinhdanh:loa:1" };

	request(x, &rq, scope);
	return oidc_code_issue(x->f.db, &rq, &a, NOW, code);
}

TEST(parked_request_round_trip_and_expiry)
{
	struct ctx x;
	struct oidc_request rq, got;

	CHECK(open_ctx(&x) == 0);
	request(&x, &rq, "openid");
	CHECK_EQ_INT(oidc_request_save(x.f.db, &rq, NOW), DB_OK);
	CHECK_EQ_INT(strlen(rq.id), 43);
	CHECK_EQ_INT(oidc_request_get(x.f.db, rq.id, NOW + OIDC_REQUEST_TTL, &got), DB_OK);
	CHECK_STR(got.code_challenge, CHALLENGE);
	CHECK_EQ_INT(got.max_age, -1);
	CHECK_EQ_INT(oidc_request_get(x.f.db, rq.id, NOW + OIDC_REQUEST_TTL + 1, &got),
	    OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_request_get(x.f.db, "short", NOW, &got), OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_request_drop(x.f.db, rq.id), DB_OK);
	CHECK_EQ_INT(oidc_request_get(x.f.db, rq.id, NOW, &got), OIDC_NOT_FOUND);
	fixture_close(&x.f);
}

TEST(code_redeemed_once_with_pkce)
{
	struct ctx x;
	char code[OIDC_ID_SIZE];
	struct oidc_tokens t;
	struct oidc_grant g;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(code_for(&x, "openid profile", code), DB_OK);
	CHECK_EQ_INT(fixture_count(&x.f, "SELECT COUNT(*) FROM authz_codes WHERE "
	    "length(code_hash) = 64"), 1);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW + 1, &t),
	    DB_OK);
	CHECK_EQ_INT(strlen(t.access), 43);
	CHECK_STR(t.refresh, "");
	CHECK_STR(t.grant.nonce, "n-1");
	CHECK_STR(t.grant.account_id, x.acc);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 2, &g), DB_OK);
	CHECK_STR(g.scope, "openid profile");
	/* the replay: refused, and the first access token dies with the grant */
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW + 3, &t),
	    OIDC_REUSED);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 4, &g), OIDC_NOT_FOUND);
	fixture_close(&x.f);
}

TEST(code_bindings_refused)
{
	struct ctx x;
	char code[OIDC_ID_SIZE];
	struct oidc_tokens t;

	CHECK(open_ctx(&x) == 0);
	/* another client: refused, and the code stays good for its own */
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl2, code, URI, VERIFIER, NOW, &t),
	    OIDC_INVALID_GRANT);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW, &t),
	    DB_OK);
	/* wrong verifier, wrong redirect URI, expired: one try each */
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER "x", NOW, &t),
	    OIDC_INVALID_GRANT);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW, &t),
	    OIDC_REUSED);
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI "/x", VERIFIER, NOW, &t),
	    OIDC_INVALID_GRANT);
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER,
	    NOW + OIDC_CODE_TTL + 1, &t), OIDC_INVALID_GRANT);
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, "short", NOW, &t),
	    OIDC_INVALID_GRANT);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, "nonsense", URI, VERIFIER, NOW, &t),
	    OIDC_INVALID_GRANT);
	fixture_close(&x.f);
}

TEST(refresh_rotates_and_reuse_revokes_family)
{
	struct ctx x;
	char code[OIDC_ID_SIZE], r1[OIDC_ID_SIZE];
	struct oidc_tokens t, t2;
	struct oidc_grant g;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(code_for(&x, "openid offline_access", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW, &t), DB_OK);
	CHECK_EQ_INT(strlen(t.refresh), 43);
	snprintf(r1, sizeof(r1), "%s", t.refresh);
	CHECK_EQ_INT(oidc_refresh(x.f.db, x.cl2, r1, NOW + 1, &t2), OIDC_INVALID_GRANT);
	CHECK_EQ_INT(oidc_refresh(x.f.db, x.cl1, t.access, NOW + 1, &t2),
	    OIDC_INVALID_GRANT);
	CHECK_EQ_INT(oidc_refresh(x.f.db, x.cl1, r1, NOW + 1, &t2), DB_OK);
	CHECK(strcmp(t2.refresh, r1) != 0);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t2.access, NOW + 2, &g), DB_OK);
	/* the spent one again: the whole family ends, the newest included */
	CHECK_EQ_INT(oidc_refresh(x.f.db, x.cl1, r1, NOW + 3, &t), OIDC_REUSED);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t2.access, NOW + 4, &g), OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_refresh(x.f.db, x.cl1, t2.refresh, NOW + 5, &t),
	    OIDC_INVALID_GRANT);
	fixture_close(&x.f);
}

TEST(access_token_expiry_account_and_revocation)
{
	struct ctx x;
	char code[OIDC_ID_SIZE];
	struct oidc_tokens t;
	struct oidc_grant g;
	struct oidc_token_info ti;
	struct db_conn *c;

	CHECK(open_ctx(&x) == 0);
	CHECK_EQ_INT(code_for(&x, "openid offline_access", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW, &t), DB_OK);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + OIDC_ACCESS_TTL, &g), DB_OK);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + OIDC_ACCESS_TTL + 1, &g),
	    OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_introspect(x.f.db, x.cl1, t.access, NOW, &ti), DB_OK);
	CHECK(ti.active);
	CHECK(!ti.refresh);
	CHECK_EQ_INT(oidc_introspect(x.f.db, x.cl2, t.access, NOW, &ti), DB_OK);
	CHECK(!ti.active);
	CHECK_EQ_INT(oidc_introspect(x.f.db, x.cl1, "unknown", NOW, &ti), DB_OK);
	CHECK(!ti.active);
	/* another client cannot revoke it; its own client revokes the family */
	CHECK_EQ_INT(oidc_revoke(x.f.db, x.cl2, t.refresh, NOW), OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 1, &g), DB_OK);
	CHECK_EQ_INT(oidc_revoke(x.f.db, x.cl1, t.refresh, NOW + 1), DB_OK);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 2, &g), OIDC_NOT_FOUND);
	CHECK_EQ_INT(oidc_introspect(x.f.db, x.cl1, t.refresh, NOW + 2, &ti), DB_OK);
	CHECK(!ti.active);
	/* a disabled account's tokens stop; revoke_account ends the rest */
	CHECK_EQ_INT(code_for(&x, "openid", code), DB_OK);
	CHECK_EQ_INT(oidc_code_redeem(x.f.db, x.cl1, code, URI, VERIFIER, NOW, &t), DB_OK);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET status = 'disabled'") == 0);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 1, &g), OIDC_NOT_FOUND);
	CHECK(fixture_exec(&x.f, "UPDATE accounts SET status = 'active'") == 0);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 1, &g), DB_OK);
	CHECK((c = db_acquire(x.f.db)) != NULL);
	CHECK_EQ_INT(oidc_revoke_account(c, x.acc, NOW + 2), DB_OK);
	db_release(x.f.db, c);
	CHECK_EQ_INT(oidc_access_get(x.f.db, t.access, NOW + 3, &g), OIDC_NOT_FOUND);
	fixture_close(&x.f);
}

TEST(pairwise_sub_stable_per_client)
{
	struct ctx x;
	char a[OIDC_ID_SIZE], b[OIDC_ID_SIZE], c[OIDC_ID_SIZE];

	CHECK(open_ctx(&x) == 0);
	oidc_pairwise_sub(x.f.seal, x.cl1, PID, a);
	oidc_pairwise_sub(x.f.seal, x.cl1, PID, b);
	oidc_pairwise_sub(x.f.seal, x.cl2, PID, c);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(strstr(a, PID) == NULL);
	CHECK(oidc_scope_has("openid profile", "profile"));
	CHECK(!oidc_scope_has("openid profiles", "profile"));
	CHECK(!oidc_scope_has("", "openid"));
	fixture_close(&x.f);
}

T_MAIN(T(parked_request_round_trip_and_expiry), T(code_redeemed_once_with_pkce),
    T(code_bindings_refused), T(refresh_rotates_and_reuse_revokes_family),
    T(access_token_expiry_account_and_revocation),
    T(pairwise_sub_stable_per_client))
