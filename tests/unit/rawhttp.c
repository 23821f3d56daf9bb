/*
 * rawhttp: socket I/O and response parsing for tests.
 */
#include "rawhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int
conn_open(struct conn *c, uint16_t port)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };

	c->len = 0;
	c->eof = false;
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int
send_all(struct conn *c, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
sendf(struct conn *c, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return send_all(c, buf, (size_t)n);
}

/* Reads more into the buffer; -1 on timeout, error or a full buffer. */
int
fill(struct conn *c)
{
	ssize_t r;

	if (c->len == sizeof(c->buf))
		return -1;
	do
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0) {
		c->eof = true;
		return -1;
	}
	c->len += (size_t)r;
	return 0;
}

void
consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* Header `name` of a response, into val; NULL when absent. `nth` from 0. */
const char *
header_nth(const struct resp *r, const char *name, int nth, char *val, size_t valsz)
{
	const char *p = strstr(r->head, "\r\n");
	size_t nl = strlen(name);

	while (p != NULL && p[2] != '\0') {
		const char *line = p + 2, *end = strstr(line, "\r\n");
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

		if (len > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':' &&
		    nth-- == 0) {
			const char *v = line + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(val, valsz, "%.*s", (int)(line + len - v), v);
			return val;
		}
		p = end;
	}
	return NULL;
}

const char *
header(const struct resp *r, const char *name, char *val, size_t valsz)
{
	return header_nth(r, name, 0, val, valsz);
}

void
resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* Reads one response; head_only for HEAD requests. 0 or -1. */
int
read_response(struct conn *c, struct resp *r, bool head_only)
{
	char *end, val[64];
	size_t hlen, clen = 0;
	bool has_len, chunked, closes;

	memset(r, 0, sizeof(*r));
	for (;;) {
		c->buf[c->len < sizeof(c->buf) ? c->len : sizeof(c->buf) - 1] = '\0';
		if ((end = strstr(c->buf, "\r\n\r\n")) != NULL)
			break;
		if (fill(c) != 0)
			return -1;
	}
	hlen = (size_t)(end - c->buf) + 2;
	if (hlen >= sizeof(r->head))
		return -1;
	memcpy(r->head, c->buf, hlen);
	r->head[hlen] = '\0';
	consume(c, hlen + 2);
	if (sscanf(r->head, "HTTP/1.1 %d ", &r->status) != 1)
		return -1;
	has_len = header(r, "Content-Length", val, sizeof(val)) != NULL;
	if (has_len)
		clen = strtoul(val, NULL, 10);
	chunked = header(r, "Transfer-Encoding", val, sizeof(val)) != NULL &&
	    strcasecmp(val, "chunked") == 0;
	closes = header(r, "Connection", val, sizeof(val)) != NULL &&
	    strcasecmp(val, "close") == 0;
	if (head_only || r->status == 204 || r->status == 304)
		clen = 0;
	else if (chunked)
		return -1;	/* not expected from these handlers */
	else if (!has_len && closes) {
		while (fill(c) == 0)
			;
		clen = c->len;
	}
	while (c->len < clen)
		if (fill(c) != 0)
			return -1;
	if ((r->body = malloc(clen + 1)) == NULL)
		return -1;
	memcpy(r->body, c->buf, clen);
	r->body[clen] = '\0';
	r->body_len = clen;
	consume(c, clen);
	return 0;
}
