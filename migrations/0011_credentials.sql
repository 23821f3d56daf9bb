-- Level-2 credentials (DESIGN section 7): the signed statements a bound
-- device holds for airport presentations. The credential itself is not
-- stored, only what revocation and the verifier need: its id, whose it is,
-- the device key it is bound to, and when it was revoked.
CREATE TABLE credentials (
    jti TEXT PRIMARY KEY,                 -- random, base64url; the JWS's jti
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    device_id TEXT NOT NULL REFERENCES devices (device_id),
    issued_at INTEGER NOT NULL,           -- unix seconds
    expires_at INTEGER NOT NULL,          -- issued_at + at most 7 days
    revoked_at INTEGER                    -- NULL while valid
);
CREATE INDEX credentials_account ON credentials (account_id);
CREATE INDEX credentials_device ON credentials (device_id);
CREATE INDEX credentials_revoked ON credentials (revoked_at, expires_at);
