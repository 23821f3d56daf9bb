/*
 * ratelimit: in-memory token buckets per key (an address, an account),
 * safe to share between threads, in memory fixed when made. Owns the
 * bucket table: a keyed hash of each key picks one of several stripes,
 * each with its own lock and its own open-addressing array; when a key
 * finds no free bucket near its place, the bucket there that would be
 * fullest by now (idle longest) is reused, so the table never grows.
 * Time comes only from the caller (monotonic milliseconds).
 */
#ifndef COMMON_RATELIMIT_H
#define COMMON_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

struct ratelimit;

/*
 * `rate` tokens per second into a bucket of `burst` tokens (a new key
 * starts full), with at most `slots` keys tracked. rate <= 0 disables
 * limiting: ratelimit_take always answers 0. 0, or -1 on bad arguments
 * (burst < 1 or slots 0 when enabled, NULL out) or no memory.
 */
int ratelimit_new(double rate, double burst, size_t slots,
    struct ratelimit **out) WUR;

/*
 * Takes one token for `key` at now_ms (monotonic milliseconds): 0 when
 * allowed, otherwise the milliseconds (>= 1) until a token will be
 * available; nothing is taken then. A NULL key counts as ""; a NULL
 * table limits nothing.
 */
int64_t ratelimit_take(struct ratelimit *, const char *key, int64_t now_ms);

void ratelimit_free(struct ratelimit *);

#endif
