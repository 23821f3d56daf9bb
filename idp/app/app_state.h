/*
 * app_state: the eid-app's state file and the device key it holds. Owns
 * the Ed25519 private key (in locked memory, wiped on free), the device's
 * name, its device id and the identity provider's URL once activated, and
 * the level-2 credential last fetched (DESIGN section 7) with its expiry.
 * The file is JSON, created with mode 0600, replaced atomically (a
 * temporary file in the same directory, fsync, rename), and refused when
 * it is not a regular file of this user or when group or others may read
 * or write it.
 */
#ifndef IDP_APP_STATE_H
#define IDP_APP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define APP_PUBKEY_SIZE 44	/* 32 bytes, base64url, NUL */
#define APP_SIG_SIZE 64
#define APP_NAME_MAX 63
#define APP_URL_MAX 511
#define APP_CRED_MAX 4096	/* bytes of a stored credential (compact JWS) */

struct app_state;

/* A new state with a fresh key named `name` (1 to APP_NAME_MAX bytes). */
int app_state_new(const char *name, struct app_state **out) WUR;
/*
 * The state at `path`: 0; 1 when there is no such file; -1 with a
 * one-line reason in err (unreadable, not 0600-private, malformed).
 */
int app_state_load(const char *path, struct app_state **out, char *err,
    size_t errsz) WUR;
/* Writes the state to `path` (0600, atomically): 0, or -1 with a reason. */
int app_state_save(const struct app_state *, const char *path, char *err,
    size_t errsz) WUR;
void app_state_free(struct app_state *);

const char *app_state_name(const struct app_state *);
const char *app_state_public_key(const struct app_state *);
/* "" until activated. */
const char *app_state_device_id(const struct app_state *);
/* "" until activated. */
const char *app_state_idp(const struct app_state *);
bool app_state_activated(const struct app_state *);
/* Records the activation: the device id and the provider's URL. */
int app_state_set_device(struct app_state *, const char *device_id,
    const char *idp_url) WUR;

/* The stored credential ("" when none) and its exp into *expires_at. */
const char *app_state_credential(const struct app_state *, int64_t *expires_at);
/*
 * Stores a credential (a compact JWS of at most APP_CRED_MAX bytes, "" to
 * forget it) expiring at `expires_at`; 0, or -1 when it is not one.
 * Activating the device again forgets it.
 */
int app_state_set_credential(struct app_state *, const char *jws,
    int64_t expires_at) WUR;

/* The Ed25519 signature of msg[len] by the device key into sig. */
void app_state_sign(const struct app_state *, const void *msg, size_t len,
    uint8_t sig[APP_SIG_SIZE]);

#endif
