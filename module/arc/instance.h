/* instance.h - an ARC instance number (RFC 8617 4.2.1): "i=" position,
 * position = 1*2DIGIT, 1 to 50.  Shared by the ARC-Seal and
 * ARC-Authentication-Results parsers (the AMS's is read by dkim/sig.c). */
#ifndef AS_ARC_INSTANCE_H
#define AS_ARC_INSTANCE_H

#include <stddef.h>

#include "dkim/sig.h"

/* RFC 8617 5.2: at most 50 ARC sets on a message. */
#define AS_ARC_MAX_SETS AS_DKIM_AMS_MAX_INSTANCE

/* The instance written in (p, len), or 0 when it is none: not one or two
 * digits, or outside 1..AS_ARC_MAX_SETS. */
static inline int as_arc_instance_value(const char *p, size_t len)
{
    if (len < 1 || len > 2)
        return 0;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        n = n * 10 + (p[i] - '0');
    }
    return n >= 1 && n <= AS_ARC_MAX_SETS ? n : 0;
}

#endif
