/* test_message.c - as_message_parse: From mailboxes and from_domain,
 * DKIM-Signature positions, body view. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "msg/message.h"

#define S(lit) lit, sizeof(lit) - 1

static as_arena arena;

static void setup(void) { as_arena_init(&arena, 64u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(message, .init = setup, .fini = teardown);

Test(message, single_from_gives_from_domain)
{
    const char m[] = "From: Alice <alice@Mail.Example.ORG>\r\nTo: b@c.test\r\n\r\nhi\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_eq(msg.from_status, 0);
    cr_assert_str_eq(msg.from_domain, "mail.example.org");
    cr_assert_str_eq(msg.from[0].addr, "alice@mail.example.org");
    cr_assert_eq(msg.body, m + msg.hdr.body_offset);
    cr_assert_eq(msg.body_len, 4);
    cr_assert_eq(memcmp(msg.body, "hi\r\n", 4), 0);
}

Test(message, two_from_fields_no_from_domain)
{
    const char m[] = "From: a@one.test\r\nSubject: x\r\nfrom: b@two.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 2);
    cr_assert_eq(msg.from_count, 2);
    cr_assert_str_eq(msg.from[0].domain, "one.test");
    cr_assert_str_eq(msg.from[1].domain, "two.test");
    cr_assert_null(msg.from_domain);
}

Test(message, from_with_two_mailboxes_no_from_domain)
{
    const char m[] = "From: a@one.test, b@one.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.from_count, 2);
    cr_assert_null(msg.from_domain);
}

Test(message, from_without_domain_no_from_domain)
{
    const char m[] = "From: foo\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_str_eq(msg.from[0].domain, "");
    cr_assert_null(msg.from_domain);
}

Test(message, empty_group_from_has_no_mailbox)
{
    const char m[] = "From: undisclosed-recipients:;\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.from_count, 0);
    cr_assert_null(msg.from_domain);
}

Test(message, malformed_from_never_guesses)
{
    const char m[] = "From: a@good.test <junk\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0,
                 "the header block itself is fine");
    cr_assert_eq(msg.from_status, AUTHSCORE_EPARSE);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_null(msg.from_domain);
}

Test(message, no_from_field)
{
    const char m[] = "To: a@b.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_fields, 0);
    cr_assert_eq(msg.from_count, 0);
    cr_assert_null(msg.from_domain);
}

Test(message, folded_from_is_unfolded_before_parsing)
{
    const char m[] = "From: \"A\r\n B\"\r\n <a@x.test>\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_str_eq(msg.from[0].display, "A B");
    cr_assert_str_eq(msg.from_domain, "x.test");
}

Test(message, dkim_signature_positions)
{
    const char m[] =
        "Received: by x\r\n"
        "DKIM-Signature: v=1; d=a.test\r\n"
        "From: a@a.test\r\n"
        "dkim-signature: v=1;\r\n d=b.test\r\n"
        "X-DKIM-Signature: no\r\n"
        "DKIM-Signature : v=1; d=c.test\r\n"
        "\r\n"
        "body";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.dkim_sig_total, 3);
    cr_assert_eq(msg.dkim_sig_count, 3);
    cr_assert_eq(msg.dkim_sig_idx[0], 1);
    cr_assert_eq(msg.dkim_sig_idx[1], 3);
    cr_assert_eq(msg.dkim_sig_idx[2], 5);
    const as_header_field *f = &msg.hdr.fields[msg.dkim_sig_idx[1]];
    cr_assert_eq(f->raw.len, strlen("dkim-signature: v=1;\r\n d=b.test\r\n"));
}

Test(message, no_dkim_signature)
{
    const char m[] = "From: a@b.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.dkim_sig_total, 0);
    cr_assert_eq(msg.dkim_sig_count, 0);
}

Test(message, many_dkim_signatures_all_counted)
{
    /* As many as the header field cap allows. */
    const char line[] = "DKIM-Signature: v=1\r\n";
    size_t n = AS_HEADER_MAX_FIELDS;
    char *m = malloc(n * (sizeof line - 1) + 2);
    cr_assert_not_null(m);
    for (size_t i = 0; i < n; i++)
        memcpy(m + i * (sizeof line - 1), line, sizeof line - 1);
    memcpy(m + n * (sizeof line - 1), "\r\n", 2);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, m, n * (sizeof line - 1) + 2, NULL, &msg), 0);
    cr_assert_eq(msg.dkim_sig_total, n);
    cr_assert_eq(msg.dkim_sig_count, n < AS_MESSAGE_MAX_DKIM_SIGNATURES ? n : AS_MESSAGE_MAX_DKIM_SIGNATURES);
    cr_assert_eq(msg.dkim_sig_idx[msg.dkim_sig_count - 1], msg.dkim_sig_count - 1);
    free(m);
}

Test(message, empty_message)
{
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, "", 0, NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 0);
    cr_assert_eq(msg.body_len, 0);
    cr_assert_eq(msg.from_fields, 0);
    cr_assert_null(msg.from_domain);
}

Test(message, no_body)
{
    const char m[] = "From: a@b.test\r\nSubject: s";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.has_body, 0);
    cr_assert_eq(msg.body_len, 0);
    cr_assert_eq(msg.body, m + sizeof m - 1);
    cr_assert_str_eq(msg.from_domain, "b.test");
}

Test(message, header_error_still_reports_fields_before_it)
{
    const char m[] = "From: a@b.test\r\nnot a header\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), AUTHSCORE_EPARSE);
    cr_assert_str_eq(msg.from_domain, "b.test");
    cr_assert_eq(msg.body, m + 16);
    cr_assert_eq(msg.body_len, sizeof m - 1 - 16);
}

Test(message, capped_header_block_never_gives_from_domain)
{
    /* Another From could lie past the cap: never guess. */
    const char m[] = "From: a@b.test\r\nX: 1\r\nFrom: c@d.test\r\n\r\n";
    as_header_limits lim = {2, 0, 0};
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), &lim, &msg), AUTHSCORE_ELIMIT);
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_null(msg.from_domain);
}

Test(message, nul_in_header_never_gives_from_domain)
{
    const char m[] = "From: a@b.test\r\nX: \0\r\nFrom: c@d.test\r\n\r\n";
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(m), NULL, &msg), AUTHSCORE_EPARSE);
    cr_assert_eq(msg.from_count, 1);
    cr_assert_null(msg.from_domain);
}
