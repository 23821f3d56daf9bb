/*
 * argon2_ceiling: the Argon2id verification ceiling of this machine, with
 * the server's own parameters (idp/password.h): THREADS threads (default:
 * one per core) each verifying the same right password against one hash
 * for SECONDS seconds, after one untimed verification each. Prints "verifies_per_s N threads T ms_per_verify M".
 * Used by tests/bench/login.py; built by tests/bench/benchlib.py with
 *   cc -O2 -Iidp -Icommon tests/bench/argon2_ceiling.c -lsodium -lpthread
 * Usage: argon2_ceiling [SECONDS [THREADS]]
 */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "password.h"

static const char PW[] = "bench-Argon2id-ceiling-pw";
static char hash[crypto_pwhash_STRBYTES];
static atomic_bool stop;
static pthread_barrier_t ready;

struct worker {
	pthread_t tid;
	long done;
	double end;		/* when its last verification finished */
	int failed;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
run(void *arg)
{
	struct worker *w = arg;

	/* One untimed verification first: thread start, first allocation. */
	if (crypto_pwhash_str_verify(hash, PW, sizeof(PW) - 1) != 0)
		w->failed = 1;
	pthread_barrier_wait(&ready);
	while (!w->failed && !atomic_load(&stop)) {
		if (crypto_pwhash_str_verify(hash, PW, sizeof(PW) - 1) != 0) {
			w->failed = 1;
			break;
		}
		w->done++;
		w->end = now();
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 10.0;
	long n = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
	struct worker *w;
	double start, rate = 0;

	if (sodium_init() < 0 || secs <= 0 || n < 1 ||
	    (w = calloc((size_t)n, sizeof(*w))) == NULL) {
		fprintf(stderr, "argon2_ceiling: cannot start\n");
		return 1;
	}
	if (crypto_pwhash_str(hash, PW, sizeof(PW) - 1, PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) != 0) {
		fprintf(stderr, "argon2_ceiling: cannot hash (out of memory?)\n");
		return 1;
	}
	if (pthread_barrier_init(&ready, NULL, (unsigned)n + 1) != 0)
		return 1;
	for (long i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
			fprintf(stderr, "argon2_ceiling: cannot start a thread\n");
			return 1;
		}
	pthread_barrier_wait(&ready);
	start = now();
	while (now() - start < secs)
		usleep(10000);
	atomic_store(&stop, 1);
	for (long i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		if (w[i].failed) {
			fprintf(stderr, "argon2_ceiling: a verification failed\n");
			return 1;
		}
		if (w[i].done == 0) {
			fprintf(stderr, "argon2_ceiling: a thread verified nothing\n");
			return 1;
		}
		/* Each thread's own rate, up to its last finished verification. */
		rate += (double)w[i].done / (w[i].end - start);
	}
	printf("verifies_per_s %.2f threads %ld ms_per_verify %.1f "
	    "opslimit %llu memlimit_kib %zu\n", rate, n,
	    1000.0 * (double)n / rate,
	    (unsigned long long)PASSWORD_OPSLIMIT, (size_t)PASSWORD_MEMLIMIT / 1024);
	free(w);
	return 0;
}
