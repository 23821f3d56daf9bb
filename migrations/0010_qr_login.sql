-- Device-key sign-in by QR code (DESIGN sections 5 and 6): the login page
-- shows a transaction, the citizen's level-2 app approves or denies it, and
-- the browser that showed it (and only that one) turns an approval into a
-- level-2 session, once, within 120 seconds.
CREATE TABLE qr_logins (
    id TEXT PRIMARY KEY,                  -- random, base64url; in the QR code
    browser_hash TEXT NOT NULL,           -- BLAKE2b-256 (hex) of the browser's cookie secret
    client_id TEXT,                       -- the portal asking, when from an OIDC request
    req_id TEXT,                          -- the parked authorization request, or NULL
    created_at INTEGER NOT NULL,          -- unix seconds
    expires_at INTEGER NOT NULL,          -- created_at + 120
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
        ('pending', 'approved', 'denied', 'consumed')),
    account_id TEXT REFERENCES accounts (account_id),  -- who decided
    device_id TEXT REFERENCES devices (device_id),     -- with which device
    approved_at INTEGER                   -- when decided
);
CREATE INDEX qr_logins_expiry ON qr_logins (expires_at);
