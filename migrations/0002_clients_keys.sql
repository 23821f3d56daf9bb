-- Relying parties (portals, airports, the registry's event feed) and the
-- signing keys, private halves sealed with the master key.
CREATE TABLE clients (
	client_id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('portal', 'airport', 'registry')),
	secret_hash TEXT NOT NULL,
	redirect_uris TEXT NOT NULL,
	post_logout_uris TEXT NOT NULL,
	scope TEXT NOT NULL,
	id_token_alg TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE signing_keys (
	kid TEXT PRIMARY KEY,
	purpose TEXT NOT NULL,
	alg TEXT NOT NULL,
	public_jwk TEXT NOT NULL,
	private_sealed BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	retired_at INTEGER
);

CREATE INDEX signing_keys_purpose ON signing_keys (purpose, alg, created_at);
