/*
 * lockout: the arithmetic of password-failure throttling, pure. The first
 * LOCKOUT_FREE consecutive failures cost nothing; from then on each attempt
 * must wait a delay that starts at LOCKOUT_BASE seconds and doubles with
 * every further failure up to LOCKOUT_CAP; LOCKOUT_HARD failures lock the
 * account until its holder proves the phone by SMS (NIST SP 800-63B
 * 5.2.2 allows at most 100).
 */
#ifndef IDP_LOCKOUT_H
#define IDP_LOCKOUT_H

#include <stdbool.h>
#include <stdint.h>

#define LOCKOUT_FREE 5
#define LOCKOUT_BASE 30
#define LOCKOUT_CAP 900
#define LOCKOUT_HARD 100

/* The delay that `failures` consecutive failures impose, in seconds. */
int64_t lockout_delay(int failures);
/* Seconds still to wait at `now` after the last of `failures` at `last_at`; 0 when none. */
int64_t lockout_wait(int failures, int64_t last_at, int64_t now);
/* Whether `failures` consecutive failures lock the account. */
bool lockout_hard(int failures);

#endif
