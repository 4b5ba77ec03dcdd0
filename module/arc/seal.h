/* seal.h - the ARC-Seal field (RFC 8617 4.1.3): DKIM's tag=value list
 * with the tags a, b, cv, d, i, s and t (optional); an h= is not allowed
 * (the seal's scope is fixed: every ARC field of the sets up to its own,
 * 5.1.1).  Unknown tags are ignored, as in DKIM. */
#ifndef AS_ARC_SEAL_H
#define AS_ARC_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "msg/header.h"
#include "util/arena.h"

/* cv= values (RFC 8617 4.1.3). */
enum as_arc_cv { AS_ARC_CV_NONE = 0, AS_ARC_CV_PASS = 1, AS_ARC_CV_FAIL = 2 };

typedef struct as_arc_seal {
    const char *reason;   /* NULL: usable; else why not, e.g.
                             "missing_tag:cv", "bad_tag:b", "h_present",
                             "tag_syntax", "unsupported_algorithm",
                             "weak_algorithm" (rsa-sha1, RFC 8301) */
    int instance;         /* i= (1..50), 0 when absent or not one */
    int cv;               /* enum as_arc_cv, -1 when absent or invalid */
    int md, keytype;      /* enum as_crypto_md / as_crypto_keytype */
    const char *d, *s;    /* lowercased copies; NULL when absent */
    unsigned char *b;     /* decoded signature */
    size_t blen;
    int64_t t;            /* -1 when absent */
    /* The raw field without its final line break and without the value
     * of b=: pre[0..pre_len) then post[0..post_len) (RFC 6376 3.7). */
    const char *pre, *post;
    size_t pre_len, post_len;
} as_arc_seal;

/* Parse one ARC-Seal field.  Returns 0 (out->reason tells whether it is
 * usable) or AUTHSCORE_ENOMEM.  Names and the decoded b= go to `keep`
 * (about 1 KB), the tag list to `scratch` (may be freed afterwards). */
int as_arc_seal_parse(as_arena *keep, as_arena *scratch,
                      const as_header_field *f, as_arc_seal *out);

#endif
