/* test_dkim_overall.c - "the message's DKIM result" (docs/dkim.md), one
 * definition: a table of signature-result combinations through the public
 * sans-I/O API (answers from memdns over tests/dkim/data/keys.zone), and
 * the three readers agreeing with authscore_dkim_overall(): the rules'
 * `dkim` condition, the Exim summary's `dkim` field, and the symbols.
 * Then the hosts' defer rule built on it, authscore_msg_temperror(),
 * with and without a DMARC policy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>
#include "harness.h" /* tests/dkim: the fixtures and keys.zone */
#include "host/exim/exim.h"
#include "sansio_drive.h"

#define NOW 1700000100 /* inside the fixture signature's t= .. x= */

/* One signature per letter; each is the fixture's valid rsa2048 signature
 * (tests/dkim/data/rsa.eml), changed so that it gives that result. */
enum sig { P, F, T, E, U };
static const char LETTERS[] = "PFTEU"; /* in the enum's order */

static const struct {
    const char *sigs; /* in message order */
    int max_sigs;     /* dkim.max_signatures, 0: default */
    int want;
} cases[] = {
    {"", 0, AUTHSCORE_RES_NONE},
    {"P", 0, AUTHSCORE_RES_PASS},
    {"F", 0, AUTHSCORE_RES_FAIL},
    {"T", 0, AUTHSCORE_RES_TEMPERROR},
    {"E", 0, AUTHSCORE_RES_PERMERROR},
    {"FP", 0, AUTHSCORE_RES_PASS},
    {"TP", 0, AUTHSCORE_RES_PASS},
    {"EP", 0, AUTHSCORE_RES_PASS},
    {"FT", 0, AUTHSCORE_RES_TEMPERROR}, /* a retry could pass: not fail */
    {"TF", 0, AUTHSCORE_RES_TEMPERROR},
    {"ET", 0, AUTHSCORE_RES_TEMPERROR},
    {"EF", 0, AUTHSCORE_RES_FAIL},
    {"FE", 0, AUTHSCORE_RES_FAIL},
    {"EE", 0, AUTHSCORE_RES_PERMERROR},
    {"FF", 0, AUTHSCORE_RES_FAIL},
    {"ETFP", 0, AUTHSCORE_RES_PASS},
    {"ETF", 0, AUTHSCORE_RES_TEMPERROR},
    /* Beyond the cap a signature is not evaluated and does not count. */
    {"FP", 1, AUTHSCORE_RES_FAIL},
    {"TP", 1, AUTHSCORE_RES_TEMPERROR},
};

static const char *const BODY = "From: Alice <alice@example.com>\r\n"
                                "To: Bob <bob@example.org>\r\n"
                                "Subject: fixture   message\r\n"
                                "Date: Mon, 13 Nov 2023 22:13:20 +0000\r\n"
                                "Message-ID: <fixture@example.com>\r\n";

/* The fixture's DKIM-Signature line (without its line end) and the
 * message after it; returns the file, which *rest points into (the caller
 * frees it). */
static char *fixture(char *sigline, size_t cap, const char **rest)
{
    size_t len;
    char *eml = dk_fixture("rsa.eml", &len);
    cr_assert_not_null(eml, "rsa.eml: the fixture is part of the tree");
    char *eol = strchr(eml, '\n');
    cr_assert(eol && !strncmp(eml, "DKIM-Signature:", 15));
    size_t n = (size_t)(eol - eml);
    if (n && eml[n - 1] == '\r')
        n--;
    cr_assert_lt(n, cap);
    memcpy(sigline, eml, n);
    sigline[n] = '\0';
    *rest = eol + 1;
    return eml;
}

/* Replace the first `from` in s by `to` (same length or shorter room). */
static void subst(char *s, size_t cap, const char *from, const char *to)
{
    char *at = strstr(s, from);
    cr_assert_not_null(at, "fixture has %s", from);
    size_t fl = strlen(from), tl = strlen(to), sl = strlen(s);
    cr_assert_lt(sl - fl + tl, cap);
    memmove(at + tl, at + fl, sl - (size_t)(at - s) - fl + 1);
    memcpy(at, to, tl);
}

static void signature(char *out, size_t cap, const char *valid, enum sig k)
{
    snprintf(out, cap, "%s", valid);
    switch (k) {
    case P: break;
    case F: subst(out, cap, "b=aJHA", "b=bJHA"); break;     /* RSA mismatch */
    case T: subst(out, cap, "s=rsa2048", "s=timeout"); break; /* key lookup times out */
    case E: subst(out, cap, "s=rsa2048", "s=nokey"); break;  /* NXDOMAIN: no key */
    case U: /* another domain's key lookup times out: cannot align */
        subst(out, cap, "d=example.com", "d=other.com");
        subst(out, cap, "s=rsa2048", "s=timeout");
        break;
    }
}

/* The message with one signature per letter of sigs, in that order, then
 * the rest of the fixture; without signatures, BODY and a body line.
 * Returns its length. */
static size_t message(char *msg, size_t cap, const char *valid, const char *rest,
                      const char *sigs)
{
    size_t n = 0;
    for (const char *k = sigs; *k; k++) {
        const char *at = strchr(LETTERS, *k);
        cr_assert_not_null(at, "signature letter %c", *k);
        char line[4096];
        signature(line, sizeof line, valid, (enum sig)(at - LETTERS));
        n += (size_t)snprintf(msg + n, cap - n, "%s\r\n", line);
    }
    if (*sigs)
        n += (size_t)snprintf(msg + n, cap - n, "%s", rest);
    else
        n += (size_t)snprintf(msg + n, cap - n, "%s\r\nHello.\r\n", BODY);
    cr_assert_lt(n, cap);
    return n;
}

/* A rule per result word: exactly the one for the overall result fires. */
static const char *const words[] = {"pass",     "fail",      "temperror", "permerror",
                                    "policy",   "neutral",   "none",      "softfail"};

static void rule_file(char *path)
{
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("rules {\n", f);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        char name[32];
        size_t j = 0;
        for (; words[i][j]; j++)
            name[j] = (char)(words[i][j] - 'a' + 'A');
        name[j] = '\0';
        fprintf(f, "  DKIM_IS_%s { weight = 0; dkim = \"%s\"; }\n", name, words[i]);
    }
    fputs("}\n", f);
    fclose(f);
}

static int fired(const authscore_msg *m, const char *name)
{
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        if (!strcmp(authscore_symbol_name(m, i), name))
            return 1;
    return 0;
}

/* The value of `name=` in the Exim summary. */
static void summary_field(const char *sum, const char *name, char *out, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, " %s=", name);
    const char *p = strstr(sum, key);
    cr_assert_not_null(p, "%s= in %s", name, sum);
    p += strlen(key);
    size_t n = strcspn(p, " ");
    cr_assert_lt(n, cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

Test(dkim_overall, table_through_the_public_api)
{
    char valid[4096];
    const char *rest;
    char *eml = fixture(valid, sizeof valid, &rest);
    dk_keys keys;
    cr_assert_eq(dk_keys_open(&keys), 0, "%s:%u", keys.path, keys.line);
    as_memdns *dns = keys.dns;
    char rules[] = "/tmp/authscore-dkim-overall-XXXXXX";
    rule_file(rules);

    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *sigs = cases[c].sigs;
        authscore_ctx *ctx;
        cr_assert_eq(authscore_ctx_new(&ctx), 0);
        cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
        cr_assert_eq(authscore_ctx_set_option(ctx, "rules.file", rules), 0);
        if (cases[c].max_sigs) {
            char v[16];
            snprintf(v, sizeof v, "%d", cases[c].max_sigs);
            cr_assert_eq(authscore_ctx_set_option(ctx, "dkim.max_signatures", v), 0);
        }
        cr_assert_eq(authscore_ctx_finalize(ctx), 0, "%s", authscore_ctx_error(ctx));

        static char msg[1 << 16];
        size_t n = message(msg, sizeof msg, valid, rest, sigs);

        authscore_msg *m;
        cr_assert_eq(authscore_msg_new(ctx, NULL, NULL, NULL, msg, n, &m), 0);
        cr_expect_eq(authscore_dkim_overall(m), AUTHSCORE_RES_NOT_EVALUATED,
                     "[%s] before the result", sigs);
        cr_assert_eq(authscore_msg_set_time(m, NOW), 0);
        sansio_drive(m, dns, 0);

        /* The fixture gives each signature the result its letter says. */
        size_t counted = cases[c].max_sigs ? (size_t)cases[c].max_sigs : strlen(sigs);
        cr_assert_eq(authscore_dkim_count(m), strlen(sigs), "[%s]", sigs);
        for (size_t i = 0; i < strlen(sigs); i++) {
            int want = i >= counted ? AUTHSCORE_RES_NOT_EVALUATED
                       : sigs[i] == 'P' ? AUTHSCORE_RES_PASS
                       : sigs[i] == 'F' ? AUTHSCORE_RES_FAIL
                       : sigs[i] == 'T' ? AUTHSCORE_RES_TEMPERROR
                                        : AUTHSCORE_RES_PERMERROR;
            cr_assert_eq(authscore_dkim_result(m, i), want, "[%s] signature %zu: %s (%s)", sigs,
                         i, authscore_result_name(authscore_dkim_result(m, i)),
                         authscore_dkim_reason(m, i));
        }

        int got = authscore_dkim_overall(m);
        cr_expect_eq(got, cases[c].want, "[%s] max %d: overall %s, want %s", sigs,
                     cases[c].max_sigs, authscore_result_name(got),
                     authscore_result_name(cases[c].want));

        /* The rules' dkim condition reads the same word... */
        for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
            char name[32] = "DKIM_IS_";
            for (size_t j = 0; words[w][j]; j++)
                name[8 + j] = (char)(words[w][j] - 'a' + 'A');
            int want = !strcmp(words[w], authscore_result_name(got));
            cr_expect_eq(fired(m, name), want, "[%s] %s %s", sigs, name,
                         want ? "did not fire" : "fired");
        }
        /* ...and so does the Exim summary. */
        char sum[AS_EXIM_SUMMARY_MAX], dk[32];
        cr_assert_geq(as_exim_summary(m, sum, sizeof sum), 0);
        summary_field(sum, "dkim", dk, sizeof dk);
        cr_expect_str_eq(dk, authscore_result_name(got), "[%s] %s", sigs, sum);
        /* No DMARC policy here: the host defers on the DKIM result. */
        cr_expect_eq(authscore_msg_temperror(m), got == AUTHSCORE_RES_TEMPERROR, "[%s]", sigs);

        authscore_msg_free(m);
        authscore_ctx_free(ctx);
    }
    dk_keys_close(&keys);
    free(eml);
    unlink(rules);
}

Test(dkim_overall, outside_its_phase)
{
    cr_expect_eq(authscore_dkim_overall(NULL), AUTHSCORE_RES_NOT_EVALUATED,
                 "an enum getter never returns a negative code");
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    static const char msg[] = "From: a@example.com\r\n\r\nbody\r\n";
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(ctx, NULL, NULL, NULL, msg, sizeof msg - 1, &m), 0);
    cr_expect_eq(authscore_dkim_overall(m), AUTHSCORE_RES_NOT_EVALUATED, "phase NEW");
    uint32_t id;
    const char *q;
    int t;
    (void)authscore_msg_next_query(m, &id, &q, &t);
    cr_expect_eq(authscore_dkim_overall(m), AUTHSCORE_RES_NOT_EVALUATED, "phase RESOLVING");
    cr_assert_eq(authscore_msg_result(m), 0);
    cr_expect_eq(authscore_dkim_overall(m), AUTHSCORE_RES_NONE, "DONE, unsigned");
    authscore_msg_free(m);
    authscore_ctx_free(ctx);
}

/* With a p=reject policy the host defers on DMARC alone: DMARC's pass or
 * fail has weighed every signature that could align, so an unaligned
 * signature's temperror must neither delay a pass nor turn the reject
 * into a retry (a spoofer's junk signature would buy a 451, or with
 * temperror_action = accept in the milter, delivery). */
Test(msg_temperror, with_a_dmarc_policy_only_what_could_align_defers)
{
    static const struct {
        const char *sigs;
        int dmarc, disposition, temperror;
    } rows[] = {
        {"P", AUTHSCORE_RES_PASS, AUTHSCORE_DMARC_POLICY_NONE, 0},
        {"T", AUTHSCORE_RES_TEMPERROR, AUTHSCORE_DMARC_POLICY_UNSET, 1},
        {"TP", AUTHSCORE_RES_PASS, AUTHSCORE_DMARC_POLICY_NONE, 0},
        {"UP", AUTHSCORE_RES_PASS, AUTHSCORE_DMARC_POLICY_NONE, 0},
        {"U", AUTHSCORE_RES_FAIL, AUTHSCORE_DMARC_POLICY_REJECT, 0},
        {"UF", AUTHSCORE_RES_FAIL, AUTHSCORE_DMARC_POLICY_REJECT, 0},
        {"UT", AUTHSCORE_RES_TEMPERROR, AUTHSCORE_DMARC_POLICY_UNSET, 1},
    };
    char valid[4096];
    const char *rest;
    char *eml = fixture(valid, sizeof valid, &rest);
    dk_keys keys;
    cr_assert_eq(dk_keys_open(&keys), 0, "%s:%u", keys.path, keys.line);
    as_memdns *dns = keys.dns;
    static const char policy[] = "v=DMARC1; p=reject";
    cr_assert_eq(as_memdns_add(dns, "_dmarc.example.com", AUTHSCORE_QTYPE_TXT, policy,
                               sizeof policy - 1), 0);
    cr_assert_eq(as_memdns_set_status(dns, "timeout._domainkey.other.com", 0,
                                      AUTHSCORE_DNS_TIMEOUT), 0);
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0, "%s", authscore_ctx_error(ctx));
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
        static char msg[1 << 16];
        size_t n = message(msg, sizeof msg, valid, rest, rows[r].sigs);
        authscore_msg *m;
        cr_assert_eq(authscore_msg_new(ctx, NULL, NULL, NULL, msg, n, &m), 0);
        cr_expect_lt(authscore_msg_temperror(m), 0, "[%s] nothing to report yet", rows[r].sigs);
        cr_assert_eq(authscore_msg_set_time(m, NOW), 0);
        sansio_drive(m, dns, 0);
        cr_expect_eq(authscore_dmarc_result(m), rows[r].dmarc, "[%s] dmarc %s (%s)",
                     rows[r].sigs, authscore_result_name(authscore_dmarc_result(m)),
                     authscore_dmarc_reason(m));
        cr_expect_eq(authscore_dmarc_disposition(m), rows[r].disposition, "[%s]", rows[r].sigs);
        cr_expect_eq(authscore_msg_temperror(m), rows[r].temperror, "[%s]", rows[r].sigs);
        char sum[AS_EXIM_SUMMARY_MAX], tf[8];
        cr_assert_geq(as_exim_summary(m, sum, sizeof sum), 0);
        summary_field(sum, "temperror", tf, sizeof tf);
        cr_expect_str_eq(tf, rows[r].temperror ? "yes" : "no", "[%s] %s", rows[r].sigs, sum);
        authscore_msg_free(m);
    }
    cr_expect_lt(authscore_msg_temperror(NULL), 0, "NULL: nothing to report, nonzero");
    authscore_ctx_free(ctx);
    dk_keys_close(&keys);
    free(eml);
}
