/* test_milter_units.c - the parts of authscore-milter that need no MTA:
 * milter.conf (defaults, every error with its line), the verdict table
 * (a temperror never becomes a reject or a quarantine), which
 * Authentication-Results fields are ours (RFC 8601 2.2, 5), and the
 * message buffer (CRLF line ends, the size cap, our fields' indexes). */
#include <string.h>

#include "cases.h"
#include "host/milter/milter.h"

static struct as_milter_conf conf;
static char err[1024];

static int parse(const char *text)
{
    err[0] = '\0';
    return as_milter_conf_parse("m.conf", text, strlen(text), &conf, err, sizeof err);
}

static void done(void)
{
    as_milter_conf_free(&conf);
}

TestSuite(conf, .fini = done);

Test(conf, defaults)
{
    cr_assert_eq(parse(""), 0, "%s", err);
    cr_assert_str_eq(conf.socket, "unix:/run/authscore/milter.sock");
    cr_assert_eq(conf.socket_mode, 0660);
    cr_assert_null(conf.user);
    cr_assert_eq(conf.max_message_size, (size_t)64 << 20);
    cr_assert_eq(conf.temperror_action, AS_ACT_TEMPFAIL);
    cr_assert_eq(conf.oversize_action, AS_ACT_TEMPFAIL);
    cr_assert_eq(conf.dmarc_reject, AS_ACT_REJECT);
    cr_assert_eq(conf.dmarc_quarantine, AS_ACT_QUARANTINE);
    cr_assert(!conf.has_score_reject && !conf.has_score_tempfail &&
              !conf.has_score_quarantine);
    cr_assert_null(conf.score_header);
    cr_assert(conf.skip_local && conf.skip_authenticated);
    cr_assert(as_milter_conf_skips(&conf, "127.0.0.1"));
    cr_assert(as_milter_conf_skips(&conf, "127.255.0.9"));
    cr_assert(as_milter_conf_skips(&conf, "::1"));
    cr_assert(!as_milter_conf_skips(&conf, "192.0.2.1"));
    cr_assert(!as_milter_conf_skips(&conf, "::2"));
    cr_assert_str_eq(conf.tempfail_reply.code, "451");
    cr_assert_str_eq(conf.tempfail_reply.xcode, "4.7.5");
    cr_assert_eq(conf.nlib, 0);
}

Test(conf, values_and_library_options_in_order)
{
    const char *text =
        "# a comment\n"
        "   \n"
        "socket = inet:8895@127.0.0.1\r\n"
        "dns.forwarder = 192.0.2.53\n"
        "  user=_authscore  \n"
        "dns.forwarder = 192.0.2.54\n"
        "socket_mode = 0600\n"
        "score_reject = 15\n"
        "score_quarantine = -1.25\n"
        "score_tempfail = none\n"
        "tempfail_reply = 421 4.3.2 busy, come back later\n"
        "dmarc_reject = mark\n"
        "dmarc_quarantine = mark\n"
        "temperror_action = accept\n"
        "score_header = X-Spam-Score\n"
        "skip_hosts = 10.0.0.0/8, 2001:db8::/32 192.0.2.7\n"
        "skip_authenticated = no\n"
        "max_message_size = 65536\n"
        "oversize_action = accept\n"
        "authserv_id = mx.example.net\n"
        "rules.file = /etc/authscore/authscore.conf";
    cr_assert_eq(parse(text), 0, "%s", err);
    cr_assert_str_eq(conf.socket, "inet:8895@127.0.0.1");
    cr_assert_str_eq(conf.user, "_authscore");
    cr_assert_eq(conf.socket_mode, 0600);
    cr_assert(conf.has_score_reject && conf.score_reject == 15.0);
    cr_assert(conf.has_score_quarantine && conf.score_quarantine == -1.25);
    cr_assert(!conf.has_score_tempfail);
    cr_assert_str_eq(conf.tempfail_reply.code, "421");
    cr_assert_str_eq(conf.tempfail_reply.xcode, "4.3.2");
    cr_assert_str_eq(conf.tempfail_reply.text, "busy, come back later");
    cr_assert_eq(conf.dmarc_reject, AS_ACT_ACCEPT);
    cr_assert_eq(conf.dmarc_quarantine, AS_ACT_ACCEPT);
    cr_assert_eq(conf.temperror_action, AS_ACT_ACCEPT);
    cr_assert_str_eq(conf.score_header, "X-Spam-Score");
    cr_assert(!conf.skip_local && !conf.skip_authenticated);
    cr_assert(as_milter_conf_skips(&conf, "10.200.3.4"));
    cr_assert(!as_milter_conf_skips(&conf, "11.0.0.1"));
    cr_assert(as_milter_conf_skips(&conf, "2001:db8:77::1"));
    cr_assert(!as_milter_conf_skips(&conf, "2001:db9::1"));
    cr_assert(as_milter_conf_skips(&conf, "192.0.2.7"));
    cr_assert(!as_milter_conf_skips(&conf, "192.0.2.8"));
    cr_assert(!as_milter_conf_skips(&conf, "127.0.0.1"));
    cr_assert_eq(conf.max_message_size, 65536);
    cr_assert_eq(conf.oversize_action, AS_ACT_ACCEPT);
    cr_assert_str_eq(conf.authserv_id, "mx.example.net");
    /* Library options: handed on in file order, with their lines. */
    cr_assert_eq(conf.nlib, 3);
    cr_assert_str_eq(conf.lib[0].name, "dns.forwarder");
    cr_assert_str_eq(conf.lib[0].value, "192.0.2.53");
    cr_assert_eq(conf.lib[0].line, 4);
    cr_assert_str_eq(conf.lib[1].value, "192.0.2.54");
    cr_assert_eq(conf.lib[1].line, 6);
    cr_assert_str_eq(conf.lib[2].name, "rules.file");
    cr_assert_eq(conf.lib[2].line, 21);
}

/* Each bad file gives exactly this error. */
struct bad_case {
    const char *name, *rfc, *text, *error;
};
static const struct bad_case bad_cases[] = {
    {"no equals sign", "-", "user = x\nsocket\n", "m.conf:2: expected name = value"},
    {"empty name", "-", " = x\n", "m.conf:1: a name of 1 to 63 characters before '='"},
    {"upper case name", "-", "User = x\n", "m.conf:1: names are lower-case letters, digits, '_' and '.'"},
    {"set twice", "-", "user = a\n\nuser = b\n", "m.conf:3: user is already set at line 1"},
    {"typo of ours", "-", "sokcet = unix:/x\n", "m.conf:1: unknown option sokcet (did you mean socket?)"},
    {"swapped letters", "-", "suer = x\n", "m.conf:1: unknown option suer (did you mean user?)"},
    {"missing letter", "-", "skip_host = 10.0.0.1\n", "m.conf:1: unknown option skip_host (did you mean skip_hosts?)"},
    {"empty text", "-", "user =\n", "m.conf:1: user = : empty, or longer than 4095 bytes"},
    {"mode not octal", "-", "socket_mode = 0966\n", "m.conf:1: socket_mode = 0966: an octal mode such as 0660"},
    {"size too small", "-", "max_message_size = 1000\n", "m.conf:1: max_message_size = 1000: bytes, plain digits, 65536 to 1073741824"},
    {"size with unit", "-", "max_message_size = 64M\n", "m.conf:1: max_message_size = 64M: bytes, plain digits, 65536 to 1073741824"},
    {"temperror reject", "fail closed", "temperror_action = reject\n",
     "m.conf:1: temperror_action = reject: tempfail or accept (never reject: the failure is not the sender's)"},
    {"oversize reject", "fail closed", "oversize_action = reject\n",
     "m.conf:1: oversize_action = reject: tempfail or accept (never reject: the failure is not the sender's)"},
    {"dmarc_reject word", "-", "dmarc_reject = drop\n", "m.conf:1: dmarc_reject = drop: reject, quarantine, tempfail or mark"},
    {"dmarc_quarantine reject", "-", "dmarc_quarantine = reject\n", "m.conf:1: dmarc_quarantine = reject: quarantine or mark"},
    {"score with comma", "-", "score_reject = 6,5\n", "m.conf:1: score_reject = 6,5: a number such as 6 or -1.5 (at most 6 decimals), or none"},
    {"score exponent", "-", "score_reject = 1e3\n", "m.conf:1: score_reject = 1e3: a number such as 6 or -1.5 (at most 6 decimals), or none"},
    {"score 7 decimals", "-", "score_reject = 1.1234567\n", "m.conf:1: score_reject = 1.1234567: a number such as 6 or -1.5 (at most 6 decimals), or none"},
    {"score bare dot", "-", "score_reject = .\n", "m.conf:1: score_reject = .: a number such as 6 or -1.5 (at most 6 decimals), or none"},
    {"reject reply 4xx", "RFC 5321 4.2", "dmarc_reject_reply = 450 4.7.1 later\n", "m.conf:1: dmarc_reject_reply = 450 4.7.1 later: a reply starts with a 5xx code"},
    {"tempfail reply 5xx", "RFC 5321 4.2", "tempfail_reply = 550 5.7.1 no\n", "m.conf:1: tempfail_reply = 550 5.7.1 no: a reply starts with a 4xx code"},
    {"reply class mismatch", "RFC 3463", "score_reject_reply = 550 4.7.1 no\n", "m.conf:1: score_reject_reply = 550 4.7.1 no: expected CODE X.Y.Z text, e.g. 550 5.7.1 rejected"},
    {"reply without text", "RFC 3463", "score_reject_reply = 550 5.7.1\n", "m.conf:1: score_reject_reply = 550 5.7.1: expected CODE X.Y.Z text, e.g. 550 5.7.1 rejected"},
    {"reply with %", "libmilter", "score_reject_reply = 550 5.7.1 100% spam\n", "m.conf:1: score_reject_reply = 550 5.7.1 100% spam: reply text must be printable ASCII without '%'"},
    {"header name with colon", "RFC 5322 2.2", "score_header = X-Score:\n", "m.conf:1: score_header = X-Score:: a header field name (RFC 5322 ftext, at most 64 bytes), or none"},
    {"net prefix too long", "-", "skip_hosts = 10.0.0.0/33\n", "m.conf:1: skip_hosts = 10.0.0.0/33: expected local, addresses or networks (192.0.2.0/24, 2001:db8::/32), or none"},
    {"net not an address", "-", "skip_hosts = localhost\n", "m.conf:1: skip_hosts = localhost: expected local, addresses or networks (192.0.2.0/24, 2001:db8::/32), or none"},
    {"bool word", "-", "skip_authenticated = true\n", "m.conf:1: skip_authenticated = true: yes or no"},
    {"control character", "-", "user = a\x01b\n", "m.conf:1: user: control character in the value"},
};

CASE_INDEX_PARAMS(conf, bad, bad_cases)

ParameterizedTest(size_t *i, conf, bad)
{
    const struct bad_case *c = &bad_cases[*i];
    cr_assert_eq(parse(c->text), -1, "%s (%s): accepted", c->name, c->rfc);
    cr_assert_str_eq(err, c->error, "%s (%s): %s", c->name, c->rfc, err);
    cr_assert_null(conf.text, "%s: not released", c->name);
}

Test(conf, nul_and_long_lines)
{
    cr_assert_eq(as_milter_conf_parse("m.conf", "user = a\0b\n", 11, &conf, err, sizeof err), -1);
    cr_assert_str_eq(err, "m.conf:1: NUL byte");
    static char line[AS_MILTER_CONF_MAX_LINE + 16];
    memset(line, 'x', sizeof line - 1);
    memcpy(line, "user = ", 7);
    cr_assert_eq(parse(line), -1);
    cr_assert_str_eq(err, "m.conf:1: line longer than 4096 bytes");
}

/* ---- verdicts ----------------------------------------------------------- */

struct verdict_case {
    const char *name, *rfc, *settings;
    struct as_milter_facts f;
    int action;
    const char *code; /* the reply's code, NULL for none */
};
#define NO_SCORE .has_score = 0
static const struct verdict_case verdicts[] = {
    {"pass", "-", "", {NO_SCORE}, AS_ACT_ACCEPT, NULL},
    {"refused: tempfail", "fail closed", "", {.refused = 1}, AS_ACT_TEMPFAIL, "451"},
    {"refused beats everything", "fail closed", "",
     {.refused = 1, .disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_TEMPFAIL, "451"},
    {"header past the caps: 552", "-", "", {.header_limit = 1}, AS_ACT_REJECT, "552"},
    {"temperror: tempfail", "fail closed", "", {.temperror = 1}, AS_ACT_TEMPFAIL, "451"},
    {"temperror accepted", "fail closed", "temperror_action = accept\n", {.temperror = 1}, AS_ACT_ACCEPT, NULL},
    {"temperror never rejected by score", "fail closed",
     "temperror_action = accept\nscore_reject = 1\n",
     {.temperror = 1, .has_score = 1, .score = 50}, AS_ACT_ACCEPT, NULL},
    {"temperror never quarantined", "fail closed", "temperror_action = accept\nscore_quarantine = 1\n",
     {.temperror = 1, .has_score = 1, .score = 50}, AS_ACT_ACCEPT, NULL},
    {"temperror with a reject disposition", "RFC 7489 6.6.2", "",
     {.temperror = 1, .disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_TEMPFAIL, "451"},
    {"dmarc reject", "RFC 7489 6.3", "", {.disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_REJECT, "550"},
    {"dmarc reject, quarantined", "-", "dmarc_reject = quarantine\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_QUARANTINE, NULL},
    {"dmarc reject, tempfail", "-", "dmarc_reject = tempfail\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_TEMPFAIL, "451"},
    {"dmarc reject, marked", "-", "dmarc_reject = mark\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_REJECT}, AS_ACT_ACCEPT, NULL},
    {"dmarc quarantine", "RFC 7489 6.3", "", {.disposition = AUTHSCORE_DMARC_POLICY_QUARANTINE},
     AS_ACT_QUARANTINE, NULL},
    {"dmarc quarantine, marked", "-", "dmarc_quarantine = mark\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_QUARANTINE}, AS_ACT_ACCEPT, NULL},
    {"dmarc none", "-", "", {.disposition = AUTHSCORE_DMARC_POLICY_NONE}, AS_ACT_ACCEPT, NULL},
    {"below every threshold", "-", "score_reject = 10\nscore_tempfail = 8\nscore_quarantine = 6\n",
     {.has_score = 1, .score = 5.99}, AS_ACT_ACCEPT, NULL},
    {"at the quarantine threshold", "-", "score_reject = 10\nscore_tempfail = 8\nscore_quarantine = 6\n",
     {.has_score = 1, .score = 6}, AS_ACT_QUARANTINE, NULL},
    {"over tempfail", "-", "score_reject = 10\nscore_tempfail = 8\nscore_quarantine = 6\n",
     {.has_score = 1, .score = 9}, AS_ACT_TEMPFAIL, "451"},
    {"at reject", "-", "score_reject = 10\nscore_tempfail = 8\nscore_quarantine = 6\n",
     {.has_score = 1, .score = 10}, AS_ACT_REJECT, "550"},
    {"no rule file: thresholds unused", "-", "score_reject = 0\n", {NO_SCORE}, AS_ACT_ACCEPT, NULL},
    {"score reject beats dmarc quarantine", "-", "score_reject = 5\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_QUARANTINE, .has_score = 1, .score = 7},
     AS_ACT_REJECT, "550"},
    {"dmarc reject beats score quarantine", "-", "score_quarantine = 1\n",
     {.disposition = AUTHSCORE_DMARC_POLICY_REJECT, .has_score = 1, .score = 7},
     AS_ACT_REJECT, "550"},
    {"negative threshold", "-", "score_quarantine = -1\n", {.has_score = 1, .score = -0.5},
     AS_ACT_QUARANTINE, NULL},
};

CASE_INDEX_PARAMS(verdict, table, verdicts)

ParameterizedTest(size_t *i, verdict, table, .fini = done)
{
    const struct verdict_case *c = &verdicts[*i];
    cr_assert_eq(parse(c->settings), 0, "%s: %s", c->name, err);
    struct as_milter_verdict v;
    as_milter_decide_facts(&conf, &c->f, &v);
    cr_assert_eq(v.action, c->action, "%s (%s): %s, want %s", c->name, c->rfc,
                 as_milter_act_name(v.action), as_milter_act_name(c->action));
    if (c->code)
        cr_assert(v.reply && strcmp(v.reply->code, c->code) == 0, "%s: reply %s, want %s",
                  c->name, v.reply ? v.reply->code : "none", c->code);
    else
        cr_assert_null(v.reply, "%s: a reply for %s", c->name, as_milter_act_name(v.action));
}

/* ---- our Authentication-Results fields -------------------------------------- */

struct ar_case {
    const char *name, *rfc, *value;
    int ours;
};
static const struct ar_case ar_cases[] = {
    {"plain", "RFC 8601 2.2", " mx.example.net; spf=pass", 1},
    {"no space", "RFC 8601 2.2", "mx.example.net;spf=pass", 1},
    {"other case", "RFC 8601 2.5", " MX.Example.NET; dkim=pass", 1},
    {"version", "RFC 8601 2.2", " mx.example.net 1; dkim=pass", 1},
    {"comment first", "RFC 5322 3.2.2", " (forged) mx.example.net; dmarc=pass", 1},
    {"nested comment", "RFC 5322 3.2.2", " (a (b) \\) c)\r\n\tmx.example.net; none", 1},
    {"quoted", "RFC 8601 2.2", " \"mx.example.net\"; none", 1},
    {"folded before", "RFC 5322 2.2.3", "\r\n mx.example.net; none", 1},
    {"another host", "RFC 8601 5", " other.example; spf=pass", 0},
    {"a suffix of ours", "RFC 8601 5", " net; spf=pass", 0},
    {"ours as a prefix", "RFC 8601 5", " mx.example.net.evil; spf=pass", 0},
    {"ours in a comment only", "RFC 8601 5", " (mx.example.net) other.example; none", 0},
    {"unterminated quote", "-", " \"mx.example.net; none", 0},
    {"empty", "-", "", 0},
    {"only a comment", "-", " (mx.example.net)", 0},
};

CASE_INDEX_PARAMS(ar, ours, ar_cases)

ParameterizedTest(size_t *i, ar, ours)
{
    const struct ar_case *c = &ar_cases[*i];
    cr_assert_eq(as_milter_ar_is_ours(c->value, strlen(c->value), "mx.example.net"),
                 c->ours, "%s (%s): '%s'", c->name, c->rfc, c->value);
}

/* ---- the message buffer -------------------------------------------------------- */

Test(msg, crlf_leading_space_and_body)
{
    struct as_milter_msg m;
    as_milter_msg_start(&m, AS_MILTER_MIN_MESSAGE_MAX, 1);
    as_milter_msg_header(&m, "Subject", " two\n\tlines", 1, "mx");
    as_milter_msg_header(&m, "To", "bob@x\r\n y", 0, "mx");
    as_milter_msg_eoh(&m);
    as_milter_msg_body(&m, (const unsigned char *)"hi\r\n", 4);
    const char want[] = "Subject: two\r\n\tlines\r\nTo: bob@x\r\n y\r\n\r\nhi\r\n";
    cr_assert_eq(m.len, sizeof want - 1);
    cr_assert(memcmp(m.buf, want, m.len) == 0, "%.*s", (int)m.len, m.buf);
    cr_assert(!m.oversize && !m.oom);
    as_milter_msg_free(&m);
}

Test(msg, own_fields_by_index)
{
    struct as_milter_msg m;
    as_milter_msg_start(&m, AS_MILTER_MIN_MESSAGE_MAX, 1);
    as_milter_msg_header(&m, "Authentication-Results", " mx; spf=pass", 1, "mx");
    as_milter_msg_header(&m, "Received", " from x", 1, "mx");
    as_milter_msg_header(&m, "authentication-results", " other; spf=pass", 1, "mx");
    as_milter_msg_header(&m, "AUTHENTICATION-RESULTS", " MX; dkim=pass", 1, "mx");
    cr_assert_eq(m.ar_seen, 3);
    cr_assert_eq(m.nown, 2);
    cr_assert_eq(m.own_ar[0], 1);
    cr_assert_eq(m.own_ar[1], 3);
    as_milter_msg_free(&m);
}

Test(msg, over_the_cap)
{
    struct as_milter_msg m;
    as_milter_msg_start(&m, AS_MILTER_MIN_MESSAGE_MAX, 1);
    as_milter_msg_header(&m, "From", " a@b", 1, "mx");
    as_milter_msg_eoh(&m);
    static unsigned char chunk[40000];
    memset(chunk, 'x', sizeof chunk);
    as_milter_msg_body(&m, chunk, sizeof chunk);
    cr_assert(!m.oversize);
    as_milter_msg_body(&m, chunk, sizeof chunk);
    cr_assert(m.oversize, "80 KB kept under a 64 KiB cap");
    cr_assert_null(m.buf, "the buffer is not freed at once");
    as_milter_msg_body(&m, chunk, 10);
    cr_assert_eq(m.len, 0);
    as_milter_msg_free(&m);
}

Test(msg, not_kept_when_skipped)
{
    struct as_milter_msg m;
    as_milter_msg_start(&m, AS_MILTER_MIN_MESSAGE_MAX, 0);
    as_milter_msg_header(&m, "Authentication-Results", " mx; spf=pass", 1, "mx");
    as_milter_msg_body(&m, (const unsigned char *)"hi\r\n", 4);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.buf);
    cr_assert_eq(m.nown, 1, "our field is still noted for deletion");
    as_milter_msg_free(&m);
}

Test(msg, too_many_own_fields)
{
    struct as_milter_msg m;
    as_milter_msg_start(&m, AS_MILTER_MIN_MESSAGE_MAX, 0);
    for (unsigned i = 0; i <= AS_MILTER_MAX_OWN_AR; i++)
        as_milter_msg_header(&m, "Authentication-Results", " mx; none", 1, "mx");
    cr_assert_eq(m.nown, AS_MILTER_MAX_OWN_AR);
    cr_assert(m.own_overflow, "the 257th of our fields is not noted as overflow");
}
