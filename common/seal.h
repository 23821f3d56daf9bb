/*
 * seal: secrets at rest. Owns the master key (32 random bytes in a file made
 * 0600 on first use) and seals values with XChaCha20-Poly1305, binding each
 * to a purpose string so a sealed value cannot be used for another purpose.
 * Also derives purpose-specific subkeys for keyed hashes.
 */
#ifndef COMMON_SEAL_H
#define COMMON_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define SEAL_OVERHEAD 40	/* 24-byte nonce + 16-byte tag */

struct seal;

enum seal_err {
	SEAL_OK = 0,
	SEAL_ERR_IO = -1,	/* cannot read or create the key file */
	SEAL_ERR_MODE = -2,	/* key file readable by group or others */
	SEAL_ERR_FORMAT = -3,	/* key file is not 32 bytes */
	SEAL_ERR_NOMEM = -4,
};

/* Opens the master key at `path`, creating it (0600) when it is missing. */
int seal_open(const char *path, struct seal **out) WUR;
/* A seal over a given key, for tests. */
int seal_from_key(const uint8_t key[32], struct seal **out) WUR;
void seal_free(struct seal *);
const char *seal_strerror(int err);

/* out must hold len + SEAL_OVERHEAD bytes. */
int seal_seal(const struct seal *, uint8_t *out, const uint8_t *plain,
    size_t len, const char *purpose) WUR;
/* out must hold len - SEAL_OVERHEAD bytes; -1 when altered or wrong purpose. */
int seal_unseal(const struct seal *, uint8_t *out, const uint8_t *sealed,
    size_t len, const char *purpose) WUR;
/* A 32-byte subkey for `purpose`, stable for one master key. */
void seal_subkey(const struct seal *, const char *purpose, uint8_t out[32]);

#endif
