/*
 * signins: each account's sign-in history. Owns the signins table: one row
 * per attempt that reached an account (time, outcome, method, the client
 * address truncated by the caller, the user agent cut to 200 bytes), and
 * its listing for the account page.
 */
#ifndef IDP_SIGNINS_H
#define IDP_SIGNINS_H

#include <stdint.h>

#include "base.h"
#include "db.h"

struct signin {
	int64_t at;
	const char *outcome;	/* success, wrong_password, wrong_code, delayed, locked, disabled */
	const char *method;	/* pwd, pwd+sms, pwd+totp */
	const char *addr;
	const char *user_agent;
};

/* Records one attempt in the caller's transaction. */
int signins_record(struct db_conn *c, const char *account_id,
    const struct signin *s) WUR;
/* Calls fn for the newest `limit` attempts of an account, newest first. */
int signins_foreach(struct db_conn *c, const char *account_id, int limit,
    void (*fn)(const struct signin *, void *arg), void *arg) WUR;
/* Attempts of an account with `outcome` at or after `since`. */
int signins_count(struct db_conn *c, const char *account_id,
    const char *outcome, int64_t since, int *n) WUR;

#endif
