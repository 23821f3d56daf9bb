/*
 * mhd_ceiling: the trivial-response ceiling of libmicrohttpd on this
 * machine: a server with the threading model of common/http.c (internal
 * polling, a pool of THREADS epoll threads, default one per core, turbo,
 * suspend/resume allowed) whose access handler answers 200 "ok" on its
 * second call for a request, as http.c dispatches once the request is
 * complete, so that connections stay alive. Listens on 127.0.0.1:PORT
 * (0: any free port), prints "port N" and serves until SIGTERM or SIGINT.
 * tests/bench/ceilings.py hits it with wrk as the OIDC benchmark hits the
 * server. Built by tests/bench/benchlib.py with
 *   cc -O2 tests/bench/mhd_ceiling.c $(pkg-config --cflags --libs libmicrohttpd)
 * Usage: mhd_ceiling [PORT [THREADS]]
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	static char first_call;
	struct MHD_Response *resp = cls;

	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &first_call;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, resp);
}

int
main(int argc, char **argv)
{
	long port = argc > 1 ? atol(argv[1]) : 0;
	long threads = argc > 2 ? atol(argv[2]) : 0;
	struct sockaddr_in sa;
	struct MHD_Response *resp;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t set;
	int sig;

	if (threads < 1)
		threads = sysconf(_SC_NPROCESSORS_ONLN);
	if (port < 0 || port > 65535 || threads < 1) {
		fprintf(stderr, "usage: mhd_ceiling [PORT [THREADS]]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return 2;
	MHD_add_response_header(resp, "Content-Type", "text/plain");
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME, 0,
	    NULL, NULL, on_access, resp,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mhd_ceiling: cannot listen\n");
		return 2;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("port %u\n", info != NULL ? (unsigned)info->port : (unsigned)port);
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(resp);
	return 0;
}
