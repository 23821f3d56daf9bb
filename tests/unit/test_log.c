/*
 * test_log: unit tests for the structured log (log): one valid JSON object
 * per line with ts, level, event and the pairs; the level filter; values
 * that are not UTF-8; masking of personal IDs; and whole lines from several
 * threads at once.
 */
#include "t.h"

#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static int
mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL ? 0 : -1;
}

static void
mem_close(struct mem *m)
{
	if (m->f != NULL)
		fclose(m->f);
	free(m->buf);
	m->f = NULL;
	m->buf = NULL;
}

/* The lines written so far, parsed; NULL where a line is not a JSON object. */
static size_t
lines(struct mem *m, json_t **out, size_t max)
{
	size_t n = 0;
	const char *p;

	fflush(m->f);
	p = m->buf != NULL ? m->buf : "";
	while (*p != '\0' && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);

		if (j != NULL && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
		}
		/* A last line without its newline is not a whole line. */
		if (nl == NULL) {
			json_decref(j);
			j = NULL;
		}
		out[n++] = j;
		p += len + (nl != NULL);
	}
	return n;
}

static void
free_lines(json_t **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(l[i]);
}

static const char *
sv(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

TEST(one_json_line_per_event)
{
	struct mem m;
	struct log *lg;
	json_t *l[8];
	size_t n;

	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_INFO);
	CHECK(lg != NULL);
	if (lg == NULL) {
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_INFO, "user.login", "user", "alice", "ip", "192.0.2.7", NULL);
	log_event(lg, LOG_WARN, "security.login_failed", "reason", "bad password", NULL);
	log_event(lg, LOG_ERROR, "db.error", NULL);
	n = lines(&m, l, 8);
	CHECK_EQ_INT(n, 3);
	if (n == 3 && l[0] != NULL && l[1] != NULL && l[2] != NULL) {
		CHECK_STR(sv(l[0], "level"), "info");
		CHECK_STR(sv(l[0], "event"), "user.login");
		CHECK_STR(sv(l[0], "user"), "alice");
		CHECK_STR(sv(l[0], "ip"), "192.0.2.7");
		CHECK_EQ_INT(json_object_size(l[0]), 5);
		CHECK_STR(sv(l[1], "level"), "warn");
		CHECK_STR(sv(l[1], "event"), "security.login_failed");
		CHECK_STR(sv(l[1], "reason"), "bad password");
		CHECK_STR(sv(l[2], "level"), "error");
		CHECK_EQ_INT(json_object_size(l[2]), 3);
	} else
		CHECK(!"three JSON lines");
	/* ts, level and event come first, in that order. */
	CHECK(m.buf != NULL && strncmp(m.buf, "{\"ts\":\"", 7) == 0);
	CHECK(m.buf != NULL && strstr(m.buf, "\",\"level\":\"info\",\"event\":\"user.login\",") != NULL);
	free_lines(l, n);
	log_free(lg);
	mem_close(&m);
}

TEST(timestamp_is_utc_now_with_millis)
{
	struct mem m;
	struct log *lg;
	json_t *l[2];
	size_t n;
	time_t before = time(NULL), after;

	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_DEBUG);
	if (lg == NULL) {
		CHECK(lg != NULL);
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_DEBUG, "x", NULL);
	after = time(NULL);
	n = lines(&m, l, 2);
	CHECK_EQ_INT(n, 1);
	if (n == 1 && l[0] != NULL) {
		const char *ts = sv(l[0], "ts");
		struct tm tm;
		int ms = -1;
		char z = 0;

		CHECK(ts != NULL && strlen(ts) == 24);
		memset(&tm, 0, sizeof(tm));
		if (ts != NULL && sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year,
		    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		    &ms, &z) == 8) {
			time_t t;
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			t = timegm(&tm);
			CHECK(t >= before && t <= after);
			CHECK(ms >= 0 && ms <= 999);
			CHECK_EQ_INT(z, 'Z');
		} else
			CHECK(!"ts format");
		CHECK_STR(sv(l[0], "level"), "debug");
	}
	free_lines(l, n);
	log_free(lg);
	mem_close(&m);
}

TEST(levels_below_min_dropped)
{
	struct mem m;
	struct log *lg;
	json_t *l[8];
	size_t n;

	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_WARN);
	if (lg == NULL) {
		CHECK(lg != NULL);
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_DEBUG, "d", NULL);
	log_event(lg, LOG_INFO, "i", NULL);
	log_event(lg, LOG_WARN, "w", NULL);
	log_event(lg, LOG_ERROR, "e", NULL);
	n = lines(&m, l, 8);
	CHECK_EQ_INT(n, 2);
	if (n == 2 && l[0] != NULL && l[1] != NULL) {
		CHECK_STR(sv(l[0], "event"), "w");
		CHECK_STR(sv(l[1], "event"), "e");
	}
	free_lines(l, n);
	log_free(lg);
	mem_close(&m);

	/* At error only errors. */
	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_ERROR);
	if (lg == NULL) {
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_WARN, "w", NULL);
	fflush(m.f);
	CHECK_EQ_INT(m.len, 0);
	log_event(lg, LOG_ERROR, "e", NULL);
	n = lines(&m, l, 8);
	CHECK_EQ_INT(n, 1);
	free_lines(l, n);
	log_free(lg);
	mem_close(&m);
}

TEST(awkward_values)
{
	struct mem m;
	struct log *lg;
	json_t *l[8];
	size_t n;

	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_INFO);
	if (lg == NULL) {
		CHECK(lg != NULL);
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_INFO, "a", "bad", "ab\xff\xfe", "ok", "Nguy\xE1\xBB\x85n", NULL);
	log_event(lg, LOG_INFO, "b", "multi", "line1\nline2\r\n\"quoted\"\\ \t\x01", NULL);
	log_event(lg, LOG_INFO, "c", "nothing", (const char *)NULL, "after", "x", NULL);
	log_event(lg, LOG_INFO, "d", "overlong", "\xC0\xAF", "surrogate", "\xED\xA0\x80", NULL);
	log_event(lg, LOG_INFO, "e", "bad\xff" "key", "v", "good", "y", NULL);
	n = lines(&m, l, 8);
	CHECK_EQ_INT(n, 5);
	for (size_t i = 0; i < n; i++)
		CHECK(l[i] != NULL);
	if (n == 5 && l[0] && l[1] && l[2] && l[3] && l[4]) {
		const char *bad = sv(l[0], "bad");
		CHECK(bad != NULL);
		CHECK(bad != NULL && strstr(bad, "\xff") == NULL);
		CHECK_STR(sv(l[0], "ok"), "Nguy\xE1\xBB\x85n");
		CHECK_STR(sv(l[1], "multi"), "line1\nline2\r\n\"quoted\"\\ \t\x01");
		CHECK_STR(sv(l[2], "nothing"), "");
		CHECK_STR(sv(l[2], "after"), "x");
		CHECK(sv(l[3], "overlong") != NULL);
		CHECK(sv(l[3], "surrogate") != NULL);
		CHECK_STR(sv(l[4], "event"), "e");
		CHECK_STR(sv(l[4], "good"), "y");
	}
	/* Five lines, five newlines: nothing raw broke a line. */
	{
		size_t nl = 0;
		for (size_t i = 0; i < m.len; i++)
			nl += m.buf[i] == '\n';
		CHECK_EQ_INT(nl, 5);
	}
	free_lines(l, n);
	log_free(lg);
	mem_close(&m);
}

TEST(nothing_without_event_or_log)
{
	struct mem m;
	struct log *lg;

	CHECK(log_new(NULL, LOG_INFO) == NULL);
	log_event(NULL, LOG_ERROR, "x", NULL);	/* no crash */
	log_free(NULL);
	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_DEBUG);
	if (lg == NULL) {
		CHECK(lg != NULL);
		mem_close(&m);
		return;
	}
	log_event(lg, LOG_ERROR, NULL, NULL);
	fflush(m.f);
	CHECK_EQ_INT(m.len, 0);
	log_free(lg);
	mem_close(&m);
}

TEST(level_parse)
{
	enum log_level l = LOG_ERROR;

	CHECK_EQ_INT(log_level_parse("debug", &l), 0);
	CHECK_EQ_INT(l, LOG_DEBUG);
	CHECK_EQ_INT(log_level_parse("info", &l), 0);
	CHECK_EQ_INT(l, LOG_INFO);
	CHECK_EQ_INT(log_level_parse("warn", &l), 0);
	CHECK_EQ_INT(l, LOG_WARN);
	CHECK_EQ_INT(log_level_parse("error", &l), 0);
	CHECK_EQ_INT(l, LOG_ERROR);
	CHECK_EQ_INT(log_level_parse("Error", &l), -1);
	CHECK_EQ_INT(log_level_parse("warning", &l), -1);
	CHECK_EQ_INT(log_level_parse("", &l), -1);
	CHECK_EQ_INT(log_level_parse(NULL, &l), -1);
	CHECK_EQ_INT(l, LOG_ERROR);
}

TEST(mask_id)
{
	char buf[13];

	memset(buf, 'X', sizeof(buf));
	log_mask_id("001234567890", buf);
	CHECK_STR(buf, "001******890");
	log_mask_id("079185000123", buf);
	CHECK_STR(buf, "079******123");
	CHECK(strstr(buf, "185000") == NULL);
	log_mask_id("12345678901", buf);	/* 11 digits */
	CHECK_STR(buf, "(invalid)");
	log_mask_id("", buf);
	CHECK_STR(buf, "(invalid)");
	log_mask_id(NULL, buf);
	CHECK_STR(buf, "(invalid)");
}

#define THREADS 4
#define PER_THREAD 2000

struct worker {
	struct log *lg;
	int id;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	char tid[8], seq[16], pad[3000];

	memset(pad, 'a' + w->id, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(tid, sizeof(tid), "%d", w->id);
	for (int i = 0; i < PER_THREAD; i++) {
		snprintf(seq, sizeof(seq), "%d", i);
		/* Every tenth line is long: more than a stdio buffer. */
		log_event(w->lg, LOG_INFO, "t.line", "thread", tid, "seq", seq,
		    "pad", i % 10 == 0 ? pad : "short", NULL);
	}
	return NULL;
}

TEST(threads_write_whole_lines)
{
	FILE *f = tmpfile();
	struct log *lg;
	struct worker w[THREADS];
	pthread_t th[THREADS];
	int started = 0, next[THREADS] = { 0 }, bad = 0, total = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	lg = log_new(f, LOG_INFO);
	CHECK(lg != NULL);
	if (lg == NULL) {
		fclose(f);
		return;
	}
	for (int i = 0; i < THREADS; i++) {
		w[i].lg = lg;
		w[i].id = i;
		if (pthread_create(&th[i], NULL, worker, &w[i]) == 0)
			started++;
	}
	CHECK_EQ_INT(started, THREADS);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	log_free(lg);
	rewind(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		json_t *j = line[len - 1] == '\n' ?
		    json_loadb(line, (size_t)len - 1, JSON_REJECT_DUPLICATES, NULL) : NULL;
		const char *t = j != NULL ? sv(j, "thread") : NULL;
		const char *s = j != NULL ? sv(j, "seq") : NULL;
		const char *pad = j != NULL ? sv(j, "pad") : NULL;
		int ti = t != NULL ? atoi(t) : -1, si = s != NULL ? atoi(s) : -1;

		total++;
		/* Each thread's lines arrive whole and in its own order. */
		if (ti < 0 || ti >= THREADS || si != next[ti] || pad == NULL ||
		    (si % 10 == 0 ? strlen(pad) != 2999 || pad[0] != 'a' + ti ||
		    pad[2998] != 'a' + ti : strcmp(pad, "short") != 0))
			bad++;
		else
			next[ti]++;
		json_decref(j);
	}
	free(line);
	fclose(f);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(total, THREADS * PER_THREAD);
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ_INT(next[i], PER_THREAD);
}

/* The whole of the file at path, or NULL. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = calloc(1, 65536)) != NULL) {
		n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

TEST(file_reopened_after_rename)
{
	char dir[] = "/tmp/test_log_XXXXXX", path[64], old[72];
	struct log *lg;
	char *a = NULL, *b = NULL;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/idp.log", dir);
	snprintf(old, sizeof(old), "%s/idp.log.1", dir);
	CHECK(log_open_file(NULL, LOG_INFO) == NULL);
	CHECK(log_open_file("/nonexistent-dir/x.log", LOG_INFO) == NULL);
	lg = log_open_file(path, LOG_INFO);
	CHECK(lg != NULL);
	if (lg == NULL)
		goto done;
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0007, 0);	/* never readable by others */
	log_event(lg, LOG_INFO, "first", NULL);
	CHECK_EQ_INT(rename(path, old), 0);
	log_event(lg, LOG_INFO, "second", NULL);	/* still the old file */
	CHECK_EQ_INT(log_reopen(lg), 0);
	log_event(lg, LOG_INFO, "third", NULL);
	log_free(lg);
	a = slurp(old);
	b = slurp(path);
	CHECK(a != NULL && strstr(a, "\"first\"") && strstr(a, "\"second\"") &&
	    !strstr(a, "\"third\""));
	CHECK(b != NULL && strstr(b, "\"third\"") && !strstr(b, "\"first\""));
	/* A log on the caller's stream has nothing to reopen. */
	lg = log_new(stderr, LOG_INFO);
	CHECK_EQ_INT(log_reopen(lg), 0);
	log_free(lg);
	CHECK_EQ_INT(log_reopen(NULL), -1);
done:
	free(a);
	free(b);
	unlink(path);
	unlink(old);
	rmdir(dir);
}

struct seen {
	int n;
	char event[64], detail[64];
};

static void
observer(void *arg, const char *event, const char *detail)
{
	struct seen *s = arg;

	s->n++;
	snprintf(s->event, sizeof(s->event), "%s", event);
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "(none)");
}

TEST(observer_sees_every_level)
{
	struct mem m;
	struct log *lg;
	struct seen s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(mem_open(&m), 0);
	lg = log_new(m.f, LOG_ERROR);
	log_set_observer(lg, observer, &s);
	log_event(lg, LOG_DEBUG, "auth.password_refused", "addr", "x", "reason",
	    "locked", NULL);
	CHECK_EQ_INT(s.n, 1);
	CHECK_STR(s.event, "auth.password_refused");
	CHECK_STR(s.detail, "locked");
	log_event(lg, LOG_INFO, "airport.verify", "result", "revoked", "reason",
	    "ignored", NULL);
	CHECK_STR(s.detail, "revoked");
	log_event(lg, LOG_INFO, "plain", "k", "v", NULL);
	CHECK_EQ_INT(s.n, 3);
	CHECK_STR(s.detail, "(none)");
	log_event(lg, LOG_INFO, NULL, NULL);
	CHECK_EQ_INT(s.n, 3);
	fflush(m.f);
	CHECK_EQ_INT(m.len, 0);	/* all below the level: nothing written */
	log_set_observer(lg, NULL, NULL);
	log_event(lg, LOG_ERROR, "after", NULL);
	CHECK_EQ_INT(s.n, 3);
	log_free(lg);
	mem_close(&m);
}

T_MAIN(T(file_reopened_after_rename), T(observer_sees_every_level),
    T(one_json_line_per_event), T(timestamp_is_utc_now_with_millis),
    T(levels_below_min_dropped), T(awkward_values), T(nothing_without_event_or_log),
    T(level_parse), T(mask_id), T(threads_write_whole_lines))
