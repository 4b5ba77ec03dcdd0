/* test_locale.c - numbers the module writes do not follow the host's
 * locale.  Run as a host does: setlocale(LC_ALL, "") under
 * LC_ALL=de_DE.UTF-8 (set by meson), where printf writes "1,50".  Checks
 * the formatter (util/num.h), then a message's Exim summary (score= and
 * symbols=) against the same numbers written in the C locale.
 * Exits 77 (SKIP) when de_DE.UTF-8 is not installed (Debian: locales-all),
 * 1 on a failure, 0 when everything held. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "host/exim/exim.h"
#include "util/num.h"

static int failures;

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                       \
            printf(__VA_ARGS__);                                              \
            putchar('\n');                                                    \
        }                                                                     \
    } while (0)

/* The oracle: printf's "%.2f" in the C locale. */
static locale_t c_locale;

static void c_printf(char *out, size_t cap, double v)
{
    locale_t old = uselocale(c_locale);
    snprintf(out, cap, "%.2f", v);
    uselocale(old);
}

static void formatter(void)
{
    static const struct {
        double v;
        unsigned dec, flags;
        const char *want;
    } t[] = {
        {1.5, 2, 0, "1.50"},
        {-0.2, 2, 0, "-0.20"},
        {-0.2, 2, AS_NUM_PLUS, "-0.20"},
        {0.2, 2, AS_NUM_PLUS, "+0.20"},
        {0, 2, AS_NUM_PLUS, "+0.00"},
        {0, 2, 0, "0.00"},
        {-0.004, 2, 0, "0.00"},      /* rounds to zero: no "-0.00" */
        {0.125, 2, 0, "0.13"},       /* exact half: away from zero */
        {-0.125, 2, 0, "-0.13"},
        {0.995, 2, 0, "1.00"},       /* as written (printf: 0.99, from 0.99499...) */
        {999.995, 2, 0, "1000.00"},  /* 999.99500000000000455 */
        {-1000, 2, 0, "-1000.00"},
        {1.9, 6, AS_NUM_TRIM, "1.9"},
        {-1.5, 6, AS_NUM_TRIM, "-1.5"},
        {2, 6, AS_NUM_TRIM, "2"},
        {0, 6, AS_NUM_TRIM, "0"},
        {-0.000001, 6, AS_NUM_TRIM, "-0.000001"},
        {-0.0000004, 6, AS_NUM_TRIM, "0"},
        {123456.789, 0, 0, "123457"},
        {550000, 6, 0, "550000.000000"},
        {NAN, 2, 0, "0.00"},
        {INFINITY, 6, AS_NUM_TRIM, "0"},
        {-INFINITY, 2, 0, "0.00"},
        {1e300, 2, 0, "0.00"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        char b[AS_NUM_BUF];
        int n = as_num_format(b, sizeof b, t[i].v, t[i].dec, t[i].flags);
        CHECK(n == (int)strlen(t[i].want) && !strcmp(b, t[i].want),
              "as_num_format(%g, %u, %u) = \"%s\" (%d), want \"%s\"", t[i].v, t[i].dec,
              t[i].flags, b, n, t[i].want);
    }
    /* Every finite value a weight or score can take agrees with C-locale
     * printf except on exact binary halves (we round them away from 0). */
    for (long k = -100000; k <= 100000; k += 7) {
        double v = (double)k / 1000.0;
        char a[AS_NUM_BUF], b[64];
        as_num_format(a, sizeof a, v, 2, 0);
        c_printf(b, sizeof b, v);
        if (!strcmp(b, "-0.00"))
            strcpy(b, "0.00");
        int half = fabs(fmod(fabs(v) * 100.0, 1.0) - 0.5) < 1e-12;
        CHECK(half || !strcmp(a, b), "%.3f: \"%s\", C printf \"%s\"", v, a, b);
    }
    char small[4];
    CHECK(as_num_format(small, sizeof small, 1.5, 2, 0) == -1 && small[0] == '\0',
          "cap too small");
    char b[AS_NUM_BUF];
    CHECK(as_num_format(b, sizeof b, 1.5, 10, 0) == -1, "10 decimals refused");
}

/* SPF passes for example.com from 192.0.2.1; everything else is absent. */
static authscore_msg *scored(const authscore_ctx *ctx)
{
    static const char msg[] = "From: Alice <alice@example.com>\r\n"
                              "Subject: locale\r\n\r\nbody\r\n";
    static const char spf[] = "v=spf1 ip4:192.0.2.0/24 -all";
    const char *rd[1] = {spf};
    size_t rl[1] = {sizeof spf - 1};
    authscore_msg *m;
    if (authscore_msg_new(ctx, "192.0.2.1", "mx.example.com", "alice@example.com", msg,
                          sizeof msg - 1, &m) < 0)
        return NULL;
    uint32_t id;
    const char *q;
    int t;
    while (authscore_msg_next_query(m, &id, &q, &t) == 1) {
        int is = t == AUTHSCORE_QTYPE_TXT && !strcmp(q, "example.com");
        authscore_msg_answer(m, id, is ? AUTHSCORE_DNS_OK : AUTHSCORE_DNS_NXDOMAIN,
                             AUTHSCORE_DNSSEC_INSECURE, NULL, 300, rd, rl, is ? 1 : 0);
    }
    if (authscore_msg_result(m) < 0) {
        authscore_msg_free(m);
        return NULL;
    }
    return m;
}

static void exim_summary(void)
{
    char rules[4096];
    snprintf(rules, sizeof rules, "%s/rules/authscore.conf", getenv("AUTHSCORE_SOURCE_ROOT"));
    authscore_ctx *ctx;
    CHECK(authscore_ctx_new(&ctx) == 0, "ctx");
    authscore_ctx_set_option(ctx, "dns.backend", "none");
    authscore_ctx_set_option(ctx, "rules.file", rules);
    if (authscore_ctx_finalize(ctx) < 0) {
        CHECK(0, "finalize: %s", authscore_ctx_error(ctx));
        authscore_ctx_free(ctx);
        return;
    }
    authscore_msg *m = scored(ctx);
    CHECK(m != NULL, "message scored");
    if (m) {
        char sum[AS_EXIM_SUMMARY_MAX], want[256];
        CHECK(as_exim_summary(m, sum, sizeof sum) > 0, "summary");
        double score;
        CHECK(authscore_score(m, &score) == 0, "a score");
        CHECK(score != floor(score), "the score has decimals (%g), or the test proves nothing",
              score);
        char num[64];
        c_printf(num, sizeof num, score);
        snprintf(want, sizeof want, " score=%s ", num);
        CHECK(strstr(sum, want) != NULL, "want \"%s\" in %s", want, sum);
        for (size_t i = 0; i < authscore_symbol_count(m); i++) {
            c_printf(num, sizeof num, authscore_symbol_weight(m, i));
            snprintf(want, sizeof want, "%s(%s)", authscore_symbol_name(m, i), num);
            CHECK(strstr(sum, want) != NULL, "want \"%s\" in %s", want, sum);
        }
        for (const char *p = sum + 1; *p; p++)
            CHECK(!(*p == ',' && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' && p[1] <= '9'),
                  "a decimal comma in %s", sum);
        authscore_msg_free(m);
    }
    authscore_ctx_free(ctx);
}

int main(void)
{
    /* What a host does; LC_ALL=de_DE.UTF-8 comes from the test's env. */
    const char *got = setlocale(LC_ALL, "");
    const struct lconv *lc = localeconv();
    if (!got || strcmp(lc->decimal_point, ",") != 0) {
        printf("SKIP: de_DE.UTF-8 is not installed (Debian: locales-all; LC_ALL=%s)\n",
               getenv("LC_ALL") ? getenv("LC_ALL") : "");
        return 77;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.2f", 1.5);
    if (strcmp(probe, "1,50") != 0) {
        printf("FAIL: printf under %s writes %s, the hazard this test is about is absent\n", got,
               probe);
        return 1;
    }
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!c_locale) {
        printf("FAIL: newlocale(C)\n");
        return 1;
    }
    formatter();
    exim_summary();
    freelocale(c_locale);
    printf("%s: %d failure(s) under %s\n", failures ? "FAIL" : "ok", failures, got);
    return failures ? 1 : 0;
}
