/* ar_read.h - parse an Authentication-Results field value (RFC 8601 2.2).
 *
 * Input is the unfolded or folded field VALUE as (p, len), no NUL needed.
 * Comments are skipped (nesting bounded by a counter, no recursion),
 * quoted-strings are unescaped, every count and length is capped.  Used
 * by the round-trip tests, the fuzz target and later ARC. */
#ifndef AS_AR_READ_H
#define AS_AR_READ_H

#include <stddef.h>

#include "util/arena.h"

/* Hard caps.  RFC 8601 sets none; these are far above what one receiver
 * writes (ours: AS_AR_MAX_HEADER). */
#define AS_AR_READ_MAX_INPUT 65536u      /* bytes of field value */
#define AS_AR_READ_MAX_RESINFOS 128u     /* resinfo per field */
#define AS_AR_READ_MAX_PROPS 32u         /* propspec per resinfo */
#define AS_AR_READ_MAX_COMMENT_DEPTH 64u /* nested comments (RFC 5322 3.2.2) */

typedef struct as_ar_prop {
    const char *ptype;    /* "smtp", "header", "body", "policy", ... */
    const char *property; /* "mailfrom", "d", ... */
    const char *value;    /* decoded: quoted-strings unescaped; a quoted
                             local-part is unquoted ("a b"@x -> a b@x) */
    size_t value_len;
} as_ar_prop;

typedef struct as_ar_resinfo {
    const char *method;   /* lowercased */
    int method_version;   /* 0 when absent */
    const char *result;   /* lowercased */
    const char *reason;   /* decoded, or NULL */
    as_ar_prop *props;
    size_t n_props;
} as_ar_resinfo;

typedef struct as_ar_parsed {
    const char *authserv_id; /* decoded */
    int version;             /* 0 when absent */
    int none;                /* the "none" form */
    as_ar_resinfo *res;
    size_t n_res;
} as_ar_parsed;

/* Parse.  Returns 0, AUTHSCORE_EPARSE (malformed: *out holds what was
 * read before the error), AUTHSCORE_ELIMIT (a cap) or AUTHSCORE_ENOMEM.
 * Strings live in `a`. */
int as_ar_read(as_arena *a, const char *p, size_t len, as_ar_parsed *out);

#endif
