/* test_tagvalue.c - RFC 6376 3.2 tag=value lists. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "msg/header.h"
#include "msg/tagvalue.h"

#define S(lit) lit, sizeof(lit) - 1

static as_arena arena;

static void setup(void) { as_arena_init(&arena, 1u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(tagvalue, .init = setup, .fini = teardown);

static int span_is(as_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static void assert_tag(const as_taglist *t, const char *name, const char *val)
{
    const as_tag *g = as_taglist_get(t, name);
    cr_assert_not_null(g, "tag %s missing", name);
    cr_assert(span_is(g->value, val), "tag %s: got '%.*s', want '%s'", name,
              (int)g->value.len, g->value.p, val);
}

/* RFC 6376 3.5's example signature header value, with its folds. */
static const char rfc6376_sig[] =
    " v=1; a=rsa-sha256; d=example.net; s=brisbane;\r\n"
    "      c=simple; q=dns/txt; i=@eng.example.net;\r\n"
    "      t=1117574938; x=1118006938;\r\n"
    "      h=from:to:subject:date;\r\n"
    "      z=From:foo@eng.example.net|To:joe@example.com|\r\n"
    "       Subject:demo=20run|Date:July=205,=202005=203:44:08=20PM=20-0700;\r\n"
    "      bh=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=;\r\n"
    "      b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ\r\n"
    "               VoG4ZHRNiYzR";

Test(tagvalue, rfc6376_signature_example_with_folds)
{
    as_taglist t;
    const char *err = "unset";
    cr_assert_eq(as_taglist_parse(&arena, S(rfc6376_sig), 0, &t, &err), 0);
    cr_assert_null(err);
    cr_assert_eq(t.count, 13);
    assert_tag(&t, "v", "1");
    assert_tag(&t, "a", "rsa-sha256");
    assert_tag(&t, "d", "example.net");
    assert_tag(&t, "s", "brisbane");
    assert_tag(&t, "c", "simple");
    assert_tag(&t, "q", "dns/txt");
    assert_tag(&t, "i", "@eng.example.net");
    assert_tag(&t, "t", "1117574938");
    assert_tag(&t, "x", "1118006938");
    assert_tag(&t, "h", "from:to:subject:date");
    assert_tag(&t, "z", "From:foo@eng.example.net|To:joe@example.com|\r\n"
                        "       Subject:demo=20run|Date:July=205,=202005=203:44:08=20PM=20-0700");
    assert_tag(&t, "bh", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=");
    assert_tag(&t, "b", "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ\r\n"
                        "               VoG4ZHRNiYzR");
    /* Every view lies in the input. */
    for (size_t i = 0; i < t.count; i++) {
        cr_assert(t.tags[i].name.p >= rfc6376_sig &&
                  t.tags[i].name.p + t.tags[i].name.len <= rfc6376_sig + sizeof rfc6376_sig - 1);
        cr_assert(t.tags[i].value.p >= rfc6376_sig &&
                  t.tags[i].value.p + t.tags[i].value.len <= rfc6376_sig + sizeof rfc6376_sig - 1);
    }
    cr_assert_null(as_taglist_get(&t, "l"));
}

Test(tagvalue, rfc6376_key_record_example)
{
    /* RFC 6376 3.6.1 / Appendix C key record shape. */
    const char k[] = "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkM"
                     "oGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947"
                     "qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB";
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S(k), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 2);
    assert_tag(&t, "v", "DKIM1");
}

Test(tagvalue, dmarc_record)
{
    const char r[] = "v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:e@example.org!10m; pct=100";
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S(r), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 4);
    assert_tag(&t, "rua", "mailto:d@example.com,mailto:e@example.org!10m");
    assert_tag(&t, "pct", "100");
}

Test(tagvalue, trailing_semicolon_is_allowed)
{
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; b=2;"), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 2);
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; b=2; \r\n "), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 2);
}

Test(tagvalue, double_semicolon_is_an_empty_tag_spec)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1;; b=2"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "empty tag-spec");
    cr_assert_eq(as_taglist_parse(&arena, S(";a=1"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "empty tag-spec");
}

Test(tagvalue, empty_value_is_allowed)
{
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S("v=DKIM1; p=; t="), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 3);
    assert_tag(&t, "p", "");
    assert_tag(&t, "t", "");
    cr_assert_eq(as_taglist_parse(&arena, S("p= \t ;x=1"), 0, &t, NULL), 0);
    assert_tag(&t, "p", "");
}

Test(tagvalue, duplicate_tag_is_an_error)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; b=2; a=3"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "duplicate tag");
    /* Names are case-sensitive: A and a are two tags. */
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; A=2"), 0, &t, &err), 0);
    cr_assert_eq(t.count, 2);
}

Test(tagvalue, bad_tag_names)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("1a=x"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "bad tag name");
    cr_assert_eq(as_taglist_parse(&arena, S("a-b=x"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "bad tag name");
    cr_assert_eq(as_taglist_parse(&arena, S("_a=x"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_eq(as_taglist_parse(&arena, S("a b=x"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_eq(as_taglist_parse(&arena, S("a_1B=x"), 0, &t, &err), 0);
    assert_tag(&t, "a_1B", "x");
}

Test(tagvalue, missing_equals)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; b"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "missing '='");
    cr_assert_eq(as_taglist_parse(&arena, S("a=1; b; c=2"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "missing '='");
    /* The tags before the error are kept for diagnostics. */
    cr_assert_eq(t.count, 1);
    assert_tag(&t, "a", "1");
}

Test(tagvalue, whitespace_around_equals_and_values)
{
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S("  a \t=\t 1 2  ;b\r\n =\r\n\t2\r\n "), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 2);
    assert_tag(&t, "a", "1 2");
    assert_tag(&t, "b", "2");
}

Test(tagvalue, folded_value_keeps_inner_whitespace)
{
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, S("b=abc\n def\r\n\tghi;"), 0, &t, NULL), 0);
    assert_tag(&t, "b", "abc\n def\r\n\tghi");
}

Test(tagvalue, line_break_without_whitespace_is_not_fws)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1\r\nb=2"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "line break not followed by whitespace");
    cr_assert_eq(as_taglist_parse(&arena, S("a=1;\n"), 0, &t, &err), AUTHSCORE_EPARSE);
}

Test(tagvalue, bytes_outside_valchar)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=caf\xc3\xa9"), 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err, "bad byte in tag value");
    cr_assert_eq(as_taglist_parse(&arena, "a=x\0y", 5, 0, &t, &err), AUTHSCORE_EPARSE);
    cr_assert_eq(as_taglist_parse(&arena, S("a=x\x7fy"), 0, &t, &err), AUTHSCORE_EPARSE);
}

Test(tagvalue, empty_input_is_zero_tags)
{
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, "", 0, 0, &t, NULL), 0);
    cr_assert_eq(t.count, 0);
    cr_assert_eq(as_taglist_parse(&arena, S(" \r\n\t"), 0, &t, NULL), 0);
    cr_assert_eq(t.count, 0);
    cr_assert_null(as_taglist_get(&t, "v"));
}

Test(tagvalue, max_tags_cap)
{
    as_taglist t;
    const char *err = NULL;
    cr_assert_eq(as_taglist_parse(&arena, S("a=1;b=2;c=3"), 2, &t, &err), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(err, "too many tags");
    cr_assert_eq(t.count, 2);
    cr_assert_eq(as_taglist_parse(&arena, S("a=1;b=2"), 2, &t, &err), 0);
    /* Above the hard cap is lowered to it. */
    char buf[4096];
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "t%d=%d;", i, i);
    cr_assert_eq(as_taglist_parse(&arena, buf, n, 1000, &t, &err), AUTHSCORE_ELIMIT);
    cr_assert_eq(t.count, AS_TAGLIST_MAX_TAGS);
    cr_assert_eq(as_taglist_parse(&arena, buf, n - 7, 1000, &t, &err), 0, "%s", err);
    cr_assert_eq(t.count, 64);
}

/* RFC 6376 Appendix A.2: the signed example message's DKIM-Signature,
 * taken through the header parser as a verifier does. */
Test(tagvalue, rfc6376_appendix_a2_through_header_parser)
{
    const char m[] =
        "DKIM-Signature: v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n"
        "      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n"
        "      h=Received : From : To : Subject : Date : Message-ID;\r\n"
        "      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
        "      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n"
        "      4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n"
        "      KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n"
        "      4bmp/YzhwvcubU4=;\r\n"
        "From: Joe SixPack <joe@football.example.com>\r\n"
        "\r\n"
        "Hi.\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 2);
    /* Both the folded and the unfolded value give the same tags. */
    const as_span views[2] = {h.fields[0].value_raw, h.fields[0].value};
    for (int k = 0; k < 2; k++) {
        as_taglist t;
        const char *err = NULL;
        cr_assert_eq(as_taglist_parse(&arena, views[k].p, views[k].len, 0, &t, &err), 0,
                     "%s", err);
        cr_assert_eq(t.count, 10);
        assert_tag(&t, "c", "simple/simple");
        assert_tag(&t, "i", "joe@football.example.com");
        assert_tag(&t, "h", "Received : From : To : Subject : Date : Message-ID");
        const as_tag *b = as_taglist_get(&t, "b");
        cr_assert_not_null(b);
        cr_assert_eq(b->value.p[0], 'A');
        cr_assert_eq(b->value.p[b->value.len - 1], '=');
    }
}
