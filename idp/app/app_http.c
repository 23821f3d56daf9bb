/*
 * app_http: signed JSON calls to the identity provider.
 */
#include "app_http.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"

#define SIG_CONTEXT "dinhdanh-device-v1"
#define ANSWER_MAX (1024 * 1024)
#define NONCE_BYTES 24
#define URL_MAX 2048

struct answer {
	char *data;
	size_t len;
};

/* The bytes a device signs: see devices_authenticate in idp/devices.h. */
static char *
signing_input(const char *method, const char *path, const void *body,
    size_t len, const char *ts, const char *nonce)
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	char d64[64], *out;
	size_t n;

	crypto_hash_sha256(digest, body != NULL ? body : (const void *)"",
	    body != NULL ? len : 0);
	if (b64_encode(d64, sizeof(d64), digest, sizeof(digest)) == 0)
		return NULL;
	n = strlen(SIG_CONTEXT) + strlen(method) + strlen(path) + strlen(d64) +
	    strlen(ts) + strlen(nonce) + 6;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s\n%s\n%s\n%s\n%s\n%s", SIG_CONTEXT, method, path,
		    d64, ts, nonce);
	return out;
}

char *
app_http_authorization(const struct app_state *st, const char *method,
    const char *path_with_query, const void *body, size_t len, int64_t ts)
{
	uint8_t sig[APP_SIG_SIZE];
	char tss[24], nonce[40], sig64[96], *msg, *out = NULL;
	size_t n;

	if (st == NULL || method == NULL || path_with_query == NULL ||
	    !app_state_activated(st))
		return NULL;
	snprintf(tss, sizeof(tss), "%lld", (long long)ts);
	if (b64_random(nonce, sizeof(nonce), NONCE_BYTES) == 0 ||
	    (msg = signing_input(method, path_with_query, body, len, tss, nonce)) == NULL)
		return NULL;
	app_state_sign(st, msg, strlen(msg), sig);
	free(msg);
	if (b64_encode(sig64, sizeof(sig64), sig, sizeof(sig)) == 0)
		return NULL;
	n = strlen(app_state_device_id(st)) + strlen(tss) + strlen(nonce) +
	    strlen(sig64) + 48;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "Device id=\"%s\", ts=\"%s\", nonce=\"%s\", sig=\"%s\"",
		    app_state_device_id(st), tss, nonce, sig64);
	return out;
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t add = size * n;
	char *grown;

	if (add > ANSWER_MAX - a->len ||
	    (grown = realloc(a->data, a->len + add + 1)) == NULL)
		return 0;
	a->data = grown;
	memcpy(a->data + a->len, ptr, add);
	a->len += add;
	a->data[a->len] = '\0';
	return add;
}

/* The request's headers: JSON, and the signature when st is set. */
static struct curl_slist *
headers(const struct app_state *st, const char *method, const char *path,
    const char *body)
{
	struct curl_slist *h = NULL, *t;
	char *auth, *line;
	size_t n;

	if ((h = curl_slist_append(NULL, "Accept: application/json")) == NULL)
		return NULL;
	if (body != NULL &&
	    (t = curl_slist_append(h, "Content-Type: application/json")) != NULL)
		h = t;
	if (st == NULL)
		return h;
	if ((auth = app_http_authorization(st, method, path, body,
	    body != NULL ? strlen(body) : 0, (int64_t)time(NULL))) == NULL) {
		curl_slist_free_all(h);
		return NULL;
	}
	n = strlen(auth) + 16;
	if ((line = malloc(n)) != NULL) {
		snprintf(line, n, "Authorization: %s", auth);
		if ((t = curl_slist_append(h, line)) != NULL)
			h = t;
		free(line);
	}
	free(auth);
	return h;
}

/* The easy handle's options for one call. */
static void
setup(CURL *e, const char *url, const char *method, const char *body,
    struct curl_slist *h, struct answer *a)
{
	curl_easy_setopt(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, APP_HTTP_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "eid-app/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
	if (body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	else if (strcmp(method, "POST") == 0 && body == NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
}

int
app_http_call(const char *base_url, const struct app_state *st,
    const char *method, const char *path_with_query, const char *body,
    struct app_resp *out, char *err, size_t errsz)
{
	struct answer a = { NULL, 0 };
	struct curl_slist *h = NULL;
	char url[URL_MAX];
	CURLcode cc;
	CURL *e = NULL;
	int rc = -1;

	if (out == NULL || err == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (base_url == NULL || method == NULL || path_with_query == NULL ||
	    (size_t)snprintf(url, sizeof(url), "%s%s", base_url,
	    path_with_query) >= sizeof(url)) {
		snprintf(err, errsz, "the identity provider's URL is too long");
		return -1;
	}
	if ((e = curl_easy_init()) == NULL ||
	    (h = headers(st, method, path_with_query, body)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	setup(e, url, method, body, h, &a);
	if ((cc = curl_easy_perform(e)) != CURLE_OK) {
		snprintf(err, errsz, "cannot reach the identity provider at %s: %s",
		    base_url, curl_easy_strerror(cc));
		goto fail;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
	if (a.data != NULL)
		out->json = json_loadb(a.data, a.len, JSON_REJECT_DUPLICATES, NULL);
	rc = 0;
fail:
	if (a.data != NULL)
		sodium_memzero(a.data, a.len);
	free(a.data);
	curl_slist_free_all(h);
	if (e != NULL)
		curl_easy_cleanup(e);
	return rc;
}

void
app_resp_free(struct app_resp *r)
{
	if (r == NULL)
		return;
	json_decref(r->json);
	r->json = NULL;
}

const char *
app_resp_reason(const struct app_resp *r, const char *fallback)
{
	const char *s = NULL;

	if (r != NULL && json_is_object(r->json) &&
	    (s = json_string_value(json_object_get(r->json, "error_description"))) == NULL)
		s = json_string_value(json_object_get(r->json, "error"));
	return s != NULL ? s : fallback;
}
