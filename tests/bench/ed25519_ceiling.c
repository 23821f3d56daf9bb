/*
 * ed25519_ceiling: Ed25519 ceilings of this machine with libsodium: THREADS
 * threads (default: one per core) each repeating one operation on a
 * MSG_LEN-byte message for SECONDS seconds. MODE:
 *   pair    verify two signatures (as one airport presentation needs: the
 *           credential's and the device's); one operation = the pair
 *   sign    sign once (as an EdDSA ID token needs)
 *   verify  verify once
 * Prints "per_s N threads T us_per_op U mode M".
 * Built by tests/bench/benchlib.py with
 *   cc -O2 tests/bench/ed25519_ceiling.c -lsodium -lpthread
 * Usage: ed25519_ceiling [SECONDS [THREADS [pair|sign|verify]]]
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ceiling.h"

#define MSG_LEN 900		/* about a presentation's or ID token's signing input */

enum mode { PAIR, SIGN, VERIFY };

static atomic_bool stop;
static enum mode mode;
static unsigned char pk[2][crypto_sign_PUBLICKEYBYTES];
static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static unsigned char sig[2][crypto_sign_BYTES];
static unsigned char msg[2][MSG_LEN];

struct worker {
	pthread_t tid;
	long ops;
	int failed;
};

static int
one(void)
{
	unsigned char s[crypto_sign_BYTES];

	switch (mode) {
	case PAIR:
		return crypto_sign_verify_detached(sig[0], msg[0], MSG_LEN, pk[0]) |
		    crypto_sign_verify_detached(sig[1], msg[1], MSG_LEN, pk[1]);
	case SIGN:
		crypto_sign_detached(s, NULL, msg[0], MSG_LEN, sk);
		return memcmp(s, sig[0], sizeof(s)) != 0;
	case VERIFY:
		return crypto_sign_verify_detached(sig[0], msg[0], MSG_LEN, pk[0]);
	}
	return -1;
}

static void *
work(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		if (one() != 0)
			w->failed = 1;
		w->ops++;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "pair", "sign", "verify" };
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t1;
	long n = argc > 2 ? atol(argv[2]) : 0, total = 0;
	struct worker *w;
	int i;

	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; argc > 3 && i < 3 && strcmp(argv[3], names[i]) != 0; i++)
		;
	if (i == 3 || secs <= 0 || sodium_init() < 0 ||
	    (w = calloc((size_t)n, sizeof(*w))) == NULL) {
		fprintf(stderr, "usage: ed25519_ceiling [SECONDS [THREADS [pair|sign|verify]]]\n");
		return 2;
	}
	mode = argc > 3 ? (enum mode)i : PAIR;
	for (i = 0; i < 2; i++) {
		crypto_sign_keypair(pk[i], sk);
		randombytes_buf(msg[i], MSG_LEN);
		crypto_sign_detached(sig[i], NULL, msg[i], MSG_LEN, sk);
	}
	/* sign mode signs msg[0] with the second key: check against its own. */
	crypto_sign_detached(sig[0], NULL, msg[0], MSG_LEN, sk);
	memcpy(pk[0], pk[1], sizeof(pk[0]));
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			return 2;
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].ops;
		if (w[i].failed) {
			fprintf(stderr, "ed25519_ceiling: an operation failed\n");
			return 2;
		}
	}
	t1 = now_s();
	printf("per_s %.0f threads %ld us_per_op %.1f mode %s\n",
	    (double)total / (t1 - t0), n, (t1 - t0) * 1e6 * (double)n / (double)total,
	    names[mode]);
	free(w);
	return 0;
}
