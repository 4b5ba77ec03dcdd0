/* test_header.c - RFC 5322 2.2 header block parser: structure, folding,
 * line ends, body detection and the defined results for malformed input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "msg/header.h"

#define S(lit) lit, sizeof(lit) - 1

static as_arena arena;

static void setup(void) { as_arena_init(&arena, 64u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(header, .init = setup, .fini = teardown);

static int span_is(as_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

Test(header, simple_crlf_fields_and_body)
{
    const char m[] = "From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 2);
    cr_assert(span_is(h.fields[0].name, "From"));
    cr_assert(span_is(h.fields[0].raw, "From: a@example.com\r\n"));
    cr_assert(span_is(h.fields[0].value_raw, " a@example.com"));
    cr_assert(span_is(h.fields[0].value, " a@example.com"));
    cr_assert_eq(h.fields[0].value.p, h.fields[0].value_raw.p,
                 "an unfolded one-line value is zero-copy");
    cr_assert(span_is(h.fields[1].name, "Subject"));
    cr_assert(h.has_body);
    cr_assert(span_is(as_span_make(m + h.body_offset, sizeof m - 1 - h.body_offset),
                      "body\r\n"));
    cr_assert_null(h.reason);
}

Test(header, raw_views_are_exact_and_contiguous)
{
    const char m[] = "A: 1\r\nB:2\n\tcont\r\nC :3\r\n\r\nx";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 3);
    /* The raw views tile the header block exactly. */
    cr_assert_eq(h.fields[0].raw.p, m);
    for (size_t i = 1; i < h.count; i++)
        cr_assert_eq(h.fields[i].raw.p,
                     h.fields[i - 1].raw.p + h.fields[i - 1].raw.len);
    cr_assert_eq(h.fields[2].raw.p + h.fields[2].raw.len + 2, m + h.body_offset);
    cr_assert(span_is(h.fields[1].raw, "B:2\n\tcont\r\n"));
    cr_assert(span_is(h.fields[1].value_raw, "2\n\tcont"));
    cr_assert(span_is(h.fields[1].value, "2\tcont"));
}

Test(header, wsp_before_colon_is_not_part_of_the_name)
{
    const char m[] = "Subject \t: x\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].name, "Subject"));
    cr_assert(span_is(h.fields[0].value_raw, " x"));
}

Test(header, folding_rfc5322_2_2_3)
{
    /* RFC 5322 2.2.3's example of folding. */
    const char m[] = "Subject: This\r\n is a test\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].value, " This is a test"));
    cr_assert(span_is(h.fields[0].value_raw, " This\r\n is a test"));
    /* The unfolded copy lives outside the input. */
    cr_assert(h.fields[0].value.p < m || h.fields[0].value.p >= m + sizeof m);
}

Test(header, obs_fold_whitespace_only_lines)
{
    /* obs-FWS (4.2) allows continuation lines of whitespace only. */
    const char m[] = "To: a@b.example,\r\n \r\n\t c@d.example\r\n\r\nbody";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].value, " a@b.example, \t c@d.example"));
    cr_assert(h.has_body);
    cr_assert_str_eq(m + h.body_offset, "body");
}

Test(header, crlf_and_lf_are_equivalent)
{
    const char crlf[] = "From: x@y.example\r\nTo: a,\r\n b\r\nX-Y: z\r\n\r\nbody\r\n";
    const char lf[] = "From: x@y.example\nTo: a,\n b\nX-Y: z\n\nbody\r\n";
    as_header_block a, b;
    cr_assert_eq(as_header_parse(&arena, S(crlf), NULL, &a), 0);
    cr_assert_eq(as_header_parse(&arena, S(lf), NULL, &b), 0);
    cr_assert_eq(a.count, b.count);
    for (size_t i = 0; i < a.count; i++) {
        cr_assert_eq(a.fields[i].name.len, b.fields[i].name.len);
        cr_assert_eq(memcmp(a.fields[i].name.p, b.fields[i].name.p, a.fields[i].name.len), 0);
        cr_assert_eq(a.fields[i].value.len, b.fields[i].value.len);
        cr_assert_eq(memcmp(a.fields[i].value.p, b.fields[i].value.p, a.fields[i].value.len), 0);
    }
    cr_assert(a.has_body && b.has_body);
    cr_assert_str_eq(crlf + a.body_offset, "body\r\n");
    cr_assert_str_eq(lf + b.body_offset, "body\r\n");
}

Test(header, eight_bit_bytes_in_values)
{
    const char m[] = "Subject: caf\xc3\xa9 \xff\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].value, " caf\xc3\xa9 \xff"));
}

Test(header, no_body_no_blank_line)
{
    const char m[] = "From: a@b.example\r\nSubject: x";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 2);
    cr_assert_eq(h.has_body, 0);
    cr_assert_eq(h.body_offset, sizeof m - 1);
    cr_assert(span_is(h.fields[1].raw, "Subject: x"));
    cr_assert(span_is(h.fields[1].value_raw, " x"));
}

Test(header, header_ending_with_line_break_but_no_blank_line)
{
    const char m[] = "From: a@b.example\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert_eq(h.has_body, 0);
    cr_assert_eq(h.body_offset, sizeof m - 1);
}

Test(header, blank_line_then_empty_body)
{
    const char m[] = "From: a@b.example\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert(h.has_body);
    cr_assert_eq(h.body_offset, sizeof m - 1);
}

Test(header, empty_message)
{
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, "", 0, NULL, &h), 0);
    cr_assert_eq(h.count, 0);
    cr_assert_eq(h.body_offset, 0);
    cr_assert_eq(h.has_body, 0);
}

Test(header, only_a_blank_line_means_empty_header)
{
    const char m[] = "\r\nbody";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 0);
    cr_assert(h.has_body);
    cr_assert_eq(h.body_offset, 2);
}

Test(header, empty_value)
{
    const char m[] = "X-Empty:\r\nY:\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 2);
    cr_assert_eq(h.fields[0].value_raw.len, 0);
    cr_assert_eq(h.fields[0].value.len, 0);
}

Test(header, line_without_colon_starts_the_body)
{
    const char m[] = "From: a@b.example\r\nthis is not a header\r\nTo: c@d\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "line without colon");
    cr_assert_eq(h.count, 1);
    cr_assert(h.has_body);
    cr_assert_str_eq(m + h.body_offset, "this is not a header\r\nTo: c@d\r\n");
}

Test(header, bad_field_name_starts_the_body)
{
    const char m[] = "From: a@b.example\r\nBad Name: x\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "bad field name");
    cr_assert_eq(h.count, 1);
    cr_assert_str_eq(m + h.body_offset, "Bad Name: x\r\n\r\n");
}

Test(header, empty_field_name_is_bad)
{
    const char m[] = ": x\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_eq(h.count, 0);
    cr_assert_eq(h.body_offset, 0);
}

Test(header, nul_stops_at_that_field)
{
    const char m[] = "A: 1\r\nB: x\0y\r\nC: 3\r\n\r\nbody";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "NUL in header");
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].name, "A"));
    cr_assert_eq(h.has_body, 0);
    cr_assert_eq(h.body_offset, sizeof m - 1);
}

Test(header, nul_in_a_continuation_line)
{
    const char m[] = "A: 1\r\nB: x\r\n \0\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "NUL in header");
    cr_assert_eq(h.count, 1);
}

Test(header, nul_in_body_is_fine)
{
    const char m[] = "A: 1\r\n\r\nx\0y";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
}

Test(header, leading_whitespace_first_line)
{
    const char m[] = " folded: nothing\r\nFrom: a@b\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "continuation line before first field");
    cr_assert_eq(h.count, 0);
    cr_assert_eq(h.body_offset, 0);
}

Test(header, field_count_cap_keeps_first_fields)
{
    const char m[] = "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
    as_header_limits lim = {3, 0, 0};
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), AUTHSCORE_ELIMIT);
    cr_assert_eq(h.count, 3);
    cr_assert(span_is(h.fields[2].name, "C"));
    cr_assert_str_eq(h.reason, "too many header fields");
    cr_assert_eq(h.body_offset, sizeof m - 1);
    cr_assert_eq(h.has_body, 0);
}

Test(header, exactly_at_field_count_cap_is_fine)
{
    const char m[] = "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    as_header_limits lim = {3, 0, 0};
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), 0);
    cr_assert_eq(h.count, 3);
    cr_assert(h.has_body);
}

Test(header, field_size_cap)
{
    const char m[] = "A: 1\r\nB: 0123456789\r\n 0123456789\r\nC: 3\r\n\r\n";
    as_header_limits lim = {0, 20, 0};
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(h.reason, "header field too large");
    cr_assert_eq(h.count, 1);
}

Test(header, field_exactly_at_size_cap_is_fine)
{
    const char m[] = "B: 0123456789\r\n\r\n"; /* 15 bytes with CRLF */
    as_header_limits lim = {0, 15, 0};
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), 0);
    cr_assert_eq(h.count, 1);
    lim.max_field_bytes = 14;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), AUTHSCORE_ELIMIT);
    cr_assert_eq(h.count, 0);
}

Test(header, block_size_cap)
{
    const char m[] = "A: 1\r\nB: 2\r\nC: 3\r\n\r\nbody";
    as_header_limits lim = {0, 0, 14};
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), &lim, &h), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(h.reason, "header block too large");
    cr_assert_eq(h.count, 2);
}

Test(header, limits_cannot_raise_hard_caps)
{
    as_header_limits lim = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    /* A field one byte over the hard cap still fails. */
    size_t n = AS_HEADER_MAX_FIELD_BYTES + 16;
    char *m = malloc(n);
    cr_assert_not_null(m);
    memset(m, 'x', n);
    memcpy(m, "X: ", 3);
    m[n - 2] = '\r';
    m[n - 1] = '\n';
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, n, &lim, &h), AUTHSCORE_ELIMIT);
    free(m);
}

Test(header, find_is_case_insensitive_and_ordered)
{
    const char m[] = "from: a\r\nTo: b\r\nFROM: c\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(as_header_find(&h, "From", 0), 0);
    cr_assert_eq(as_header_find(&h, "From", 1), 2);
    cr_assert_eq(as_header_find(&h, "From", 3), (size_t)-1);
    cr_assert_eq(as_header_find(&h, "Cc", 0), (size_t)-1);
}

Test(header, bare_cr_is_kept_as_a_byte)
{
    const char m[] = "A: x\ry\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    cr_assert_eq(h.count, 1);
    cr_assert(span_is(h.fields[0].value, " x\ry"));
}

Test(header, rfind_walks_from_the_bottom)
{
    /* RFC 6376 5.4.2: h=from:from signs the last From, then the one above. */
    const char m[] = "From: a\r\nTo: b\r\nfrom: c\r\nX: d\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, S(m), NULL, &h), 0);
    const char name[] = "FROMxyz"; /* a span, not a C string */
    size_t i = as_header_rfind(&h, name, 4, h.count);
    cr_assert_eq(i, 2);
    i = as_header_rfind(&h, name, 4, i);
    cr_assert_eq(i, 0);
    cr_assert_eq(as_header_rfind(&h, name, 4, i), (size_t)-1);
    cr_assert_eq(as_header_rfind(&h, name, 4, 1000), 2, "before is clamped");
    cr_assert_eq(as_header_rfind(&h, "Cc", 2, h.count), (size_t)-1);
}
