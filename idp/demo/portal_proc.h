/*
 * portal_proc: the demo portal as a child process of `idp serve --demo`
 * (the `demo-portal` program, which alone links libcurl). Owns the child:
 * starts it with the issuer and port on its command line, reads the base
 * URL it prints as its first line of stdout (bounded, with a timeout),
 * hands it the client id and secret through its stdin (never its command
 * line or environment), and stops it: SIGTERM, a bounded wait, then
 * SIGKILL, and always reaped. The child gets SIGTERM when the thread that
 * started it ends (PR_SET_PDEATHSIG), so it never outlives the server.
 */
#ifndef IDP_DEMO_PORTAL_PROC_H
#define IDP_DEMO_PORTAL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define PORTAL_PROC_NAME "demo-portal"
#define PORTAL_PROC_URL_MAX 64

struct portal_proc;

struct portal_proc_opts {
	const char *path;	/* the program to run */
	const char *issuer;	/* --issuer */
	uint16_t port;		/* --port; the child takes any free one if busy */
	const char *log_level;	/* --log-level when not NULL */
	const char *log_file;	/* --log-file when not NULL (else stderr) */
	unsigned start_ms;	/* wait for the URL line; 0: 30,000 */
	unsigned stop_ms;	/* wait after SIGTERM before SIGKILL; 0: 5,000 */
};

/*
 * Runs the program and waits for its first line, "http://127.0.0.1:PORT".
 * -1 with err when it cannot be run, ends, says something else, or says
 * nothing in time (the child is then stopped and reaped).
 */
int portal_proc_start(const struct portal_proc_opts *, struct portal_proc **out,
    char *err, size_t errsz) WUR;
/* "http://127.0.0.1:PORT", as the child printed it. */
const char *portal_proc_url(const struct portal_proc *);
/* The child's process id. */
int portal_proc_pid(const struct portal_proc *);
/*
 * Writes "CLIENT_ID\nSECRET\n" to the child's stdin and closes it (once).
 * -1 with err when the child is gone or the values cannot be sent.
 */
int portal_proc_send_client(struct portal_proc *, const char *client_id,
    const char *secret, char *err, size_t errsz) WUR;
/* Passes SIGHUP on (the child reopens its log file). */
void portal_proc_hangup(struct portal_proc *);
/*
 * Reaps the child if it has ended: true then, with a description of how
 * in why[whysz]. For a SIGCHLD while the server runs.
 */
bool portal_proc_ended(struct portal_proc *, char *why, size_t whysz);
/* Stops (SIGTERM, then SIGKILL after stop_ms), reaps and frees. NULL is fine. */
void portal_proc_stop(struct portal_proc *);

/* `name` in the directory of the running program (/proc/self/exe). -1 when
 * it does not fit or the link cannot be read. */
int portal_proc_beside_self(const char *name, char *out, size_t outsz) WUR;

#endif
