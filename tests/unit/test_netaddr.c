/*
 * test_netaddr: unit tests for the rate-limit keys and the truncated
 * addresses: IPv4, IPv6 full and compressed, IPv4-mapped, and garbage.
 */
#include "t.h"

#include "base.h"
#include "netaddr.h"

struct want {
	const char *addr, *key, *trunc;
};

static const struct want CASES[] = {
	{ "203.0.113.45", "203.0.113.45", "203.0.113.0/24" },
	{ "10.0.0.1", "10.0.0.1", "10.0.0.0/24" },
	{ "0.0.0.0", "0.0.0.0", "0.0.0.0/24" },
	{ "255.255.255.255", "255.255.255.255", "255.255.255.0/24" },
	{ "2001:0db8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2::/64",
	    "2001:db8:1::/48" },
	{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", "2001:db8:1::/48" },
	{ "2001:db8:1:2::7", "2001:db8:1:2::/64", "2001:db8:1::/48" },
	{ "2001:DB8:abcd:12:ffff::1", "2001:db8:abcd:12::/64",
	    "2001:db8:abcd::/48" },
	{ "2001:db8::1", "2001:db8::/64", "2001:db8::/48" },
	{ "::1", "::/64", "::/48" },
	{ "fe80::1%eth0", "fe80::/64", "fe80::/48" },
	{ "::ffff:198.51.100.7", "198.51.100.7", "198.51.100.0/24" },
	{ "::FFFF:198.51.100.7", "198.51.100.7", "198.51.100.0/24" },
	{ "0:0:0:0:0:ffff:c633:6407", "198.51.100.7", "198.51.100.0/24" },
	{ "", "unknown", "unknown" },
	{ "unknown", "unknown", "unknown" },
	{ "1.2.3", "unknown", "unknown" },
	{ "1.2.3.256", "unknown", "unknown" },
	{ "01.2.3.4", "unknown", "unknown" },
	{ "1.2.3.4 ", "unknown", "unknown" },
	{ " 1.2.3.4", "unknown", "unknown" },
	{ "1.2.3.4%eth0", "unknown", "unknown" },
	{ "1.2.3.4:80", "unknown", "unknown" },
	{ "[2001:db8::1]", "unknown", "unknown" },
	{ "2001:db8::1::2", "unknown", "unknown" },
	{ "2001:db8:1:2:3:4:5:6:7", "unknown", "unknown" },
	{ "gggg::1", "unknown", "unknown" },
	{ "%eth0", "unknown", "unknown" },
	{ "2001:db8:1:2:3:4:5:6aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaa", "unknown", "unknown" },
};

TEST(table)
{
	char key[64], trunc[64];

	for (size_t i = 0; i < ARRAY_LEN(CASES); i++) {
		netaddr_limit_key(CASES[i].addr, key);
		netaddr_truncate(CASES[i].addr, trunc);
		if (strcmp(key, CASES[i].key) != 0 ||
		    strcmp(trunc, CASES[i].trunc) != 0)
			fprintf(stderr, "case %zu: %s\n", i, CASES[i].addr);
		CHECK_STR(key, CASES[i].key);
		CHECK_STR(trunc, CASES[i].trunc);
	}
}

TEST(null_is_unknown)
{
	char out[64];

	netaddr_limit_key(NULL, out);
	CHECK_STR(out, "unknown");
	netaddr_truncate(NULL, out);
	CHECK_STR(out, "unknown");
}

TEST(same_prefix_same_key)
{
	char a[64], b[64];

	netaddr_limit_key("2001:db8:1:2:aaaa::1", a);
	netaddr_limit_key("2001:db8:1:2:bbbb::2", b);
	CHECK_STR(a, b);
	netaddr_limit_key("2001:db8:1:3::1", b);
	CHECK(strcmp(a, b) != 0);
	netaddr_limit_key("192.0.2.1", a);
	netaddr_limit_key("192.0.2.2", b);
	CHECK(strcmp(a, b) != 0);
}

T_MAIN(T(table), T(null_is_unknown), T(same_prefix_same_key))
