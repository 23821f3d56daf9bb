/*
 * netaddr: client addresses as text (as inet_ntop writes them: IPv4, IPv6,
 * or IPv4-mapped IPv6 "::ffff:1.2.3.4"), turned into the keys the rate
 * limits count by and the coarse forms that records and logs keep. Owns no
 * state.
 */
#ifndef COMMON_NETADDR_H
#define COMMON_NETADDR_H

#define NETADDR_SIZE 64

/*
 * The rate-limit key: an IPv4 address as is; an IPv6 address's /64 prefix
 * ("2001:db8:1:2::/64"); IPv4-mapped treated as IPv4; anything unparsable
 * (NULL included) gives "unknown".
 */
void netaddr_limit_key(const char *addr, char out[NETADDR_SIZE]);

/*
 * For records shown to people and kept in logs: IPv4 /24
 * ("203.0.113.0/24"), IPv6 /48 ("2001:db8:1::/48"), or "unknown".
 */
void netaddr_truncate(const char *addr, char out[NETADDR_SIZE]);

#endif
