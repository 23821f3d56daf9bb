/*
 * test_presentation: the offline checks with test keys: an accepted
 * presentation and its verdict, then each reason the checks can give
 * (malformed input, altered credential, presentation by another key,
 * untrusted and trusted level-1 credentials, expiry and the iat window).
 */
#include "t.h"
#include "presfix.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "presentation.h"

#define NOW INT64_C(1800000000)
#define PID "001090000001"

struct keys {
	struct jws_key *issuer, *dev, *other, *forger;
};

static const struct jws_key *
key_of(void *arg, const char *kid)
{
	struct keys *k = arg;

	return strcmp(kid, "cred-1") == 0 ? k->issuer : NULL;
}

/* Trusts the forger's key as well (an offline verifier given such a JWKS). */
static const struct jws_key *
key_of_lax(void *arg, const char *kid)
{
	struct keys *k = arg;

	return strcmp(kid, "forger") == 0 ? k->forger : key_of(arg, kid);
}

static int
keys_up(struct keys *k)
{
	if (sodium_init() < 0)
		return -1;
	k->issuer = presfix_key("cred-1");
	k->dev = presfix_key("dev");
	k->other = presfix_key("dev");
	k->forger = presfix_key("forger");
	return k->issuer && k->dev && k->other && k->forger ? 0 : -1;
}

static void
keys_down(struct keys *k)
{
	jws_key_free(k->issuer);
	jws_key_free(k->dev);
	jws_key_free(k->other);
	jws_key_free(k->forger);
}

/* The reason for presentation p (freed) as of NOW with the strict keys. */
static enum pres_reason
verdict(struct keys *k, char *p, struct pres_result *r)
{
	enum pres_reason why = p == NULL ? PRES_MALFORMED :
	    presentation_check(p, strlen(p), NOW, key_of, k, r);

	free(p);
	return why;
}

TEST(accepted)
{
	struct keys k;
	struct pres_result r;
	char *cred, *p, *text;
	json_t *v;

	CHECK(keys_up(&k) == 0);
	cred = presfix_cred(k.issuer, k.dev, 2, NOW + 3600, "c1", PID);
	p = presfix_present(k.dev, cred, NOW - 5, "p1", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_ACCEPTED);
	CHECK_STR(r.pres_jti, "p1");
	CHECK_STR(r.cred_jti, "c1");
	CHECK_STR(r.person.personal_id, PID);
	CHECK_EQ_INT(r.level, 2);
	v = presentation_verdict(&r, NOW);
	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK(text != NULL && strstr(text, "\"result\":\"accepted\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"checked_at\":1800000000") != NULL);
	CHECK(text != NULL && strstr(text, "\"personal_id\":\"" PID "\"") != NULL);
	CHECK(text != NULL && strstr(text, "\"level\":2") != NULL);
	free(text);
	json_decref(v);
	/* The window's edges hold. */
	p = presfix_present(k.dev, cred, NOW + PRES_IAT_WINDOW, "p2", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_ACCEPTED);
	p = presfix_present(k.dev, cred, NOW - PRES_IAT_WINDOW, "p3", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_ACCEPTED);
	free(cred);
	keys_down(&k);
}

TEST(malformed)
{
	struct keys k;
	struct pres_result r;
	char *cred, *p;
	json_t *v;

	CHECK(keys_up(&k) == 0);
	CHECK_EQ_INT(presentation_check("", 0, NOW, key_of, &k, &r), PRES_MALFORMED);
	CHECK_EQ_INT(presentation_check("a.b.c", 5, NOW, key_of, &k, &r), PRES_MALFORMED);
	CHECK_EQ_INT(presentation_check(NULL, 0, NOW, key_of, &k, &r), PRES_MALFORMED);
	cred = presfix_cred(k.issuer, k.dev, 2, NOW + 3600, "c1", PID);
	/* Wrong typ; the credential where the presentation should be. */
	CHECK_EQ_INT(verdict(&k, presfix_present(k.dev, cred, NOW, "p", "JWT"), &r),
	    PRES_MALFORMED);
	CHECK_EQ_INT(verdict(&k, strdup(cred), &r), PRES_MALFORMED);
	/* A presentation whose cred is not a credential. */
	p = presfix_present(k.dev, "x.y.z", NOW, "p", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_MALFORMED);
	p = presfix_present(k.dev, cred, NOW, "", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_MALFORMED);
	v = presentation_verdict(&r, NOW);
	CHECK_STR(json_string_value(json_object_get(v, "result")), "rejected");
	CHECK_STR(json_string_value(json_object_get(v, "reason")), "malformed");
	CHECK(json_object_get(v, "person") == NULL);
	json_decref(v);
	free(cred);
	keys_down(&k);
}

TEST(signature_invalid)
{
	struct keys k;
	struct pres_result r;
	char *cred, *altered, *p;

	CHECK(keys_up(&k) == 0);
	cred = presfix_cred(k.issuer, k.dev, 2, NOW + 3600, "c1", PID);
	/* An altered credential: another name under dinhdanh's signature. */
	altered = presfix_alter(cred, "\"sex\":\"male\"", "\"sex\":\"female\"");
	CHECK(altered != NULL);
	p = presfix_present(k.dev, altered, NOW, "p1", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_SIGNATURE_INVALID);
	CHECK_STR(r.cred_jti, "");
	/* The presentation signed by another key than the credential's cnf. */
	p = presfix_present(k.other, cred, NOW, "p2", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_SIGNATURE_INVALID);
	/* An altered presentation. */
	p = presfix_present(k.dev, cred, NOW, "p3", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, presfix_alter(p, "\"p3\"", "\"p4\""), &r),
	    PRES_SIGNATURE_INVALID);
	free(p);
	free(altered);
	free(cred);
	keys_down(&k);
}

TEST(level)
{
	struct keys k;
	struct pres_result r;
	char *cred, *p;

	CHECK(keys_up(&k) == 0);
	/* A level-1 credential forged with a test key: not trusted, so the
	 * signature fails first. */
	cred = presfix_cred(k.forger, k.dev, 1, NOW + 3600, "c1", PID);
	p = presfix_present(k.dev, cred, NOW, "p1", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_SIGNATURE_INVALID);
	/* The same with that key trusted: level_too_low. */
	p = presfix_present(k.dev, cred, NOW, "p2", PRES_TYP);
	CHECK_EQ_INT(presentation_check(p, strlen(p), NOW, key_of_lax, &k, &r),
	    PRES_LEVEL_TOO_LOW);
	free(p);
	free(cred);
	/* A trusted level-1 credential that has expired too: level first. */
	cred = presfix_cred(k.issuer, k.dev, 1, NOW - 10, "c2", PID);
	p = presfix_present(k.dev, cred, NOW, "p3", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_LEVEL_TOO_LOW);
	free(cred);
	keys_down(&k);
}

TEST(expired)
{
	struct keys k;
	struct pres_result r;
	char *cred, *p;

	CHECK(keys_up(&k) == 0);
	cred = presfix_cred(k.issuer, k.dev, 2, NOW + 3600, "c1", PID);
	/* The credential's exp passed: the same presentation an hour later. */
	p = presfix_present(k.dev, cred, NOW + 3600, "p1", PRES_TYP);
	CHECK_EQ_INT(presentation_check(p, strlen(p), NOW + 3600, key_of, &k, &r),
	    PRES_EXPIRED);
	free(p);
	/* A stale and a future iat. */
	p = presfix_present(k.dev, cred, NOW - PRES_IAT_WINDOW - 1, "p2", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_EXPIRED);
	p = presfix_present(k.dev, cred, NOW + PRES_IAT_WINDOW + 1, "p3", PRES_TYP);
	CHECK_EQ_INT(verdict(&k, p, &r), PRES_EXPIRED);
	free(cred);
	CHECK_STR(pres_reason_name(PRES_REPLAYED), "replayed");
	CHECK_STR(pres_reason_name(PRES_ACCOUNT_LOCKED), "account_locked");
	keys_down(&k);
}

T_MAIN(T(accepted), T(malformed), T(signature_invalid), T(level), T(expired))
