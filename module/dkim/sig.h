/* sig.h - DKIM-Signature header field parser (RFC 6376 section 3.5), and
 * the same for an ARC-Message-Signature (RFC 8617 4.1.2), whose syntax and
 * semantics are DKIM's but for the name, no v= and i= as the instance. */
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
/* An ARC instance (RFC 8617 4.2.1: 1*2DIGIT, 1 to 50; 5.2: at most 50
 * ARC sets).  arc/arc.h names the same cap AS_ARC_MAX_SETS. */
#define AS_DKIM_AMS_MAX_INSTANCE 50

/* Which field is parsed. */
enum as_dkim_sig_kind {
    AS_DKIM_SIG_DKIM = 0, /* DKIM-Signature */
    AS_DKIM_SIG_AMS = 1   /* ARC-Message-Signature: no v= (ignored when
                             present), i= is the instance (required), h=
                             may be empty and need not list From, but must
                             not list ARC-Seal (reason "arc_seal_signed") */
};

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
    int kind;            /* enum as_dkim_sig_kind */
    int instance;        /* AMS: i= (1..AS_DKIM_AMS_MAX_INSTANCE), else 0 */
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
/* The same for a field of `kind` (enum as_dkim_sig_kind). */
int as_dkim_sig_parse_kind(as_arena *keep, as_arena *scratch,
                           const as_header_field *f, int kind,
                           as_dkim_sig *out);

/* Next signed header name: *pos starts at 0.  Returns 1 with *name set
 * (trimmed of FWS), 0 after the last one. */
int as_dkim_sig_h_next(const as_dkim_sig *s, size_t *pos, as_span *name);

/* Pieces shared with the ARC-Seal parser (arc/seal.c), which has DKIM's
 * tags but not its field:
 * a= to digest and key type (rsa-sha256, rsa-sha1, ed25519-sha256, case
 * as DKIM reads it); -1 for any other value. */
int as_dkim_sig_algorithm(as_span a, int *md, int *keytype);
/* d= / s= as DNS will carry them: 1..253 bytes, no specials or blanks. */
int as_dkim_sig_domain_ok(as_span v);
/* RFC 6376 3.5 domain-name, strictly: two or more LDH labels (ARC's d=,
 * whose sealer wrote it for a key query; "***" is none). */
int as_dkim_sig_domain_name(as_span v);
/* b= (base64 with FWS) decoded into `a`: 0, 1 when it is not base64 or
 * empty or over AS_DKIM_MAX_SIG_BYTES, AUTHSCORE_ENOMEM. */
int as_dkim_sig_b(as_arena *a, as_span v, unsigned char **b, size_t *blen);
/* Digits only, at most max_digits, saturating at INT64_MAX; -2 when not
 * a number. */
int64_t as_dkim_sig_uint(as_span v, size_t max_digits);
/* The field `f` with the value of its tag `b` removed (3.7): the raw
 * field without its final line break is pre[0..pre_len) followed by
 * post[0..post_len). */
void as_dkim_sig_strip_b(const as_header_field *f, as_span b_name,
                         as_span b_value, const char **pre, size_t *pre_len,
                         const char **post, size_t *post_len);

#endif
