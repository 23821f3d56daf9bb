/*
 * phone: Vietnamese mobile numbers. Owns the accepted input forms
 * (0xxxxxxxxx, +84xxxxxxxxx, 84xxxxxxxxx, with single spaces, dots or dashes
 * between digits), their one stored form (+84 and 9 digits, E.164) and the
 * masked form shown in logs and pages. Owns no state.
 */
#ifndef IDP_PHONE_H
#define IDP_PHONE_H

#include <stddef.h>

#include "base.h"

#define PHONE_E164_SIZE 13	/* "+84" + 9 digits + NUL */
#define PHONE_MASK_SIZE 16

/*
 * Normalises `in` to "+84" and 9 digits in out[13]; the subscriber part
 * must start with a mobile prefix digit (3, 5, 7, 8 or 9). 0, or -1 with a
 * one-line reason in reason[rsz] (reason may be NULL) and out "".
 */
int phone_normalize(const char *in, char out[PHONE_E164_SIZE], char *reason,
    size_t rsz) WUR;

/* "+84******789": only the last 3 digits shown; "***" for anything odd. */
void phone_mask(const char *e164, char out[PHONE_MASK_SIZE]);

#endif
