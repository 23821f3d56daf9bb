/*
 * proxy: the client address of a request that came through trusted reverse
 * proxies. Owns the parsed list of proxy addresses; the rule: only when the
 * peer is one of them is X-Forwarded-For read, from the right, and its
 * first entry that is not a trusted proxy is the client.
 */
#ifndef COMMON_PROXY_H
#define COMMON_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"

#define PROXY_MAX 16
#define PROXY_ADDR_SIZE 64

struct proxy_list {
	size_t n;
	unsigned char addr[PROXY_MAX][16];	/* IPv4 as IPv4-mapped IPv6 */
};

/*
 * "A,B,..." (numeric IPv4 or IPv6 addresses, at most PROXY_MAX; "" or NULL:
 * none) into *out; -1 on anything else.
 */
int proxy_list_parse(const char *list, struct proxy_list *out) WUR;
bool proxy_list_has(const struct proxy_list *, const char *addr);

/*
 * The client's address into out[PROXY_ADDR_SIZE]: the peer itself unless
 * it is a trusted proxy and `xff` (X-Forwarded-For, may be NULL) names an
 * address; then the rightmost entry that is not a trusted proxy, or the
 * leftmost when all are. An entry that is not a numeric address stops the
 * walk: the peer is used.
 */
void proxy_client_addr(const struct proxy_list *, const char *peer,
    const char *xff, char out[PROXY_ADDR_SIZE]);

#endif
