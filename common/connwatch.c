/*
 * connwatch: request deadlines over open connections (see connwatch.h).
 * One mutex guards the list; an entry's start time is atomic, so arming
 * and disarming on every request take no lock.
 */
#include "connwatch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define TICK_MS 250

struct connwatch_entry {
	int fd;
	atomic_llong since_ms;	/* a request began arriving; 0: none is */
	bool cut;
	struct connwatch_entry *prev, *next;
};

struct connwatch {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	unsigned deadline_ms;
	struct connwatch_entry *head;
	unsigned long cuts;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under mu: shuts down the sockets past their deadline. */
static void
sweep(struct connwatch *w)
{
	long long now = now_ms();

	for (struct connwatch_entry *e = w->head; e != NULL; e = e->next) {
		long long since = atomic_load(&e->since_ms);

		if (e->cut || since == 0 || now - since < (long long)w->deadline_ms)
			continue;
		if (shutdown(e->fd, SHUT_RDWR) == 0 || errno == ENOTCONN) {
			e->cut = true;
			w->cuts++;
		}
	}
}

static void *
run(void *arg)
{
	struct connwatch *w = arg;
	struct timespec until;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->wake, &w->mu, &until);
		if (!w->stop)
			sweep(w);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
connwatch_new(unsigned deadline_ms, struct connwatch **out)
{
	struct connwatch *w;
	pthread_condattr_t ca;

	if (out == NULL || deadline_ms == 0 || (w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->deadline_ms = deadline_ms;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void
connwatch_free(struct connwatch *w)
{
	struct connwatch_entry *e, *next;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	for (e = w->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

struct connwatch_entry *
connwatch_add(struct connwatch *w, int fd)
{
	struct connwatch_entry *e;

	if (w == NULL || fd < 0 || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->fd = fd;
	atomic_store(&e->since_ms, now_ms());
	pthread_mutex_lock(&w->mu);
	e->next = w->head;
	if (w->head != NULL)
		w->head->prev = e;
	w->head = e;
	pthread_mutex_unlock(&w->mu);
	return e;
}

void
connwatch_remove(struct connwatch *w, struct connwatch_entry *e)
{
	if (w == NULL || e == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		w->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	pthread_mutex_unlock(&w->mu);
	free(e);
}

void
connwatch_arm(struct connwatch_entry *e)
{
	if (e != NULL)
		atomic_store(&e->since_ms, now_ms());
}

void
connwatch_disarm(struct connwatch_entry *e)
{
	if (e != NULL)
		atomic_store(&e->since_ms, 0);
}

unsigned long
connwatch_cut_count(struct connwatch *w)
{
	unsigned long n;

	pthread_mutex_lock(&w->mu);
	n = w->cuts;
	pthread_mutex_unlock(&w->mu);
	return n;
}
