/*
 * test_http_req: unit tests for what a handler reads from a request and how
 * it answers (http_req), over the httpfix server on 127.0.0.1 spoken to in
 * raw HTTP/1.1: the raw target and decoded path, the body, JSON bodies
 * (media type, syntax, duplicate keys, depth), Basic credentials, cookies
 * read and set, query parameters, headers, the client address, and the
 * answers themselves (none, twice, redirect, a handler's Cache-Control).
 */
#include "t.h"

#include <stdbool.h>

#include "httpfix.h"
#include "rawhttp.h"

TEST(raw_target)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/target/a%20b?q=%41+1&z", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "/target/a%20b?q=%41+1&z|/target/a b");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/target/x", NULL), 0);
	CHECK_STR(r.body, "/target/x|/target/x");
	resp_free(&r);
	hf_close(fx);
}

TEST(post_echo)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_post(fx, &r, "/echo", "text/plain", "abc"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=3 sum=294");
	resp_free(&r);
	CHECK_EQ_INT(hf_post(fx, &r, "/echo", NULL, ""), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "len=0 sum=0");
	resp_free(&r);
	hf_close(fx);
}

struct json_case {
	const char *ctype;
	const char *body;
	int status;
	const char *result;	/* the body of a 200 */
};

static const struct json_case json_cases[] = {
	{ "application/json", "{\"a\":1,\"b\":[1,2]}", 200, "keys=2" },
	{ "application/json; charset=utf-8", "{}", 200, "keys=0" },
	{ "Application/JSON", "{\"a\":1}", 200, "keys=1" },
	{ NULL, "{}", 415, NULL },
	{ "text/plain", "{}", 415, NULL },
	{ "application/x-www-form-urlencoded", "a=1", 415, NULL },
	{ "application/jsonp", "{}", 415, NULL },
	{ "application/json-seq", "{}", 415, NULL },
	{ "application/json", "not json", 400, NULL },
	{ "application/json", "{\"a\":", 400, NULL },
	{ "application/json", "", 400, NULL },
	{ "application/json", "{} {}", 400, NULL },
	{ "application/json", "[1,2,3]", 400, NULL },
	{ "application/json", "[]", 400, NULL },
	{ "application/json", "\"str\"", 400, NULL },
	{ "application/json", "42", 400, NULL },
	{ "application/json", "{\"a\":1,\"a\":2}", 400, NULL },
	{ "application/json", "{\"a\":{\"x\":1,\"x\":1}}", 400, NULL },
	/* depth 4 is the limit of /json */
	{ "application/json", "{\"a\":{\"b\":{\"c\":{}}}}", 200, "keys=1" },
	{ "application/json", "{\"a\":[[[1]]]}", 200, "keys=1" },
	{ "application/json", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 400, NULL },
	{ "application/json", "{\"a\":[[[[1]]]]}", 400, NULL },
	{ "application/json", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 400, NULL },
	/* brackets in strings are not nesting, escaped quotes included */
	{ "application/json", "{\"a\":\"[[[[[[{{{{{{\"}", 200, "keys=1" },
	{ "application/json", "{\"a\":\"\\\"[[[[[[[[\",\"b\":\"\\\\\"}", 200, "keys=2" },
	{ "application/json", "{\"a\\\"[[[[[[\":1}", 200, "keys=1" },
	/* siblings do not add up */
	{ "application/json", "{\"a\":{\"b\":{}},\"c\":{\"d\":{}},\"e\":[[]]}", 200, "keys=3" },
};

TEST(json_body)
{
	struct httpfix *fx = hf_open();
	NEED_SERVER(fx);
	for (size_t i = 0; i < ARRAY_LEN(json_cases); i++) {
		const struct json_case *jc = &json_cases[i];
		struct resp r;
		int bad = *t_failed;

		CHECK_EQ_INT(hf_post(fx, &r, "/json", jc->ctype, jc->body), 0);
		CHECK_EQ_INT(r.status, jc->status);
		if (jc->status == 200)
			CHECK_STR(r.body, jc->result);
		else {
			CHECK(hf_is_json_error(&r, "invalid_request"));
			CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
		}
		if (*t_failed != bad)
			fprintf(stderr, "  in case %zu: %s %s\n", i,
			    jc->ctype != NULL ? jc->ctype : "(no type)", jc->body);
		resp_free(&r);
	}
	hf_close(fx);
}

TEST(basic_auth)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char v[128];

	NEED_SERVER(fx);
	/* alice:s3cret */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Basic YWxpY2U6czNjcmV0\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "alice|s3cret");
	resp_free(&r);
	/* bob:pa:ss, the password holding a colon */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Basic Ym9iOnBhOnNz\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "bob|pa:ss");
	resp_free(&r);
	/* none */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", NULL), 0);
	CHECK_EQ_INT(r.status, 401);
	CHECK(hf_is_json_error(&r, "invalid_client"));
	CHECK_STR(header(&r, "WWW-Authenticate", v, sizeof(v)), "Basic realm=\"test\"");
	resp_free(&r);
	/* not base64 */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Basic !!!!\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* another scheme */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Bearer YWxpY2U6czNjcmV0\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* "alice" without a colon */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Basic YWxpY2U=\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	/* a user longer than the handler's buffer: "averyveryverylonguser:x" */
	CHECK_EQ_INT(hf_get(fx, &r, "/auth", "Authorization: Basic YXZlcnl2ZXJ5dmVyeWxvbmd1c2VyOng=\r\n"), 0);
	CHECK_EQ_INT(r.status, 401);
	resp_free(&r);
	hf_close(fx);
}

TEST(cookies)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char v[256];

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/cookie", "Cookie: a=1; sid=xyz; b=2\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "xyz");
	CHECK_STR(header_nth(&r, "Set-Cookie", 0, v, sizeof(v)),
	    "sid=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
	CHECK_STR(header_nth(&r, "Set-Cookie", 1, v, sizeof(v)),
	    "sec=v; Path=/; HttpOnly; SameSite=Lax; Secure");
	CHECK_STR(header_nth(&r, "Set-Cookie", 2, v, sizeof(v)),
	    "gone=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure");
	CHECK(header_nth(&r, "Set-Cookie", 3, v, sizeof(v)) == NULL);
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/cookie", NULL), 0);
	CHECK_STR(r.body, "(none)");
	resp_free(&r);
	hf_close(fx);
}

TEST(query_headers_addr)
{
	struct httpfix *fx = hf_open();
	struct resp r;

	NEED_SERVER(fx);
	CHECK_EQ_INT(hf_get(fx, &r, "/query?q=a%20b&z=1", "X-Test: yes\r\n"), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "q=a b hdr=yes addr=127.0.0.1 method=GET");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/query", NULL), 0);
	CHECK_STR(r.body, "q=(none) hdr=(none) addr=127.0.0.1 method=GET");
	resp_free(&r);
	hf_close(fx);
}

TEST(handler_answers)
{
	struct httpfix *fx = hf_open();
	struct resp r;
	char v[128];

	NEED_SERVER(fx);
	/* No answer from the handler: a 500 for it. */
	CHECK_EQ_INT(hf_get(fx, &r, "/noanswer", NULL), 0);
	CHECK_EQ_INT(r.status, 500);
	CHECK(hf_is_json_error(&r, "server_error"));
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* Only the first answer counts. */
	CHECK_EQ_INT(hf_get(fx, &r, "/twice", NULL), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_STR(r.body, "first");
	resp_free(&r);
	CHECK_EQ_INT(hf_get(fx, &r, "/redirect", NULL), 0);
	CHECK_EQ_INT(r.status, 303);
	CHECK_STR(header(&r, "Location", v, sizeof(v)), "/hello?from=redirect");
	CHECK_EQ_INT(r.body_len, 0);
	CHECK_EQ_INT(hf_security_headers_missing(&r, false), 0);
	resp_free(&r);
	/* A handler's Cache-Control replaces the no-store default. */
	CHECK_EQ_INT(hf_get(fx, &r, "/cache", NULL), 0);
	CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "public, max-age=60");
	CHECK(header_nth(&r, "Cache-Control", 1, v, sizeof(v)) == NULL);
	resp_free(&r);
	hf_close(fx);
}

T_MAIN(T(raw_target), T(post_echo), T(json_body), T(basic_auth), T(cookies),
    T(query_headers_addr), T(handler_answers))
