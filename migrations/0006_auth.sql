-- Authentication state for level-1 accounts (DESIGN section 5): second-factor
-- challenges (SMS codes and TOTP steps), the per-phone code budget, TOTP
-- keys, sessions, sign-in history, and the failure counters on accounts.

-- Pending registrations keep only what the account will need; their code
-- lives in challenges under the same id. Pending rows are short-lived, so
-- the old table (with its code columns) is replaced rather than migrated.
DROP TABLE registrations;
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,                  -- random, base64url; = challenges.id
    personal_id TEXT NOT NULL,
    phone TEXT NOT NULL,                  -- E.164
    password_hash TEXT NOT NULL,          -- Argon2id string
    created_at INTEGER NOT NULL
);

-- A challenge asks for a second factor within a short time: a login, a
-- registration, a self-lock or unlock, a password reset. A decoy (subject
-- '') answers like a real one and never succeeds.
CREATE TABLE challenges (
    id TEXT PRIMARY KEY,                  -- random, base64url; also the code's hash context
    purpose TEXT NOT NULL CHECK (purpose IN
        ('registration', 'login', 'lock', 'unlock', 'reset')),
    subject TEXT NOT NULL,                -- account_id, registration id, or '' (decoy)
    factor TEXT NOT NULL CHECK (factor IN ('sms', 'totp')),
    phone TEXT NOT NULL,                  -- E.164; where SMS codes go
    code_hash TEXT NOT NULL,              -- keyed hash of the SMS code ('' for totp)
    attempts INTEGER NOT NULL DEFAULT 0,  -- wrong codes so far; a resend keeps it
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL,
    consumed_at INTEGER                   -- NULL until used or revoked
);
CREATE INDEX challenges_subject ON challenges (subject);

-- Every code sent, or feigned for a decoy, counted against its phone's
-- hourly budget: decoys spend it like real codes so the budget reveals nothing.
CREATE TABLE code_sends (
    phone TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX code_sends_phone_time ON code_sends (phone, sent_at);

-- TOTP (RFC 6238) keys, sealed. A pending key waits for its first code.
CREATE TABLE totp_keys (
    account_id TEXT PRIMARY KEY REFERENCES accounts (account_id),
    secret_sealed TEXT,                   -- the active key, or NULL
    pending_sealed TEXT,                  -- an enrolment waiting for a code, or NULL
    last_step INTEGER NOT NULL DEFAULT -1,-- the last step accepted; never again
    enabled_at INTEGER
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,             -- BLAKE2b-256 of the token, hex
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    auth_time INTEGER NOT NULL,
    amr TEXT NOT NULL,                    -- RFC 8176 values, space separated
    acr TEXT NOT NULL,
    addr TEXT NOT NULL,                   -- truncated client address
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE signins (
    id INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL,                -- success, wrong_password, wrong_code, ...
    method TEXT NOT NULL,                 -- pwd, pwd+sms, pwd+totp
    addr TEXT NOT NULL,                   -- truncated client address
    user_agent TEXT NOT NULL
);
CREATE INDEX signins_account_time ON signins (account_id, at);

-- Consecutive password failures drive the growing delay and the hard lock.
ALTER TABLE accounts ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN last_failure_at INTEGER NOT NULL DEFAULT 0;
-- Why a locked account is locked: 'self' (the citizen) or 'failures'.
ALTER TABLE accounts ADD COLUMN lock_reason TEXT;
ALTER TABLE accounts ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
