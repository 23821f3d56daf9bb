/*
 * province: the 63 province codes (PPP) that open a personal identification
 * number, with the province names. Read-only table; owns no state.
 */
#ifndef IDP_PROVINCE_H
#define IDP_PROVINCE_H

#include <stddef.h>

size_t province_count(void);
/* i < province_count(); the three-digit code and the Vietnamese name. */
const char *province_code(size_t i);
const char *province_name(size_t i);
/* The name for a three-character code, or NULL when the code is unknown. */
const char *province_lookup(const char *code3);

#endif
