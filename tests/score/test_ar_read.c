/* test_ar_read.c - the RFC 8601 reader on the RFC's own examples and on
 * malformed or hostile input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/ar_read.h"

static as_arena A;
static void setup(void) { as_arena_init(&A, 64u << 20); }
static void teardown(void) { as_arena_free(&A); }
TestSuite(ar_read, .init = setup, .fini = teardown);

static int rd(const char *s, as_ar_parsed *p) { return as_ar_read(&A, s, strlen(s), p); }

Test(ar_read, rfc8601_appendix_b_examples)
{
    as_ar_parsed p;
    /* B.2 */
    cr_assert_eq(rd("example.org 1; none", &p), 0);
    cr_assert_str_eq(p.authserv_id, "example.org");
    cr_assert_eq(p.version, 1);
    cr_assert(p.none);
    cr_assert_eq(p.n_res, 0);
    /* B.3 */
    cr_assert_eq(rd("example.com; spf=pass smtp.mailfrom=example.net", &p), 0);
    cr_assert_eq(p.n_res, 1);
    cr_assert_str_eq(p.res[0].method, "spf");
    cr_assert_str_eq(p.res[0].result, "pass");
    cr_assert_str_eq(p.res[0].props[0].ptype, "smtp");
    cr_assert_str_eq(p.res[0].props[0].property, "mailfrom");
    cr_assert_str_eq(p.res[0].props[0].value, "example.net");
    /* B.4, folded, with comments */
    cr_assert_eq(rd("example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                    "          spf=pass smtp.mailfrom=example.net", &p), 0);
    cr_assert_eq(p.n_res, 2);
    cr_assert_str_eq(p.res[0].method, "auth");
    cr_assert_str_eq(p.res[0].props[0].value, "sender@example.net");
    /* B.6 */
    cr_assert_eq(rd("mail-router.example.net;\r\n            dkim=pass (good signature) header.d=newyork.example.com\r\n"
                    "                  header.b=oINEO8hg;\r\n            dkim=fail (bad signature) header.d=newyork.example.net\r\n"
                    "                  header.b=EToRSuvU", &p), 0);
    cr_assert_eq(p.n_res, 2);
    cr_assert_eq(p.res[0].n_props, 2);
    cr_assert_str_eq(p.res[1].result, "fail");
    cr_assert_str_eq(p.res[1].props[1].value, "EToRSuvU");
}

Test(ar_read, method_version_reason_and_case)
{
    as_ar_parsed p;
    cr_assert_eq(rd("mx; DKIM/1 = FAIL reason = \"bad \\\"sig\\\"\" Header . D = Example.COM", &p), 0);
    cr_assert_str_eq(p.res[0].method, "dkim");
    cr_assert_eq(p.res[0].method_version, 1);
    cr_assert_str_eq(p.res[0].result, "fail");
    cr_assert_str_eq(p.res[0].reason, "bad \"sig\"");
    cr_assert_str_eq(p.res[0].props[0].ptype, "header");
    cr_assert_str_eq(p.res[0].props[0].property, "d");
    cr_assert_str_eq(p.res[0].props[0].value, "Example.COM", "values keep their case");
}

Test(ar_read, quoted_values_and_local_parts)
{
    as_ar_parsed p;
    cr_assert_eq(rd("\"mx (one)\"; spf=pass smtp.mailfrom=\"a b\\\\c\"@example.com "
                    "smtp.helo=\"x;y\"", &p), 0);
    cr_assert_str_eq(p.authserv_id, "mx (one)");
    cr_assert_str_eq(p.res[0].props[0].value, "a b\\c@example.com");
    cr_assert_str_eq(p.res[0].props[1].value, "x;y");
    cr_assert_eq(rd("mx; spf=pass smtp.mailfrom=@example.com", &p), 0);
    cr_assert_str_eq(p.res[0].props[0].value, "@example.com");
}

Test(ar_read, nested_comments_are_skipped)
{
    as_ar_parsed p;
    cr_assert_eq(rd("mx (a (b (c) \\) ) d); (x;y) spf=pass (p (q)) smtp.mailfrom=a@b.example (z)", &p), 0);
    cr_assert_eq(p.n_res, 1);
    cr_assert_str_eq(p.res[0].props[0].value, "a@b.example");
}

Test(ar_read, comment_depth_is_capped_without_recursion)
{
    size_t n = 100000;
    char *s = malloc(n * 2 + 64);
    strcpy(s, "mx; spf=pass ");
    size_t o = strlen(s);
    for (size_t i = 0; i < n; i++)
        s[o++] = '(';
    for (size_t i = 0; i < n; i++)
        s[o++] = ')';
    as_ar_parsed p;
    cr_assert_eq(as_ar_read(&A, s, o, &p), AUTHSCORE_ELIMIT, "over the input cap");
    /* Within the input cap, over the depth cap. */
    o = strlen("mx; spf=pass ");
    for (size_t i = 0; i < AS_AR_READ_MAX_COMMENT_DEPTH + 1; i++)
        s[o++] = '(';
    for (size_t i = 0; i < AS_AR_READ_MAX_COMMENT_DEPTH + 1; i++)
        s[o++] = ')';
    cr_assert_eq(as_ar_read(&A, s, o, &p), AUTHSCORE_ELIMIT);
    o = strlen("mx; spf=pass ");
    for (size_t i = 0; i < AS_AR_READ_MAX_COMMENT_DEPTH; i++)
        s[o++] = '(';
    for (size_t i = 0; i < AS_AR_READ_MAX_COMMENT_DEPTH; i++)
        s[o++] = ')';
    cr_assert_eq(as_ar_read(&A, s, o, &p), 0, "exactly the cap is fine");
    free(s);
}

Test(ar_read, malformed_inputs_are_eparse)
{
    static const char *bad[] = {
        "",                                  /* no authserv-id */
        "mx",                                /* no resinfo */
        "mx;",                               /* empty resinfo */
        "mx; spf",                           /* no = */
        "mx; spf=",                          /* no result */
        "mx; spf=pass smtp",                 /* no . */
        "mx; spf=pass smtp.mailfrom",        /* no = */
        "mx; spf=pass smtp.mailfrom=",       /* empty pvalue */
        "mx; spf=pass smtp.mailfrom=\"abc",  /* unterminated quote */
        "mx; spf=pass (unterminated",        /* unterminated comment */
        "mx; spf=pass smtp.mailfrom=\"a\"@", /* @ without domain */
        "mx; none; spf=pass",                /* nothing after none */
        "mx; spf=pass smtp.mailfrom=a\x01" "b",
        "mx; spf=pass (a\x01) smtp.mailfrom=a",
        "mx; spf=pass reason=\"x\"",         /* reason is not a property: ok? see below */
    };
    as_ar_parsed p;
    for (size_t i = 0; i + 1 < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(rd(bad[i], &p), AUTHSCORE_EPARSE, "accepted: %s", bad[i]);
    cr_assert_eq(rd(bad[sizeof bad / sizeof *bad - 1], &p), 0, "reason alone is fine");
    /* NUL inside the (p, len) input. */
    cr_assert_eq(as_ar_read(&A, "mx; spf=pass smtp.helo=a\0b", 26, &p), AUTHSCORE_EPARSE);
}

Test(ar_read, resinfo_and_property_caps)
{
    char *s = malloc(65536);
    size_t o = (size_t)sprintf(s, "mx");
    for (unsigned i = 0; i < AS_AR_READ_MAX_RESINFOS + 1; i++)
        o += (size_t)sprintf(s + o, "; x=y");
    as_ar_parsed p;
    cr_assert_eq(as_ar_read(&A, s, o, &p), AUTHSCORE_ELIMIT);
    cr_assert_eq(p.n_res, AS_AR_READ_MAX_RESINFOS, "what was read is kept");
    o = (size_t)sprintf(s, "mx; x=y");
    for (unsigned i = 0; i < AS_AR_READ_MAX_PROPS + 1; i++)
        o += (size_t)sprintf(s + o, " a.b=c");
    cr_assert_eq(as_ar_read(&A, s, o, &p), AUTHSCORE_ELIMIT);
    free(s);
}

Test(ar_read, input_is_not_read_past_len)
{
    /* The bytes after len would complete a valid field. */
    const char *s = "mx; spf=pass smtp.mailfrom=\"abc\" trailing";
    as_ar_parsed p;
    cr_assert_eq(as_ar_read(&A, s, strlen("mx; spf=pass smtp.mailfrom=\"ab"), &p), AUTHSCORE_EPARSE);
    cr_assert_eq(as_ar_read(&A, s, strlen("mx; spf=pass"), &p), 0);
    cr_assert_eq(as_ar_read(&A, NULL, 0, &p), AUTHSCORE_EPARSE);
}
