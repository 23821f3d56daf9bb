/*
 * fuzzkeys: fixed Ed25519 keys (from fixed seeds) and a fixed clock shared
 * by the harnesses and by mkseeds, so that the signed seeds of the corpora
 * verify in every run: dinhdanh's credential key and one device's key.
 */
#ifndef TESTS_FUZZKEYS_H
#define TESTS_FUZZKEYS_H

#include <stdint.h>

#include "jws.h"

#define FUZZ_NOW INT64_C(1800000000)	/* 2027-01-15 */
#define FUZZ_CRED_KID "fuzz-cred-1"
#define FUZZ_DEVICE_KID "fuzz-device"
/* Stands for the bound device's id (random) in device seeds: 43 base64url. */
#define FUZZ_DEVICE_PLACEHOLDER "fuzz-device-id-placeholder-0000000000000000"

/* The key made from seed byte `seed` repeated, named kid; NULL on failure. */
struct jws_key *fuzzkeys_make(uint8_t seed, const char *kid);
/* dinhdanh's credential key and the device key; NULL on failure. */
struct jws_key *fuzzkeys_credential(void);
struct jws_key *fuzzkeys_device(void);

#endif
