/*
 * http: the libmicrohttpd daemon, request contexts and routing (what a
 * handler reads and answers is in http_req.c).
 *
 * A request is answered on the access handler's second call (or the last
 * call of an upload), never the first: libmicrohttpd keeps the connection
 * alive only then.
 *
 * A deferred request: http_defer reserves a pool slot first, so that nothing
 * can fail once the connection is suspended, then suspends the connection
 * and submits the job. The worker runs `work`, resumes the connection and
 * touches the request no more; libmicrohttpd then calls the access handler
 * again, which calls `done` instead of routing. The request outlives the
 * job: while a connection is suspended libmicrohttpd neither notices the
 * client leaving nor times it out, so on_completed cannot free the request
 * before the resume. Stopping the daemon with a suspended connection is an
 * API violation, so http_stop first waits for every deferral in flight.
 */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "connwatch.h"
#include "http_priv.h"
#include "log.h"
#include "metrics.h"
#include "proxy.h"
#include "workpool.h"

#define DRAIN_LIMIT (1024 * 1024)
/*
 * Query parameters a request may carry. libmicrohttpd keeps each in its
 * per-connection memory pool; when they do not fit, 0.9.75 neither answers
 * nor closes, nor reports the request completed. So a request with more is
 * not begun in on_uri (nothing to leak), its connection gets a short
 * timeout, and if the parameters did fit it is refused with 414.
 */
#define MAX_QUERY_ARGS 128
#define REFUSED_TIMEOUT 2	/* seconds */

size_t
http_routes_append(struct http_route *out, size_t at, size_t max,
    const struct http_route *add, size_t n)
{
	if (at > max || n > max - at)
		return max + 1;
	for (size_t i = 0; i < n; i++)
		out[at++] = add[i];
	return at;
}

static bool
path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

static void
dispatch(struct http_req *r)
{
	const struct http_opts *o = &r->srv->opts;
	const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	char allow[64] = "";
	bool path_known = false;

	if (r->too_large) {
		http_respond_error(r, 413, "invalid_request",
		    "request body is larger than the limit");
		return;
	}
	for (size_t i = 0; i < o->nroutes; i++) {
		const struct http_route *rt = &o->routes[i];
		if (!path_matches(rt->path, r->path))
			continue;
		if (strcmp(rt->method, m) == 0) {
			r->route = i;
			rt->fn(r, o->ctx);
			if (!r->responded && !r->deferred)
				http_respond_error(r, 500, "server_error", "no answer");
			return;
		}
		path_known = true;
		if (strlen(allow) + strlen(rt->method) + 3 < sizeof(allow)) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, rt->method);
		}
	}
	if (path_known) {
		http_add_header(r, "Allow", allow);
		http_respond_error(r, 405, "method_not_allowed",
		    "this method is not allowed here");
		return;
	}
	http_respond_error(r, 404, "not_found", "no such resource");
}

/* On a worker thread. */
static void
run_deferred(void *arg)
{
	struct http_req *r = arg;
	struct http_server *srv = r->srv;
	struct MHD_Connection *c = r->conn;

	r->work(r->arg);
	/* From here on an HTTP thread may answer and free r. */
	MHD_resume_connection(c);
	pthread_mutex_lock(&srv->mu);
	if (--srv->deferred == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->mu);
}

int
http_defer(struct http_req *r, struct workpool *pool, http_work_fn work,
    http_done_fn done, void *arg)
{
	struct http_server *srv = r->srv;
	int rc = -1;

	if (r->responded || r->deferred || pool == NULL || work == NULL ||
	    done == NULL)
		return -1;
	pthread_mutex_lock(&srv->mu);
	if (!srv->stopping && workpool_reserve(pool) == 0) {
		srv->deferred++;
		rc = 0;
	}
	pthread_mutex_unlock(&srv->mu);
	if (rc != 0)
		return -1;
	r->deferred = true;
	r->work = work;
	r->done = done;
	r->arg = arg;
	/* Suspended before the job exists: its resume cannot come first. */
	MHD_suspend_connection(r->conn);
	workpool_submit_reserved(pool, run_deferred, r);
	return 0;
}

/* On an HTTP thread, after the job: `done` answers, or defers again. */
static void
finish_deferred(struct http_req *r)
{
	r->deferred = false;
	r->done(r, r->srv->opts.ctx, r->arg);
	if (!r->responded && !r->deferred)
		http_respond_error(r, 500, "server_error", "no answer");
}

/*
 * Before the headers are read: a request holding its target as received
 * (on_completed frees it, whatever happens next).
 */
static size_t
query_args(const char *uri)
{
	const char *q = strchr(uri, '?');
	size_t n = 0;

	for (; q != NULL; q = strchr(q + 1, '&'))
		n++;
	return n;
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_req *r;

	if (query_args(uri) > MAX_QUERY_ARGS) {
		MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
		    (unsigned)REFUSED_TIMEOUT);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) != NULL) {
		r->srv = cls;
		r->conn = c;
		r->target = strdup(uri);
		r->route = SIZE_MAX;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		atomic_fetch_add_explicit(&r->srv->inflight, 1, memory_order_relaxed);
	}
	return r;
}

/* Completes the request on_uri began (r), or a new one when r is NULL. */
static struct http_req *
req_new(struct http_server *srv, struct MHD_Connection *c, const char *url,
    const char *method, struct http_req *r)
{
	struct http_req *fresh = NULL;

	if (r == NULL) {
		if ((r = fresh = calloc(1, sizeof(*r))) == NULL)
			return NULL;
		r->route = SIZE_MAX;
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		atomic_fetch_add_explicit(&srv->inflight, 1, memory_order_relaxed);
	}
	r->srv = srv;
	r->conn = c;
	r->method = method;
	if ((r->path = strdup(url)) == NULL) {
		if (fresh != NULL)
			atomic_fetch_sub_explicit(&srv->inflight, 1, memory_order_relaxed);
		free(fresh);
		return NULL;
	}
	return r;
}

static void
req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nextra; i++) {
		free(r->extra[i].name);
		free(r->extra[i].value);
	}
	if (r->body != NULL) {
		/* Bodies carry passwords and codes. */
		sodium_memzero(r->body, r->body_cap);
		free(r->body);
	}
	free(r->path);
	free(r->target);
	free(r);
}

static int
body_append(struct http_req *r, const char *data, size_t n)
{
	size_t limit = r->srv->opts.body_limit;

	r->seen += n;
	if (r->too_large || r->body_len + n > limit) {
		r->too_large = true;
		return r->seen > DRAIN_LIMIT ? -1 : 0;
	}
	if (r->body_len + n + 1 > r->body_cap) {
		size_t cap = r->body_cap ? r->body_cap : 1024;
		char *nb;
		while (cap < r->body_len + n + 1)
			cap *= 2;
		if ((nb = malloc(cap)) == NULL)
			return -1;
		if (r->body != NULL) {
			memcpy(nb, r->body, r->body_len);
			sodium_memzero(r->body, r->body_cap);
			free(r->body);
		}
		r->body = nb;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return 0;
}

static bool
declared_too_large(struct MHD_Connection *c, size_t limit)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long v;

	if (cl == NULL)
		return false;
	v = strtoull(cl, &end, 10);
	return *end != '\0' || v > limit;
}

/* cls: unsigned[2], Content-Length and Transfer-Encoding headers seen. */
static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	unsigned *n = cls;

	UNUSED(kind);
	UNUSED(value);
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n[0]++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n[1]++;
	return MHD_YES;
}

/*
 * Framing that could smuggle a request or leave the body unreadable: a
 * Transfer-Encoding other than one "chunked", one beside a Content-Length,
 * or two Content-Lengths. NULL when the framing is sound.
 */
static const char *
bad_framing(struct MHD_Connection *c)
{
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	unsigned n[2] = { 0, 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, n);
	if (n[0] > 1)
		return "more than one Content-Length";
	if (n[1] > 1 || (te != NULL && strcasecmp(te, "chunked") != 0))
		return "unsupported Transfer-Encoding";
	if (te != NULL && n[0] > 0)
		return "both Transfer-Encoding and Content-Length";
	return NULL;
}

/* The deadline of c's request: started (arm) or met (disarm). */
static void
watch_mark(struct MHD_Connection *c, bool arm)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (ci == NULL)
		return;
	if (arm)
		connwatch_arm(ci->socket_context);
	else
		connwatch_disarm(ci->socket_context);
}

/* Opened and closed connections: watched from the start to the close. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct http_server *srv = cls;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci != NULL ?
		    connwatch_add(srv->watch, ci->connect_fd) : NULL;
	} else {
		connwatch_remove(srv->watch, *socket_context);
		*socket_context = NULL;
	}
}

/* On the first call: refuses what must not be routed; true when answered. */
static bool
refused(struct http_req *r)
{
	const char *why = bad_framing(r->conn);
	unsigned status = 400;

	if (MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL,
	    NULL) > MAX_QUERY_ARGS) {
		why = "too many query parameters";
		status = 414;
	}
	if (why == NULL)
		return false;
	r->close = true;
	http_respond_error(r, status, "invalid_request", why);
	return true;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;

	UNUSED(version);
	if (r == NULL || r->path == NULL) {
		if ((r = req_new(srv, c, url, method, r)) == NULL)
			return MHD_NO;
		*con_cls = r;
		if (refused(r)) {
			watch_mark(c, false);
			return MHD_YES;
		}
		if (declared_too_large(c, srv->opts.body_limit)) {
			watch_mark(c, false);
			/* Answer before the body: the connection then closes. */
			r->too_large = true;
			dispatch(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (!r->responded && body_append(r, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	watch_mark(c, false);
	if (r->deferred)
		finish_deferred(r);
	else if (!r->responded)
		dispatch(r);
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *r = *con_cls;
	struct timespec t1;

	UNUSED(toe);
	watch_mark(c, true);	/* the next request on c begins */
	if (r != NULL && r->status != 0 && srv->opts.metrics != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_request(srv->opts.metrics, r->route, r->status,
		    (uint64_t)((t1.tv_sec - r->t0.tv_sec) * 1000000000L +
		    (t1.tv_nsec - r->t0.tv_nsec)));
	}
	if (r != NULL)
		atomic_fetch_sub_explicit(&srv->inflight, 1, memory_order_relaxed);
	if (r != NULL && r->deferred) {
		/*
		 * Resumed (a suspended connection is never completed) but closed
		 * before the access handler ran again: `done` still frees arg.
		 */
		r->responded = true;
		finish_deferred(r);
	}
	req_free(r);
	*con_cls = NULL;
}

/*
 * Decodes %HH in the path and query arguments as libmicrohttpd does, except
 * %00, which is left as it is: handlers see C strings, and a decoded NUL
 * would cut them short (GET /healthz%00.json would be served as /healthz).
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s;
	const char *p = s;

	UNUSED(cls);
	UNUSED(c);
	while (*p != '\0') {
		int hi, lo;
		if (p[0] == '%' && (hi = hex_digit(p[1])) >= 0 &&
		    (lo = hex_digit(p[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			p += 3;
		} else
			*w++ = *p++;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *srv = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_event(srv->opts.log, LOG_WARN, "http.daemon", "message", msg, NULL);
}

static int
parse_addr(const char *host, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

int
http_start(const struct http_opts *opts, struct http_server **out, char *err,
    size_t errsz)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem tls[] = { { MHD_OPTION_HTTPS_MEM_CERT, 0, NULL },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, NULL }, { MHD_OPTION_END, 0, NULL } };
	bool use_tls;

	if (opts == NULL || out == NULL)
		return -1;
	if ((use_tls = opts->tls_cert != NULL && opts->tls_key != NULL)) {
		flags |= MHD_USE_TLS;
		tls[0].ptr_value = (void *)(uintptr_t)opts->tls_cert;
		tls[1].ptr_value = (void *)(uintptr_t)opts->tls_key;
	}
	if (parse_addr(opts->host, opts->port, &ss, &sslen) != 0) {
		snprintf(err, errsz, "not a numeric IP address: %s", opts->host);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return -1;
	srv->opts = *opts;
	srv->quiesced = MHD_INVALID_SOCKET;
	if (proxy_list_parse(opts->trust_proxy, &srv->proxies) != 0) {
		snprintf(err, errsz, "trust_proxy: expected numeric addresses");
		free(srv);
		return -1;
	}
	pthread_mutex_init(&srv->mu, NULL);
	pthread_cond_init(&srv->idle, NULL);
	if (opts->conn_timeout > 0 &&
	    connwatch_new(opts->conn_timeout * 1000, &srv->watch) != 0) {
		snprintf(err, errsz, "cannot start the connection watch");
		pthread_cond_destroy(&srv->idle);
		pthread_mutex_destroy(&srv->mu);
		free(srv);
		return -1;
	}
	if (srv->opts.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		srv->opts.threads = n > 0 ? (unsigned)n : 1;
	}
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, srv->opts.threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, srv->opts.conn_timeout,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->opts.per_ip_limit,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_ARRAY, use_tls ? tls : &tls[2],
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		snprintf(err, errsz, "cannot listen on %s:%u (address in use or not local?)",
		    opts->host, (unsigned)opts->port);
		connwatch_free(srv->watch);
		pthread_cond_destroy(&srv->idle);
		pthread_mutex_destroy(&srv->mu);
		free(srv);
		return -1;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : opts->port;
	*out = srv;
	return 0;
}

uint16_t
http_port(const struct http_server *srv)
{
	return srv->port;
}

int
http_drain(struct http_server *srv, unsigned timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000000L };

	if (srv == NULL)
		return -1;
	if (srv->quiesced == MHD_INVALID_SOCKET)
		srv->quiesced = MHD_quiesce_daemon(srv->d);
	for (unsigned waited = 0; ; waited += 10) {
		if (atomic_load(&srv->inflight) <= 0)
			return 0;
		if (waited >= timeout_ms)
			return -1;
		nanosleep(&tick, NULL);
	}
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	pthread_mutex_lock(&srv->mu);
	srv->stopping = true;
	while (srv->deferred > 0)
		pthread_cond_wait(&srv->idle, &srv->mu);
	pthread_mutex_unlock(&srv->mu);
	/* Every connection is resumed now, or was never suspended. */
	MHD_stop_daemon(srv->d);
	connwatch_free(srv->watch);	/* after the last connection closed */
	if (srv->quiesced != MHD_INVALID_SOCKET)
		close(srv->quiesced);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
