/*
 * form: application/x-www-form-urlencoded bodies (HTML forms), parsed into
 * at most FORM_MAX_FIELDS name/value pairs with '+' and %HH decoded. A
 * value holding a NUL, invalid UTF-8, or a malformed escape makes the whole
 * body invalid; the first of repeated names wins. Values are zeroed when
 * the form is freed (they carry passwords and codes).
 */
#ifndef COMMON_FORM_H
#define COMMON_FORM_H

#include <stddef.h>

#include "base.h"

#define FORM_MAX_FIELDS 32

struct form;

/* Parses body[len]: 0 with *out, or -1 when malformed or out of memory. */
int form_parse(const char *body, size_t len, struct form **out) WUR;
/* The value of `name`, or NULL when absent. */
const char *form_get(const struct form *, const char *name);
/* How many times `name` appears. */
size_t form_count(const struct form *, const char *name);
/* The first name that appears more than once, or NULL when none does. */
const char *form_repeated(const struct form *);
void form_free(struct form *);
/*
 * Decodes one urlencoded component ('+' and %HH) in place, under the same
 * rules as form_parse (no NUL, valid UTF-8): 0, or -1 leaving s unchanged.
 */
int form_unescape(char *s) WUR;

#endif
