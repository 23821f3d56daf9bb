-- OpenID Connect (DESIGN section 6): authorization requests waiting for a
-- sign-in or consent, authorization codes, the grants they start, the
-- access and refresh tokens of each grant, and remembered consents.

-- A validated /authorize request parked while the citizen signs in or
-- consents; the browser carries only its random id.
CREATE TABLE authz_requests (
    id TEXT PRIMARY KEY,                  -- random, base64url
    client_id TEXT NOT NULL REFERENCES clients (client_id),
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,                  -- granted subset, space separated
    state TEXT NOT NULL,                  -- '' when absent
    nonce TEXT NOT NULL,
    code_challenge TEXT NOT NULL,         -- S256
    acr_values TEXT NOT NULL,
    prompt TEXT NOT NULL,
    max_age INTEGER NOT NULL,             -- -1 when absent
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- A grant: one authorization of one client by one account, the family of
-- every token issued from one code. Revoking it ends them all.
CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients (client_id),
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    scope TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    amr TEXT NOT NULL,
    acr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX grants_account ON grants (account_id);

CREATE TABLE authz_codes (
    code_hash TEXT PRIMARY KEY,           -- BLAKE2b-256 of the code, hex
    grant_id TEXT NOT NULL REFERENCES grants (id),
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,          -- BLAKE2b-256 of the token, hex
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL REFERENCES grants (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER                       -- a refresh token, once rotated
);
CREATE INDEX tokens_grant ON tokens (grant_id);

CREATE TABLE consents (
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    client_id TEXT NOT NULL REFERENCES clients (client_id),
    scope TEXT NOT NULL,                  -- what was agreed, space separated
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (account_id, client_id)
);
