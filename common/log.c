/*
 * log: JSON lines over jansson, to a stream or a reopenable file, with an
 * observer that sees every event (the metrics count them).
 */
#include "log.h"

#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct log {
	FILE *out;
	enum log_level min;
	pthread_mutex_t lock;
	char *path;		/* the file log_open_file opened; NULL: the caller's */
	log_observer_fn observer;
	void *observer_arg;
};

static const char *const level_names[] = { "debug", "info", "warn", "error" };

struct log *
log_new(FILE *out, enum log_level min)
{
	struct log *lg;

	if (out == NULL)
		return NULL;
	if ((lg = calloc(1, sizeof(*lg))) == NULL)
		return NULL;
	lg->out = out;
	lg->min = min;
	pthread_mutex_init(&lg->lock, NULL);
	return lg;
}

static FILE *
open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	FILE *f;

	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "a")) == NULL)
		close(fd);
	return f;
}

struct log *
log_open_file(const char *path, enum log_level min)
{
	struct log *lg;
	FILE *f;

	if (path == NULL || (f = open_append(path)) == NULL)
		return NULL;
	if ((lg = log_new(f, min)) == NULL || (lg->path = strdup(path)) == NULL) {
		log_free(lg);
		fclose(f);
		return NULL;
	}
	return lg;
}

int
log_reopen(struct log *lg)
{
	FILE *f, *old;

	if (lg == NULL)
		return -1;
	if (lg->path == NULL)
		return 0;
	if ((f = open_append(lg->path)) == NULL)
		return -1;
	pthread_mutex_lock(&lg->lock);
	old = lg->out;
	lg->out = f;
	pthread_mutex_unlock(&lg->lock);
	fclose(old);
	return 0;
}

void
log_set_observer(struct log *lg, log_observer_fn fn, void *arg)
{
	if (lg == NULL)
		return;
	lg->observer = fn;
	lg->observer_arg = arg;
}

void
log_free(struct log *lg)
{
	if (lg == NULL)
		return;
	if (lg->path != NULL) {
		fclose(lg->out);
		free(lg->path);
	}
	pthread_mutex_destroy(&lg->lock);
	free(lg);
}

int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
		if (name != NULL && strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void
timestamp(char buf[64])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* Hands the event and its "reason" or "result" value to the observer. */
static void
observe(struct log *lg, const char *event, va_list ap)
{
	const char *k, *v, *detail = NULL;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (detail == NULL && (strcmp(k, "reason") == 0 ||
		    strcmp(k, "result") == 0))
			detail = v;
	}
	lg->observer(lg->observer_arg, event, detail);
}

void
log_event(struct log *lg, enum log_level level, const char *event, ...)
{
	char ts[64];
	json_t *o;
	char *line;
	va_list ap;
	const char *k, *v;

	if (lg == NULL || event == NULL)
		return;
	if (lg->observer != NULL) {
		va_start(ap, event);
		observe(lg, event, ap);
		va_end(ap);
	}
	if (level < lg->min)
		return;
	timestamp(ts);
	o = json_object();
	json_object_set_new(o, "ts", json_string(ts));
	json_object_set_new(o, "level", json_string(level_names[level]));
	json_object_set_new(o, "event", json_string(event));
	va_start(ap, event);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		/* json_string refuses invalid UTF-8; keep the line valid. */
		json_t *s = json_string(v != NULL ? v : "");
		json_object_set_new(o, k, s != NULL ? s : json_string("(invalid)"));
	}
	va_end(ap);
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line == NULL)
		return;
	pthread_mutex_lock(&lg->lock);
	fputs(line, lg->out);
	fputc('\n', lg->out);
	fflush(lg->out);
	pthread_mutex_unlock(&lg->lock);
	free(line);
}

void
log_mask_id(const char *personal_id, char buf[13])
{
	size_t n = personal_id != NULL ? strnlen(personal_id, 12) : 0;

	if (n != 12) {
		strcpy(buf, "(invalid)");
		return;
	}
	memcpy(buf, personal_id, 3);
	memset(buf + 3, '*', 6);
	memcpy(buf + 9, personal_id + 9, 3);
	buf[12] = '\0';
}
