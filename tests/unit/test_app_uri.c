/*
 * test_app_uri: the login URI of a QR code as the app reads it: the
 * server's own URIs accepted, each field missing, bad percent escapes,
 * overlong values, another scheme or host, ids that are not base64url,
 * trailing garbage, and the boundary cases of the fuzz seeds
 * (tests/fuzz/corpus/uri); the device-id check.
 */
#include "t.h"

#include <stdio.h>
#include <string.h>

#include "app_uri.h"
#include "qrlogin.h"

#define TX "Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZmd"
#define TX_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define PREFIX "dinhdanh://login?"

static int
parse(const char *uri, struct app_uri_login *out)
{
	return app_uri_parse_login(uri, strlen(uri), out);
}

/* Parses uri expecting err; on a refusal *out must be emptied. */
static void
refused(int *t_failed, const char *uri, int err)
{
	struct app_uri_login got;

	memset(&got, 'x', sizeof(got));
	CHECK_EQ_INT(parse(uri, &got), err);
	CHECK_STR(got.tx, "");
	CHECK_STR(got.idp, "");
}

/* "https://" and n - 8 more bytes of 'c', percent-encoded as the server does. */
static void
long_idp(char *out, size_t outsz, size_t n, const char *tail)
{
	size_t w = (size_t)snprintf(out, outsz, PREFIX "tx=" TX "&idp=https%%3A%%2F%%2F");

	for (size_t i = 8; i < n && w + 1 < outsz; i++)
		out[w++] = 'c';
	snprintf(out + w, outsz - w, "%s", tail);
}

TEST(server_uris)
{
	struct app_uri_login got;
	char uri[1024];

	CHECK_EQ_INT(strlen(TX), APP_URI_ID_LEN);
	CHECK_EQ_INT(qrlogin_uri("https://id.example.vn/", TX_A, uri, sizeof(uri)), 0);
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_STR(got.tx, TX_A);
	CHECK_STR(got.idp, "https://id.example.vn");
	CHECK_EQ_INT(qrlogin_uri("http://127.0.0.1:8080", TX, uri, sizeof(uri)), 0);
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_STR(got.tx, TX);
	CHECK_STR(got.idp, "http://127.0.0.1:8080");
	/* An issuer with a path, a query-like part and a '+': all come back. */
	CHECK_EQ_INT(qrlogin_uri("https://h.vn:8443/a/b?x=1&y=+2#z", TX, uri,
	    sizeof(uri)), 0);
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_STR(got.idp, "https://h.vn:8443/a/b?x=1&y=+2#z");
	/* Any order; unknown names ignored; a fragment ignored. */
	CHECK_EQ_INT(parse(PREFIX "v=2&idp=http%3a%2f%2fh&tx=" TX "&x=#idp=y&&",
	    &got), APP_URI_OK);
	CHECK_STR(got.tx, TX);
	CHECK_STR(got.idp, "http://h");
	/* Unencoded ':' and '/' are URI characters too. */
	CHECK_EQ_INT(parse(PREFIX "tx=" TX "&idp=http://h/", &got), APP_URI_OK);
	CHECK_STR(got.idp, "http://h");
	/* The length bounds the URI, not a NUL. */
	CHECK_EQ_INT(app_uri_parse_login(PREFIX "tx=" TX "&idp=abc", sizeof(PREFIX) +
	    52, &got), APP_URI_OK);
	CHECK_STR(got.idp, "ab");
}

TEST(fields_missing)
{
	struct app_uri_login got;

	/* Without idp: the app's own provider is meant. */
	CHECK_EQ_INT(parse(PREFIX "tx=" TX, &got), APP_URI_OK);
	CHECK_STR(got.tx, TX);
	CHECK_STR(got.idp, "");
	refused(t_failed, PREFIX "idp=http%3A%2F%2Fh", APP_URI_TX);
	refused(t_failed, PREFIX "tx=&idp=http%3A%2F%2Fh", APP_URI_TX);
	refused(t_failed, PREFIX, APP_URI_TX);
	refused(t_failed, PREFIX "#tx=" TX, APP_URI_TX);
	refused(t_failed, PREFIX "tx=" TX "&idp=", APP_URI_IDP);
	refused(t_failed, PREFIX "tx=" TX "&idp=%2F%2F/", APP_URI_IDP);
	refused(t_failed, PREFIX "tx", APP_URI_SYNTAX);
	refused(t_failed, PREFIX "=" TX, APP_URI_SYNTAX);
	refused(t_failed, "dinhdanh://login", APP_URI_NOT_LOGIN);
	refused(t_failed, "", APP_URI_NOT_LOGIN);
	CHECK_EQ_INT(app_uri_parse_login(NULL, 0, &got), APP_URI_INVALID);
	CHECK_EQ_INT(app_uri_parse_login(PREFIX "tx=" TX, 63, NULL),
	    APP_URI_INVALID);
}

TEST(bad_escapes)
{
	static const char *const bad[] = {
		"%zz", "%2", "%", "abc%", "%g1", "%1g", "%%41", "%00", "a%00b",
		"%0A", "%0d", "%1B%5B31m", "%7F", "%C3%A9", "%80", "%FF",
	};
	struct app_uri_login got;
	char uri[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(uri, sizeof(uri), PREFIX "tx=" TX "&idp=http%%3A%%2F%%2Fh%s",
		    bad[i]);
		refused(t_failed, uri, APP_URI_IDP);
	}
	/* An escape cut by the length, however the bytes past it read. */
	snprintf(uri, sizeof(uri), PREFIX "tx=" TX "&idp=http%%3A%%2F%%2Fh%%2F");
	CHECK_EQ_INT(app_uri_parse_login(uri, strlen(uri) - 1, &got), APP_URI_IDP);
	CHECK_EQ_INT(app_uri_parse_login(uri, strlen(uri) - 2, &got), APP_URI_IDP);
	CHECK_EQ_INT(app_uri_parse_login(uri, strlen(uri), &got), APP_URI_OK);
}

TEST(overlong)
{
	struct app_uri_login got;
	char uri[APP_URI_MAX * 2];
	size_t n;

	/* idp: 511 decoded bytes fit, 512 do not (before slashes go). */
	long_idp(uri, sizeof(uri), APP_URI_IDP_MAX, "");
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_EQ_INT(strlen(got.idp), APP_URI_IDP_MAX);
	long_idp(uri, sizeof(uri), APP_URI_IDP_MAX - 1, "%2F");
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_EQ_INT(strlen(got.idp), APP_URI_IDP_MAX - 1);
	long_idp(uri, sizeof(uri), APP_URI_IDP_MAX + 1, "");
	refused(t_failed, uri, APP_URI_IDP);
	long_idp(uri, sizeof(uri), APP_URI_IDP_MAX, "%2F");
	refused(t_failed, uri, APP_URI_IDP);
	/* tx: exactly 43. */
	refused(t_failed, PREFIX "tx=" TX "A", APP_URI_TX);
	refused(t_failed, PREFIX "tx=Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm",
	    APP_URI_TX);
	/* The whole URI: APP_URI_MAX bytes at most. */
	n = (size_t)snprintf(uri, sizeof(uri), PREFIX "tx=" TX "&pad=");
	memset(uri + n, 'p', APP_URI_MAX - n);
	uri[APP_URI_MAX] = '\0';
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	CHECK_STR(got.tx, TX);
	uri[APP_URI_MAX] = 'p';
	uri[APP_URI_MAX + 1] = '\0';
	refused(t_failed, uri, APP_URI_SYNTAX);
}

TEST(wrong_scheme_or_host)
{
	static const char *const bad[] = {
		"https://login?", "http://id.example.vn/login?", "dinhdanh:login?",
		"dinhdanh:/login?", "dinhdanh://Login?", "DINHDANH://login?",
		"dinhdanh://login/?", "dinhdanh://login.evil.example?",
		"dinhdanh://login@evil.example?", "dinhdanh://logins?",
		"dinhdanh://logi?", "xdinhdanh://login?", "dinhdanh://auth?",
	};
	char uri[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(uri, sizeof(uri), "%stx=" TX "&idp=http%%3A%%2F%%2Fh", bad[i]);
		refused(t_failed, uri, APP_URI_NOT_LOGIN);
	}
	refused(t_failed, "dinhdanh://login#?tx=" TX, APP_URI_NOT_LOGIN);
	refused(t_failed, "https://example.test/", APP_URI_NOT_LOGIN);
}

TEST(not_base64url_ids)
{
	static const char *const bad[] = {
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm+",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm/",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm=",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm.",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm~",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm%41",
		"Zm9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZm:",
	};
	char uri[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK(!app_uri_is_id(bad[i]));
		snprintf(uri, sizeof(uri), PREFIX "tx=%s&idp=http%%3A%%2F%%2Fh", bad[i]);
		refused(t_failed, uri, APP_URI_TX);
	}
	CHECK(app_uri_is_id(TX));
	CHECK(app_uri_is_id("-_9vYmFyLWZ1enotdHhfMDEyMzQ1Njc4OWFiY2RlZmd"));
	CHECK(!app_uri_is_id(TX "A"));
	CHECK(!app_uri_is_id(TX + 1));
	CHECK(!app_uri_is_id(""));
	CHECK(!app_uri_is_id(NULL));
	CHECK(!app_uri_is_id("--state"));
}

TEST(trailing_garbage)
{
	static const char *const bad[] = {
		"\n", "\r\n", " ", " x", "\t", "&", "&&", "&x", "&=x", "\"", "<a>",
		"\\", "{}", "|", "^", "`", "\x7f", "\x80", "\xc3\xa9", "#frag ment",
		"&tx=" TX, "&idp=http%3A%2F%2Fh",
	};
	struct app_uri_login got;
	char uri[256];
	size_t n;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(uri, sizeof(uri), PREFIX "tx=" TX "&idp=http%%3A%%2F%%2Fh%s",
		    bad[i]);
		refused(t_failed, uri, APP_URI_SYNTAX);
	}
	refused(t_failed, PREFIX "tx=" TX "x", APP_URI_TX);
	refused(t_failed, PREFIX "tx=" TX "%20", APP_URI_TX);
	/* A NUL inside the given length. */
	n = (size_t)snprintf(uri, sizeof(uri), PREFIX "tx=" TX);
	memcpy(uri + n, "\0&x=y", 6);
	memset(&got, 'x', sizeof(got));
	CHECK_EQ_INT(app_uri_parse_login(uri, n + 5, &got), APP_URI_SYNTAX);
	CHECK_STR(got.tx, "");
	CHECK_EQ_INT(app_uri_parse_login(uri, n, &got), APP_URI_OK);
}

/* The cases the fuzz seeds stand for, each with a 43-character tx. */
TEST(seed_boundaries)
{
	struct app_uri_login got;
	char uri[2048];
	size_t n;

	/* gen-issuer-path: the server's URI for an issuer with a slash. */
	CHECK_EQ_INT(parse(PREFIX "tx=" TX_A "&idp=https%3A%2F%2Fid.example.vn%2F",
	    &got), APP_URI_OK);
	CHECK_STR(got.idp, "https://id.example.vn");
	/* gen-loopback, long-idp, plus-and-slashes: their tx is 44 long. */
	refused(t_failed, PREFIX "tx=" TX "o&idp=http%3A%2F%2F127.0.0.1", APP_URI_TX);
	/* plus-and-slashes: '+' a space, all trailing slashes gone... */
	CHECK_EQ_INT(parse(PREFIX "tx=" TX "&idp=http%3A%2F%2Fa+b%2F%2F%2F", &got),
	    APP_URI_OK);
	CHECK_STR(got.idp, "http://a b");
	/* ...and a second idp, a cut escape, refused. */
	refused(t_failed, PREFIX "tx=" TX "&idp=http%3A%2F%2Fa+b%2F%2F%2F&idp=%2",
	    APP_URI_SYNTAX);
	refused(t_failed, PREFIX "tx=" TX "&idp=%2", APP_URI_IDP);
	refused(t_failed, PREFIX "tx=" TX "&tx=" TX, APP_URI_SYNTAX);
	/* long-idp: 511 bytes; too-long-idp: 512 with the slash, idp first. */
	long_idp(uri, sizeof(uri), APP_URI_IDP_MAX, "");
	CHECK_EQ_INT(parse(uri, &got), APP_URI_OK);
	n = (size_t)snprintf(uri, sizeof(uri), PREFIX "idp=https%%3A%%2F%%2F");
	memset(uri + n, 'b', APP_URI_IDP_MAX - 8);
	n += APP_URI_IDP_MAX - 8;
	snprintf(uri + n, sizeof(uri) - n, "%%2F&tx=" TX);
	refused(t_failed, uri, APP_URI_IDP);
	/* tricky: a bad escape first; an escaped tx; a fragment. */
	refused(t_failed, PREFIX "idp=%zz&tx=short&&tx=" TX_A "%41#frag&idp=x",
	    APP_URI_IDP);
	refused(t_failed, PREFIX "tx=short", APP_URI_TX);
	refused(t_failed, PREFIX "tx=" TX "&&idp=x", APP_URI_SYNTAX);
	refused(t_failed, PREFIX "tx=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%41",
	    APP_URI_TX);
	CHECK_EQ_INT(parse(PREFIX "tx=" TX_A "#frag&idp=x", &got), APP_URI_OK);
	CHECK_STR(got.idp, "");
}

TEST(messages)
{
	for (int e = APP_URI_OK; e <= APP_URI_IDP; e++) {
		CHECK(app_uri_strerror(e)[0] != '\0');
		for (int f = APP_URI_OK; f < e; f++)
			CHECK(strcmp(app_uri_strerror(e), app_uri_strerror(f)) != 0);
	}
	CHECK_STR(app_uri_strerror(-1), "unknown error");
}

T_MAIN(T(server_uris), T(fields_missing), T(bad_escapes), T(overlong),
    T(wrong_scheme_or_host), T(not_base64url_ids), T(trailing_garbage),
    T(seed_boundaries), T(messages))
