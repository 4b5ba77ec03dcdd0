/* test_hostile.c - hostile inputs: each must end with a defined result,
 * within a bounded arena (the arena cap would turn runaway memory into
 * ENOMEM/ELIMIT, which these tests reject), without recursion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "msg/message.h"
#include "msg/tagvalue.h"

/* Generous for the caps, far below what a runaway parser would need. */
#define ARENA_CAP (8u << 20)

static as_arena arena;

static void setup(void) { as_arena_init(&arena, ARENA_CAP); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(hostile, .init = setup, .fini = teardown);

static char *xmalloc(size_t n)
{
    char *p = malloc(n);
    cr_assert_not_null(p);
    return p;
}

Test(hostile, hundred_thousand_fields_hit_the_cap)
{
    size_t nf = 100000;
    char *m = xmalloc(nf * 16 + 8);
    size_t n = 0;
    for (size_t i = 0; i < nf; i++)
        n += (size_t)snprintf(m + n, 16, "X%zu: v\r\n", i % 100000);
    memcpy(m + n, "\r\nbody", 6);
    n += 6;
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(msg.hdr.reason, "too many header fields");
    cr_assert_eq(msg.hdr.count, AS_HEADER_MAX_FIELDS);
    cr_assert_eq(msg.hdr.fields[0].name.len, 2);
    cr_assert_eq(memcmp(msg.hdr.fields[0].name.p, "X0", 2), 0);
    const as_header_field *last = &msg.hdr.fields[AS_HEADER_MAX_FIELDS - 1];
    char want[16];
    int wl = snprintf(want, sizeof want, "X%u", AS_HEADER_MAX_FIELDS - 1);
    cr_assert_eq(last->name.len, (size_t)wl);
    cr_assert_eq(memcmp(last->name.p, want, (size_t)wl), 0);
    cr_assert_leq(msg.hdr.body_offset, n);
    cr_assert_eq(msg.hdr.has_body, 0);
    free(m);
}

Test(hostile, ten_megabyte_single_header)
{
    size_t n = 10u << 20;
    char *m = xmalloc(n);
    memset(m, 'a', n);
    memcpy(m, "A: 1\r\nSubject: ", 15);
    memcpy(m + n - 4, "\r\n\r\n", 4);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(msg.hdr.reason, "header field too large");
    cr_assert_eq(msg.hdr.count, 1, "the field before the cap is kept");
    free(m);
}

Test(hostile, ten_megabyte_folded_header)
{
    size_t n = 10u << 20;
    char *m = xmalloc(n);
    memset(m, 'a', n);
    memcpy(m, "Subject: ", 9);
    for (size_t i = 100; i + 3 < n; i += 100)
        memcpy(m + i, "\r\n ", 3);
    memcpy(m + n - 4, "\r\n\r\n", 4);
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, n, NULL, &h), AUTHSCORE_ELIMIT);
    cr_assert_eq(h.count, 0);
    free(m);
}

Test(hostile, header_block_cap)
{
    /* 900 fields of ~1.2 KB: under the count cap, over the block cap. */
    size_t nf = 900, fl = 1200;
    char *m = xmalloc(nf * fl + 2);
    for (size_t i = 0; i < nf; i++) {
        char *f = m + i * fl;
        memset(f, 'v', fl);
        memcpy(f, "X-Filler: ", 10);
        memcpy(f + fl - 2, "\r\n", 2);
    }
    memcpy(m + nf * fl, "\r\n", 2);
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, nf * fl + 2, NULL, &h), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(h.reason, "header block too large");
    cr_assert_eq(h.count, AS_HEADER_MAX_BLOCK_BYTES / fl);
    free(m);
}

Test(hostile, huge_line_without_colon_or_newline)
{
    size_t n = 10u << 20;
    char *m = xmalloc(n);
    memset(m, 'x', n);
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, n, NULL, &h), AUTHSCORE_ELIMIT);
    cr_assert_eq(h.count, 0);
    /* With a line break inside the cap it is a line without colon. */
    m[100] = '\n';
    cr_assert_eq(as_header_parse(&arena, m, n, NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "line without colon");
    cr_assert_eq(h.body_offset, 0);
    free(m);
}

Test(hostile, nul_bytes_everywhere)
{
    char m[256];
    memset(m, 0, sizeof m);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, sizeof m, NULL, &msg), AUTHSCORE_EPARSE);
    cr_assert_str_eq(msg.hdr.reason, "NUL in header");
    cr_assert_eq(msg.hdr.count, 0);
    memcpy(m, "From: a@b.test\r\nTo", 18);
    cr_assert_eq(as_message_parse(&arena, m, sizeof m, NULL, &msg), AUTHSCORE_EPARSE);
    cr_assert_eq(msg.hdr.count, 1);
    cr_assert_null(msg.from_domain);
}

Test(hostile, nul_in_name_position)
{
    const char m[] = "Fr\0m: a@b.test\r\n\r\n";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, sizeof m - 1, NULL, &h), AUTHSCORE_EPARSE);
    cr_assert_str_eq(h.reason, "NUL in header");
}

Test(hostile, line_without_colon)
{
    const char m[] = "From: a@b.test\r\nGARBAGE\r\nFrom: c@d.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, sizeof m - 1, NULL, &msg), AUTHSCORE_EPARSE);
    cr_assert_eq(msg.hdr.count, 1);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.body, m + 16);
}

Test(hostile, fifty_from_addresses_in_one_field)
{
    char v[4096] = "From: ";
    size_t n = 6;
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(v + n, sizeof v - n, "%sUser%d <u%d@Host%d.Example>",
                              i ? ", " : "", i, i, i);
    n += (size_t)snprintf(v + n, sizeof v - n, "\r\n\r\n");
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, v, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.from_count, 50);
    cr_assert_null(msg.from_domain);
    for (int i = 0; i < 50; i++) {
        char want[64];
        snprintf(want, sizeof want, "host%d.example", i);
        cr_assert_str_eq(msg.from[i].domain, want);
        snprintf(want, sizeof want, "User%d", i);
        cr_assert_str_eq(msg.from[i].display, want);
    }
}

Test(hostile, fifty_from_fields)
{
    char v[4096];
    size_t n = 0;
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(v + n, sizeof v - n, "From: u%d@h%d.test\r\n", i, i);
    n += (size_t)snprintf(v + n, sizeof v - n, "\r\n");
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, v, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 50);
    cr_assert_eq(msg.from_count, 50);
    cr_assert_null(msg.from_domain);
    cr_assert_str_eq(msg.from[49].domain, "h49.test");
}

Test(hostile, from_mailboxes_capped_across_fields)
{
    /* 2 fields of 600 mailboxes each: 1000 kept, ELIMIT in from_status. */
    size_t per = 600;
    char *m = xmalloc(2 * (8 + per * 5) + 8);
    size_t n = 0;
    for (int f = 0; f < 2; f++) {
        memcpy(m + n, "From: ", 6);
        n += 6;
        for (size_t i = 0; i < per; i++) {
            memcpy(m + n, i ? ",a@b" : "a@b ", 4);
            n += 4;
        }
        memcpy(m + n, "\r\n", 2);
        n += 2;
    }
    memcpy(m + n, "\r\n", 2);
    n += 2;
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 2);
    cr_assert_eq(msg.from_count, AS_MESSAGE_MAX_FROM_MAILBOXES);
    cr_assert_eq(msg.from_status, AUTHSCORE_ELIMIT);
    free(m);
}

static char *nested_comments(size_t depth, int close, size_t *len)
{
    const char pre[] = "From: (", mid[] = "x", post[] = " a@b.test\r\n\r\n";
    char *m = xmalloc(sizeof pre + 2 * depth + sizeof mid + sizeof post);
    size_t n = 0;
    memcpy(m, pre, sizeof pre - 1);
    n += sizeof pre - 1;
    memset(m + n, '(', depth - 1);
    n += depth - 1;
    memcpy(m + n, mid, sizeof mid - 1);
    n += sizeof mid - 1;
    if (close) {
        memset(m + n, ')', depth);
        n += depth;
    }
    memcpy(m + n, post, sizeof post - 1);
    n += sizeof post - 1;
    *len = n;
    return m;
}

Test(hostile, nested_comments_ten_thousand_deep)
{
    size_t n;
    char *m = nested_comments(10000, 1, &n);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_status, 0);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_str_eq(msg.from_domain, "b.test");
    free(m);
}

Test(hostile, nested_comments_unclosed)
{
    size_t n;
    char *m = nested_comments(10000, 0, &n);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_status, AUTHSCORE_EPARSE);
    cr_assert_eq(msg.from_count, 0);
    cr_assert_null(msg.from_domain);
    free(m);
}

Test(hostile, address_worst_cases_end)
{
    size_t n = AS_ADDRESS_MAX_BYTES;
    char *v = xmalloc(n);
    const char fill[] = {'(', '"', '[', '<', ',', ':', '.', '@', 'a', ')', '\\', ';'};
    for (size_t k = 0; k < sizeof fill; k++) {
        memset(v, fill[k], n);
        as_mailbox_list l;
        int rc = as_address_parse(&arena, v, n, &l);
        cr_assert(rc == 0 || rc == AUTHSCORE_EPARSE, "fill '%c': rc %d", fill[k], rc);
        cr_assert_eq(rc, l.status);
    }
    /* "a@b," repeated past the mailbox cap. */
    for (size_t i = 0; i + 4 <= n; i += 4)
        memcpy(v + i, "a@b,", 4);
    as_mailbox_list l;
    cr_assert_eq(as_address_parse(&arena, v, n, &l), AUTHSCORE_ELIMIT);
    cr_assert_eq(l.count, AS_ADDRESS_MAX_MAILBOXES);
    free(v);
}

Test(hostile, crlf_and_lf_messages_are_equivalent)
{
    const char crlf[] =
        "DKIM-Signature: v=1; a=rsa-sha256;\r\n\td=x.test; s=s\r\n"
        "From: X <x@X.test>\r\n"
        "Subject: folded\r\n and more\r\n"
        "\r\n"
        "body\r\n";
    const char lf[] =
        "DKIM-Signature: v=1; a=rsa-sha256;\n\td=x.test; s=s\n"
        "From: X <x@X.test>\n"
        "Subject: folded\n and more\n"
        "\n"
        "body\r\n";
    as_message a, b;
    cr_assert_eq(as_message_parse(&arena, crlf, sizeof crlf - 1, NULL, &a), 0);
    cr_assert_eq(as_message_parse(&arena, lf, sizeof lf - 1, NULL, &b), 0);
    cr_assert_eq(a.hdr.count, b.hdr.count);
    for (size_t i = 0; i < a.hdr.count; i++) {
        cr_assert_eq(a.hdr.fields[i].value.len, b.hdr.fields[i].value.len);
        cr_assert_eq(memcmp(a.hdr.fields[i].value.p, b.hdr.fields[i].value.p,
                            a.hdr.fields[i].value.len), 0);
    }
    cr_assert_str_eq(a.from_domain, b.from_domain);
    cr_assert_eq(a.dkim_sig_total, 1);
    cr_assert_eq(b.dkim_sig_total, 1);
    cr_assert_eq(a.body_len, b.body_len);
    cr_assert_eq(memcmp(a.body, b.body, a.body_len), 0);

    as_taglist ta, tb;
    const as_header_field *fa = &a.hdr.fields[a.dkim_sig_idx[0]];
    const as_header_field *fb = &b.hdr.fields[b.dkim_sig_idx[0]];
    cr_assert_eq(as_taglist_parse(&arena, fa->value_raw.p, fa->value_raw.len, 0, &ta, NULL), 0);
    cr_assert_eq(as_taglist_parse(&arena, fb->value_raw.p, fb->value_raw.len, 0, &tb, NULL), 0);
    cr_assert_eq(ta.count, 4);
    cr_assert_eq(tb.count, 4);
}

Test(hostile, mixed_line_ends)
{
    const char m[] = "A: 1\nB: 2\r\n\tx\nC: 3\r\n\nbody";
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, sizeof m - 1, NULL, &h), 0);
    cr_assert_eq(h.count, 3);
    cr_assert_eq(h.fields[1].value.len, 4);
    cr_assert_eq(memcmp(h.fields[1].value.p, " 2\tx", 4), 0);
    cr_assert_eq(memcmp(m + h.body_offset, "body", 4), 0);
}

Test(hostile, tagvalue_worst_cases_end)
{
    size_t n = 1u << 20;
    char *v = xmalloc(n);
    const char fill[] = {';', '=', 'a', ' ', '\n', '\r'};
    for (size_t k = 0; k < sizeof fill; k++) {
        memset(v, fill[k], n);
        as_taglist t;
        int rc = as_taglist_parse(&arena, v, n, 0, &t, NULL);
        cr_assert(rc == 0 || rc == AUTHSCORE_EPARSE, "fill '%c': rc %d", fill[k], rc);
    }
    /* Many distinct tags: the cap, not quadratic work without end. */
    size_t o = 0;
    for (int i = 0; o + 16 < n; i++)
        o += (size_t)snprintf(v + o, n - o, "t%d=1;", i);
    as_taglist t;
    cr_assert_eq(as_taglist_parse(&arena, v, o, 0, &t, NULL), AUTHSCORE_ELIMIT);
    free(v);
}

Test(hostile, many_from_fields_full_of_mailboxes_stay_in_the_arena)
{
    /* 1000 From fields of ~250 mailboxes each, inside the 1 MiB block cap:
     * parsing stops spending arena once the From cap is full. */
    size_t nf = AS_HEADER_MAX_FIELDS, per = 250;
    size_t fl = 6 + per * 4 - 1 + 2;
    char *m = xmalloc(nf * fl + 2);
    size_t n = 0;
    for (size_t f = 0; f < nf; f++) {
        memcpy(m + n, "From: ", 6);
        n += 6;
        for (size_t i = 0; i < per; i++) {
            memcpy(m + n, i ? ",a@b" : "a@b", i ? 4 : 3);
            n += i ? 4 : 3;
        }
        memcpy(m + n, "\r\n", 2);
        n += 2;
    }
    memcpy(m + n, "\r\n", 2);
    n += 2;
    cr_assert_leq(n, AS_HEADER_MAX_BLOCK_BYTES);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n, NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, nf);
    cr_assert_eq(msg.from_count, AS_MESSAGE_MAX_FROM_MAILBOXES);
    cr_assert_eq(msg.from_status, AUTHSCORE_ELIMIT);
    cr_assert_null(msg.from_domain);
    cr_assert_lt(arena.used, (size_t)ARENA_CAP);
    free(m);
}
