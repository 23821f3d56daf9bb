/*
 * test_jws: unit tests for compact JWS with Ed25519 keys (jws): sign, parse
 * and verify; the header; tampering with any character; keys from private
 * bytes and from the public JWK; malformed tokens; alg confusion; and the
 * RFC 8037 appendix A.4 test vector.
 */
#include "t.h"

#include <sodium.h>
#include <stdint.h>

#include "b64.h"
#include "jws.h"

#define PAYLOAD "{\"sub\":\"001234567890\",\"iat\":1800000000}"

/* RFC 8037 appendix A.1 and A.4. */
#define RFC_D "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
#define RFC_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC_SIG "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
#define RFC_JWS RFC_INPUT "." RFC_SIG

static int
init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* 0 when `token` parses and verifies under `k`. */
static int
verifies(const struct jws_key *k, const char *token, size_t len)
{
	struct jws_parsed p;
	int rc;

	if (jws_parse(token, len, &p) != 0)
		return -1;
	rc = jws_verify_parsed(k, &p);
	jws_parsed_free(&p);
	return rc;
}

static char *
b64s(const char *s)
{
	return b64_encode_alloc(s, strlen(s));
}

/* "H.P.S" from the text of a header, a payload and a signature segment. */
static char *
make_token(const char *header, const char *payload, const char *sig_b64)
{
	char *h = b64s(header), *p = b64s(payload), *out = NULL;
	size_t n;

	if (h != NULL && p != NULL) {
		n = strlen(h) + strlen(p) + strlen(sig_b64) + 3;
		if ((out = malloc(n)) != NULL)
			snprintf(out, n, "%s.%s.%s", h, p, sig_b64);
	}
	free(h);
	free(p);
	return out;
}

TEST(sign_parse_verify)
{
	struct jws_key *k = NULL;
	struct jws_parsed p;
	char *tok;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "key-1", &k), 0);
	if (k == NULL)
		return;
	CHECK_STR(jws_key_kid(k), "key-1");
	CHECK_EQ_INT(jws_key_alg(k), JWS_EDDSA);
	CHECK_STR(jws_alg_name(JWS_EDDSA), "EdDSA");
	tok = jws_sign(k, "JWT", PAYLOAD, strlen(PAYLOAD));
	CHECK(tok != NULL);
	if (tok == NULL) {
		jws_key_free(k);
		return;
	}
	CHECK(strchr(tok, '=') == NULL && strchr(tok, '+') == NULL &&
	    strchr(tok, '/') == NULL);
	CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
	CHECK_STR(json_string_value(json_object_get(p.header, "alg")), "EdDSA");
	CHECK_STR(json_string_value(json_object_get(p.header, "typ")), "JWT");
	CHECK_STR(json_string_value(json_object_get(p.header, "kid")), "key-1");
	CHECK_EQ_INT(json_object_size(p.header), 3);
	CHECK_STR(p.payload, PAYLOAD);
	CHECK_EQ_INT(p.payload_len, strlen(PAYLOAD));
	CHECK_EQ_INT(p.sig_len, 64);
	CHECK_EQ_INT(p.signing_input_len, (size_t)(strrchr(tok, '.') - tok));
	CHECK(p.compact == tok);
	CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);
	jws_parsed_free(&p);
	CHECK(p.header == NULL && p.payload == NULL);
	jws_parsed_free(&p);	/* twice: harmless */
	free(tok);

	/* Without typ, the header has alg and kid only. */
	tok = jws_sign(k, NULL, "{}", 2);
	CHECK(tok != NULL);
	if (tok != NULL) {
		CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
		CHECK(json_object_get(p.header, "typ") == NULL);
		CHECK_EQ_INT(json_object_size(p.header), 2);
		CHECK_STR(p.payload, "{}");
		CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);
		jws_parsed_free(&p);
		free(tok);
	}
	/* An empty payload. */
	tok = jws_sign(k, "JWT", "", 0);
	CHECK(tok != NULL);
	if (tok != NULL) {
		CHECK_EQ_INT(jws_parse(tok, strlen(tok), &p), 0);
		CHECK_EQ_INT(p.payload_len, 0);
		CHECK_STR(p.payload, "");
		CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);
		jws_parsed_free(&p);
		free(tok);
	}
	jws_key_free(k);
}

TEST(sign_refusals)
{
	struct jws_key *k = NULL, *pub = NULL;
	json_t *jwk;
	char *big, kid[80];

	CHECK_EQ_INT(init(), 0);
	memset(kid, 'k', sizeof(kid));
	kid[64] = '\0';
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, kid, &k), -1);	/* kid too long */
	kid[63] = '\0';
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, kid, &k), 0);
	jws_key_free(k);
	k = NULL;
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, NULL, &k), -1);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "k", NULL), -1);
	CHECK_EQ_INT(jws_key_generate((enum jws_alg)7, "k", &k), -1);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "k", &k), 0);
	if (k == NULL)
		return;
	CHECK(jws_sign(k, "JWT", NULL, 0) == NULL);
	CHECK(jws_sign(NULL, "JWT", "{}", 2) == NULL);
	big = calloc(1, JWS_MAX_COMPACT + 2);
	if (big != NULL) {
		memset(big, 'a', JWS_MAX_COMPACT + 1);
		CHECK(jws_sign(k, "JWT", big, JWS_MAX_COMPACT + 1) == NULL);
		free(big);
	}
	/* A public key cannot sign and has no private bytes. */
	jwk = jws_key_public_jwk(k);
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	if (pub != NULL) {
		uint8_t buf[64];
		size_t len = 0;

		CHECK(jws_sign(pub, "JWT", "{}", 2) == NULL);
		CHECK_EQ_INT(jws_key_private_bytes(pub, buf, sizeof(buf), &len), -1);
		jws_key_free(pub);
	}
	json_decref(jwk);
	jws_key_free(k);
	jws_key_free(NULL);
}

TEST(tamper_every_character)
{
	struct jws_key *k = NULL;
	char *tok;
	size_t n;
	int accepted = 0;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "t", &k), 0);
	if (k == NULL)
		return;
	tok = jws_sign(k, NULL, "{\"a\":1}", 7);
	CHECK(tok != NULL);
	if (tok == NULL) {
		jws_key_free(k);
		return;
	}
	n = strlen(tok);
	CHECK_EQ_INT(verifies(k, tok, n), 0);
	for (size_t i = 0; i < n; i++) {
		char *t = strdup(tok);
		const char repl[] = { 'A', 'B', '_', '-', 'z' };

		if (t == NULL || tok[i] == '.') {
			free(t);
			continue;
		}
		for (size_t r = 0; r < sizeof(repl); r++) {
			if (repl[r] == tok[i])
				continue;
			t[i] = repl[r];
			if (verifies(k, t, n) == 0) {
				fprintf(stderr, "accepted with position %zu changed to %c\n",
				    i, repl[r]);
				accepted++;
			}
		}
		/* A flipped low bit of the raw character too. */
		t[i] = (char)(tok[i] ^ 1);
		if (verifies(k, t, n) == 0)
			accepted++;
		free(t);
	}
	CHECK_EQ_INT(accepted, 0);
	/* Cut short or extended. */
	CHECK(verifies(k, tok, n - 1) != 0);
	{
		char *longer = malloc(n + 2);
		if (longer != NULL) {
			memcpy(longer, tok, n);
			memcpy(longer + n, "AA", 2);
			CHECK(verifies(k, longer, n + 2) != 0);
			free(longer);
		}
	}
	free(tok);
	jws_key_free(k);
}

TEST(public_jwk)
{
	struct jws_key *k = NULL, *pub = NULL, *other = NULL;
	json_t *jwk;
	char *tok;
	uint8_t x[64];
	size_t xlen = 0;
	const char *xs;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "sig-2024", &k), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "sig-2024", &other), 0);
	if (k == NULL || other == NULL) {
		jws_key_free(k);
		jws_key_free(other);
		return;
	}
	jwk = jws_key_public_jwk(k);
	CHECK(jwk != NULL);
	CHECK_STR(json_string_value(json_object_get(jwk, "kty")), "OKP");
	CHECK_STR(json_string_value(json_object_get(jwk, "crv")), "Ed25519");
	CHECK_STR(json_string_value(json_object_get(jwk, "kid")), "sig-2024");
	CHECK_STR(json_string_value(json_object_get(jwk, "use")), "sig");
	CHECK_STR(json_string_value(json_object_get(jwk, "alg")), "EdDSA");
	CHECK(json_object_get(jwk, "d") == NULL);	/* no private part */
	CHECK_EQ_INT(json_object_size(jwk), 6);
	xs = json_string_value(json_object_get(jwk, "x"));
	CHECK(xs != NULL && strlen(xs) == 43);
	CHECK(xs != NULL && b64_decode(x, sizeof(x), &xlen, xs, strlen(xs)) == 0);
	CHECK_EQ_INT(xlen, 32);

	tok = jws_sign(k, "JWT", PAYLOAD, strlen(PAYLOAD));
	CHECK(tok != NULL);
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	if (pub != NULL && tok != NULL) {
		CHECK_STR(jws_key_kid(pub), "sig-2024");
		CHECK_EQ_INT(verifies(pub, tok, strlen(tok)), 0);
		/* Another key with the same kid does not verify. */
		CHECK(verifies(other, tok, strlen(tok)) != 0);
	}
	/* A JWK without kid gives a key with an empty kid. */
	json_object_del(jwk, "kid");
	jws_key_free(pub);
	pub = NULL;
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	if (pub != NULL) {
		CHECK_STR(jws_key_kid(pub), "");
		if (tok != NULL)
			CHECK_EQ_INT(verifies(pub, tok, strlen(tok)), 0);
		jws_key_free(pub);
	}
	json_decref(jwk);
	free(tok);
	jws_key_free(k);
	jws_key_free(other);
}

TEST(bad_jwks)
{
	static const char *const bad[] = {
		"{}",
		"{\"kty\":\"EC\",\"crv\":\"Ed25519\",\"x\":\"" RFC_X "\"}",
		"{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" RFC_X "\"}",
		"{\"kty\":\"OKP\",\"x\":\"" RFC_X "\"}",
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}",
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":42}",
		/* 31 and 33 bytes */
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ\"}",
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC_X "AA\"}",
		/* padded, standard alphabet */
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}",
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC_X "\",\"kid\":"
		    "\"0123456789012345678901234567890123456789012345678901234567890123\"}",
	};

	CHECK_EQ_INT(init(), 0);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		struct jws_key *k = NULL;

		CHECK(j != NULL);
		if (jws_key_from_jwk(j, &k) != -1) {
			fprintf(stderr, "accepted JWK %s\n", bad[i]);
			CHECK(0);
			jws_key_free(k);
		}
		json_decref(j);
	}
	{
		struct jws_key *k = NULL;
		json_t *arr = json_array();
		CHECK_EQ_INT(jws_key_from_jwk(arr, &k), -1);
		CHECK_EQ_INT(jws_key_from_jwk(NULL, &k), -1);
		json_decref(arr);
	}
}

TEST(private_bytes_round_trip)
{
	struct jws_key *k = NULL, *k2 = NULL;
	uint8_t sk[128];
	size_t len = 0;
	json_t *j1, *j2;
	char *tok;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "rt", &k), 0);
	if (k == NULL)
		return;
	CHECK_EQ_INT(jws_key_private_bytes(k, sk, 63, &len), -1);	/* too small */
	CHECK_EQ_INT(jws_key_private_bytes(k, sk, sizeof(sk), &len), 0);
	CHECK_EQ_INT(len, 64);
	CHECK_EQ_INT(jws_key_from_private(JWS_EDDSA, "rt", sk, 63, &k2), -1);
	CHECK_EQ_INT(jws_key_from_private(JWS_EDDSA, "rt", sk, 65, &k2), -1);
	CHECK_EQ_INT(jws_key_from_private((enum jws_alg)3, "rt", sk, len, &k2), -1);
	CHECK_EQ_INT(jws_key_from_private(JWS_EDDSA, "rt", sk, len, &k2), 0);
	sodium_memzero(sk, sizeof(sk));
	if (k2 == NULL) {
		jws_key_free(k);
		return;
	}
	j1 = jws_key_public_jwk(k);
	j2 = jws_key_public_jwk(k2);
	CHECK(json_equal(j1, j2));
	tok = jws_sign(k2, "JWT", PAYLOAD, strlen(PAYLOAD));
	CHECK(tok != NULL);
	if (tok != NULL) {
		CHECK_EQ_INT(verifies(k, tok, strlen(tok)), 0);
		free(tok);
	}
	json_decref(j1);
	json_decref(j2);
	jws_key_free(k);
	jws_key_free(k2);
}

TEST(malformed_tokens)
{
	static const char *const bad[] = {
		"",
		"abc",				/* no dot */
		"eyJhbGciOiJFZERTQSJ9",		/* no dot */
		"eyJhbGciOiJFZERTQSJ9.e30",	/* one dot */
		"eyJhbGciOiJFZERTQSJ9.e30.AAAA.AAAA",	/* three dots */
		"eyJhbGciOiJFZERTQSJ9.e30.AAAA.",
		"..",				/* empty header */
		"!!!!.e30.AAAA",			/* header not base64 */
		"eyJhbGciOiJFZERTQSJ9=.e30.AAAA",	/* padded header */
		"eyJhbGciOiJFZERTQSJ9.e30=.AAAA",	/* padded payload */
		"eyJhbGciOiJFZERTQSJ9.e30.AAAA=",	/* padded signature */
		"eyJhbGciOiJFZERTQSJ9.e3+.AAAA",	/* '+' */
		"eyJhbGciOiJFZERTQSJ9.e30.AA/A",	/* '/' */
		"eyJhbGciOiJFZERTQSJ9.e30.A",	/* impossible length */
		"bm90IGpzb24.e30.AAAA",		/* header "not json" */
		"WzFd.e30.AAAA",			/* header [1] */
		"WyJhbGciLCJFZERTQSJd.e30.AAAA",	/* header ["alg","EdDSA"] */
		"ImFsZyI.e30.AAAA",		/* header "alg" (a string) */
		"NDI.e30.AAAA",			/* header 42 */
		/* header {"alg":"EdDSA","alg":"none"}: duplicate keys */
		"eyJhbGciOiJFZERTQSIsImFsZyI6Im5vbmUifQ.e30.AAAA",
	};
	struct jws_parsed p;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (jws_parse(bad[i], strlen(bad[i]), &p) != -1) {
			fprintf(stderr, "parsed \"%s\"\n", bad[i]);
			CHECK(0);
			jws_parsed_free(&p);
		} else
			CHECK(p.header == NULL && p.payload == NULL);
	}
	CHECK_EQ_INT(jws_parse(NULL, 10, &p), -1);
	/* Over the size limit, though well-formed. */
	{
		size_t n = JWS_MAX_COMPACT + 10;
		char *big = malloc(n + 1);
		if (big != NULL) {
			memset(big, 'A', n);
			memcpy(big, "e30.", 4);
			big[n - 5] = '.';
			big[n] = '\0';
			CHECK_EQ_INT(jws_parse(big, n, &p), -1);
			free(big);
		}
	}
	/* A header of {} parses but has no alg, so verifies under no key. */
	{
		struct jws_key *k = NULL;
		CHECK_EQ_INT(init(), 0);
		CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "k", &k), 0);
		CHECK_EQ_INT(jws_parse("e30.e30.AAAA", 12, &p), 0);
		CHECK_EQ_INT(p.sig_len, 3);
		CHECK(jws_verify_parsed(k, &p) != 0);
		jws_parsed_free(&p);
		CHECK(jws_verify_parsed(k, NULL) != 0);
		jws_key_free(k);
	}
}

/* A token signed by `k` over header `hdr`, bypassing jws_sign's header. */
static char *
sign_raw(const struct jws_key *k, const char *hdr, const char *payload)
{
	uint8_t sk[64], sig[64];
	size_t len = 0;
	char *h = b64s(hdr), *p = b64s(payload), *out = NULL, sigb[100];
	size_t n;

	if (h == NULL || p == NULL || jws_key_private_bytes(k, sk, sizeof(sk), &len) != 0)
		goto done;
	n = strlen(h) + strlen(p) + 2 + sizeof(sigb);
	if ((out = malloc(n)) == NULL)
		goto done;
	snprintf(out, n, "%s.%s", h, p);
	crypto_sign_detached(sig, NULL, (const uint8_t *)out, strlen(out), sk);
	if (b64_encode(sigb, sizeof(sigb), sig, sizeof(sig)) == 0) {
		free(out);
		out = NULL;
		goto done;
	}
	strcat(out, ".");
	strcat(out, sigb);
done:
	sodium_memzero(sk, sizeof(sk));
	free(h);
	free(p);
	return out;
}

TEST(alg_must_match)
{
	static const char *const headers[] = {
		"{\"alg\":\"none\",\"kid\":\"k\"}",
		"{\"alg\":\"HS256\",\"kid\":\"k\"}",
		"{\"alg\":\"eddsa\",\"kid\":\"k\"}",
		"{\"alg\":\"Ed25519\",\"kid\":\"k\"}",
		"{\"alg\":null,\"kid\":\"k\"}",
		"{\"alg\":[\"EdDSA\"],\"kid\":\"k\"}",
		"{\"kid\":\"k\"}",
		/* A critical extension we do not understand. */
		"{\"alg\":\"EdDSA\",\"kid\":\"k\",\"crit\":[\"exp\"],\"exp\":1}",
	};
	struct jws_key *k = NULL;
	char *t;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "k", &k), 0);
	if (k == NULL)
		return;
	/* The control: the same construction with the right alg verifies. */
	t = sign_raw(k, "{\"alg\":\"EdDSA\",\"kid\":\"k\"}", "{}");
	CHECK(t != NULL && verifies(k, t, strlen(t)) == 0);
	free(t);
	for (size_t i = 0; i < ARRAY_LEN(headers); i++) {
		t = sign_raw(k, headers[i], "{}");
		CHECK(t != NULL);
		if (t != NULL && verifies(k, t, strlen(t)) == 0) {
			fprintf(stderr, "verified with header %s\n", headers[i]);
			CHECK(0);
		}
		free(t);
	}
	/* alg "none" with an empty signature. */
	t = make_token("{\"alg\":\"none\"}", "{}", "");
	CHECK(t != NULL);
	if (t != NULL) {
		struct jws_parsed p;
		CHECK_EQ_INT(jws_parse(t, strlen(t), &p), 0);
		CHECK_EQ_INT(p.sig_len, 0);
		CHECK(jws_verify_parsed(k, &p) != 0);
		jws_parsed_free(&p);
		free(t);
	}
	jws_key_free(k);
}

TEST(rfc8037_vector)
{
	uint8_t seed[32], pk[32], sk[64], x[32], sig[64];
	size_t n = 0;
	char sigb[100];
	struct jws_key *k = NULL, *pub = NULL;
	json_t *jwk, *mine;
	struct jws_parsed p;

	CHECK_EQ_INT(init(), 0);
	CHECK_EQ_INT(b64_decode(seed, sizeof(seed), &n, RFC_D, strlen(RFC_D)), 0);
	CHECK_EQ_INT(n, 32);
	CHECK_EQ_INT(b64_decode(x, sizeof(x), &n, RFC_X, strlen(RFC_X)), 0);
	CHECK_EQ_INT(n, 32);
	CHECK_EQ_INT(crypto_sign_seed_keypair(pk, sk, seed), 0);
	CHECK(memcmp(pk, x, 32) == 0);

	/* Our private key form gives the RFC's public JWK... */
	CHECK_EQ_INT(jws_key_from_private(JWS_EDDSA, "rfc", sk, sizeof(sk), &k), 0);
	if (k == NULL)
		return;
	mine = jws_key_public_jwk(k);
	CHECK_STR(json_string_value(json_object_get(mine, "x")), RFC_X);
	json_decref(mine);
	/* ... and, Ed25519 being deterministic, the RFC's signature. */
	crypto_sign_detached(sig, NULL, (const uint8_t *)RFC_INPUT, strlen(RFC_INPUT), sk);
	CHECK(b64_encode(sigb, sizeof(sigb), sig, sizeof(sig)) > 0);
	CHECK_STR(sigb, RFC_SIG);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(seed, sizeof(seed));

	/* The RFC's token verifies under a key from the RFC's public JWK. */
	jwk = json_pack("{s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x", RFC_X);
	CHECK_EQ_INT(jws_key_from_jwk(jwk, &pub), 0);
	json_decref(jwk);
	if (pub == NULL) {
		jws_key_free(k);
		return;
	}
	CHECK_EQ_INT(jws_parse(RFC_JWS, strlen(RFC_JWS), &p), 0);
	CHECK_STR(json_string_value(json_object_get(p.header, "alg")), "EdDSA");
	CHECK(json_object_get(p.header, "kid") == NULL);
	CHECK_STR(p.payload, "Example of Ed25519 signing");
	CHECK_EQ_INT(jws_verify_parsed(pub, &p), 0);
	CHECK_EQ_INT(jws_verify_parsed(k, &p), 0);
	jws_parsed_free(&p);

	/* A tampered copy does not: one payload character, one signature character. */
	{
		char t[sizeof(RFC_JWS)];
		size_t dot = strlen(RFC_INPUT);

		memcpy(t, RFC_JWS, sizeof(t));
		t[dot - 2] = t[dot - 2] == 'A' ? 'B' : 'A';
		CHECK(verifies(pub, t, strlen(t)) != 0);
		memcpy(t, RFC_JWS, sizeof(t));
		t[dot + 5] = t[dot + 5] == 'A' ? 'B' : 'A';
		CHECK(verifies(pub, t, strlen(t)) != 0);
		memcpy(t, RFC_JWS, sizeof(t));
		t[3] = t[3] == 'A' ? 'B' : 'A';
		CHECK(verifies(pub, t, strlen(t)) != 0);
	}
	/* Another key does not verify it. */
	{
		struct jws_key *other = NULL;
		CHECK_EQ_INT(jws_key_generate(JWS_EDDSA, "o", &other), 0);
		CHECK(verifies(other, RFC_JWS, strlen(RFC_JWS)) != 0);
		jws_key_free(other);
	}
	jws_key_free(pub);
	jws_key_free(k);
}

T_MAIN(T(sign_parse_verify), T(sign_refusals), T(tamper_every_character),
    T(public_jwk), T(bad_jwks), T(private_bytes_round_trip), T(malformed_tokens),
    T(alg_must_match), T(rfc8037_vector))
