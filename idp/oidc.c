/*
 * oidc: parked requests, grants, codes and tokens.
 */
#include "oidc.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"

#define HASH_HEX 65

static const char SQL_REQ_INSERT[] =
    "INSERT INTO authz_requests (id, client_id, redirect_uri, scope, state, "
    "nonce, code_challenge, acr_values, prompt, max_age, created_at, "
    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_REQ_GET[] =
    "SELECT client_id, redirect_uri, scope, state, nonce, code_challenge, "
    "acr_values, prompt, max_age, created_at, expires_at "
    "FROM authz_requests WHERE id = ?";
static const char SQL_REQ_DROP[] = "DELETE FROM authz_requests WHERE id = ?";
static const char SQL_GRANT_INSERT[] =
    "INSERT INTO grants (id, client_id, account_id, scope, auth_time, amr, "
    "acr, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_CODE_INSERT[] =
    "INSERT INTO authz_codes (code_hash, grant_id, redirect_uri, "
    "code_challenge, nonce, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
#define GRANT_COLS "g.id, g.client_id, g.account_id, g.scope, g.auth_time, " \
    "g.amr, g.acr, g.created_at, g.revoked_at IS NOT NULL, " \
    "(SELECT status FROM accounts a WHERE a.account_id = g.account_id) = 'active'"
static const char SQL_CODE_GET[] =
    "SELECT " GRANT_COLS ", c.redirect_uri, c.code_challenge, c.nonce, "
    "c.expires_at, c.used_at IS NOT NULL FROM authz_codes c "
    "JOIN grants g ON g.id = c.grant_id WHERE c.code_hash = ?";
static const char SQL_CODE_USE[] =
    "UPDATE authz_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO tokens (token_hash, kind, grant_id, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?)";
static const char SQL_TOKEN_GET[] =
    "SELECT " GRANT_COLS ", t.kind, t.created_at, t.expires_at, "
    "t.used_at IS NOT NULL FROM tokens t JOIN grants g ON g.id = t.grant_id "
    "WHERE t.token_hash = ?";
static const char SQL_TOKEN_USE[] =
    "UPDATE tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL";
static const char SQL_TOKEN_DROP[] = "DELETE FROM tokens WHERE token_hash = ?";
static const char SQL_GRANT_REVOKE[] =
    "UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char SQL_GRANTS_REVOKE[] =
    "UPDATE grants SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL";
static const char SQL_CLIENT_GRANTS_REVOKE[] =
    "UPDATE grants SET revoked_at = ? WHERE account_id = ? AND client_id = ? "
    "AND revoked_at IS NULL";
static void
rand_id(char out[OIDC_ID_SIZE])
{
	(void)b64_random(out, OIDC_ID_SIZE, 32);
}

/* Tokens and codes are 256-bit random: an unkeyed hash hides them. */
static void
hash_hex(const char *token, char out[HASH_HEX])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), (const uint8_t *)token, strlen(token),
	    NULL, 0);
	sodium_bin2hex(out, HASH_HEX, h, sizeof(h));
}

static bool
token_shaped(const char *t)
{
	return t != NULL && strlen(t) == OIDC_ID_SIZE - 1;
}

static int
col(sqlite3_stmt *st, int i, char *buf, size_t n)
{
	return db_column_text(st, i, buf, n) == 0 ? 0 : -1;
}

static int
bind_texts(sqlite3_stmt *st, const char *const *v, int n)
{
	for (int i = 0; i < n; i++)
		if (db_bind_text(st, i + 1, v[i]) != DB_OK)
			return -1;
	return 0;
}

/* Runs fn in one IMMEDIATE transaction; commits on DB_OK or when *keep. */
typedef int (*tx_fn)(struct db_conn *, void *arg, bool *keep);

static int
run_tx(struct db *db, tx_fn fn, void *arg)
{
	struct db_conn *c = db_acquire(db);
	bool keep = false;
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	rc = fn(c, arg, &keep);
	if (rc == DB_OK || keep) {
		int crc = db_commit(c);
		rc = crc != DB_OK ? crc : rc;
	} else {
		db_rollback(c);
	}
fail:
	db_release(db, c);
	return rc;
}

/* ---- parked requests ---- */

int
oidc_request_save(struct db *db, struct oidc_request *rq, int64_t now)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || rq == NULL)
		return DB_ERR;
	rand_id(rq->id);
	rq->created_at = now;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	st = db_stmt(c, SQL_REQ_INSERT);
	if (st != NULL && bind_texts(st, (const char *const[]){ rq->id,
	    rq->client_id, rq->redirect_uri, rq->scope, rq->state, rq->nonce,
	    rq->code_challenge, rq->acr_values, rq->prompt }, 9) == 0 &&
	    db_bind_int64(st, 10, rq->max_age) == DB_OK &&
	    db_bind_int64(st, 11, now) == DB_OK &&
	    db_bind_int64(st, 12, now + OIDC_REQUEST_TTL) == DB_OK)
		rc = db_step(st);
	db_release(db, c);
	return rc;
}

static int
read_request(sqlite3_stmt *st, struct oidc_request *o, int64_t *expires)
{
	if (col(st, 0, o->client_id, sizeof(o->client_id)) ||
	    col(st, 1, o->redirect_uri, sizeof(o->redirect_uri)) ||
	    col(st, 2, o->scope, sizeof(o->scope)) ||
	    col(st, 3, o->state, sizeof(o->state)) ||
	    col(st, 4, o->nonce, sizeof(o->nonce)) ||
	    col(st, 5, o->code_challenge, sizeof(o->code_challenge)) ||
	    col(st, 6, o->acr_values, sizeof(o->acr_values)) ||
	    col(st, 7, o->prompt, sizeof(o->prompt)))
		return DB_ERR;
	o->max_age = sqlite3_column_int64(st, 8);
	o->created_at = sqlite3_column_int64(st, 9);
	*expires = sqlite3_column_int64(st, 10);
	return DB_OK;
}

int
oidc_request_get(struct db *db, const char *id, int64_t now,
    struct oidc_request *out)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int64_t expires = 0;
	int rc;

	if (db == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (!token_shaped(id))
		return OIDC_NOT_FOUND;
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = DB_ERR;
	if ((st = db_stmt(c, SQL_REQ_GET)) != NULL && db_bind_text(st, 1, id) == DB_OK) {
		rc = db_step(st);
		rc = rc == 1 ? read_request(st, out, &expires) :
		    rc == DB_OK ? OIDC_NOT_FOUND : rc;
		sqlite3_reset(st);
	}
	db_release(db, c);
	if (rc == DB_OK && now > expires)
		rc = OIDC_NOT_FOUND;
	if (rc == DB_OK)
		snprintf(out->id, sizeof(out->id), "%s", id);
	return rc;
}

int
oidc_request_drop(struct db *db, const char *id)
{
	struct db_conn *c;
	sqlite3_stmt *st;
	int rc = DB_ERR;

	if (db == NULL || id == NULL || (c = db_acquire(db)) == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, SQL_REQ_DROP)) != NULL && db_bind_text(st, 1, id) == DB_OK)
		rc = db_step(st);
	db_release(db, c);
	return rc;
}

/* ---- grants, codes, tokens ---- */

struct issue_args {
	const struct oidc_request *rq;
	const struct oidc_authn *a;
	int64_t now;
	char *code;
};

static int
issue_tx(struct db_conn *c, void *arg, bool *keep)
{
	struct issue_args *x = arg;
	char gid[OIDC_ID_SIZE], h[HASH_HEX];
	sqlite3_stmt *st;
	int rc;

	UNUSED(keep);
	rand_id(gid);
	st = db_stmt(c, SQL_GRANT_INSERT);
	if (st == NULL || bind_texts(st, (const char *const[]){ gid,
	    x->rq->client_id, x->a->account_id, x->rq->scope }, 4) != 0 ||
	    db_bind_int64(st, 5, x->a->auth_time) != DB_OK ||
	    db_bind_text(st, 6, x->a->amr) != DB_OK ||
	    db_bind_text(st, 7, x->a->acr) != DB_OK ||
	    db_bind_int64(st, 8, x->now) != DB_OK)
		return DB_ERR;
	if ((rc = db_step(st)) != DB_OK)
		return rc;
	rand_id(x->code);
	hash_hex(x->code, h);
	st = db_stmt(c, SQL_CODE_INSERT);
	if (st == NULL || bind_texts(st, (const char *const[]){ h, gid,
	    x->rq->redirect_uri, x->rq->code_challenge, x->rq->nonce }, 5) != 0 ||
	    db_bind_int64(st, 6, x->now + OIDC_CODE_TTL) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
oidc_code_issue(struct db *db, const struct oidc_request *rq,
    const struct oidc_authn *authn, int64_t now, char code[OIDC_ID_SIZE])
{
	struct issue_args x = { rq, authn, now, code };
	int rc;

	if (db == NULL || rq == NULL || authn == NULL || authn->account_id == NULL ||
	    code == NULL)
		return DB_ERR;
	if ((rc = run_tx(db, issue_tx, &x)) != DB_OK)
		sodium_memzero(code, OIDC_ID_SIZE);
	return rc;
}

/* The grant columns (GRANT_COLS) into g; *revoked and *active as read. */
static int
read_grant(sqlite3_stmt *st, struct oidc_grant *g, bool *revoked, bool *active)
{
	if (col(st, 0, g->id, sizeof(g->id)) ||
	    col(st, 1, g->client_id, sizeof(g->client_id)) ||
	    col(st, 2, g->account_id, sizeof(g->account_id)) ||
	    col(st, 3, g->scope, sizeof(g->scope)) ||
	    col(st, 5, g->amr, sizeof(g->amr)) ||
	    col(st, 6, g->acr, sizeof(g->acr)))
		return DB_ERR;
	g->auth_time = sqlite3_column_int64(st, 4);
	g->created_at = sqlite3_column_int64(st, 7);
	*revoked = sqlite3_column_int(st, 8) != 0;
	*active = sqlite3_column_int(st, 9) != 0;
	return DB_OK;
}

static int
exec_hash(struct db_conn *c, const char *sql, int64_t now, const char *key)
{
	sqlite3_stmt *st = db_stmt(c, sql);

	if (st == NULL || db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, key) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

static int
insert_token(struct db_conn *c, const char *kind, const char *grant,
    int64_t now, int64_t ttl, char out[OIDC_ID_SIZE])
{
	char h[HASH_HEX];
	sqlite3_stmt *st = db_stmt(c, SQL_TOKEN_INSERT);

	rand_id(out);
	hash_hex(out, h);
	if (st == NULL || bind_texts(st, (const char *const[]){ h, kind, grant }, 3) != 0 ||
	    db_bind_int64(st, 4, now) != DB_OK ||
	    db_bind_int64(st, 5, now + ttl) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

/* An access token, and a refresh token when the grant's scope asks. */
static int
issue_tokens(struct db_conn *c, int64_t now, struct oidc_tokens *out)
{
	int rc = insert_token(c, "access", out->grant.id, now, OIDC_ACCESS_TTL,
	    out->access);

	out->refresh[0] = '\0';
	if (rc == DB_OK && oidc_scope_has(out->grant.scope, "offline_access"))
		rc = insert_token(c, "refresh", out->grant.id, now, OIDC_REFRESH_TTL,
		    out->refresh);
	return rc;
}

struct redeem_args {
	const char *client_id, *code, *redirect_uri, *verifier;
	int64_t now;
	struct oidc_tokens *out;
};

struct code_row {
	char redirect_uri[1024], challenge[64];
	int64_t expires;
	bool used, revoked, active;
};

static int
load_code(struct db_conn *c, const char *hash, struct oidc_grant *g,
    struct code_row *r)
{
	sqlite3_stmt *st = db_stmt(c, SQL_CODE_GET);
	int rc;

	if (st == NULL || db_bind_text(st, 1, hash) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		rc = read_grant(st, g, &r->revoked, &r->active);
		if (rc == DB_OK && (col(st, 10, r->redirect_uri, sizeof(r->redirect_uri)) ||
		    col(st, 11, r->challenge, sizeof(r->challenge)) ||
		    col(st, 12, g->nonce, sizeof(g->nonce))))
			rc = DB_ERR;
		r->expires = sqlite3_column_int64(st, 13);
		r->used = sqlite3_column_int(st, 14) != 0;
	} else if (rc == DB_OK)
		rc = OIDC_INVALID_GRANT;
	sqlite3_reset(st);
	return rc;
}

/* RFC 7636 S256: BASE64URL(SHA-256(verifier)) against the challenge. */
static bool
pkce_ok(const char *verifier, const char *challenge)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char enc[64];
	size_t n = verifier != NULL ? strlen(verifier) : 0;

	if (n < 43 || n > 128 || strlen(challenge) != 43)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = verifier[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~'))
			return false;
	}
	crypto_hash_sha256(h, (const uint8_t *)verifier, n);
	(void)b64_encode(enc, sizeof(enc), h, sizeof(h));
	return sodium_memcmp(enc, challenge, 43) == 0;
}

static int
redeem_tx(struct db_conn *c, void *arg, bool *keep)
{
	struct redeem_args *x = arg;
	struct code_row r;
	char h[HASH_HEX];
	int rc;

	hash_hex(x->code, h);
	if ((rc = load_code(c, h, &x->out->grant, &r)) != DB_OK)
		return rc;
	if (strcmp(x->out->grant.client_id, x->client_id) != 0)
		return OIDC_INVALID_GRANT;
	if (r.used) {
		/* A replayed code: whatever it issued is revoked. */
		*keep = exec_hash(c, SQL_GRANT_REVOKE, x->now, x->out->grant.id) == DB_OK;
		return OIDC_REUSED;
	}
	/* Spent now, whatever follows: one try per code. */
	if ((rc = exec_hash(c, SQL_CODE_USE, x->now, h)) != DB_OK)
		return rc;
	if (r.revoked || !r.active || x->now > r.expires ||
	    strcmp(r.redirect_uri, x->redirect_uri) != 0 ||
	    !pkce_ok(x->verifier, r.challenge)) {
		*keep = true;
		return OIDC_INVALID_GRANT;
	}
	return issue_tokens(c, x->now, x->out);
}

int
oidc_code_redeem(struct db *db, const char *client_id, const char *code,
    const char *redirect_uri, const char *verifier, int64_t now,
    struct oidc_tokens *out)
{
	struct redeem_args x = { client_id, code, redirect_uri, verifier, now, out };
	int rc;

	if (db == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (client_id == NULL || redirect_uri == NULL || !token_shaped(code))
		return OIDC_INVALID_GRANT;
	if ((rc = run_tx(db, redeem_tx, &x)) != DB_OK)
		sodium_memzero(out, sizeof(*out));
	return rc;
}

struct token_row {
	bool refresh, used, revoked, active;
	int64_t iat, exp;
};

static int
load_token(struct db_conn *c, const char *token, struct oidc_grant *g,
    struct token_row *t)
{
	char h[HASH_HEX], kind[16];
	sqlite3_stmt *st;
	int rc;

	if (!token_shaped(token))
		return OIDC_NOT_FOUND;
	hash_hex(token, h);
	if ((st = db_stmt(c, SQL_TOKEN_GET)) == NULL || db_bind_text(st, 1, h) != DB_OK)
		return DB_ERR;
	rc = db_step(st);
	if (rc == 1) {
		rc = read_grant(st, g, &t->revoked, &t->active);
		if (rc == DB_OK && col(st, 10, kind, sizeof(kind)))
			rc = DB_ERR;
		t->refresh = strcmp(kind, "refresh") == 0;
		t->iat = sqlite3_column_int64(st, 11);
		t->exp = sqlite3_column_int64(st, 12);
		t->used = sqlite3_column_int(st, 13) != 0;
	} else if (rc == DB_OK)
		rc = OIDC_NOT_FOUND;
	sqlite3_reset(st);
	return rc;
}

struct refresh_args {
	const char *client_id, *refresh;
	int64_t now;
	struct oidc_tokens *out;
};

static int
refresh_tx(struct db_conn *c, void *arg, bool *keep)
{
	struct refresh_args *x = arg;
	struct token_row t;
	char h[HASH_HEX];
	int rc;

	rc = load_token(c, x->refresh, &x->out->grant, &t);
	if (rc == OIDC_NOT_FOUND)
		return OIDC_INVALID_GRANT;
	if (rc != DB_OK)
		return rc;
	if (!t.refresh || strcmp(x->out->grant.client_id, x->client_id) != 0)
		return OIDC_INVALID_GRANT;
	if (t.used) {
		/* A spent refresh token again: the family is compromised. */
		*keep = exec_hash(c, SQL_GRANT_REVOKE, x->now, x->out->grant.id) == DB_OK;
		return OIDC_REUSED;
	}
	if (t.revoked || !t.active || x->now > t.exp)
		return OIDC_INVALID_GRANT;
	hash_hex(x->refresh, h);
	if ((rc = exec_hash(c, SQL_TOKEN_USE, x->now, h)) != DB_OK)
		return rc;
	return issue_tokens(c, x->now, x->out);
}

int
oidc_refresh(struct db *db, const char *client_id, const char *refresh,
    int64_t now, struct oidc_tokens *out)
{
	struct refresh_args x = { client_id, refresh, now, out };
	int rc;

	if (db == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	if (client_id == NULL || refresh == NULL)
		return OIDC_INVALID_GRANT;
	if ((rc = run_tx(db, refresh_tx, &x)) != DB_OK)
		sodium_memzero(out, sizeof(*out));
	return rc;
}

/* The token's row on a connection of its own. */
static int
token_lookup(struct db *db, const char *token, struct oidc_grant *g,
    struct token_row *t)
{
	struct db_conn *c;
	int rc;

	memset(g, 0, sizeof(*g));
	memset(t, 0, sizeof(*t));
	if ((c = db_acquire(db)) == NULL)
		return DB_ERR;
	rc = load_token(c, token, g, t);
	db_release(db, c);
	return rc;
}

static bool
live(const struct token_row *t, int64_t now)
{
	return !t->revoked && t->active && !t->used && now <= t->exp;
}

int
oidc_access_get(struct db *db, const char *token, int64_t now,
    struct oidc_grant *out)
{
	struct token_row t;
	int rc;

	if (db == NULL || out == NULL)
		return DB_ERR;
	if ((rc = token_lookup(db, token, out, &t)) != DB_OK)
		return rc;
	out->token_iat = t.iat;
	return !t.refresh && live(&t, now) ? DB_OK : OIDC_NOT_FOUND;
}

int
oidc_introspect(struct db *db, const char *client_id, const char *token,
    int64_t now, struct oidc_token_info *out)
{
	struct token_row t;
	int rc;

	if (db == NULL || client_id == NULL || out == NULL)
		return DB_ERR;
	memset(out, 0, sizeof(*out));
	rc = token_lookup(db, token, &out->grant, &t);
	if (rc == OIDC_NOT_FOUND)
		return DB_OK;
	if (rc != DB_OK)
		return rc;
	out->active = live(&t, now) && strcmp(out->grant.client_id, client_id) == 0;
	out->refresh = t.refresh;
	out->iat = t.iat;
	out->exp = t.exp;
	if (!out->active)
		memset(&out->grant, 0, sizeof(out->grant));
	return DB_OK;
}

struct revoke_args {
	const char *client_id, *token;
	int64_t now;
};

static int
revoke_tx(struct db_conn *c, void *arg, bool *keep)
{
	struct revoke_args *x = arg;
	struct oidc_grant g;
	struct token_row t;
	char h[HASH_HEX];
	sqlite3_stmt *st;
	int rc;

	UNUSED(keep);
	if ((rc = load_token(c, x->token, &g, &t)) != DB_OK)
		return rc;
	if (strcmp(g.client_id, x->client_id) != 0)
		return OIDC_NOT_FOUND;
	if (t.refresh)
		return exec_hash(c, SQL_GRANT_REVOKE, x->now, g.id);
	hash_hex(x->token, h);
	if ((st = db_stmt(c, SQL_TOKEN_DROP)) == NULL || db_bind_text(st, 1, h) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

int
oidc_revoke(struct db *db, const char *client_id, const char *token,
    int64_t now)
{
	struct revoke_args x = { client_id, token, now };

	if (db == NULL || client_id == NULL || token == NULL)
		return DB_ERR;
	return run_tx(db, revoke_tx, &x);
}

int
oidc_revoke_account(struct db_conn *c, const char *account_id, int64_t now)
{
	if (c == NULL || account_id == NULL)
		return DB_ERR;
	return exec_hash(c, SQL_GRANTS_REVOKE, now, account_id);
}

int
oidc_revoke_client(struct db_conn *c, const char *account_id,
    const char *client_id, int64_t now)
{
	sqlite3_stmt *st;

	if (c == NULL || account_id == NULL || client_id == NULL ||
	    (st = db_stmt(c, SQL_CLIENT_GRANTS_REVOKE)) == NULL ||
	    db_bind_int64(st, 1, now) != DB_OK ||
	    db_bind_text(st, 2, account_id) != DB_OK ||
	    db_bind_text(st, 3, client_id) != DB_OK)
		return DB_ERR;
	return db_step(st);
}

/* ---- scopes ---- */

bool
oidc_scope_has(const char *scope, const char *value)
{
	size_t n = value != NULL ? strlen(value) : 0;
	const char *p = scope;

	if (p == NULL || n == 0)
		return false;
	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, value, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

void
oidc_pairwise_sub(const struct seal *seal, const char *client_id,
    const char *personal_id, char out[OIDC_ID_SIZE])
{
	crypto_generichash_state h;
	uint8_t key[32], sub[32];

	seal_subkey(seal, "pairwise-sub", key);
	crypto_generichash_init(&h, key, sizeof(key), sizeof(sub));
	crypto_generichash_update(&h, (const uint8_t *)client_id, strlen(client_id) + 1);
	crypto_generichash_update(&h, (const uint8_t *)personal_id, strlen(personal_id));
	crypto_generichash_final(&h, sub, sizeof(sub));
	(void)b64_encode(out, OIDC_ID_SIZE, sub, sizeof(sub));
	sodium_memzero(key, sizeof(key));
}
