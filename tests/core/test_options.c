/* test_options.c - authscore_ctx_set_option() through the option table:
 * defaults, typed parsing (junk, overflow, ranges never clamped), words,
 * length caps, the repeatable option's limit, phase, and that a refused
 * value leaves the context unchanged. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "core/internal.h"
#include "core/options.h"

static authscore_ctx *ctx;

static void setup(void)
{
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
}

static void teardown(void)
{
    authscore_ctx_free(ctx);
}

TestSuite(options, .init = setup, .fini = teardown);

static int set(const char *name, const char *v)
{
    return authscore_ctx_set_option(ctx, name, v);
}

static int int_field(const as_option *o)
{
    return *(const int *)((const char *)ctx + o->offset);
}

static const as_option *opt(const char *name)
{
    for (size_t i = 0; i < as_options_count(); i++)
        if (strcmp(as_option_name(i), name) == 0)
            return as_option_at(i);
    cr_assert_fail("no option %s", name);
    return NULL;
}

/* The defaults the documentation promises (docs/architecture.md). */
Test(options, defaults)
{
    cr_expect_eq(ctx->dns_timeout_ms, 5000);
    cr_expect_eq(ctx->backend, AS_BACKEND_UNBOUND);
    cr_expect_eq(ctx->dkim_max_signatures, 8);
    cr_expect_eq(ctx->dkim_clock_skew, 300);
    cr_expect_eq(ctx->dmarc_mode, AS_DMARC_RFC9989);
    cr_expect_eq(ctx->dmarc_pct_seed, 0);
    cr_expect_eq(ctx->spf_max_lookups, 10, "RFC 7208 4.6.4");
    cr_expect_eq(ctx->spf_max_void_lookups, 2, "RFC 7208 4.6.4");
    cr_expect_null(ctx->dns_config);
    cr_expect_null(ctx->trust_anchor);
    cr_expect_null(ctx->authserv_id);
    cr_expect_null(ctx->psl_file);
    cr_expect_null(ctx->rules_file);
    cr_expect_eq(ctx->n_forwarders, 0);
}

/* The documented ranges, each end and one beyond. */
static const struct {
    const char *name;
    long lo, hi;
} ranges[] = {
    {"dns.timeout_ms", 1, 120000},
    {"dkim.max_signatures", 1, 64},
    {"dkim.clock_skew", 0, 86400},
    {"dmarc.pct_seed", 0, 2147483647},
    {"spf.max_lookups", 1, 10},      /* RFC 7208 4.6.4: only lowered */
    {"spf.max_void_lookups", 1, 2},
};

Test(options, integer_ranges_are_exact_and_never_clamped)
{
    char v[32];
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const as_option *o = opt(ranges[i].name);
        cr_expect_eq(o->type, AS_OPT_INT, "%s", o->name);
        snprintf(v, sizeof v, "%ld", ranges[i].lo);
        cr_expect_eq(set(o->name, v), 0, "%s=%s", o->name, v);
        cr_expect_eq(int_field(o), ranges[i].lo, "%s", o->name);
        snprintf(v, sizeof v, "%ld", ranges[i].hi);
        cr_expect_eq(set(o->name, v), 0, "%s=%s", o->name, v);
        cr_expect_eq(int_field(o), ranges[i].hi, "%s", o->name);
        snprintf(v, sizeof v, "%ld", ranges[i].hi + 1);
        cr_expect_eq(set(o->name, v), AUTHSCORE_EINVAL, "%s=%s", o->name, v);
        cr_expect_eq(int_field(o), ranges[i].hi, "%s: unchanged, not clamped", o->name);
        if (ranges[i].lo > 0) {
            snprintf(v, sizeof v, "%ld", ranges[i].lo - 1);
            cr_expect_eq(set(o->name, v), AUTHSCORE_EINVAL, "%s=%s", o->name, v);
            cr_expect_eq(int_field(o), ranges[i].hi, "%s: unchanged", o->name);
        }
    }
}

Test(options, integer_junk_and_overflow_are_refused)
{
    static const char *junk[] = {
        "", " 5", "5 ", "+5", "-1", "-0", "0x10", "5x", "1e3", "5.0", "\t5",
        "99999999999999999999",  /* past LONG_MAX */
        "9223372036854775808",   /* LONG_MAX + 1 */
        "4294967301",            /* 2^32 + 5: wraps to 5 in 32 bits */
        "18446744073709551621",  /* 2^64 + 5 */
    };
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
        const as_option *o = opt(ranges[k].name);
        int before = int_field(o);
        for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
            cr_expect_eq(set(o->name, junk[i]), AUTHSCORE_EINVAL, "%s=\"%s\"", o->name, junk[i]);
            cr_expect_eq(int_field(o), before, "%s=\"%s\" changed the value", o->name, junk[i]);
        }
    }
    cr_expect_eq(set("dns.timeout_ms", "007"), 0, "leading zeros are decimal");
    cr_expect_eq(ctx->dns_timeout_ms, 7);
}

Test(options, words)
{
    cr_expect_eq(set("dns.backend", "none"), 0);
    cr_expect_eq(ctx->backend, AS_BACKEND_NONE);
    cr_expect_eq(set("dns.backend", "unbound"), 0);
    cr_expect_eq(ctx->backend, AS_BACKEND_UNBOUND);
    cr_expect_eq(set("dmarc.mode", "rfc7489"), 0);
    cr_expect_eq(ctx->dmarc_mode, AS_DMARC_RFC7489);
    static const char *bad[] = {"", "UNBOUND", "unbound ", "unbou", "unboundx", "rfc9999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(set("dns.backend", bad[i]), AUTHSCORE_EINVAL, "\"%s\"", bad[i]);
        cr_expect_eq(set("dmarc.mode", bad[i]), AUTHSCORE_EINVAL, "\"%s\"", bad[i]);
    }
    cr_expect_eq(ctx->backend, AS_BACKEND_UNBOUND, "unchanged");
    cr_expect_eq(ctx->dmarc_mode, AS_DMARC_RFC7489, "unchanged");
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Text: copied, replaced on a second call, length-capped. */
Test(options, text_lengths_are_capped)
{
    static const struct {
        const char *name;
        size_t max;
        size_t field;
    } text[] = {
        {"authserv_id", 255, offsetof(struct authscore_ctx, authserv_id)},
        {"dns.config", 4095, offsetof(struct authscore_ctx, dns_config)},
        {"dns.trust_anchor", 4095, offsetof(struct authscore_ctx, trust_anchor)},
        {"dmarc.psl_file", 4095, offsetof(struct authscore_ctx, psl_file)},
        {"rules.file", 4095, offsetof(struct authscore_ctx, rules_file)},
    };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        char **slot = (char **)((char *)ctx + text[i].field);
        cr_expect_eq(set(text[i].name, "first"), 0);
        char buf[8] = "second";
        cr_expect_eq(set(text[i].name, buf), 0);
        buf[0] = 'X';
        cr_expect_str_eq(*slot, "second", "%s: copied", text[i].name);
        char *max = repeat('a', text[i].max), *over = repeat('b', text[i].max + 1);
        cr_expect_eq(set(text[i].name, max), 0, "%s: %zu bytes", text[i].name, text[i].max);
        cr_expect_eq(strlen(*slot), text[i].max);
        cr_expect_eq(set(text[i].name, over), AUTHSCORE_EINVAL, "%s: %zu bytes",
                     text[i].name, text[i].max + 1);
        cr_expect_eq((*slot)[0], 'a', "%s: unchanged after a refused value", text[i].name);
        free(max);
        free(over);
    }
}

Test(options, forwarders_repeat_up_to_the_limit)
{
    char v[32];
    for (int i = 0; i < AS_RESOLVER_MAX_FORWARDERS; i++) {
        snprintf(v, sizeof v, "192.0.2.%d@53", i + 1);
        cr_expect_eq(set("dns.forwarder", v), 0, "%s", v);
    }
    cr_expect_eq(ctx->n_forwarders, 8);
    cr_expect_str_eq(ctx->forwarders[7], "192.0.2.8@53");
    cr_expect_eq(set("dns.forwarder", "192.0.2.99"), AUTHSCORE_ELIMIT, "a 9th");
    cr_expect_eq(ctx->n_forwarders, 8);
}

Test(options, forwarder_length_is_capped)
{
    char *max = repeat('f', 511), *over = repeat('f', 512);
    cr_expect_eq(set("dns.forwarder", over), AUTHSCORE_EINVAL);
    cr_expect_eq(ctx->n_forwarders, 0, "a refused value is not counted");
    cr_expect_eq(set("dns.forwarder", max), 0);
    cr_expect_eq(ctx->n_forwarders, 1);
    free(max);
    free(over);
}

Test(options, unknown_names_and_null)
{
    char *longname = repeat('d', 5000);
    cr_expect_eq(set("no.such.option", "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(set("DNS.timeout_ms", "100"), AUTHSCORE_EINVAL, "names are exact");
    cr_expect_eq(set("dns.timeout_ms ", "100"), AUTHSCORE_EINVAL);
    cr_expect_eq(set("", "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(set(longname, "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(set(NULL, "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(set("dns.timeout_ms", NULL), AUTHSCORE_EINVAL);
    cr_expect_eq(authscore_ctx_set_option(NULL, "dns.timeout_ms", "1"), AUTHSCORE_EINVAL);
    cr_expect_eq(ctx->dns_timeout_ms, 5000, "unchanged");
    free(longname);
}

Test(options, every_option_is_refused_after_finalize)
{
    cr_assert_eq(set("dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0, "%s", authscore_ctx_error(ctx));
    for (size_t i = 0; i < as_options_count(); i++)
        cr_expect_eq(set(as_option_name(i), "1"), AUTHSCORE_EPHASE, "%s", as_option_name(i));
}

/* The table's own shape: names unique and bounded, every row usable. */
Test(options, table_is_well_formed)
{
    cr_assert_gt(as_options_count(), 0);
    cr_expect_null(as_option_name(as_options_count()));
    cr_expect_null(as_option_at(as_options_count()));
    for (size_t i = 0; i < as_options_count(); i++) {
        const as_option *o = as_option_at(i);
        cr_expect_leq(strlen(o->name), AS_OPTION_NAME_MAX, "%s", o->name);
        cr_expect(o->help && *o->help, "%s: description", o->name);
        for (size_t j = 0; j < i; j++)
            cr_expect_str_neq(o->name, as_option_name(j), "duplicate");
        if (o->type == AS_OPT_INT)
            cr_expect(o->min <= o->max && o->max <= INT_MAX, "%s: range fits an int", o->name);
        if (o->type == AS_OPT_REPEAT)
            cr_expect_not_null(o->add, "%s", o->name);
    }
}

/* An unknown name says so and names the nearest known one (a typo or a
 * prefix), through authscore_ctx_error() and the log callback; a name
 * far from every option gets no guess. */
static char logged[512];
static void keep_log(void *user, int level, const char *msg)
{
    (void)user;
    if (level == AUTHSCORE_LOG_ERROR)
        snprintf(logged, sizeof logged, "%s", msg);
}

Test(options, unknown_names_the_nearest_option)
{
    static const struct { const char *typed, *said; } cases[] = {
        {"dns.timeout", "unknown option dns.timeout (did you mean dns.timeout_ms?)"},
        {"dkim.max_signatrues", "unknown option dkim.max_signatrues (did you mean dkim.max_signatures?)"},
        {"rules.fil", "unknown option rules.fil (did you mean rules.file?)"},
        {"colour", "unknown option colour"},
        {"dns", "unknown option dns"},
    };
    cr_assert_eq(authscore_ctx_set_log(ctx, keep_log, NULL), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        logged[0] = '\0';
        cr_expect_eq(set(cases[i].typed, "1"), AUTHSCORE_EINVAL, "%s", cases[i].typed);
        cr_expect_str_eq(authscore_ctx_error(ctx) ? authscore_ctx_error(ctx) : "(null)",
                         cases[i].said);
        cr_expect_str_eq(logged, cases[i].said);
    }
    /* A good call clears the message. */
    cr_expect_eq(set("dns.timeout_ms", "100"), 0);
    cr_expect_null(authscore_ctx_error(ctx));
}
