/*
 * ed25519_ceiling: the Ed25519 two-signature ceiling of this machine: THREADS
 * threads (default: one per core) each verifying two signatures (as one
 * presentation needs: the credential's and the device's) with libsodium for
 * SECONDS seconds. Prints "pairs_per_s N threads T us_per_pair U".
 * Used by tests/bench/airport.py; built by it with
 *   cc -O2 tests/bench/ed25519_ceiling.c -lsodium -lpthread
 * Usage: ed25519_ceiling [SECONDS [THREADS]]
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MSG_LEN 900		/* about a presentation's signing input */

static atomic_bool stop;
static unsigned char pk[2][crypto_sign_PUBLICKEYBYTES];
static unsigned char sig[2][crypto_sign_BYTES];
static unsigned char msg[2][MSG_LEN];

struct worker {
	pthread_t tid;
	long pairs;
	int failed;
};

static void *
work(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		if (crypto_sign_verify_detached(sig[0], msg[0], MSG_LEN, pk[0]) != 0 ||
		    crypto_sign_verify_detached(sig[1], msg[1], MSG_LEN, pk[1]) != 0)
			w->failed = 1;
		w->pairs++;
	}
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t1;
	long n = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN), total = 0;
	struct worker *w;
	int i;

	if (sodium_init() < 0 || n < 1 || (w = calloc((size_t)n, sizeof(*w))) == NULL)
		return 2;
	for (i = 0; i < 2; i++) {
		crypto_sign_keypair(pk[i], sk);
		randombytes_buf(msg[i], MSG_LEN);
		crypto_sign_detached(sig[i], NULL, msg[i], MSG_LEN, sk);
	}
	t0 = now_s();
	for (i = 0; i < n; i++)
		pthread_create(&w[i].tid, NULL, work, &w[i]);
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].pairs;
		if (w[i].failed)
			return 2;
	}
	t1 = now_s();
	printf("pairs_per_s %.0f threads %ld us_per_pair %.1f\n",
	    (double)total / (t1 - t0), n, (t1 - t0) * 1e6 * (double)n / (double)total);
	free(w);
	return 0;
}
