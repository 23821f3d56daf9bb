/*
 * http_priv: the server's and the request's state, shared by http.c (the
 * daemon, its callbacks and routing) and http_req.c (what a handler reads
 * from a request and how it answers). Nothing outside these two includes it.
 */
#ifndef COMMON_HTTP_PRIV_H
#define COMMON_HTTP_PRIV_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "http.h"
#include "proxy.h"

#define MAX_EXTRA_HEADERS 8

struct http_server {
	struct MHD_Daemon *d;
	struct http_opts opts;
	uint16_t port;
	pthread_mutex_t mu;
	pthread_cond_t idle;	/* deferred dropped to 0 */
	size_t deferred;	/* jobs submitted, connection not yet resumed */
	bool stopping;		/* http_defer refuses */
	atomic_long inflight;	/* requests begun and not yet completed */
	MHD_socket quiesced;	/* the listening socket after http_drain */
	struct proxy_list proxies;
	struct connwatch *watch;	/* each request's deadline to arrive */
};

struct header {
	char *name, *value;
};

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char *path;
	char *target;		/* as received: path and query, not decoded */
	char *body;
	size_t body_len, body_cap;
	size_t seen;		/* body bytes received, kept or not */
	bool too_large;
	bool close;		/* answer with Connection: close */
	bool responded;
	struct header extra[MAX_EXTRA_HEADERS];
	size_t nextra;
	bool deferred;		/* done still to call */
	http_work_fn work;
	http_done_fn done;
	void *arg;
	size_t route;		/* index of the route that matched; SIZE_MAX: none */
	unsigned status;	/* of the answer queued; 0: none yet */
	struct timespec t0;	/* when the request began */
};

#endif
