/* aar.h - ARC-Authentication-Results (RFC 8617 4.1.1):
 *
 *   arc-info = instance [CFWS] ";" authres-payload
 *   instance = [CFWS] "i" [CFWS] "=" [CFWS] position
 *
 * The instance must come first ("i=2; lists.example.org; ..."); what
 * follows is an Authentication-Results payload (RFC 8601), which the
 * scoring layer reads with its A-R reader (score/arc_vouch.c) when a rule
 * asks what a trusted sealer saw.  Parsed from (p, len), no NUL needed,
 * nothing allocated. */
#ifndef AS_ARC_AAR_H
#define AS_ARC_AAR_H

#include <stddef.h>

#include "util/span.h"

/* Comments nested deeper than this are malformed (RFC 5322 3.2.2 sets no
 * limit; no sealer writes any here). */
#define AS_ARC_AAR_MAX_COMMENT_DEPTH 8

typedef struct as_arc_aar {
    int instance;      /* 1..50; 0 when the value does not start with a
                          valid "i=N" followed by ';' */
    as_span payload;   /* after that ';', up to the end of the value */
} as_arc_aar;

/* Parse a field value.  Always fills *out. */
void as_arc_aar_parse(const char *p, size_t len, as_arc_aar *out);

#endif
