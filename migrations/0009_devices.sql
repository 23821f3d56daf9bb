-- Device keys of the citizen's phone app (DESIGN sections 1 and 5): each
-- bound device holds an Ed25519 key whose signature authenticates the app's
-- requests; a revoked device stays listed but fails at its next request.
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,           -- random, base64url
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    name TEXT NOT NULL,                   -- chosen by the citizen, shown in lists
    public_key TEXT NOT NULL UNIQUE,      -- Ed25519, 32 bytes, base64url
    created_at INTEGER NOT NULL,          -- unix seconds
    last_used_at INTEGER NOT NULL,        -- created_at until the first signed request
    revoked_at INTEGER                    -- NULL while the device may sign
);
CREATE INDEX devices_account ON devices (account_id);

-- Nonces of signed requests, kept for twice the accepted clock difference:
-- a repeated (device, nonce) pair is a replay.
CREATE TABLE device_nonces (
    device_id TEXT NOT NULL REFERENCES devices (device_id),
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_nonces_expiry ON device_nonces (expires_at);
