/* Hostile input: each case must end quickly (the Criterion timeout is the
 * bound, generous on purpose: this is not a speed test) with a defined
 * result for every signature. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "harness.h"

#define T0 DK_T0

static dk_keys keys;

static void setup(void)
{
    cr_assert_eq(dk_keys_open(&keys), 0, "%s:%u", keys.path, keys.line);
}

static void teardown(void) { dk_keys_close(&keys); }

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 60);

typedef struct mbuf {
    char *p;
    size_t n, cap;
} mbuf;

static void put(mbuf *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_(mbuf *b, const char *s) { put(b, s, strlen(s)); }

static const char BODY[] = "From: a@example.com\r\nTo: b@example.org\r\n"
                           "Subject: hostile\r\n\r\nbody\r\n";

/* Every signature has a result word and a reason, and the count matches
 * what the message parser saw. */
static void all_defined(const dk_run *r)
{
    cr_assert(as_dkim_done(r->d));
    size_t n = as_dkim_count(r->d);
    cr_expect_eq(n, r->msg.dkim_sig_total > r->msg.dkim_sig_count
                        ? r->msg.dkim_sig_total
                        : r->msg.dkim_sig_count);
    for (size_t i = 0; i < n; i++) {
        const as_dkim_sig_result *s = as_dkim_get_result(r->d, i);
        cr_assert_not_null(s);
        cr_assert_not_null(s->reason, "sig %zu", i);
        cr_expect(s->result >= AUTHSCORE_RES_NOT_EVALUATED &&
                  s->result <= AUTHSCORE_RES_POLICY);
    }
}

Test(hostile, a_thousand_signatures)
{
    /* 990 copies of a valid Ed25519 signature: the first 8 are verified
     * (one key query, one body hash), the rest are not evaluated. */
    size_t len;
    char *ed = dk_fixture("ed.eml", &len);
    cr_assert_not_null(ed, "cannot read tests/dkim/data/ed.eml");
    char *from = strstr(ed, "\r\nFrom:");
    cr_assert_not_null(from);
    mbuf b = {0};
    for (int i = 0; i < 990; i++)
        put(&b, ed, (size_t)(from - ed) + 2);
    put(&b, from + 2, len - (size_t)(from + 2 - ed));
    dk_run r;
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_assert_eq(as_dkim_count(r.d), 990);
    for (size_t i = 0; i < 990; i++)
        cr_expect_eq(as_dkim_get_result(r.d, i)->result,
                     i < AS_DKIM_MAX_SIGNATURES ? AUTHSCORE_RES_PASS
                                                : AUTHSCORE_RES_NOT_EVALUATED);
    cr_expect_eq(as_qtab_count(r.q), 1);
    cr_expect_eq(as_dkim_body_hash_count(r.d), 1);
    dk_run_free(&r);

    /* 1,000 garbage DKIM-Signature fields (more than the message parser
     * keeps): every one still has a defined result, none asks DNS. */
    b.n = 0;
    for (int i = 0; i < 1000; i++)
        puts_(&b, i % 2 ? "DKIM-Signature: v=1; a=rsa-sha256; d=x\r\n"
                        : "DKIM-Signature: ;;;\r\n");
    puts_(&b, BODY);
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_expect_eq(as_qtab_count(r.q), 0);
    for (size_t i = 0; i < as_dkim_count(r.d); i++) {
        int res = as_dkim_get_result(r.d, i)->result;
        cr_expect(res == AUTHSCORE_RES_PERMERROR ||
                  res == AUTHSCORE_RES_NOT_EVALUATED);
    }
    dk_run_free(&r);
    free(b.p);
    free(ed);
}

static void sig_with(mbuf *b, const char *btag, size_t blen, const char *h)
{
    puts_(b, "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=rsa2048;"
             " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; h=");
    puts_(b, h);
    puts_(b, "; b=");
    put(b, btag, blen);
    puts_(b, "\r\n");
}

Test(hostile, huge_and_invalid_b)
{
    /* b= of 60 KB fits the header field cap and is refused by ours (an
     * RSA-8192 signature is 1 KB); 100 KB passes the field cap, so the
     * message parser stops there: still a defined outcome. */
    size_t sizes[] = {60000, 100000};
    for (int k = 0; k < 2; k++) {
        char *big = malloc(sizes[k]);
        for (size_t i = 0; i < sizes[k]; i++)
            big[i] = "AbCd+/09"[i % 8];
        mbuf b = {0};
        sig_with(&b, big, sizes[k], "from");
        puts_(&b, BODY);
        dk_run r;
        cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
        all_defined(&r);
        if (k == 0) {
            cr_assert_eq(as_dkim_count(r.d), 1);
            cr_expect_str_eq(as_dkim_get_result(r.d, 0)->reason,
                             "bad_signature_tag:b");
        }
        dk_run_free(&r);
        free(b.p);
        free(big);
    }
    const char *bad[] = {"!!!!", "QUJD", "QUJDRA", "QU=JD", "===="};
    const char *want[] = {"bad_signature_tag:b", "signature_mismatch",
                          "bad_signature_tag:b", "bad_signature_tag:b",
                          "bad_signature_tag:b"};
    for (int k = 0; k < 5; k++) {
        mbuf b = {0};
        sig_with(&b, bad[k], strlen(bad[k]), "from");
        puts_(&b, BODY);
        dk_run r;
        cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
        all_defined(&r);
        const as_dkim_sig_result *s = as_dkim_get_result(r.d, 0);
        /* "QUJD" is valid base64: it gets as far as the body hash. */
        if (k == 1)
            cr_expect_str_eq(s->reason, "body_hash_mismatch");
        else
            cr_expect_str_eq(s->reason, want[k], "%s", bad[k]);
        cr_expect_neq(s->result, AUTHSCORE_RES_PASS);
        dk_run_free(&r);
        free(b.p);
    }
}

Test(hostile, h_with_ten_thousand_names)
{
    mbuf h = {0};
    for (int i = 0; i < 10000; i++)
        puts_(&h, i ? ":from" : "from");
    put(&h, "", 1);
    mbuf b = {0};
    sig_with(&b, "QUJD", 4, h.p);
    puts_(&b, BODY);
    dk_run r;
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_assert_eq(as_dkim_count(r.d), 1);
    cr_expect_eq(as_dkim_get_result(r.d, 0)->result, AUTHSCORE_RES_PERMERROR);
    cr_expect_str_eq(as_dkim_get_result(r.d, 0)->reason, "bad_signature_tag:h");
    dk_run_free(&r);
    free(b.p);
    b.p = NULL;
    b.cap = 0;

    /* At the cap (1,024 names) over 900 header fields the selection is
     * 1,024 x 900 comparisons: bounded, and it reaches the crypto. */
    b.n = h.n = 0;
    for (int i = 0; i < 1024; i++)
        puts_(&h, i ? ":x-a" : "from");
    put(&h, "", 1);
    sig_with(&b, "QUJD", 4, h.p);
    for (int i = 0; i < 900; i++)
        puts_(&b, "X-A: filler\r\n");
    puts_(&b, BODY);
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_expect_neq(as_dkim_get_result(r.d, 0)->result, AUTHSCORE_RES_PASS);
    dk_run_free(&r);
    free(b.p);
    free(h.p);
}

Test(hostile, body_of_blank_lines_and_whitespace)
{
    /* 8 MB of blank lines and whitespace: held as counts, not memory. */
    mbuf b = {0};
    sig_with(&b, "QUJD", 4, "from");
    puts_(&b, BODY);
    for (int i = 0; i < 1 << 20; i++)
        puts_(&b, i % 2 ? "\r\n" : " \t \r\n");
    dk_run r;
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_expect_str_eq(as_dkim_get_result(r.d, 0)->reason, "body_hash_mismatch");
    dk_run_free(&r);
    free(b.p);
}

/* Junk that maximizes parser work per byte must not multiply into memory:
 * 990 fields of 64 tags, each with a 900-name h=, fit in the 1 MB header
 * block; the message arena must stay far below the core's 8 MB cap. */
Test(hostile, junk_signatures_do_not_fill_the_arena)
{
    mbuf one = {0};
    puts_(&one, "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; "
                "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=QUJD");
    for (int t = 0; t < 56; t++) {
        char tag[16];
        snprintf(tag, sizeof tag, "; z%d=", t);
        puts_(&one, tag);
    }
    puts_(&one, "; h=from");
    for (int i = 0; i < 200; i++)
        puts_(&one, ":a");
    puts_(&one, "\r\n");
    mbuf b = {0};
    while (b.n + one.n < 1000000 - 200)
        put(&b, one.p, one.n);
    puts_(&b, BODY);
    dk_run r;
    cr_assert_eq(dk_verify(keys.dns, keys.cache, b.p, b.n, T0, NULL, DK_HASH_FIRST, &r), 0);
    all_defined(&r);
    cr_log_info("%zu signatures, %zu header bytes: arena %zu bytes",
                as_dkim_count(r.d), b.n, r.arena.used);
    cr_expect_gt(as_dkim_count(r.d), 500);
    cr_expect_lt(r.arena.used, 4u << 20);
    dk_run_free(&r);
    free(b.p);
    free(one.p);
}
