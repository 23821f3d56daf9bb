/*
 * workpool: a bounded pool of worker threads for CPU-heavy jobs (password
 * hashing), kept off the HTTP threads. Owns its threads, a fixed-capacity
 * queue of jobs waiting for a thread, and the count of slots reserved for
 * jobs about to be submitted.
 */
#ifndef COMMON_WORKPOOL_H
#define COMMON_WORKPOOL_H

#include <stddef.h>

#include "base.h"

struct workpool;

typedef void (*workpool_fn)(void *arg);

/*
 * threads 0: one per online core. queue_max: how many jobs may wait for a
 * thread while every thread is busy; beyond that, submit refuses. nice_incr:
 * each worker raises its own nice value by this much (Linux nice values are
 * per thread) so the HTTP threads win the CPU when both want it; a failure to
 * renice is ignored.
 */
int workpool_new(unsigned threads, size_t queue_max, int nice_incr,
    struct workpool **out) WUR;

/*
 * Queues fn(arg): 0, or -1 when queue_max jobs already wait or the pool is
 * stopping (fn is then not called).
 */
int workpool_submit(struct workpool *, workpool_fn fn, void *arg) WUR;

/*
 * Submission in two steps, for a caller that must prepare something between
 * "is there room?" and "run it" and cannot take a refusal after: reserve
 * holds one queue slot (0) or refuses as submit would (-1); every successful
 * reserve must be followed by exactly one submit_reserved, which cannot
 * fail. workpool_free waits for reserved slots to be submitted.
 */
int workpool_reserve(struct workpool *) WUR;
void workpool_submit_reserved(struct workpool *, workpool_fn fn, void *arg);

unsigned workpool_threads(const struct workpool *);
/* Jobs waiting (reserved slots included) plus jobs running right now. */
size_t workpool_load(struct workpool *);
/* Jobs waiting for a thread (reserved slots included): the queue depth. */
size_t workpool_queued(struct workpool *);

/*
 * Refuses new jobs, runs every queued job to the end, joins the threads,
 * frees. NULL is fine.
 */
void workpool_free(struct workpool *);

#endif
