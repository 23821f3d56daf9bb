/*
 * airport: the online verifier's state and live checks (DESIGN section 7).
 * Owns the tables airport_seen (presentation ids accepted, kept at least
 * AIRPORT_SEEN_KEEP seconds, which covers the iat window either side, then
 * pruned every AIRPORT_PRUNE_EVERY seconds); the disclosure entries go
 * through disclosures_record. After
 * presentation_check has accepted a presentation, airport_verify runs the
 * checks that need the database, in this order:
 *
 *   deceased (registry) -> account_locked (live account: locked or
 *   disabled) -> revoked (credential) -> replayed
 *
 * The registry and the account come before revocation because a death or a
 * lock also revokes the person's credentials, and the specific reason is the
 * useful one. The last step records the presentation jti (an INSERT whose
 * primary key makes check-and-record atomic) and the disclosure entry. The
 * reads and the record are one write transaction: the account, registry and
 * credential rows the verdict rests on cannot change between the checks and
 * the record, a replay never writes a disclosure, and a request costs one
 * transaction instead of one per read.
 */
#ifndef IDP_AIRPORT_H
#define IDP_AIRPORT_H

#include <jansson.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "presentation.h"

#define AIRPORT_SEEN_KEEP (3 * PRES_IAT_WINDOW)
#define AIRPORT_PRUNE_EVERY 10		/* seconds between prunings */

/*
 * The live checks and the record for presentation r (PRES_ACCEPTED by
 * presentation_check), asked by airport client (client_id, client_name) as
 * of `now`: DB_OK with the verdict in r->reason (PRES_ACCEPTED, PRES_DECEASED,
 * PRES_ACCOUNT_LOCKED, PRES_REVOKED or PRES_REPLAYED), or a db_err.
 */
int airport_verify(struct db *, struct pres_result *r, const char *client_id,
    const char *client_name, int64_t now) WUR;

/*
 * The disclosure log of `account_id`, newest first, as a new JSON array of
 * {"client_id", "client_name", "attributes": [...], "at", "channel",
 * "purpose"}.
 */
int airport_disclosures(struct db_conn *, const char *account_id,
    json_t **out) WUR;

#endif
