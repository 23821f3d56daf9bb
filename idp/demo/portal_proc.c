/*
 * portal_proc: starting, talking to and stopping the demo-portal child.
 */
#include "portal_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_MS 30000
#define STOP_MS 5000
#define STEP_MS 10
#define ARGV_MAX 12
#define URL_PREFIX "http://127.0.0.1:"
#define CLIENT_LINE_MAX 256

struct portal_proc {
	pid_t pid;
	int to_child;		/* its stdin, until the client is sent */
	bool reaped;
	unsigned stop_ms;
	char url[PORTAL_PROC_URL_MAX];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
describe(int status, char *why, size_t whysz)
{
	if (WIFEXITED(status))
		snprintf(why, whysz, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, whysz, "ended by signal %d", WTERMSIG(status));
	else
		snprintf(why, whysz, "ended (wait status %d)", status);
}

/* Reaps the child when it ends within `ms`: true then, with how in why. */
static bool
reap_within(struct portal_proc *p, unsigned ms, char *why, size_t whysz)
{
	int64_t deadline = now_ms() + ms;
	struct timespec step = { 0, STEP_MS * 1000000L };
	int status = 0;
	pid_t r;

	if (p->reaped)
		return true;
	for (;;) {
		r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid || (r < 0 && errno == ECHILD)) {
			p->reaped = true;
			if (r == p->pid)
				describe(status, why, whysz);
			else
				snprintf(why, whysz, "ended");
			return true;
		}
		if (r < 0 && errno != EINTR)
			return false;
		if (now_ms() >= deadline)
			return false;
		nanosleep(&step, NULL);
	}
}

/*
 * In the child, between fork and exec: async-signal-safe calls only. The
 * pipes become stdin and stdout; stderr stays the server's.
 */
__attribute__((noreturn)) static void
child_exec(char *const argv[], int in, int out, pid_t parent)
{
	struct sigaction dfl;
	sigset_t none;

	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0)
		_exit(127);
	/* SIGTERM when the server's thread that started us ends, even by
	 * SIGKILL; if it ended already, stop here. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(127);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_range(3, ~0U, 0);
	execv(argv[0], argv);
	_exit(127);
}

/* Forks and runs the program; *from_child is its stdout's read end. */
static int
spawn(const struct portal_proc_opts *o, struct portal_proc *p, int *from_child,
    char *err, size_t errsz)
{
	char port[8];
	const char *argv[ARGV_MAX];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	pid_t parent = getpid();
	size_t n = 0;

	snprintf(port, sizeof(port), "%u", (unsigned)o->port);
	argv[n++] = o->path;
	argv[n++] = "--issuer";
	argv[n++] = o->issuer;
	argv[n++] = "--port";
	argv[n++] = port;
	if (o->log_level != NULL) {
		argv[n++] = "--log-level";
		argv[n++] = o->log_level;
	}
	if (o->log_file != NULL) {
		argv[n++] = "--log-file";
		argv[n++] = o->log_file;
	}
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
		snprintf(err, errsz, "demo portal: pipe: %s", strerror(errno));
		goto fail;
	}
	/* With stdin or stdout closed a pipe could land on 0 or 1. */
	if (in[0] <= STDERR_FILENO || out[1] <= STDERR_FILENO) {
		snprintf(err, errsz, "demo portal: the server's stdin or stdout "
		    "is closed");
		goto fail;
	}
	if ((p->pid = fork()) < 0) {
		snprintf(err, errsz, "demo portal: fork: %s", strerror(errno));
		goto fail;
	}
	if (p->pid == 0)
		child_exec((char *const *)argv, in[0], out[1], parent);
	close_fd(&in[0]);
	close_fd(&out[1]);
	p->to_child = in[1];
	*from_child = out[0];
	return 0;
fail:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	return -1;
}

/* "http://127.0.0.1:PORT" with PORT 1 to 65535, nothing else. */
static bool
url_ok(const char *s)
{
	const char *d = s + strlen(URL_PREFIX);
	unsigned long port = 0;
	size_t i;

	if (strncmp(s, URL_PREFIX, strlen(URL_PREFIX)) != 0)
		return false;
	for (i = 0; d[i] >= '0' && d[i] <= '9' && i < 5; i++)
		port = port * 10 + (unsigned long)(d[i] - '0');
	return i > 0 && d[i] == '\0' && d[0] != '0' && port <= 65535;
}

/*
 * The child's first line into p->url within `ms`. 0; 1 when it closed its
 * stdout first (it ended); -1 with err otherwise.
 */
static int
read_url(struct portal_proc *p, int fd, unsigned ms, char *err, size_t errsz)
{
	char line[PORTAL_PROC_URL_MAX], *nl = NULL;
	int64_t deadline = now_ms() + ms, left;
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (nl == NULL) {
		if ((left = deadline - now_ms()) <= 0) {
			snprintf(err, errsz, "demo portal: no address from %s within "
			    "%u s", PORTAL_PROC_NAME, ms / 1000);
			return -1;
		}
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		n = read(fd, line + len, sizeof(line) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		len += (size_t)n;
		line[len] = '\0';
		nl = memchr(line, '\n', len);
		if (nl == NULL && len == sizeof(line) - 1)
			break;
	}
	if (nl != NULL)
		*nl = '\0';
	if (nl == NULL || !url_ok(line)) {
		snprintf(err, errsz, "demo portal: %s said something other than "
		    "its address", PORTAL_PROC_NAME);
		return -1;
	}
	snprintf(p->url, sizeof(p->url), "%s", line);
	return 0;
}

int
portal_proc_start(const struct portal_proc_opts *o, struct portal_proc **out,
    char *err, size_t errsz)
{
	struct portal_proc *p = NULL;
	char why[64];
	int fd = -1, rc;

	*out = NULL;
	if (o == NULL || o->path == NULL || o->issuer == NULL) {
		snprintf(err, errsz, "demo portal: no program or issuer");
		return -1;
	}
	if (access(o->path, X_OK) != 0) {
		snprintf(err, errsz, "demo portal: cannot run %s: %s", o->path,
		    strerror(errno));
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errsz, "demo portal: out of memory");
		return -1;
	}
	p->to_child = -1;
	p->reaped = true;
	p->stop_ms = o->stop_ms != 0 ? o->stop_ms : STOP_MS;
	if (spawn(o, p, &fd, err, errsz) != 0)
		goto fail;
	p->reaped = false;
	rc = read_url(p, fd, o->start_ms != 0 ? o->start_ms : START_MS, err, errsz);
	close_fd(&fd);
	if (rc == 1) {
		close_fd(&p->to_child);
		if (!reap_within(p, p->stop_ms, why, sizeof(why)))
			snprintf(why, sizeof(why), "closed its output");
		snprintf(err, errsz, "demo portal: %s %s before listening (its "
		    "log says why)", o->path, why);
	}
	if (rc != 0)
		goto fail;
	*out = p;
	return 0;
fail:
	portal_proc_stop(p);
	return -1;
}

const char *
portal_proc_url(const struct portal_proc *p)
{
	return p->url;
}

int
portal_proc_pid(const struct portal_proc *p)
{
	return (int)p->pid;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
portal_proc_send_client(struct portal_proc *p, const char *client_id,
    const char *secret, char *err, size_t errsz)
{
	char buf[CLIENT_LINE_MAX];
	int n, rc = -1;

	if (p == NULL || client_id == NULL || secret == NULL || p->to_child < 0) {
		snprintf(err, errsz, "demo portal: no child to send the client to");
		return -1;
	}
	if (client_id[0] == '\0' || secret[0] == '\0' ||
	    strpbrk(client_id, "\r\n") != NULL || strpbrk(secret, "\r\n") != NULL) {
		snprintf(err, errsz, "demo portal: a client id or secret is empty "
		    "or holds a line break");
		goto done;
	}
	n = snprintf(buf, sizeof(buf), "%s\n%s\n", client_id, secret);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		snprintf(err, errsz, "demo portal: the client id or secret is too long");
		goto done;
	}
	if (write_all(p->to_child, buf, (size_t)n) != 0) {
		snprintf(err, errsz, "demo portal: cannot pass it its client: %s",
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	sodium_memzero(buf, sizeof(buf));
	close_fd(&p->to_child);
	return rc;
}

void
portal_proc_hangup(struct portal_proc *p)
{
	if (p != NULL && !p->reaped)
		kill(p->pid, SIGHUP);
}

bool
portal_proc_ended(struct portal_proc *p, char *why, size_t whysz)
{
	if (p == NULL || p->reaped)
		return false;
	return reap_within(p, 0, why, whysz);
}

void
portal_proc_stop(struct portal_proc *p)
{
	char why[64];

	if (p == NULL)
		return;
	close_fd(&p->to_child);
	if (!p->reaped) {
		kill(p->pid, SIGTERM);
		if (!reap_within(p, p->stop_ms, why, sizeof(why))) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	free(p);
}

int
portal_proc_beside_self(const char *name, char *out, size_t outsz)
{
	char self[4096];
	const char *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int w;

	if (name == NULL || n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	w = snprintf(out, outsz, "%.*s/%s", (int)(slash - self), self, name);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}
