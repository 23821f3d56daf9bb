/*
 * workpool: worker threads taking jobs from a ring under one mutex.
 *
 * The pool holds at most threads + queue_max jobs at once (running, queued
 * or reserved), so the ring never holds more than that and never grows.
 */
#include "workpool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct job {
	workpool_fn fn;
	void *arg;
};

struct workpool {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* a job queued, or the pool stopping */
	pthread_t *tids;
	unsigned nthreads;	/* started */
	int nice_incr;
	struct job *ring;
	size_t cap;		/* threads + queue_max */
	size_t head;		/* the oldest queued job */
	size_t queued, reserved, running;
	bool stopping;
};

static void
renice_self(int incr)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int cur;

	if (incr == 0)
		return;
	errno = 0;
	cur = getpriority(PRIO_PROCESS, tid);
	if (cur == -1 && errno != 0)
		return;
	(void)setpriority(PRIO_PROCESS, tid, cur + incr);
}

/* With p->mu held: is there room for one more job? */
static bool
has_room(const struct workpool *p)
{
	return !p->stopping && p->queued + p->reserved + p->running < p->cap;
}

/* With p->mu held. */
static void
enqueue(struct workpool *p, workpool_fn fn, void *arg)
{
	struct job *j = &p->ring[(p->head + p->queued) % p->cap];

	j->fn = fn;
	j->arg = arg;
	p->queued++;
	/* Stopping, idle workers may wait only for the last reserved slot. */
	if (p->stopping)
		pthread_cond_broadcast(&p->cv);
	else
		pthread_cond_signal(&p->cv);
}

static void *
worker(void *arg)
{
	struct workpool *p = arg;
	struct job j;

	renice_self(p->nice_incr);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->queued == 0 && !(p->stopping && p->reserved == 0))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->queued == 0)
			break;
		j = p->ring[p->head];
		p->head = (p->head + 1) % p->cap;
		p->queued--;
		p->running++;
		pthread_mutex_unlock(&p->mu);
		j.fn(j.arg);
		pthread_mutex_lock(&p->mu);
		p->running--;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Stops and joins the started threads; frees the pool. */
static void
shutdown_pool(struct workpool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->tids[i], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->ring);
	free(p->tids);
	free(p);
}

int
workpool_new(unsigned threads, size_t queue_max, int nice_incr,
    struct workpool **out)
{
	struct workpool *p;
	sigset_t all, old;

	if (out == NULL)
		return -1;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (queue_max > SIZE_MAX / sizeof(struct job) - threads)
		return -1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->nice_incr = nice_incr;
	p->cap = threads + queue_max;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->tids = calloc(threads, sizeof(*p->tids));
	p->ring = calloc(p->cap, sizeof(*p->ring));
	if (p->tids == NULL || p->ring == NULL)
		goto fail;
	/* Workers take no signals: those are for the threads that wait on them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (p->nthreads < threads &&
	    pthread_create(&p->tids[p->nthreads], NULL, worker, p) == 0)
		p->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->nthreads < threads)
		goto fail;
	*out = p;
	return 0;
fail:
	shutdown_pool(p);
	return -1;
}

int
workpool_reserve(struct workpool *p)
{
	int rc = -1;

	pthread_mutex_lock(&p->mu);
	if (has_room(p)) {
		p->reserved++;
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void
workpool_submit_reserved(struct workpool *p, workpool_fn fn, void *arg)
{
	pthread_mutex_lock(&p->mu);
	p->reserved--;
	enqueue(p, fn, arg);
	pthread_mutex_unlock(&p->mu);
}

int
workpool_submit(struct workpool *p, workpool_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&p->mu);
	if (has_room(p)) {
		enqueue(p, fn, arg);
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

unsigned
workpool_threads(const struct workpool *p)
{
	return p->nthreads;
}

size_t
workpool_load(struct workpool *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->queued + p->reserved + p->running;
	pthread_mutex_unlock(&p->mu);
	return n;
}

size_t
workpool_queued(struct workpool *p)
{
	size_t n;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	n = p->queued + p->reserved;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
workpool_free(struct workpool *p)
{
	if (p != NULL)
		shutdown_pool(p);
}
