/*
 * base: the few macros every module uses (result checking, array length,
 * printf-format checking). Header only; owns no state.
 */
#ifndef COMMON_BASE_H
#define COMMON_BASE_H

#include <stddef.h>

#define WUR __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

#endif
