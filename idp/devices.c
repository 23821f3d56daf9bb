/*
 * devices: bound devices, their limit and revocation, and the check of a
 * device-signed request.
 */
#include "devices.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "accounts.h"
#include "audit.h"
#include "b64.h"
#include "credentials.h"

#define SIG_B64_LEN 86		/* 64 bytes */
#define KEY_B64_LEN 43		/* 32 bytes */
#define NONCE_MIN 16
#define NONCE_MAX 64
#define TS_MAX 19

/* The parts of an Authorization: Device header, each NUL-terminated. */
struct dev_auth {
	char id[DEV_ID_SIZE];
	char ts[TS_MAX + 1];
	char nonce[NONCE_MAX + 1];
	char sig[SIG_B64_LEN + 1];
};

static bool
is_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/* Where a parameter's value goes: its field and its allowed lengths. */
static char *
param_slot(struct dev_auth *a, const char *key, size_t klen, size_t *min,
    size_t *max)
{
	if (klen == 2 && strncmp(key, "id", 2) == 0) {
		*min = *max = DEV_ID_SIZE - 1;
		return a->id;
	}
	if (klen == 2 && strncmp(key, "ts", 2) == 0) {
		*min = 1;
		*max = TS_MAX;
		return a->ts;
	}
	if (klen == 5 && strncmp(key, "nonce", 5) == 0) {
		*min = NONCE_MIN;
		*max = NONCE_MAX;
		return a->nonce;
	}
	if (klen == 3 && strncmp(key, "sig", 3) == 0) {
		*min = *max = SIG_B64_LEN;
		return a->sig;
	}
	return NULL;
}

/* One key="value" at *pp into its slot; 0, or -1 when malformed. */
static int
parse_param(struct dev_auth *a, const char **pp)
{
	const char *p = *pp, *key = p, *val;
	size_t klen, vlen, min, max;
	char *slot;

	klen = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	p += klen;
	if (p[0] != '=' || p[1] != '"')
		return -1;
	val = p + 2;
	if ((p = strchr(val, '"')) == NULL)
		return -1;
	vlen = (size_t)(p - val);
	if ((slot = param_slot(a, key, klen, &min, &max)) == NULL ||
	    slot[0] != '\0' || vlen < min || vlen > max)
		return -1;
	if (slot == a->ts ? strspn(val, "0123456789") < vlen : !is_b64url(val, vlen))
		return -1;
	memcpy(slot, val, vlen);
	slot[vlen] = '\0';
	*pp = p + 1;
	return 0;
}

/* Parses the header into *a: 0, or -1 when it is not a whole Device header. */
static int
parse_header(const char *h, struct dev_auth *a)
{
	const char *p = h;

	memset(a, 0, sizeof(*a));
	if (h == NULL || strncasecmp(p, "Device ", 7) != 0)
		return -1;
	p += 7;
	for (;;) {
		p += strspn(p, " \t");
		if (parse_param(a, &p) != 0)
			return -1;
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	if (a->id[0] == '\0' || a->ts[0] == '\0' || a->nonce[0] == '\0' ||
	    a->sig[0] == '\0')
		return -1;
	return 0;
}

char *
devices_signing_input(const char *method, const char *path_with_query,
    const void *body, size_t len, const char *ts, const char *nonce)
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	char d64[64];
	char *out = NULL;
	size_t n;

	if (method == NULL || path_with_query == NULL || ts == NULL ||
	    nonce == NULL || (body == NULL && len > 0))
		return NULL;
	crypto_hash_sha256(digest, body != NULL ? body : (const void *)"", len);
	if (b64_encode(d64, sizeof(d64), digest, sizeof(digest)) == 0)
		return NULL;
	n = strlen(DEV_SIG_CONTEXT) + strlen(method) + strlen(path_with_query) +
	    strlen(d64) + strlen(ts) + strlen(nonce) + 6;
	if ((out = malloc(n)) == NULL)
		return NULL;
	snprintf(out, n, "%s\n%s\n%s\n%s\n%s\n%s", DEV_SIG_CONTEXT, method,
	    path_with_query, d64, ts, nonce);
	return out;
}

/* Decodes a base64url Ed25519 public key: 0, or -1 when it is not one. */
static int
decode_key(const char *b64, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	size_t n = 0;

	if (b64 == NULL || strlen(b64) != KEY_B64_LEN ||
	    b64_decode(pk, crypto_sign_PUBLICKEYBYTES, &n, b64, KEY_B64_LEN) != 0 ||
	    n != crypto_sign_PUBLICKEYBYTES)
		return -1;
	return crypto_core_ed25519_is_valid_point(pk) ? 0 : -1;
}

/* 0 when sig64 is device key pk64's signature of `msg`. */
static int
verify(const char *pk64, const char *sig64, const char *msg)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	size_t n = 0;

	if (decode_key(pk64, pk) != 0 ||
	    b64_decode(sig, sizeof(sig), &n, sig64, strlen(sig64)) != 0 ||
	    n != sizeof(sig))
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)msg,
	    strlen(msg), pk);
}

/* The device `id` into *out and its revocation time (0: active). */
static int
load(struct db_conn *c, const char *id, struct device *out, int64_t *revoked_at)
{
	sqlite3_stmt *st = db_stmt(c, "SELECT account_id, name, public_key, "
	    "created_at, last_used_at, revoked_at FROM devices WHERE device_id = ?");
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, id)) != DB_OK)
		return rc;
	if ((rc = db_step(st)) == DB_OK)
		return DEV_NOT_FOUND;
	if (rc != 1)
		return rc;
	snprintf(out->device_id, sizeof(out->device_id), "%s", id);
	if (db_column_text(st, 0, out->account_id, sizeof(out->account_id)) != 0 ||
	    db_column_text(st, 1, out->name, sizeof(out->name)) != 0 ||
	    db_column_text(st, 2, out->public_key, sizeof(out->public_key)) != 0)
		rc = DB_ERR;
	else
		rc = DB_OK;
	out->created_at = sqlite3_column_int64(st, 3);
	out->last_used_at = sqlite3_column_int64(st, 4);
	*revoked_at = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(st, 5);
	sqlite3_reset(st);
	return rc;
}

/* DB_OK when the account of a device may still use it, else DEV_REVOKED. */
static int
account_active(struct db_conn *c, const char *account_id)
{
	struct account *acc = calloc(1, sizeof(*acc));
	int rc;

	if (acc == NULL)
		return DB_ERR;
	rc = accounts_get(c, account_id, acc);
	if (rc == ACC_NOT_FOUND || (rc == DB_OK && strcmp(acc->status, "active") != 0))
		rc = DEV_REVOKED;
	sodium_memzero(acc, sizeof(*acc));
	free(acc);
	return rc;
}

/* Records the nonce once (DEV_REPLAY the second time) and the use. */
static int
record_use(struct db_conn *c, const struct dev_auth *a, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = devices_prune_nonces(c, now)) != DB_OK)
		return rc;
	if ((st = db_stmt(c, "INSERT INTO device_nonces (device_id, nonce, "
	    "expires_at) VALUES (?, ?, ?)")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, a->id)) != DB_OK ||
	    (rc = db_bind_text(st, 2, a->nonce)) != DB_OK ||
	    (rc = db_bind_int64(st, 3, now + 2 * DEV_SKEW)) != DB_OK)
		return rc;
	if ((rc = db_step(st)) != DB_OK)
		return rc == DB_CONSTRAINT ? DEV_REPLAY : rc;
	if ((st = db_stmt(c, "UPDATE devices SET last_used_at = ? "
	    "WHERE device_id = ?")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_int64(st, 1, now)) != DB_OK ||
	    (rc = db_bind_text(st, 2, a->id)) != DB_OK)
		return rc;
	return db_step(st);
}

/* The checks on one connection, in the caller's transaction. */
static int
check(struct db_conn *c, const struct dev_auth *a, const char *msg,
    int64_t now, struct device *out)
{
	int64_t revoked_at = 0;
	int rc;

	if ((rc = load(c, a->id, out, &revoked_at)) != DB_OK)
		return rc;
	if (verify(out->public_key, a->sig, msg) != 0)
		return DEV_BAD_SIGNATURE;
	if (revoked_at != 0)
		return DEV_REVOKED;
	if ((rc = account_active(c, out->account_id)) != DB_OK)
		return rc;
	if ((rc = record_use(c, a, now)) != DB_OK)
		return rc;
	out->last_used_at = now;
	return DB_OK;
}

int
devices_authenticate(struct db *db, const char *authorization,
    const char *method, const char *path_with_query, const void *body,
    size_t len, int64_t now, struct device *out)
{
	struct db_conn *c = NULL;
	struct dev_auth a;
	char *msg = NULL;
	long long ts;
	int rc = DEV_BAD_SIGNATURE;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (db == NULL || out == NULL || method == NULL || path_with_query == NULL ||
	    parse_header(authorization, &a) != 0)
		return DEV_BAD_SIGNATURE;
	ts = strtoll(a.ts, NULL, 10);
	if (ts < now - DEV_SKEW || ts > now + DEV_SKEW)
		return DEV_STALE;
	if ((msg = devices_signing_input(method, path_with_query, body, len, a.ts,
	    a.nonce)) == NULL)
		return DB_ERR;
	if ((c = db_acquire(db)) == NULL) {
		rc = DB_ERR;
		goto fail;
	}
	if ((rc = db_begin(c)) != DB_OK)
		goto fail;
	if ((rc = check(c, &a, msg, now, out)) != DB_OK) {
		db_rollback(c);
		goto fail;
	}
	rc = db_commit(c);
fail:
	if (rc != DB_OK)
		memset(out, 0, sizeof(*out));
	db_release(db, c);
	free(msg);
	return rc;
}

/* 0 when `name` can be shown: 1..DEV_NAME_MAX bytes of UTF-8, no controls. */
static int
check_name(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > DEV_NAME_MAX ||
	    u8_check((const uint8_t *)name, n) != NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -1;
	return 0;
}

int
devices_count(struct db_conn *c, const char *account_id, unsigned *n)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL || account_id == NULL || n == NULL)
		return DB_ERR;
	*n = 0;
	if ((st = db_stmt(c, "SELECT count(*) FROM devices WHERE account_id = ? "
	    "AND revoked_at IS NULL")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, account_id)) != DB_OK)
		return rc;
	if ((rc = db_step(st)) != 1)
		return rc == DB_OK ? DB_ERR : rc;
	*n = (unsigned)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return DB_OK;
}

/* The audit entry `event` for device_id of account_id, by its holder. */
static int
audit_device(struct db_conn *c, const struct seal *seal, const char *event,
    const char *account_id, const char *device_id, int64_t now)
{
	struct account acc;
	const char *pid = NULL;
	json_t *d = NULL;
	int rc;

	memset(&acc, 0, sizeof(acc));
	if ((rc = accounts_get(c, account_id, &acc)) == DB_OK)
		pid = acc.personal_id;
	else if (rc != ACC_NOT_FOUND)
		goto fail;
	rc = DB_ERR;
	if ((d = json_pack("{s:s}", "device_id", device_id)) == NULL)
		goto fail;
	rc = audit_append(c, seal, event, "citizen", pid, d, now);
fail:
	json_decref(d);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}

/* Inserts the device row for devices_add. */
static int
insert(struct db_conn *c, const char *account_id, const char *name,
    const char *public_key, int64_t now, char device_id[DEV_ID_SIZE])
{
	sqlite3_stmt *st;
	int rc;

	if (b64_random(device_id, DEV_ID_SIZE, 32) == 0 ||
	    (st = db_stmt(c, "INSERT INTO devices (device_id, account_id, name, "
	    "public_key, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, device_id)) != DB_OK ||
	    (rc = db_bind_text(st, 2, account_id)) != DB_OK ||
	    (rc = db_bind_text(st, 3, name)) != DB_OK ||
	    (rc = db_bind_text(st, 4, public_key)) != DB_OK ||
	    (rc = db_bind_int64(st, 5, now)) != DB_OK ||
	    (rc = db_bind_int64(st, 6, now)) != DB_OK)
		return rc;
	return db_step(st);
}

int
devices_add(struct db_conn *c, const struct seal *seal, const char *account_id,
    const char *name, const char *public_key, unsigned limit, int64_t now,
    char device_id[DEV_ID_SIZE])
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	unsigned n = 0;
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL || device_id == NULL)
		return DB_ERR;
	device_id[0] = '\0';
	if (check_name(name) != 0 || decode_key(public_key, pk) != 0)
		return DEV_BAD_KEY;
	if ((rc = devices_count(c, account_id, &n)) != DB_OK)
		return rc;
	if (n >= limit)
		return DEV_LIMIT;
	rc = db_exists(c, "SELECT 1 FROM devices WHERE public_key = ?", public_key,
	    NULL);
	if (rc != 0)
		return rc == 1 ? DEV_KEY_IN_USE : rc;
	if ((rc = insert(c, account_id, name, public_key, now, device_id)) != DB_OK)
		return rc;
	return audit_device(c, seal, "device_added", account_id, device_id, now);
}

int
devices_foreach(struct db_conn *c, const char *account_id, bool with_revoked,
    void (*fn)(const struct device_row *, void *), void *arg)
{
	sqlite3_stmt *st;
	struct device_row row;
	int rc;

	if (c == NULL || account_id == NULL || fn == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, "SELECT device_id, name, public_key, created_at, "
	    "last_used_at, revoked_at FROM devices WHERE account_id = ? AND "
	    "(revoked_at IS NULL OR ? = 1) ORDER BY revoked_at IS NOT NULL, "
	    "created_at DESC, device_id")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_text(st, 1, account_id)) != DB_OK ||
	    (rc = db_bind_int64(st, 2, with_revoked ? 1 : 0)) != DB_OK)
		return rc;
	while ((rc = db_step(st)) == 1) {
		memset(&row, 0, sizeof(row));
		snprintf(row.d.account_id, sizeof(row.d.account_id), "%s", account_id);
		if (db_column_text(st, 0, row.d.device_id, sizeof(row.d.device_id)) != 0 ||
		    db_column_text(st, 1, row.d.name, sizeof(row.d.name)) != 0 ||
		    db_column_text(st, 2, row.d.public_key, sizeof(row.d.public_key)) != 0) {
			sqlite3_reset(st);
			return DB_ERR;
		}
		row.d.created_at = sqlite3_column_int64(st, 3);
		row.d.last_used_at = sqlite3_column_int64(st, 4);
		row.revoked_at = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 5);
		fn(&row, arg);
	}
	sqlite3_reset(st);
	return rc;
}

/* devices_revoke inside its transaction. */
static int
revoke_tx(struct db_conn *c, const struct seal *seal, const char *account_id,
    const char *device_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_exists(c, "SELECT 1 FROM devices WHERE device_id = ? AND "
	    "account_id = ?", device_id, account_id);
	if (rc != 1)
		return rc == 0 ? DEV_NOT_FOUND : rc;
	/* Its credentials with it, in the same transaction. */
	if ((rc = credentials_revoke_device(c, seal, device_id, now)) != DB_OK)
		return rc;
	if ((st = db_stmt(c, "UPDATE devices SET revoked_at = ? WHERE "
	    "device_id = ? AND revoked_at IS NULL")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_int64(st, 1, now)) != DB_OK ||
	    (rc = db_bind_text(st, 2, device_id)) != DB_OK ||
	    (rc = db_step(st)) != DB_OK)
		return rc;
	if (sqlite3_changes(db_handle(c)) == 0)
		return DB_OK;
	return audit_device(c, seal, "device_revoked", account_id, device_id, now);
}

int
devices_revoke(struct db_conn *c, const struct seal *seal,
    const char *account_id, const char *device_id, int64_t now)
{
	int rc;

	if (c == NULL || seal == NULL || account_id == NULL || device_id == NULL)
		return DB_ERR;
	if ((rc = db_begin(c)) != DB_OK)
		return rc;
	if ((rc = revoke_tx(c, seal, account_id, device_id, now)) != DB_OK) {
		db_rollback(c);
		return rc;
	}
	return db_commit(c);
}

int
devices_prune_nonces(struct db_conn *c, int64_t now)
{
	sqlite3_stmt *st;
	int rc;

	if (c == NULL)
		return DB_ERR;
	if ((st = db_stmt(c, "DELETE FROM device_nonces WHERE expires_at < ?")) == NULL)
		return DB_ERR;
	if ((rc = db_bind_int64(st, 1, now)) != DB_OK)
		return rc;
	return db_step(st);
}
