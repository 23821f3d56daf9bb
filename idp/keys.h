/*
 * keys: dinhdanh's signing keys, one current key per purpose and algorithm
 * ("card" for the card centre; assertion and audit keys join them), stored
 * in signing_keys with the private half sealed under the master key.
 */
#ifndef IDP_KEYS_H
#define IDP_KEYS_H

#include <stdint.h>

#include "base.h"
#include "db.h"
#include "jws.h"
#include "seal.h"

/*
 * The current key for (purpose, alg), made and stored on first use. The
 * caller frees it with jws_key_free.
 */
int keys_current(struct db *, const struct seal *, const char *purpose,
    enum jws_alg, int64_t now, struct jws_key **out) WUR;

#endif
