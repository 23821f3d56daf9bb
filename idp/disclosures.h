/*
 * disclosures: the citizen's disclosure log. Owns the table disclosures:
 * one row per release of personal attributes (when, to which client and
 * its display name then, which claim names, through which channel, and the
 * request's purpose where the client registered one). Every releasing path
 * calls disclosures_record inside the transaction that reads what it
 * releases, so an answer never goes out without its row.
 *
 * Channels: DISC_AIRPORT (an accepted airport presentation: its six
 * attributes) and DISC_USERINFO (the claims of the userinfo answer besides
 * sub). An ID token carries sub, acr, amr and auth_time only; the pairwise
 * sub is no personal attribute, so it releases nothing and writes no row.
 * Introspection answers sub and scope only, likewise no row.
 */
#ifndef IDP_DISCLOSURES_H
#define IDP_DISCLOSURES_H

#include <stdbool.h>
#include <stdint.h>

#include "base.h"
#include "db.h"

#define DISC_AIRPORT "airport_verify"
#define DISC_USERINFO "userinfo"

struct disclosure {
	char client_id[48];
	char client_name[128];
	char attributes[256];		/* claim names, space separated */
	char channel[32];
	char purpose[256];		/* "" when none */
	int64_t at;
};

/*
 * Records one release, in the caller's transaction on c. `attributes` are
 * claim names, space separated, never empty; `purpose` may be "".
 */
int disclosures_record(struct db_conn *c, const char *account_id,
    const char *client_id, const char *client_name, const char *attributes,
    const char *channel, const char *purpose, int64_t now) WUR;

/*
 * Whether a release of exactly `attributes` to `client_id` through
 * `channel` was recorded for `account_id` at `since` or later (*found).
 */
int disclosures_recorded_since(struct db_conn *c, const char *account_id,
    const char *client_id, const char *channel, const char *attributes,
    int64_t since, bool *found) WUR;

/*
 * Calls fn for the releases of `account_id`, newest first, skipping
 * `offset` and at most `limit`; only those to `client_id` unless it is
 * NULL or "". DB_OK, or a db_err (stops when fn returns non-zero: DB_OK).
 */
int disclosures_foreach(struct db *, const char *account_id,
    const char *client_id, int64_t offset, int64_t limit,
    int (*fn)(const struct disclosure *, void *), void *arg) WUR;

/* Same, on a connection the caller holds. */
int disclosures_foreach_conn(struct db_conn *, const char *account_id,
    const char *client_id, int64_t offset, int64_t limit,
    int (*fn)(const struct disclosure *, void *), void *arg) WUR;

#endif
