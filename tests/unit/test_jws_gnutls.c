/*
 * test_jws_gnutls: unit tests for RS256 and ES256 in jws (over jws_gnutls),
 * with EdDSA alongside: round trips for all three algorithms, private bytes
 * and public JWKs, JWK member sizes, ES256's 64-byte signatures, tampering,
 * alg confusion, bad JWKs, signing from many threads, and interoperation
 * with python3-jwcrypto both ways when it is installed.
 */
#include "t.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <unistd.h>

#include "b64.h"
#include "jws.h"

#define PAYLOAD "{\"sub\":\"001234567890\",\"iat\":1800000000}"
#define PY "/usr/bin/python3"

static const enum jws_alg algs[] = { JWS_RS256, JWS_EDDSA, JWS_ES256 };

static int
verifies(const struct jws_key *k, const char *token)
{
	struct jws_parsed p;
	int rc;

	if (jws_parse(token, strlen(token), &p) != 0)
		return -1;
	rc = jws_verify_parsed(k, &p);
	jws_parsed_free(&p);
	return rc;
}

/* The decoded length of the base64url member `name` of jwk; 0 when bad. */
static size_t
member_len(const json_t *jwk, const char *name, uint8_t *buf, size_t bufsz)
{
	const char *s = json_string_value(json_object_get(jwk, name));
	size_t n = 0;

	if (s == NULL || b64_decode(buf, bufsz, &n, s, strlen(s)) != 0)
		return 0;
	return n;
}

/* A copy of tok with the character at `at` changed. */
static char *
altered(const char *tok, size_t at)
{
	char *t = strdup(tok);

	if (t != NULL)
		t[at] = t[at] == 'A' ? 'B' : 'A';
	return t;
}

static void
round_trip(int *t_failed, enum jws_alg alg, size_t sig_len)
{
	struct jws_key *k = NULL, *k2 = NULL, *pub = NULL, *other = NULL;
	uint8_t priv[4096];
	size_t len = 0;
	struct jws_parsed p;
	json_t *jwk = NULL;
	char *tok = NULL, *t;

	CHECK_EQ_INT(jws_key_generate(alg, "rt", &k), 0);
	CHECK_EQ_INT(jws_key_generate(alg, "rt", &other), 0);
	if (k == NULL || other == NULL)
		goto out;
	CHECK_EQ_INT(jws_key_alg(k), alg);
	tok = jws_sign(k, "JWT", PAYLOAD, strlen(PAYLOAD));
	CHECK(tok != NULL);
	if (tok == NULL)
		goto out;
	CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
	CHECK_STR(json_string_value(json_object_get(p.header, "alg")), jws_alg_name(alg));
	CHECK_STR(json_string_value(json_object_get(p.header, "kid")), "rt");
	CHECK_STR(p.payload, PAYLOAD);
	CHECK_EQ_INT(p.sig_len, sig_len);
	CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);
	CHECK(jws_verify_parsed(other, &p) != 0);
	jws_parsed_free(&p);
	/* Private bytes back into a key that signs what k verifies. */
	CHECK_EQ_INT(jws_key_private_bytes(k, priv, 16, &len), -1);
	CHECK_EQ_INT(jws_key_private_bytes(k, priv, sizeof(priv), &len), 0);
	CHECK_EQ_INT(jws_key_from_private(alg, "rt", priv, len, &k2), 0);
	CHECK(jws_key_from_private(alg, "rt", priv, len - 1, &pub) != 0);
	sodium_memzero(priv, sizeof(priv));
	if (k2 != NULL) {
		char *t2 = jws_sign(k2, NULL, "{}", 2);
		CHECK(t2 != NULL && verifies(k, t2) == 0);
		free(t2);
	}
	/* The public JWK verifies and cannot sign. */
	jwk = jws_key_public_jwk(k);
	CHECK(jwk != NULL);
	CHECK_STR(json_string_value(json_object_get(jwk, "alg")), jws_alg_name(alg));
	CHECK_STR(json_string_value(json_object_get(jwk, "use")), "sig");
	CHECK_STR(json_string_value(json_object_get(jwk, "kid")), "rt");
	CHECK(json_object_get(jwk, "d") == NULL && json_object_get(jwk, "p") == NULL);
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	if (pub != NULL) {
		CHECK_EQ_INT(jws_key_alg(pub), alg);
		CHECK_EQ_INT(verifies(pub, tok), 0);
		CHECK(jws_sign(pub, NULL, "{}", 2) == NULL);
		CHECK_EQ_INT(jws_key_private_bytes(pub, priv, sizeof(priv), &len), -1);
		/* Tampered payload, tampered signature. */
		t = altered(tok, (size_t)(strchr(tok, '.') - tok) + 3);
		CHECK(t != NULL && verifies(pub, t) != 0);
		free(t);
		t = altered(tok, strlen(tok) - 5);
		CHECK(t != NULL && verifies(pub, t) != 0);
		free(t);
		CHECK(verifies(pub, "") != 0);
	}
out:
	json_decref(jwk);
	free(tok);
	jws_key_free(k);
	jws_key_free(k2);
	jws_key_free(pub);
	jws_key_free(other);
}

TEST(round_trips)
{
	CHECK(sodium_init() >= 0);
	CHECK_STR(jws_alg_name(JWS_RS256), "RS256");
	CHECK_STR(jws_alg_name(JWS_ES256), "ES256");
	round_trip(t_failed, JWS_RS256, 256);
	round_trip(t_failed, JWS_ES256, 64);
	round_trip(t_failed, JWS_EDDSA, 64);
}

TEST(alg_names)
{
	enum jws_alg a = JWS_EDDSA;

	CHECK_EQ_INT(jws_alg_parse("RS256", &a), 0);
	CHECK_EQ_INT(a, JWS_RS256);
	CHECK_EQ_INT(jws_alg_parse("ES256", &a), 0);
	CHECK_EQ_INT(a, JWS_ES256);
	CHECK_EQ_INT(jws_alg_parse("EdDSA", &a), 0);
	CHECK_EQ_INT(a, JWS_EDDSA);
	CHECK_EQ_INT(jws_alg_parse("none", &a), -1);
	CHECK_EQ_INT(jws_alg_parse("HS256", &a), -1);
	CHECK_EQ_INT(jws_alg_parse("rs256", &a), -1);
	CHECK_EQ_INT(jws_alg_parse(NULL, &a), -1);
}

TEST(rsa_sizes)
{
	struct jws_key *k = NULL;
	uint8_t buf[600];
	json_t *jwk;
	char *tok;

	CHECK_EQ_INT(jws_key_generate_rsa(1024, "small", &k), -1);
	CHECK_EQ_INT(jws_key_generate_rsa(8192, "big", &k), -1);
	CHECK_EQ_INT(jws_key_generate(JWS_RS256, "r", &k), 0);
	if (k != NULL) {
		jwk = jws_key_public_jwk(k);
		CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "RSA");
		CHECK_EQ_INT(member_len(jwk, "n", buf, sizeof(buf)), 256);
		CHECK(buf[0] != 0);	/* no leading zero byte */
		CHECK_STR(json_string_value(json_object_get(jwk, "e")), "AQAB");
		CHECK_EQ_INT(json_object_size(jwk), 6);
		json_decref(jwk);
		jws_key_free(k);
		k = NULL;
	}
	CHECK_EQ_INT(jws_key_generate_rsa(3072, "r3", &k), 0);
	if (k != NULL) {
		jwk = jws_key_public_jwk(k);
		CHECK_EQ_INT(member_len(jwk, "n", buf, sizeof(buf)), 384);
		CHECK(buf[0] != 0);
		json_decref(jwk);
		tok = jws_sign(k, NULL, "{}", 2);
		CHECK(tok != NULL && verifies(k, tok) == 0);
		CHECK(tok != NULL && strlen(strrchr(tok, '.') + 1) == 512);	/* 384 bytes */
		free(tok);
		jws_key_free(k);
	}
}

TEST(ec_sizes_and_signatures)
{
	uint8_t buf[64];
	int bad_len = 0, bad_sig = 0;

	/* x and y are always 32 bytes, whatever their leading bytes. */
	for (int i = 0; i < 64; i++) {
		struct jws_key *k = NULL;
		json_t *jwk;

		CHECK_EQ_INT(jws_key_generate(JWS_ES256, "e", &k), 0);
		if (k == NULL)
			continue;
		jwk = jws_key_public_jwk(k);
		CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "EC");
		CHECK_STR(json_string_value(json_object_get(jwk, "crv")), "P-256");
		CHECK_EQ_INT(member_len(jwk, "x", buf, sizeof(buf)), 32);
		CHECK_EQ_INT(member_len(jwk, "y", buf, sizeof(buf)), 32);
		CHECK_EQ_INT(json_object_size(jwk), 7);
		json_decref(jwk);
		jws_key_free(k);
	}
	/* Many signatures: R and S with high bits and leading zeros all fit 64. */
	{
		struct jws_key *k = NULL;

		CHECK_EQ_INT(jws_key_generate(JWS_ES256, "e", &k), 0);
		for (int i = 0; k != NULL && i < 400; i++) {
			char pl[32], *tok;
			struct jws_parsed p;

			snprintf(pl, sizeof(pl), "{\"n\":%d}", i);
			if ((tok = jws_sign(k, NULL, pl, strlen(pl))) == NULL ||
			    jws_parse(tok, strlen(tok), &p) != 0) {
				bad_sig++;
				free(tok);
				continue;
			}
			bad_len += p.sig_len != 64;
			bad_sig += jws_verify_parsed(k, &p) != 0;
			jws_parsed_free(&p);
			free(tok);
		}
		jws_key_free(k);
	}
	CHECK_EQ_INT(bad_len, 0);
	CHECK_EQ_INT(bad_sig, 0);
}

/* tok with its header replaced by `header` (signature kept). */
static char *
with_header(const char *tok, const char *header)
{
	char *h = b64_encode_alloc(header, strlen(header)), *out = NULL;
	const char *rest = strchr(tok, '.');
	size_t n;

	if (h != NULL && rest != NULL) {
		n = strlen(h) + strlen(rest) + 1;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "%s%s", h, rest);
	}
	free(h);
	return out;
}

TEST(alg_confusion)
{
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"kid\":\"c\"}",
		"{\"alg\":\"HS256\",\"kid\":\"c\"}",
		"{\"alg\":\"PS256\",\"kid\":\"c\"}",
		"{\"alg\":\"ES384\",\"kid\":\"c\"}",
		"{\"alg\":\"rs256\",\"kid\":\"c\"}",
		"{\"kid\":\"c\"}",
		"{\"alg\":\"RS256\",\"kid\":\"c\",\"crit\":[\"x\"],\"x\":1}",
		"{\"alg\":\"ES256\",\"kid\":\"c\",\"crit\":[\"x\"],\"x\":1}",
	};
	struct jws_key *k[3] = { NULL, NULL, NULL };
	char *tok[3] = { NULL, NULL, NULL }, *t;

	for (size_t i = 0; i < 3; i++) {
		CHECK_EQ_INT(jws_key_generate(algs[i], "c", &k[i]), 0);
		if (k[i] != NULL)
			tok[i] = jws_sign(k[i], NULL, "{}", 2);
		CHECK(tok[i] != NULL);
	}
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 3; j++) {
			if (tok[i] == NULL || k[j] == NULL)
				continue;
			/* Only the signer's key verifies: an RS256 token under EdDSA... */
			CHECK_EQ_INT(verifies(k[j], tok[i]) == 0, i == j);
		}
		/* Headers of another alg, none, HMAC or crit over a valid signature. */
		for (size_t h = 0; tok[i] != NULL && h < ARRAY_LEN(headers); h++) {
			t = with_header(tok[i], headers[h]);
			CHECK(t != NULL);
			if (t != NULL && verifies(k[i], t) == 0) {
				fprintf(stderr, "verified %s under %s\n", headers[h],
				    jws_alg_name(algs[i]));
				CHECK(0);
			}
			free(t);
		}
		/* alg "none" with an empty signature. */
		if (tok[i] != NULL && k[i] != NULL) {
			t = with_header(tok[i], "{\"alg\":\"none\"}");
			if (t != NULL) {
				strrchr(t, '.')[1] = '\0';
				CHECK(verifies(k[i], t) != 0);
			}
			free(t);
		}
	}
	for (size_t i = 0; i < 3; i++) {
		free(tok[i]);
		jws_key_free(k[i]);
	}
}

TEST(bad_jwks)
{
	struct jws_key *rsa = NULL, *ec = NULL, *k = NULL;
	json_t *jr = NULL, *je = NULL, *j;
	uint8_t m[128];
	char *bad, n1024[200];

	/* A well-formed RSA-1024 modulus. */
	memset(m, 0xc5, sizeof(m));
	CHECK(b64_encode(n1024, sizeof(n1024), m, sizeof(m)) > 0);

	CHECK_EQ_INT(jws_key_generate(JWS_RS256, "r", &rsa), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_ES256, "e", &ec), 0);
	if (rsa == NULL || ec == NULL)
		goto out;
	jr = jws_key_public_jwk(rsa);
	je = jws_key_public_jwk(ec);
	/* Each change below makes the JWK unusable. */
#define REFUSED(base, key, value) do { \
	json_t *v_ = (value); \
	j = json_deep_copy(base); \
	if (v_ == NULL) \
		json_object_del(j, key); \
	else \
		json_object_set_new(j, key, v_); \
	k = NULL; \
	if (jws_key_from_jwk(j, &k) == 0) { \
		bad = json_dumps(j, JSON_COMPACT); \
		fprintf(stderr, "accepted %s\n", bad); \
		free(bad); \
		CHECK(0); \
		jws_key_free(k); \
	} \
	json_decref(j); \
} while (0)
	REFUSED(jr, "alg", json_string("ES256"));
	REFUSED(jr, "alg", json_string("none"));
	REFUSED(jr, "alg", json_string("HS256"));
	REFUSED(jr, "n", NULL);
	REFUSED(jr, "e", NULL);
	REFUSED(jr, "n", json_string("AAAAA"));	/* an impossible base64 length */
	REFUSED(jr, "n", json_string("AQAB"));
	REFUSED(jr, "n", json_integer(5));
	REFUSED(jr, "kty", json_string("oct"));
	REFUSED(je, "alg", json_string("RS256"));
	REFUSED(je, "crv", json_string("P-384"));
	REFUSED(je, "crv", NULL);
	REFUSED(je, "x", NULL);
	REFUSED(je, "y", json_string("AAAA"));
	REFUSED(je, "x", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));	/* 31 bytes */
	REFUSED(je, "kty", json_string("OKP"));
#undef REFUSED
	/* A short RSA modulus is refused even when well-formed. */
	j = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", n1024, "e", "AQAB");
	CHECK(jws_key_from_jwk(j, &k) != 0);
	json_decref(j);
	/* The unchanged ones are fine. */
	CHECK_EQ_INT(jws_key_from_jwk(jr, &k), 0);
	jws_key_free(k);
	k = NULL;
	CHECK_EQ_INT(jws_key_from_jwk(je, &k), 0);
	jws_key_free(k);
out:
	json_decref(jr);
	json_decref(je);
	jws_key_free(rsa);
	jws_key_free(ec);
}

struct signer {
	const struct jws_key *key;
	int failures;
};

static void *
sign_many(void *arg)
{
	struct signer *s = arg;

	for (int i = 0; i < 40; i++) {
		char *tok = jws_sign(s->key, NULL, PAYLOAD, strlen(PAYLOAD));

		if (tok == NULL || verifies(s->key, tok) != 0)
			s->failures++;
		free(tok);
	}
	return NULL;
}

TEST(one_key_many_threads)
{
	for (size_t a = 0; a < ARRAY_LEN(algs); a++) {
		struct jws_key *k = NULL;
		struct signer s[4];
		pthread_t th[4];

		CHECK_EQ_INT(jws_key_generate(algs[a], "mt", &k), 0);
		if (k == NULL)
			continue;
		for (size_t i = 0; i < 4; i++) {
			s[i] = (struct signer){ k, 0 };
			CHECK_EQ_INT(pthread_create(&th[i], NULL, sign_many, &s[i]), 0);
		}
		for (size_t i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			CHECK_EQ_INT(s[i].failures, 0);
		}
		jws_key_free(k);
	}
}

/*
 * jwcrypto verifies our token under our public JWK, then signs one of its
 * own with a key of the same alg, which we verify under its public JWK.
 */
static const char py_check[] =
    "import json, sys\n"
    "from jwcrypto import jwk, jws\n"
    "gen = {'RS256': {'kty': 'RSA', 'size': 2048},\n"
    "       'ES256': {'kty': 'EC', 'crv': 'P-256'},\n"
    "       'EdDSA': {'kty': 'OKP', 'crv': 'Ed25519'}}\n"
    "out = []\n"
    "for item in json.load(open(sys.argv[1])):\n"
    "    alg = item['jwk']['alg']\n"
    "    t = jws.JWS()\n"
    "    t.allowed_algs = [alg]\n"
    "    t.deserialize(item['token'])\n"
    "    t.verify(jwk.JWK(**item['jwk']), alg=alg)\n"
    "    assert json.loads(t.payload) == json.loads(item['payload'])\n"
    "    k = jwk.JWK.generate(kid='py', **gen[alg])\n"
    "    s = jws.JWS(b'{\"from\":\"jwcrypto\"}')\n"
    "    s.allowed_algs = [alg]\n"
    "    s.add_signature(k, alg=alg, protected=json.dumps({'alg': alg, 'kid': 'py'}))\n"
    "    pub = json.loads(k.export_public())\n"
    "    pub['alg'] = alg\n"
    "    out.append({'jwk': pub, 'token': s.serialize(compact=True)})\n"
    "print(json.dumps(out))\n";

static int
have_jwcrypto(void)
{
	return access(PY, X_OK) == 0 &&
	    system(PY " -c 'import jwcrypto' >/dev/null 2>&1") == 0;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) != 0 ? -1 : rc;
}

/* Our tokens and JWKs for every alg as the script's input; NULL on failure. */
static char *
our_tokens(struct jws_key **keys)
{
	json_t *arr = json_array();
	char *text;

	for (size_t i = 0; i < ARRAY_LEN(algs); i++) {
		char *tok;

		if (jws_key_generate(algs[i], "ours", &keys[i]) != 0 ||
		    (tok = jws_sign(keys[i], "JWT", PAYLOAD, strlen(PAYLOAD))) == NULL)
			continue;
		json_array_append_new(arr, json_pack("{s:o, s:s, s:s}", "jwk",
		    jws_key_public_jwk(keys[i]), "token", tok, "payload", PAYLOAD));
		free(tok);
	}
	text = json_array_size(arr) == ARRAY_LEN(algs) ? json_dumps(arr, 0) : NULL;
	json_decref(arr);
	return text;
}

TEST(jwcrypto_interop)
{
	char dir[] = "/tmp/test_jws_gnutls.XXXXXX", script[64], input[64], cmd[200];
	char out[16384];
	struct jws_key *keys[3] = { NULL, NULL, NULL };
	char *in = NULL;
	json_t *res = NULL;
	size_t n = 0, i;
	FILE *p;

	if (!have_jwcrypto()) {
		printf("jwcrypto not installed: interop skipped\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	snprintf(script, sizeof(script), "%s/check.py", dir);
	snprintf(input, sizeof(input), "%s/in.json", dir);
	in = our_tokens(keys);
	CHECK(in != NULL);
	if (in == NULL || write_file(script, py_check) != 0 || write_file(input, in) != 0)
		goto out;
	snprintf(cmd, sizeof(cmd), PY " %s %s", script, input);
	CHECK((p = popen(cmd, "r")) != NULL);
	if (p == NULL)
		goto out;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	CHECK_EQ_INT(pclose(p), 0);	/* jwcrypto verified all three */
	res = json_loads(out, 0, NULL);
	CHECK_EQ_INT(json_array_size(res), ARRAY_LEN(algs));
	for (i = 0; i < json_array_size(res); i++) {
		json_t *item = json_array_get(res, i);
		const char *tok = json_string_value(json_object_get(item, "token"));
		struct jws_key *k = NULL;

		CHECK_EQ_INT(jws_key_from_jwk(json_object_get(item, "jwk"), &k), 0);
		CHECK(k != NULL && jws_key_alg(k) == algs[i]);
		CHECK(k != NULL && tok != NULL && verifies(k, tok) == 0);
		jws_key_free(k);
	}
out:
	json_decref(res);
	free(in);
	unlink(script);
	unlink(input);
	rmdir(dir);
	for (i = 0; i < ARRAY_LEN(keys); i++)
		jws_key_free(keys[i]);
}

T_MAIN(T(round_trips), T(alg_names), T(rsa_sizes), T(ec_sizes_and_signatures),
    T(alg_confusion), T(bad_jwks), T(one_key_many_threads), T(jwcrypto_interop))
