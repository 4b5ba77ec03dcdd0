/* test_address.c - RFC 5322 3.4 addresses, the Appendix A examples (whole
 * messages through the header parser) and the obsolete forms of 4.4. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "msg/address.h"
#include "msg/message.h"

#define S(lit) lit, sizeof(lit) - 1

static as_arena arena;

static void setup(void) { as_arena_init(&arena, 64u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(address, .init = setup, .fini = teardown);

/* The mailboxes of the first field named `name` of message m. */
static as_mailbox_list field_addrs(const char *m, size_t len, const char *name,
                                   int want_status)
{
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, m, len, NULL, &h), 0, "%s", h.reason);
    size_t i = as_header_find(&h, name, 0);
    cr_assert_neq(i, (size_t)-1, "no %s field", name);
    as_mailbox_list l;
    int rc = as_address_parse(&arena, h.fields[i].value.p, h.fields[i].value.len, &l);
    cr_assert_eq(rc, want_status, "%s: status %d (%s)", name, rc,
                 l.reason ? l.reason : "-");
    cr_assert_eq(l.status, rc);
    return l;
}

static void assert_mbox(const as_mailbox_list *l, size_t i, const char *display,
                        const char *local, const char *domain)
{
    cr_assert_lt(i, l->count);
    const as_mailbox *m = &l->items[i];
    if (display) {
        cr_assert_not_null(m->display, "mailbox %zu: no display name", i);
        cr_assert_str_eq(m->display, display);
    } else {
        cr_assert_null(m->display, "mailbox %zu: display '%s'", i, m->display);
    }
    cr_assert_str_eq(m->local, local);
    cr_assert_str_eq(m->domain, domain);
    char want[512];
    if (domain[0])
        snprintf(want, sizeof want, "%s@%s", local, domain);
    else
        snprintf(want, sizeof want, "%s", local);
    cr_assert_str_eq(m->addr, want);
}

static as_mailbox_list parse(const char *v, size_t n, int want_status)
{
    as_mailbox_list l;
    int rc = as_address_parse(&arena, v, n, &l);
    cr_assert_eq(rc, want_status, "status %d (%s)", rc, l.reason ? l.reason : "-");
    if (rc)
        cr_assert_not_null(l.reason);
    return l;
}

/* ---- RFC 5322 Appendix A ------------------------------------------- */

static const char a_1_1a[] =
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_1_1_addressing)
{
    as_mailbox_list l = field_addrs(S(a_1_1a), "From", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "John Doe", "jdoe", "machine.example");
    l = field_addrs(S(a_1_1a), "To", 0);
    assert_mbox(&l, 0, "Mary Smith", "mary", "example.net");

    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_1_1a), NULL, &msg), 0);
    cr_assert_str_eq(msg.from_domain, "machine.example");
    cr_assert_eq(msg.hdr.count, 5);
    cr_assert_eq(msg.body_len, strlen("This is a message just to say hello.\r\nSo, \"Hello\".\r\n"));
}

static const char a_1_1b[] =
    "From: John Doe <jdoe@machine.example>\r\n"
    "Sender: Michael Jones <mjones@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_1_1_sender)
{
    as_mailbox_list l = field_addrs(S(a_1_1b), "Sender", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Michael Jones", "mjones", "machine.example");
}

static const char a_1_2[] =
    "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n"
    "Cc: <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>\r\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    "Message-ID: <5678.21-Nov-1997@example.com>\r\n"
    "\r\n"
    "Hi everyone.\r\n";

Test(address, a_1_2_different_types_of_mailboxes)
{
    as_mailbox_list l = field_addrs(S(a_1_2), "From", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Joe Q. Public", "john.q.public", "example.com");
    l = field_addrs(S(a_1_2), "To", 0);
    cr_assert_eq(l.count, 3);
    assert_mbox(&l, 0, "Mary Smith", "mary", "x.test");
    assert_mbox(&l, 1, NULL, "jdoe", "example.org");
    assert_mbox(&l, 2, "Who?", "one", "y.test");
    l = field_addrs(S(a_1_2), "Cc", 0);
    cr_assert_eq(l.count, 2);
    assert_mbox(&l, 0, NULL, "boss", "nil.test");
    assert_mbox(&l, 1, "Giant; \"Big\" Box", "sysservices", "example.net");
}

static const char a_1_3[] =
    "From: Pete <pete@silly.example>\r\n"
    "To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\r\n"
    "Cc: Undisclosed recipients:;\r\n"
    "Date: Thu, 13 Feb 1969 23:32:54 -0330\r\n"
    "Message-ID: <testabcd.1234@silly.example>\r\n"
    "\r\n"
    "Testing.\r\n";

Test(address, a_1_3_group_addresses)
{
    as_mailbox_list l = field_addrs(S(a_1_3), "To", 0);
    cr_assert_eq(l.count, 3);
    assert_mbox(&l, 0, "Ed Jones", "c", "a.test");
    assert_mbox(&l, 1, NULL, "joe", "where.test");
    assert_mbox(&l, 2, "John", "jdoe", "one.test");
    l = field_addrs(S(a_1_3), "Cc", 0);
    cr_assert_eq(l.count, 0, "an empty group has no mailboxes");
}

static const char a_2_reply[] =
    "From: Mary Smith <mary@example.net>\r\n"
    "To: John Doe <jdoe@machine.example>\r\n"
    "Reply-To: \"Mary Smith: Personal Account\" <smith@home.example>\r\n"
    "Subject: Re: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 10:01:10 -0600\r\n"
    "Message-ID: <3456@example.net>\r\n"
    "In-Reply-To: <1234@local.machine.example>\r\n"
    "References: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a reply to your hello.\r\n";

static const char a_2_reply2[] =
    "To: \"Mary Smith: Personal Account\" <smith@home.example>\r\n"
    "From: John Doe <jdoe@machine.example>\r\n"
    "Subject: Re: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 11:00:00 -0600\r\n"
    "Message-ID: <abcd.1234@local.machine.test>\r\n"
    "In-Reply-To: <3456@example.net>\r\n"
    "References: <1234@local.machine.example> <3456@example.net>\r\n"
    "\r\n"
    "This is a reply to your reply.\r\n";

Test(address, a_2_reply_messages)
{
    as_mailbox_list l = field_addrs(S(a_2_reply), "Reply-To", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Mary Smith: Personal Account", "smith", "home.example");
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_2_reply), NULL, &msg), 0);
    cr_assert_str_eq(msg.from_domain, "example.net");
    cr_assert_eq(as_message_parse(&arena, S(a_2_reply2), NULL, &msg), 0);
    cr_assert_str_eq(msg.from_domain, "machine.example");
    cr_assert_eq(as_header_find(&msg.hdr, "From", 0), 1);
    l = field_addrs(S(a_2_reply2), "To", 0);
    assert_mbox(&l, 0, "Mary Smith: Personal Account", "smith", "home.example");
}

static const char a_3[] =
    "Resent-From: Mary Smith <mary@example.net>\r\n"
    "Resent-To: Jane Brown <j-brown@other.example>\r\n"
    "Resent-Date: Mon, 24 Nov 1997 14:22:01 -0800\r\n"
    "Resent-Message-ID: <78910@example.net>\r\n"
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_3_resent_fields)
{
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_3), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 9);
    /* Resent-From is not From. */
    cr_assert_eq(msg.from_fields, 1);
    cr_assert_str_eq(msg.from_domain, "machine.example");
    as_mailbox_list l = field_addrs(S(a_3), "Resent-To", 0);
    assert_mbox(&l, 0, "Jane Brown", "j-brown", "other.example");
}

static const char a_4[] =
    "Received: from x.y.test\r\n"
    "   by example.net\r\n"
    "   via TCP\r\n"
    "   with ESMTP\r\n"
    "   id ABC12345\r\n"
    "   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n"
    "Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600\r\n"
    "From: John Doe <jdoe@node.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.node.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_4_trace_fields_fold)
{
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_4), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 7);
    const as_header_field *r = &msg.hdr.fields[0];
    cr_assert_eq(r->raw.len, strlen("Received: from x.y.test\r\n   by example.net\r\n"
                                    "   via TCP\r\n   with ESMTP\r\n   id ABC12345\r\n"
                                    "   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n"));
    const char unf[] = " from x.y.test   by example.net   via TCP   with ESMTP"
                       "   id ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600";
    cr_assert_eq(r->value.len, sizeof unf - 1);
    cr_assert_eq(memcmp(r->value.p, unf, sizeof unf - 1), 0);
    cr_assert_str_eq(msg.from_domain, "node.example");
}

static const char a_5[] =
    "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>\r\n"
    "To:A Group(Some people)\r\n"
    "     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
    "         joe@example.org,\r\n"
    "  John <jdoe@one.test> (my dear friend); (the end of the group)\r\n"
    "Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;\r\n"
    "Date: Thu,\r\n"
    "      13\r\n"
    "        Feb\r\n"
    "          1969\r\n"
    "      23:32\r\n"
    "               -0330 (Newfoundland Time)\r\n"
    "Message-ID:              <testabcd.1234@silly.test>\r\n"
    "\r\n"
    "Testing.\r\n";

Test(address, a_5_white_space_comments_and_other_oddities)
{
    as_mailbox_list l = field_addrs(S(a_5), "From", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Pete", "pete", "silly.test");
    l = field_addrs(S(a_5), "To", 0);
    cr_assert_eq(l.count, 3);
    assert_mbox(&l, 0, "Chris Jones", "c", "public.example");
    assert_mbox(&l, 1, NULL, "joe", "example.org");
    assert_mbox(&l, 2, "John", "jdoe", "one.test");
    l = field_addrs(S(a_5), "Cc", 0);
    cr_assert_eq(l.count, 0);
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_5), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 5);
    cr_assert_str_eq(msg.from_domain, "silly.test");
}

static const char a_6_1[] =
    "From: Joe Q. Public <john.q.public@example.com>\r\n"
    "To: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example\r\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    "Message-ID: <5678.21-Nov-1997@example.com>\r\n"
    "\r\n"
    "Hi everyone.\r\n";

Test(address, a_6_1_obsolete_addressing)
{
    as_mailbox_list l = field_addrs(S(a_6_1), "From", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Joe Q. Public", "john.q.public", "example.com");
    l = field_addrs(S(a_6_1), "To", 0);
    cr_assert_eq(l.count, 2);
    assert_mbox(&l, 0, "Mary Smith", "mary", "example.net");
    assert_mbox(&l, 1, NULL, "jdoe", "test.example");
}

static const char a_6_2[] =
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: 21 Nov 97 09:55:06 GMT\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_6_2_obsolete_dates)
{
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_6_2), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 5);
    cr_assert_str_eq(msg.from_domain, "machine.example");
}

static const char a_6_3[] =
    "From  : John Doe <jdoe@machine(comment).  example>\r\n"
    "To    : Mary Smith\r\n"
    "  \r\n"
    "          <mary@example.net>\r\n"
    "Subject     : Saying Hello\r\n"
    "Date  : Fri, 21 Nov 1997 09(comment):   55  :  06 -0600\r\n"
    "Message-ID  : <1234   @   local(blah)  .machine .example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

Test(address, a_6_3_obsolete_white_space_and_comments)
{
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, S(a_6_3), NULL, &msg), 0);
    cr_assert_eq(msg.hdr.count, 5);
    cr_assert_eq(msg.hdr.fields[0].name.len, 4, "WSP before ':' is not in the name");
    cr_assert_str_eq(msg.from_domain, "machine.example");
    as_mailbox_list l = field_addrs(S(a_6_3), "From", 0);
    assert_mbox(&l, 0, "John Doe", "jdoe", "machine.example");
    l = field_addrs(S(a_6_3), "To", 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, "Mary Smith", "mary", "example.net");
    /* A msg-id is addr-spec shaped; the obs form parses with CFWS. */
    l = field_addrs(S(a_6_3), "Message-ID", 0);
    assert_mbox(&l, 0, NULL, "1234", "local.machine.example");
}

/* ---- further forms ---------------------------------------------------- */

Test(address, domain_is_lowercased_local_part_is_not)
{
    as_mailbox_list l = parse(S("Foo <John.Doe@Example.COM>"), 0);
    assert_mbox(&l, 0, "Foo", "John.Doe", "example.com");
}

Test(address, trailing_dot_of_domain_removed)
{
    as_mailbox_list l = parse(S("a@example.com."), 0);
    assert_mbox(&l, 0, NULL, "a", "example.com");
}

Test(address, domain_literal_kept_as_text)
{
    as_mailbox_list l = parse(S("postmaster@[192.0.2.1], b@[IPv6:2001:DB8::1]"), 0);
    cr_assert_eq(l.count, 2);
    assert_mbox(&l, 0, NULL, "postmaster", "[192.0.2.1]");
    assert_mbox(&l, 1, NULL, "b", "[ipv6:2001:db8::1]");
}

Test(address, quoted_local_part_kept_as_written)
{
    as_mailbox_list l = parse(S("\"john doe\"@example.com, \"a\\\"b\"@x.test"), 0);
    cr_assert_eq(l.count, 2);
    assert_mbox(&l, 0, NULL, "\"john doe\"", "example.com");
    assert_mbox(&l, 1, NULL, "\"a\\\"b\"", "x.test");
}

Test(address, obs_route_with_several_domains)
{
    as_mailbox_list l = parse(S("<@a.test,,@b.test:x@C.test>"), 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, NULL, "x", "c.test");
}

Test(address, no_at_sign_gives_empty_domain)
{
    as_mailbox_list l = parse(S("foo"), 0);
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, NULL, "foo", "");
    l = parse(S("Postmaster <postmaster>"), 0);
    assert_mbox(&l, 0, "Postmaster", "postmaster", "");
}

Test(address, empty_value_is_zero_mailboxes)
{
    as_mailbox_list l = parse("", 0, 0);
    cr_assert_eq(l.count, 0);
    l = parse(S("  (just a comment) , ,"), 0);
    cr_assert_eq(l.count, 0);
}

Test(address, eight_bit_utf8_addresses)
{
    as_mailbox_list l = parse(S("J\xc3\xb6rg <j\xc3\xb6rg@B\xc3\xbc\x63her.example>"), 0);
    cr_assert_eq(l.count, 1);
    /* Only ASCII is case-folded. */
    assert_mbox(&l, 0, "J\xc3\xb6rg", "j\xc3\xb6rg", "b\xc3\xbc\x63her.example");
}

Test(address, encoded_word_display_is_kept_encoded)
{
    as_mailbox_list l = parse(S("=?UTF-8?B?SsO2cmc=?= <j@x.test>"), 0);
    assert_mbox(&l, 0, "=?UTF-8?B?SsO2cmc=?=", "j", "x.test");
}

Test(address, malformed_inputs_have_defined_results)
{
    struct {
        const char *in;
        size_t kept;
        const char *reason;
    } cases[] = {
        {"a@b.test, <>", 1, "empty angle address"},
        {"a@", 0, "missing domain"},
        {"a@b.test c@d.test", 1, "expected ','"},
        {"<a@b.test", 0, "expected '>'"},
        {"a@b.test>", 1, "expected ','"},
        {"Foo (unclosed <a@b.test>", 0, "unterminated comment"},
        {"\"unclosed <a@b.test>", 0, "unterminated quoted string"},
        {"a@[1.2.3.4", 0, "unterminated domain literal"},
        {"a@[1.[2]", 0, "bad domain literal"},
        {"x@y.test, a) <b@c.test>", 1, "unbalanced ')'"},
        {"G: a@b.test", 1, "group without ';'"},
        {"G: H: a@b.test;;", 0, "group inside a group"},
        {": a@b.test;", 0, "group without a name"},
        {"Mary Smith", 0, "phrase without an address"},
        {"a b@c.test", 0, "bad local-part"},
        {"a@b..c", 0, "bad domain"},
        {"a@.b", 0, "missing domain"},
        {"a@b.test; c@d.test", 1, "expected ','"},
        {"a\\b@c.test", 0, "bad character in address"},
        {"a@b.test, \x01@c", 1, "bad character in address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        as_mailbox_list l;
        int rc = as_address_parse(&arena, cases[i].in, strlen(cases[i].in), &l);
        cr_assert_eq(rc, AUTHSCORE_EPARSE, "'%s': rc %d", cases[i].in, rc);
        cr_assert_str_eq(l.reason, cases[i].reason, "'%s'", cases[i].in);
        cr_assert_eq(l.count, cases[i].kept, "'%s': %zu kept", cases[i].in, l.count);
    }
}

Test(address, nul_byte_is_an_error)
{
    as_mailbox_list l = parse("a@b.test, c\0@d.test", 19, AUTHSCORE_EPARSE);
    cr_assert_str_eq(l.reason, "NUL in address");
    cr_assert_eq(l.count, 1);
    l = parse("\"a\0\"@b.test", 11, AUTHSCORE_EPARSE);
    cr_assert_str_eq(l.reason, "NUL in address");
}

Test(address, field_too_large)
{
    size_t n = AS_ADDRESS_MAX_BYTES + 1;
    char *v = malloc(n);
    cr_assert_not_null(v);
    memset(v, ' ', n);
    memcpy(v, "a@b.test", 8);
    as_mailbox_list l = parse(v, n, AUTHSCORE_ELIMIT);
    cr_assert_eq(l.count, 0);
    l = parse(v, n - 1, 0);
    cr_assert_eq(l.count, 1);
    free(v);
}

Test(address, mailbox_cap)
{
    size_t cap = (AS_ADDRESS_MAX_MAILBOXES + 5) * 4;
    char *v = malloc(cap);
    cr_assert_not_null(v);
    size_t n = 0;
    for (size_t i = 0; i < AS_ADDRESS_MAX_MAILBOXES + 5; i++) {
        memcpy(v + n, "a@b,", 4);
        n += 4;
    }
    as_mailbox_list l = parse(v, n, AUTHSCORE_ELIMIT);
    cr_assert_str_eq(l.reason, "too many mailboxes");
    cr_assert_eq(l.count, AS_ADDRESS_MAX_MAILBOXES);
    assert_mbox(&l, AS_ADDRESS_MAX_MAILBOXES - 1, NULL, "a", "b");
    free(v);
}

/* Found by fuzz_address: an empty quoted display-name gave display "". */
Test(address, regression_empty_quoted_display_is_null)
{
    const char v[] = "\"\" <sm`t.\x8f\x93" "d>M\" <sm`t.\x8f\x93" "d>";
    as_mailbox_list l = parse(S(v), AUTHSCORE_EPARSE);
    cr_assert_str_eq(l.reason, "expected ','");
    cr_assert_eq(l.count, 1);
    assert_mbox(&l, 0, NULL, "sm`t.\x8f\x93" "d", "");
    l = parse(S("\"\" <a@b.test>"), 0);
    assert_mbox(&l, 0, NULL, "a", "b.test");
}

/* Found by fuzz_address: a quoted-pair of LF put a line break into the
 * display name, which is documented as unfolded. */
Test(address, regression_quoted_line_break_not_in_display)
{
    const char v[] = "\"Jo\\\n\\\r\r\n es\" <j@x.test>";
    as_mailbox_list l = parse(S(v), 0);
    assert_mbox(&l, 0, "Jo es", "j", "x.test");
}
