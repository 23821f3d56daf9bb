/*
 * regen: the deterministic synthetic population that fills the national
 * population registry. Owns the generator (its PRNG, the name and place
 * tables, the allocation of unique personal identification numbers, the
 * card-validity rule) and the registry CSV layout it writes:
 *
 *   personal_id,full_name,birth_date,sex,nationality,place_of_origin,
 *   residence,card_number,card_issued_on,card_expires_on,status
 *
 * Output is streamed; memory use does not grow with the number of people.
 */
#ifndef IDP_REGEN_H
#define IDP_REGEN_H

#include <stdint.h>
#include <stdio.h>

#include "base.h"

/* Write `count` people as registry CSV (header line first) to `out`; deterministic for (count, seed). Returns 0, or -1 on a write error.
 * Also -1 (nothing written) when memory runs out or `count` exceeds the
 * number of distinct personal identification numbers (about 10^10). */
int regen_write_csv(FILE *out, uint64_t count, uint64_t seed) WUR;

#endif
