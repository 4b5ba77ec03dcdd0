/* test_regex_limit.c - a rule whose PCRE2 regex gives up on a crafted
 * header (nested quantifiers, so the match limit is hit) is not "no
 * match": the rule does not fire, AS_REGEX_LIMIT fires with the rule's
 * name as its option and the shipped weight, and the host's log hears of
 * it once per rule, however many messages hit it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>

/* Catastrophic on "aaaa...a!": (a+)+ tries every split of the a's before
 * $ fails, 2^40 ways, far past the 200,000-step match limit. */
#define SLOW "/^(a+)+$/"

static char log_text[8192];
static size_t log_lines;

static void capture(void *user, int level, const char *msg)
{
    (void)user;
    if (level > AUTHSCORE_LOG_WARNING || !strstr(msg, " gave up "))
        return;
    log_lines++;
    size_t n = strlen(log_text);
    snprintf(log_text + n, sizeof log_text - n, "%s\n", msg);
}

/* The shipped rules (AS_REGEX_LIMIT's weight) plus `rules`. */
static void write_rules(char *path, const char *rules)
{
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, ".include \"%s/rules/authscore.conf\"\n%s", getenv("AUTHSCORE_SOURCE_ROOT"), rules);
    fclose(f);
}

static const char RULES[] =
    "rules {\n"
    "  SLOW_SUBJECT { weight = 5; header { name = \"Subject\"; regex = \"" SLOW "\"; } }\n"
    "  NOT_SLOW { weight = 3; header { name = \"Subject\"; regex = \"" SLOW "\"; not = true; } }\n"
    /* Its other condition surely fails: the rule is settled, no limit. */
    "  SLOW_SETTLED { weight = 2; dmarc = \"pass\";\n"
    "                 header { name = \"Subject\"; regex = \"" SLOW "\"; } }\n"
    "  STARTS_WITH_A { weight = 0.5; header { name = \"Subject\"; regex = \"/^a/\"; } }\n"
    "}\n";

static authscore_ctx *ctx_with(const char *rules)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_log(ctx, capture, NULL), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "rules.file", rules), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0, "%s", authscore_ctx_error(ctx));
    log_text[0] = '\0';
    log_lines = 0;
    return ctx;
}

/* A message with `subject`, no DNS answers (everything times out). */
static authscore_msg *scored(const authscore_ctx *ctx, const char *subject)
{
    static char msg[32768];
    int n = snprintf(msg, sizeof msg, "From: Alice <alice@example.com>\r\nSubject: %s\r\n\r\nbody\r\n",
                     subject);
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, NULL, NULL, NULL, msg, (size_t)n, &m), 0);
    cr_assert_eq(authscore_msg_result(m), 0);
    return m;
}

static long find(const authscore_msg *m, const char *name)
{
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        if (!strcmp(authscore_symbol_name(m, i), name))
            return (long)i;
    return -1;
}

static double rules_weight(const authscore_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < authscore_rules_count(ctx); i++)
        if (!strcmp(authscore_rules_name(ctx, i), name))
            return authscore_rules_weight(ctx, i);
    cr_assert_fail("%s is not in the rule set", name);
    return 0;
}

static char crafted[64];

static const char *crafted_subject(void)
{
    memset(crafted, 'a', 40);
    strcpy(crafted + 40, "!");
    return crafted;
}

Test(regex_limit, raises_as_regex_limit_naming_the_rule)
{
    char rules[] = "/tmp/authscore-regex-limit-XXXXXX";
    write_rules(rules, RULES);
    authscore_ctx *ctx = ctx_with(rules);
    unlink(rules); /* read at finalize: gone even if an assertion stops the test */
    authscore_msg *m = scored(ctx, crafted_subject());

    long lim = find(m, "AS_REGEX_LIMIT");
    cr_assert_geq(lim, 0, "AS_REGEX_LIMIT fired");
    size_t i = (size_t)lim;
    cr_expect_float_eq(authscore_symbol_weight(m, i), rules_weight(ctx, "AS_REGEX_LIMIT"), 1e-9);
    cr_expect_gt(authscore_symbol_weight(m, i), 0, "the shipped rules weigh it");
    cr_assert_eq(authscore_symbol_option_count(m, i), 2, "one option per rule it stopped");
    cr_expect_str_eq(authscore_symbol_option(m, i, 0), "SLOW_SUBJECT");
    cr_expect_str_eq(authscore_symbol_option(m, i, 1), "NOT_SLOW");
    /* Unknown is neither a match nor, under `not`, a mismatch. */
    cr_expect_lt(find(m, "SLOW_SUBJECT"), 0, "the rule itself did not fire");
    cr_expect_lt(find(m, "NOT_SLOW"), 0, "nor its negation");
    cr_expect_lt(find(m, "SLOW_SETTLED"), 0);
    cr_expect_geq(find(m, "STARTS_WITH_A"), 0, "other rules on the header still run");

    double score, sum = 0;
    cr_assert_eq(authscore_score(m, &score), 0);
    for (size_t k = 0; k < authscore_symbol_count(m); k++)
        sum += authscore_symbol_weight(m, k);
    cr_expect_float_eq(score, sum, 1e-6);

    /* Logged through the host's callback: once per rule, naming it. */
    cr_expect_eq(log_lines, 2, "%s", log_text);
    cr_expect_not_null(strstr(log_text, "rule SLOW_SUBJECT: regex " SLOW " on Subject gave up"),
                       "%s", log_text);
    cr_expect_not_null(strstr(log_text, "rule NOT_SLOW:"), "%s", log_text);
    authscore_msg_free(m);

    /* The next message hits the same limits: symbol again, no new log. */
    m = scored(ctx, crafted_subject());
    cr_expect_geq(find(m, "AS_REGEX_LIMIT"), 0);
    cr_expect_eq(log_lines, 2, "logged once per rule: %s", log_text);
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

/* A repeated group on a long subject: the JIT's stack (or, without JIT,
 * the heap limit for backtracking frames) runs out before the steps do. */
Test(regex_limit, jit_stack_or_heap_limit_too)
{
    char rules[] = "/tmp/authscore-regex-limit-XXXXXX";
    write_rules(rules,
                "rules { AB_ONLY { weight = 1; header { name = \"Subject\"; regex = \"/^(a|b)*$/\"; } } }\n");
    authscore_ctx *ctx = ctx_with(rules);
    unlink(rules); /* read at finalize: gone even if an assertion stops the test */
    static char subject[20001];
    memset(subject, 'a', sizeof subject - 1);
    authscore_msg *m = scored(ctx, subject);
    long lim = find(m, "AS_REGEX_LIMIT");
    cr_assert_geq(lim, 0, "AS_REGEX_LIMIT fired");
    cr_expect_str_eq(authscore_symbol_option(m, (size_t)lim, 0), "AB_ONLY");
    cr_expect_lt(find(m, "AB_ONLY"), 0, "all a's would match: unknown is not a match either");
    cr_expect(strstr(log_text, "(jit_stack)") || strstr(log_text, "(heap_limit)"), "%s", log_text);
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

Test(regex_limit, a_subject_within_the_limit_is_matched)
{
    char rules[] = "/tmp/authscore-regex-limit-XXXXXX";
    write_rules(rules, RULES);
    authscore_ctx *ctx = ctx_with(rules);
    unlink(rules); /* read at finalize: gone even if an assertion stops the test */
    /* The same regex on an ordinary subject: matched, no limit. */
    authscore_msg *m = scored(ctx, "aaaa");
    cr_expect_geq(find(m, "SLOW_SUBJECT"), 0);
    cr_expect_lt(find(m, "NOT_SLOW"), 0);
    cr_expect_lt(find(m, "AS_REGEX_LIMIT"), 0);
    authscore_msg_free(m);
    m = scored(ctx, "b");
    cr_expect_lt(find(m, "SLOW_SUBJECT"), 0);
    cr_expect_geq(find(m, "NOT_SLOW"), 0, "a definite mismatch under not");
    cr_expect_lt(find(m, "AS_REGEX_LIMIT"), 0);
    cr_expect_eq(log_lines, 0, "%s", log_text);
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}
