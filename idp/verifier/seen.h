/*
 * seen: the offline verifier's replay store, one small text file per
 * verifier ("jti seen_at" per line) of the presentation ids it accepted.
 * Check-and-record holds an exclusive lock on the file, so verifiers run
 * in parallel on one store accept an id once; ids older than the keep time
 * are pruned on every write, and the file holds at most SEEN_MAX ids.
 */
#ifndef VERIFIER_SEEN_H
#define VERIFIER_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define SEEN_MAX 100000
#define SEEN_REPLAYED 1

/*
 * Records `jti` as seen at `now` in the store at `path` (created when
 * missing), dropping ids older than now - keep: 0, SEEN_REPLAYED when it
 * was there already, or -1 with a reason in err[errsz].
 */
int seen_check_and_record(const char *path, const char *jti, int64_t now,
    int64_t keep, char *err, size_t errsz) WUR;

#endif
