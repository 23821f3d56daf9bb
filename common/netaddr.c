/*
 * netaddr: address keys and truncation (see netaddr.h), over inet_pton and
 * inet_ntop so every output is in canonical form.
 */
#include "netaddr.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char UNKNOWN[] = "unknown";

struct parsed {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t b[16];		/* 4 bytes for AF_INET */
};

/* Parses addr; a zone ("fe80::1%eth0") is dropped, mapped IPv6 becomes IPv4. */
static bool
parse(const char *addr, struct parsed *p)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	char buf[INET6_ADDRSTRLEN];
	size_t n;

	if (addr == NULL)
		return false;
	n = strcspn(addr, "%");
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, addr, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, p->b) == 1) {
		p->family = AF_INET;
		return addr[n] == '\0';
	}
	if (inet_pton(AF_INET6, buf, p->b) != 1)
		return false;
	p->family = AF_INET6;
	if (memcmp(p->b, mapped, sizeof(mapped)) == 0) {
		memmove(p->b, p->b + 12, 4);
		p->family = AF_INET;
	}
	return true;
}

/* The address with all bits after the first `bits` cleared, with "/bits" when suffix. */
static void
format_prefix(struct parsed *p, unsigned bits, bool suffix,
    char out[NETADDR_SIZE])
{
	char text[INET6_ADDRSTRLEN];
	size_t len = p->family == AF_INET ? 4 : 16;

	for (size_t i = bits / 8; i < len; i++)
		p->b[i] = 0;
	if (inet_ntop(p->family, p->b, text, sizeof(text)) == NULL) {
		snprintf(out, NETADDR_SIZE, "%s", UNKNOWN);
		return;
	}
	if (suffix)
		snprintf(out, NETADDR_SIZE, "%s/%u", text, bits);
	else
		snprintf(out, NETADDR_SIZE, "%s", text);
}

void
netaddr_limit_key(const char *addr, char out[NETADDR_SIZE])
{
	struct parsed p;

	if (!parse(addr, &p))
		snprintf(out, NETADDR_SIZE, "%s", UNKNOWN);
	else if (p.family == AF_INET)
		format_prefix(&p, 32, false, out);
	else
		format_prefix(&p, 64, true, out);
}

void
netaddr_truncate(const char *addr, char out[NETADDR_SIZE])
{
	struct parsed p;

	if (!parse(addr, &p))
		snprintf(out, NETADDR_SIZE, "%s", UNKNOWN);
	else if (p.family == AF_INET)
		format_prefix(&p, 24, true, out);
	else
		format_prefix(&p, 48, true, out);
}
