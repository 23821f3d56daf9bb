-- Level-2 enrollment at an officer's desk (DESIGN sections 4 and 5): the
-- officers who may enroll, the audit of every enrollment, and the one-time
-- activation codes that bind the citizen's app to the account afterwards.

-- An officer's token is shown once; only its keyed hash is kept. A revoked
-- officer keeps the row, for the audit.
CREATE TABLE officers (
    officer_id TEXT PRIMARY KEY,          -- "o_" + random, base64url
    name TEXT NOT NULL,
    office TEXT NOT NULL,
    token_hash TEXT NOT NULL,             -- keyed BLAKE2b-256 of the token, hex
    created_at INTEGER NOT NULL,
    revoked_at INTEGER                    -- NULL while the token works
);

-- One row per completed enrollment. The personal ID is kept masked (the
-- account row links to the person); the biometric digest is the latest
-- row's for the account.
CREATE TABLE enrollments (
    id TEXT PRIMARY KEY,                  -- random, base64url
    officer_id TEXT NOT NULL REFERENCES officers (officer_id),
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    personal_id_masked TEXT NOT NULL,     -- as log_mask_id writes it
    card_number TEXT NOT NULL,            -- the card whose chip was read
    biometric_digest TEXT NOT NULL,       -- 64 lowercase hex, as the desk sent it
    previous_level INTEGER NOT NULL,      -- 0 when the account was created
    enrolled_at INTEGER NOT NULL          -- unix seconds
);
CREATE INDEX enrollments_account ON enrollments (account_id);

-- Activation codes: 100 random bits, stored as a hash, single use.
CREATE TABLE activation_codes (
    code_hash TEXT PRIMARY KEY,           -- BLAKE2b-256 of the normalised code, hex
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    issued_by TEXT NOT NULL,              -- an officer_id, or "device:<id>"
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER                       -- NULL until redeemed
);
CREATE INDEX activation_codes_account ON activation_codes (account_id);
