/* rules_check.c - validate a rule file through the public API. */
#include "host/cli/rules_check.h"

#include <stdio.h>

#include "util/num.h"

int rules_check(const char *path, authscore_log_fn log)
{
    authscore_ctx *ctx;
    if (authscore_ctx_new(&ctx) < 0) {
        fprintf(stderr, "authscore: out of memory\n");
        return 1;
    }
    authscore_ctx_set_log(ctx, log, NULL);
    /* Only the rules are under test: no resolver is built. */
    int rc = authscore_ctx_set_option(ctx, "dns.backend", "none");
    if (rc == 0)
        rc = authscore_ctx_set_option(ctx, "rules.file", path);
    if (rc == 0)
        rc = authscore_ctx_finalize(ctx);
    if (rc < 0) {
        const char *why = authscore_ctx_error(ctx);
        fprintf(stderr, "authscore: %s\n", why ? why : authscore_strerror(rc));
        authscore_ctx_free(ctx);
        return 1;
    }
    size_t n = authscore_rules_count(ctx);
    printf("%-28s %-7s %8s  %s\n", "SYMBOL", "GROUP", "WEIGHT", "DESCRIPTION");
    for (size_t i = 0; i < n; i++) {
        char w[AS_NUM_BUF];
        as_num_format(w, sizeof w, authscore_rules_weight(ctx, i), 2, AS_NUM_PLUS);
        printf("%-28s %-7s %8s  %s\n", authscore_rules_name(ctx, i),
               authscore_rules_group(ctx, i), w, authscore_rules_description(ctx, i));
    }
    printf("%s: OK, %zu symbols\n", path, n);
    authscore_ctx_free(ctx);
    return 0;
}
