/* spf_macro.h - RFC 7208 section 7 macro strings: syntax check at parse
 * time, expansion at evaluation time.  Pure: the caller supplies every
 * macro value (the p value needs DNS, so the caller resolves it first
 * when as_spf_macro_check reports that p is used). */
#ifndef AS_SPF_MACRO_H
#define AS_SPF_MACRO_H

#include <stddef.h>

#include "util/span.h"

/* RFC 7208 section 7.3: a domain name longer than 253 characters is
 * truncated from the left, label by label. */
#define AS_SPF_MAX_DOMAIN 253u
/* Cap on an expanded explanation (RFC 7208 6.2 sets none; SMTP reply
 * lines are short, so a longer text is cut here). */
#define AS_SPF_MAX_EXPLANATION 1024u
/* Work window for domain expansion: keeps the rightmost bytes, which is
 * all the left truncation of 7.3 can keep. */
#define AS_SPF_MACRO_WINDOW 1024u
/* A DIGIT transformer larger than this keeps all parts anyway (a name has
 * at most 127 labels). */
#define AS_SPF_MACRO_MAX_DIGITS 128u

enum as_spf_macro_mode {
    AS_SPF_MACRO_DOMAIN = 0,  /* domain-spec: c, r, t refused, no spaces */
    AS_SPF_MACRO_EXPLAIN = 1, /* explain-string: c, r, t allowed, spaces */
    AS_SPF_MACRO_STRING = 2   /* unknown-modifier value: like DOMAIN but no
                                 domain-end rule */
};

/* Values of the macro letters (RFC 7208 7.3), as byte ranges. */
typedef struct as_spf_macro_vars {
    as_span s, l, o, d, i, p, v, h, c, r, t;
} as_spf_macro_vars;

/* Flags reported by the checker. */
#define AS_SPF_MACRO_USES_P 1u
#define AS_SPF_MACRO_HAS_MACRO 2u

/* Check the syntax of p[0..len) in `mode` (for DOMAIN also the domain-end
 * rule of 7.1).  Returns 0 and sets *flags, or -1 with *why set to a static
 * string and *err_off to the offending offset. */
int as_spf_macro_check(const char *p, size_t len, int mode, unsigned *flags,
                       const char **why, size_t *err_off);

/* Expand a string that passed as_spf_macro_check in the same mode into
 * out (cap bytes, NUL added, cap >= AS_SPF_MAX_EXPLANATION + 1).
 * DOMAIN mode: one trailing dot removed, then the 253-byte truncation of
 * 7.3.  EXPLAIN mode: cut at AS_SPF_MAX_EXPLANATION.  Returns the length,
 * or -1 if the string is not valid. */
int as_spf_macro_expand(const char *p, size_t len, int mode,
                        const as_spf_macro_vars *v, char *out, size_t cap);

#endif
