/*
 * test_portal_rp: the demo portal's relying-party pieces: the flow store's
 * bounds and expiry, PKCE S256 (RFC 7636's example), the authorization and
 * end-session URLs, ID token signatures against a JWKS, and the claims'
 * checks.
 */
#include "t.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "base.h"
#include "jws.h"
#include "portal_rp.h"

#define NOW INT64_C(1800000000)

TEST(store_keeps_takes_once_and_expires)
{
	struct rp_store *s = (sodium_init() >= 0) ? rp_store_new(4) : NULL;
	struct rp_entry e = { .data = NULL }, got;
	char k1[RP_RAND_SIZE], k2[RP_RAND_SIZE], *d;

	CHECK(s != NULL);
	rp_random(e.state);
	snprintf(e.nonce, sizeof(e.nonce), "n1");
	CHECK_EQ_INT(strlen(e.state), 43);
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 600, k1), 0);
	CHECK_EQ_INT(strlen(k1), 43);
	CHECK_EQ_INT(rp_store_count(s), 1);
	/* Taken once, then gone. */
	CHECK_EQ_INT(rp_store_take(s, k1, NOW + 10, &got), 0);
	CHECK_STR(got.nonce, "n1");
	CHECK(got.data == NULL);
	CHECK_EQ_INT(rp_store_take(s, k1, NOW + 10, &got), -1);
	CHECK_EQ_INT(rp_store_count(s), 0);

	/* Sessions carry data; copies are handed out; expiry ends them. */
	e.data = strdup("{\"id_token\":\"x\"}");
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 60, k2), 0);
	CHECK(e.data == NULL);
	d = rp_store_data(s, k2, NOW + 59);
	CHECK_STR(d, "{\"id_token\":\"x\"}");
	free(d);
	CHECK(rp_store_data(s, k2, NOW + 60) == NULL);
	CHECK_EQ_INT(rp_store_take(s, k2, NOW + 1, &got), -1);

	/* Unknown, NULL, short and long keys. */
	CHECK_EQ_INT(rp_store_take(s, NULL, NOW, &got), -1);
	CHECK_EQ_INT(rp_store_take(s, "", NOW, &got), -1);
	CHECK_EQ_INT(rp_store_take(s, "abc", NOW, &got), -1);
	CHECK(rp_store_data(s, "0123456789012345678901234567890123456789012", NOW) == NULL);
	rp_store_free(s);
	CHECK(rp_store_new(0) == NULL);
}

TEST(store_is_bounded)
{
	struct rp_store *s = rp_store_new(3);
	struct rp_entry e = { .data = NULL }, got;
	char keys[5][RP_RAND_SIZE];

	/* Expiries 100, 50, 200: full; the next evicts the soonest (50). */
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 100, keys[0]), 0);
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 50, keys[1]), 0);
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 200, keys[2]), 0);
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 300, keys[3]), 0);
	CHECK_EQ_INT(rp_store_count(s), 3);
	CHECK_EQ_INT(rp_store_take(s, keys[1], NOW, &got), -1);
	CHECK_EQ_INT(rp_store_take(s, keys[0], NOW, &got), 0);
	/* An expired entry makes room before any live one goes. */
	CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 10, keys[4]), 0);
	CHECK_EQ_INT(rp_store_put(s, &e, NOW + 20, NOW + 400, keys[0]), 0);
	CHECK_EQ_INT(rp_store_take(s, keys[2], NOW + 20, &got), 0);
	CHECK_EQ_INT(rp_store_take(s, keys[3], NOW + 20, &got), 0);
	CHECK_EQ_INT(rp_store_take(s, keys[0], NOW + 20, &got), 0);
	CHECK_EQ_INT(rp_store_count(s), 0);
	/* Many more than it holds: never more than 3. */
	for (int i = 0; i < 100; i++)
		CHECK_EQ_INT(rp_store_put(s, &e, NOW, NOW + 600 + i, keys[0]), 0);
	CHECK_EQ_INT(rp_store_count(s), 3);
	CHECK_EQ_INT(rp_store_take(s, keys[0], NOW, &got), 0);
	rp_store_free(s);
}

TEST(pkce_and_random)
{
	char c[RP_RAND_SIZE], a[RP_RAND_SIZE], b[RP_RAND_SIZE];

	/* RFC 7636, appendix B. */
	rp_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c);
	CHECK_STR(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	rp_random(a);
	rp_random(b);
	CHECK_EQ_INT(strlen(a), 43);
	CHECK(strcmp(a, b) != 0);
	CHECK_EQ_INT(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), 43);
	CHECK(rp_equal("abc", "abc"));
	CHECK(!rp_equal("abc", "abd"));
	CHECK(!rp_equal("abc", "abcd"));
	CHECK(!rp_equal("abc", NULL));
}

TEST(urls)
{
	char url[RP_URL_MAX], small[40] = "http://x/cb", form[64] = "";
	struct rp_authz az = { .endpoint = "http://127.0.0.1:8080/authorize",
	    .client_id = "c_1", .redirect_uri = "http://127.0.0.1:8081/callback",
	    .scope = "openid profile", .state = "s t&", .nonce = "n",
	    .challenge = "ch" };

	CHECK_EQ_INT(rp_authorize_url(&az, url, sizeof(url)), 0);
	CHECK_STR(url, "http://127.0.0.1:8080/authorize?response_type=code&"
	    "client_id=c_1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8081%2Fcallback&"
	    "scope=openid%20profile&state=s%20t%26&nonce=n&code_challenge=ch&"
	    "code_challenge_method=S256");
	/* An endpoint with a query already. */
	az.endpoint = "https://id.example/authorize?x=1";
	CHECK_EQ_INT(rp_authorize_url(&az, url, sizeof(url)), 0);
	CHECK(strncmp(url, "https://id.example/authorize?x=1&response_type=code&", 51) == 0);
	az.state = NULL;
	CHECK_EQ_INT(rp_authorize_url(&az, url, sizeof(url)), -1);
	az.state = "s";
	CHECK_EQ_INT(rp_authorize_url(&az, small, sizeof(small)), -1);

	CHECK_EQ_INT(rp_logout_url("http://h/logout", "a.b.c", "http://p/", "st",
	    url, sizeof(url)), 0);
	CHECK_STR(url, "http://h/logout?id_token_hint=a.b.c&"
	    "post_logout_redirect_uri=http%3A%2F%2Fp%2F&state=st");
	CHECK_EQ_INT(rp_logout_url(NULL, "a", "b", "c", url, sizeof(url)), -1);

	/* Non-ASCII is percent-encoded byte by byte. */
	snprintf(small, sizeof(small), "http://x/cb");
	CHECK_EQ_INT(rp_url_param(small, sizeof(small), "n", "ệ"), 0);
	CHECK_STR(small, "http://x/cb?n=%E1%BB%87");
	CHECK_EQ_INT(rp_form_param(form, sizeof(form), "a", "1"), 0);
	CHECK_EQ_INT(rp_form_param(form, sizeof(form), "b", "x y"), 0);
	CHECK_STR(form, "a=1&b=x%20y");
	CHECK_EQ_INT(rp_form_param(form, sizeof(form), "c",
	    "0123456789012345678901234567890123456789012345678901234567890"), -1);
	CHECK_STR(form, "a=1&b=x%20y");
}

static char *
signed_token(struct jws_key *k, const char *payload)
{
	return jws_sign(k, "JWT", payload, strlen(payload));
}

TEST(verify_against_jwks)
{
	struct jws_key *rsa = NULL, *ed = NULL, *other = NULL;
	json_t *jwks, *claims;
	const char *why = NULL;
	char *t1, *t2, *t3;

	CHECK(sodium_init() >= 0);
	CHECK_EQ_INT(jws_key_generate(JWS_RS256, "r1", &rsa), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "e1", &ed), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "r1", &other), 0);	/* same kid */
	jwks = json_pack("{s:[o, o]}", "keys", jws_key_public_jwk(rsa),
	    jws_key_public_jwk(ed));
	t1 = signed_token(rsa, "{\"sub\":\"a\"}");
	t2 = signed_token(ed, "{\"sub\":\"b\"}");
	t3 = signed_token(other, "{\"sub\":\"c\"}");

	claims = rp_verify_jwt(t1, jwks, &why);
	CHECK(claims != NULL);
	CHECK_STR(json_string_value(json_object_get(claims, "sub")), "a");
	json_decref(claims);
	claims = rp_verify_jwt(t2, jwks, &why);
	CHECK(claims != NULL);
	json_decref(claims);
	CHECK(rp_jwks_has_kid(jwks, t1));
	/* Another key under a known kid: refused. */
	CHECK(rp_verify_jwt(t3, jwks, &why) == NULL);
	/* A changed payload. */
	{
		char *bad = strdup(t1), *dot = strchr(bad, '.');
		dot[1] = dot[1] == 'e' ? 'f' : 'e';
		CHECK(rp_verify_jwt(bad, jwks, &why) == NULL);
		free(bad);
	}
	/* alg none with a known kid. */
	CHECK(rp_verify_jwt("eyJhbGciOiJub25lIiwia2lkIjoicjEifQ.eyJzdWIiOiJhIn0.",
	    jwks, &why) == NULL);
	CHECK(rp_verify_jwt("not a jwt", jwks, &why) == NULL);
	CHECK(rp_verify_jwt(t1, json_object_get(jwks, "nothing"), &why) == NULL);
	CHECK(why != NULL);
	CHECK(!rp_jwks_has_kid(jwks, "x.y.z"));
	free(t1);
	free(t2);
	free(t3);
	json_decref(jwks);
	jws_key_free(rsa);
	jws_key_free(ed);
	jws_key_free(other);
}

static int
check(const char *json, const char *nonce)
{
	json_t *c = json_loads(json, 0, NULL);
	const char *why = NULL;
	int rc = rp_check_claims(c, "http://idp", "c_1", nonce, NOW, &why);

	if (rc != 0 && why == NULL)
		rc = -2;
	json_decref(c);
	return rc;
}

#define GOOD_TIMES "\"exp\":1800000300,\"iat\":1800000000"

TEST(claims_checked)
{
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\",\"azp\":\"c_1\"}", "n"), 0);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":[\"c_1\",\"x\"],\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\",\"azp\":\"c_1\"}", "n"), 0);
	/* Several audiences without azp. */
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":[\"c_1\",\"x\"],\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://other\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_2\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"n\",\"azp\":\"c_2\"}", "n"), -1);
	/* Expired (beyond the skew), issued in the future, no exp. */
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    "\"exp\":1799999940,\"iat\":1799999000,\"nonce\":\"n\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    "\"exp\":1800000300,\"iat\":1800000100,\"nonce\":\"n\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    "\"iat\":1800000000,\"nonce\":\"n\"}", "n"), -1);
	/* Nonce: another, missing, or none expected. */
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"m\"}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES "}", "n"), -1);
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\",\"sub\":\"s\","
	    GOOD_TIMES ",\"nonce\":\"\"}", ""), -1);
	/* No subject. */
	CHECK_EQ_INT(check("{\"iss\":\"http://idp\",\"aud\":\"c_1\","
	    GOOD_TIMES ",\"nonce\":\"n\"}", "n"), -1);
}

T_MAIN(T(store_keeps_takes_once_and_expires), T(store_is_bounded),
    T(pkce_and_random), T(urls), T(verify_against_jwks), T(claims_checked))
