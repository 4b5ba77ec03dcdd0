/* sig.c - DKIM-Signature parsing and validation (RFC 6376 3.5, 6.1.1). */
#include "dkim/sig.h"

#include <string.h>

#include <authscore.h>
#include "msg/tagvalue.h"
#include "dkim/base64.h"
#include "dkim/canon.h"
#include "dkim/crypto.h"

int64_t as_dkim_sig_uint(as_span v, size_t max_digits)
{
    if (v.len == 0 || v.len > max_digits)
        return -2;
    int64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return -2;
        int dgt = v.p[i] - '0';
        n = (n > (INT64_MAX - dgt) / 10) ? INT64_MAX : n * 10 + dgt;
    }
    return n;
}

static int parse_canon(as_span v, as_dkim_sig *o)
{
    size_t slash = v.len;
    for (size_t i = 0; i < v.len; i++)
        if (v.p[i] == '/') {
            slash = i;
            break;
        }
    as_span hs = as_span_make(v.p, slash);
    as_span bs = slash < v.len ? as_span_make(v.p + slash + 1, v.len - slash - 1)
                               : as_span_make("simple", 6);
    if (as_span_ieq_cstr(hs, "simple"))
        o->hcanon = AS_CANON_SIMPLE;
    else if (as_span_ieq_cstr(hs, "relaxed"))
        o->hcanon = AS_CANON_RELAXED;
    else
        return -1;
    if (as_span_ieq_cstr(bs, "simple"))
        o->bcanon = AS_CANON_SIMPLE;
    else if (as_span_ieq_cstr(bs, "relaxed"))
        o->bcanon = AS_CANON_RELAXED;
    else
        return -1;
    return 0;
}

int as_dkim_sig_domain_name(as_span v)
{
    if (v.len == 0 || v.len > 253)
        return 0;
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= v.len; i++) {
        if (i < v.len && v.p[i] != '.')
            continue;
        size_t n = i - start;
        if (n == 0 || n > 63 || v.p[start] == '-' || v.p[i - 1] == '-')
            return 0;
        for (size_t k = start; k < i; k++) {
            char c = v.p[k];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-'))
                return 0;
        }
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

int as_dkim_sig_domain_ok(as_span v)
{
    if (v.len == 0 || v.len > 253)
        return 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c <= ' ' || c == 0x7f || strchr("()<>[]:;@\\,\"", c))
            return 0;
    }
    return 1;
}

/* i= must end in "@d" or ".d" (3.5: "the domain part of the address MUST
 * be the same as, or a subdomain of, the value of the d= tag"). */
static int identity_ok(as_span i, as_span d)
{
    size_t at = i.len;
    for (size_t k = i.len; k > 0; k--)
        if (i.p[k - 1] == '@') {
            at = k - 1;
            break;
        }
    if (at == i.len)
        return 0;
    as_span dom = as_span_make(i.p + at + 1, i.len - at - 1);
    if (as_span_ieq(dom.p, dom.len, d.p, d.len))
        return 1;
    return dom.len > d.len &&
           as_span_ieq(dom.p + dom.len - d.len, d.len, d.p, d.len) &&
           dom.p[dom.len - d.len - 1] == '.';
}

/* dkim-quoted-printable (RFC 6376 2.11), the form of i= (3.5): FWS is
 * not part of the value and goes; "=" and two upper-case hex digits
 * ("no lowercase characters permitted") give that byte; every other byte
 * must be a dkim-safe-char (so a literal '@' stays one).  Decodes into
 * out[cap].  Returns the length, QP_MALFORMED (a bad or cut-off "=XX",
 * or a byte the encoding does not allow), or QP_TOO_LONG. */
enum { QP_MALFORMED = -1, QP_TOO_LONG = -2 };

static int hex_upper(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next byte at or after *k that is not FWS (*k moves past it), or -1
 * at the end. */
static int next_byte(const char *p, size_t len, size_t *k)
{
    while (*k < len && is_fws(p[*k]))
        (*k)++;
    return *k < len ? (unsigned char)p[(*k)++] : -1;
}

static long qp_decode(const char *p, size_t len, char *out, size_t cap)
{
    size_t o = 0, k = 0;
    int c;
    while ((c = next_byte(p, len, &k)) >= 0) {
        if (c == '=') {
            /* FWS is removed before decoding, so it may split "=XX". */
            int hi = next_byte(p, len, &k), lo = next_byte(p, len, &k);
            hi = hi < 0 ? -1 : hex_upper((char)hi);
            lo = lo < 0 ? -1 : hex_upper((char)lo);
            if (hi < 0 || lo < 0)
                return QP_MALFORMED;
            c = hi << 4 | lo;
        } else if (c < 0x21 || c > 0x7e || c == ';') {
            return QP_MALFORMED; /* not a dkim-safe-char */
        }
        if (o == cap)
            return QP_TOO_LONG;
        out[o++] = (char)c;
    }
    return (long)o;
}

/* i= decoded into *out (arena, NUL-terminated).  Returns NULL, or the
 * permerror reason with *out set to the value as written (reported, not
 * used): a malformed encoding, or a decoded value no address can be
 * (over AS_DKIM_MAX_I_BYTES, or a control byte: RFC 5321 4.1.2 allows
 * none, and a NUL would cut the name short). */
static const char *decode_i(as_arena *a, as_span v, const char **out,
                            size_t *outlen, int *nomem)
{
    char buf[AS_DKIM_MAX_I_BYTES];
    long n = qp_decode(v.p, v.len, buf, sizeof buf);
    const char *why = n == QP_MALFORMED ? "bad_encoding:i"
                      : n < 0           ? "bad_signature_tag:i"
                                        : NULL;
    for (long k = 0; !why && k < n; k++)
        if ((unsigned char)buf[k] < 0x20 || buf[k] == 0x7f)
            why = "bad_signature_tag:i";
    *outlen = why ? v.len : (size_t)n;
    *out = as_arena_strndup(a, why ? v.p : buf, *outlen);
    *nomem = *out == NULL;
    return why;
}

int as_dkim_sig_h_next(const as_dkim_sig *s, size_t *pos, as_span *name)
{
    if (*pos > s->h.len)
        return 0;
    size_t j = *pos;
    while (j < s->h.len && s->h.p[j] != ':')
        j++;
    *name = as_span_trim(as_span_make(s->h.p + *pos, j - *pos));
    *pos = j + 1;
    return 1;
}

/* Check h= without building anything: every name non-empty and printable,
 * at most AS_DKIM_MAX_H_NAMES, From among them (5.4).  Returns NULL or
 * the reason. */
static const char *check_h(as_dkim_sig *o)
{
    size_t pos = 0, n = 0;
    int from = 0, ams = o->kind == AS_DKIM_SIG_AMS;
    as_span e;
    /* RFC 8617 4.1.2 leaves h= to the sealer: empty is a valid list. */
    if (ams && o->h.len == 0)
        return NULL;
    while (as_dkim_sig_h_next(o, &pos, &e)) {
        /* An empty entry selects nothing; ARC's reference verifier
         * (dkimpy) and the ValiMail suite take "from::to" as written. */
        if (ams && e.len == 0)
            continue;
        if (e.len == 0 || ++n > AS_DKIM_MAX_H_NAMES)
            return "bad_signature_tag:h";
        for (size_t j = 0; j < e.len; j++) /* field-name: printable, no ':' */
            if ((unsigned char)e.p[j] <= ' ' || (unsigned char)e.p[j] >= 0x7f)
                return "bad_signature_tag:h";
        from |= as_span_ieq_cstr(e, "from");
        /* The seal is made after the AMS and signs it (RFC 8617 5.1.1):
         * an AMS over an ARC-Seal is not one a sealer makes. */
        if (ams && as_span_ieq_cstr(e, "arc-seal"))
            return "arc_seal_signed";
    }
    o->hcount = n;
    return from || ams ? NULL : "from_not_signed";
}

/* Where the b= tag's value lies in the raw field: from just after its '='
 * to the ';' that ends the tag-spec (or the end of the field), so the
 * surrounding whitespace goes too (3.7). */
void as_dkim_sig_strip_b(const as_header_field *f, as_span b_name, as_span b_value,
                         const char **pre, size_t *pre_len, const char **post,
                         size_t *post_len)
{
    const char *end = f->value_raw.p + f->value_raw.len;
    const char *q = b_name.p + b_name.len;
    while (q < end && *q != '=')
        q++;
    if (q < end)
        q++;
    const char *r = b_value.p + b_value.len;
    if (r < q)
        r = q;
    while (r < end && *r != ';')
        r++;
    *pre = f->raw.p;
    *pre_len = (size_t)(q - f->raw.p);
    *post = r;
    *post_len = (size_t)(end - r);
}

static const char *const missing[] = {
    "v", "missing_signature_tag:v", "a", "missing_signature_tag:a",
    "b", "missing_signature_tag:b", "bh", "missing_signature_tag:bh",
    "d", "missing_signature_tag:d", "h", "missing_signature_tag:h",
    "s", "missing_signature_tag:s",
};

int as_dkim_sig_b(as_arena *a, as_span v, unsigned char **b, size_t *blen)
{
    /* Room for what the text can decode to, never more than the cap. */
    size_t bmax = v.len / 4 * 3 + 3;
    if (bmax > AS_DKIM_MAX_SIG_BYTES)
        bmax = AS_DKIM_MAX_SIG_BYTES;
    if (!(*b = as_arena_alloc(a, bmax)))
        return AUTHSCORE_ENOMEM;
    return as_b64_decode(v.p, v.len, *b, bmax, blen) == AS_B64_OK && *blen ? 0 : 1;
}

int as_dkim_sig_algorithm(as_span a, int *md, int *keytype)
{
    if (as_span_ieq_cstr(a, "rsa-sha256")) {
        *md = AS_MD_SHA256;
        *keytype = AS_KEY_RSA;
    } else if (as_span_ieq_cstr(a, "rsa-sha1")) {
        *md = AS_MD_SHA1;
        *keytype = AS_KEY_RSA;
    } else if (as_span_ieq_cstr(a, "ed25519-sha256")) {
        *md = AS_MD_SHA256;
        *keytype = AS_KEY_ED25519;
    } else {
        return -1;
    }
    return 0;
}

/* An AMS's i= (RFC 8617 4.2.1): 1*2DIGIT, 1 to 50.  0 when it is not. */
static int ams_instance(const as_taglist *tl)
{
    const as_tag *t = as_taglist_get(tl, "i");
    int64_t n = t ? as_dkim_sig_uint(t->value, 2) : -1;
    return n >= 1 && n <= AS_DKIM_AMS_MAX_INSTANCE ? (int)n : 0;
}

int as_dkim_sig_parse(as_arena *a, as_arena *scratch, const as_header_field *f,
                      as_dkim_sig *o)
{
    return as_dkim_sig_parse_kind(a, scratch, f, AS_DKIM_SIG_DKIM, o);
}

int as_dkim_sig_parse_kind(as_arena *a, as_arena *scratch, const as_header_field *f,
                           int kind, as_dkim_sig *o)
{
    memset(o, 0, sizeof *o);
    o->l = o->t = o->x = -1;
    o->kind = kind;
    int ams = kind == AS_DKIM_SIG_AMS;
    as_taglist tl;
    int rc = as_taglist_parse(scratch, f->value_raw.p, f->value_raw.len, 0,
                              &tl, NULL);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc != 0) {
        o->reason = "signature_syntax";
        return 0;
    }
    /* First, so that the ARC chain can place even a broken AMS. */
    if (ams && !(o->instance = ams_instance(&tl))) {
        o->reason = as_taglist_get(&tl, "i") ? "bad_signature_tag:i"
                                             : "missing_signature_tag:i";
        return 0;
    }
    /* An AMS has no v= (RFC 8617 4.1.2: ignored when seen). */
    for (size_t k = ams ? 2 : 0; k < sizeof missing / sizeof *missing; k += 2)
        if (!as_taglist_get(&tl, missing[k])) {
            o->reason = missing[k + 1];
            return 0;
        }
    const as_tag *t_v = as_taglist_get(&tl, "v");
    const as_tag *t_a = as_taglist_get(&tl, "a");
    const as_tag *t_b = as_taglist_get(&tl, "b");
    const as_tag *t_bh = as_taglist_get(&tl, "bh");
    const as_tag *t_c = as_taglist_get(&tl, "c");
    const as_tag *t_d = as_taglist_get(&tl, "d");
    const as_tag *t_h = as_taglist_get(&tl, "h");
    const as_tag *t_i = as_taglist_get(&tl, "i");
    const as_tag *t_l = as_taglist_get(&tl, "l");
    const as_tag *t_q = as_taglist_get(&tl, "q");
    const as_tag *t_s = as_taglist_get(&tl, "s");
    const as_tag *t_t = as_taglist_get(&tl, "t");
    const as_tag *t_x = as_taglist_get(&tl, "x");

    /* Names for the result come first, so even a rejected signature
     * reports which domain and selector it claimed. */
    o->a = as_arena_strndup(a, t_a->value.p, t_a->value.len);
    o->d = as_arena_strndup_lower(a, t_d->value.p, t_d->value.len);
    o->s = as_arena_strndup_lower(a, t_s->value.p, t_s->value.len);
    const char *i_bad = NULL;
    size_t i_len = 0;
    int i_nomem = 0;
    if (ams)
        t_i = NULL; /* the instance, not an AUID (RFC 8617 4.1.2) */
    if (t_i)
        i_bad = decode_i(a, t_i->value, &o->i, &i_len, &i_nomem);
    if (!o->a || !o->d || !o->s || i_nomem)
        return AUTHSCORE_ENOMEM;

    if (!ams && (t_v->value.len != 1 || t_v->value.p[0] != '1')) {
        o->reason = "bad_signature_tag:v";
        return 0;
    }
    if (as_dkim_sig_algorithm(t_a->value, &o->md, &o->keytype) < 0) {
        o->reason = "unsupported_algorithm";
        return 0;
    }

    rc = as_dkim_sig_b(a, t_b->value, &o->b, &o->blen);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc) {
        o->reason = "bad_signature_tag:b";
        return 0;
    }
    if (as_b64_decode(t_bh->value.p, t_bh->value.len, o->bh, sizeof o->bh,
                      &o->bhlen) != AS_B64_OK ||
        o->bhlen != as_crypto_md_len(o->md)) {
        o->reason = "bad_signature_tag:bh";
        return 0;
    }
    if (t_c && parse_canon(t_c->value, o) != 0) {
        o->reason = "bad_signature_tag:c";
        return 0;
    }
    if (!as_dkim_sig_domain_ok(t_d->value) ||
        (ams && !as_dkim_sig_domain_name(t_d->value))) {
        o->reason = "bad_signature_tag:d";
        return 0;
    }
    o->h = t_h->value;
    const char *hbad = check_h(o);
    if (hbad) {
        o->reason = hbad;
        return 0;
    }
    /* Decoded first (3.5: i= is dkim-quoted-printable), then checked. */
    if (t_i && (i_bad || !identity_ok(as_span_make(o->i, i_len),
                                      t_d->value))) {
        o->reason = i_bad ? i_bad : "bad_signature_tag:i";
        return 0;
    }
    if (t_l) {
        o->l = as_dkim_sig_uint(t_l->value, 76);
        if (o->l < 0) {
            o->reason = "bad_signature_tag:l";
            return 0;
        }
    }
    if (t_q) {
        /* q= is a colon list of methods; dns/txt is the only one. */
        int ok = 0;
        as_span v = t_q->value;
        size_t st = 0;
        for (size_t k = 0; k <= v.len && !ok; k++)
            if (k == v.len || v.p[k] == ':') {
                as_span e = as_span_trim(as_span_make(v.p + st, k - st));
                ok = as_span_ieq_cstr(e, "dns/txt");
                st = k + 1;
            }
        if (!ok) {
            o->reason = "bad_signature_tag:q";
            return 0;
        }
    }
    if (!as_dkim_sig_domain_ok(t_s->value)) {
        o->reason = "bad_signature_tag:s";
        return 0;
    }
    if (t_t && (o->t = as_dkim_sig_uint(t_t->value, AS_DKIM_MAX_DIGITS)) < 0) {
        o->reason = "bad_signature_tag:t";
        return 0;
    }
    if (t_x && (o->x = as_dkim_sig_uint(t_x->value, AS_DKIM_MAX_DIGITS)) < 0) {
        o->reason = "bad_signature_tag:x";
        return 0;
    }
    if (o->t >= 0 && o->x >= 0 && o->x < o->t) {
        o->reason = "bad_signature_tag:x";  /* 3.5: x MUST be after t */
        return 0;
    }
    /* Without c=, DKIM's default is simple/simple; an AMS's is
     * relaxed/relaxed, as ARC's reference verifier (dkimpy) and the
     * ValiMail suite read it (RFC 8617 is silent; every sealer writes c=). */
    if (o->hcanon == 0 && !t_c)
        o->hcanon = o->bcanon = ams ? AS_CANON_RELAXED : AS_CANON_SIMPLE;
    as_dkim_sig_strip_b(f, t_b->name, t_b->value, &o->pre, &o->pre_len, &o->post,
                        &o->post_len);
    return 0;
}
