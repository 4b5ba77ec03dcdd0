/* test_ar_write.c - the RFC 8601 writer: every result word, quoting of
 * hostile values, caps, and that the reader reads back what was written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "score/ar_read.h"
#include "score/ar_write.h"
#include "util/buf.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 64u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(ar_write, .init = setup, .fini = teardown);

/* Write, and check what holds for every output: no CR, LF, NUL or other
 * control character, within the cap, and readable by our reader. */
static const char *ar(fx *f, const char *id, as_ar_parsed *parsed)
{
    const char *out = NULL;
    size_t len = 0;
    cr_assert_eq(as_ar_write(&A, id, &f->r, &out, &len), 0);
    cr_assert_not_null(out);
    cr_assert_eq(strlen(out), len, "embedded NUL");
    cr_assert_leq(len, AS_AR_MAX_HEADER);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        cr_assert(c >= 0x20 && c != 0x7f, "control 0x%02x at %zu in %s", c, i, out);
    }
    as_ar_parsed tmp;
    as_ar_parsed *p = parsed ? parsed : &tmp;
    int rc = as_ar_read(&A, out, len, p);
    cr_assert_eq(rc, 0, "reader rc %d on: %s", rc, out);
    return out;
}

static const as_ar_prop *prop(const as_ar_resinfo *r, const char *ptype, const char *name)
{
    for (size_t i = 0; i < r->n_props; i++)
        if (!strcmp(r->props[i].ptype, ptype) && !strcmp(r->props[i].property, name))
            return &r->props[i];
    return NULL;
}

Test(ar_write, nothing_evaluated_is_none)
{
    fx f;
    fx_init(&f);
    as_ar_parsed p;
    cr_assert_str_eq(ar(&f, "mx.example.org", &p), "mx.example.org; none");
    cr_assert(p.none);
    cr_assert_str_eq(p.authserv_id, "mx.example.org");
}

Test(ar_write, missing_authserv_id_is_localhost)
{
    fx f;
    fx_init(&f);
    cr_assert_str_eq(ar(&f, NULL, NULL), "localhost; none");
    cr_assert_str_eq(ar(&f, "", NULL), "localhost; none");
}

Test(ar_write, authserv_id_not_a_token_is_quoted)
{
    fx f;
    fx_init(&f);
    as_ar_parsed p;
    const char *s = ar(&f, "mx;evil (x)\r\nX-Injected: 1", &p);
    cr_assert_str_eq(s, "\"mx;evil (x)??X-Injected: 1\"; none");
    cr_assert_str_eq(p.authserv_id, "mx;evil (x)??X-Injected: 1");
}

Test(ar_write, default_authserv_id_is_a_token)
{
    const char *h = as_ar_default_authserv_id();
    cr_assert_not_null(h);
    cr_assert_gt(strlen(h), 0);
    cr_assert_eq(strcspn(h, " ;()\"\\@"), strlen(h));
    cr_assert_eq(h, as_ar_default_authserv_id(), "read once per process");
}

Test(ar_write, spf_every_result_word_both_identities)
{
    static const struct {
        int res;
        const char *word;
    } words[] = {
        {AUTHSCORE_RES_PASS, "pass"},          {AUTHSCORE_RES_FAIL, "fail"},
        {AUTHSCORE_RES_SOFTFAIL, "softfail"},  {AUTHSCORE_RES_NEUTRAL, "neutral"},
        {AUTHSCORE_RES_NONE, "none"},          {AUTHSCORE_RES_TEMPERROR, "temperror"},
        {AUTHSCORE_RES_PERMERROR, "permerror"},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        for (size_t j = 0; j < sizeof words / sizeof *words; j++) {
            fx f;
            fx_init(&f);
            as_spf_result *m = fx_spf(&f, AUTHSCORE_SPF_MFROM, words[i].res, "alice@example.com",
                                      "example.com", AUTHSCORE_DNSSEC_INSECURE);
            m->reason = "why";
            fx_spf(&f, AUTHSCORE_SPF_HELO, words[j].res, "postmaster@mx.example.com",
                   "mx.example.com", AUTHSCORE_DNSSEC_INDETERMINATE);
            as_ar_parsed p;
            const char *s = ar(&f, "mx.example.org", &p);
            char want[256];
            snprintf(want, sizeof want, "; spf=%s%s smtp.mailfrom=alice@example.com (DNSSEC insecure)",
                     words[i].word, words[i].res == AUTHSCORE_RES_PASS ? "" : " reason=\"why\"");
            cr_assert(strstr(s, want), "%s not in %s", want, s);
            snprintf(want, sizeof want, "; spf=%s smtp.helo=mx.example.com", words[j].word);
            cr_assert(strstr(s, want), "%s not in %s", want, s);
            cr_assert_eq(p.n_res, 2);
            cr_assert_str_eq(p.res[0].method, "spf");
            cr_assert_str_eq(p.res[0].result, words[i].word);
            cr_assert_str_eq(prop(&p.res[0], "smtp", "mailfrom")->value, "alice@example.com");
            cr_assert_str_eq(p.res[1].result, words[j].word);
            cr_assert_str_eq(prop(&p.res[1], "smtp", "helo")->value, "mx.example.com");
            if (words[i].res == AUTHSCORE_RES_PASS)
                cr_assert_null(p.res[0].reason);
            else
                cr_assert_str_eq(p.res[0].reason, "why");
        }
    }
}

Test(ar_write, spf_not_evaluated_is_omitted)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_NOT_EVALUATED, "a@example.com", "example.com", 0);
    fx_spf(&f, AUTHSCORE_SPF_HELO, AUTHSCORE_RES_PASS, NULL, "mx.example.com", 0);
    cr_assert_str_eq(ar(&f, "r.example", NULL), "r.example; spf=pass smtp.helo=mx.example.com");
}

Test(ar_write, null_mail_from_is_postmaster_at_helo)
{
    /* RFC 7208 2.4: the core evaluates postmaster@HELO; the identity
     * falls back to spf_identity when the engine gave none. */
    fx f;
    fx_init(&f);
    fx_spf(&f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_PASS, "postmaster@mx.example.com",
           "mx.example.com", 0);
    cr_assert(strstr(ar(&f, "r.example", NULL), "spf=pass smtp.mailfrom=postmaster@mx.example.com"));
    fx_init(&f);
    as_spf_result *s = fx_spf(&f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_PASS, NULL, "x.example", 0);
    (void)s;
    f.r.spf_identity[AUTHSCORE_SPF_MFROM] = "postmaster@x.example";
    cr_assert(strstr(ar(&f, "r.example", NULL), "smtp.mailfrom=postmaster@x.example"));
}

Test(ar_write, dkim_none_when_no_signature)
{
    fx f;
    fx_init(&f);
    f.r.dkim_evaluated = 1;
    cr_assert_str_eq(ar(&f, "r.example", NULL), "r.example; dkim=none");
}

Test(ar_write, dkim_every_result_with_comment)
{
    static const struct {
        int res;
        const char *word;
        const char *reason;
    } words[] = {
        {AUTHSCORE_RES_PASS, "pass", "ok"},
        {AUTHSCORE_RES_FAIL, "fail", "body_hash_mismatch"},
        {AUTHSCORE_RES_TEMPERROR, "temperror", "dns_timeout"},
        {AUTHSCORE_RES_PERMERROR, "permerror", "key_not_found"},
        {AUTHSCORE_RES_NEUTRAL, "neutral", "x"},
        {AUTHSCORE_RES_POLICY, "policy", "y"},
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        fx f;
        fx_init(&f);
        as_dkim_sig_result *g = fx_sig(&f, words[i].res, "example.com", "sel", "rsa-sha256",
                                       words[i].reason);
        g->key_bits = 2048;
        g->dnssec = AUTHSCORE_DNSSEC_SECURE;
        as_ar_parsed p;
        const char *s = ar(&f, "r.example", &p);
        char want[256];
        if (words[i].res == AUTHSCORE_RES_PASS)
            snprintf(want, sizeof want, "r.example; dkim=pass header.d=example.com header.s=sel "
                                        "header.a=rsa-sha256 (2048-bit key, DNSSEC secure)");
        else
            snprintf(want, sizeof want, "r.example; dkim=%s reason=\"%s\" header.d=example.com "
                     "header.s=sel header.a=rsa-sha256 (2048-bit key, DNSSEC secure)",
                     words[i].word, words[i].reason);
        cr_assert_str_eq(s, want);
        cr_assert_eq(p.n_res, 1);
        cr_assert_str_eq(p.res[0].result, words[i].word);
        cr_assert_str_eq(prop(&p.res[0], "header", "d")->value, "example.com");
        cr_assert_str_eq(prop(&p.res[0], "header", "s")->value, "sel");
        cr_assert_str_eq(prop(&p.res[0], "header", "a")->value, "rsa-sha256");
    }
}

Test(ar_write, dkim_flags_in_comment_and_missing_tags_omitted)
{
    fx f;
    fx_init(&f);
    as_dkim_sig_result *g = fx_sig(&f, AUTHSCORE_RES_PASS, "example.com", "s1", "rsa-sha1", "ok");
    g->flags = AUTHSCORE_DKIM_WEAK_ALGORITHM | AUTHSCORE_DKIM_TESTING_KEY |
               AUTHSCORE_DKIM_UNSIGNED_CONTENT;
    g->key_bits = 1024;
    g->dnssec = AUTHSCORE_DNSSEC_INSECURE;
    fx_sig(&f, AUTHSCORE_RES_PERMERROR, NULL, NULL, NULL, "signature_syntax");
    const char *s = ar(&f, "r.example", NULL);
    cr_assert_str_eq(s, "r.example; dkim=pass header.d=example.com header.s=s1 header.a=rsa-sha1 "
                        "(1024-bit key, DNSSEC insecure, weak algorithm, testing key, unsigned "
                        "content after l=); dkim=permerror reason=\"signature_syntax\"");
}

Test(ar_write, dkim_not_evaluated_are_counted_not_listed)
{
    fx f;
    fx_init(&f);
    fx_sig(&f, AUTHSCORE_RES_PASS, "a.example", "s", "ed25519-sha256", "ok");
    fx_sig(&f, AUTHSCORE_RES_NOT_EVALUATED, "b.example", "s", "rsa-sha256", "not_evaluated_cap");
    fx_sig(&f, AUTHSCORE_RES_NOT_EVALUATED, "c.example", "s", "rsa-sha256", "not_evaluated_cap");
    as_ar_parsed p;
    const char *s = ar(&f, "r.example", &p);
    cr_assert_str_eq(s, "r.example; dkim=pass header.d=a.example header.s=s "
                        "header.a=ed25519-sha256 (2 dkim signatures not evaluated)");
    cr_assert_eq(p.n_res, 1);
}

Test(ar_write, dmarc_results_and_policy)
{
    fx f;
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "example.com", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_NONE, "aligned_dkim")
        ->dnssec = AUTHSCORE_DNSSEC_SECURE;
    cr_assert_str_eq(ar(&f, "r.example", NULL),
                     "r.example; dmarc=pass header.from=example.com policy.dmarc=reject (DNSSEC secure)");

    fx_init(&f);
    as_dmarc_result *d = fx_dmarc(&f, AUTHSCORE_RES_FAIL, "a.example.com",
                                  AUTHSCORE_DMARC_POLICY_REJECT,
                                  AUTHSCORE_DMARC_POLICY_QUARANTINE, "unaligned");
    d->policy_tag = "sp";
    d->downgraded = 1;
    d->dnssec = AUTHSCORE_DNSSEC_INSECURE;
    as_ar_parsed p;
    cr_assert_str_eq(ar(&f, "r.example", &p),
                     "r.example; dmarc=fail reason=\"unaligned\" header.from=a.example.com "
                     "policy.dmarc=quarantine (sp=reject, t=y, DNSSEC insecure)");
    cr_assert_str_eq(prop(&p.res[0], "policy", "dmarc")->value, "quarantine");
    cr_assert_str_eq(p.res[0].reason, "unaligned");

    fx_init(&f);
    d = fx_dmarc(&f, AUTHSCORE_RES_FAIL, "x.example", AUTHSCORE_DMARC_POLICY_QUARANTINE,
                 AUTHSCORE_DMARC_POLICY_NONE, "unaligned");
    d->downgraded = 1;
    d->mode = AS_DMARC_RFC7489;
    cr_assert_str_eq(ar(&f, "r.example", NULL),
                     "r.example; dmarc=fail reason=\"unaligned\" header.from=x.example "
                     "policy.dmarc=none (p=quarantine, outside pct)");

    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_NONE, "example.com", 0, 0, "no_policy");
    cr_assert_str_eq(ar(&f, "r.example", NULL),
                     "r.example; dmarc=none reason=\"no_policy\" header.from=example.com");

    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_TEMPERROR, "example.com", 0, 0, "dns_bogus")->dnssec =
        AUTHSCORE_DNSSEC_BOGUS;
    cr_assert_str_eq(ar(&f, "r.example", NULL),
                     "r.example; dmarc=temperror reason=\"dns_bogus\" header.from=example.com "
                     "(DNSSEC bogus)");

    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_PERMERROR, NULL, 0, 0, "multiple_from");
    cr_assert_str_eq(ar(&f, "r.example", NULL), "r.example; dmarc=permerror reason=\"multiple_from\"");

    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_NOT_EVALUATED, "example.com", 0, 0, NULL);
    cr_assert_str_eq(ar(&f, "r.example", NULL), "r.example; none");
}

Test(ar_write, full_order_spf_dkim_dmarc)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "alice@good.example", "good.example", 0);
    fx_spf(&f, 1, AUTHSCORE_RES_NONE, NULL, "mx.good.example", 0);
    fx_sig(&f, AUTHSCORE_RES_PASS, "good.example", "s", "rsa-sha256", "ok");
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "good.example", AUTHSCORE_DMARC_POLICY_NONE, 1, "aligned_both");
    as_ar_parsed p;
    ar(&f, "r.example", &p);
    cr_assert_eq(p.n_res, 4);
    const char *want[4][2] = {{"spf", "pass"}, {"spf", "none"}, {"dkim", "pass"}, {"dmarc", "pass"}};
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(p.res[i].method, want[i][0]);
        cr_assert_str_eq(p.res[i].result, want[i][1]);
    }
}

/* ---- hostile values ---- */

Test(ar_write, hostile_local_part_is_quoted_and_escaped)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_FAIL, "a\"b\\c;d(e)@example.com", "example.com", 0);
    as_ar_parsed p;
    const char *s = ar(&f, "r", &p);
    cr_assert(strstr(s, " smtp.mailfrom=\"a\\\"b\\\\c;d(e)\"@example.com"), "%s", s);
    cr_assert_str_eq(prop(&p.res[0], "smtp", "mailfrom")->value, "a\"b\\c;d(e)@example.com");
}

Test(ar_write, already_quoted_local_part_is_not_quoted_twice)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "\"john smith\"@example.com", "example.com", 0);
    as_ar_parsed p;
    cr_assert(strstr(ar(&f, "r", &p), "smtp.mailfrom=\"john smith\"@example.com"));
    cr_assert_str_eq(prop(&p.res[0], "smtp", "mailfrom")->value, "john smith@example.com");
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "\"john\"@example.com", "example.com", 0);
    cr_assert(strstr(ar(&f, "r", NULL), "smtp.mailfrom=john@example.com"));
}

Test(ar_write, hostile_domain_crlf_injection_is_neutralised)
{
    fx f;
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "evil.example\r\nX-Spam: no; dkim=pass", 3, 3,
             "unaligned\r\n\tBcc: x");
    as_ar_parsed p;
    const char *s = ar(&f, "r", &p);
    cr_assert_eq(strpbrk(s, "\r\n"), NULL);
    cr_assert_eq(p.n_res, 1, "no injected resinfo: %s", s);
    cr_assert_str_eq(prop(&p.res[0], "header", "from")->value, "evil.example??X-Spam: no; dkim=pass");
    cr_assert_str_eq(p.res[0].reason, "unaligned?? Bcc: x");
}

Test(ar_write, reason_with_quotes_backslash_semicolon_parens)
{
    fx f;
    fx_init(&f);
    as_spf_result *s = fx_spf(&f, 0, AUTHSCORE_RES_PERMERROR, "a@example.com", "example.com", 0);
    s->reason = "bad \"term\" \\ ; (x) ) (";
    as_ar_parsed p;
    const char *out = ar(&f, "r", &p);
    cr_assert(strstr(out, "reason=\"bad \\\"term\\\" \\\\ ; (x) ) (\""), "%s", out);
    cr_assert_str_eq(p.res[0].reason, "bad \"term\" \\ ; (x) ) (");
    cr_assert_eq(p.n_res, 1);
}

Test(ar_write, eight_bit_valid_utf8_quoted_invalid_replaced)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "j\xc3\xb6rg@example.com", "example.com", 0);
    as_ar_parsed p;
    cr_assert(strstr(ar(&f, "r", &p), "smtp.mailfrom=\"j\xc3\xb6rg\"@example.com"));
    cr_assert_str_eq(prop(&p.res[0], "smtp", "mailfrom")->value, "j\xc3\xb6rg@example.com");

    fx_init(&f);
    /* Lone continuation byte, overlong, surrogate, truncated sequence. */
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82@example.com",
           "example.com", 0);
    const char *s = ar(&f, "r", &p);
    cr_assert(strstr(s, "smtp.mailfrom=a?b??c???d??@example.com"), "%s", s);
}

Test(ar_write, clean_replaces_nul_and_controls)
{
    as_buf b;
    as_buf_init(&b, 1024);
    as_ar_clean(&b, "a\0b\x01\x7f\tc\r\n", 9, AS_AR_MAX_VALUE);
    cr_assert_eq(b.len, 9);
    cr_assert_eq(memcmp(b.p, "a?b?? c??", 9), 0);
    as_buf_reset(&b);
    as_ar_clean(&b, "\xe2\x82\xac\xe2\x82\xac", 6, 4); /* never cut inside a character */
    cr_assert_eq(b.len, 3);
    as_buf_free(&b);
}

Test(ar_write, ten_kilobyte_values_are_capped)
{
    char *big = malloc(10241);
    memset(big, 'a', 10240);
    big[10240] = '\0';
    char *mail = malloc(10260);
    snprintf(mail, 10260, "%s@example.com", big);
    fx f;
    fx_init(&f);
    as_spf_result *s = fx_spf(&f, 0, AUTHSCORE_RES_FAIL, mail, "example.com", 0);
    s->reason = big;
    fx_sig(&f, AUTHSCORE_RES_FAIL, big, big, big, big);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, big, 3, 3, big);
    as_ar_parsed p;
    const char *out = ar(&f, big, &p);
    cr_assert_lt(strlen(out), 4096, "every value capped at %u bytes", AS_AR_MAX_VALUE);
    cr_assert_eq(strlen(p.authserv_id), AS_AR_MAX_VALUE);
    cr_assert_eq(strlen(p.res[0].reason), AS_AR_MAX_VALUE);
    cr_assert_eq(prop(&p.res[0], "smtp", "mailfrom")->value_len, AS_AR_MAX_VALUE);
    cr_assert_eq(prop(&p.res[1], "header", "d")->value_len, AS_AR_MAX_VALUE);
    cr_assert_eq(p.n_res, 3);
    free(big);
    free(mail);
}

Test(ar_write, many_signatures_are_dropped_with_a_count_and_dmarc_kept)
{
    static char d[FX_MAX_SIGS][260];
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "a@example.com", "example.com", 0);
    for (int i = 0; i < 100; i++) {
        memset(d[i], 'x', 240);
        snprintf(d[i] + 240, 20, "%03d.example", i);
        fx_sig(&f, AUTHSCORE_RES_FAIL, d[i], "sel", "rsa-sha256", "signature_mismatch");
    }
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "example.com", 3, 3, "unaligned");
    as_ar_parsed p;
    const char *s = ar(&f, "r.example", &p);
    cr_assert_leq(strlen(s), AS_AR_MAX_HEADER);
    cr_assert_gt(strlen(s), AS_AR_MAX_HEADER - 1024, "the budget is used");
    size_t shown = p.n_res - 2;
    char want[64];
    snprintf(want, sizeof want, "(%zu more dkim results); dmarc=fail", 100 - shown);
    cr_assert(strstr(s, want), "%s not found", want);
    cr_assert_str_eq(p.res[p.n_res - 1].method, "dmarc");
    /* The kept signatures are the first ones, in order. */
    for (size_t i = 0; i < shown; i++)
        cr_assert_str_eq(prop(&p.res[1 + i], "header", "d")->value, d[i]);
}

Test(ar_write, domain_that_is_not_a_domain_name_is_quoted_whole)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, 0, AUTHSCORE_RES_PASS, "a@b c.example", "b c.example", 0);
    fx_spf(&f, 1, AUTHSCORE_RES_NONE, NULL, "localhost", 0);
    as_ar_parsed p;
    const char *s = ar(&f, "r", &p);
    cr_assert(strstr(s, "smtp.mailfrom=\"a@b c.example\""), "%s", s);
    cr_assert(strstr(s, "smtp.helo=localhost"), "a single label is still a token: %s", s);
    cr_assert_str_eq(prop(&p.res[0], "smtp", "mailfrom")->value, "a@b c.example");
}
