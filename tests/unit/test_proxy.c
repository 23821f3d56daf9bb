/*
 * test_proxy: unit tests for trusted proxies: parsing the list, and the
 * client address from X-Forwarded-For only through a trusted peer, walking
 * from the right past trusted hops, and refusing to believe garbage.
 */
#include "t.h"

#include <string.h>

#include "proxy.h"

TEST(parse)
{
	struct proxy_list l;

	CHECK_EQ_INT(proxy_list_parse(NULL, &l), 0);
	CHECK_EQ_INT(l.n, 0);
	CHECK_EQ_INT(proxy_list_parse("", &l), 0);
	CHECK_EQ_INT(l.n, 0);
	CHECK_EQ_INT(proxy_list_parse("10.0.0.1", &l), 0);
	CHECK_EQ_INT(l.n, 1);
	CHECK_EQ_INT(proxy_list_parse("10.0.0.1, ::1,fd00::7", &l), 0);
	CHECK_EQ_INT(l.n, 3);
	CHECK(proxy_list_has(&l, "10.0.0.1"));
	CHECK(proxy_list_has(&l, "::ffff:10.0.0.1"));
	CHECK(proxy_list_has(&l, "::1"));
	CHECK(proxy_list_has(&l, "fd00:0::7"));
	CHECK(!proxy_list_has(&l, "10.0.0.2"));
	CHECK(!proxy_list_has(&l, NULL));
	CHECK(!proxy_list_has(&l, "proxy"));
	CHECK(!proxy_list_has(NULL, "10.0.0.1"));
	static const char *const bad[] = { "proxy.example", "10.0.0.1,", ",10.0.0.1",
		"10.0.0.1,,10.0.0.2", "10.0.0.256", "10.0.0.0/8",
		"1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
		"1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,1.1.1.15,"
		"1.1.1.16,1.1.1.17" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		CHECK_EQ_INT(proxy_list_parse(bad[i], &l), -1);
		CHECK_EQ_INT(l.n, 0);
	}
	CHECK_EQ_INT(proxy_list_parse("x", NULL), -1);
}

struct client_case {
	const char *peer, *xff, *want;
};

TEST(client_address)
{
	static const struct client_case cases[] = {
		/* Untrusted peer: the header is the client's to forge. */
		{ "198.51.100.1", "203.0.113.5", "198.51.100.1" },
		/* Trusted peer: the rightmost untrusted entry. */
		{ "10.0.0.1", "203.0.113.5", "203.0.113.5" },
		{ "10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5" },
		{ "10.0.0.1", "1.2.3.4,203.0.113.5 , 10.0.0.2", "203.0.113.5" },
		{ "::ffff:10.0.0.1", "203.0.113.5", "203.0.113.5" },
		{ "10.0.0.1", "2001:db8::1", "2001:db8::1" },
		{ "10.0.0.1", "::ffff:203.0.113.9", "203.0.113.9" },
		/* Every entry a proxy: the leftmost. */
		{ "10.0.0.1", "10.0.0.2, 10.0.0.1", "10.0.0.2" },
		/* No header, or one that is not addresses: the peer. */
		{ "10.0.0.1", NULL, "10.0.0.1" },
		{ "10.0.0.1", "", "10.0.0.1" },
		{ "10.0.0.1", "unknown", "10.0.0.1" },
		{ "10.0.0.1", "1.2.3.4, evil", "10.0.0.1" },
		{ "10.0.0.1", "203.0.113.5,", "10.0.0.1" },
		{ "10.0.0.1", "203.0.113.5:4711", "10.0.0.1" },
		/* A forged entry left of the real one changes nothing. */
		{ "10.0.0.1", "10.0.0.2, 203.0.113.5", "203.0.113.5" },
	};
	struct proxy_list l;
	char out[PROXY_ADDR_SIZE];

	CHECK_EQ_INT(proxy_list_parse("10.0.0.1,10.0.0.2", &l), 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		proxy_client_addr(&l, cases[i].peer, cases[i].xff, out);
		if (strcmp(out, cases[i].want) != 0)
			fprintf(stderr, "case %zu: peer %s xff \"%s\"\n", i,
			    cases[i].peer, cases[i].xff ? cases[i].xff : "(null)");
		CHECK_STR(out, cases[i].want);
	}
	/* No list: the peer, always. */
	proxy_client_addr(NULL, "10.0.0.1", "203.0.113.5", out);
	CHECK_STR(out, "10.0.0.1");
	CHECK_EQ_INT(proxy_list_parse("", &l), 0);
	proxy_client_addr(&l, "10.0.0.1", "203.0.113.5", out);
	CHECK_STR(out, "10.0.0.1");
	proxy_client_addr(&l, NULL, NULL, out);
	CHECK_STR(out, "unknown");
}

T_MAIN(T(parse), T(client_address))
