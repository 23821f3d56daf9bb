/*
 * rsa_ceiling: the RS256 signing ceiling of this machine: an RSA-2048 key
 * made with GnuTLS as the server makes its ID-token keys
 * (common/jws_gnutls.c), then THREADS threads (default: one per core) each
 * signing a MSG_LEN-byte input with PKCS#1 v1.5 and SHA-256
 * (gnutls_privkey_sign_data2, GNUTLS_SIGN_RSA_SHA256) for SECONDS seconds.
 * The first signature is verified. Prints "per_s N threads T us_per_op U".
 * Built by tests/bench/benchlib.py with
 *   cc -O2 tests/bench/rsa_ceiling.c $(pkg-config --cflags --libs gnutls) -lpthread
 * Usage: rsa_ceiling [SECONDS [THREADS [BITS]]]
 */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ceiling.h"

#define MSG_LEN 700		/* about an ID token's signing input */

static atomic_bool stop;
static gnutls_privkey_t priv;
static unsigned char msg[MSG_LEN];

struct worker {
	pthread_t tid;
	long ops;
	int failed;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	gnutls_datum_t in = { msg, MSG_LEN }, sig;

	while (!atomic_load(&stop)) {
		if (gnutls_privkey_sign_data2(priv, GNUTLS_SIGN_RSA_SHA256, 0, &in,
		    &sig) < 0) {
			w->failed = 1;
			break;
		}
		gnutls_free(sig.data);
		w->ops++;
	}
	return NULL;
}

/* One signature made and verified with the public half. */
static int
check(void)
{
	gnutls_pubkey_t pub;
	gnutls_datum_t in = { msg, MSG_LEN }, sig = { NULL, 0 };
	int rc = -1;

	if (gnutls_pubkey_init(&pub) < 0)
		return -1;
	if (gnutls_pubkey_import_privkey(pub, priv, 0, 0) >= 0 &&
	    gnutls_privkey_sign_data2(priv, GNUTLS_SIGN_RSA_SHA256, 0, &in, &sig) >= 0 &&
	    gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &in, &sig) >= 0)
		rc = 0;
	gnutls_free(sig.data);
	gnutls_pubkey_deinit(pub);
	return rc;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t1;
	long n = argc > 2 ? atol(argv[2]) : 0, total = 0;
	unsigned bits = argc > 3 ? (unsigned)atoi(argv[3]) : 2048;
	struct worker *w;
	long i;

	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	for (i = 0; i < MSG_LEN; i++)
		msg[i] = (unsigned char)('A' + i % 26);
	if (secs <= 0 || gnutls_global_init() < 0 ||
	    (w = calloc((size_t)n, sizeof(*w))) == NULL ||
	    gnutls_privkey_init(&priv) < 0 ||
	    gnutls_privkey_generate(priv, GNUTLS_PK_RSA, bits, 0) < 0 ||
	    check() != 0) {
		fprintf(stderr, "rsa_ceiling: cannot make or check an RSA-%u key\n", bits);
		return 2;
	}
	t0 = now_s();
	for (i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			return 2;
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].ops;
		if (w[i].failed || w[i].ops == 0) {
			fprintf(stderr, "rsa_ceiling: a signature failed\n");
			return 2;
		}
	}
	t1 = now_s();
	printf("per_s %.0f threads %ld us_per_op %.1f bits %u\n",
	    (double)total / (t1 - t0), n, (t1 - t0) * 1e6 * (double)n / (double)total,
	    bits);
	gnutls_privkey_deinit(priv);
	gnutls_global_deinit();
	free(w);
	return 0;
}
