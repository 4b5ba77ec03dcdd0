/* test_dkim_overall.c - "the message's DKIM result" (docs/dkim.md), one
 * definition: a table of signature-result combinations through the public
 * sans-I/O API (answers from memdns over tests/dkim/data/keys.zone), and
 * the three readers agreeing with authscore_dkim_overall(): the rules'
 * `dkim` condition, the Exim summary's `dkim` field, and the symbols. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <authscore.h>
#include "dns/memdns.h"
#include "host/exim/exim.h"
#include "util/arena.h"

#define NOW 1700000100 /* inside the fixture signature's t= .. x= */

/* One signature per letter; each is the fixture's valid rsa2048 signature
 * (tests/dkim/data/rsa.eml), changed so that it gives that result. */
enum sig { P, F, T, E };

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

static char *slurp(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", getenv("AUTHSCORE_SOURCE_ROOT"), rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: the fixture is part of the tree", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The fixture's DKIM-Signature line (without its line end) and the
 * message after it. */
static void fixture(char *sigline, size_t cap, const char **rest)
{
    size_t len;
    char *eml = slurp("tests/dkim/data/rsa.eml", &len);
    char *eol = strchr(eml, '\n');
    cr_assert(eol && !strncmp(eml, "DKIM-Signature:", 15));
    size_t n = (size_t)(eol - eml);
    if (n && eml[n - 1] == '\r')
        n--;
    cr_assert_lt(n, cap);
    memcpy(sigline, eml, n);
    sigline[n] = '\0';
    *rest = eol + 1;
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
    }
}

static as_memdns *keys(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/dkim/data/keys.zone", getenv("AUTHSCORE_SOURCE_ROOT"));
    as_memdns *d = as_memdns_new();
    unsigned line = 0;
    cr_assert_not_null(d);
    cr_assert_eq(as_memdns_load_file(d, path, &line), 0, "%s:%u", path, line);
    return d;
}

/* The host's loop: every question answered from memdns, text form. */
static void drive(authscore_msg *m, const as_memdns *dns)
{
    uint32_t id;
    const char *qname;
    int qtype;
    for (;;) {
        int got = 0;
        while (authscore_msg_next_query(m, &id, &qname, &qtype) == 1) {
            got = 1;
            as_arena a;
            as_arena_init(&a, 1u << 20);
            as_dns_answer ans;
            cr_assert_eq(as_memdns_lookup(dns, &a, qname, (uint16_t)qtype, &ans), 0);
            const char *rd[8];
            size_t rl[8];
            size_t n = 0;
            for (size_t i = 0; qtype == AUTHSCORE_QTYPE_TXT && i < ans.count && n < 8; i++) {
                rd[n] = ans.rr[i].u.txt.p;
                rl[n++] = ans.rr[i].u.txt.len;
            }
            int status = qtype == AUTHSCORE_QTYPE_TXT ? ans.status : AUTHSCORE_DNS_NXDOMAIN;
            cr_assert_eq(authscore_msg_answer(m, id, status, ans.dnssec, ans.why_bogus, 300, rd,
                                              rl, status == AUTHSCORE_DNS_OK ? n : 0),
                         0);
            as_arena_free(&a);
        }
        if (!got || authscore_msg_outstanding(m) == 0)
            break;
    }
    cr_assert_eq(authscore_msg_result(m), 0);
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
    fixture(valid, sizeof valid, &rest);
    as_memdns *dns = keys();
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
        size_t n = 0;
        for (const char *k = sigs; *k; k++) {
            char line[4096];
            signature(line, sizeof line, valid, *k == 'P' ? P : *k == 'F' ? F : *k == 'T' ? T : E);
            n += (size_t)snprintf(msg + n, sizeof msg - n, "%s\r\n", line);
        }
        n += (size_t)snprintf(msg + n, sizeof msg - n, "%s", *sigs ? rest : BODY);
        if (!*sigs)
            n += (size_t)snprintf(msg + n, sizeof msg - n, "\r\nHello.\r\n");

        authscore_msg *m;
        cr_assert_eq(authscore_msg_new(ctx, NULL, NULL, NULL, msg, n, &m), 0);
        cr_expect_eq(authscore_dkim_overall(m), AUTHSCORE_RES_NOT_EVALUATED,
                     "[%s] before the result", sigs);
        cr_assert_eq(authscore_msg_set_time(m, NOW), 0);
        drive(m, dns);

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

        authscore_msg_free(m);
        authscore_ctx_free(ctx);
    }
    as_memdns_free(dns);
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
