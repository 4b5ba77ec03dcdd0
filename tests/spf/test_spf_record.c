/* Unit tests: the v=spf1 record parser (RFC 7208 4.5, 4.6, 5, 6, 12). */
#include <criterion/criterion.h>
#include <string.h>

#include <authscore.h>
#include "spf/spf_record.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 1u << 22); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(spf_record, .init = setup, .fini = teardown);

static as_spf_record rec;
static as_spf_parse_error err;

static int parse(const char *s)
{
    return as_spf_record_parse(&A, s, strlen(s), &rec, &err);
}

/* The record must be a permerror naming the term `term`. */
static void bad(const char *s, const char *term)
{
    cr_assert_eq(parse(s), AUTHSCORE_EPARSE, "accepted: %s", s);
    cr_assert_not_null(err.why);
    cr_assert_eq(err.term.len, strlen(term), "%s: term '%.*s' != '%s'", s,
                 (int)err.term.len, err.term.p, term);
    cr_assert_eq(memcmp(err.term.p, term, err.term.len), 0);
    /* the error points into the input */
    cr_assert(err.term.p >= s && err.term.p + err.term.len <= s + strlen(s));
}

Test(spf_record, version_selection)
{
    cr_assert(as_spf_record_is_spf("v=spf1", 6));
    cr_assert(as_spf_record_is_spf("V=SpF1 -all", 11));
    cr_assert(!as_spf_record_is_spf("v=spf10", 7));
    cr_assert(!as_spf_record_is_spf("v=spf1-all", 10));
    cr_assert(!as_spf_record_is_spf("v=spf", 5));
    cr_assert(!as_spf_record_is_spf(" v=spf1", 7));
}

Test(spf_record, every_mechanism_and_qualifier)
{
    const char *r = "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 "
                    "mx/28 MX:%{d}//126 ptr ptr:example.org ip4:192.0.2.0/24 "
                    "ip6:2001:db8::/32 exists:%{ir}.%{v}._spf.%{d} ip4:192.0.2.9 "
                    "redirect=_spf.example.net exp=explain._spf.%{d} x-foo=%{l}";
    cr_assert_eq(parse(r), 0, "%s", err.why ? err.why : "");
    cr_assert_eq(rec.nterms, 12);
    const as_spf_term *t = rec.terms;
    cr_assert(t[0].mech == AS_SPF_ALL && t[0].qual == AUTHSCORE_RES_PASS);
    cr_assert(t[1].mech == AS_SPF_INCLUDE && t[1].qual == AUTHSCORE_RES_FAIL);
    cr_assert_eq(t[1].spec.len, strlen("_spf.example.com"));
    cr_assert(t[2].mech == AS_SPF_A && t[2].qual == AUTHSCORE_RES_SOFTFAIL);
    cr_assert(t[2].spec.len == 0 && t[2].cidr4 == 32 && t[2].cidr6 == 128);
    cr_assert(t[3].qual == AUTHSCORE_RES_NEUTRAL && t[3].cidr4 == 24 && t[3].cidr6 == 64);
    cr_assert_eq(memcmp(t[3].spec.p, "mail.example.com", t[3].spec.len), 0);
    cr_assert(t[4].mech == AS_SPF_MX && t[4].cidr4 == 28 && t[4].cidr6 == 128);
    cr_assert(t[5].mech == AS_SPF_MX && t[5].cidr4 == 32 && t[5].cidr6 == 126);
    cr_assert(t[6].mech == AS_SPF_PTR && t[6].spec.len == 0);
    cr_assert(t[7].mech == AS_SPF_PTR && t[7].spec.len == 11);
    cr_assert(t[8].mech == AS_SPF_IP4 && t[8].cidr4 == 24 && t[8].addr[0] == 192);
    cr_assert(t[9].mech == AS_SPF_IP6 && t[9].cidr6 == 32 && t[9].addr[1] == 0x01);
    cr_assert(t[10].mech == AS_SPF_EXISTS);
    cr_assert(t[11].mech == AS_SPF_IP4 && t[11].cidr4 == 32);
    cr_assert(rec.has_redirect && rec.has_exp);
    cr_assert_eq(rec.redirect.len, strlen("_spf.example.net"));
    /* every span points into the input */
    for (unsigned k = 0; k < rec.nterms; k++)
        cr_assert(t[k].text.p >= r && t[k].text.p + t[k].text.len <= r + strlen(r));
}

Test(spf_record, spaces_and_empty)
{
    cr_assert_eq(parse("v=spf1"), 0);
    cr_assert_eq(rec.nterms, 0);
    cr_assert_eq(parse("v=spf1   a    -all   "), 0);
    cr_assert_eq(rec.nterms, 2);
    /* macro-string chars in a domain-spec, cidr split from the right */
    cr_assert_eq(parse("v=spf1 -mx:%%%_/.Clara.de/27"), 0);
    cr_assert_eq(rec.terms[0].cidr4, 27);
    cr_assert_eq(rec.terms[0].spec.len, strlen("%%%_/.Clara.de"));
    /* unknown modifiers are ignored, with any name charset */
    cr_assert_eq(parse("v=spf1 moo.cow-2_3=%{d} -all"), 0);
    cr_assert_eq(rec.nterms, 1);
}

Test(spf_record, syntax_errors_name_the_term)
{
    bad("v=spf1 ip4:1.2.3.4 -all moo", "moo");
    bad("v=spf1 a:museum -all", "a:museum");
    bad("v=spf1 a:museum. -all", "a:museum.");
    bad("v=spf1 a:111.222.33.44", "a:111.222.33.44");
    bad("v=spf1 ip4:1.2.3.4/33", "ip4:1.2.3.4/33");
    bad("v=spf1 ip4:1.2.03.4", "ip4:1.2.03.4");
    bad("v=spf1 ip4:1.2.3.4//32", "ip4:1.2.3.4//32");
    bad("v=spf1 ip6:2001:db8::/129", "ip6:2001:db8::/129");
    bad("v=spf1 ip6:2001:db8:ZZZZ:: ?all", "ip6:2001:db8:ZZZZ::");
    bad("v=spf1 a/33", "a/33");
    bad("v=spf1 a//129", "a//129");
    bad("v=spf1 a/024", "a/024");
    bad("v=spf1 -all:3030", "-all:3030");
    bad("v=spf1 =a ?all", "=a");
    bad("v=spf1 include", "include");
    bad("v=spf1 include:", "include:");
    bad("v=spf1 exists", "exists");
    bad("v=spf1 ptr/24", "ptr/24");
    bad("v=spf1 exists:%{i}/24", "exists:%{i}/24");
    bad("v=spf1 a:mail.example.com, -all", "a:mail.example.com,");
    bad("v=spf1 a:ctrl.example.com\rptr -all", "a:ctrl.example.com\rptr");
    bad("v=spf1 \x80" "a:example.net -all", "\x80" "a:example.net");
    bad("v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com");
    bad("v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com");
    bad("v=spf1 exp= -all", "exp=");
    bad("v=spf1 redirect=", "redirect=");
    bad("v=spf1 -exists:%(ir).sbl.example.com ?all", "-exists:%(ir).sbl.example.com");
    bad("v=spf1 a:%{c}.example.com", "a:%{c}.example.com");
    bad("v=spf1 x-foo=%{q} -all", "x-foo=%{q}");
    bad("v=spf1 -foo=bar", "-foo=bar");
}

Test(spf_record, term_cap)
{
    static char big[8 + 4 * (AS_SPF_MAX_TERMS + 1)];
    strcpy(big, "v=spf1");
    for (unsigned k = 0; k <= AS_SPF_MAX_TERMS; k++)
        strcat(big, " a");
    cr_assert_eq(parse(big), AUTHSCORE_EPARSE);
    big[6 + 2 * AS_SPF_MAX_TERMS] = 0;
    cr_assert_eq(parse(big), 0);
    cr_assert_eq(rec.nterms, AS_SPF_MAX_TERMS);
}

Test(spf_record, printable_reason_text)
{
    char out[40];
    as_spf_printable("a\x01\xff" "b", 4, out, 32);
    cr_assert_str_eq(out, "a\\x01\\xffb");
    as_spf_printable("0123456789012345678901234567890123456789", 40, out, 20);
    cr_assert_str_eq(out, "01234567890123456789...");
}
