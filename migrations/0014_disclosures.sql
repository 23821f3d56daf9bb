-- The disclosure log for every channel (issue 8): each release of personal
-- attributes, whether an airport verification, a userinfo answer or an ID
-- token with claims, gets one row naming the channel, and the purpose the
-- client registered for the request ('' when none). The purpose column of
-- 0012 held the channel under a CHECK that admits airport_verify only; the
-- table is rebuilt (the portable way to lift a CHECK) with the old value
-- moved to channel.
CREATE TABLE disclosures_v2 (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    client_id TEXT NOT NULL,              -- the receiving client
    client_name TEXT NOT NULL,            -- its display name at the time
    attributes TEXT NOT NULL,             -- claim names, space separated
    at INTEGER NOT NULL,                  -- unix seconds
    channel TEXT NOT NULL DEFAULT 'airport_verify',
    purpose TEXT NOT NULL DEFAULT ''      -- the request's purpose, or ''
);
INSERT INTO disclosures_v2 (id, account_id, client_id, client_name,
    attributes, at, channel, purpose)
    SELECT id, account_id, client_id, client_name, attributes, at, purpose, ''
    FROM disclosures;
DROP TABLE disclosures;
ALTER TABLE disclosures_v2 RENAME TO disclosures;
CREATE INDEX disclosures_account ON disclosures (account_id, at);
CREATE INDEX disclosures_client ON disclosures (account_id, client_id, at);
