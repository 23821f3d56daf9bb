/*
 * sms: the SMS gateway. Owns the gateway interface (a send function and its
 * state), the default gateway, which writes each message to the sms_outbox
 * table on the caller's connection (so a code and its message commit or roll
 * back together), and the reads of that table: the per-phone count behind
 * "at most 10 codes per phone per hour" and the listing for `idp sms list`.
 */
#ifndef IDP_SMS_H
#define IDP_SMS_H

#include <stdint.h>

#include "base.h"
#include "db.h"

enum sms_err {
	SMS_BAD_PHONE = -20,	/* not an accepted Vietnamese mobile number */
	SMS_BAD_MESSAGE = -21,	/* empty body or purpose */
};

struct sms_gateway {
	/*
	 * Sends `body` to `phone` (any form phone_normalize accepts) for
	 * `purpose` ("registration", "login", ...) as of `now`: DB_OK, a
	 * db_err, or an sms_err.
	 */
	int (*send)(void *gw, const char *phone, const char *body,
	    const char *purpose, int64_t now);
	void *gw;
};

/* The default gateway: the outbox, written on `c` (in the caller's transaction). */
struct sms_gateway sms_outbox_gateway(struct db_conn *c);

/* Sends through `g`. */
int sms_send(const struct sms_gateway *g, const char *phone, const char *body,
    const char *purpose, int64_t now) WUR;

/* Into *n the outbox messages to `phone` at or after `since`. */
int sms_count_since(struct db_conn *c, const char *phone, int64_t since,
    int *n) WUR;

/*
 * Calls fn for each outbox message, oldest first (ties in the order
 * written), only those to `phone` (any accepted form) unless it is NULL.
 */
int sms_foreach(struct db *db, const char *phone,
    void (*fn)(int64_t at, const char *phone, const char *body, void *arg),
    void *arg) WUR;

#endif
