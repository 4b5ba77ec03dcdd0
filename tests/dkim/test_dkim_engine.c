/* The DKIM engine end to end, over fixtures signed by make-fixtures.py and
 * key records served by memdns: results, reasons, flags, DNS outcomes,
 * time checks, the signature cap, shared body hashes, the key cache and
 * both orders of "body hashed" and "key answered". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "harness.h"

#define T0 DK_T0

static dk_keys keys;

static char *fixture(const char *name, size_t *len)
{
    char *p = dk_fixture(name, len);
    cr_assert_not_null(p, "cannot read tests/dkim/data/%s", name);
    return p;
}

static void setup(void)
{
    cr_assert_eq(dk_keys_open(&keys), 0, "%s:%u", keys.path, keys.line);
}

static void teardown(void) { dk_keys_close(&keys); }

TestSuite(engine, .init = setup, .fini = teardown);

/* Verify message bytes; the run must be freed by the caller. */
static void run_bytes(const char *msg, size_t len, int64_t now,
                      const as_dkim_config *cfg, int order, dk_run *r)
{
    cr_assert_eq(dk_verify(keys.dns, keys.cache, msg, len, now, cfg, order, r), 0);
    cr_assert(as_dkim_done(r->d));
}

static const as_dkim_sig_result *res(const dk_run *r, size_t i)
{
    const as_dkim_sig_result *s = as_dkim_get_result(r->d, i);
    cr_assert_not_null(s, "no result %zu", i);
    return s;
}

static void expect(const dk_run *r, size_t i, int result, const char *reason)
{
    const as_dkim_sig_result *s = res(r, i);
    cr_expect_eq(s->result, result, "sig %zu: %s (%s), want %s (%s)", i,
                 authscore_result_name(s->result), s->reason,
                 authscore_result_name(result), reason);
    cr_expect_str_eq(s->reason, reason, "sig %zu", i);
}

static void check_file(const char *name, int64_t now, const as_dkim_config *cfg,
                       int result, const char *reason)
{
    size_t len;
    char *msg = fixture(name, &len);
    for (int order = DK_HASH_FIRST; order <= DK_ANSWER_FIRST; order++) {
        dk_run r;
        run_bytes(msg, len, now, cfg, order, &r);
        cr_assert_eq(as_dkim_count(r.d), 1);
        expect(&r, 0, result, reason);
        dk_run_free(&r);
    }
    free(msg);
}

Test(engine, rsa_sha256_pass_reports_names_bits_dnssec)
{
    size_t len;
    char *msg = fixture("rsa.eml", &len);
    dk_run r;
    run_bytes(msg, len, T0 + 100, NULL, DK_HASH_FIRST, &r);
    cr_assert_eq(as_dkim_count(r.d), 1);
    const as_dkim_sig_result *s = res(&r, 0);
    expect(&r, 0, AUTHSCORE_RES_PASS, "ok");
    cr_expect_str_eq(s->d, "example.com");
    cr_expect_str_eq(s->s, "rsa2048");
    cr_expect_str_eq(s->a, "rsa-sha256");
    cr_expect_eq(s->key_bits, 2048);
    cr_expect_eq(s->dnssec, AUTHSCORE_DNSSEC_INSECURE);
    cr_expect_eq(s->flags, 0);
    cr_expect_eq(s->l, -1);
    cr_expect_gt(s->body_length, 0);
    dk_run_free(&r);
    free(msg);
}

Test(engine, ed25519_pass)
{
    check_file("ed.eml", T0, NULL, AUTHSCORE_RES_PASS, "ok");
}

/* RFC 8301 3.1: rsa-sha1 "MUST NOT be used for signing or verifying".
 * By default it is permerror weak_algorithm, unverified: no key is asked
 * (so no key size), at 1024 and at 2048 bits alike; the flag still says
 * which algorithm it was. */
Test(engine, rsa_sha1_is_permerror_weak_algorithm_by_default)
{
    static const char *const files[] = {"sha1-1024.eml", "sha1.eml"};
    as_dkim_config off = {0, -1, 0};
    for (size_t f = 0; f < 2; f++) {
        check_file(files[f], T0, NULL, AUTHSCORE_RES_PERMERROR, "weak_algorithm");
        check_file(files[f], T0, &off, AUTHSCORE_RES_PERMERROR, "weak_algorithm");
        size_t len;
        char *msg = fixture(files[f], &len);
        dk_run r;
        run_bytes(msg, len, T0, NULL, DK_ANSWER_FIRST, &r);
        const as_dkim_sig_result *s = res(&r, 0);
        cr_expect_eq(s->flags, AUTHSCORE_DKIM_WEAK_ALGORITHM, "%s", files[f]);
        cr_expect_eq(s->key_bits, 0, "%s: never verified", files[f]);
        cr_expect_str_eq(s->a, "rsa-sha1");
        cr_expect_str_eq(s->d, "example.com");
        cr_expect_eq(as_qtab_count(r.q), 0, "%s: no key query", files[f]);
        dk_run_free(&r);
        free(msg);
    }
}

/* dkim.accept_rsa_sha1: the legacy exception verifies it, a weak pass. */
Test(engine, rsa_sha1_with_the_legacy_option_is_a_weak_pass)
{
    static const struct {
        const char *file;
        int bits;
    } cases[] = {{"sha1-1024.eml", 1024}, {"sha1.eml", 2048}};
    as_dkim_config on = {0, -1, 1};
    for (size_t f = 0; f < 2; f++) {
        check_file(cases[f].file, T0, &on, AUTHSCORE_RES_PASS, "ok");
        size_t len;
        char *msg = fixture(cases[f].file, &len);
        dk_run r;
        run_bytes(msg, len, T0, &on, DK_HASH_FIRST, &r);
        cr_expect_eq(res(&r, 0)->flags, AUTHSCORE_DKIM_WEAK_ALGORITHM);
        cr_expect_eq(res(&r, 0)->key_bits, cases[f].bits);
        dk_run_free(&r);
        /* Still verified: a changed body fails, as for rsa-sha256. */
        char *at = memmem(msg, len, "this is", 7);
        cr_assert_not_null(at);
        at[5] = 'w';
        run_bytes(msg, len, T0, &on, DK_HASH_FIRST, &r);
        expect(&r, 0, AUTHSCORE_RES_FAIL, "body_hash_mismatch");
        dk_run_free(&r);
        free(msg);
    }
    /* The option changes nothing for rsa-sha256 or Ed25519. */
    check_file("rsa.eml", T0, &on, AUTHSCORE_RES_PASS, "ok");
    check_file("ed.eml", T0, &on, AUTHSCORE_RES_PASS, "ok");
}

/* A refused rsa-sha1 signature asks no key, so it does not use up the
 * signature cap: the rsa-sha256 signature after it is still evaluated. */
Test(engine, refused_rsa_sha1_does_not_count_against_the_cap)
{
    size_t l1, l2;
    char *sha1 = fixture("sha1.eml", &l1);
    char *rsa = fixture("rsa.eml", &l2);
    char *end = strstr(sha1, "\r\nFrom:");
    cr_assert_not_null(end);
    size_t sl = (size_t)(end - sha1) + 2;
    char *buf = malloc(sl + l2);
    memcpy(buf, sha1, sl);
    memcpy(buf + sl, rsa, l2);
    as_dkim_config cap1 = {1, -1, 0};
    dk_run r;
    run_bytes(buf, sl + l2, T0 + 1, &cap1, DK_HASH_FIRST, &r);
    cr_assert_eq(as_dkim_count(r.d), 2);
    expect(&r, 0, AUTHSCORE_RES_PERMERROR, "weak_algorithm");
    expect(&r, 1, AUTHSCORE_RES_PASS, "ok");
    dk_run_free(&r);
    /* With the option the rsa-sha1 signature asks first and takes the
     * only slot. */
    cap1.accept_rsa_sha1 = 1;
    run_bytes(buf, sl + l2, T0 + 1, &cap1, DK_HASH_FIRST, &r);
    expect(&r, 0, AUTHSCORE_RES_PASS, "ok");
    expect(&r, 1, AUTHSCORE_RES_NOT_EVALUATED, "not_evaluated_cap");
    dk_run_free(&r);
    free(buf);
    free(rsa);
    free(sha1);
}

/* i= is dkim-quoted-printable (RFC 6376 3.5, 2.11): decoded before the d=
 * check, reported decoded, and what t=s (strict) compares.  qp.eml is
 * signed by make-fixtures.py with these i= values, all under d=example.com. */
Test(engine, qp_identity)
{
    static const struct {
        const char *written; /* i= as in the field, for the message */
        int result;
        const char *reason;
        const char *i; /* reported */
    } want[] = {
        {"alice=40example.com", AUTHSCORE_RES_PASS, "ok", "alice@example.com"},
        {"=40sub.example.com", AUTHSCORE_RES_PASS, "ok", "@sub.example.com"},
        {"al=69ce=40exa mple.com (FWS dropped)", AUTHSCORE_RES_PASS, "ok",
         "alice@example.com"},
        {"alice=40other.example", AUTHSCORE_RES_PERMERROR, "bad_signature_tag:i",
         "alice@other.example"},
        {"user=40sub.example.com, key t=s", AUTHSCORE_RES_PERMERROR,
         "key_strict_identity", "user@sub.example.com"},
        {"user=40example.com, key t=s", AUTHSCORE_RES_PASS, "ok", "user@example.com"},
        {"alice@example.com (literal)", AUTHSCORE_RES_PASS, "ok", "alice@example.com"},
        {"alice=40EXAMPLE.COM", AUTHSCORE_RES_PASS, "ok", "alice@EXAMPLE.COM"},
    };
    size_t n = sizeof want / sizeof *want, len;
    char *msg = fixture("qp.eml", &len);
    as_dkim_config cfg = {16, -1, 0};
    for (int order = DK_HASH_FIRST; order <= DK_ANSWER_FIRST; order++) {
        dk_run r;
        run_bytes(msg, len, T0, &cfg, order, &r);
        cr_assert_eq(as_dkim_count(r.d), n);
        for (size_t k = 0; k < n; k++) {
            const as_dkim_sig_result *s = res(&r, k);
            cr_expect_eq(s->result, want[k].result, "i=%s: %s (%s)", want[k].written,
                         authscore_result_name(s->result), s->reason);
            cr_expect_str_eq(s->reason, want[k].reason, "i=%s", want[k].written);
            cr_expect_str_eq(s->i, want[k].i, "i=%s", want[k].written);
        }
        dk_run_free(&r);
    }
    free(msg);
}

Test(engine, time_checks_use_the_injected_clock)
{
    /* rsa.eml: t=T0, x=T0+86400. */
    check_file("rsa.eml", T0 + 86400, NULL, AUTHSCORE_RES_PASS, "ok");
    check_file("rsa.eml", T0 + 86401, NULL, AUTHSCORE_RES_PERMERROR,
               "sig_expired");
    check_file("rsa.eml", T0 - 300, NULL, AUTHSCORE_RES_PASS, "ok");
    check_file("rsa.eml", T0 - 301, NULL, AUTHSCORE_RES_PERMERROR,
               "sig_future");
    as_dkim_config cfg = {0, 3600, 0};
    check_file("rsa.eml", T0 - 3000, &cfg, AUTHSCORE_RES_PASS, "ok");
    cfg.clock_skew = 0;
    check_file("rsa.eml", T0 - 1, &cfg, AUTHSCORE_RES_PERMERROR, "sig_future");
}

Test(engine, rsa_keys_under_1024_bits_fail)
{
    size_t len;
    char *msg = fixture("small.eml", &len);
    dk_run r;
    run_bytes(msg, len, T0, NULL, DK_ANSWER_FIRST, &r);
    expect(&r, 0, AUTHSCORE_RES_FAIL, "key_too_small");
    cr_expect_eq(res(&r, 0)->key_bits, 512);
    dk_run_free(&r);
    free(msg);
}

Test(engine, content_after_l_is_flagged)
{
    size_t len;
    char *msg = fixture("length.eml", &len);
    dk_run r;
    run_bytes(msg, len, T0, NULL, DK_HASH_FIRST, &r);
    const as_dkim_sig_result *s = res(&r, 0);
    expect(&r, 0, AUTHSCORE_RES_PASS, "ok");
    cr_expect(s->flags & AUTHSCORE_DKIM_UNSIGNED_CONTENT);
    cr_expect_geq(s->l, 0);
    cr_expect_gt(s->body_length, (uint64_t)s->l);
    dk_run_free(&r);
    free(msg);
}

/* Build "prefix + fixture" and verify it. */
static void check_modified(const char *name, const char *prefix,
                           const char *from, const char *to, int result,
                           const char *reason)
{
    size_t len;
    char *msg = fixture(name, &len);
    size_t plen = strlen(prefix);
    char *buf = malloc(plen + len + 256);
    memcpy(buf, prefix, plen);
    memcpy(buf + plen, msg, len);
    size_t n = plen + len;
    if (from) {
        char *at = memmem(buf, n, from, strlen(from));
        cr_assert_not_null(at, "%s not in %s", from, name);
        size_t fl = strlen(from), tl = strlen(to);
        memmove(at + tl, at + fl, n - (size_t)(at - buf) - fl);
        memcpy(at, to, tl);
        n = n - fl + tl;
    }
    dk_run r;
    run_bytes(buf, n, T0 + 1, NULL, DK_HASH_FIRST, &r);
    expect(&r, 0, result, reason);
    dk_run_free(&r);
    free(buf);
    free(msg);
}

Test(engine, modifications_are_detected)
{
    check_modified("rsa.eml", "", NULL, NULL, AUTHSCORE_RES_PASS, "ok");
    check_modified("rsa.eml", "", "this is", "this was", AUTHSCORE_RES_FAIL,
                   "body_hash_mismatch");
    check_modified("rsa.eml", "", "Subject: fixture", "Subject: fixtures",
                   AUTHSCORE_RES_FAIL, "signature_mismatch");
    /* relaxed/relaxed survives whitespace changes in signed fields... */
    check_modified("rsa.eml", "", "Subject: fixture   message",
                   "Subject:\tfixture message  ", AUTHSCORE_RES_PASS, "ok");
    /* ...simple/simple does not. */
    check_modified("ed.eml", "", "Subject: fixture   message",
                   "Subject: fixture message", AUTHSCORE_RES_FAIL,
                   "signature_mismatch");
    check_modified("ed.eml", "", "the body.", "the  body.", AUTHSCORE_RES_FAIL,
                   "body_hash_mismatch");
    /* A second From above a singly-signed one is taken bottom-up: the
     * signed (lower) one still verifies... */
    check_modified("rsa.eml", "From: evil@example.net\r\n", NULL, NULL,
                   AUTHSCORE_RES_PASS, "ok");
    /* ...but over-signing (h= lists From twice) makes it fail, and an
     * over-signed absent field (Reply-To) must stay absent. */
    check_modified("oversign.eml", "", NULL, NULL, AUTHSCORE_RES_PASS, "ok");
    check_modified("oversign.eml", "From: evil@example.net\r\n", NULL, NULL,
                   AUTHSCORE_RES_FAIL, "signature_mismatch");
    check_modified("oversign.eml", "Reply-To: evil@example.net\r\n", NULL,
                   NULL, AUTHSCORE_RES_FAIL, "signature_mismatch");
    /* The signature field's own tags are signed too (3.7). */
    check_modified("rsa.eml", "", "; t=1700000000", "; t=1700000001",
                   AUTHSCORE_RES_FAIL, "signature_mismatch");
}

/* LF line ends are read as CRLF (spool files, LMTP hand-offs). */
Test(engine, lf_line_ends)
{
    size_t len;
    char *msg = fixture("ed.eml", &len);
    char *lf = malloc(len);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
            lf[n++] = msg[i];
    dk_run r;
    run_bytes(lf, n, T0, NULL, DK_HASH_FIRST, &r);
    expect(&r, 0, AUTHSCORE_RES_PASS, "ok");
    dk_run_free(&r);
    free(lf);
    free(msg);
}

Test(engine, key_records_and_dns_outcomes)
{
    struct {
        int result;
        const char *reason;
        int dnssec;
        unsigned flags;
    } want[] = {
        {AUTHSCORE_RES_PASS, "ok", AUTHSCORE_DNSSEC_INSECURE, 0}, /* PKCS#1 */
        {AUTHSCORE_RES_PASS, "ok", AUTHSCORE_DNSSEC_INSECURE,
         AUTHSCORE_DKIM_TESTING_KEY},
        {AUTHSCORE_RES_PERMERROR, "key_strict_identity", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_PASS, "ok", AUTHSCORE_DNSSEC_INSECURE, 0}, /* t=s, i=@d */
        {AUTHSCORE_RES_PERMERROR, "key_hash_not_allowed", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_PERMERROR, "key_type_mismatch", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_FAIL, "key_revoked", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_PERMERROR, "key_service", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_PERMERROR, "key_syntax", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_PASS, "ok", AUTHSCORE_DNSSEC_INSECURE, 0}, /* split TXT */
        {AUTHSCORE_RES_PERMERROR, "key_not_found", AUTHSCORE_DNSSEC_INSECURE, 0},
        {AUTHSCORE_RES_TEMPERROR, "dns_timeout", -1, 0},
        {AUTHSCORE_RES_TEMPERROR, "dns_servfail", -1, 0},
        {AUTHSCORE_RES_PASS, "ok", AUTHSCORE_DNSSEC_SECURE, 0},
        {AUTHSCORE_RES_TEMPERROR, "dns_bogus", AUTHSCORE_DNSSEC_BOGUS, 0},
    };
    size_t len;
    char *msg = fixture("keys.eml", &len);
    as_dkim_config cfg = {64, -1, 0};
    for (int order = DK_HASH_FIRST; order <= DK_ANSWER_FIRST; order++) {
        dk_run r;
        run_bytes(msg, len, T0, &cfg, order, &r);
        cr_assert_eq(as_dkim_count(r.d), sizeof want / sizeof *want);
        for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
            expect(&r, i, want[i].result, want[i].reason);
            const as_dkim_sig_result *s = res(&r, i);
            if (want[i].dnssec >= 0)
                cr_expect_eq(s->dnssec, want[i].dnssec, "sig %zu dnssec", i);
            cr_expect_eq(s->flags, want[i].flags, "sig %zu flags", i);
        }
        /* Fifteen signatures, one body canonicalization: one body hash. */
        cr_expect_eq(as_dkim_body_hash_count(r.d), 1);
        dk_run_free(&r);
    }
    free(msg);
}

Test(engine, signature_cap)
{
    size_t len;
    char *msg = fixture("cap.eml", &len);
    dk_run r;
    run_bytes(msg, len, T0 + 60, NULL, DK_HASH_FIRST, &r);
    cr_assert_eq(as_dkim_count(r.d), 10);
    for (size_t i = 0; i < 10; i++) {
        if (i < AS_DKIM_MAX_SIGNATURES) {
            expect(&r, i, AUTHSCORE_RES_PASS, "ok");
        } else {
            expect(&r, i, AUTHSCORE_RES_NOT_EVALUATED, "not_evaluated_cap");
            cr_expect(res(&r, i)->flags & AUTHSCORE_DKIM_NOT_EVALUATED);
            cr_expect_str_eq(res(&r, i)->d, "example.com");
        }
    }
    /* Two digests? No: rsa-sha256 and ed25519-sha256 share SHA-256. */
    cr_expect_eq(as_dkim_body_hash_count(r.d), 1);
    /* Two selectors, one question each (qtab dedupes). */
    cr_expect_eq(as_qtab_count(r.q), 2);
    dk_run_free(&r);

    as_dkim_config cfg = {3, -1, 0};
    run_bytes(msg, len, T0 + 60, &cfg, DK_ANSWER_FIRST, &r);
    for (size_t i = 0; i < 10; i++)
        expect(&r, i, i < 3 ? AUTHSCORE_RES_PASS : AUTHSCORE_RES_NOT_EVALUATED,
               i < 3 ? "ok" : "not_evaluated_cap");
    dk_run_free(&r);
    free(msg);
}

Test(engine, body_hashes_are_shared_per_canon_digest_and_length)
{
    /* rsa.eml is relaxed body, SHA-256; ed.eml simple; sha1.eml SHA-1;
     * length.eml has l=.  Stack all four signatures on one message. */
    const char *names[] = {"rsa.eml", "ed.eml", "sha1.eml", "length.eml",
                           "rsa.eml"};
    char *buf = malloc(65536);
    size_t n = 0;
    size_t len;
    char *base = NULL;
    for (size_t k = 0; k < 5; k++) {
        char *m = fixture(names[k], &len);
        char *end = strstr(m, "\r\nFrom:");
        cr_assert_not_null(end);
        memcpy(buf + n, m, (size_t)(end - m) + 2);
        n += (size_t)(end - m) + 2;
        if (k == 0)
            base = strdup(end + 2);
        free(m);
    }
    memcpy(buf + n, base, strlen(base));
    n += strlen(base);
    dk_run r;
    as_dkim_config cfg = {16, -1, 1};
    run_bytes(buf, n, T0 + 1, &cfg, DK_HASH_FIRST, &r);
    cr_assert_eq(as_dkim_count(r.d), 5);
    for (size_t i = 0; i < 5; i++)
        expect(&r, i, AUTHSCORE_RES_PASS, "ok");
    cr_expect_eq(as_dkim_body_hash_count(r.d), 4);
    dk_run_free(&r);
    free(base);
    free(buf);
}

/* Twelve signatures with twelve l= values need twelve body hashes: more
 * than the engine keeps inline, so the rest go to the arena. */
Test(engine, more_body_hashes_than_inline)
{
    size_t len;
    char *msg = fixture("lengths.eml", &len);
    dk_run r;
    as_dkim_config cfg = {16, -1, 0};
    run_bytes(msg, len, T0 + 1, &cfg, DK_HASH_FIRST, &r);
    cr_assert_eq(as_dkim_count(r.d), 12);
    for (size_t i = 0; i < 12; i++)
        expect(&r, i, AUTHSCORE_RES_PASS, "ok");
    cr_expect_eq(as_dkim_body_hash_count(r.d), 12);
    dk_run_free(&r);
    run_bytes(msg, len, T0 + 1, &cfg, DK_ANSWER_FIRST, &r);
    for (size_t i = 0; i < 12; i++)
        expect(&r, i, AUTHSCORE_RES_PASS, "ok");
    dk_run_free(&r);
    free(msg);
}

Test(engine, cached_keys_are_not_decoded_again)
{
    size_t len;
    char *msg = fixture("cap.eml", &len);
    for (int k = 0; k < 5; k++) {
        dk_run r;
        run_bytes(msg, len, T0 + 60, NULL, k % 2, &r);
        expect(&r, 0, AUTHSCORE_RES_PASS, "ok");
        dk_run_free(&r);
    }
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(keys.cache, &st);
    cr_expect_eq(st.decodes, 2, "one RSA and one Ed25519 record");
    cr_expect_eq(st.misses, 2);
    cr_expect_eq(st.hits, 5 * 8 - 2);
    free(msg);
}

/* Verification happens as soon as both parts are there, in either order,
 * before as_dkim_finish. */
Test(engine, lazy_verification_in_both_orders)
{
    size_t len;
    char *msg = fixture("ed.eml", &len);
    for (int order = 0; order < 2; order++) {
        as_arena a;
        as_arena_init(&a, DK_ARENA_MAX);
        as_message m;
        as_message_parse(&a, msg, len, NULL, &m);
        as_qtab *q = as_qtab_new(&a, 0);
        as_dkim *d;
        cr_assert_eq(as_dkim_start(&a, q, keys.cache, &m, NULL, T0, &d), 0);
        cr_expect_eq(as_qtab_unsent(q), 1, "the key query is asked at start");
        cr_expect_not(as_dkim_done(d));
        if (order == 0) {
            as_dkim_hash(d);
            cr_expect_not(as_dkim_done(d), "no key yet");
            as_memdns_drive(keys.dns, q, NULL);
        } else {
            as_memdns_drive(keys.dns, q, NULL);
            cr_expect_not(as_dkim_done(d), "no body hash yet");
            as_dkim_hash(d);
        }
        cr_expect(as_dkim_done(d), "verified without finish");
        cr_expect_eq(as_dkim_get_result(d, 0)->result, AUTHSCORE_RES_PASS);
        as_dkim_finish(d);
        cr_expect_eq(as_dkim_get_result(d, 0)->result, AUTHSCORE_RES_PASS);
        as_arena_free(&a);
    }
    free(msg);
}

Test(engine, unanswered_queries_are_temperrors)
{
    size_t len;
    char *msg = fixture("ed.eml", &len);
    as_arena a;
    as_arena_init(&a, DK_ARENA_MAX);
    as_message m;
    as_message_parse(&a, msg, len, NULL, &m);
    as_qtab *q = as_qtab_new(&a, 0);
    as_dkim *d;
    cr_assert_eq(as_dkim_start(&a, q, keys.cache, &m, NULL, T0, &d), 0);
    as_dkim_finish(d);  /* never answered, not even expired */
    cr_expect(as_dkim_done(d));
    cr_expect_eq(as_dkim_get_result(d, 0)->result, AUTHSCORE_RES_TEMPERROR);
    cr_expect_str_eq(as_dkim_get_result(d, 0)->reason, "dns_timeout");
    cr_expect_null(as_dkim_get_result(d, 1));
    as_arena_free(&a);
    free(msg);
}

Test(engine, unsigned_message)
{
    const char *msg = "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n";
    dk_run r;
    run_bytes(msg, strlen(msg), T0, NULL, DK_HASH_FIRST, &r);
    cr_expect_eq(as_dkim_count(r.d), 0);
    cr_expect_eq(as_qtab_count(r.q), 0);
    dk_run_free(&r);
}
