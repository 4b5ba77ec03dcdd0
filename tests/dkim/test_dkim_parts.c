/* DKIM building blocks: base64 (3.5), canonicalization (3.4), key records
 * (3.6.1), DKIM-Signature parsing (3.5), the decoded-key cache, the header
 * index of header selection (5.4.2) and the DER shape check of RSA keys. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "dkim/base64.h"
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/der.h"
#include "dkim/hindex.h"
#include "dkim/key.h"
#include "dkim/keycache.h"
#include "dkim/sig.h"
#include "msg/header.h"

/* RFC 8463 Appendix A.2 public keys (published test keys). */
#define RSA1024_SPKI                                                           \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhd" \
    "R6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+P" \
    "L6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
#define ED25519_RAW "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

/* ---- base64 ------------------------------------------------------------- */

static int b64(const char *s, unsigned char *out, size_t max, size_t *n)
{
    return as_b64_decode(s, strlen(s), out, max, n);
}

Test(base64, decodes_and_skips_folding_whitespace)
{
    unsigned char out[16];
    size_t n;
    cr_assert_eq(b64("aGVs bG8=", out, sizeof out, &n), AS_B64_OK);
    cr_assert_eq(n, 5);
    cr_assert(memcmp(out, "hello", 5) == 0);
    cr_assert_eq(b64("aG\r\n\tVs\r\n bG8=", out, sizeof out, &n), AS_B64_OK);
    cr_assert_eq(n, 5);
    cr_assert_eq(b64("aGk=", out, sizeof out, &n), AS_B64_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(b64("aA==", out, sizeof out, &n), AS_B64_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(b64("", out, sizeof out, &n), AS_B64_OK);
    cr_assert_eq(n, 0);
}

Test(base64, rejects_malformed_input)
{
    unsigned char out[16];
    size_t n;
    cr_expect_eq(b64("aGVsbG8", out, sizeof out, &n), AS_B64_INVALID);  /* no pad */
    cr_expect_eq(b64("aG!sbG8=", out, sizeof out, &n), AS_B64_INVALID);
    cr_expect_eq(b64("aA==aGk=", out, sizeof out, &n), AS_B64_INVALID); /* data after pad */
    cr_expect_eq(b64("a===", out, sizeof out, &n), AS_B64_INVALID);
    cr_expect_eq(b64("aA=a", out, sizeof out, &n), AS_B64_INVALID);
    cr_expect_eq(b64("aGVsbG8gd29ybGQh", out, 4, &n), AS_B64_TOO_LONG);
}

/* ---- canonicalization --------------------------------------------------- */

typedef struct sinkbuf {
    char p[8192];
    size_t n;
} sinkbuf;

static void sink(void *arg, const char *p, size_t n)
{
    sinkbuf *b = arg;
    cr_assert(b->n + n <= sizeof b->p);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* Canonicalize a body fed in pieces of `step` bytes. */
static size_t body(int mode, const char *in, size_t step, char *out)
{
    static sinkbuf sb;
    sb.n = 0;
    as_canon_out o;
    as_canon_out_init(&o, sink, &sb);
    as_bcanon b;
    as_bcanon_init(&b, mode, &o);
    size_t len = strlen(in);
    for (size_t i = 0; i < len; i += step)
        as_bcanon_feed(&b, in + i, i + step > len ? len - i : step);
    as_bcanon_end(&b);
    cr_assert_eq(o.total, sb.n);
    memcpy(out, sb.p, sb.n);
    out[sb.n] = 0;
    return sb.n;
}

static void header(int mode, const char *field, char *out)
{
    sinkbuf sb;
    sb.n = 0;
    as_canon_out o;
    as_canon_out_init(&o, sink, &sb);
    as_hcanon h;
    as_hcanon_init(&h, mode, &o);
    as_hcanon_feed(&h, field, strlen(field));
    as_hcanon_end(&h, 1);
    as_canon_out_flush(&o);
    memcpy(out, sb.p, sb.n);
    out[sb.n] = 0;
}

/* RFC 6376 section 3.4.5, the published example. */
Test(canon, rfc6376_example)
{
    char out[256];
    header(AS_CANON_RELAXED, "A: X", out);
    cr_expect_str_eq(out, "a:X\r\n");
    header(AS_CANON_RELAXED, "B : Y\t\r\n\tZ  ", out);
    cr_expect_str_eq(out, "b:Y Z\r\n");
    header(AS_CANON_SIMPLE, "B : Y\t\r\n\tZ  ", out);
    cr_expect_str_eq(out, "B : Y\t\r\n\tZ  \r\n");

    const char *b = " C \r\nD \t E\r\n\r\n\r\n";
    for (size_t step = 1; step <= 20; step++) {
        body(AS_CANON_RELAXED, b, step, out);
        cr_expect_str_eq(out, " C\r\nD E\r\n", "relaxed, step %zu", step);
        body(AS_CANON_SIMPLE, b, step, out);
        cr_expect_str_eq(out, " C \r\nD \t E\r\n", "simple, step %zu", step);
    }
}

Test(canon, empty_bodies)
{
    char out[64];
    /* 3.4.3: an empty body is one CRLF in simple; 3.4.4: empty in relaxed. */
    cr_expect_eq(body(AS_CANON_SIMPLE, "", 4, out), 2);
    cr_expect_str_eq(out, "\r\n");
    cr_expect_eq(body(AS_CANON_RELAXED, "", 4, out), 0);
    cr_expect_eq(body(AS_CANON_SIMPLE, "\r\n\r\n\r\n", 1, out), 2);
    cr_expect_eq(body(AS_CANON_RELAXED, "\r\n \t \r\n\r\n", 1, out), 0);
}

Test(canon, line_ends_and_missing_final_crlf)
{
    char out[64];
    /* A bare LF is a line end (LF-only spool files); a lone CR is data. */
    for (size_t step = 1; step < 6; step++) {
        body(AS_CANON_SIMPLE, "a\nb\r\n\n", step, out);
        cr_expect_str_eq(out, "a\r\nb\r\n");
        body(AS_CANON_SIMPLE, "a\rb", step, out);
        cr_expect_str_eq(out, "a\rb\r\n");
        body(AS_CANON_SIMPLE, "abc\r", step, out);
        cr_expect_str_eq(out, "abc\r\r\n");
        body(AS_CANON_RELAXED, "x  y", step, out);
        cr_expect_str_eq(out, "x y\r\n");
        /* Trailing WSP of an unterminated last line goes too (3.4.4). */
        body(AS_CANON_RELAXED, "x \t", step, out);
        cr_expect_str_eq(out, "x\r\n");
        body(AS_CANON_RELAXED, "  lead\t\ttab \r\n\r\nz\n\n", step, out);
        cr_expect_str_eq(out, " lead tab\r\n\r\nz\r\n");
    }
    header(AS_CANON_SIMPLE, "X: a\n b", out);
    cr_expect_str_eq(out, "X: a\r\n b\r\n");
    header(AS_CANON_RELAXED, "SUBJECT:\t  Hi \n  there\t", out);
    cr_expect_str_eq(out, "subject:Hi there\r\n");
}

/* Simple must not survive whitespace changes; relaxed must. */
Test(canon, whitespace_sensitivity)
{
    char a[64], b[64];
    body(AS_CANON_RELAXED, "hello world\r\n", 64, a);
    body(AS_CANON_RELAXED, "hello \t world  \r\n", 64, b);
    cr_expect_str_eq(a, b);
    body(AS_CANON_SIMPLE, "hello world\r\n", 64, a);
    body(AS_CANON_SIMPLE, "hello \t world  \r\n", 64, b);
    cr_expect_str_neq(a, b);
}

typedef struct bigsink {
    char *p;
    size_t n, cap;
} bigsink;

static void big_sink(void *arg, const char *p, size_t n)
{
    bigsink *b = arg;
    cr_assert(b->n + n <= b->cap);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* Runs longer than the fixed buffer go straight to the sink: the output
 * must still be complete and in order. */
Test(canon, large_runs_bypass_the_buffer_in_order)
{
    enum { N = 3 * AS_CANON_BUF + 123 };
    static char in[N + 2], want[N + 2], got[N + 8];
    memset(in, 'q', N);
    for (size_t i = 0; i < N; i += 997)
        in[i] = 'a' + (char)(i % 26);
    memcpy(in + N, "\r\n", 2);
    memcpy(want, in, N + 2);
    for (int mode = AS_CANON_SIMPLE; mode <= AS_CANON_RELAXED; mode++) {
        bigsink bs = {got, 0, sizeof got};
        as_canon_out o;
        as_canon_out_init(&o, big_sink, &bs);
        as_bcanon b;
        as_bcanon_init(&b, mode, &o);
        as_bcanon_feed(&b, "x\r\n", 3);  /* something already buffered */
        as_bcanon_feed(&b, in, N + 2);
        as_bcanon_end(&b);
        cr_assert_eq(bs.n, N + 5);
        cr_expect(memcmp(got, "x\r\n", 3) == 0);
        cr_expect(memcmp(got + 3, want, N + 2) == 0, "mode %d", mode);
    }
}

/* ---- key records -------------------------------------------------------- */

static as_dkim_keyrec key(const char *rec)
{
    as_dkim_keyrec k;
    int dec;
    as_dkim_key_parse(rec, strlen(rec), &k, &dec);
    return k;
}

Test(key, rsa_spki_and_pkcs1)
{
    as_dkim_keyrec k = key("v=DKIM1; k=rsa; p=" RSA1024_SPKI);
    cr_assert_null(k.reason);
    cr_expect_eq(k.type, AS_KEY_RSA);
    cr_expect_eq(k.bits, 1024);
    cr_expect_eq(k.hash_mask, AS_DKIM_KEY_H_SHA1 | AS_DKIM_KEY_H_SHA256);
    as_dkim_keyrec_clear(&k);

    /* PKCS#1 RSAPublicKey: the SPKI without its 22-byte algorithm header. */
    unsigned char der[512], b64txt[1024];
    size_t n;
    cr_assert_eq(b64(RSA1024_SPKI, der, sizeof der, &n), AS_B64_OK);
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    const unsigned char *p = der + 22;
    size_t len = n - 22;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
                     (i + 2 < len ? p[i + 2] : 0);
        b64txt[o++] = (unsigned char)al[v >> 18 & 63];
        b64txt[o++] = (unsigned char)al[v >> 12 & 63];
        b64txt[o++] = i + 1 < len ? (unsigned char)al[v >> 6 & 63] : '=';
        b64txt[o++] = i + 2 < len ? (unsigned char)al[v & 63] : '=';
    }
    char rec[1200];
    snprintf(rec, sizeof rec, "p=%.*s", (int)o, b64txt);
    k = key(rec);
    cr_assert_null(k.reason, "%s", k.reason);
    cr_expect_eq(k.bits, 1024);
    as_dkim_keyrec_clear(&k);
}

Test(key, ed25519_raw)
{
    as_dkim_keyrec k = key("v=DKIM1; k=ed25519; p=" ED25519_RAW);
    cr_assert_null(k.reason);
    cr_expect_eq(k.type, AS_KEY_ED25519);
    cr_expect_eq(k.bits, 256);
    as_dkim_keyrec_clear(&k);
    /* 31 bytes is not an Ed25519 key. */
    k = key("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ==");
    cr_expect_str_eq(k.reason, "key_syntax");
}

Test(key, tags_and_errors)
{
    struct {
        const char *rec, *reason;
    } cases[] = {
        {"v=DKIM1; p=", "key_revoked"},
        {"v=DKIM1; k=rsa; p= ", "key_revoked"},
        {"k=rsa; v=DKIM1; p=" RSA1024_SPKI, "key_syntax"},  /* v= not first */
        {"v=DKIM2; p=" RSA1024_SPKI, "key_syntax"},
        {"v=DKIM1: g=*; k=rsa; p=" RSA1024_SPKI, "key_syntax"},
        {"v=DKIM1; k=dsa; p=" RSA1024_SPKI, "key_unknown_type"},
        {"v=DKIM1; k=rsa", "key_syntax"},                    /* no p= */
        {"v=DKIM1; p=not*base64", "key_syntax"},
        {"v=DKIM1; p=AAAA", "key_syntax"},                   /* not DER */
        {"v=DKIM1; s=tlsrpt; p=" RSA1024_SPKI, "key_service"},
        {"v=DKIM1; p=" RSA1024_SPKI "; p=" RSA1024_SPKI, "key_syntax"},
        {"garbage", "key_syntax"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_dkim_keyrec k = key(cases[i].rec);
        cr_expect(k.reason && strcmp(k.reason, cases[i].reason) == 0,
                  "%s: got %s, want %s", cases[i].rec,
                  k.reason ? k.reason : "(usable)", cases[i].reason);
        cr_expect_null(k.key);
        as_dkim_keyrec_clear(&k);
    }
}

Test(key, flags_hashes_services)
{
    as_dkim_keyrec k =
        key("v=DKIM1; h=sha1 : foo; s=email:tlsrpt; t=y:s:z; n=note; x9=1; "
            "p=" RSA1024_SPKI);
    cr_assert_null(k.reason);
    cr_expect_eq(k.hash_mask, AS_DKIM_KEY_H_SHA1);
    cr_expect(k.testing);
    cr_expect(k.strict);
    as_dkim_keyrec_clear(&k);
    k = key("s=*; p=" RSA1024_SPKI);
    cr_assert_null(k.reason);
    cr_expect(!k.testing && !k.strict);
    as_dkim_keyrec_clear(&k);
}

/* ---- DKIM-Signature parsing --------------------------------------------- */

static as_arena arena;

static void arena_up(void) { as_arena_init(&arena, 1 << 24); }
static void arena_down(void) { as_arena_free(&arena); }

static as_dkim_sig parse_sig(const char *field)
{
    as_header_block hb;
    size_t len = strlen(field);
    char *copy = as_arena_alloc(&arena, len + 4);
    memcpy(copy, field, len);
    memcpy(copy + len, "\r\n\r\n", 4);
    as_header_parse(&arena, copy, len + 4, NULL, &hb);
    cr_assert_eq(hb.count, 1, "%s", field);
    as_dkim_sig s;
    int prc = as_dkim_sig_parse(&arena, &arena, &hb.fields[0], &s);
    cr_assert_eq(prc, 0, "%s: %d", field, prc);
    return s;
}

#define GOOD_BH "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define SIG_TAIL "; " GOOD_BH "; b=dGVzdA=="

TestSuite(sig, .init = arena_up, .fini = arena_down);

Test(sig, valid_signature_fields)
{
    as_dkim_sig s = parse_sig(
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed; d=Example.COM;\r\n"
        "\ts=Sel; i=user@mail.example.com; l=42; q=dns/txt; t=10; x=20;\r\n"
        " z=From:foo|To:bar; unknown=tag; h=From : To:subject" SIG_TAIL);
    cr_assert_null(s.reason, "%s", s.reason);
    cr_expect_str_eq(s.d, "example.com");
    cr_expect_str_eq(s.s, "sel");
    cr_expect_str_eq(s.i, "user@mail.example.com");
    cr_expect_eq(s.md, AS_MD_SHA256);
    cr_expect_eq(s.keytype, AS_KEY_RSA);
    cr_expect_eq(s.hcanon, AS_CANON_RELAXED);
    cr_expect_eq(s.bcanon, AS_CANON_SIMPLE);  /* "relaxed" alone: body simple */
    cr_expect_eq(s.l, 42);
    cr_expect_eq(s.t, 10);
    cr_expect_eq(s.x, 20);
    cr_assert_eq(s.hcount, 3);
    const char *want[] = {"from", "to", "subject"};
    size_t pos = 0, k = 0;
    as_span name;
    while (as_dkim_sig_h_next(&s, &pos, &name)) {
        cr_assert_lt(k, 3);
        cr_expect(as_span_ieq_cstr(name, want[k]), "h[%zu] = %.*s", k,
                  (int)name.len, name.p);
        k++;
    }
    cr_expect_eq(k, 3);
    cr_expect_eq(s.blen, 4);
    cr_expect(memcmp(s.b, "test", 4) == 0);
}

/* 3.7: only the b= value is emptied; bh= (which contains "b") stays. */
Test(sig, b_value_removed_not_bh)
{
    as_dkim_sig s = parse_sig("DKIM-Signature: v=1; a=rsa-sha256; b=dGVz\r\n"
                              " dA==; d=example.com; s=x; h=from; " GOOD_BH);
    cr_assert_null(s.reason, "%s", s.reason);
    char buf[512];
    memcpy(buf, s.pre, s.pre_len);
    memcpy(buf + s.pre_len, s.post, s.post_len);
    buf[s.pre_len + s.post_len] = 0;
    cr_expect_str_eq(buf, "DKIM-Signature: v=1; a=rsa-sha256; b=; d=example.com;"
                          " s=x; h=from; " GOOD_BH);
}

Test(sig, every_violation_is_a_permerror_reason)
{
    struct {
        const char *f, *reason;
    } cases[] = {
        {"DKIM-Signature: a=rsa-sha256; d=e.com; s=x; h=from" SIG_TAIL,
         "missing_signature_tag:v"},
        {"DKIM-Signature: v=1; d=e.com; s=x; h=from" SIG_TAIL,
         "missing_signature_tag:a"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=from; " GOOD_BH,
         "missing_signature_tag:b"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=from; b=dGVzdA==",
         "missing_signature_tag:bh"},
        {"DKIM-Signature: v=1; a=rsa-sha256; s=x; h=from" SIG_TAIL,
         "missing_signature_tag:d"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x" SIG_TAIL,
         "missing_signature_tag:h"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; h=from" SIG_TAIL,
         "missing_signature_tag:s"},
        {"DKIM-Signature: v=2; a=rsa-sha256; d=e.com; s=x; h=from" SIG_TAIL,
         "bad_signature_tag:v"},
        {"DKIM-Signature: v=1; a=rsa-sha512; d=e.com; s=x; h=from" SIG_TAIL,
         "unsupported_algorithm"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=from; " GOOD_BH
         "; b=dGVzdA",
         "bad_signature_tag:b"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=from; bh=AAAA; "
         "b=dGVzdA==",
         "bad_signature_tag:bh"},
        {"DKIM-Signature: v=1; a=rsa-sha256; c=fancy; d=e.com; s=x; h=from" SIG_TAIL,
         "bad_signature_tag:c"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e@com; s=x; h=from" SIG_TAIL,
         "bad_signature_tag:d"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=to:subject" SIG_TAIL,
         "from_not_signed"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; h=from::to" SIG_TAIL,
         "bad_signature_tag:h"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; i=u@other.com; h=from" SIG_TAIL,
         "bad_signature_tag:i"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; i=u@xe.com; h=from" SIG_TAIL,
         "bad_signature_tag:i"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; l=-1; h=from" SIG_TAIL,
         "bad_signature_tag:l"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; q=http; h=from" SIG_TAIL,
         "bad_signature_tag:q"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; t=soon; h=from" SIG_TAIL,
         "bad_signature_tag:t"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; t=20; x=10; h=from" SIG_TAIL,
         "bad_signature_tag:x"},
        {"DKIM-Signature: v=1; v=1; a=rsa-sha256; d=e.com; s=x; h=from" SIG_TAIL,
         "signature_syntax"},
        {"DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=; h=from" SIG_TAIL,
         "bad_signature_tag:s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_dkim_sig s = parse_sig(cases[i].f);
        cr_expect(s.reason && strcmp(s.reason, cases[i].reason) == 0,
                  "%s: got %s, want %s", cases[i].f,
                  s.reason ? s.reason : "(usable)", cases[i].reason);
    }
}

Test(sig, subdomain_identity_and_algorithms)
{
    as_dkim_sig s = parse_sig("DKIM-Signature: v=1; a=ed25519-sha256; "
                              "d=e.com; s=x; i=@a.b.E.com; h=from" SIG_TAIL);
    cr_assert_null(s.reason, "%s", s.reason);
    cr_expect_eq(s.keytype, AS_KEY_ED25519);
    s = parse_sig("DKIM-Signature: v=1; a=rsa-sha1; d=e.com; s=x; h=from; "
                  "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQ=; b=dGVzdA==");
    cr_assert_null(s.reason, "%s", s.reason);
    cr_expect_eq(s.md, AS_MD_SHA1);
    cr_expect_eq(s.bhlen, 20);
}

/* i= is dkim-quoted-printable (RFC 6376 3.5, 2.11): decoded before the
 * d= check.  Good encodings give the decoded identity; malformed ones are
 * permerror bad_encoding:i; a decoded value no address can be is
 * bad_signature_tag:i, and so is one outside d=. */
Test(sig, i_tag_is_dkim_quoted_printable)
{
    static const struct {
        const char *i;  /* as written */
        const char *reason;  /* NULL: usable */
        const char *decoded; /* what the signature reports */
    } cases[] = {
        {"jlong=40e.com", NULL, "jlong@e.com"},      /* the example */
        {"jlong@e.com", NULL, "jlong@e.com"},        /* literal '@' */
        {"=40e.com", NULL, "@e.com"},
        {"=6A=6C=6F=6E=67=40=65=2E=63=6F=6D", NULL, "jlong@e.com"},
        {"a=3Db=40sub.e.com", NULL, "a=b@sub.e.com"},
        {"j=20long=40e.com", NULL, "j long@e.com"},  /* quoted-string part */
        {"jlong=40\r\n e.com", NULL, "jlong@e.com"}, /* FWS is not data */
        {"jlong=4\r\n 0e.com", NULL, "jlong@e.com"}, /* even inside =XX */
        {"jlong=40other.com", "bad_signature_tag:i", "jlong@other.com"},
        {"jlong=40e.com=40evil.com", "bad_signature_tag:i", "jlong@e.com@evil.com"},
        {"evil.com=40e.com", NULL, "evil.com@e.com"},
        {"jlong", "bad_signature_tag:i", "jlong"},   /* no '@' at all */
        {"jlong=3De.com", "bad_signature_tag:i", "jlong=e.com"},
        /* malformed encodings */
        {"jlong=4Ge.com", "bad_encoding:i", "jlong=4Ge.com"},    /* bad hex */
        {"jlong=40e.com=", "bad_encoding:i", "jlong=40e.com="},  /* trailing */
        {"jlong=4", "bad_encoding:i", "jlong=4"},                /* cut off */
        {"jlong=40e.co=6d", "bad_encoding:i", "jlong=40e.co=6d"}, /* lower case */
        {"jlong=XY=40e.com", "bad_encoding:i", "jlong=XY=40e.com"},
        {"jlong==40e.com", "bad_encoding:i", "jlong==40e.com"},
        /* decoded bytes no address holds */
        {"j=00x=40e.com", "bad_signature_tag:i", "j=00x=40e.com"}, /* NUL */
        {"j=0Dx=40e.com", "bad_signature_tag:i", "j=0Dx=40e.com"}, /* CR */
        {"j=7Fx=40e.com", "bad_signature_tag:i", "j=7Fx=40e.com"}, /* DEL */
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char f[512];
        snprintf(f, sizeof f, "DKIM-Signature: v=1; a=rsa-sha256; d=E.com; s=x; "
                              "i=%s; h=from" SIG_TAIL, cases[k].i);
        as_dkim_sig s = parse_sig(f);
        if (cases[k].reason)
            cr_expect(s.reason && !strcmp(s.reason, cases[k].reason),
                      "i=%s: got %s, want %s", cases[k].i,
                      s.reason ? s.reason : "(usable)", cases[k].reason);
        else
            cr_expect_null(s.reason, "i=%s: %s", cases[k].i, s.reason);
        cr_expect_str_eq(s.i, cases[k].decoded, "i=%s", cases[k].i);
    }
}

/* The decoded value is capped at AS_DKIM_MAX_I_BYTES (RFC 5321 4.5.3.1:
 * local-part 64, domain 255); the written form may be three times that. */
Test(sig, decoded_i_is_capped)
{
    static char f[4096], i[2048];
    size_t n = 0;
    /* Exactly the cap: "=61" x (cap - 6) then "=40e.com" (6 bytes). */
    for (size_t k = 0; k < AS_DKIM_MAX_I_BYTES - 6; k++, n += 3)
        memcpy(i + n, "=61", 3);
    memcpy(i + n, "=40e.com", 9);
    snprintf(f, sizeof f, "DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; "
                          "i=%s; h=from" SIG_TAIL, i);
    as_dkim_sig s = parse_sig(f);
    cr_expect_null(s.reason, "%s", s.reason);
    cr_expect_eq(strlen(s.i), AS_DKIM_MAX_I_BYTES);
    /* One more byte: too long for any address. */
    memmove(i + 3, i, strlen(i) + 1);
    memcpy(i, "=61", 3);
    snprintf(f, sizeof f, "DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; "
                          "i=%s; h=from" SIG_TAIL, i);
    s = parse_sig(f);
    cr_expect(s.reason && !strcmp(s.reason, "bad_signature_tag:i"), "%s", s.reason);
    /* A literal form past the cap too. */
    memset(i, 'a', 400);
    memcpy(i + 400, "@e.com", 7);
    snprintf(f, sizeof f, "DKIM-Signature: v=1; a=rsa-sha256; d=e.com; s=x; "
                          "i=%s; h=from" SIG_TAIL, i);
    s = parse_sig(f);
    cr_expect(s.reason && !strcmp(s.reason, "bad_signature_tag:i"), "%s", s.reason);
}

/* ---- key cache ---------------------------------------------------------- */

Test(keycache, same_record_is_decoded_once)
{
    as_dkim_keycache *c = as_dkim_keycache_new(0);
    cr_assert_not_null(c);
    const char *rec = "v=DKIM1; k=rsa; p=" RSA1024_SPKI;
    as_dkim_keyrec a, b;
    as_dkim_keycache_get(c, rec, strlen(rec), &a);
    as_dkim_keycache_get(c, rec, strlen(rec), &b);
    cr_assert_null(a.reason);
    cr_assert_null(b.reason);
    cr_expect_eq(a.key, b.key, "both get the one cached key");
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.decodes, 1);
    cr_expect_eq(st.hits, 1);
    cr_expect_eq(st.misses, 1);
    /* Other bytes, same key: a different record, decoded again. */
    const char *rec2 = "v=DKIM1;  k=rsa; p=" RSA1024_SPKI;
    as_dkim_keyrec c2;
    as_dkim_keycache_get(c, rec2, strlen(rec2), &c2);
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.decodes, 2);
    /* Failed parses are cached too, without a decode. */
    as_dkim_keyrec r;
    as_dkim_keycache_get(c, "p=", 2, &r);
    as_dkim_keycache_get(c, "p=", 2, &r);
    cr_expect_str_eq(r.reason, "key_revoked");
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.decodes, 2);
    cr_expect_eq(st.entries, 3);
    as_dkim_keyrec_clear(&a);
    as_dkim_keyrec_clear(&b);
    as_dkim_keyrec_clear(&c2);
    as_dkim_keycache_free(c);
}

Test(keycache, bounded_lru_and_keys_outlive_eviction)
{
    as_dkim_keycache *c = as_dkim_keycache_new(2);
    const char *r1 = "v=DKIM1; p=" RSA1024_SPKI;
    const char *r2 = "k=ed25519; p=" ED25519_RAW;
    const char *r3 = "v=DKIM1; k=ed25519; p=" ED25519_RAW;
    as_dkim_keyrec k1, k2, k3;
    as_dkim_keycache_get(c, r1, strlen(r1), &k1);
    as_dkim_keycache_get(c, r2, strlen(r2), &k2);
    as_dkim_keycache_get(c, r3, strlen(r3), &k3);  /* evicts r1 */
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.entries, 2);
    cr_expect_eq(st.evictions, 1);
    /* k1's key was evicted from the cache but our reference keeps it. */
    cr_expect_eq(as_crypto_key_bits(k1.key), 1024);
    as_dkim_keyrec again;
    as_dkim_keycache_get(c, r1, strlen(r1), &again);
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.decodes, 4);
    as_dkim_keyrec_clear(&again);
    as_dkim_keyrec_clear(&k1);
    as_dkim_keyrec_clear(&k2);
    as_dkim_keyrec_clear(&k3);
    as_dkim_keycache_free(c);
}

static void *hammer(void *arg)
{
    as_dkim_keycache *c = arg;
    const char *recs[] = {"v=DKIM1; p=" RSA1024_SPKI,
                          "v=DKIM1; k=ed25519; p=" ED25519_RAW};
    for (int i = 0; i < 2000; i++) {
        as_dkim_keyrec k;
        as_dkim_keycache_get(c, recs[i % 2], strlen(recs[i % 2]), &k);
        if (k.reason || !k.key)
            return (void *)1;
        as_dkim_keyrec_clear(&k);
    }
    return NULL;
}

Test(keycache, thread_safe)
{
    as_dkim_keycache *c = as_dkim_keycache_new(0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, hammer, c);
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        cr_expect_null(rv);
    }
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(c, &st);
    cr_expect_eq(st.hits + st.misses, 8000);
    /* Two records; a decode only races when threads miss at once. */
    cr_expect_leq(st.decodes, 8);
    cr_expect_eq(st.entries, 2);
    as_dkim_keycache_free(c);
}

/* ---- header selection index (5.4.2) ------------------------------------- */

static as_header_block headers(as_arena *a, const char *text)
{
    as_header_block hb;
    cr_assert_eq(as_header_parse(a, text, strlen(text), NULL, &hb), 0);
    return hb;
}

Test(hindex, bottom_up_case_insensitive_oversigned_self_excluded)
{
    as_arena a;
    as_arena_init(&a, 1u << 20);
    as_header_block hb = headers(&a, "From: a\r\nTo: b\r\nfrom: c\r\n"
                                     "Subject: s\r\nFROM: d\r\n\r\n");
    as_dkim_hindex *x = as_dkim_hindex_new(&a, &hb);
    cr_assert_not_null(x);
    /* Each listing takes the next instance up from the bottom. */
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), 4);
    cr_expect_eq(as_dkim_hindex_take(x, "From", 4), 2);
    cr_expect_eq(as_dkim_hindex_take(x, "fRoM", 4), 0);
    /* Over-signing: no instance left, the listing signs nothing. */
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), AS_DKIM_HINDEX_NONE);
    cr_expect_eq(as_dkim_hindex_take(x, "TO", 2), 1);
    cr_expect_eq(as_dkim_hindex_take(x, "x-absent", 8), AS_DKIM_HINDEX_NONE);
    cr_expect_eq(as_dkim_hindex_take(x, "fro", 3), AS_DKIM_HINDEX_NONE);
    /* A new signature starts afresh; the field being verified (here the
     * bottom From, standing in for a DKIM-Signature) is never taken. */
    as_dkim_hindex_begin(x, 4);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), 2);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), 0);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), AS_DKIM_HINDEX_NONE);
    as_dkim_hindex_begin(x, 2);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), 4);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), 0);
    as_arena_free(&a);
}

Test(hindex, empty_header_block)
{
    as_arena a;
    as_arena_init(&a, 1u << 20);
    as_header_block hb;
    memset(&hb, 0, sizeof hb);
    as_dkim_hindex *x = as_dkim_hindex_new(&a, &hb);
    cr_assert_not_null(x);
    cr_expect_eq(as_dkim_hindex_take(x, "from", 4), AS_DKIM_HINDEX_NONE);
    as_arena_free(&a);
}

static unsigned long lcg_state;
static char rand_case(char c, unsigned coin)
{
    return coin && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static unsigned lcg(unsigned n)
{
    lcg_state = lcg_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((lcg_state >> 33) % n);
}

/* The index selects exactly what the RFC's linear description selects:
 * random headers over a few names in random case, random h= lists
 * (names present and absent, listed more often than they occur). */
Test(hindex, agrees_with_the_linear_search)
{
    static const char *const names[] = {"from", "to", "subject", "date",
                                        "dkim-signature", "x-a", "x-b",
                                        "message-id"};
    lcg_state = 6376;
    for (int round = 0; round < 300; round++) {
        as_arena a;
        as_arena_init(&a, 4u << 20);
        size_t nf = 1 + lcg(120);
        char *text = as_arena_alloc(&a, nf * 24 + 3);
        size_t o = 0;
        for (size_t i = 0; i < nf; i++) {
            const char *nm = names[lcg(6)];  /* x-b, message-id: absent */
            for (size_t k = 0; nm[k]; k++)
                text[o++] = rand_case(nm[k], lcg(2));
            memcpy(text + o, ": v\r\n", 5);
            o += 5;
        }
        memcpy(text + o, "\r\n", 3);
        as_header_block hb = headers(&a, text);
        cr_assert_eq(hb.count, nf);
        as_dkim_hindex *x = as_dkim_hindex_new(&a, &hb);
        cr_assert_not_null(x);
        unsigned char *used = as_arena_calloc(&a, nf, 1);
        for (int sig = 0; sig < 4; sig++) {
            size_t self = lcg(2) ? lcg((unsigned)nf) : AS_DKIM_HINDEX_NONE;
            memset(used, 0, nf);
            as_dkim_hindex_begin(x, self);
            size_t nh = lcg(200);
            for (size_t h = 0; h < nh; h++) {
                char lst[32];
                const char *nm = names[lcg(8)];
                size_t k = 0;
                for (; nm[k]; k++)
                    lst[k] = rand_case(nm[k], lcg(2));
                size_t want = AS_DKIM_HINDEX_NONE;
                for (size_t fi = nf; fi > 0; fi--) {
                    const as_header_field *f = &hb.fields[fi - 1];
                    if (used[fi - 1] || fi - 1 == self ||
                        !as_span_ieq(f->name.p, f->name.len, lst, k))
                        continue;
                    used[fi - 1] = 1;
                    want = fi - 1;
                    break;
                }
                size_t got = as_dkim_hindex_take(x, lst, k);
                cr_assert_eq(got, want, "round %d sig %d listing %zu (%.*s)",
                             round, sig, h, (int)k, lst);
            }
        }
        as_arena_free(&a);
    }
}

/* ---- RSA key DER shape (the judge when OpenSSL refuses a key) ----------- */

static size_t spki_der(unsigned char *der, size_t max)
{
    size_t n;
    cr_assert_eq(b64(RSA1024_SPKI, der, max, &n), AS_B64_OK);
    return n;
}

Test(der, rsa_key_shapes)
{
    unsigned char der[512], m[520];
    size_t n = spki_der(der, sizeof der);
    cr_expect(as_der_rsa_pubkey_ok(der, n));
    /* PKCS#1 RSAPublicKey: the BIT STRING's content. */
    cr_expect(as_der_rsa_pubkey_ok(der + 22, n - 22));
    cr_expect(!as_der_rsa_pubkey_ok(der, n - 1), "truncated");
    memcpy(m, der, n);
    m[n] = 0;
    cr_expect(!as_der_rsa_pubkey_ok(m, n + 1), "trailing byte");
    cr_expect(!as_der_rsa_pubkey_ok(der + 1, n - 1), "no outer SEQUENCE");
    memcpy(m, der, n);
    m[12] ^= 1;  /* inside the rsaEncryption OID */
    cr_expect(!as_der_rsa_pubkey_ok(m, n), "another algorithm");
    unsigned char ed[32] = {1};
    cr_expect(!as_der_rsa_pubkey_ok(ed, sizeof ed));
    cr_expect(!as_der_rsa_pubkey_ok(der, 0));
    /* SEQUENCE { INTEGER 1, INTEGER 3 } and its malformed relatives. */
    static const unsigned char small[] = {0x30, 0x06, 0x02, 0x01, 0x01,
                                          0x02, 0x01, 0x03};
    cr_expect(as_der_rsa_pubkey_ok(small, sizeof small));
    static const unsigned char longlen[] = {0x30, 0x81, 0x06, 0x02, 0x01, 0x01,
                                            0x02, 0x01, 0x03};
    cr_expect(!as_der_rsa_pubkey_ok(longlen, sizeof longlen), "long form");
    static const unsigned char neg[] = {0x30, 0x06, 0x02, 0x01, 0x81,
                                        0x02, 0x01, 0x03};
    cr_expect(!as_der_rsa_pubkey_ok(neg, sizeof neg), "negative modulus");
    static const unsigned char pad[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x01,
                                        0x02, 0x01, 0x03};
    cr_expect(!as_der_rsa_pubkey_ok(pad, sizeof pad), "leading zero");
    static const unsigned char zero[] = {0x30, 0x06, 0x02, 0x01, 0x00,
                                         0x02, 0x01, 0x03};
    cr_expect(!as_der_rsa_pubkey_ok(zero, sizeof zero), "zero modulus");
    static const unsigned char indef[] = {0x30, 0x80, 0x02, 0x01, 0x01,
                                          0x02, 0x01, 0x03, 0x00, 0x00};
    cr_expect(!as_der_rsa_pubkey_ok(indef, sizeof indef), "indefinite");
}

/* Without a fault, no bytes are taken for our own failure: every mutation
 * of a real key that OpenSSL refuses is also malformed to der.c, so it is
 * a (cacheable) key_syntax and never a temperror. */
Test(der, refused_keys_are_bad_data_not_our_failure)
{
    unsigned char der[512], m[600];
    size_t n = spki_der(der, sizeof der);
    lcg_state = 8017;
    unsigned long accepted = 0, refused = 0;
    for (int i = 0; i < 20000; i++) {
        int pkcs1 = i & 1;
        const unsigned char *src = pkcs1 ? der + 22 : der;
        size_t len = pkcs1 ? n - 22 : n;
        memcpy(m, src, len);
        switch (lcg(3)) {
        case 0:  /* one byte changed */
            m[lcg((unsigned)len)] = (unsigned char)lcg(256);
            break;
        case 1:  /* cut short */
            len = lcg((unsigned)len);
            break;
        default: {  /* one byte inserted */
            size_t at = lcg((unsigned)len + 1);
            memmove(m + at + 1, m + at, len - at);
            m[at] = (unsigned char)lcg(256);
            len++;
        }
        }
        as_crypto_key *k = NULL;
        int rc = as_crypto_key_decode(AS_KEY_RSA, m, len, &k);
        cr_assert_neq(rc, AS_CRYPTO_ENOMEM, "mutation %d (len %zu) refused by "
                      "OpenSSL but well-formed to der.c", i, len);
        /* The keys der.c reads are imported from their parts, not
         * decoded by OpenSSL: the same bytes make the same key (or none)
         * either way. */
        int bits = as_crypto_rsa_decoder_bits(m, len);
        cr_assert_eq(rc == 0 ? as_crypto_key_bits(k) : 0, bits,
                     "mutation %d (len %zu): %d bits imported, %d decoded", i, len,
                     rc == 0 ? as_crypto_key_bits(k) : 0, bits);
        if (rc == 0)
            accepted++;
        else
            refused++;
        as_crypto_key_free(k);
    }
    cr_expect_gt(refused, 1000);
    cr_expect_gt(accepted, 1000);
}

/* A bad Ed25519 signature is a "no" (0), not our failure: the known-good
 * signature crypto.c checks a refusal against really verifies. */
Test(crypto, bad_signatures_are_verdicts)
{
    unsigned char raw[64], sig[64], dig[32];
    size_t n;
    cr_assert_eq(b64(ED25519_RAW, raw, sizeof raw, &n), AS_B64_OK);
    as_crypto_key *k = NULL;
    cr_assert_eq(as_crypto_key_decode(AS_KEY_ED25519, raw, n, &k), 0);
    memset(sig, 0x5a, sizeof sig);
    memset(dig, 0x11, sizeof dig);
    cr_expect_eq(as_crypto_verify(k, AS_MD_SHA256, dig, sizeof dig, sig,
                                  sizeof sig), 0);
    cr_expect_eq(as_crypto_verify(k, AS_MD_SHA256, dig, sizeof dig, sig, 63), 0);
    as_crypto_key_free(k);

    unsigned char der[512];
    size_t dn = spki_der(der, sizeof der);
    cr_assert_eq(as_crypto_key_decode(AS_KEY_RSA, der, dn, &k), 0);
    unsigned char rsig[128];
    memset(rsig, 0x33, sizeof rsig);
    cr_expect_eq(as_crypto_verify(k, AS_MD_SHA256, dig, sizeof dig, rsig,
                                  sizeof rsig), 0);
    cr_expect_eq(as_crypto_verify(k, AS_MD_SHA256, dig, 20, rsig, sizeof rsig),
                 0);
    as_crypto_key_free(k);
    cr_expect_eq(as_crypto_key_decode(AS_KEY_ED25519, raw, 31, &k),
                 AS_CRYPTO_BAD);
}

/* ---- verify contexts kept per key (crypto.c) ----------------------------- */

/* An RSA-1024 key and its PKCS#1 v1.5 signatures of 32 bytes of 0x42 with
 * SHA-256 and of 20 bytes of 0x42 with SHA-1, made once with
 * `openssl pkeyutl -sign -pkeyopt digest:sha256` (and sha1). */
#define RSA1024_B_SPKI                                                         \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyT1+il5RxMH33Z4Da17eElLj7CzSeIAxZ" \
    "RQGPun7E2+8Dzxihvr9t4kPuOUwWhU6QRbmWxG6ej/EZ0bc0CYL748A7urOjuuYqtuxUdiu2" \
    "jcJ4cgPI4fpr0kJi5Js8Mp9ok7x+d0tMmHk3imGfkpGlk8oe1Vj6/rb5n9yZRo0NXQIDAQAB"
static const char sig256_hex[] =
    "4014a204380ddafff02a8f6f5e03e819672a52047d4fd93a0cb61da298739fae4165e3a8"
    "cab7dd45f6cf0ad9e9a768a40763b3108629b818f2ca44e04b12a06d49f4a6ff45bb308d"
    "0211eba05d867b9be9a0e6f1fe8f0906df2dc0ebe7ee01900dc458921edacc376f77cafb"
    "58afcc3f798ad6979f3e9a8a91e42ceb7387cbdf";
static const char sig1_hex[] =
    "ab33b1cb685593986732d1f19eb7296291a7b75640405fc8e574188068d323f955a7a598"
    "260daf62dbae3e7db8f24e51e123211537c8dd36c316a62496feead7f36f887b5ba69e5c"
    "68bc9046e006b05955e43d4877837418f3b2624d89de295c9320e0e0defdc40b090836a5"
    "01f7994ffda3680e611084ba6a8c713d6c8384f8";
/* RFC 8032 7.1 TEST 1 (ED25519_RAW's key): the signature of the empty
 * message. */
static const char ed_sig_hex[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static size_t unhex(const char *h, unsigned char *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++)
        sscanf(h + 2 * i, "%2hhx", &out[i]);
    return n;
}

typedef struct verify_set {
    as_crypto_key *rsa, *ed;
    unsigned char s256[128], s1[128], sed[64], dig[32];
} verify_set;

static void verify_set_up(verify_set *v)
{
    unsigned char der[256];
    size_t n;
    cr_assert_eq(b64(RSA1024_B_SPKI, der, sizeof der, &n), AS_B64_OK);
    cr_assert_eq(as_crypto_key_decode(AS_KEY_RSA, der, n, &v->rsa), 0);
    cr_assert_eq(b64(ED25519_RAW, der, sizeof der, &n), AS_B64_OK);
    cr_assert_eq(as_crypto_key_decode(AS_KEY_ED25519, der, n, &v->ed), 0);
    cr_assert_eq(unhex(sig256_hex, v->s256), 128);
    cr_assert_eq(unhex(sig1_hex, v->s1), 128);
    cr_assert_eq(unhex(ed_sig_hex, v->sed), 64);
    memset(v->dig, 0x42, sizeof v->dig);
}

/* One round of good and bad checks; 0 when every answer was right. */
static int verify_round(verify_set *v, int i)
{
    unsigned char bad[32];
    memcpy(bad, v->dig, sizeof bad);
    bad[i % 20] ^= 1;  /* within the SHA-1 digest too */
    int wrong = 0;
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA256, v->dig, 32, v->s256, 128) != 1;
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA256, bad, 32, v->s256, 128) != 0;
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA1, v->dig, 20, v->s1, 128) != 1;
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA1, bad, 20, v->s1, 128) != 0;
    /* Each digest has its own context: the SHA-1 signature never passes
     * as SHA-256 nor the other way round. */
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA256, v->dig, 32, v->s1, 128) != 0;
    wrong += as_crypto_verify(v->rsa, AS_MD_SHA1, v->dig, 20, v->s256, 128) != 0;
    wrong += as_crypto_verify(v->ed, AS_MD_SHA256, bad, 0, v->sed, 64) != 1;
    wrong += as_crypto_verify(v->ed, AS_MD_SHA256, bad, 1, v->sed, 64) != 0;
    return wrong;
}

/* The context a key keeps is copied for each check: a failed check leaves
 * nothing behind for the next one, in any order. */
Test(crypto, kept_contexts_carry_no_state)
{
    verify_set v;
    verify_set_up(&v);
    for (int i = 0; i < 40; i++)
        cr_expect_eq(verify_round(&v, i), 0, "round %d", i);
    /* The bare RSAPublicKey inside the SPKI (after its 22-byte header)
     * is the same key. */
    unsigned char der[256];
    size_t n;
    cr_assert_eq(b64(RSA1024_B_SPKI, der, sizeof der, &n), AS_B64_OK);
    as_crypto_key *bare = NULL;
    cr_assert_eq(as_crypto_key_decode(AS_KEY_RSA, der + 22, n - 22, &bare), 0);
    cr_expect_eq(as_crypto_key_bits(bare), 1024);
    cr_expect_eq(as_crypto_verify(bare, AS_MD_SHA256, v.dig, 32, v.s256, 128), 1);
    as_crypto_key_free(bare);
    as_crypto_key_free(v.rsa);
    as_crypto_key_free(v.ed);
}

static void *verify_hammer(void *arg)
{
    intptr_t wrong = 0;
    for (int i = 0; i < 200; i++)
        wrong += verify_round(arg, i);
    return (void *)wrong;
}

/* Threads share one key (and its kept contexts, made by whichever thread
 * comes first) as the milter's do. */
Test(crypto, kept_contexts_shared_by_threads)
{
    verify_set v;
    verify_set_up(&v);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, verify_hammer, &v);
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        cr_expect_null(rv, "thread %d: %ld wrong answers", i, (long)(intptr_t)rv);
    }
    as_crypto_key_free(v.rsa);
    as_crypto_key_free(v.ed);
}
