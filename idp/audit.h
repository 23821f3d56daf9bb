/*
 * audit: the audit trail. Owns audit_log and audit_checkpoints: appending
 * an entry inside the caller's transaction, verifying the hash chain and
 * the signed checkpoints, making a checkpoint, and exporting entries.
 *
 * Each entry's hash is BLAKE2b-256 over the tag "dinhdanh-audit-v1" and
 * then, for each of seq, at (both in decimal), event, actor, subject,
 * details and prev_hash (hex), its length as 8 bytes big-endian followed
 * by its bytes. prev_hash is the previous entry's hash, 64 zeros for the
 * first. details is JSON text, compact with sorted keys ("{}" when none).
 *
 * The subject is a pseudonym: hex BLAKE2b-256 of the personal ID keyed
 * with seal_subkey("audit-pseudonym"); the personal ID itself is never
 * stored. A checkpoint is an EdDSA compact JWS, by the current key of
 * purpose "audit", of {"seq", "at", "hash"} for the last entry; `idp
 * serve` makes one at an interval through the checkpointer.
 */
#ifndef IDP_AUDIT_H
#define IDP_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "seal.h"

#define AUDIT_KEYS "audit"
#define AUDIT_HASH_HEX 65	/* 64 hex digits and NUL */

/*
 * Appends an entry in the caller's transaction on `c`. actor is e.g.
 * "officer:<id>", "client:<id>", "operator" or "system"; the actor
 * "citizen" is stored as "citizen:<pseudonym of personal_id>".
 * personal_id may be NULL (no subject); details (borrowed) may be NULL
 * and must hold no secret and no personal ID.
 */
int audit_append(struct db_conn *c, const struct seal *seal, const char *event,
    const char *actor, const char *personal_id, json_t *details, int64_t now)
    WUR;

/* The pseudonym of a personal ID, as audit_append stores it. */
void audit_pseudonym(const struct seal *seal, const char *personal_id,
    char out[AUDIT_HASH_HEX]);

/*
 * Checks the whole chain and every checkpoint. DB_OK with *n entries when
 * intact; 1 when broken, with *first_bad the first broken entry (or the
 * checkpoint's seq) and reason[reasonsz] saying what is wrong; or a db_err.
 */
int audit_verify(struct db *db, int64_t *n, int64_t *first_bad, char *reason,
    size_t reasonsz) WUR;

/*
 * Signs a checkpoint over the last entry with the audit key (made on first
 * use). *seq receives the entry covered (0 when the log is empty: no
 * checkpoint is made).
 */
int audit_checkpoint(struct db *db, const struct seal *seal, int64_t now,
    int64_t *seq) WUR;

/* Whether entries were appended after the last checkpoint (DB_OK, *pending). */
int audit_pending(struct db *db, bool *pending) WUR;

/*
 * A thread that, every `seconds`, makes a checkpoint as of clock_now(clock)
 * when audit_pending says so; failures are logged to `lg` (may be NULL).
 * db, seal, clock and lg are borrowed until audit_checkpointer_stop, which
 * ends the thread (at once) and frees it; stop(NULL) does nothing.
 */
struct audit_checkpointer;
int audit_checkpointer_start(struct db *db, const struct seal *seal,
    const struct clock *clock, unsigned seconds, struct log *lg,
    struct audit_checkpointer **out) WUR;
void audit_checkpointer_stop(struct audit_checkpointer *);

/* Writes the entries at or after `since` to `out`, one JSON object a line. */
int audit_export(struct db *db, int64_t since, FILE *out) WUR;

#endif
