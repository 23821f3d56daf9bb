/*
 * test_portal_proc: the demo portal's child process. With the real
 * demo-portal (DEMO_PORTAL, set by the build): its address read back, its
 * pages served, "not ready" until the client arrives over stdin, a busy
 * port traded for a free one, SIGTERM when the thread that started it ends
 * (PR_SET_PDEATHSIG), and no process left after a stop. With small shell
 * scripts standing in for it: a missing program, one that exits at once,
 * one that says something else, one that says nothing in time, the exact
 * bytes sent to stdin, one that ignores SIGTERM (killed after the grace
 * time), and one that ends on its own (reaped, and said how).
 */
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "portal_proc.h"
#include "rawhttp.h"

#ifndef DEMO_PORTAL
#error "DEMO_PORTAL must name the demo-portal binary"
#endif

static char dir[64];

static void
script(const char *name, const char *body, char *path, size_t pathsz)
{
	FILE *f;

	snprintf(path, pathsz, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
}

static uint16_t
port_of(const struct portal_proc *p)
{
	return (uint16_t)atoi(strrchr(portal_proc_url(p), ':') + 1);
}

static int
get_status(uint16_t port, const char *path)
{
	struct conn c;
	struct resp r;
	int status = -1;

	memset(&r, 0, sizeof(r));
	if (conn_open(&c, port) != 0)
		return -1;
	if (sendf(&c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
	    path) == 0 && read_response(&c, &r, false) == 0)
		status = r.status;
	resp_free(&r);
	conn_close(&c);
	return status;
}

/* A loopback socket listening on a free port (without SO_REUSEPORT). */
static int
listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 1) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static bool
gone(int pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* portal_proc_ended within `ms`, polled. */
static bool
ended_within(struct portal_proc *p, long ms, char *why, size_t whysz)
{
	for (long t = 0; t < ms; t += 20) {
		if (portal_proc_ended(p, why, whysz))
			return true;
		sleep_ms(20);
	}
	return false;
}

TEST(real_child_serves_and_stops)
{
	struct portal_proc_opts o = { .path = DEMO_PORTAL,
	    .issuer = "http://127.0.0.1:1", .log_level = "error" };
	struct portal_proc *p = NULL, *q = NULL;
	char err[512], why[64];
	uint16_t port;
	int pid, busy;

	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), 0);
	if (p == NULL)
		return;
	CHECK(strncmp(portal_proc_url(p), "http://127.0.0.1:", 17) == 0);
	port = port_of(p);
	pid = portal_proc_pid(p);
	CHECK(pid > 0 && pid != getpid());
	CHECK_EQ_INT(get_status(port, "/"), 200);
	/* No client yet: "not ready". */
	CHECK_EQ_INT(get_status(port, "/login"), 503);
	CHECK(!portal_proc_ended(p, why, sizeof(why)));

	/* The port asked is taken: it listens elsewhere. */
	busy = listener(&o.port);
	CHECK(busy >= 0);
	CHECK_EQ_INT(portal_proc_start(&o, &q, err, sizeof(err)), 0);
	CHECK(q != NULL && port_of(q) != o.port && port_of(q) != port);
	portal_proc_stop(q);
	if (busy >= 0)
		close(busy);

	/* The client arrives: /login now asks the provider (unreachable: 502). */
	CHECK_EQ_INT(portal_proc_send_client(p, "c_demo", "s3cret", err,
	    sizeof(err)), 0);
	CHECK_EQ_INT(get_status(port, "/login"), 502);
	/* Once only: stdin is closed after. */
	CHECK_EQ_INT(portal_proc_send_client(p, "c_demo", "s3cret", err,
	    sizeof(err)), -1);
	portal_proc_stop(p);
	CHECK(gone(pid));
	CHECK_EQ_INT(get_status(port, "/"), -1);
	portal_proc_stop(NULL);
}

struct starter {
	struct portal_proc *p;
	int rc;
};

static void *
start_and_leave(void *arg)
{
	struct starter *s = arg;
	struct portal_proc_opts o = { .path = DEMO_PORTAL,
	    .issuer = "http://127.0.0.1:1", .log_level = "error" };
	char err[512];

	s->rc = portal_proc_start(&o, &s->p, err, sizeof(err));
	if (s->rc == 0)
		s->rc = portal_proc_send_client(s->p, "c_demo", "s3cret", err,
		    sizeof(err));
	return NULL;
}

TEST(child_ends_with_its_starter)
{
	struct starter s = { NULL, -1 };
	pthread_t t;
	char why[64] = "";

	CHECK_EQ_INT(pthread_create(&t, NULL, start_and_leave, &s), 0);
	pthread_join(t, NULL);
	CHECK_EQ_INT(s.rc, 0);
	if (s.p == NULL)
		return;
	/* The starter is gone: SIGTERM, and demo-portal stops cleanly. */
	CHECK(ended_within(s.p, 10000, why, sizeof(why)));
	CHECK_STR(why, "exited with status 0");
	portal_proc_stop(s.p);
}

TEST(start_failures)
{
	struct portal_proc_opts o = { .issuer = "http://127.0.0.1:1",
	    .start_ms = 500, .stop_ms = 200 };
	struct portal_proc *p = NULL;
	char path[128], err[512];
	time_t t0;

	snprintf(path, sizeof(path), "%s/none", dir);
	o.path = path;
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(p == NULL && strstr(err, "cannot run") != NULL);

	script("exit3", "exit 3", path, sizeof(path));
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(p == NULL && strstr(err, "exited with status 3 before listening") != NULL);

	script("chatty", "echo hello; sleep 5", path, sizeof(path));
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(p == NULL && strstr(err, "something other") != NULL);

	script("port0", "echo http://127.0.0.1:0; sleep 5", path, sizeof(path));
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "something other") != NULL);

	script("long", "printf 'http://127.0.0.1:8081%080d\\n' 0; sleep 5", path,
	    sizeof(path));
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "something other") != NULL);

	/* Silent: given up after start_ms, and not waited on for 5 s. */
	script("mute", "exec sleep 5", path, sizeof(path));
	t0 = time(NULL);
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), -1);
	CHECK(strstr(err, "no address") != NULL);
	CHECK(time(NULL) - t0 <= 3);
}

TEST(client_bytes_on_stdin)
{
	struct portal_proc_opts o = { .issuer = "http://127.0.0.1:1", .port = 8081,
	    .log_level = "warn", .log_file = "/x" };
	struct portal_proc *p = NULL;
	char path[128], body[512], got[256] = "", argsf[128], err[512], why[64];
	FILE *f;
	size_t n;

	snprintf(argsf, sizeof(argsf), "%s/args", dir);
	snprintf(body, sizeof(body), "echo \"$*\" > %s; echo http://127.0.0.1:8081; "
	    "cat > %s/stdin", argsf, dir);
	script("catter", body, path, sizeof(path));
	o.path = path;
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), 0);
	if (p == NULL)
		return;
	CHECK_STR(portal_proc_url(p), "http://127.0.0.1:8081");
	CHECK_EQ_INT(portal_proc_send_client(p, "id\n", "x", err, sizeof(err)), -1);
	portal_proc_stop(p);

	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), 0);
	if (p == NULL)
		return;
	CHECK_EQ_INT(portal_proc_send_client(p, "c_1", "s_2", err, sizeof(err)), 0);
	/* cat sees the end of its input and the script ends: reaped, once. */
	CHECK(ended_within(p, 5000, why, sizeof(why)));
	CHECK_STR(why, "exited with status 0");
	CHECK(!portal_proc_ended(p, why, sizeof(why)));
	portal_proc_stop(p);
	snprintf(path, sizeof(path), "%s/stdin", dir);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	CHECK_STR(got, "c_1\ns_2\n");
	/* The secret is not on the command line. */
	got[0] = '\0';
	if ((f = fopen(argsf, "r")) != NULL) {
		n = fread(got, 1, sizeof(got) - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	CHECK_STR(got, "--issuer http://127.0.0.1:1 --port 8081 --log-level warn "
	    "--log-file /x\n");
}

TEST(stop_kills_a_stubborn_child)
{
	struct portal_proc_opts o = { .issuer = "http://127.0.0.1:1",
	    .stop_ms = 300 };
	struct portal_proc *p = NULL;
	char path[128], err[512];
	time_t t0;
	int pid;

	script("stubborn", "trap '' TERM; echo http://127.0.0.1:9; exec sleep 30",
	    path, sizeof(path));
	o.path = path;
	CHECK_EQ_INT(portal_proc_start(&o, &p, err, sizeof(err)), 0);
	if (p == NULL)
		return;
	pid = portal_proc_pid(p);
	t0 = time(NULL);
	portal_proc_stop(p);
	CHECK(time(NULL) - t0 <= 3);
	CHECK(gone(pid));
}

TEST(beside_self)
{
	char out[4096], self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	*strrchr(self, '/') = '\0';
	CHECK_EQ_INT(portal_proc_beside_self("demo-portal", out, sizeof(out)), 0);
	CHECK(strncmp(out, self, strlen(self)) == 0 &&
	    strcmp(out + strlen(self), "/demo-portal") == 0);
	CHECK_EQ_INT(portal_proc_beside_self("demo-portal", out, 4), -1);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_portal_proc.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	signal(SIGPIPE, SIG_IGN);
}

#define CASES \
	{ "real_child_serves_and_stops", real_child_serves_and_stops }, \
	{ "child_ends_with_its_starter", child_ends_with_its_starter }, \
	{ "start_failures", start_failures }, \
	{ "client_bytes_on_stdin", client_bytes_on_stdin }, \
	{ "stop_kills_a_stubborn_child", stop_kills_a_stubborn_child }, \
	{ "beside_self", beside_self }

static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int
main(void)
{
	static const struct t_case cases[] = { CASES };
	size_t n = ARRAY_LEN(cases), bad = 0;

	setup();
	for (size_t i = 0; i < n; i++) {
		int failed = 0;

		cases[i].fn(&failed);
		printf("%s %s\n", failed ? "FAIL" : "ok  ", cases[i].name);
		bad += failed != 0;
	}
	cleanup();
	printf("%zu passed, %zu failed\n", n - bad, bad);
	return bad == 0 && n > 0 ? 0 : 1;
}
