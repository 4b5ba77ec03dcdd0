/* test_record.c - DMARC record parser (RFC 9989 4.7/4.8, RFC 7489 6.3). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "dmarc/record.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 1u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(dmarc_record, .init = setup, .fini = teardown);

static int parse(const char *s, as_dmarc_record *r)
{
    return as_dmarc_record_parse(&A, s, strlen(s), r);
}

static int span_is(as_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

Test(dmarc_record, every_tag)
{
    as_dmarc_record r;
    cr_assert_eq(parse("v=DMARC1; p=reject; sp=quarantine; np=none; psd=n; t=y; "
                       "adkim=s; aspf=r; pct=50; fo=1:d; rf=afrf; ri=3600; "
                       "rua=mailto:a@example.com; ruf=mailto:f@example.com", &r), 1);
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(r.sp, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    cr_assert_eq(r.np, AUTHSCORE_DMARC_POLICY_NONE);
    cr_assert_eq(r.p_state, AS_DMARC_TAG_VALID);
    cr_assert_eq(r.psd, AS_DMARC_PSD_N);
    cr_assert_eq(r.testing, 1);
    cr_assert_eq(r.adkim_strict, 1);
    cr_assert_eq(r.aspf_strict, 0);
    cr_assert_eq(r.pct, 50);
    cr_assert_eq(r.pct_present, 1);
    cr_assert_eq(r.ri, 3600u);
    cr_assert(span_is(r.fo, "1:d"));
    cr_assert(span_is(r.rua, "mailto:a@example.com"));
    cr_assert(span_is(r.ruf, "mailto:f@example.com"));
    cr_assert_eq(r.rua_valid, 1);
    cr_assert_eq(r.ignored, 0u);
}

Test(dmarc_record, defaults)
{
    as_dmarc_record r;
    cr_assert_eq(parse("v=DMARC1", &r), 1);
    cr_assert_eq(r.p_state, AS_DMARC_TAG_ABSENT);
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_UNSET);
    cr_assert_eq(r.psd, AS_DMARC_PSD_U);
    cr_assert_eq(r.pct, 100);
    cr_assert_eq(r.pct_present, 0);
    cr_assert_eq(r.adkim_strict, 0);
    cr_assert_eq(r.aspf_strict, 0);
    cr_assert_eq(r.testing, 0);
    cr_assert_eq(r.ri, 86400u);
    cr_assert(span_is(r.fo, "0"));
    cr_assert_eq(r.rua.len, 0u);
    cr_assert_eq(r.rua_valid, 0);
}

Test(dmarc_record, version_must_come_first_and_match_exactly)
{
    as_dmarc_record r;
    cr_assert_eq(parse("p=reject; v=DMARC1", &r), 0);
    cr_assert_eq(parse("v=dmarc1; p=reject", &r), 0, "DMARC1 is case-sensitive");
    cr_assert_eq(parse("v=DMARC10; p=reject", &r), 0);
    cr_assert_eq(parse("v=spf1 -all", &r), 0);
    cr_assert_eq(parse("", &r), 0);
    cr_assert_eq(parse("v=DMARC1p=reject", &r), 0);
    cr_assert_eq(parse("v = DMARC1 ; p = reject", &r), 1, "equals = *WSP = *WSP");
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(parse("V=DMARC1; P=Reject", &r), 1, "ABNF literals: names case-insensitive");
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(as_dmarc_record_is_dmarc("v=DMARC1;", 9), 1);
    cr_assert_eq(as_dmarc_record_is_dmarc("v=DMARC", 7), 0);
}

Test(dmarc_record, syntax_errors_cost_only_their_tag)
{
    as_dmarc_record r;
    cr_assert_eq(parse("v=DMARC1; p=reject; garbage; sp=none;;", &r), 1);
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(r.sp, AUTHSCORE_DMARC_POLICY_NONE);
    cr_assert_eq(r.ignored, 1u);
}

Test(dmarc_record, bad_policy_values_are_invalid_not_absent)
{
    as_dmarc_record r;
    cr_assert_eq(parse("v=DMARC1; p=block; sp=maybe; np=; rua=mailto:x@example.org", &r), 1);
    cr_assert_eq(r.p_state, AS_DMARC_TAG_INVALID);
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_UNSET);
    cr_assert_eq(r.sp_state, AS_DMARC_TAG_INVALID);
    cr_assert_eq(r.np_state, AS_DMARC_TAG_INVALID);
    cr_assert_eq(r.rua_valid, 1);
}

Test(dmarc_record, pct_range)
{
    as_dmarc_record r;
    parse("v=DMARC1; pct=101", &r);
    cr_assert_eq(r.pct, 100);
    cr_assert_eq(r.pct_present, 0);
    parse("v=DMARC1; pct=0", &r);
    cr_assert_eq(r.pct, 0);
    cr_assert_eq(r.pct_present, 1);
    parse("v=DMARC1; pct=-1", &r);
    cr_assert_eq(r.pct, 100);
    parse("v=DMARC1; pct=1000", &r);
    cr_assert_eq(r.pct, 100);
    parse("v=DMARC1; pct=050", &r);
    cr_assert_eq(r.pct, 50);
    parse("v=DMARC1; pct=5.5", &r);
    cr_assert_eq(r.pct, 100);
}

Test(dmarc_record, first_occurrence_wins)
{
    as_dmarc_record r;
    parse("v=DMARC1; p=none; p=reject; v=DMARC1", &r);
    cr_assert_eq(r.p, AUTHSCORE_DMARC_POLICY_NONE);
    cr_assert_eq(r.ignored, 2u);
}

Test(dmarc_record, small_value_sets)
{
    as_dmarc_record r;
    parse("v=DMARC1; psd=y; t=n; adkim=x; aspf=S", &r);
    cr_assert_eq(r.psd, AS_DMARC_PSD_Y);
    cr_assert_eq(r.testing, 0);
    cr_assert_eq(r.adkim_strict, 0, "invalid adkim keeps the default r");
    cr_assert_eq(r.aspf_strict, 1);
    cr_assert_eq(r.ignored, 1u);
    parse("v=DMARC1; psd=u; t=maybe", &r);
    cr_assert_eq(r.psd, AS_DMARC_PSD_U);
    cr_assert_eq(r.testing, 0);
    parse("v=DMARC1; psd=q", &r);
    cr_assert_eq(r.psd, AS_DMARC_PSD_U);
}

Test(dmarc_record, fo_grammar)
{
    as_dmarc_record r;
    parse("v=DMARC1; fo=0:1", &r);
    cr_assert(span_is(r.fo, "0"), "0 and 1 are exclusive");
    parse("v=DMARC1; fo=d:s:1", &r);
    cr_assert(span_is(r.fo, "d:s:1"));
    parse("v=DMARC1; fo=d:d", &r);
    cr_assert(span_is(r.fo, "0"));
    parse("v=DMARC1; fo=x", &r);
    cr_assert(span_is(r.fo, "0"));
}

Test(dmarc_record, nul_and_8bit_bytes_drop_the_tag)
{
    as_dmarc_record r;
    static const char rec[] = "v=DMARC1; p=re\0ject; sp=\xc3\xa9";
    cr_assert_eq(as_dmarc_record_parse(&A, rec, sizeof rec - 1, &r), 1);
    cr_assert_eq(r.p_state, AS_DMARC_TAG_ABSENT);
    cr_assert_eq(r.sp_state, AS_DMARC_TAG_ABSENT);
    cr_assert_eq(r.ignored, 2u);
}

Test(dmarc_record, tag_cap)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "v=DMARC1");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "; x%d=1", i);
    snprintf(buf + n, sizeof buf - n, "; p=reject");
    as_dmarc_record r;
    cr_assert_eq(parse(buf, &r), 1);
    cr_assert_eq(r.p_state, AS_DMARC_TAG_ABSENT, "tags past the cap are not read");
    cr_assert_eq(r.ignored, 1u);
}

Test(dmarc_record, uris)
{
    cr_assert(as_dmarc_uri_valid("mailto:a@example.com", 20));
    cr_assert(as_dmarc_uri_valid("mailto:a@example.com!10m", 24));
    cr_assert(as_dmarc_uri_valid("https://r.example/x", 19));
    cr_assert_not(as_dmarc_uri_valid("mailto:a@example.com!", 21));
    cr_assert_not(as_dmarc_uri_valid("mailto:a@example.com!10x", 24));
    cr_assert_not(as_dmarc_uri_valid("mailto:", 7));
    cr_assert_not(as_dmarc_uri_valid("a@example.com", 13));
    cr_assert_not(as_dmarc_uri_valid("1mailto:a@b", 11));
    as_dmarc_record r;
    parse("v=DMARC1; p=bad; rua=nonsense , mailto:x@example.com", &r);
    cr_assert_eq(r.rua_valid, 1, "one valid URI in the list is enough");
    parse("v=DMARC1; p=bad; rua=nonsense, also nonsense", &r);
    cr_assert_eq(r.rua_valid, 0);
}
