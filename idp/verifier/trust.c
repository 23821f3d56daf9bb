/*
 * trust: the JWK Set and the status list of the offline verifier.
 */
#include "trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define TRUST_MAX_KEYS 32
#define STATUS_MAX_BYTES JWS_MAX_COMPACT
#define STATUS_FUTURE_SKEW 300

struct trust {
	struct jws_key *keys[TRUST_MAX_KEYS];
	size_t nkeys;
	char **revoked;		/* sorted */
	size_t nrevoked;
};

static int
fail_msg(char *err, size_t errsz, const char *what, const char *path)
{
	snprintf(err, errsz, "%s: %s", path, what);
	return -1;
}

int
trust_open(const char *path, struct trust **out, char *err, size_t errsz)
{
	struct trust *t;
	json_t *set, *keys, *jwk;
	size_t i;

	*out = NULL;
	if ((set = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return fail_msg(err, errsz, "cannot read a JSON key set", path);
	keys = json_object_get(set, "keys");
	if (!json_is_array(keys) || (t = calloc(1, sizeof(*t))) == NULL) {
		json_decref(set);
		return fail_msg(err, errsz, "not a JWK Set {\"keys\": [...]}", path);
	}
	json_array_foreach(keys, i, jwk) {
		if (t->nkeys < TRUST_MAX_KEYS &&
		    jws_key_from_jwk(jwk, &t->keys[t->nkeys]) == 0)
			t->nkeys++;
	}
	json_decref(set);
	if (t->nkeys == 0) {
		trust_free(t);
		return fail_msg(err, errsz, "the key set has no usable key", path);
	}
	*out = t;
	return 0;
}

void
trust_free(struct trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nkeys; i++)
		jws_key_free(t->keys[i]);
	for (i = 0; i < t->nrevoked; i++)
		free(t->revoked[i]);
	free(t->revoked);
	free(t);
}

const struct jws_key *
trust_key(void *arg, const char *kid)
{
	struct trust *t = arg;
	size_t i;

	for (i = 0; t != NULL && kid != NULL && i < t->nkeys; i++)
		if (strcmp(jws_key_kid(t->keys[i]), kid) == 0)
			return t->keys[i];
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
trust_revoked(const struct trust *t, const char *jti)
{
	return t != NULL && t->nrevoked > 0 && jti != NULL &&
	    bsearch(&jti, t->revoked, t->nrevoked, sizeof(char *), cmp_str) != NULL;
}

/* The file's bytes (NUL-terminated, trailing white space cut), or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(STATUS_MAX_BYTES + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, STATUS_MAX_BYTES + 1, f);
	fclose(f);
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]) != NULL)
		n--;
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The verified status payload of text[len], or NULL. */
static json_t *
status_payload(struct trust *t, const char *text, size_t len)
{
	struct jws_parsed p;
	json_t *o = NULL;
	const struct jws_key *k;

	if (jws_parse(text, len, &p) != 0)
		return NULL;
	k = trust_key(t, json_string_value(json_object_get(p.header, "kid")));
	if (k != NULL && jws_verify_parsed(k, &p) == 0)
		o = json_loadb(p.payload, p.payload_len, JSON_REJECT_DUPLICATES, NULL);
	jws_parsed_free(&p);
	return o;
}

static int
take_revoked(struct trust *t, const json_t *list)
{
	size_t i, n = json_array_size(list);
	json_t *v;

	/* A list loaded before is replaced, not appended to. */
	for (i = 0; i < t->nrevoked; i++)
		free(t->revoked[i]);
	free(t->revoked);
	t->revoked = NULL;
	t->nrevoked = 0;
	if (!json_is_array(list) || (n > 0 &&
	    (t->revoked = calloc(n, sizeof(char *))) == NULL))
		return -1;
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) ||
		    (t->revoked[t->nrevoked] = strdup(json_string_value(v))) == NULL)
			return -1;
		t->nrevoked++;
	}
	if (n > 1)
		qsort(t->revoked, n, sizeof(char *), cmp_str);
	return 0;
}

int
trust_load_status(struct trust *t, const char *path, int64_t now,
    int64_t max_age, char *err, size_t errsz)
{
	json_t *o = NULL, *iat;
	size_t len;
	char *text;
	int rc = -1;

	if ((text = slurp(path, &len)) == NULL)
		return fail_msg(err, errsz, "cannot read the status list", path);
	if ((o = status_payload(t, text, len)) == NULL) {
		fail_msg(err, errsz, "not a status list signed by a key of the key set",
		    path);
		goto done;
	}
	iat = json_object_get(o, "iat");
	if (!json_is_integer(iat) || take_revoked(t, json_object_get(o, "revoked")) != 0) {
		fail_msg(err, errsz, "the status list lacks iat or revoked", path);
		goto done;
	}
	if ((int64_t)json_integer_value(iat) > now + STATUS_FUTURE_SKEW) {
		fail_msg(err, errsz, "the status list is dated in the future", path);
		goto done;
	}
	if (now - (int64_t)json_integer_value(iat) > max_age) {
		snprintf(err, errsz, "%s: the status list is %lld seconds old, more "
		    "than the %lld allowed (--max-status-age); fetch a fresh one from "
		    "/v1/credentials/status", path,
		    (long long)(now - (int64_t)json_integer_value(iat)),
		    (long long)max_age);
		rc = TRUST_STALE;
		goto done;
	}
	rc = 0;
done:
	json_decref(o);
	free(text);
	return rc;
}
