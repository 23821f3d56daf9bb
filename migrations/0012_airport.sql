-- Online verification of airport presentations (DESIGN section 7): the
-- presentation ids seen (each accepted once; kept past the 60-second iat
-- window, then pruned) and the citizen's disclosure log (which airport saw
-- which attributes, when), written in the same transaction as the id.
CREATE TABLE airport_seen (
    jti TEXT PRIMARY KEY,                 -- the presentation's jti
    seen_at INTEGER NOT NULL              -- unix seconds
) WITHOUT ROWID;
CREATE INDEX airport_seen_at ON airport_seen (seen_at);

CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    client_id TEXT NOT NULL,              -- the airport client
    client_name TEXT NOT NULL,            -- its name at the time
    attributes TEXT NOT NULL,             -- claim names, space separated
    at INTEGER NOT NULL,                  -- unix seconds
    purpose TEXT NOT NULL CHECK (purpose IN ('airport_verify'))
);
CREATE INDEX disclosures_account ON disclosures (account_id, at);
