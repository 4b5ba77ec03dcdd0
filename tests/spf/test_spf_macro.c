/* Unit tests: macro syntax and expansion (RFC 7208 section 7). */
#include <criterion/criterion.h>
#include <string.h>

#include "spf/spf_macro.h"

#define S(x) as_span_make(x, sizeof(x) - 1)

static as_spf_macro_vars v4(void)
{
    /* the RFC 7208 7.4 example context */
    as_spf_macro_vars v = {0};
    v.s = S("strong-bad@email.example.com");
    v.l = S("strong-bad");
    v.o = S("email.example.com");
    v.d = S("email.example.com");
    v.i = S("192.0.2.3");
    v.p = S("unknown");
    v.v = S("in-addr");
    v.h = S("mx.example.org");
    v.c = S("192.0.2.3");
    v.r = S("mx.example.net");
    v.t = S("1700000000");
    return v;
}

static char out[AS_SPF_MACRO_WINDOW + AS_SPF_MAX_EXPLANATION + 8];

static const char *ex(const char *in, int mode, const as_spf_macro_vars *v)
{
    unsigned f;
    const char *why;
    size_t off;
    cr_assert_eq(as_spf_macro_check(in, strlen(in), mode, &f, &why, &off), 0,
                 "check %s", in);
    int n = as_spf_macro_expand(in, strlen(in), mode, v, out, sizeof out);
    cr_assert_geq(n, 0);
    cr_assert_eq(strlen(out), (size_t)n);
    return out;
}

static int bad(const char *in, int mode)
{
    unsigned f;
    const char *why = NULL;
    size_t off;
    int r = as_spf_macro_check(in, strlen(in), mode, &f, &why, &off);
    if (r < 0)
        cr_assert_not_null(why);
    return r < 0;
}

Test(spf_macro, rfc7208_section_7_4_examples)
{
    as_spf_macro_vars v = v4();
    int D = AS_SPF_MACRO_DOMAIN;
    cr_assert_str_eq(ex("%{s}", AS_SPF_MACRO_STRING, &v), "strong-bad@email.example.com");
    cr_assert_str_eq(ex("%{o}", D, &v), "email.example.com");
    cr_assert_str_eq(ex("%{d}", D, &v), "email.example.com");
    cr_assert_str_eq(ex("%{d4}", D, &v), "email.example.com");
    cr_assert_str_eq(ex("%{d3}", D, &v), "email.example.com");
    cr_assert_str_eq(ex("%{d2}", D, &v), "example.com");
    cr_assert_str_eq(ex("%{d1}", D, &v), "com");
    cr_assert_str_eq(ex("%{dr}", D, &v), "com.example.email");
    cr_assert_str_eq(ex("%{d2r}", D, &v), "example.email");
    cr_assert_str_eq(ex("%{l}", D, &v), "strong-bad");
    cr_assert_str_eq(ex("%{l-}", D, &v), "strong.bad");
    cr_assert_str_eq(ex("%{lr}", D, &v), "strong-bad");
    cr_assert_str_eq(ex("%{lr-}", D, &v), "bad.strong");
    cr_assert_str_eq(ex("%{l1r-}", D, &v), "strong");
    cr_assert_str_eq(ex("%{ir}.%{v}._spf.%{d2}", D, &v),
                     "3.2.0.192.in-addr._spf.example.com");
    cr_assert_str_eq(ex("%{lr-}.lp._spf.%{d2}", D, &v), "bad.strong.lp._spf.example.com");
    cr_assert_str_eq(ex("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", D, &v),
                     "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    cr_assert_str_eq(ex("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", D, &v),
                     "3.2.0.192.in-addr.strong.lp._spf.example.com");
    cr_assert_str_eq(ex("%{d2}.trusted-domains.example.net", D, &v),
                     "example.com.trusted-domains.example.net");
}

Test(spf_macro, escapes_and_url_encoding)
{
    as_spf_macro_vars v = v4();
    cr_assert_str_eq(ex("a%%b%_c%-d", AS_SPF_MACRO_STRING, &v), "a%b c%20d");
    v.l = S("~jack&jill=up-a_b3.c");
    /* 7.3: uppercase letters are URL-escaped, unreserved kept */
    cr_assert_str_eq(ex("l=%{L}", AS_SPF_MACRO_EXPLAIN, &v), "l=~jack%26jill%3Dup-a_b3.c");
    /* several delimiters; rejoined with '.' */
    v.l = S("foo-bar+zip+quux");
    cr_assert_str_eq(ex("%{l1r+-}.e.com", AS_SPF_MACRO_DOMAIN, &v), "foo.e.com");
    cr_assert_str_eq(ex("%{l+-}.e.com", AS_SPF_MACRO_DOMAIN, &v), "foo.bar.zip.quux.e.com");
    cr_assert_str_eq(ex("%{L2R+-}.e.com", AS_SPF_MACRO_DOMAIN, &v), "bar.foo.e.com");
    /* a huge digit count keeps every part */
    cr_assert_str_eq(ex("%{d99999999999}", AS_SPF_MACRO_DOMAIN, &v), "email.example.com");
}

Test(spf_macro, explanation_letters_and_spaces)
{
    as_spf_macro_vars v = v4();
    cr_assert_str_eq(ex("%{c} is not one of %{d}'s servers (%{r} at %{t})",
                        AS_SPF_MACRO_EXPLAIN, &v),
                     "192.0.2.3 is not one of email.example.com's servers "
                     "(mx.example.net at 1700000000)");
    cr_assert(bad("%{c}.example.com", AS_SPF_MACRO_DOMAIN), "c only in exp");
    cr_assert(bad("%{r}.example.com", AS_SPF_MACRO_DOMAIN));
    cr_assert(bad("%{t}.example.com", AS_SPF_MACRO_DOMAIN));
    cr_assert(bad("%{c}", AS_SPF_MACRO_STRING));
    cr_assert(bad("a b.example.com", AS_SPF_MACRO_DOMAIN), "no space outside exp");
}

Test(spf_macro, syntax_errors)
{
    int D = AS_SPF_MACRO_DOMAIN;
    cr_assert(bad("%(ir).sbl.example.com", D));
    cr_assert(bad("foo%.sbl.example.com", D));
    cr_assert(bad("example.com%", D));
    cr_assert(bad("%{x}.example.com", D), "unknown letter");
    cr_assert(bad("%{d0}.example.com", D), "digit transformer must be nonzero");
    cr_assert(bad("%{d2r.x}.example.com", D), "only delimiters after r");
    cr_assert(bad("%{d", D));
    cr_assert(bad("%{}.example.com", D));
    cr_assert(bad("example.com\x80", D));
    cr_assert(bad("exam\rple.com", D));
    /* domain-end: "." toplabel ["."] or a macro */
    cr_assert(bad("museum", D));
    cr_assert(bad("museum.", D));
    cr_assert(bad("111.222.33.44", D), "toplabel needs a letter or dash");
    cr_assert(bad("example.-com", D));
    cr_assert(bad("example.com-", D));
    cr_assert(bad("%{d}.", D), "a dot after the final macro");
    cr_assert(!bad("example.com.", D));
    cr_assert(!bad("example.123-456", D));
    cr_assert(!bad("%{d}", D));
    cr_assert(!bad("foo.%%", D));
    cr_assert(!bad("%{ir}.%{v}.arpa", D));
}

Test(spf_macro, trailing_dot_and_truncation)
{
    as_spf_macro_vars v = v4();
    cr_assert_str_eq(ex("%{d}.example.net.", AS_SPF_MACRO_DOMAIN, &v),
                     "email.example.com.example.net");
    /* explanation keeps its dot */
    cr_assert_str_eq(ex("This is a test.", AS_SPF_MACRO_EXPLAIN, &v), "This is a test.");
    /* 7.3: over 253 chars, labels are removed from the left */
    char lbl[64];
    memset(lbl, 'x', 60);
    lbl[60] = 0;
    v.l = as_span_make(lbl, 60);
    const char *r = ex("%{l}.%{l}.%{l}.%{l}.%{l}.example.com", AS_SPF_MACRO_DOMAIN, &v);
    cr_assert_leq(strlen(r), AS_SPF_MAX_DOMAIN);
    /* 5 x 61 + 11 = 316 chars: two labels go, 194 remain */
    cr_assert_eq(strlen(r), 316 - 2 * 61);
    cr_assert_eq(strncmp(r, "xxx", 3), 0);
    cr_assert_eq(strcmp(r + strlen(r) - 12, ".example.com"), 0);
}

Test(spf_macro, expansion_stays_under_its_cap)
{
    /* a long sender repeated many times: the window keeps the right end */
    static char big[600];
    memset(big, 'a', sizeof big);
    for (size_t k = 50; k < sizeof big; k += 50)
        big[k] = '.';
    as_spf_macro_vars v = v4();
    v.s = as_span_make(big, sizeof big);
    v.l = v.s;
    char in[400] = "";
    for (int k = 0; k < 40; k++)
        strcat(in, "%{l}.");
    strcat(in, "end.example.com");
    const char *r = ex(in, AS_SPF_MACRO_DOMAIN, &v);
    cr_assert_leq(strlen(r), AS_SPF_MAX_DOMAIN);
    cr_assert_eq(strcmp(r + strlen(r) - 16, ".end.example.com"), 0);
    r = ex("%{L}%{L}%{L}%{L}%{L}%{L}%{L} %{l}", AS_SPF_MACRO_EXPLAIN, &v);
    cr_assert_leq(strlen(r), AS_SPF_MAX_EXPLANATION);
}
