/*
 * http: libmicrohttpd daemon, request contexts, routing and responses.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "workpool.h"

#define MAX_EXTRA_HEADERS 8
#define DRAIN_LIMIT (1024 * 1024)

struct http_server {
	struct MHD_Daemon *d;
	struct http_opts opts;
	uint16_t port;
	pthread_mutex_t mu;
	pthread_cond_t idle;	/* deferred dropped to 0 */
	size_t deferred;	/* jobs submitted, connection not yet resumed */
	bool stopping;		/* http_defer refuses */
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
	bool responded;
	struct header extra[MAX_EXTRA_HEADERS];
	size_t nextra;
	bool deferred;		/* done still to call */
	http_work_fn work;
	http_done_fn done;
	void *arg;
};

static const char CSP_PAGE[] = "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'";
static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";

const char *
http_method(const struct http_req *r)
{
	return r->method;
}

const char *
http_path(const struct http_req *r)
{
	return r->path;
}

const char *
http_target(const struct http_req *r)
{
	return r->target != NULL ? r->target : r->path;
}

const char *
http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *
http_body(const struct http_req *r, size_t *len)
{
	*len = r->body_len;
	return r->body != NULL ? r->body : "";
}

const char *
http_client_addr(struct http_req *r, char buf[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	strcpy(buf, "unknown");
	if (sa == NULL)
		return buf;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, 64);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, 64);
	return buf;
}

bool
http_responded(const struct http_req *r)
{
	return r->responded;
}

void
http_add_header(struct http_req *r, const char *name, const char *value)
{
	if (r->nextra == MAX_EXTRA_HEADERS || name == NULL || value == NULL)
		return;
	r->extra[r->nextra].name = strdup(name);
	r->extra[r->nextra].value = strdup(value);
	r->nextra++;
}

void
http_set_cookie(struct http_req *r, const char *name, const char *value,
    long max_age, bool secure)
{
	char buf[1024], age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
	if ((size_t)snprintf(buf, sizeof(buf), "%s=%s; Path=/%s; HttpOnly; SameSite=Lax%s",
	    name, value, age, secure ? "; Secure" : "") >= sizeof(buf))
		return;
	http_add_header(r, "Set-Cookie", buf);
}

static void
add_security_headers(struct MHD_Response *resp, const char *ctype)
{
	bool page = ctype != NULL && strncmp(ctype, "text/html", 9) == 0;

	MHD_add_response_header(resp, "Content-Security-Policy",
	    page ? CSP_PAGE : CSP_API);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", ctype);
}

static void
queue(struct http_req *r, unsigned status, struct MHD_Response *resp,
    const char *ctype)
{
	bool has_cache = false;

	if (resp == NULL) {
		/* Out of memory: closing the connection is the only answer left. */
		r->responded = true;
		return;
	}
	add_security_headers(resp, ctype);
	for (size_t i = 0; i < r->nextra; i++) {
		MHD_add_response_header(resp, r->extra[i].name, r->extra[i].value);
		if (strcasecmp(r->extra[i].name, "Cache-Control") == 0)
			has_cache = true;
	}
	if (!has_cache)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->too_large)
		MHD_add_response_header(resp, "Connection", "close");
	MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->responded = true;
}

void
http_respond(struct http_req *r, unsigned status, const char *ctype,
    const void *body, size_t len)
{
	struct MHD_Response *resp;

	if (r->responded)
		return;
	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	queue(r, status, resp, ctype);
}

void
http_respond_json(struct http_req *r, unsigned status, json_t *json)
{
	char *s;
	struct MHD_Response *resp;

	if (r->responded) {
		json_decref(json);
		return;
	}
	s = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(json);
	if (s == NULL) {
		queue(r, 500, NULL, NULL);
		return;
	}
	resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(s);
	queue(r, status, resp, "application/json");
}

void
http_respond_error(struct http_req *r, unsigned status, const char *code,
    const char *description)
{
	json_t *j = json_pack("{s:s, s:s}", "error", code,
	    "error_description", description != NULL ? description : code);

	http_respond_json(r, status, j);
}

void
http_redirect(struct http_req *r, unsigned status, const char *location)
{
	http_add_header(r, "Location", location);
	http_respond(r, status, "text/plain; charset=utf-8", "", 0);
}

static int
json_depth_ok(const char *s, size_t n, int max_depth)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

json_t *
http_json_body(struct http_req *r, int max_depth)
{
	const char *ct = http_header(r, "Content-Type");
	json_error_t e;
	json_t *j;
	char msg[96];

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		http_respond_error(r, 415, "invalid_request",
		    "Content-Type must be application/json");
		return NULL;
	}
	if (!json_depth_ok(r->body != NULL ? r->body : "", r->body_len, max_depth)) {
		http_respond_error(r, 400, "invalid_request", "JSON nested too deeply");
		return NULL;
	}
	j = json_loadb(r->body != NULL ? r->body : "", r->body_len,
	    JSON_REJECT_DUPLICATES, &e);
	if (j == NULL) {
		/* The position only: the text near it may be a secret. */
		snprintf(msg, sizeof(msg), "body is not valid JSON (at byte %d)",
		    e.position);
		http_respond_error(r, 400, "invalid_request", msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_respond_error(r, 400, "invalid_request", "body must be a JSON object");
		return NULL;
	}
	return j;
}

int
http_basic_auth(struct http_req *r, char *user, size_t ulen, char *pass, size_t plen)
{
	char *u = NULL, *p = NULL;
	int rc = -1;

	u = MHD_basic_auth_get_username_password(r->conn, &p);
	if (u == NULL || p == NULL)
		goto done;
	if (strlen(u) >= ulen || strlen(p) >= plen)
		goto done;
	strcpy(user, u);
	strcpy(pass, p);
	rc = 0;
done:
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		MHD_free(p);
	}
	if (u != NULL)
		MHD_free(u);
	return rc;
}

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
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_req *r = calloc(1, sizeof(*r));

	if (r != NULL) {
		r->srv = cls;
		r->conn = c;
		r->target = strdup(uri);
	}
	return r;
}

/* Completes the request on_uri began (r), or a new one when r is NULL. */
static struct http_req *
req_new(struct http_server *srv, struct MHD_Connection *c, const char *url,
    const char *method, struct http_req *r)
{
	struct http_req *fresh = NULL;

	if (r == NULL && (r = fresh = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->srv = srv;
	r->conn = c;
	r->method = method;
	if ((r->path = strdup(url)) == NULL) {
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
		if (declared_too_large(c, srv->opts.body_limit)) {
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
	struct http_req *r = *con_cls;

	UNUSED(cls);
	UNUSED(c);
	UNUSED(toe);
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

	if (opts == NULL || out == NULL)
		return -1;
	if (parse_addr(opts->host, opts->port, &ss, &sslen) != 0) {
		snprintf(err, errsz, "not a numeric IP address: %s", opts->host);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return -1;
	srv->opts = *opts;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_cond_init(&srv->idle, NULL);
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
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_END);
	if (srv->d == NULL) {
		snprintf(err, errsz, "cannot listen on %s:%u (address in use or not local?)",
		    opts->host, (unsigned)opts->port);
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
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
