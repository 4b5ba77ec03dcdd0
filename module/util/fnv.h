/* fnv.h - FNV-1a 64, the one non-keyed hash of the module's tables (the
 * answer caches, the UCL parser's duplicate keys, Exim's context key).
 * Callers whose keys an attacker chooses seed it or bound the chains. */
#ifndef AS_FNV_H
#define AS_FNV_H

#include <stddef.h>
#include <stdint.h>

#define AS_FNV64_BASIS 1469598103934665603ull
#define AS_FNV64_PRIME 1099511628211ull

/* Continue hash h over p[n]; start with AS_FNV64_BASIS (or a seed). */
static inline uint64_t as_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * AS_FNV64_PRIME;
    return h;
}

#endif
