/* test_rules.c - rule files: every error kind with its message, priority
 * overrides, regex and list conditions, cancels, and the shipped file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "msg/header.h"
#include "score/domain_list.h"
#include "score/rules.h"

static as_arena A;
static char dir[] = "/tmp/authscore-rules-XXXXXX";
static void setup(void)
{
    as_arena_init(&A, 64u << 20);
    strcpy(dir, "/tmp/authscore-rules-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}
static void teardown(void)
{
    as_arena_free(&A);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
TestSuite(rules, .init = setup, .fini = teardown);

static char err[AS_RULES_ERROR_MAX];

static as_rules *load_ok(const char *text)
{
    as_rules *r = NULL;
    int rc = as_rules_load_buffer("t.conf", text, strlen(text), &r, err, sizeof err);
    cr_assert_eq(rc, 0, "load failed: %s", err);
    return r;
}

static void load_fails(const char *text, const char *want)
{
    as_rules *r = (as_rules *)1;
    int rc = as_rules_load_buffer("t.conf", text, strlen(text), &r, err, sizeof err);
    cr_assert_eq(rc, AUTHSCORE_ECONFIG, "loaded: %s", text);
    cr_assert_null(r, "a failed load must not hand out a rule set");
    cr_assert_str_eq(err, want);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[8][256];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static size_t symbol_index(const as_rules *r, const char *name)
{
    for (size_t i = 0; i < as_rules_count(r); i++)
        if (!strcmp(as_rules_name(r, i), name))
            return i;
    cr_assert_fail("no symbol %s", name);
    return 0;
}

/* ---- every error kind, with its message --------------------------------- */

Test(rules, error_messages_name_file_line_and_cause)
{
    load_fails("foo { }", "t.conf:1: unknown section \"foo\" (expected symbols, rules or lists)");
    load_fails("symbols = 1;", "t.conf:1: section \"symbols\" must be an object { ... }");
    load_fails("symbols { R_SPF_ALLOW = 1; }",
               "t.conf:1: symbols entry \"R_SPF_ALLOW\" must be an object { ... }");
    load_fails("symbols {\n R_SPF_ALOW { weight = 1; }\n}",
               "t.conf:2: symbol R_SPF_ALOW: not a symbol the engines raise (docs/symbols.md); "
               "your own symbols go in the rules section");
    load_fails("symbols {\n R_SPF_ALLOW {\n  weight = \"x\";\n }\n}",
               "t.conf:3: symbol R_SPF_ALLOW: weight must be a number");
    load_fails("symbols { R_SPF_ALLOW { weight = 1e6; } }",
               "t.conf:1: symbol R_SPF_ALLOW: weight must be between -1000 and 1000");
    load_fails("symbols { R_SPF_ALLOW { weight = 1; group = \"dkim\"; } }",
               "t.conf:1: symbol R_SPF_ALLOW: belongs to group spf");
    load_fails("symbols { R_SPF_ALLOW { weight = 1; colour = \"red\"; } }",
               "t.conf:1: symbol R_SPF_ALLOW: unknown field \"colour\" (symbols have weight, "
               "description, group)");
    load_fails("symbols { R_SPF_ALLOW { description = \"x\"; } }",
               "t.conf:1: symbol R_SPF_ALLOW: needs a weight");
    load_fails("rules {\n X { weight = 1; }\n}", "t.conf:2: rule X: needs at least one condition");
    load_fails("rules {\n X { spf = \"fail\"; }\n}", "t.conf:2: rule X: needs a weight");
    load_fails("rules { x_y { weight = 1; spf = \"fail\"; } }",
               "t.conf:1: rule x_y: rule names are A-Z, 0-9 and '_', at most 64");
    load_fails("rules { R_SPF_FAIL { weight = 1; spf = \"fail\"; } }",
               "t.conf:1: rule R_SPF_FAIL: is an engine symbol: set its weight in the symbols section");
    load_fails("rules { X { weight = 1; spf = \"failed\"; } }",
               "t.conf:1: rule X: unknown result \"failed\" (pass, fail, softfail, neutral, none, "
               "temperror, permerror, policy)");
    load_fails("rules { X { weight = 1; symbol = \"NOPE\"; } }", "t.conf:1: rule X: unknown symbol \"NOPE\"");
    load_fails("rules { X { weight = 1; spf = \"fail\"; cancel = [\"R_SPF_FALL\"]; } }",
               "t.conf:1: rule X: unknown symbol \"R_SPF_FALL\"");
    load_fails("rules { X { weight = 1; spf = \"fail\"; shade = 3; } }",
               "t.conf:1: rule X: unknown field \"shade\" (docs/rules.md lists the fields)");
    load_fails("rules { X { weight = 1; aligned = \"both\"; } }",
               "t.conf:1: rule X: aligned must be \"dkim\", \"spf\" or \"any\"");
    load_fails("rules { X { weight = 1; helo { list = \"nolist\"; } } }",
               "t.conf:1: rule X: no list named \"nolist\" in the lists section");
    load_fails("rules { X { weight = 1; helo { } } }", "t.conf:1: rule X: \"helo\" needs a regex or a list");
    load_fails("rules { X { weight = 1; header { regex = \"/x/\"; } } }",
               "t.conf:1: rule X: header needs name = \"Field-Name\" (printable, no ':')");
    load_fails("lists {\n L { domains = [\"ok.example\",\n \"bad..example\"]; }\n}",
               "t.conf:3: list L: \"bad..example\": not a domain name (letters, digits, '-', '_' "
               "in dot-separated labels of 1..63)");
    load_fails("lists { L { } }", "t.conf:1: list L: a list needs domains = [...] or file = \"...\"");
    load_fails("lists { L { file = \"x.txt\"; } }", "t.conf:1: list L: list files are not allowed here");
    load_fails(".include \"other.conf\"\n", "t.conf:1: .include is not allowed here");
}

Test(rules, regex_errors_name_the_regex_and_offset)
{
    load_fails("rules {\n PAYPAL {\n  weight = 6;\n  from_domain = \"/(pay/i\";\n }\n}",
               "t.conf:4: rule PAYPAL: regex \"/(pay/i\": missing closing parenthesis at offset 4");
    load_fails("rules { X { weight = 1; helo = \"/a/q\"; } }",
               "t.conf:1: rule X: regex \"/a/q\": unknown regex flag 'q' (flags are imsxu)");
    load_fails("rules { X { weight = 1; helo = \"paypal\"; } }",
               "t.conf:1: rule X: regex \"paypal\": a regex is written /pattern/flags");
}

Test(rules, syntax_errors_carry_the_parser_line)
{
    as_rules *r = (as_rules *)1;
    const char *t = "symbols {\n  R_SPF_ALLOW { weight = -0.2 }\n  R_SPF_FAIL { weight = \"unterminated; }\n}\n";
    cr_assert_eq(as_rules_load_buffer("t.conf", t, strlen(t), &r, err, sizeof err), AUTHSCORE_ECONFIG);
    cr_assert_null(r);
    cr_assert_eq(strncmp(err, "t.conf:3: ", 10), 0, "%s", err);
}

Test(rules, control_bytes_never_reach_the_message)
{
    as_rules *r = NULL;
    const char t[] = "\"bad\x1b[31m\" { }";
    cr_assert_eq(as_rules_load_buffer("t.conf", t, sizeof t - 1, &r, err, sizeof err), AUTHSCORE_ECONFIG);
    for (const char *p = err; *p; p++)
        cr_assert(*p >= 0x20 && *p < 0x7f, "raw byte in %s", err);
}

/* ---- files: includes, list files, priorities --------------------------- */

Test(rules, file_errors_point_at_the_include)
{
    const char *main = write_file("main.conf", "symbols { R_SPF_ALLOW { weight = 1; } }\n"
                                               ".include \"missing.conf\"\n");
    as_rules *r = NULL;
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), AUTHSCORE_ECONFIG);
    char want[512];
    snprintf(want, sizeof want, "%s:2: cannot read \"%s/missing.conf\": No such file or directory",
             main, dir);
    cr_assert_str_eq(err, want);

    /* try=true: an absent override is fine. */
    main = write_file("main2.conf", "symbols { R_SPF_ALLOW { weight = 1; } }\n"
                                    ".include(try=true, priority=10) \"missing.conf\"\n");
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), 0, "%s", err);
    as_rules_free(r);

    /* A loop ends at the depth cap with a message, not a hang. */
    write_file("a.conf", ".include \"b.conf\"\n");
    const char *b = write_file("b.conf", ".include \"a.conf\"\n");
    cr_assert_eq(as_rules_load(b, &r, err, sizeof err), AUTHSCORE_ECONFIG);
    cr_assert(strstr(err, "includes nested deeper than 8 (an include loop?)"), "%s", err);

    /* A bad line in a list file names the list file and its line. */
    const char *list = write_file("fw.txt", "# forwarders\nlists.example.org\n\nnot a domain\n");
    main = write_file("main3.conf", "lists { fw { file = \"fw.txt\"; } }\n");
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), AUTHSCORE_ECONFIG);
    snprintf(want, sizeof want, "%s:4: not a domain name (letters, digits, '-', '_' in "
                                "dot-separated labels of 1..63)", list);
    cr_assert_str_eq(err, want);

    cr_assert_eq(as_rules_load("/nonexistent/authscore.conf", &r, err, sizeof err), AUTHSCORE_ECONFIG);
    cr_assert_str_eq(err, "/nonexistent/authscore.conf: cannot read: No such file or directory");
}

Test(rules, local_override_changes_one_weight_and_keeps_the_rest)
{
    write_file("local.conf", "symbols { R_SPF_FAIL { weight = 5.5; } }\n");
    /* The override is included first, yet its priority wins. */
    const char *main = write_file(
        "authscore.conf", ".include(priority=10) \"local.conf\"\n"
                          "symbols { R_SPF_FAIL { weight = 1.0; description = \"SPF failed\"; } }\n");
    as_rules *r = NULL;
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), 0, "%s", err);
    size_t i = symbol_index(r, "R_SPF_FAIL");
    cr_assert_float_eq(as_rules_weight(r, i), 5.5, 1e-9);
    cr_assert_str_eq(as_rules_description(r, i), "SPF failed");
    as_rules_free(r);

    /* Same priority: the later definition wins, wherever it is. */
    write_file("same.conf", "symbols { R_SPF_FAIL { weight = 2.0; } }\n");
    main = write_file("m2.conf", "symbols { R_SPF_FAIL { weight = 1.0; } }\n.include \"same.conf\"\n");
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), 0, "%s", err);
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "R_SPF_FAIL")), 2.0, 1e-9);
    as_rules_free(r);
    main = write_file("m3.conf", ".include \"same.conf\"\nsymbols { R_SPF_FAIL { weight = 1.0; } }\n");
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), 0, "%s", err);
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "R_SPF_FAIL")), 1.0, 1e-9);
    as_rules_free(r);

    /* A rule's weight is overridden the same way; its conditions stay. */
    write_file("l4.conf", "rules { X { weight = 9; } }\n");
    main = write_file("m4.conf", "rules { X { weight = 1; spf = \"fail\"; } }\n"
                                 ".include(priority=5) \"l4.conf\"\n");
    cr_assert_eq(as_rules_load(main, &r, err, sizeof err), 0, "%s", err);
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "X")), 9.0, 1e-9);
    as_rules_free(r);
}

/* ---- scoring --------------------------------------------------------------- */

static as_scored score(const as_rules *r, fx *f, const char *headers, const char *helo,
                       const char *from_domain)
{
    as_symbol_list derived;
    cr_assert_eq(as_symbols_derive(&A, &f->r, &derived), 0);
    as_header_block hb;
    if (headers)
        as_header_parse(&A, headers, strlen(headers), NULL, &hb);
    as_score_input in = {.results = &f->r, .derived = &derived, .headers = headers ? &hb : NULL,
                         .helo = helo, .from_domain = from_domain};
    as_scored out;
    cr_assert_eq(as_rules_score(r, &A, &in, &out), 0);
    return out;
}

static const as_scored_symbol *find(const as_scored *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (!strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

static const char *paypal_rules = "symbols { DMARC_POLICY_REJECT { weight = 2; } }\n"
                                  "rules {\n"
                                  "  PAYPAL_UNVERIFIED {\n"
                                  "    weight = 6;\n"
                                  "    from_domain = \"/paypal/i\";\n"
                                  "    dmarc = \"!pass\";\n"
                                  "  }\n"
                                  "  URGENT { weight = 1.5; header { name = \"subject\"; regex = \"/^urgent/i\"; } }\n"
                                  "}\n";

Test(rules, regex_rule_fires_only_where_it_should)
{
    as_rules *r = load_ok(paypal_rules);
    fx f;
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "paypal-secure.example", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_REJECT, "no_authenticated_identifier");
    as_scored s = score(r, &f, "Subject: URGENT: verify\r\n\r\n", NULL, "paypal-secure.example");
    const as_scored_symbol *p = find(&s, "PAYPAL_UNVERIFIED");
    cr_assert_not_null(p);
    cr_assert_float_eq(p->weight, 6.0, 1e-9);
    cr_assert_str_eq(p->options[0], "from_domain");
    cr_assert_not_null(find(&s, "URGENT"), "header names match without case");
    cr_assert_float_eq(s.score, 2.0 + 6.0 + 1.5, 1e-9);

    /* DMARC passes: the From regex alone is not enough. */
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_PASS, "PayPal.example", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_NONE, NULL);
    s = score(r, &f, "Subject: not urgent\r\n\r\n", NULL, "PayPal.example");
    cr_assert_null(find(&s, "PAYPAL_UNVERIFIED"));
    cr_assert_null(find(&s, "URGENT"), "^ anchors at the start of the value");

    /* DMARC fails, but the From domain is someone else's. */
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "example.org", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_REJECT, "x");
    s = score(r, &f, NULL, NULL, "example.org");
    cr_assert_null(find(&s, "PAYPAL_UNVERIFIED"));
    cr_assert_float_eq(s.score, 2.0, 1e-9);

    /* No author domain at all: a positive subject test never matches. */
    s = score(r, &f, NULL, NULL, NULL);
    cr_assert_null(find(&s, "PAYPAL_UNVERIFIED"));
    as_rules_free(r);
}

static const char *forwarder_rules =
    "symbols {\n  R_SPF_FAIL { weight = 1; }\n  R_SPF_SOFTFAIL { weight = 0.5; }\n}\n"
    "lists { trusted_forwarders { domains = [\"forwarder.example\"]; } }\n"
    "rules { AS_TRUSTED_FORWARDER {\n"
    "  weight = 0; spf_helo = \"pass\"; helo { list = \"trusted_forwarders\"; }\n"
    "  spf = [\"fail\", \"softfail\"]; cancel = [\"R_SPF_FAIL\", \"R_SPF_SOFTFAIL\"]; } }\n";

Test(rules, forwarder_list_suppresses_the_spf_fail_weight)
{
    as_rules *r = load_ok(forwarder_rules);
    fx f;
    fx_init(&f);
    fx_spf(&f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_FAIL, "a@good.example", "good.example",
           AUTHSCORE_DNSSEC_INSECURE);
    fx_spf(&f, AUTHSCORE_SPF_HELO, AUTHSCORE_RES_PASS, "list.forwarder.example",
           "list.forwarder.example", AUTHSCORE_DNSSEC_INSECURE);
    as_scored s = score(r, &f, NULL, "list.forwarder.example", NULL);
    const as_scored_symbol *fail = find(&s, "R_SPF_FAIL");
    cr_assert_not_null(fail, "the symbol stays, for the record");
    cr_assert_float_eq(fail->weight, 0.0, 1e-9);
    cr_assert_str_eq(fail->options[fail->n_options - 1], "cancelled_by:AS_TRUSTED_FORWARDER");
    cr_assert_not_null(find(&s, "AS_TRUSTED_FORWARDER"));
    cr_assert_float_eq(s.score, 0.0, 1e-9);

    /* A HELO that is not in the list. */
    s = score(r, &f, NULL, "list.forwarder.example.evil.example", NULL);
    cr_assert_float_eq(find(&s, "R_SPF_FAIL")->weight, 1.0, 1e-9);
    cr_assert_float_eq(s.score, 1.0, 1e-9);

    /* The right HELO name, but SPF does not verify it: anyone can say it. */
    f.spf[AUTHSCORE_SPF_HELO].result = AUTHSCORE_RES_NONE;
    s = score(r, &f, NULL, "list.forwarder.example", NULL);
    cr_assert_null(find(&s, "AS_TRUSTED_FORWARDER"));
    cr_assert_float_eq(s.score, 1.0, 1e-9);
    as_rules_free(r);
}

Test(rules, symbol_aligned_and_dkim_domain_conditions)
{
    as_rules *r = load_ok(
        "lists { senders { domains = [\"bank.example\"]; } }\n"
        "rules {\n"
        "  BONUS { weight = -2; aligned = \"dkim\"; from_domain { list = \"senders\"; } }\n"
        "  SIGNED_BY_ESP { weight = 0.5; dkim_domain = \"/^esp\\\\.example$/\"; dkim = \"pass\"; }\n"
        "  NO_SPF { weight = 0.3; symbol = \"!R_SPF_ALLOW\"; }\n"
        "}\n");
    fx f;
    fx_init(&f);
    fx_sig(&f, AUTHSCORE_RES_PASS, "esp.example", "s1", "rsa-sha256", NULL);
    fx_sig(&f, AUTHSCORE_RES_PASS, "bank.example", "s2", "rsa-sha256", NULL);
    as_dmarc_result *d = fx_dmarc(&f, AUTHSCORE_RES_PASS, "mail.bank.example",
                                  AUTHSCORE_DMARC_POLICY_REJECT, AUTHSCORE_DMARC_POLICY_NONE, NULL);
    d->dkim_aligned = 1;
    as_scored s = score(r, &f, NULL, NULL, "mail.bank.example");
    cr_assert_not_null(find(&s, "BONUS"));
    cr_assert_str_eq(find(&s, "BONUS")->options[0], "from_domain in senders");
    cr_assert_not_null(find(&s, "SIGNED_BY_ESP"));
    cr_assert_not_null(find(&s, "NO_SPF"), "SPF was not evaluated: R_SPF_ALLOW is absent");
    d->dkim_aligned = 0;
    d->spf_aligned = 1;
    s = score(r, &f, NULL, NULL, "mail.bank.example");
    cr_assert_null(find(&s, "BONUS"), "aligned = dkim wants a DKIM alignment");
    as_rules_free(r);
}

Test(rules, without_rules_symbols_weigh_nothing)
{
    fx f;
    fx_init(&f);
    fx_spf(&f, AUTHSCORE_SPF_MFROM, AUTHSCORE_RES_FAIL, "a@x.example", "x.example",
           AUTHSCORE_DNSSEC_INSECURE);
    as_scored s = score(NULL, &f, NULL, NULL, NULL);
    cr_assert_not_null(find(&s, "R_SPF_FAIL"));
    cr_assert_float_eq(s.score, 0.0, 1e-12);
}

Test(rules, pathological_regex_ends_without_a_match)
{
    as_rules *r = load_ok("rules { X { weight = 1; header { name = \"Subject\"; regex = \"/^(a+)+$/\"; } } }");
    size_t n = 30000;
    char *h = malloc(n + 16);
    memcpy(h, "Subject: ", 9);
    memset(h + 9, 'a', n);
    memcpy(h + 9 + n, "!\r\n\r\n", 6);
    fx f;
    fx_init(&f);
    as_scored s = score(r, &f, h, NULL, NULL);
    cr_assert_null(find(&s, "X"));
    free(h);
    as_rules_free(r);
}

Test(rules, header_condition_reads_at_most_16_instances)
{
    as_rules *r = load_ok("rules { X { weight = 1; header { name = \"Subject\"; regex = \"/^hit$/\"; } } }");
    char h[2048];
    size_t o = 0;
    for (int i = 0; i < 16; i++)
        o += (size_t)snprintf(h + o, sizeof h - o, "Subject: miss %d\r\n", i);
    /* The 17th Subject would match, but is never read. */
    snprintf(h + o, sizeof h - o, "Subject: hit\r\n\r\n");
    fx f;
    fx_init(&f);
    as_scored s = score(r, &f, h, NULL, NULL);
    cr_assert_null(find(&s, "X"));
    /* The 16th is read. */
    o = 0;
    for (int i = 0; i < 15; i++)
        o += (size_t)snprintf(h + o, sizeof h - o, "Subject: miss %d\r\n", i);
    snprintf(h + o, sizeof h - o, "Subject: hit\r\n\r\n");
    s = score(r, &f, h, NULL, NULL);
    cr_assert_not_null(find(&s, "X"));
    as_rules_free(r);
}

Test(rules, scoring_out_of_memory_is_an_error_not_a_partial_list)
{
    as_rules *r = load_ok(paypal_rules);
    fx f;
    fx_init(&f);
    fx_dmarc(&f, AUTHSCORE_RES_FAIL, "paypal.example", AUTHSCORE_DMARC_POLICY_REJECT,
             AUTHSCORE_DMARC_POLICY_REJECT, "x");
    as_symbol_list derived;
    cr_assert_eq(as_symbols_derive(&A, &f.r, &derived), 0);
    as_score_input in = {.results = &f.r, .derived = &derived, .from_domain = "paypal.example"};
    /* Every budget from nothing up to what scoring needs fails cleanly. */
    int ok = 0;
    for (size_t cap = 0; cap < 64 * 1024 && !ok; cap += 256) {
        as_arena small;
        as_arena_init(&small, cap);
        as_scored out;
        int rc = as_rules_score(r, &small, &in, &out);
        cr_assert(rc == 0 || rc == AUTHSCORE_ENOMEM, "rc %d", rc);
        ok = rc == 0;
        if (ok)
            cr_assert_not_null(find(&out, "PAYPAL_UNVERIFIED"));
        as_arena_free(&small);
    }
    cr_assert(ok, "64 KiB is plenty for one message's scoring");
    as_rules_free(r);
}

/* ---- domain lists ------------------------------------------------------------ */

Test(rules, domain_list_matches_the_name_and_below)
{
    as_domain_builder b;
    as_domain_builder_init(&b, 10);
    char why[160];
    cr_assert_eq(as_domain_builder_add(&b, "Forwarder.Example.", 18, why, sizeof why), 0);
    cr_assert_eq(as_domain_builder_add(&b, "forwarder.example", 17, why, sizeof why), 0);
    cr_assert_eq(as_domain_builder_add(&b, "b.example", 9, why, sizeof why), 0);
    as_domain_list l;
    cr_assert_eq(as_domain_builder_finish(&b, &A, "fw", &l), 0);
    as_domain_builder_free(&b);
    cr_assert_eq(l.n, 2, "duplicates fold");
    cr_assert(as_domain_list_match(&l, "forwarder.example", 17));
    cr_assert(as_domain_list_match(&l, "LIST.forwarder.example.", 23));
    cr_assert_not(as_domain_list_match(&l, "notforwarder.example", 20), "label boundaries only");
    cr_assert_not(as_domain_list_match(&l, "example", 7));
    cr_assert_not(as_domain_list_match(&l, "", 0));
    as_domain_builder_init(&b, 1);
    cr_assert_eq(as_domain_builder_add(&b, "a.example", 9, why, sizeof why), 0);
    cr_assert_eq(as_domain_builder_add(&b, "c.example", 9, why, sizeof why), AUTHSCORE_ELIMIT);
    as_domain_builder_free(&b);
    as_domain_builder_init(&b, 10);
    cr_assert_eq(as_domain_builder_add(&b, "*.example", 9, why, sizeof why), AUTHSCORE_EPARSE);
    cr_assert_eq(as_domain_builder_add(&b, "a..example", 10, why, sizeof why), AUTHSCORE_EPARSE);
    as_domain_builder_free(&b);
}

/* ---- the shipped file ---------------------------------------------------------- */

Test(rules, shipped_rules_define_every_engine_symbol)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rules/authscore.conf", getenv("AUTHSCORE_SOURCE_ROOT"));
    as_rules *r = NULL;
    cr_assert_eq(as_rules_load(path, &r, err, sizeof err), 0, "%s", err);
    const char *missing[AS_SYM_COUNT];
    size_t n = as_rules_undefined(r, missing, AS_SYM_COUNT);
    cr_assert_eq(n, 0, "no weight for %s", n ? missing[0] : "");
    for (size_t i = 0; i < as_rules_count(r); i++)
        cr_assert_neq(as_rules_description(r, i)[0], '\0', "%s has no description",
                      as_rules_name(r, i));
    /* Rspamd's names keep Rspamd's default weights. */
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "R_SPF_ALLOW")), -0.2, 1e-9);
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "DMARC_POLICY_REJECT")), 2.0, 1e-9);
    cr_assert_float_eq(as_rules_weight(r, symbol_index(r, "DMARC_POLICY_QUARANTINE")), 1.5, 1e-9);
    cr_assert_str_eq(as_rules_group(r, symbol_index(r, "AS_DNSSEC_BOGUS")), "dnssec");
    as_rules_free(r);
}
