/* sig.h - DKIM-Signature header field parser (RFC 6376 section 3.5). */
#ifndef AS_DKIM_SIG_H
#define AS_DKIM_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "msg/header.h"
#include "util/arena.h"
#include "util/span.h"

#define AS_DKIM_MAX_SIG_BYTES 1024u  /* decoded b=: an RSA-8192 signature */
#define AS_DKIM_MAX_H_NAMES 1024u    /* h= entries; real signers use < 64 */
#define AS_DKIM_MAX_DIGITS 20u       /* t=, x=, l= (3.5: l= up to 76 digits,
                                        t=/x= 12; longer saturates) */
/* Decoded i=: an address as RFC 5321 4.5.3.1 bounds it (local-part 64,
 * "@", domain 255).  A longer identity is bad_signature_tag:i. */
#define AS_DKIM_MAX_I_BYTES 320u

typedef struct as_dkim_sig {
    const char *reason;  /* NULL: usable; else a permerror reason code */
    const char *a, *d, *s, *i;  /* NUL-terminated; d and s lowercased;
                                   i decoded (dkim-quoted-printable, 2.11)
                                   when it decodes, else as written */
    int md;              /* enum as_crypto_md */
    int keytype;         /* enum as_crypto_keytype */
    int hcanon, bcanon;  /* enum as_canon_mode */
    as_span h;           /* the h= value: names separated by ':'; walk it
                            with as_dkim_sig_h_next (no array: a long h=
                            must not cost more memory than its bytes) */
    size_t hcount;
    unsigned char bh[32];
    size_t bhlen;
    unsigned char *b;
    size_t blen;
    int64_t l, t, x;     /* -1 when absent; INT64_MAX when huge */
    /* The bytes of the field with the b= value removed (3.7): the raw
     * field without its final line break is pre[0..pre_len) followed by
     * post[0..post_len). */
    const char *pre, *post;
    size_t pre_len, post_len;
} as_dkim_sig;

/* Parse one DKIM-Signature field.  Returns 0 (out->reason tells whether
 * it is usable) or AUTHSCORE_ENOMEM.  What the result keeps (names, the
 * decoded b=) is allocated in `keep`, at most ~1 KB plus the names; the tag
 * list is built in `scratch`, which the caller may free afterwards (it may
 * be the same arena).  Everything else points into the field. */
int as_dkim_sig_parse(as_arena *keep, as_arena *scratch,
                      const as_header_field *f, as_dkim_sig *out);

/* Next signed header name: *pos starts at 0.  Returns 1 with *name set
 * (trimmed of FWS), 0 after the last one. */
int as_dkim_sig_h_next(const as_dkim_sig *s, size_t *pos, as_span *name);

#endif
