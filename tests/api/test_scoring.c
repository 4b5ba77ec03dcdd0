/* test_scoring.c - the public scoring API: rules.file, authscore_ctx_error,
 * the rules getters, and symbols and score of a message driven through the
 * sans-I/O loop. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>

static const char MSG[] = "From: Alice <alice@example.com>\r\n"
                          "Subject: hello\r\n"
                          "\r\n"
                          "body\r\n";

static char rules_path[512];

static authscore_ctx *ctx_with_rules(const char *path)
{
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    if (path)
        cr_assert_eq(authscore_ctx_set_option(ctx, "rules.file", path), 0);
    return ctx;
}

static const char *shipped(void)
{
    snprintf(rules_path, sizeof rules_path, "%s/rules/authscore.conf",
             getenv("AUTHSCORE_SOURCE_ROOT"));
    return rules_path;
}

/* SPF passes for example.com from 192.0.2.1; every other name is absent. */
static authscore_msg *scored_message(authscore_ctx *ctx)
{
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, "192.0.2.1", "mx.example.com", "alice@example.com", MSG,
                                   sizeof MSG - 1, &m), 0);
    static const char spf[] = "v=spf1 ip4:192.0.2.0/24 -all";
    const char *rd[1] = {spf};
    size_t rl[1] = {sizeof spf - 1};
    uint32_t id;
    const char *qname;
    int qtype;
    double s;
    cr_assert_eq(authscore_score(m, &s), AUTHSCORE_ENOTEVAL, "no score before the result");
    while (authscore_msg_next_query(m, &id, &qname, &qtype) == 1) {
        int is_spf = qtype == AUTHSCORE_QTYPE_TXT && !strcmp(qname, "example.com");
        cr_assert_eq(authscore_msg_answer(m, id, is_spf ? AUTHSCORE_DNS_OK : AUTHSCORE_DNS_NXDOMAIN,
                                          AUTHSCORE_DNSSEC_INSECURE, NULL, 300, rd, rl,
                                          is_spf ? 1 : 0), 0);
    }
    cr_assert_eq(authscore_msg_result(m), 0);
    return m;
}

static double weight_of(const authscore_msg *m, const char *name, int *found)
{
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        if (!strcmp(authscore_symbol_name(m, i), name)) {
            *found = 1;
            return authscore_symbol_weight(m, i);
        }
    *found = 0;
    return 0;
}

Test(scoring, shipped_rules_through_the_public_api)
{
    authscore_ctx *ctx = ctx_with_rules(shipped());
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    cr_assert_null(authscore_ctx_error(ctx));
    size_t n = authscore_rules_count(ctx);
    cr_assert_geq(n, 35);
    int seen = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(authscore_rules_name(ctx, i), "DMARC_POLICY_REJECT")) {
            seen = 1;
            cr_expect_float_eq(authscore_rules_weight(ctx, i), 2.0, 1e-9);
            cr_expect_str_eq(authscore_rules_group(ctx, i), "dmarc");
            cr_expect_str_eq(authscore_rules_description(ctx, i), "DMARC reject policy");
        }
    cr_assert(seen);
    cr_expect_null(authscore_rules_name(ctx, n));
    cr_expect_null(authscore_rules_group(ctx, n));
    cr_expect_float_eq(authscore_rules_weight(ctx, n), 0.0, 1e-12);

    authscore_msg *m = scored_message(ctx);
    int found;
    cr_expect_float_eq(weight_of(m, "R_SPF_ALLOW", &found), -0.2, 1e-9);
    cr_expect(found);
    weight_of(m, "R_DKIM_NA", &found);
    cr_expect(found);
    weight_of(m, "DMARC_NA", &found);
    cr_expect(found, "example.com has no DMARC record");
    double score, sum = 0;
    cr_assert_eq(authscore_score(m, &score), 0);
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        sum += authscore_symbol_weight(m, i);
    cr_expect_float_eq(score, sum, 1e-6);
    cr_expect_float_eq(score, -0.2, 1e-9);
    /* Options are the reasons: R_SPF_ALLOW names the mechanism. */
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        if (!strcmp(authscore_symbol_name(m, i), "R_SPF_ALLOW")) {
            cr_expect_eq(authscore_symbol_option_count(m, i), 1);
            cr_expect_str_eq(authscore_symbol_option(m, i, 0), "ip4:192.0.2.0/24");
            cr_expect_null(authscore_symbol_option(m, i, 1));
        }
    cr_expect_null(authscore_symbol_name(m, authscore_symbol_count(m)));
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

Test(scoring, without_rules_symbols_but_no_score)
{
    authscore_ctx *ctx = ctx_with_rules(NULL);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    cr_expect_eq(authscore_rules_count(ctx), 0);
    authscore_msg *m = scored_message(ctx);
    double score = 42;
    cr_expect_eq(authscore_score(m, &score), AUTHSCORE_ENOTEVAL);
    cr_expect_float_eq(score, 42, 0, "score untouched");
    int found;
    cr_expect_float_eq(weight_of(m, "R_SPF_ALLOW", &found), 0.0, 1e-12);
    cr_expect(found, "symbols are facts: listed without rules too");
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

Test(scoring, bad_rule_file_fails_finalize_with_file_and_line)
{
    char path[] = "/tmp/authscore-api-rules-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("symbols {\n  R_SPF_ALLOW { weight = -0.2; }\n  NOT_A_SYMBOL { weight = 1; }\n}\n", f);
    fclose(f);
    authscore_ctx *ctx = ctx_with_rules(path);
    cr_assert_eq(authscore_ctx_finalize(ctx), AUTHSCORE_ECONFIG);
    const char *e = authscore_ctx_error(ctx);
    cr_assert_not_null(e);
    char want[600];
    snprintf(want, sizeof want, "rules: %s:3: symbol NOT_A_SYMBOL: not a symbol", path);
    cr_expect_eq(strncmp(e, want, strlen(want)), 0, "%s", e);
    cr_expect_eq(authscore_rules_count(ctx), 0, "nothing half-loaded");
    /* Still unfinalized: fix the option and try again. */
    cr_assert_eq(authscore_ctx_set_option(ctx, "rules.file", shipped()), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    cr_expect_null(authscore_ctx_error(ctx));
    cr_expect_gt(authscore_rules_count(ctx), 0);
    authscore_ctx_free(ctx);
    unlink(path);
}
