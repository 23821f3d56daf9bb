/*
 * ratelimit: striped token-bucket table (see ratelimit.h). A bucket is
 * known by the 64-bit SipHash of its key under a random key made with the
 * table, so nobody outside can choose keys that collide; the key text
 * itself is not kept.
 */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STRIPES 16
#define MIN_PER_STRIPE 8
#define PROBE 8			/* buckets looked at from a key's place */
#define ALLOW_SLACK_MS 1e-6
#define WAIT_SLACK_MS 5e-7

struct bucket {
	uint64_t hash;
	int64_t last_ms;	/* when tokens was last brought up to date */
	double tokens;
	bool used;
};

struct stripe {
	pthread_mutex_t mu;
	struct bucket *b;	/* n buckets */
	size_t n;
};

struct ratelimit {
	double rate;		/* tokens per millisecond; 0 when disabled */
	double burst;
	uint8_t hkey[crypto_shorthash_KEYBYTES];
	size_t nstripes;
	struct stripe *s;
};

static size_t
stripe_count(size_t slots)
{
	size_t n = MAX_STRIPES;

	while (n > 1 && slots / n < MIN_PER_STRIPE)
		n /= 2;
	return n;
}

static int
stripes_init(struct ratelimit *rl, size_t slots)
{
	rl->nstripes = stripe_count(slots);
	rl->s = calloc(rl->nstripes, sizeof(*rl->s));
	if (rl->s == NULL)
		return -1;
	for (size_t i = 0; i < rl->nstripes; i++) {
		struct stripe *st = &rl->s[i];

		st->n = slots / rl->nstripes;
		st->b = calloc(st->n, sizeof(*st->b));
		if (st->b == NULL || pthread_mutex_init(&st->mu, NULL) != 0) {
			free(st->b);
			st->b = NULL;
			rl->nstripes = i;
			return -1;
		}
	}
	return 0;
}

int
ratelimit_new(double rate, double burst, size_t slots, struct ratelimit **out)
{
	struct ratelimit *rl;
	bool enabled = rate > 0;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (isnan(rate) || (enabled && (!isfinite(rate) || !(burst >= 1) ||
	    !isfinite(burst) || slots == 0)))
		return -1;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return -1;
	rl->rate = enabled ? rate / 1000.0 : 0;
	rl->burst = burst;
	crypto_shorthash_keygen(rl->hkey);
	if (enabled && stripes_init(rl, slots) != 0)
		goto fail;
	*out = rl;
	return 0;
fail:
	ratelimit_free(rl);
	return -1;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	for (size_t i = 0; i < rl->nstripes; i++) {
		pthread_mutex_destroy(&rl->s[i].mu);
		free(rl->s[i].b);
	}
	free(rl->s);
	sodium_memzero(rl->hkey, sizeof(rl->hkey));
	free(rl);
}

/* The tokens b would hold at now_ms (never more than burst). */
static double
tokens_at(const struct ratelimit *rl, const struct bucket *b, int64_t now_ms)
{
	double t = b->tokens;

	if (now_ms > b->last_ms)
		t += (double)(now_ms - b->last_ms) * rl->rate;
	return t < rl->burst ? t : rl->burst;
}

/*
 * The bucket for h in st: the one it has, else a free one near its place,
 * else the fullest there (reset to a full bucket for h).
 */
static struct bucket *
find(const struct ratelimit *rl, struct stripe *st, uint64_t h, int64_t now_ms)
{
	size_t home = (size_t)(h % st->n), probes = st->n < PROBE ? st->n : PROBE;
	struct bucket *pick = NULL;
	double best = -1;

	for (size_t i = 0; i < probes; i++) {
		struct bucket *b = &st->b[(home + i) % st->n];
		double t;

		if (b->used && b->hash == h)
			return b;
		if (!b->used) {
			pick = b;
			break;
		}
		if ((t = tokens_at(rl, b, now_ms)) > best) {
			best = t;
			pick = b;
		}
	}
	pick->used = true;
	pick->hash = h;
	pick->tokens = rl->burst;
	pick->last_ms = now_ms;
	return pick;
}

/*
 * Shortfalls are measured in milliseconds: one of at most ALLOW_SLACK_MS
 * counts as none, and a promised wait rounds up from WAIT_SLACK_MS below
 * the exact figure, so float error neither adds a millisecond to a wait
 * nor leaves a waited-for token missing.
 */
static int64_t
take(const struct ratelimit *rl, struct bucket *b, int64_t now_ms)
{
	double need;
	int64_t wait;

	b->tokens = tokens_at(rl, b, now_ms);
	if (now_ms > b->last_ms)
		b->last_ms = now_ms;
	need = (1.0 - b->tokens) / rl->rate;
	if (need <= ALLOW_SLACK_MS) {
		b->tokens = b->tokens > 1.0 ? b->tokens - 1.0 : 0;
		return 0;
	}
	need -= WAIT_SLACK_MS;
	if (b->last_ms > now_ms)
		need += (double)(b->last_ms - now_ms);
	if (!(need < (double)(INT64_MAX / 2)))
		return INT64_MAX;
	wait = (int64_t)need;
	if ((double)wait < need)
		wait++;
	return wait < 1 ? 1 : wait;
}

int64_t
ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	struct stripe *st;
	uint64_t h;
	uint8_t hb[crypto_shorthash_BYTES];
	int64_t wait;

	if (rl == NULL || rl->rate <= 0)
		return 0;
	if (key == NULL)
		key = "";
	crypto_shorthash(hb, (const uint8_t *)key, strlen(key), rl->hkey);
	memcpy(&h, hb, sizeof(h));
	st = &rl->s[(h >> 56) % rl->nstripes];
	pthread_mutex_lock(&st->mu);
	wait = take(rl, find(rl, st, h, now_ms), now_ms);
	pthread_mutex_unlock(&st->mu);
	return wait;
}
