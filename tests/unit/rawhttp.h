/*
 * rawhttp: a minimal HTTP/1.1 client over a TCP socket for tests that must
 * control every byte sent (smuggling, slow or broken requests) and see every
 * byte answered. Owns one connection's read buffer.
 */
#ifndef TESTS_RAWHTTP_H
#define TESTS_RAWHTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

struct conn {
	int fd;
	char buf[256 * 1024];
	size_t len;		/* bytes buffered, not yet consumed */
	bool eof;
};

struct resp {
	int status;
	char head[16384];	/* status line and headers, CRLF-separated */
	char *body;
	size_t body_len;
};

int conn_open(struct conn *c, uint16_t port);
void conn_close(struct conn *c);
int send_all(struct conn *c, const void *data, size_t n);
int sendf(struct conn *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
int fill(struct conn *c);
void consume(struct conn *c, size_t n);
const char *header_nth(const struct resp *r, const char *name, int nth, char *val, size_t valsz);
const char *header(const struct resp *r, const char *name, char *val, size_t valsz);
void resp_free(struct resp *r);
int read_response(struct conn *c, struct resp *r, bool head_only);

#endif
