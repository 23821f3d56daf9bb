/*
 * proxy: trusted proxy addresses and the X-Forwarded-For walk.
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Text to 16 bytes (IPv4 mapped); -1 when not a numeric address. */
static int
to_bin(const char *s, size_t n, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char v4[4];

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

int
proxy_list_parse(const char *list, struct proxy_list *out)
{
	const char *p = list;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (list == NULL || *list == '\0')
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (out->n == PROXY_MAX || to_bin(p, n, out->addr[out->n]) != 0) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
		out->n++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static bool
has_bin(const struct proxy_list *l, const unsigned char a[16])
{
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(l->addr[i], a, 16) == 0)
			return true;
	return false;
}

bool
proxy_list_has(const struct proxy_list *l, const char *addr)
{
	unsigned char a[16];

	return l != NULL && addr != NULL && to_bin(addr, strlen(addr), a) == 0 &&
	    has_bin(l, a);
}

/* Writes the entry s[0..n) trimmed into out. */
static void
copy_entry(const char *s, size_t n, char out[PROXY_ADDR_SIZE])
{
	unsigned char a[16];
	int af = AF_INET6;

	if (to_bin(s, n, a) != 0) {
		strcpy(out, "unknown");
		return;
	}
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		af = AF_INET;
	inet_ntop(af, af == AF_INET ? a + 12 : a, out, PROXY_ADDR_SIZE);
}

void
proxy_client_addr(const struct proxy_list *l, const char *peer,
    const char *xff, char out[PROXY_ADDR_SIZE])
{
	const char *end, *start;
	unsigned char a[16];

	snprintf(out, PROXY_ADDR_SIZE, "%s", peer != NULL ? peer : "unknown");
	if (l == NULL || l->n == 0 || xff == NULL || !proxy_list_has(l, peer))
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		start = end;
		while (start > xff && start[-1] != ',')
			start--;
		if (to_bin(start, (size_t)(end - start), a) != 0)
			return;		/* garbage: believe the peer only */
		if (!has_bin(l, a) || start == xff) {
			copy_entry(start, (size_t)(end - start), out);
			return;
		}
		end = start - 1;
	}
}
