-- The audit trail (issue 8): an append-only, hash-chained log of security
-- events, each appended in the transaction of the event it records, and
-- the signed checkpoints over it. Personal IDs appear only as keyed-hash
-- pseudonyms. Each hash is BLAKE2b-256 over the entry's canonical fields
-- and the previous hash (see idp/audit.h for the encoding).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,              -- 1, 2, 3, ... without gaps
    at INTEGER NOT NULL,                  -- unix seconds
    event TEXT NOT NULL,                  -- e.g. login_success
    actor TEXT NOT NULL,                  -- citizen:<pseudonym>, officer:<id>, client:<id>, operator, system
    subject TEXT NOT NULL,                -- the pseudonym of the personal ID, or ''
    details TEXT NOT NULL,                -- canonical JSON, no secrets
    prev_hash TEXT NOT NULL,              -- hex; 64 zeros for the first entry
    hash TEXT NOT NULL                    -- hex BLAKE2b-256
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_checkpoints (
    seq INTEGER PRIMARY KEY,              -- the last entry covered
    at INTEGER NOT NULL,                  -- unix seconds
    hash TEXT NOT NULL,                   -- that entry's hash
    signature TEXT NOT NULL,              -- compact JWS (EdDSA) of {seq, at, hash}
    kid TEXT NOT NULL                     -- the audit key that signed it
);
