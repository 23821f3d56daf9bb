/*
 * devices: the citizen's bound devices (the phone app's Ed25519 keys).
 * Owns the tables devices and device_nonces: binding a device to an
 * account under the per-account limit, listing and revoking devices, and
 * authenticating a device-signed request (signature, clock window, single
 * use of its nonce, revocation). Time comes only from the callers' `now`.
 */
#ifndef IDP_DEVICES_H
#define IDP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "seal.h"

#define DEV_ID_SIZE 44
#define DEV_MAX_DEFAULT 3
#define DEV_SKEW 120			/* seconds of clock difference accepted */
#define DEV_NAME_MAX 63			/* bytes of a device's name */
#define DEV_SIG_CONTEXT "dinhdanh-device-v1"

/* Results besides DB_OK and the db_err codes (common/db.h). */
enum devices_err {
	DEV_NOT_FOUND = -120,		/* no such device (or not the account's) */
	DEV_BAD_SIGNATURE = -121,	/* malformed header or wrong signature */
	DEV_REVOKED = -122,		/* revoked device, or its account is not active */
	DEV_REPLAY = -123,		/* the nonce was used already */
	DEV_STALE = -124,		/* ts more than DEV_SKEW away from now */
	DEV_LIMIT = -125,		/* the account has its limit of devices */
	DEV_BAD_KEY = -126,		/* not a base64url Ed25519 public key, or a bad name */
	DEV_KEY_IN_USE = -127,		/* this public key is bound already */
};

struct device {
	char device_id[DEV_ID_SIZE];
	char account_id[44];
	char name[64];
	char public_key[48];
	int64_t created_at, last_used_at;
};

/* A listed device, revoked ones included (revoked_at 0 while active). */
struct device_row {
	struct device d;
	int64_t revoked_at;
};

/*
 * Authenticates a device-signed request. Header:
 *   Authorization: Device id="<device_id>", ts="<unix seconds>", nonce="<base64url, 16-64 chars>", sig="<base64url Ed25519 signature>"
 * over the bytes  "dinhdanh-device-v1\n" METHOD "\n" PATH-WITH-QUERY "\n" BASE64URL(SHA-256(body)) "\n" ts "\n" nonce
 * |now - ts| <= DEV_SKEW; a nonce is accepted once per device (kept 2*DEV_SKEW); a revoked device fails at once. Updates last_used_at.
 */
int devices_authenticate(struct db *, const char *authorization,
    const char *method, const char *path_with_query, const void *body,
    size_t len, int64_t now, struct device *out) WUR;

/*
 * The bytes a device signs (see devices_authenticate) into a new string
 * (free()), or NULL when out of memory. The app builds the same bytes.
 */
char *devices_signing_input(const char *method, const char *path_with_query,
    const void *body, size_t len, const char *ts, const char *nonce);

/*
 * Binds a new device (public_key base64url of 32 bytes, name 1 to
 * DEV_NAME_MAX bytes of UTF-8 without control characters) to account_id
 * in the caller's transaction: its id into device_id. DEV_LIMIT when the
 * account already has `limit` active devices, DEV_BAD_KEY, DEV_KEY_IN_USE,
 * or a db_err. Appends the audit entry "device_added".
 */
int devices_add(struct db_conn *, const struct seal *, const char *account_id,
    const char *name,
    const char *public_key, unsigned limit, int64_t now,
    char device_id[DEV_ID_SIZE]) WUR;

/* The active devices of account_id into *n. */
int devices_count(struct db_conn *, const char *account_id, unsigned *n) WUR;

/*
 * Calls fn for each device of account_id, active ones first, newest first;
 * revoked ones only when `with_revoked`. A db_err or DB_OK.
 */
int devices_foreach(struct db_conn *, const char *account_id,
    bool with_revoked, void (*fn)(const struct device_row *, void *),
    void *arg) WUR;

/*
 * Revokes device_id of account_id as of `now`, and its credentials with
 * it: DB_OK (also when it was revoked already), DEV_NOT_FOUND when the
 * account has no such device. In a transaction of its own, with the audit
 * entry "device_revoked" when it was active.
 */
int devices_revoke(struct db_conn *, const struct seal *, const char *account_id,
    const char *device_id, int64_t now) WUR;

/* Removes nonces that expired before `now`. */
int devices_prune_nonces(struct db_conn *, int64_t now) WUR;

#endif
