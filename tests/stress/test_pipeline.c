/* test_pipeline.c - replay fuzz/corpus/pipeline through the fuzz target's
 * driver (pipeline_driver.c): every seed and every regression input must
 * pass every invariant, and the seeds built from the examples must give
 * the results examples/README.md documents (so the corpus really reaches
 * SPF matching, DKIM crypto and DMARC alignment). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pipeline_driver.h"

static char *corpus_dir(void)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    static char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/pipeline", root ? root : ".");
    return path;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static pd_stats replay(const char *name)
{
    char path[4352];
    snprintf(path, sizeof path, "%s/%s", corpus_dir(), name);
    size_t len;
    unsigned char *data = slurp(path, &len);
    cr_assert(data != NULL, "cannot read %s", path);
    pd_stats st;
    int rc = pd_run(data, len, &st);
    free(data);
    cr_assert_eq(rc, 0, "%s: invariant failed at pipeline_driver.c:%d: %s\n%s", name,
                 st.line, st.violation ? st.violation : "?", st.detail ? st.detail : "");
    return st;
}

Test(pipeline, every_corpus_input_keeps_the_invariants)
{
    DIR *d = opendir(corpus_dir());
    cr_assert(d != NULL, "no corpus at %s", corpus_dir());
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        pd_stats st = replay(e->d_name);
        cr_log_info("%s: %u questions, %u answers: %s", e->d_name, st.questions,
                    st.answers, st.summary);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 10, "only %d corpus inputs", n);
}

/* What examples/README.md says each example shows. */
static const struct {
    const char *seed, *summary;
} expect[] = {
    {"example-pass", "spf=pass/none dkim=pass dmarc=pass"},
    {"example-spf-fail", "spf=fail/none dkim=- dmarc=fail"},
    {"example-dkim-body-modified", "spf=pass/none dkim=fail dmarc=pass"},
    {"example-dmarc-reject", "spf=fail/none dkim=- dmarc=fail"},
    {"example-dnssec-bogus", "spf=temperror/none dkim=- dmarc=temperror"},
    {"example-forwarded", "spf=fail/none dkim=pass dmarc=pass"},
    /* the key as a wire packet in two character-strings */
    {"pass-key-wire", "spf=pass/none dkim=pass dmarc=pass"},
    /* RFC 7208 5.5: the PTR name validated by its A / AAAA record */
    {"spf-ptr", "spf=pass/none dkim=permerror dmarc=none"},
    {"spf-ptr-v6", "spf=pass/none dkim=permerror dmarc=none"},
    /* nothing answers: SPF and DKIM temperror, DMARC cannot find a policy */
    {"pass-all-timeout", "spf=temperror/temperror dkim=temperror dmarc=temperror"},
};

Test(pipeline, example_seeds_give_the_documented_results)
{
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        pd_stats st = replay(expect[i].seed);
        cr_expect_str_eq(st.summary, expect[i].summary, "%s", expect[i].seed);
    }
}

Test(pipeline, ten_signatures_verify_at_most_the_cap)
{
    pd_stats st = replay("dkim-ten-signatures");
    /* 8 verified (the default cap), 2 not evaluated */
    cr_expect_str_eq(st.summary, "spf=pass/none dkim=pass,pass,pass,pass,pass,pass,"
                                 "pass,pass,not_evaluated,not_evaluated dmarc=pass");
}

Test(pipeline, empty_and_truncated_inputs)
{
    static const unsigned char empty[1];
    pd_stats st;
    cr_assert_eq(pd_run(empty, 0, &st), 0, "%s", st.violation);
    for (size_t n = 1; n < 64; n++) {
        unsigned char b[64];
        memset(b, (int)n, sizeof b);
        cr_assert_eq(pd_run(b, n, &st), 0, "len %zu: line %d %s", n, st.line, st.violation);
    }
}

/* ---- hostile sizes, built here rather than stored in the corpus ---- */

typedef struct ibuf {
    unsigned char *p;
    size_t len, cap;
} ibuf;

static void put(ibuf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        cr_assert(b->p != NULL);
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

static void put8(ibuf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put16(ibuf *b, unsigned v)
{
    put8(b, v & 0xff);
    put8(b, v >> 8);
}

static void putstr8(ibuf *b, const char *s)
{
    put8(b, (unsigned)strlen(s));
    put(b, s, strlen(s));
}

/* Envelope (table entry 0: 192.0.2.25), message, empty zone section. */
static void put_head(ibuf *b, const char *msg, size_t len)
{
    put8(b, 0);
    put8(b, 0);
    put8(b, 0);
    putstr8(b, "mx.good.example");
    putstr8(b, "alice@good.example");
    put8(b, len & 0xff);
    put8(b, (len >> 8) & 0xff);
    put8(b, (len >> 16) & 0xff);
    put(b, msg, len);
    put8(b, 0);
}

static pd_stats run_buf(ibuf *b)
{
    pd_stats st;
    int rc = pd_run(b->p, b->len, &st);
    cr_assert_eq(rc, 0, "invariant failed at pipeline_driver.c:%d: %s\n%s", st.line,
                 st.violation ? st.violation : "?", st.detail ? st.detail : "");
    return st;
}

Test(pipeline, twelve_hundred_signatures_one_result_each)
{
    /* More DKIM-Signature fields than the parser records positions for
     * (AS_MESSAGE_MAX_DKIM_SIGNATURES): every one still gets a result. */
    ibuf m = {0};
    char line[256];
    for (int i = 0; i < 1200; i++) {
        int n = snprintf(line, sizeof line,
                         "DKIM-Signature: v=1; a=rsa-sha256; d=good.example; s=s%d; "
                         "h=from; bh=AAAA; b=AAAA\r\n", i);
        put(&m, line, (size_t)n);
    }
    const char *rest = "From: alice@good.example\r\n\r\nbody\r\n";
    put(&m, rest, strlen(rest));
    ibuf in = {0};
    put_head(&in, (const char *)m.p, m.len);
    /* every question: NXDOMAIN (the stream is empty) */
    pd_stats st = run_buf(&in);
    cr_expect_leq(st.questions, 8 + 8, "%u questions for 1200 signatures", st.questions);
    free(m.p);
    free(in.p);
}

Test(pipeline, big_header_block_and_body)
{
    /* A header block at its 1 MiB cap and a 4 MiB body. */
    ibuf m = {0};
    char line[1100];
    memset(line, 'x', sizeof line);
    memcpy(line, "X-Filler: ", 10);
    memcpy(line + sizeof line - 2, "\r\n", 2);
    for (int i = 0; i < 1000; i++)
        put(&m, line, sizeof line);
    const char *h = "From: alice@good.example\r\nDKIM-Signature: v=1; a=rsa-sha256; "
                    "c=relaxed/relaxed; d=good.example; s=sel2026; h=from; l=100; "
                    "bh=AAAA; b=AAAA\r\n\r\n";
    put(&m, h, strlen(h));
    static char body[4 << 20];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (i % 80 == 79) ? '\n' : (char)(' ' + i % 90);
    put(&m, body, sizeof body);
    ibuf in = {0};
    put_head(&in, (const char *)m.p, m.len);
    run_buf(&in);
    free(m.p);
    free(in.p);
}

Test(pipeline, answers_that_exhaust_the_message_arena)
{
    /* Every question is answered with 7 TXT records of 65535 bytes: the
     * per-message arena (8 MiB) runs out mid-message.  The message must
     * still end with a defined result, or AUTHSCORE_ENOMEM. */
    FILE *f;
    char path[4352];
    snprintf(path, sizeof path, "%s/../../../examples/messages/pass.eml", corpus_dir());
    f = fopen(path, "rb");
    cr_assert(f != NULL, "%s", path);
    static char msg[65536];
    size_t len = fread(msg, 1, sizeof msg, f);
    fclose(f);
    ibuf in = {0};
    put_head(&in, msg, len);
    /* One SPF record that includes a new name at every level (%{d} grows),
     * for both identities, plus six 64 KiB fillers per answer. */
    static char big[65535];
    memset(big, 'z', sizeof big);
    const char *spf = "v=spf1 include:n.%{d} -all";
    for (int q = 0; q < 40; q++) {
        put8(&in, AUTHSCORE_DNS_OK | (AUTHSCORE_DNSSEC_SECURE << 3) | (7 << 5));
        put16(&in, (unsigned)strlen(spf));
        put(&in, spf, strlen(spf));
        for (int r = 0; r < 6; r++) {
            put16(&in, sizeof big);
            put(&in, big, sizeof big);
        }
    }
    pd_stats st = run_buf(&in);
    cr_log_info("arena: %u questions, %u answers: %s", st.questions, st.answers,
                st.summary);
    free(in.p);
}

/* ---- configured limits reach the engines ---- */

/* SPF of good.example = "v=spf1 a:nx.good.example -all", nx.good.example
 * does not exist (one void lookup); returns the MAIL FROM result. */
static int spf_with_void_limit(const char *max_void, int *voids)
{
    authscore_ctx *c;
    cr_assert_eq(authscore_ctx_new(&c), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.backend", "none"), 0);
    if (authscore_ctx_set_option(c, "spf.max_void_lookups", max_void) != 0) {
        authscore_ctx_free(c);
        *voids = -1;
        return -1; /* the value was refused */
    }
    cr_assert_eq(authscore_ctx_finalize(c), 0);
    const char *msg = "From: a@good.example\r\n\r\nbody\r\n";
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(c, "192.0.2.1", "", "a@good.example", msg,
                                   strlen(msg), &m), 0);
    for (int wave = 0; wave < 16; wave++) {
        uint32_t id;
        const char *qn;
        int qt, any = 0;
        while (authscore_msg_next_query(m, &id, &qn, &qt) == 1) {
            any = 1;
            if (!strcmp(qn, "good.example") && qt == AUTHSCORE_QTYPE_TXT) {
                const char *r = "v=spf1 a:nx.good.example -all";
                size_t l = strlen(r);
                cr_assert_eq(authscore_msg_answer(m, id, AUTHSCORE_DNS_OK, 1, NULL, 300,
                                                  &r, &l, 1), 0);
            } else {
                cr_assert_eq(authscore_msg_answer(m, id, AUTHSCORE_DNS_NXDOMAIN, 1, NULL,
                                                  300, NULL, NULL, 0), 0);
            }
        }
        if (!any)
            break;
    }
    cr_assert_eq(authscore_msg_result(m), 0);
    int res = authscore_spf_result(m, AUTHSCORE_SPF_MFROM);
    *voids = authscore_spf_void_lookups(m, AUTHSCORE_SPF_MFROM);
    authscore_msg_free(m);
    authscore_ctx_free(c);
    return res;
}

Test(pipeline, one_void_lookup_within_the_limit)
{
    int voids;
    cr_expect_eq(spf_with_void_limit("1", &voids), AUTHSCORE_RES_FAIL);
    cr_expect_eq(voids, 1);
}

/* Regression: spf.max_void_lookups=0 was accepted but the SPF engine read
 * a 0 limit as "the RFC default of 2", so an operator who forbade void
 * lookups silently got 2.  The option now refuses 0 (range 1..2). */
Test(pipeline, zero_void_lookups_refused_or_honoured)
{
    int voids;
    int res = spf_with_void_limit("0", &voids);
    cr_expect(res == -1 || res == AUTHSCORE_RES_PERMERROR,
              "spf.max_void_lookups=0 accepted, yet a void lookup gave %s (%d voids)",
              authscore_result_name(res), voids);
}

/* ---- regressions found by fuzz_pipeline ---- */

/* Regressions found by fuzz_pipeline: module/dkim/dkim.c computed
 * sg->t - d->now in int64_t, which overflowed for a host clock far in the
 * past (or a saturated t=), so a signature from the far future PASSED
 * instead of failing with sig_future.  The difference is now unsigned. */
Test(pipeline, regress_dkim_t_with_clock_int64_min)
{
    pd_avoid_negative_clock = 0;
    pd_stats st = replay("regress-dkim-t-clock-int64-min");
    cr_expect_str_eq(st.summary, "spf=pass/none dkim=permerror dmarc=pass");
}

Test(pipeline, regress_dkim_saturated_t_with_clock_minus_one)
{
    pd_avoid_negative_clock = 0;
    pd_stats st = replay("regress-dkim-t-saturated-clock-minus-one");
    cr_expect_str_eq(st.summary, "spf=pass/none dkim=permerror dmarc=pass");
}

/* Both contexts must build: a variant that failed to set up (its rules,
 * say) would make pd_run skip half the inputs silently. */
Test(pipeline, both_contexts_build_and_variant_1_scores)
{
    cr_assert_not_null(pd_context(0));
    cr_assert_not_null(pd_context(1));
    cr_assert_gt(authscore_rules_count(pd_context(1)), 35, "variant 1 has its rules");
    cr_assert_eq(authscore_rules_count(pd_context(0)), 0);
}
