/* fuzz_check.h - what every fuzz target shares: CHECK, which traps on a
 * broken invariant (libFuzzer and the plain replay runner, replay_main.c,
 * both report a trap), and the entry point's prototype. */
#ifndef AS_FUZZ_CHECK_H
#define AS_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define CHECK(c)              \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
