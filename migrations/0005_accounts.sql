-- Accounts and pending level-1 registrations (DESIGN section 5). A
-- registration holds the hashed SMS code until it is confirmed, expires or
-- runs out of attempts; confirming it creates the level-1 account.
CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,          -- random, base64url
    personal_id TEXT NOT NULL UNIQUE REFERENCES registry_people (personal_id),
    level INTEGER NOT NULL,               -- 1 or 2
    phone TEXT NOT NULL,                  -- E.164, +84 and 9 digits
    password_hash TEXT NOT NULL,          -- Argon2id string
    status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
    created_at INTEGER NOT NULL           -- unix seconds
);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,                  -- random, base64url
    personal_id TEXT NOT NULL,
    phone TEXT NOT NULL,                  -- E.164
    password_hash TEXT NOT NULL,          -- Argon2id string
    code_hash TEXT NOT NULL,              -- keyed hash of the SMS code
    attempts INTEGER NOT NULL DEFAULT 0,  -- wrong codes so far
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL,
    consumed_at INTEGER                   -- NULL until confirmed
);

CREATE INDEX registrations_personal_id ON registrations (personal_id);
