/*
 * test_workpool: unit tests for the worker pool (workpool): every job runs
 * exactly once, submit refuses at the queue bound and while stopping,
 * reserved slots count and run, free drains the queue, threads 0 means one
 * per core, and workers renice themselves.
 */
#include "t.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workpool.h"

#define NJOBS 10000

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- jobs counting their runs ---- */

struct tally {
	atomic_int total;
	atomic_int hits[NJOBS];
};

struct tally_job {
	struct tally *t;
	int i;
};

static void
count_job(void *arg)
{
	struct tally_job *j = arg;

	atomic_fetch_add(&j->t->hits[j->i], 1);
	atomic_fetch_add(&j->t->total, 1);
}

static void
bump(void *arg)
{
	atomic_fetch_add((atomic_int *)arg, 1);
}

/* ---- a gate jobs block on until it opens ---- */

struct gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool open;
	int waiting;		/* jobs blocked on the gate */
	atomic_int passed;
};

static void
gate_init(struct gate *g)
{
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->open = false;
	g->waiting = 0;
	atomic_init(&g->passed, 0);
}

static void
gate_job(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->mu);
	g->waiting++;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	g->waiting--;
	pthread_mutex_unlock(&g->mu);
	atomic_fetch_add(&g->passed, 1);
}

static void
gate_wait_for(struct gate *g, int n)
{
	pthread_mutex_lock(&g->mu);
	while (g->waiting < n)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static void
gate_destroy(struct gate *g)
{
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}

TEST(all_jobs_run_once)
{
	struct workpool *p = NULL;
	struct tally *t = calloc(1, sizeof(*t));
	struct tally_job *jobs = calloc(NJOBS, sizeof(*jobs));
	int refused = 0, twice = 0;

	CHECK(t != NULL && jobs != NULL);
	CHECK_EQ_INT(workpool_new(4, NJOBS, 0, &p), 0);
	if (t == NULL || jobs == NULL || p == NULL)
		goto done;
	CHECK_EQ_INT(workpool_threads(p), 4);
	for (int i = 0; i < NJOBS; i++) {
		jobs[i].t = t;
		jobs[i].i = i;
		if (workpool_submit(p, count_job, &jobs[i]) != 0)
			refused++;
	}
	CHECK_EQ_INT(refused, 0);
	workpool_free(p);
	CHECK_EQ_INT(atomic_load(&t->total), NJOBS);
	for (int i = 0; i < NJOBS; i++)
		if (atomic_load(&t->hits[i]) != 1)
			twice++;
	CHECK_EQ_INT(twice, 0);
done:
	free(jobs);
	free(t);
}

TEST(refuses_at_queue_max)
{
	struct workpool *p = NULL;
	struct gate g;

	gate_init(&g);
	CHECK_EQ_INT(workpool_new(2, 3, 0, &p), 0);
	if (p == NULL)
		return;
	/* Two jobs hold both threads... */
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	gate_wait_for(&g, 2);
	CHECK_EQ_INT(workpool_load(p), 2);
	CHECK_EQ_INT(workpool_queued(p), 0);
	/* ...three more may wait (the queue depth counts them)... */
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	CHECK_EQ_INT(workpool_queued(p), 2);
	CHECK_EQ_INT(workpool_reserve(p), 0);
	CHECK_EQ_INT(workpool_load(p), 5);
	CHECK_EQ_INT(workpool_queued(p), 3);
	/* ...and the sixth is refused, by submit and by reserve alike. */
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), -1);
	CHECK_EQ_INT(workpool_reserve(p), -1);
	workpool_submit_reserved(p, gate_job, &g);
	CHECK_EQ_INT(workpool_load(p), 5);
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), -1);
	gate_open(&g);
	workpool_free(p);
	CHECK_EQ_INT(atomic_load(&g.passed), 5);
	CHECK_EQ_INT(workpool_queued(NULL), 0);
	gate_destroy(&g);
}

TEST(queue_max_zero)
{
	struct workpool *p = NULL;
	struct gate g;

	gate_init(&g);
	CHECK_EQ_INT(workpool_new(1, 0, 0, &p), 0);
	if (p == NULL)
		return;
	/* An idle thread takes a job; nothing may wait behind it. */
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	gate_wait_for(&g, 1);
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), -1);
	gate_open(&g);
	workpool_free(p);
	CHECK_EQ_INT(atomic_load(&g.passed), 1);
	gate_destroy(&g);
}

struct stopper {
	struct workpool *p;
	struct gate *g;
	atomic_int *extra;
};

/*
 * Adds jobs until the pool refuses (it is stopping, the queue being far from
 * full), then lets the blocked job go.
 */
static void *
stopper_main(void *arg)
{
	struct stopper *s = arg;

	while (workpool_reserve(s->p) == 0) {
		workpool_submit_reserved(s->p, bump, s->extra);
		atomic_fetch_add(&s->extra[1], 1);
		sleep_ms(1);
	}
	gate_open(s->g);
	return NULL;
}

TEST(free_drains_queue)
{
	struct workpool *p = NULL;
	struct gate g;
	atomic_int ran, extra[2];
	struct stopper s;
	pthread_t tid;
	int refused = 0;

	gate_init(&g);
	atomic_init(&ran, 0);
	atomic_init(&extra[0], 0);
	atomic_init(&extra[1], 0);
	CHECK_EQ_INT(workpool_new(1, 100000, 0, &p), 0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(workpool_submit(p, gate_job, &g), 0);
	gate_wait_for(&g, 1);
	for (int i = 0; i < 50; i++)
		if (workpool_submit(p, bump, &ran) != 0)
			refused++;
	CHECK_EQ_INT(refused, 0);
	CHECK_EQ_INT(workpool_load(p) >= 51, 1);
	s.p = p;
	s.g = &g;
	s.extra = extra;
	CHECK_EQ_INT(pthread_create(&tid, NULL, stopper_main, &s), 0);
	/* Free while the only thread is blocked and 50+ jobs wait. */
	workpool_free(p);
	pthread_join(tid, NULL);
	CHECK_EQ_INT(atomic_load(&g.passed), 1);
	CHECK_EQ_INT(atomic_load(&ran), 50);
	/* Every job the pool took before it stopped ran too. */
	CHECK_EQ_INT(atomic_load(&extra[0]), atomic_load(&extra[1]));
	gate_destroy(&g);
	workpool_free(NULL);
}

TEST(threads_zero_is_cores)
{
	struct workpool *p = NULL;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	CHECK_EQ_INT(workpool_new(0, 1, 0, &p), 0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(workpool_threads(p), cores > 0 ? cores : 1);
	CHECK_EQ_INT(workpool_load(p), 0);
	workpool_free(p);
	CHECK_EQ_INT(workpool_new(1, 0, 0, NULL), -1);
}

static void
nice_job(void *arg)
{
	errno = 0;
	*(int *)arg = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
}

TEST(workers_renice)
{
	struct workpool *p = NULL;
	int base, seen = -100, want;

	errno = 0;
	base = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	want = base + 5 > 19 ? 19 : base + 5;
	CHECK_EQ_INT(workpool_new(1, 1, 5, &p), 0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(workpool_submit(p, nice_job, &seen), 0);
	workpool_free(p);
	CHECK_EQ_INT(seen, want);
	/* The caller's own nice value is untouched. */
	CHECK_EQ_INT(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)), base);
}

T_MAIN(T(all_jobs_run_once), T(refuses_at_queue_max), T(queue_max_zero),
    T(free_drains_queue), T(threads_zero_is_cores), T(workers_renice))
