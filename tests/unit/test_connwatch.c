/*
 * test_connwatch: request deadlines. Sockets are one end of a socketpair;
 * a socket the watch shuts down reads end-of-file at its other end.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "connwatch.h"
#include "t.h"

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether the peer of sv[0] was shut down: EOF on a non-blocking read. */
static int
was_cut(int peer)
{
	char c;
	ssize_t n;

	fcntl(peer, F_SETFL, O_NONBLOCK);
	n = read(peer, &c, 1);
	return n == 0 ? 1 : (n < 0 && errno == EAGAIN ? 0 : -1);
}

TEST(new_refuses_bad_arguments)
{
	struct connwatch *w = NULL;

	CHECK(connwatch_new(0, &w) == -1);
	CHECK(connwatch_new(100, NULL) == -1);
	CHECK(connwatch_add(NULL, 3) == NULL);
	connwatch_remove(NULL, NULL);
	connwatch_arm(NULL);
	connwatch_disarm(NULL);
	connwatch_free(NULL);
}

TEST(armed_past_deadline_is_cut)
{
	struct connwatch *w = NULL;
	int sv[2];
	struct connwatch_entry *e;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(connwatch_new(300, &w) == 0);
	e = connwatch_add(w, sv[0]);
	CHECK(e != NULL);
	sleep_ms(100);
	CHECK_EQ_INT(was_cut(sv[1]), 0);
	CHECK_EQ_INT(connwatch_cut_count(w), 0);
	sleep_ms(700);
	CHECK_EQ_INT(was_cut(sv[1]), 1);
	CHECK_EQ_INT(connwatch_cut_count(w), 1);
	/* Cut once only, however long it stays. */
	sleep_ms(400);
	CHECK_EQ_INT(connwatch_cut_count(w), 1);
	connwatch_remove(w, e);
	connwatch_free(w);
	close(sv[0]);
	close(sv[1]);
}

TEST(disarmed_is_kept_and_arm_restarts)
{
	struct connwatch *w = NULL;
	int sv[2];
	struct connwatch_entry *e;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(connwatch_new(300, &w) == 0);
	e = connwatch_add(w, sv[0]);
	connwatch_disarm(e);		/* its request arrived in time */
	sleep_ms(800);
	CHECK_EQ_INT(was_cut(sv[1]), 0);
	connwatch_arm(e);		/* the next request begins now */
	sleep_ms(150);
	CHECK_EQ_INT(was_cut(sv[1]), 0);
	connwatch_arm(e);		/* armed again: the clock restarts */
	sleep_ms(150);
	CHECK_EQ_INT(was_cut(sv[1]), 0);
	sleep_ms(700);
	CHECK_EQ_INT(was_cut(sv[1]), 1);
	connwatch_remove(w, e);
	connwatch_free(w);
	close(sv[0]);
	close(sv[1]);
}

TEST(removed_is_never_cut_and_free_releases_the_rest)
{
	struct connwatch *w = NULL;
	int a[2], b[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
	CHECK(connwatch_new(200, &w) == 0);
	connwatch_remove(w, connwatch_add(w, a[0]));
	CHECK(connwatch_add(w, b[0]) != NULL);	/* left for connwatch_free */
	sleep_ms(600);
	CHECK_EQ_INT(was_cut(a[1]), 0);
	CHECK_EQ_INT(was_cut(b[1]), 1);
	connwatch_free(w);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

T_MAIN(T(new_refuses_bad_arguments), T(armed_past_deadline_is_cut),
    T(disarmed_is_kept_and_arm_restarts),
    T(removed_is_never_cut_and_free_releases_the_rest))
