/*
 * mkseeds: writes the generated seeds of the corpora, made by the
 * project's own code over the fixed keys and clock of fuzzkeys: registry
 * CSV from regen, a level-2 credential issued by credentials_issue and its
 * presentations by eid-app's app_cred_present, device-signed request
 * headers by app_http_authorization, status lists, JWK Sets, JWS of each
 * alg and QR login URIs from qrlogin_uri. Run from the source root:
 *   build/tests/fuzz/mkseeds tests/fuzz/corpus
 * Hand-written seeds live beside the generated ones (names without "gen-").
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_cred.h"
#include "app_http.h"
#include "app_state.h"
#include "b64.h"
#include "credentials.h"
#include "fixture.h"
#include "fuzzkeys.h"
#include "presfix.h"
#include "qrlogin.h"
#include "regen.h"

#define PID "001090000001"
#define ROW PID ",Nguy\xe1\xbb\x85n V\xc4\x83n An,1990-05-17,male," \
	"Vi\xe1\xbb\x87t Nam,H\xc3\xa0 N\xe1\xbb\x99i,Ho\xc3\xa0n Ki\xe1\xba\xbfm," \
	"001090000001,2021-03-01,2036-05-17,living\n"
#define ISS "http://127.0.0.1"

static const char *outdir;
static int failures;

static void
put(const char *dir, const char *name, const char *data, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/gen-%s", outdir, dir, name);
	if (data == NULL || (f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "mkseeds: cannot make %s\n", path);
		failures++;
		return;
	}
	if (fwrite(data, 1, n, f) != n)
		failures++;
	if (fclose(f) != 0)
		failures++;
}

static void
put_str(const char *dir, const char *name, const char *s)
{
	put(dir, name, s, s != NULL ? strlen(s) : 0);
}

/* Signs the JSON object o (taken over) with k; free(). */
static char *
sign_obj(const struct jws_key *k, const char *typ, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL, *jws;

	json_decref(o);
	jws = text != NULL ? jws_sign(k, typ, text, strlen(text)) : NULL;
	free(text);
	return jws;
}

/* eid-app's state over the fixed device key, activated, as the app loads it. */
static struct app_state *
app_with_fixed_key(const char *dir)
{
	uint8_t seed[32];
	char b64[64], path[256], err[256], text[512];
	struct app_state *st = NULL;
	int fd;

	memset(seed, 0x22, sizeof(seed));	/* fuzzkeys_device() */
	if (b64_encode(b64, sizeof(b64), seed, sizeof(seed)) == 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/app.json", dir);
	snprintf(text, sizeof(text), "{\"version\":1,\"name\":\"fuzz\","
	    "\"secret_key\":\"%s\"}\n", b64);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) != 0 || app_state_load(path, &st, err, sizeof(err)) != 0 ||
	    app_state_set_device(st, FUZZ_DEVICE_PLACEHOLDER, ISS) != 0) {
		app_state_free(st);
		return NULL;
	}
	return st;
}

static void
presentations(struct app_state *st, const struct jws_key *ck,
    const struct jws_key *dk, const char *cred, int64_t exp)
{
	char *p, *c;

	if (app_state_set_credential(st, cred, exp) != 0) {
		failures++;
		return;
	}
	put_str("presentation", "valid", p = app_cred_present(st, NULL, FUZZ_NOW));
	put_str("jws", "presentation", p);
	free(p);
	put_str("presentation", "nonce", p = app_cred_present(st, "gate-12", FUZZ_NOW));
	free(p);
	put_str("presentation", "stale-iat", p = app_cred_present(st, NULL,
	    FUZZ_NOW - 3600));
	free(p);
	put_str("presentation", "credential-only", cred);
	c = presfix_cred(ck, dk, 1, FUZZ_NOW + 3600, "lvl1-jti", PID);
	put_str("presentation", "level1", p = presfix_present(dk, c, FUZZ_NOW,
	    "p-lvl1", APP_PRES_TYP));
	free(p);
	free(c);
	c = presfix_cred(ck, dk, 2, FUZZ_NOW - 10, "old-jti", PID);
	put_str("presentation", "expired", p = presfix_present(dk, c, FUZZ_NOW,
	    "p-old", APP_PRES_TYP));
	free(p);
	free(c);
	put_str("presentation", "wrong-typ", p = presfix_present(dk, cred, FUZZ_NOW,
	    "p-typ", "JWT"));
	free(p);
}

static void
device_requests(struct app_state *st)
{
	static const struct { const char *name, *method, *target, *body; } rq[] = {
		{ "credential", "POST", "/v1/credentials", "" },
		{ "list", "GET", "/v1/devices", "" },
		{ "code", "POST", "/v1/devices/code", "{}" },
		{ "approve", "POST", "/v1/qr/approve?tx=abc", "{\"decision\":\"approve\"}" },
	};
	char buf[2048];

	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++) {
		char *h = app_http_authorization(st, rq[i].method, rq[i].target,
		    rq[i].body, strlen(rq[i].body), FUZZ_NOW);

		snprintf(buf, sizeof(buf), "%s\n%s\n%s\n%s", h != NULL ? h : "",
		    rq[i].method, rq[i].target, rq[i].body);
		put(h != NULL ? "device" : "", rq[i].name, buf, strlen(buf));
		free(h);
	}
}

static void
status_lists(const struct jws_key *ck)
{
	char *s;

	put_str("status", "valid", s = sign_obj(ck, "eid-credential-status+jwt",
	    json_pack("{s:s, s:I, s:[s,s]}", "iss", ISS, "iat",
	    (json_int_t)(FUZZ_NOW - 60), "revoked", "jti-b", "jti-a")));
	put_str("jws", "status", s);
	free(s);
	put_str("status", "empty", s = sign_obj(ck, "eid-credential-status+jwt",
	    json_pack("{s:s, s:I, s:[]}", "iss", ISS, "iat", (json_int_t)FUZZ_NOW,
	    "revoked")));
	free(s);
	put_str("status", "stale", s = sign_obj(ck, "eid-credential-status+jwt",
	    json_pack("{s:s, s:I, s:[s]}", "iss", ISS, "iat",
	    (json_int_t)(FUZZ_NOW - 3 * 86400), "revoked", "jti-a")));
	free(s);
}

static void
jwks_and_algs(const struct jws_key *ck)
{
	struct jws_key *rs = NULL, *es = NULL;
	json_t *set;
	char *s;

	if (jws_key_generate(JWS_RS256, "rsa", &rs) != 0 ||
	    jws_key_generate(JWS_ES256, "ec", &es) != 0) {
		failures++;
		goto done;
	}
	set = json_pack("{s:[o]}", "keys", jws_key_public_jwk(ck));
	put_str("jwks", "credential", s = json_dumps(set, JSON_COMPACT));
	free(s);
	json_decref(set);
	set = json_pack("{s:[o,o,o]}", "keys", jws_key_public_jwk(ck),
	    jws_key_public_jwk(rs), jws_key_public_jwk(es));
	put_str("jwks", "three-algs", s = json_dumps(set, JSON_COMPACT));
	free(s);
	json_decref(set);
	put_str("jws", "id-token-eddsa", s = sign_obj(ck, "JWT", json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", ISS, "sub", "account-1",
	    "aud", "client-1", "exp", (json_int_t)(FUZZ_NOW + 600), "iat",
	    (json_int_t)FUZZ_NOW, "nonce", "n-0S6_WzA2Mj")));
	free(s);
	put_str("jws", "rs256", s = jws_sign(rs, "JWT", "{\"a\":1}", 7));
	free(s);
	put_str("jws", "es256", s = jws_sign(es, NULL, "{\"a\":1}", 7));
	free(s);
done:
	jws_key_free(rs);
	jws_key_free(es);
}

static void
registry_csv(void)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (f == NULL || regen_write_csv(f, 4, 7) != 0 || fclose(f) != 0)
		failures++;
	else
		put("csv", "regen", buf, n);
	free(buf);
}

static void
login_uris(void)
{
	char uri[1024];

	if (qrlogin_uri("https://id.example.vn/", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    uri, sizeof(uri)) == 0)
		put_str("uri", "issuer-path", uri);
	if (qrlogin_uri(ISS, "Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZmd",
	    uri, sizeof(uri)) == 0)
		put_str("uri", "loopback", uri);
}

int
main(int argc, char **argv)
{
	struct jws_key *ck = fuzzkeys_credential(), *dk = fuzzkeys_device();
	struct app_state *st = NULL;
	struct fixture fx;
	struct device dev;
	char *cred = NULL;
	int64_t exp;

	if (argc != 2 || ck == NULL || dk == NULL) {
		fprintf(stderr, "usage: mkseeds CORPUS_DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (fixture_open(&fx, "mkseeds") != 0 ||
	    presfix_citizen(&fx, ROW, PID, dk, FUZZ_NOW - 3600, &dev) != 0 ||
	    credentials_issue(fx.db, ck, ISS, &dev, FUZZ_NOW - 3600, &cred, &exp) != 0 ||
	    (st = app_with_fixed_key(fx.dir)) == NULL) {
		fprintf(stderr, "mkseeds: set-up failed\n");
		failures++;
	} else {
		put_str("jws", "credential", cred);
		device_requests(st);
		presentations(st, ck, dk, cred, exp);
	}
	status_lists(ck);
	jwks_and_algs(ck);
	registry_csv();
	login_uris();
	free(cred);
	app_state_free(st);
	fixture_close(&fx);
	jws_key_free(ck);
	jws_key_free(dk);
	return failures != 0;
}
