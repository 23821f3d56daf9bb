/*
 * fuzz: the two entry points every harness in tests/fuzz defines, called
 * by libFuzzer in the fuzz build and by driver.c (corpus and regression
 * replay) in the ordinary build.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Long-lived set-up is made between FUZZ_SETUP_BEGIN and FUZZ_SETUP_END:
 * keys keep their GnuTLS parts behind libsodium's locked memory, which
 * LeakSanitizer does not scan, so while they live it would call those
 * parts leaked.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAS_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAS_LSAN 1
#endif
#endif
#ifdef FUZZ_HAS_LSAN
#include <sanitizer/lsan_interface.h>
#define FUZZ_SETUP_BEGIN() __lsan_disable()
#define FUZZ_SETUP_END() __lsan_enable()
#else
#define FUZZ_SETUP_BEGIN() ((void)0)
#define FUZZ_SETUP_END() ((void)0)
#endif

/* Called once before the first input: keys, databases, fixed state. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* One input; returns 0. A bug shows as a crash or a sanitizer report. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
