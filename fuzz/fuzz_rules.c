/* fuzz_rules.c - the rule compiler on top of the UCL-subset parser.
 *
 * The input is a rule file.  Either it loads, and then the set respects
 * its caps (every engine symbol present, names and groups set, weights
 * finite and within +-1000) and scoring a fixed message with it gives a
 * score equal to the sum of the listed weights; or it fails with a
 * "fuzz.conf:" message that is one printable line and no rule set. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "msg/header.h"
#include "score/rules.h"
#include "fuzz_check.h"

static const char headers[] = "From: a@paypal.example\r\nSubject: urgent wire transfer\r\n\r\n";

static void score_fixed(const as_rules *r)
{
    as_spf_result spf = {.result = AUTHSCORE_RES_FAIL, .domain = "good.example"};
    as_spf_result helo = {.result = AUTHSCORE_RES_PASS, .domain = "list.forwarder.example"};
    as_dkim_sig_result sig = {.result = AUTHSCORE_RES_PASS, .d = "esp.example", .s = "s1",
                              .a = "rsa-sha256", .l = -1};
    const as_dkim_sig_result *sigs[1] = {&sig};
    as_dmarc_result dm = {.result = AUTHSCORE_RES_FAIL, .from_domain = "paypal.example",
                          .policy = AUTHSCORE_DMARC_POLICY_REJECT, .policy_tag = "p",
                          .disposition = AUTHSCORE_DMARC_POLICY_REJECT, .pct = 100};
    as_results res = {.spf = {&spf, &helo}, .dkim_evaluated = 1, .dkim = sigs, .n_dkim = 1,
                      .dmarc = &dm, .from_fields = 1, .from_mailboxes = 1};
    as_arena a;
    as_arena_init(&a, 16u << 20);
    as_header_block hb;
    as_header_parse(&a, headers, sizeof headers - 1, NULL, &hb);
    as_symbol_list derived;
    if (as_symbols_derive(&a, &res, &derived) < 0)
        abort();
    as_score_input in = {&res, &derived, &hb, "list.forwarder.example", "good.example",
                         "paypal.example", NULL, NULL};
    as_scored out;
    if (as_rules_score(r, &a, &in, &out) < 0)
        abort();
    double sum = 0;
    for (size_t i = 0; i < out.count; i++) {
        if (!out.items[i].name || !out.items[i].group || !isfinite(out.items[i].weight))
            abort();
        sum += out.items[i].weight;
    }
    if (fabs(sum - out.score) > 1e-3)
        abort();
    as_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_rules *r = (as_rules *)1;
    char err[AS_RULES_ERROR_MAX];
    int rc = as_rules_load_buffer("fuzz.conf", (const char *)data, size, &r, err, sizeof err);
    if (rc < 0) {
        if (r != NULL || (rc != AUTHSCORE_ECONFIG && rc != AUTHSCORE_ENOMEM))
            abort();
        if (rc == AUTHSCORE_ECONFIG && strncmp(err, "fuzz.conf:", 10) != 0)
            abort();
        for (const char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                abort();
        return 0;
    }
    size_t n = as_rules_count(r);
    if (n < AS_SYM_COUNT || n > AS_SYM_COUNT + AS_RULES_MAX_RULES)
        abort();
    for (size_t i = 0; i < n; i++) {
        double w = as_rules_weight(r, i);
        if (!as_rules_name(r, i) || !as_rules_group(r, i) || !as_rules_description(r, i) ||
            !isfinite(w) || fabs(w) > AS_RULES_MAX_WEIGHT)
            abort();
    }
    score_fixed(r);
    as_rules_free(r);
    return 0;
}
