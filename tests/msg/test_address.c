/* test_address.c - RFC 5322 3.4 addresses, the Appendix A examples (whole
 * messages through the header parser) and the obsolete forms of 4.4.
 * Three tables of cases, each named with the section it checks: fields of
 * the Appendix A messages, the messages themselves, and field values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "cases.h"
#include "msg/address.h"
#include "msg/message.h"

#define S(lit) lit, sizeof(lit) - 1

static as_arena arena;

static void setup(void) { as_arena_init(&arena, 64u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(address, .init = setup, .fini = teardown);

typedef struct mb_want {
    const char *display;  /* NULL: the mailbox has none */
    const char *local, *domain;
} mb_want;

static void assert_mbox(const char *name, const as_mailbox_list *l, size_t i,
                        const mb_want *w)
{
    cr_assert_lt(i, l->count, "%s: mailbox %zu of %zu", name, i, l->count);
    const as_mailbox *m = &l->items[i];
    if (w->display) {
        cr_assert_not_null(m->display, "%s: mailbox %zu: no display name", name, i);
        cr_assert_str_eq(m->display, w->display, "%s: mailbox %zu", name, i);
    } else {
        cr_assert_null(m->display, "%s: mailbox %zu: display '%s'", name, i, m->display);
    }
    cr_assert_str_eq(m->local, w->local, "%s: mailbox %zu", name, i);
    cr_assert_str_eq(m->domain, w->domain, "%s: mailbox %zu", name, i);
    char want[512];
    if (w->domain[0])
        snprintf(want, sizeof want, "%s@%s", w->local, w->domain);
    else
        snprintf(want, sizeof want, "%s", w->local);
    cr_assert_str_eq(m->addr, want, "%s: mailbox %zu", name, i);
}

static void assert_list(const char *name, const as_mailbox_list *l,
                        want_int count, const mb_want *mb, size_t n)
{
    if (count.on)
        cr_assert_eq(l->count, (size_t)count.v, "%s: %zu mailboxes, want %ld", name,
                     l->count, count.v);
    for (size_t i = 0; i < n && mb[i].local; i++)
        assert_mbox(name, l, i, &mb[i]);
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

static const char a_1_2[] =
    "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n"
    "Cc: <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>\r\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    "Message-ID: <5678.21-Nov-1997@example.com>\r\n"
    "\r\n"
    "Hi everyone.\r\n";

static const char a_1_3[] =
    "From: Pete <pete@silly.example>\r\n"
    "To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\r\n"
    "Cc: Undisclosed recipients:;\r\n"
    "Date: Thu, 13 Feb 1969 23:32:54 -0330\r\n"
    "Message-ID: <testabcd.1234@silly.example>\r\n"
    "\r\n"
    "Testing.\r\n";

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

static const char a_6_1[] =
    "From: Joe Q. Public <john.q.public@example.com>\r\n"
    "To: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example\r\n"
    "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    "Message-ID: <5678.21-Nov-1997@example.com>\r\n"
    "\r\n"
    "Hi everyone.\r\n";

static const char a_6_2[] =
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: 21 Nov 97 09:55:06 GMT\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

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

/* The mailboxes of the first field named `field` of a message. */
typedef struct field_case {
    const char *name;
    const char *rfc;
    const char *msg;
    size_t len;
    const char *field;
    want_int count;
    mb_want mb[3];
} field_case;

static const field_case fields[] = {
    {"a_1_1_addressing From", "RFC 5322 A.1.1", S(a_1_1a), "From", W(1),
     {{"John Doe", "jdoe", "machine.example"}}},
    {"a_1_1_addressing To", "RFC 5322 A.1.1", S(a_1_1a), "To", .mb =
     {{"Mary Smith", "mary", "example.net"}}},
    {"a_1_1_sender", "RFC 5322 A.1.1", S(a_1_1b), "Sender", W(1),
     {{"Michael Jones", "mjones", "machine.example"}}},
    {"a_1_2_different_types_of_mailboxes From", "RFC 5322 A.1.2", S(a_1_2), "From", W(1),
     {{"Joe Q. Public", "john.q.public", "example.com"}}},
    {"a_1_2_different_types_of_mailboxes To", "RFC 5322 A.1.2", S(a_1_2), "To", W(3),
     {{"Mary Smith", "mary", "x.test"}, {NULL, "jdoe", "example.org"},
      {"Who?", "one", "y.test"}}},
    {"a_1_2_different_types_of_mailboxes Cc", "RFC 5322 A.1.2", S(a_1_2), "Cc", W(2),
     {{NULL, "boss", "nil.test"}, {"Giant; \"Big\" Box", "sysservices", "example.net"}}},
    {"a_1_3_group_addresses To", "RFC 5322 A.1.3", S(a_1_3), "To", W(3),
     {{"Ed Jones", "c", "a.test"}, {NULL, "joe", "where.test"}, {"John", "jdoe", "one.test"}}},
    /* An empty group has no mailboxes. */
    {"a_1_3_group_addresses Cc", "RFC 5322 A.1.3", S(a_1_3), "Cc", .count = W(0)},
    {"a_2_reply_messages Reply-To", "RFC 5322 A.2", S(a_2_reply), "Reply-To", W(1),
     {{"Mary Smith: Personal Account", "smith", "home.example"}}},
    {"a_2_reply_messages To", "RFC 5322 A.2", S(a_2_reply2), "To", .mb =
     {{"Mary Smith: Personal Account", "smith", "home.example"}}},
    {"a_3_resent_fields Resent-To", "RFC 5322 A.3", S(a_3), "Resent-To", .mb =
     {{"Jane Brown", "j-brown", "other.example"}}},
    {"a_5_white_space_comments_and_other_oddities From", "RFC 5322 A.5", S(a_5), "From",
     W(1), {{"Pete", "pete", "silly.test"}}},
    {"a_5_white_space_comments_and_other_oddities To", "RFC 5322 A.5", S(a_5), "To",
     W(3), {{"Chris Jones", "c", "public.example"}, {NULL, "joe", "example.org"},
            {"John", "jdoe", "one.test"}}},
    {"a_5_white_space_comments_and_other_oddities Cc", "RFC 5322 A.5", S(a_5), "Cc", .count = W(0)},
    {"a_6_1_obsolete_addressing From", "RFC 5322 A.6.1, 4.4", S(a_6_1), "From", W(1),
     {{"Joe Q. Public", "john.q.public", "example.com"}}},
    {"a_6_1_obsolete_addressing To", "RFC 5322 A.6.1, 4.4", S(a_6_1), "To", W(2),
     {{"Mary Smith", "mary", "example.net"}, {NULL, "jdoe", "test.example"}}},
    {"a_6_3_obsolete_white_space_and_comments From", "RFC 5322 A.6.3, 4.4", S(a_6_3),
     "From", .mb = {{"John Doe", "jdoe", "machine.example"}}},
    {"a_6_3_obsolete_white_space_and_comments To", "RFC 5322 A.6.3, 4.4", S(a_6_3), "To",
     W(1), {{"Mary Smith", "mary", "example.net"}}},
    /* A msg-id is addr-spec shaped; the obs form parses with CFWS. */
    {"a_6_3_obsolete_white_space_and_comments Message-ID", "RFC 5322 A.6.3, 3.6.4",
     S(a_6_3), "Message-ID", .mb = {{NULL, "1234", "local.machine.example"}}},
};

CASE_INDEX_PARAMS(address, appendix_a_fields, fields)

ParameterizedTest(size_t *i, address, appendix_a_fields)
{
    const field_case *c = &fields[*i];
    as_header_block h;
    cr_assert_eq(as_header_parse(&arena, c->msg, c->len, NULL, &h), 0, "%s (%s): %s",
                 c->name, c->rfc, h.reason);
    size_t k = as_header_find(&h, c->field, 0);
    cr_assert_neq(k, (size_t)-1, "%s (%s): no %s field", c->name, c->rfc, c->field);
    as_mailbox_list l;
    int rc = as_address_parse(&arena, h.fields[k].value.p, h.fields[k].value.len, &l);
    cr_assert_eq(rc, 0, "%s (%s): status %d (%s)", c->name, c->rfc, rc,
                 l.reason ? l.reason : "-");
    cr_assert_eq(l.status, rc, "%s (%s)", c->name, c->rfc);
    assert_list(c->name, &l, c->count, c->mb, 3);
}

/* The messages through the message parser. */
typedef struct message_case {
    const char *name;
    const char *rfc;
    const char *msg;
    size_t len;
    const char *from_domain;
    want_int fields, from_fields, body_len, from_at, name0_len, raw0_len;
    const char *value0;  /* the first field's unfolded value */
} message_case;

#define A_4_RAW0 "Received: from x.y.test\r\n   by example.net\r\n   via TCP\r\n" \
    "   with ESMTP\r\n   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n"

static const message_case messages[] = {
    {"a_1_1_addressing", "RFC 5322 A.1.1", S(a_1_1a), "machine.example", .fields = W(5),
     .body_len = W(sizeof "This is a message just to say hello.\r\nSo, \"Hello\".\r\n" - 1)},
    {"a_2_reply_messages", "RFC 5322 A.2", S(a_2_reply), .from_domain = "example.net"},
    {"a_2_reply_messages second reply", "RFC 5322 A.2", S(a_2_reply2), "machine.example",
     .from_at = W(1)},
    /* Resent-From is not From. */
    {"a_3_resent_fields", "RFC 5322 A.3, 3.6.6", S(a_3), "machine.example", .fields = W(9),
     .from_fields = W(1)},
    {"a_4_trace_fields_fold", "RFC 5322 A.4, 2.2.3", S(a_4), "node.example", .fields = W(7),
     .raw0_len = W(sizeof A_4_RAW0 - 1),
     .value0 = " from x.y.test   by example.net   via TCP   with ESMTP"
               "   id ABC12345   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600"},
    {"a_5_white_space_comments_and_other_oddities", "RFC 5322 A.5", S(a_5), "silly.test",
     .fields = W(5)},
    {"a_6_2_obsolete_dates", "RFC 5322 A.6.2, 4.3", S(a_6_2), "machine.example",
     .fields = W(5)},
    /* WSP before ':' is not in the name. */
    {"a_6_3_obsolete_white_space_and_comments", "RFC 5322 A.6.3, 4.5.3", S(a_6_3),
     "machine.example", .fields = W(5), .name0_len = W(4)},
};

CASE_INDEX_PARAMS(address, appendix_a_messages, messages)

ParameterizedTest(size_t *i, address, appendix_a_messages)
{
    const message_case *c = &messages[*i];
    as_message msg;
    cr_assert_eq(as_message_parse(&arena, c->msg, c->len, NULL, &msg), 0, "%s (%s)",
                 c->name, c->rfc);
    CASE_INT(msg.hdr.count, c->fields, "header fields");
    CASE_INT(msg.from_fields, c->from_fields, "From fields");
    cr_assert_str_eq(msg.from_domain, c->from_domain, "%s (%s)", c->name, c->rfc);
    CASE_INT(msg.body_len, c->body_len, "body length");
    CASE_INT(as_header_find(&msg.hdr, "From", 0), c->from_at, "From's index");
    CASE_INT(msg.hdr.fields[0].name.len, c->name0_len, "first name's length");
    CASE_INT(msg.hdr.fields[0].raw.len, c->raw0_len, "first field's raw length");
    if (c->value0) {
        const as_header_field *f = &msg.hdr.fields[0];
        cr_assert_eq(f->value.len, strlen(c->value0), "%s (%s)", c->name, c->rfc);
        cr_assert_eq(memcmp(f->value.p, c->value0, f->value.len), 0, "%s (%s)",
                     c->name, c->rfc);
    }
}

/* ---- field values ---------------------------------------------------- */

typedef struct value_case {
    const char *name;
    const char *rfc;
    const char *v;
    size_t len;
    int status;
    const char *reason;
    want_int count;
    mb_want mb[2];
} value_case;

#define BAD(n, in, kept, why) \
    {n, "RFC 5322 3.4", S(in), AUTHSCORE_EPARSE, why, .count = W(kept)}

static const value_case values[] = {
    {"domain_is_lowercased_local_part_is_not", "RFC 5322 3.4.1, RFC 1035 2.3.3",
     S("Foo <John.Doe@Example.COM>"), .mb = {{"Foo", "John.Doe", "example.com"}}},
    {"trailing_dot_of_domain_removed", "RFC 5322 3.4.1",
     S("a@example.com."), .mb = {{NULL, "a", "example.com"}}},
    {"domain_literal_kept_as_text", "RFC 5322 3.4.1 domain-literal",
     S("postmaster@[192.0.2.1], b@[IPv6:2001:DB8::1]"), .count = W(2),
     .mb = {{NULL, "postmaster", "[192.0.2.1]"}, {NULL, "b", "[ipv6:2001:db8::1]"}}},
    {"quoted_local_part_kept_as_written", "RFC 5322 3.4.1, 3.2.4",
     S("\"john doe\"@example.com, \"a\\\"b\"@x.test"), .count = W(2),
     .mb = {{NULL, "\"john doe\"", "example.com"}, {NULL, "\"a\\\"b\"", "x.test"}}},
    {"obs_route_with_several_domains", "RFC 5322 4.4 obs-route",
     S("<@a.test,,@b.test:x@C.test>"), .count = W(1), .mb = {{NULL, "x", "c.test"}}},
    {"no_at_sign_gives_empty_domain", "RFC 5322 3.4 (lenient)", S("foo"), .count = W(1),
     .mb = {{NULL, "foo", ""}}},
    {"no_at_sign_gives_empty_domain in angles", "RFC 5322 3.4 (lenient)",
     S("Postmaster <postmaster>"), .mb = {{"Postmaster", "postmaster", ""}}},
    {"empty_value_is_zero_mailboxes", "RFC 5322 4.4 obs-mbox-list", "", 0, .count = W(0)},
    {"empty_value_is_zero_mailboxes comment and commas", "RFC 5322 4.4 obs-mbox-list",
     S("  (just a comment) , ,"), .count = W(0)},
    /* Only ASCII is case-folded. */
    {"eight_bit_utf8_addresses", "RFC 6532 3.2",
     S("J\xc3\xb6rg <j\xc3\xb6rg@B\xc3\xbc\x63her.example>"), .count = W(1),
     .mb = {{"J\xc3\xb6rg", "j\xc3\xb6rg", "b\xc3\xbc\x63her.example"}}},
    {"encoded_word_display_is_kept_encoded", "RFC 2047 5(3)",
     S("=?UTF-8?B?SsO2cmc=?= <j@x.test>"), .mb = {{"=?UTF-8?B?SsO2cmc=?=", "j", "x.test"}}},
    /* malformed_inputs_have_defined_results: the reason, and how many
     * mailboxes were kept before the error. */
    BAD("malformed empty angle address", "a@b.test, <>", 1, "empty angle address"),
    BAD("malformed missing domain", "a@", 0, "missing domain"),
    BAD("malformed no comma", "a@b.test c@d.test", 1, "expected ','"),
    BAD("malformed unclosed angle", "<a@b.test", 0, "expected '>'"),
    BAD("malformed stray '>'", "a@b.test>", 1, "expected ','"),
    BAD("malformed unterminated comment", "Foo (unclosed <a@b.test>", 0, "unterminated comment"),
    BAD("malformed unterminated quote", "\"unclosed <a@b.test>", 0, "unterminated quoted string"),
    BAD("malformed unterminated literal", "a@[1.2.3.4", 0, "unterminated domain literal"),
    BAD("malformed bad literal", "a@[1.[2]", 0, "bad domain literal"),
    BAD("malformed unbalanced ')'", "x@y.test, a) <b@c.test>", 1, "unbalanced ')'"),
    BAD("malformed group without ';'", "G: a@b.test", 1, "group without ';'"),
    BAD("malformed nested group", "G: H: a@b.test;;", 0, "group inside a group"),
    BAD("malformed group without a name", ": a@b.test;", 0, "group without a name"),
    BAD("malformed phrase only", "Mary Smith", 0, "phrase without an address"),
    BAD("malformed space in local-part", "a b@c.test", 0, "bad local-part"),
    BAD("malformed empty label", "a@b..c", 0, "bad domain"),
    BAD("malformed leading dot", "a@.b", 0, "missing domain"),
    BAD("malformed ';' separator", "a@b.test; c@d.test", 1, "expected ','"),
    BAD("malformed backslash", "a\\b@c.test", 0, "bad character in address"),
    BAD("malformed control byte", "a@b.test, \x01@c", 1, "bad character in address"),
    {"nul_byte_is_an_error", "RFC 5322 3.2.3 (no NUL)", S("a@b.test, c\0@d.test"),
     AUTHSCORE_EPARSE, "NUL in address", .count = W(1)},
    {"nul_byte_is_an_error quoted", "RFC 5322 3.2.4 (no NUL)", S("\"a\0\"@b.test"),
     AUTHSCORE_EPARSE, .reason = "NUL in address"},
    /* Found by fuzz_address: an empty quoted display-name gave display "". */
    {"regression_empty_quoted_display_is_null", "RFC 5322 3.4",
     S("\"\" <sm`t.\x8f\x93" "d>M\" <sm`t.\x8f\x93" "d>"), AUTHSCORE_EPARSE,
     "expected ','", W(1), {{NULL, "sm`t.\x8f\x93" "d", ""}}},
    {"regression_empty_quoted_display_is_null valid", "RFC 5322 3.4",
     S("\"\" <a@b.test>"), .mb = {{NULL, "a", "b.test"}}},
    /* Found by fuzz_address: a quoted-pair of LF put a line break into the
     * display name, which is documented as unfolded. */
    {"regression_quoted_line_break_not_in_display", "RFC 5322 3.2.1, 3.2.2",
     S("\"Jo\\\n\\\r\r\n es\" <j@x.test>"), .mb = {{"Jo es", "j", "x.test"}}},
};

CASE_INDEX_PARAMS(address, values, values)

ParameterizedTest(size_t *i, address, values)
{
    const value_case *c = &values[*i];
    as_mailbox_list l;
    int rc = as_address_parse(&arena, c->v, c->len, &l);
    cr_assert_eq(rc, c->status, "%s (%s): status %d (%s)", c->name, c->rfc, rc,
                 l.reason ? l.reason : "-");
    if (rc)
        cr_assert_not_null(l.reason, "%s (%s)", c->name, c->rfc);
    if (c->reason)
        cr_assert_str_eq(l.reason, c->reason, "%s (%s)", c->name, c->rfc);
    assert_list(c->name, &l, c->count, c->mb, 2);
}

/* ---- caps --------------------------------------------------------------- */

Test(address, field_too_large)
{
    size_t n = AS_ADDRESS_MAX_BYTES + 1;
    char *v = malloc(n);
    cr_assert_not_null(v);
    memset(v, ' ', n);
    memcpy(v, "a@b.test", 8);
    as_mailbox_list l;
    cr_assert_eq(as_address_parse(&arena, v, n, &l), AUTHSCORE_ELIMIT);
    cr_assert_not_null(l.reason);
    cr_assert_eq(l.count, 0);
    cr_assert_eq(as_address_parse(&arena, v, n - 1, &l), 0);
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
    as_mailbox_list l;
    cr_assert_eq(as_address_parse(&arena, v, n, &l), AUTHSCORE_ELIMIT);
    cr_assert_not_null(l.reason);
    cr_assert_str_eq(l.reason, "too many mailboxes");
    cr_assert_eq(l.count, AS_ADDRESS_MAX_MAILBOXES);
    assert_mbox("mailbox_cap", &l, AS_ADDRESS_MAX_MAILBOXES - 1, &(mb_want){NULL, "a", "b"});
    free(v);
}

