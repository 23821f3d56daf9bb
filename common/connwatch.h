/*
 * connwatch: a deadline for each request to arrive whole. libmicrohttpd's
 * connection timeout counts idle time only, so a client sending one byte
 * every few seconds keeps a connection forever (slowloris). connwatch keeps
 * the sockets of open connections with the time their current request
 * began to arrive; a thread shuts down (shutdown(2), both ways) each socket
 * whose request is not in after `deadline` seconds, and libmicrohttpd then
 * closes the connection as it would for a client that left.
 *
 * Callers: connwatch_add when a connection opens and connwatch_remove when
 * it closes (before its socket is closed, so the socket is never reused
 * under the watch); connwatch_arm when a request begins to arrive (the
 * connection opened, or the previous answer was sent), connwatch_disarm
 * once it is in (read whole, or answered early).
 */
#ifndef COMMON_CONNWATCH_H
#define COMMON_CONNWATCH_H

#include "base.h"

struct connwatch;
struct connwatch_entry;

/* Starts the watch thread: 0 with *out, or -1. deadline_ms > 0. */
int connwatch_new(unsigned deadline_ms, struct connwatch **out) WUR;
/* Stops the thread; entries still added are freed. */
void connwatch_free(struct connwatch *);
/* Watches socket fd, armed from now; NULL when out of memory (unwatched). */
struct connwatch_entry *connwatch_add(struct connwatch *, int fd);
void connwatch_remove(struct connwatch *, struct connwatch_entry *);
void connwatch_arm(struct connwatch_entry *);
void connwatch_disarm(struct connwatch_entry *);
/* Sockets shut down so far (for tests and metrics). */
unsigned long connwatch_cut_count(struct connwatch *);

#endif
