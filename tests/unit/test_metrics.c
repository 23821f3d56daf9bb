/*
 * test_metrics: unit tests for the metrics: counting by route and status,
 * histogram buckets, the domain counters taken from log events (also below
 * the log level), exact counts under threads, the rendered text, and the
 * /metrics handler's access rule over a real server.
 */
#include "t.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "rawhttp.h"

static void
h_ok(struct http_req *r, void *ctx)
{
	UNUSED(ctx);
	http_respond(r, 200, "text/plain", "ok", 2);
}

static const struct http_route routes[] = {
	{ "GET", "/a", h_ok },
	{ "POST", "/b/*", h_ok },
	{ "GET", "/metrics", metrics_handler },
};

static char *
render(struct metrics *m)
{
	char *text = NULL;
	size_t len = 0;

	if (metrics_render(m, &text, &len) != 0)
		return NULL;
	if (strlen(text) != len) {
		free(text);
		return NULL;
	}
	return text;
}

/* Does `text` hold `line` as a whole line? */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p != NULL && *p != '\0'; ) {
		if (strncmp(p, line, n) == 0 && p[n] == '\n')
			return 1;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return 0;
}

TEST(requests_by_route_and_status)
{
	struct metrics *m = NULL;
	char *t;

	CHECK_EQ_INT(metrics_new(NULL, 1, &m), -1);
	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	metrics_request(m, 0, 200, 1000);
	metrics_request(m, 0, 200, 1000);
	metrics_request(m, 0, 404, 1000);
	metrics_request(m, 1, 503, 1000);
	metrics_request(m, SIZE_MAX, 404, 1000);
	metrics_request(m, 99, 405, 1000);
	metrics_request(m, 0, 99, 1000);	/* not a status: not counted */
	metrics_request(m, 0, 600, 1000);
	t = render(m);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "dinhdanh_http_requests_total{method=\"GET\","
		    "route=\"/a\",status=\"200\"} 2"));
		CHECK(has_line(t, "dinhdanh_http_requests_total{method=\"GET\","
		    "route=\"/a\",status=\"404\"} 1"));
		CHECK(has_line(t, "dinhdanh_http_requests_total{method=\"POST\","
		    "route=\"/b/*\",status=\"503\"} 1"));
		CHECK(has_line(t, "dinhdanh_http_requests_total{method=\"\","
		    "route=\"(none)\",status=\"404\"} 1"));
		CHECK(has_line(t, "dinhdanh_http_requests_total{method=\"\","
		    "route=\"(none)\",status=\"405\"} 1"));
		CHECK(strstr(t, "status=\"99\"") == NULL);
		CHECK(strstr(t, "status=\"600\"") == NULL);
		/* Routes never used show no series. */
		CHECK(strstr(t, "route=\"/metrics\"") == NULL);
		CHECK(has_line(t, "# TYPE dinhdanh_http_requests_total counter"));
	}
	free(t);
	metrics_free(m);
	metrics_free(NULL);
}

TEST(histogram_buckets)
{
	struct metrics *m = NULL;
	char *t;

	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	metrics_request(m, 0, 200, 400000);		/* 0.4 ms */
	metrics_request(m, 0, 200, 500000);		/* 0.5 ms: le 0.0005 */
	metrics_request(m, 0, 200, 30000000);		/* 30 ms */
	metrics_request(m, 0, 200, 20000000000ULL);	/* 20 s: +Inf only */
	t = render(m);
	CHECK(t != NULL);
	if (t != NULL) {
		const char *p = "dinhdanh_http_request_duration_seconds";
		char line[256];
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/a\","
		    "le=\"0.0005\"} 2", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/a\","
		    "le=\"0.025\"} 2", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/a\","
		    "le=\"0.05\"} 3", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/a\","
		    "le=\"10\"} 3", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_bucket{method=\"GET\",route=\"/a\","
		    "le=\"+Inf\"} 4", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_count{method=\"GET\",route=\"/a\"} 4", p);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "%s_sum{method=\"GET\",route=\"/a\"} "
		    "20.030900000", p);
		CHECK(has_line(t, line));
	}
	free(t);
	metrics_free(m);
}

TEST(domain_events)
{
	struct metrics *m = NULL;
	char *t;

	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	metrics_log_event(m, "auth.login", NULL);
	metrics_log_event(m, "auth.login", NULL);
	metrics_log_event(m, "auth.pool_full", NULL);
	metrics_log_event(m, "auth.password_refused", "bad_credentials");
	metrics_log_event(m, "auth.password_refused", "locked");
	metrics_log_event(m, "auth.password_refused", "something_new");
	metrics_log_event(m, "auth.password_refused", NULL);
	metrics_log_event(m, "account.locked", NULL);
	metrics_log_event(m, "account.unlocked", NULL);
	metrics_log_event(m, "airport.verify", "accepted");
	metrics_log_event(m, "airport.verify", "revoked");
	metrics_log_event(m, "airport.verify", "revoked");
	metrics_log_event(m, "security.csrf_refused", NULL);
	metrics_log_event(m, "security.brand_new", NULL);
	metrics_log_event(m, "server.started", "x");
	metrics_log_event(NULL, "auth.login", NULL);
	t = render(m);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"success\"} 2"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"busy\"} 1"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"bad_credentials\"} 1"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"locked\"} 1"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"other\"} 2"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"delayed\"} 0"));
		CHECK(has_line(t, "dinhdanh_lockouts_total 1"));
		CHECK(has_line(t, "dinhdanh_airport_verifications_total{result=\"accepted\","
		    "reason=\"accepted\"} 1"));
		CHECK(has_line(t, "dinhdanh_airport_verifications_total{result=\"refused\","
		    "reason=\"revoked\"} 2"));
		CHECK(has_line(t, "dinhdanh_security_events_total{event=\"csrf_refused\"} 1"));
		CHECK(has_line(t, "dinhdanh_security_events_total{event=\"other\"} 1"));
		CHECK(has_line(t, "dinhdanh_password_pool_queue_depth 0"));
		CHECK(strstr(t, "dinhdanh_uptime_seconds ") != NULL);
	}
	free(t);
	metrics_free(m);
}

TEST(log_events_counted_below_the_level)
{
	struct metrics *m = NULL;
	FILE *sink = fopen("/dev/null", "w");
	struct log *lg = log_new(sink, LOG_ERROR);
	char *t;

	CHECK(lg != NULL);
	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL || lg == NULL)
		goto done;
	log_set_observer(lg, metrics_log_event, m);
	log_event(lg, LOG_INFO, "auth.password_refused", "personal_id", "001******001",
	    "reason", "delayed", NULL);
	log_event(lg, LOG_WARN, "airport.verify", "client_id", "c1", "result",
	    "replayed", NULL);
	log_set_observer(lg, NULL, NULL);
	log_event(lg, LOG_INFO, "auth.login", NULL);
	t = render(m);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"delayed\"} 1"));
		CHECK(has_line(t, "dinhdanh_logins_total{outcome=\"success\"} 0"));
		CHECK(has_line(t, "dinhdanh_airport_verifications_total{result=\"refused\","
		    "reason=\"replayed\"} 1"));
	}
	free(t);
done:
	log_free(lg);
	if (sink != NULL)
		fclose(sink);
	metrics_free(m);
}

#define THREADS 4
#define PER_THREAD 100000

static void *
hammer(void *arg)
{
	for (int i = 0; i < PER_THREAD; i++) {
		metrics_request(arg, 0, 200, 1000);
		metrics_log_event(arg, "auth.login", NULL);
	}
	return NULL;
}

TEST(exact_under_threads)
{
	struct metrics *m = NULL;
	pthread_t th[THREADS];
	char *t, line[160];

	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ_INT(pthread_create(&th[i], NULL, hammer, m), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	t = render(m);
	CHECK(t != NULL);
	if (t != NULL) {
		snprintf(line, sizeof(line), "dinhdanh_http_requests_total{method=\"GET\","
		    "route=\"/a\",status=\"200\"} %d", THREADS * PER_THREAD);
		CHECK(has_line(t, line));
		snprintf(line, sizeof(line), "dinhdanh_logins_total{outcome=\"success\"} %d",
		    THREADS * PER_THREAD);
		CHECK(has_line(t, line));
	}
	free(t);
	metrics_free(m);
}

TEST(token_lengths)
{
	struct metrics *m = NULL;
	char big[METRICS_TOKEN_MAX + 1];

	memset(big, 'a', sizeof(big));
	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	CHECK_EQ_INT(metrics_set_token(m, "x", 0), -1);
	CHECK_EQ_INT(metrics_set_token(m, NULL, 3), -1);
	CHECK_EQ_INT(metrics_set_token(m, big, sizeof(big)), -1);
	CHECK_EQ_INT(metrics_set_token(m, big, METRICS_TOKEN_MAX), 0);
	metrics_free(m);
}

/* GET /metrics with extra header lines; the status, or -1. */
static int
get_metrics(uint16_t port, const char *headers, struct resp *rs)
{
	struct conn *c = calloc(1, sizeof(*c));
	int status = -1;

	if (c == NULL || conn_open(c, port) != 0)
		goto done;
	if (sendf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
	    headers) != 0 || read_response(c, rs, false) != 0)
		goto done;
	status = rs->status;
done:
	if (c != NULL)
		conn_close(c);
	free(c);
	return status;
}

static int
status_of(uint16_t port, const char *headers)
{
	struct resp rs;
	int st;

	memset(&rs, 0, sizeof(rs));
	st = get_metrics(port, headers, &rs);
	resp_free(&rs);
	return st;
}

TEST(handler_access_rule)
{
	struct metrics *m = NULL;
	struct http_server *srv = NULL;
	struct http_opts o;
	struct resp rs;
	char err[256] = "";
	uint16_t port;

	CHECK_EQ_INT(metrics_new(routes, ARRAY_LEN(routes), &m), 0);
	if (m == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.threads = 1;
	o.body_limit = 1024;
	o.conn_timeout = 5;
	o.per_ip_limit = 16;
	o.routes = routes;
	o.nroutes = ARRAY_LEN(routes);
	o.metrics = m;
	CHECK_EQ_INT(http_start(&o, &srv, err, sizeof(err)), 0);
	if (srv == NULL)
		goto done;
	port = http_port(srv);
	/* Loopback, directly: open; the scrape itself counted next time. */
	memset(&rs, 0, sizeof(rs));
	CHECK_EQ_INT(get_metrics(port, "", &rs), 200);
	CHECK(rs.body != NULL && strstr(rs.body, "# TYPE dinhdanh_logins_total counter") != NULL);
	resp_free(&rs);
	memset(&rs, 0, sizeof(rs));
	CHECK_EQ_INT(get_metrics(port, "", &rs), 200);
	CHECK(rs.body != NULL && strstr(rs.body, "dinhdanh_http_requests_total{method="
	    "\"GET\",route=\"/metrics\",status=\"200\"} 1\n") != NULL);
	resp_free(&rs);
	/* Through a proxy, loopback is not enough. */
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"), 403);
	CHECK_EQ_INT(status_of(port, "Forwarded: for=192.0.2.1\r\n"), 403);
	http_stop(srv);
	srv = NULL;
	/* With a token: the token opens it, a wrong one does not. */
	CHECK_EQ_INT(metrics_set_token(m, "s3cret-token-1234", 17), 0);
	CHECK_EQ_INT(http_start(&o, &srv, err, sizeof(err)), 0);
	if (srv == NULL)
		goto done;
	port = http_port(srv);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"), 401);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"
	    "Authorization: Bearer s3cret-token-1234\r\n"), 200);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"
	    "Authorization: bearer s3cret-token-1234\r\n"), 200);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"
	    "Authorization: Bearer s3cret-token-123\r\n"), 401);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"
	    "Authorization: Bearer s3cret-token-12345\r\n"), 401);
	CHECK_EQ_INT(status_of(port, "X-Forwarded-For: 192.0.2.1\r\n"
	    "Authorization: Basic czNjcmV0\r\n"), 401);
	CHECK_EQ_INT(status_of(port, ""), 200);
done:
	http_stop(srv);
	metrics_free(m);
}

T_MAIN(T(requests_by_route_and_status), T(histogram_buckets),
    T(domain_events), T(log_events_counted_below_the_level),
    T(exact_under_threads), T(token_lengths), T(handler_access_rule))
