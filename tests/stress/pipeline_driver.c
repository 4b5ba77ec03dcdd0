/* pipeline_driver.c - see pipeline_driver.h for the input layout.
 *
 * Uses only the public API, plus the module's documented caps
 * (AS_QTAB_MAX_QUESTIONS, AS_DNS_MAX_NAME, the SPF and DKIM limits) so the
 * checks follow the module when a cap changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline_driver.h"

#include "dkim/dkim.h"
#include "dns/dns.h"
#include "dns/qtab.h"
#include "spf/spf.h"

/* Context variant 1: limits configured below the RFC values. */
#define PD_V1_SPF_LOOKUPS 3
#define PD_V1_SPF_VOIDS 1
#define PD_V1_DKIM_SIGS 2

/* Longest string a getter may return before we call it unterminated. */
#define PD_MAX_STRING (16u << 20)

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            st->violation = #c;                                                \
            st->line = __LINE__;                                               \
            return -1;                                                         \
        }                                                                      \
    } while (0)

/* ---- the byte reader: a small FuzzedDataProvider ---- */

typedef struct rd {
    const uint8_t *p;
    size_t left;
} rd;

static unsigned rd_u8(rd *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static unsigned rd_u16(rd *r)
{
    unsigned lo = rd_u8(r);
    return lo | (rd_u8(r) << 8);
}

static size_t rd_u24(rd *r)
{
    size_t lo = rd_u16(r);
    return lo | ((size_t)rd_u8(r) << 16);
}

/* n bytes (clamped to what is left); *got receives the count. */
static const uint8_t *rd_bytes(rd *r, size_t n, size_t *got)
{
    if (n > r->left)
        n = r->left;
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    *got = n;
    return p;
}

/* A NUL-terminated copy of a str8 into buf[256]; NULL for length 0xff. */
static const char *rd_str8(rd *r, char buf[256])
{
    unsigned n = rd_u8(r);
    if (n == 0xff)
        return NULL;
    size_t got;
    const uint8_t *p = rd_bytes(r, n, &got);
    memcpy(buf, p, got);
    buf[got] = '\0';
    return buf;
}

int pd_avoid_negative_clock = 0;

/* ---- contexts ---- */

/* Variant 1 scores with these rules: weights, a header regex, a list, a
 * symbol condition and a cancel, so the scorer sees every message too. */
static const char pd_rules[] =
    "symbols {\n"
    "  R_SPF_ALLOW { weight = -0.2; }\n"
    "  R_SPF_FAIL { weight = 1; }\n"
    "  R_DKIM_ALLOW { weight = -0.2; }\n"
    "  R_DKIM_REJECT { weight = 1; }\n"
    "  DMARC_POLICY_REJECT { weight = 2; }\n"
    "  AS_DNSSEC_BOGUS { weight = 3; }\n"
    "}\n"
    "lists {\n"
    "  fw { domains = [\"example.com\", \"example.org\"]; }\n"
    "}\n"
    "rules {\n"
    "  PD_SUBJECT { weight = 0.7; dmarc = \"!pass\"; header { name = \"Subject\"; regex = \"/(a|b)+c/i\"; } }\n"
    "  PD_FORWARDER { weight = 0; spf = [\"fail\", \"softfail\"]; cancel = [\"R_SPF_FAIL\"]; helo { list = \"fw\"; } }\n"
    "  PD_BOTH { weight = 0.3; symbol = [\"PD_SUBJECT\", \"R_DKIM_REJECT\"]; from_domain = \"/x/\"; }\n"
    "}\n";

/* The rules go through a file, as a host's would; it is gone once loaded. */
static int pd_load_rules(authscore_ctx *c)
{
    char path[] = "/tmp/authscore-pd-rules-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    int ok = f && fwrite(pd_rules, 1, sizeof pd_rules - 1, f) == sizeof pd_rules - 1;
    if (f)
        ok &= fclose(f) == 0;
    int rc = ok ? authscore_ctx_set_option(c, "rules.file", path) : -1;
    if (rc == 0)
        rc = authscore_ctx_finalize(c);
    unlink(path);
    return rc;
}

/* Built once; call pd_context(0) and (1) before starting threads. */
static authscore_ctx *g_ctx[2];

const authscore_ctx *pd_context(int variant)
{
    variant &= 1;
    if (g_ctx[variant])
        return g_ctx[variant];
    authscore_ctx *c;
    if (authscore_ctx_new(&c) < 0)
        return NULL;
    int rc = authscore_ctx_set_option(c, "dns.backend", "none");
    /* Each input is its own DNS world: no answer may carry over. */
    if (rc == 0)
        rc = authscore_ctx_set_option(c, "dns.cache_size", "0");
    if (rc == 0)
        rc = authscore_ctx_set_option(c, "authserv_id", "mx.receiver.example");
    if (rc == 0 && variant == 1) {
        rc = authscore_ctx_set_option(c, "dmarc.mode", "rfc7489");
        if (rc == 0)
            rc = authscore_ctx_set_option(c, "spf.max_lookups", "3");
        if (rc == 0)
            rc = authscore_ctx_set_option(c, "spf.max_void_lookups", "1");
        if (rc == 0)
            rc = authscore_ctx_set_option(c, "dkim.max_signatures", "2");
    }
    if (rc == 0)
        rc = variant == 1 ? pd_load_rules(c) : authscore_ctx_finalize(c);
    if (rc < 0) {
        authscore_ctx_free(c);
        return NULL;
    }
    g_ctx[variant] = c;
    return c;
}

/* ---- the envelope ---- */

static const char *const ip_table[] = {
    "192.0.2.25",    "198.51.100.7",   "203.0.113.66", "192.0.2.90",
    "198.51.100.25", "2001:db8::25",   "::ffff:192.0.2.25",
    "::1",           "0.0.0.0",        "255.255.255.255",
    "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1%eth0",
    "::ffff:198.51.100.7", "::",       "192.0.2.256",  "1.2.3",
};
#define PD_IP_TABLE (sizeof ip_table / sizeof *ip_table)

/* ---- the DNS answers ---- */

typedef struct zent {
    char name[256];
    unsigned qtype;
    unsigned ctl;
    rd payload; /* the bytes of this entry's payload */
} zent;

#define PD_ZONE_MAX 64
#define PD_KIND_WIRE 5
#define PD_KIND_SKIP 6
#define PD_KIND_STOP 7

/* Skip (or capture) the payload that follows ctl. */
static rd take_payload(rd *r, unsigned ctl)
{
    rd start = *r;
    unsigned kind = ctl & 7;
    if (kind == PD_KIND_WIRE) {
        size_t got;
        rd_bytes(r, rd_u16(r), &got);
    } else if (kind <= AUTHSCORE_DNS_TIMEOUT) {
        unsigned n = ctl >> 5;
        for (unsigned i = 0; i < n; i++) {
            size_t got;
            rd_bytes(r, rd_u16(r), &got);
        }
    }
    start.left -= r->left;
    return start;
}

/* Compare a question name with a zone name: ASCII case-insensitive,
 * ignoring one trailing dot on either. */
static int same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.')
        la--;
    if (lb && b[lb - 1] == '.')
        lb--;
    if (la != lb)
        return 0;
    for (size_t i = 0; i < la; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y)
            return 0;
    }
    return 1;
}

/* Answer question id with ctl and the payload in r.  Returns the public
 * API's return code. */
static int give_answer(authscore_msg *m, uint32_t id, unsigned ctl, rd *r)
{
    unsigned kind = ctl & 7;
    int dnssec = (int)((ctl >> 3) & 3);
    const char *why = dnssec == AUTHSCORE_DNSSEC_BOGUS ? "fuzz: bogus" : NULL;
    if (kind == PD_KIND_WIRE) {
        size_t got;
        const uint8_t *p = rd_bytes(r, rd_u16(r), &got);
        /* An exact-size heap copy, so ASan sees any over-read. */
        unsigned char *pkt = malloc(got ? got : 1);
        if (!pkt)
            return AUTHSCORE_ENOMEM;
        memcpy(pkt, p, got);
        int rc = authscore_msg_answer_wire(m, id, pkt, got, dnssec, why);
        free(pkt);
        return rc;
    }
    unsigned n = ctl >> 5;
    const char *rdata[8];
    size_t rlen[8];
    char *own[8] = {0};
    for (unsigned i = 0; i < n; i++) {
        size_t got;
        const uint8_t *p = rd_bytes(r, rd_u16(r), &got);
        own[i] = malloc(got ? got : 1); /* exact size, not NUL-terminated */
        if (own[i])
            memcpy(own[i], p, got);
        rdata[i] = own[i];
        rlen[i] = got;
    }
    int rc = authscore_msg_answer(m, id, (int)kind, dnssec, why, 300,
                                  rdata, rlen, n);
    for (unsigned i = 0; i < n; i++)
        free(own[i]);
    return rc;
}

/* ---- result checks ---- */

static int valid_str(const char *s)
{
    return s == NULL || strnlen(s, PD_MAX_STRING) < PD_MAX_STRING;
}

static int valid_result(int r)
{
    return r >= AUTHSCORE_RES_NOT_EVALUATED && r <= AUTHSCORE_RES_POLICY;
}

static int valid_dnssec(int d)
{
    return d >= AUTHSCORE_DNSSEC_INDETERMINATE && d <= AUTHSCORE_DNSSEC_BOGUS;
}

static int valid_policy(int p)
{
    return p >= AUTHSCORE_DMARC_POLICY_UNSET && p <= AUTHSCORE_DMARC_POLICY_REJECT;
}

/* Getters must be safe (and say "not available") in every phase. */
static int check_early_getters(const authscore_msg *m, pd_stats *st)
{
    CHECK(authscore_spf_result(m, AUTHSCORE_SPF_MFROM) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_dkim_count(m) == 0);
    CHECK(authscore_dmarc_result(m) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_dmarc_reason(m) == NULL);
    CHECK(authscore_spf_lookups(m, AUTHSCORE_SPF_HELO) == AUTHSCORE_ENOTEVAL);
    CHECK(authscore_dkim_result(m, 0) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_dkim_dnssec(m, 0) == AUTHSCORE_DNSSEC_INDETERMINATE);
    CHECK(authscore_dkim_key_bits(m, 0) == AUTHSCORE_ENOTEVAL);
    CHECK(authscore_dkim_overall(m) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_msg_outstanding(m) >= 0);
    CHECK(authscore_msg_dns_queries(m) >= 0);
    CHECK(valid_str(authscore_msg_from_domain(m)));
    CHECK(valid_str(authscore_ar_header(m)));
    return 0;
}

static int check_spf(const authscore_msg *m, int id, int variant, pd_stats *st)
{
    int max_lookups = variant ? PD_V1_SPF_LOOKUPS : AS_SPF_MAX_LOOKUPS;
    int max_voids = variant ? PD_V1_SPF_VOIDS : AS_SPF_MAX_VOID_LOOKUPS;
    int res = authscore_spf_result(m, id);
    int dnssec = authscore_spf_dnssec(m, id);
    int lookups = authscore_spf_lookups(m, id);
    int voids = authscore_spf_void_lookups(m, id);
    CHECK(valid_result(res) && res != AUTHSCORE_RES_POLICY);
    CHECK(valid_dnssec(dnssec));
    CHECK(valid_str(authscore_spf_domain(m, id)));
    CHECK(valid_str(authscore_spf_mechanism(m, id)));
    CHECK(valid_str(authscore_spf_explanation(m, id)));
    CHECK(valid_str(authscore_spf_reason(m, id)));
    if (lookups == AUTHSCORE_ENOTEVAL) {
        /* No engine for this identity. */
        CHECK(res == AUTHSCORE_RES_NOT_EVALUATED);
        CHECK(voids == AUTHSCORE_ENOTEVAL);
        return 0;
    }
    /* An engine that ran has finished once result() returned. */
    CHECK(res != AUTHSCORE_RES_NOT_EVALUATED);
    /* RFC 7208 4.6.4: the count may reach limit + 1 only on the lookup
     * that broke the limit, and that is a permerror. */
    CHECK(lookups >= 0 && lookups <= max_lookups + 1);
    CHECK(voids >= 0 && voids <= max_voids + 1);
    CHECK(lookups <= max_lookups || res == AUTHSCORE_RES_PERMERROR);
    CHECK(voids <= max_voids || res == AUTHSCORE_RES_PERMERROR);
    /* A bogus answer is never used as data (DESIGN.md). */
    CHECK(dnssec != AUTHSCORE_DNSSEC_BOGUS || res == AUTHSCORE_RES_TEMPERROR);
    /* exp= text only comes with a fail. */
    CHECK(authscore_spf_explanation(m, id) == NULL || res == AUTHSCORE_RES_FAIL);
    return 0;
}

static int check_dkim(const authscore_msg *m, int variant, pd_stats *st)
{
    size_t n = authscore_dkim_count(m);
    int cap = variant ? PD_V1_DKIM_SIGS : AS_DKIM_MAX_SIGNATURES;
    CHECK(n <= authscore_msg_dkim_signatures(m));
    size_t verified = 0;
    for (size_t i = 0; i < n; i++) {
        int res = authscore_dkim_result(m, i);
        int dnssec = authscore_dkim_dnssec(m, i);
        int bits = authscore_dkim_key_bits(m, i);
        unsigned flags = authscore_dkim_flags(m, i);
        CHECK(valid_result(res) && res != AUTHSCORE_RES_POLICY);
        CHECK(valid_dnssec(dnssec));
        CHECK(bits >= 0 && bits <= 65536);
        CHECK((flags & ~0xfu) == 0);
        CHECK(valid_str(authscore_dkim_domain(m, i)));
        CHECK(valid_str(authscore_dkim_selector(m, i)));
        CHECK(valid_str(authscore_dkim_algorithm(m, i)));
        CHECK(valid_str(authscore_dkim_reason(m, i)));
        /* Not evaluated only beyond the cap, and then flagged. */
        CHECK((res == AUTHSCORE_RES_NOT_EVALUATED) ==
              ((flags & AUTHSCORE_DKIM_NOT_EVALUATED) != 0));
        if (res == AUTHSCORE_RES_PASS) {
            CHECK(authscore_dkim_domain(m, i) && authscore_dkim_selector(m, i));
            CHECK(bits > 0);
        }
        CHECK(dnssec != AUTHSCORE_DNSSEC_BOGUS || res == AUTHSCORE_RES_TEMPERROR);
        if (res == AUTHSCORE_RES_PASS || res == AUTHSCORE_RES_FAIL)
            verified++;
    }
    /* Only the first `cap` signatures needing a key are verified. */
    CHECK(verified <= (size_t)cap);
    CHECK(authscore_dkim_result(m, n) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_dkim_key_bits(m, n) == AUTHSCORE_ENOTEVAL);
    CHECK(authscore_dkim_domain(m, n) == NULL);
    CHECK(authscore_dkim_flags(m, n) == 0);
    return 0;
}

static int check_dmarc(const authscore_msg *m, pd_stats *st)
{
    int res = authscore_dmarc_result(m);
    int sa = authscore_dmarc_spf_aligned(m);
    int da = authscore_dmarc_dkim_aligned(m);
    int dnssec = authscore_dmarc_dnssec(m);
    CHECK(valid_result(res) && res != AUTHSCORE_RES_POLICY);
    CHECK(valid_policy(authscore_dmarc_policy(m)));
    CHECK(valid_policy(authscore_dmarc_disposition(m)));
    CHECK(sa == 0 || sa == 1 || sa == AUTHSCORE_ENOTEVAL);
    CHECK(da == 0 || da == 1 || da == AUTHSCORE_ENOTEVAL);
    CHECK(valid_dnssec(dnssec));
    CHECK(valid_str(authscore_dmarc_domain(m)));
    CHECK(valid_str(authscore_dmarc_reason(m)));
    if (res == AUTHSCORE_RES_PASS) {
        /* RFC 7489 4.2: pass needs an aligned pass. */
        CHECK(sa == 1 || da == 1);
        CHECK(authscore_dmarc_domain(m) != NULL);
    }
    /* RFC 7489 6.6.4/6.7: only a failing message gets a disposition
     * stronger than none, and never stronger than the policy applied
     * (pct= may only soften it). */
    int pol = authscore_dmarc_policy(m), disp = authscore_dmarc_disposition(m);
    if (res != AUTHSCORE_RES_FAIL)
        CHECK(disp == AUTHSCORE_DMARC_POLICY_UNSET || disp == AUTHSCORE_DMARC_POLICY_NONE);
    if (pol != AUTHSCORE_DMARC_POLICY_UNSET)
        CHECK(disp <= pol);
    if (sa == 1)
        CHECK(authscore_spf_result(m, AUTHSCORE_SPF_MFROM) == AUTHSCORE_RES_PASS);
    if (da == 1) {
        int any = 0;
        for (size_t i = 0; i < authscore_dkim_count(m); i++)
            any |= authscore_dkim_result(m, i) == AUTHSCORE_RES_PASS;
        CHECK(any);
    }
    CHECK(dnssec != AUTHSCORE_DNSSEC_BOGUS || res == AUTHSCORE_RES_TEMPERROR);
    return 0;
}

#define PD_FP_MAX 4096

static const char *nz_str(const char *s) { return s ? s : "(null)"; }

/* Everything a host reads from a finished message, except the DNS
 * statistics (rounds, questions), which legitimately depend on the order
 * answers arrive in. */
static void fingerprint(const authscore_msg *m, char *out, size_t size)
{
    size_t k = 0;
#define FP(...)                                                               \
    do {                                                                       \
        if (k < size)                                                          \
            k += (size_t)snprintf(out + k, size - k, __VA_ARGS__);             \
    } while (0)
    out[0] = '\0';
    FP("parse=%d from=%zu/%s\n", authscore_msg_parse_status(m),
       authscore_msg_from_count(m), nz_str(authscore_msg_from_domain(m)));
    for (int id = 0; id < 2; id++)
        FP("spf%d %d %d %d %d %s|%s|%s|%s\n", id, authscore_spf_result(m, id),
           authscore_spf_dnssec(m, id), authscore_spf_lookups(m, id),
           authscore_spf_void_lookups(m, id), nz_str(authscore_spf_domain(m, id)),
           nz_str(authscore_spf_mechanism(m, id)),
           nz_str(authscore_spf_explanation(m, id)), nz_str(authscore_spf_reason(m, id)));
    for (size_t i = 0; i < authscore_dkim_count(m); i++)
        FP("dkim%zu %d %d %d %u %s|%s|%s|%s\n", i, authscore_dkim_result(m, i),
           authscore_dkim_dnssec(m, i), authscore_dkim_key_bits(m, i),
           authscore_dkim_flags(m, i), nz_str(authscore_dkim_domain(m, i)),
           nz_str(authscore_dkim_selector(m, i)), nz_str(authscore_dkim_algorithm(m, i)),
           nz_str(authscore_dkim_reason(m, i)));
    FP("dmarc %d %d %d %d %d %d %s|%s\n", authscore_dmarc_result(m),
       authscore_dmarc_policy(m), authscore_dmarc_disposition(m),
       authscore_dmarc_spf_aligned(m), authscore_dmarc_dkim_aligned(m),
       authscore_dmarc_dnssec(m), nz_str(authscore_dmarc_domain(m)),
       nz_str(authscore_dmarc_reason(m)));
    for (size_t i = 0; i < authscore_symbol_count(m); i++)
        FP("sym %s %.6f %zu\n", authscore_symbol_name(m, i), authscore_symbol_weight(m, i),
           authscore_symbol_option_count(m, i));
    double score;
    if (authscore_score(m, &score) == 0)
        FP("score %.6f\n", score);
#undef FP
}

static _Thread_local char g_fp[2][PD_FP_MAX];
static _Thread_local char g_detail[2 * PD_FP_MAX + 64];

static void summarize(const authscore_msg *m, pd_stats *st)
{
    char *p = st->summary, *end = st->summary + sizeof st->summary;
    p += snprintf(p, (size_t)(end - p), "spf=%s/%s dkim=",
                  authscore_result_name(authscore_spf_result(m, AUTHSCORE_SPF_MFROM)),
                  authscore_result_name(authscore_spf_result(m, AUTHSCORE_SPF_HELO)));
    size_t n = authscore_dkim_count(m);
    if (n == 0 && p < end)
        p += snprintf(p, (size_t)(end - p), "-");
    for (size_t i = 0; i < n && p < end; i++)
        p += snprintf(p, (size_t)(end - p), "%s%s", i ? "," : "",
                      authscore_result_name(authscore_dkim_result(m, i)));
    if (p < end)
        snprintf(p, (size_t)(end - p), " dmarc=%s",
                 authscore_result_name(authscore_dmarc_result(m)));
}

static int check_results(const authscore_msg *m, int variant, unsigned handed,
                         pd_stats *st)
{
    int ps = authscore_msg_parse_status(m);
    CHECK(ps <= 0 && ps >= AUTHSCORE_ENOTEVAL);
    size_t nf = authscore_msg_from_count(m);
    for (size_t i = 0; i < nf; i++) {
        const char *f = authscore_msg_from(m, i);
        CHECK(f != NULL && valid_str(f));
    }
    CHECK(authscore_msg_from(m, nf) == NULL);
    CHECK(valid_str(authscore_msg_from_domain(m)));
    CHECK(authscore_msg_from_domain(m) == NULL || nf == 1);
    int rounds = authscore_msg_dns_rounds(m);
    int queries = authscore_msg_dns_queries(m);
    CHECK(queries >= 0 && queries <= (int)AS_QTAB_MAX_QUESTIONS);
    CHECK((unsigned)queries >= handed);
    CHECK(rounds >= 0 && rounds <= queries);

    if (check_spf(m, AUTHSCORE_SPF_MFROM, variant, st) < 0 ||
        check_spf(m, AUTHSCORE_SPF_HELO, variant, st) < 0 ||
        check_dkim(m, variant, st) < 0 || check_dmarc(m, st) < 0)
        return -1;
    CHECK(authscore_spf_result(m, 2) == AUTHSCORE_RES_NOT_EVALUATED);
    CHECK(authscore_spf_result(m, -1) == AUTHSCORE_RES_NOT_EVALUATED);

    /* Variant 1 has rules: the score is the sum of the listed weights.
     * Variant 0 has none: symbols weigh 0 and there is no score. */
    double score, sum = 0;
    int src = authscore_score(m, &score);
    CHECK(src == (variant == 1 ? 0 : AUTHSCORE_ENOTEVAL));
    size_t ns = authscore_symbol_count(m);
    for (size_t i = 0; i < ns; i++) {
        const char *name = authscore_symbol_name(m, i);
        CHECK(name != NULL && valid_str(name));
        double w = authscore_symbol_weight(m, i);
        CHECK(w >= -1000 && w <= 1000);
        CHECK(variant == 1 || w == 0);
        sum += w;
        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(authscore_symbol_name(m, k), name) != 0);
        size_t no = authscore_symbol_option_count(m, i);
        for (size_t j = 0; j < no; j++)
            CHECK(valid_str(authscore_symbol_option(m, i, j)));
        CHECK(authscore_symbol_option(m, i, no) == NULL);
    }
    CHECK(authscore_symbol_name(m, ns) == NULL);
    CHECK(src != 0 || (score - sum < 1e-6 && sum - score < 1e-6));
    CHECK(valid_str(authscore_ar_header(m)));
    summarize(m, st);
    return 0;
}

static int run_msg(authscore_msg *m, int variant, unsigned flags, int order, rd *r,
                   pd_stats *st);

/* One pass over the message: new, set_time, the loop, result, checks.
 * Fills g_fp[order] when the result was reached. */
static int one_pass(const authscore_ctx *ctx, const char *ip, const char *helo,
                    const char *mail_from, const char *msg, size_t mlen, int64_t now,
                    int variant, unsigned flags, int order, rd stream, pd_stats *st)
{
    authscore_msg *m = NULL;
    g_fp[order][0] = '\0';
    int rc = authscore_msg_new(ctx, ip, helo, mail_from, msg, mlen, &m);
    if (rc == AUTHSCORE_ENOMEM) {
        st->enomem = 1;
        return 0;
    }
    if (rc != 0 || !m) {
        st->violation = "authscore_msg_new succeeds on any envelope under 512 bytes";
        st->line = __LINE__;
        return -1;
    }
    int ret;
    if (authscore_msg_set_time(m, now) != 0) {
        st->violation = "authscore_msg_set_time in phase NEW returns 0";
        st->line = __LINE__;
        ret = -1;
    } else {
        ret = run_msg(m, variant, flags, order, &stream, st);
        if (ret == 0 && !st->enomem)
            fingerprint(m, g_fp[order], PD_FP_MAX);
    }
    authscore_msg_free(m);
    return ret;
}

/* ---- the loop ---- */

typedef struct pending {
    uint32_t id;
    const char *qname;
    int qtype;
} pending;

static int valid_qtype(int t)
{
    return t == AUTHSCORE_QTYPE_A || t == AUTHSCORE_QTYPE_AAAA ||
           t == AUTHSCORE_QTYPE_MX || t == AUTHSCORE_QTYPE_TXT ||
           t == AUTHSCORE_QTYPE_PTR;
}

/* Drain next_query into q[]; checks each question. */
static int drain(authscore_msg *m, pending *q, unsigned *nq, unsigned *handed,
                 pd_stats *st)
{
    for (;;) {
        uint32_t id;
        const char *qname = NULL;
        int qtype = 0;
        int rc = authscore_msg_next_query(m, &id, &qname, &qtype);
        CHECK(rc == 0 || rc == 1 || rc == AUTHSCORE_ENOMEM);
        if (rc != 1)
            return 0;
        /* The module caps questions per message; the driver's own bound
         * is only there to end the loop if that cap is broken. */
        CHECK(*handed < AS_QTAB_MAX_QUESTIONS);
        CHECK(qname != NULL);
        CHECK(strnlen(qname, AS_DNS_MAX_NAME + 2) <= AS_DNS_MAX_NAME + 1);
        CHECK(valid_qtype(qtype));
        for (unsigned i = 0; i < *nq; i++)
            CHECK(q[i].id != id);
        q[(*nq)++] = (pending){id, qname, qtype};
        (*handed)++;
        st->questions = *handed;
        if (*nq > st->max_outstanding)
            st->max_outstanding = *nq;
    }
}

/* Per thread, so stress_threads can replay the corpus in parallel. */
static _Thread_local zent g_zone[PD_ZONE_MAX];
static _Thread_local unsigned g_nz;

/* Read the zone section into g_zone. */
static void read_zone(rd *r)
{
    g_nz = rd_u8(r);
    if (g_nz > PD_ZONE_MAX)
        g_nz = PD_ZONE_MAX;
    for (unsigned i = 0; i < g_nz; i++) {
        rd_str8(r, g_zone[i].name);
        g_zone[i].qtype = rd_u8(r);
        g_zone[i].ctl = rd_u8(r);
        g_zone[i].payload = take_payload(r, g_zone[i].ctl);
    }
}

/* order 0: answer the oldest question first; 1: the newest first. */
static int run_msg(authscore_msg *m, int variant, unsigned flags, int order, rd *r,
                   pd_stats *st)
{
    const zent *zone = g_zone;
    unsigned nz = g_nz;
    CHECK(check_early_getters(m, st) == 0);
    /* No resolver in a dns.backend=none context: the blocking calls
     * refuse, and leave the message as it was. */
    CHECK(authscore_msg_resolve(m) == AUTHSCORE_EPHASE);
    pending *q = calloc(PD_MAX_QUESTIONS, sizeof *q);
    if (!q)
        return 0;
    unsigned nq = 0, handed = 0, skipped = 0;
    /* flags bit 1: result straight away, nothing ever handed out */
    int stop = (flags & 2) != 0;
    if (!stop && drain(m, q, &nq, &handed, st) < 0)
        goto fail;
    if (!stop && authscore_msg_set_time(m, 0) != AUTHSCORE_EPHASE) {
        st->violation = "authscore_msg_set_time after the first next_query is EPHASE";
        st->line = __LINE__;
        goto fail;
    }
    /* Each step answers, skips or defers the head question; defers and
     * skips consume input or the queue, so the loop ends. */
    while (nq > 0 && !stop) {
        if (authscore_msg_outstanding(m) != (int)(nq + skipped)) {
            st->violation = "authscore_msg_outstanding(m) == questions handed out and not answered";
            st->line = __LINE__;
            goto fail;
        }
        /* flags bit 2: getters are safe while resolving too */
        if ((flags & 4) && check_early_getters(m, st) < 0)
            goto fail;
        unsigned at = order ? nq - 1 : 0;
        pending head = q[at];
        const zent *z = NULL;
        for (unsigned i = 0; i < nz && !z; i++)
            if (zone[i].qtype == (unsigned)head.qtype && same_name(head.qname, zone[i].name))
                z = &zone[i];
        unsigned ctl;
        rd payload;
        if (z) {
            ctl = z->ctl;
            payload = z->payload;
        } else if (r->left) {
            ctl = rd_u8(r);
            payload = *r;
        } else {
            ctl = AUTHSCORE_DNS_NXDOMAIN | (AUTHSCORE_DNSSEC_INSECURE << 3);
            payload = *r;
        }
        unsigned kind = ctl & 7;
        if (kind == PD_KIND_STOP) {
            stop = 1;
            break;
        }
        memmove(q + at, q + at + 1, (nq - 1 - at) * sizeof *q);
        nq--;
        if (kind == PD_KIND_SKIP) {
            if (!z) /* defer: back of the queue */
                q[nq++] = head;
            else
                skipped++;
            continue; /* a zone skip stays unanswered until result() */
        }
        int rc = give_answer(m, head.id, ctl, &payload);
        if (!z)
            *r = payload;
        if (rc == AUTHSCORE_ENOMEM) {
            st->enomem = 1;
            stop = 1;
            break;
        }
        if (rc != 0) {
            st->violation = "answering an outstanding question returns 0";
            st->line = __LINE__;
            goto fail;
        }
        st->answers++;
        /* An answered id is gone. */
        if (authscore_msg_answer(m, head.id, AUTHSCORE_DNS_NXDOMAIN, 0, NULL, 0,
                                 NULL, NULL, 0) != AUTHSCORE_ENOTFOUND) {
            st->violation = "answering an id twice gives AUTHSCORE_ENOTFOUND";
            st->line = __LINE__;
            goto fail;
        }
        if (drain(m, q, &nq, &handed, st) < 0)
            goto fail;
    }
    free(q);
    q = NULL;

    /* After a fault every call returns it (fail closed: msg.c). */
    CHECK(authscore_msg_answer(m, 0xfffffff0u, AUTHSCORE_DNS_NXDOMAIN, 0, NULL, 0,
                               NULL, NULL, 0) ==
              (st->enomem ? AUTHSCORE_ENOMEM : AUTHSCORE_ENOTFOUND) ||
          (handed == 0 && !st->enomem));
    int rc = authscore_msg_result(m);
    CHECK(rc == 0 || rc == AUTHSCORE_ENOMEM);
    if (rc == AUTHSCORE_ENOMEM) {
        st->enomem = 1;
        return 0;
    }
    CHECK(authscore_msg_outstanding(m) == 0);
    CHECK(authscore_msg_result(m) == 0); /* idempotent */
    uint32_t id;
    const char *qn;
    int qt;
    CHECK(authscore_msg_next_query(m, &id, &qn, &qt) == AUTHSCORE_EPHASE);
    CHECK(authscore_msg_answer(m, 0, AUTHSCORE_DNS_NXDOMAIN, 0, NULL, 0, NULL,
                               NULL, 0) == AUTHSCORE_EPHASE);
    return check_results(m, variant, handed, st);
fail:
    free(q);
    return -1;
}

int pd_run(const uint8_t *data, size_t size, pd_stats *st)
{
    pd_stats dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    rd r = {data, size};
    unsigned flags = rd_u8(&r);
    unsigned clock = rd_u8(&r);
    unsigned ipsel = rd_u8(&r);
    int variant = (int)(flags & 1);
    const authscore_ctx *ctx = pd_context(variant);
    if (!ctx)
        return 0; /* out of memory at set-up: nothing to check */

    char ipbuf[256], helobuf[256], mfbuf[256];
    const char *ip = NULL;
    if (ipsel < PD_IP_TABLE) {
        ip = ip_table[ipsel];
    } else if (ipsel != 0xff) {
        size_t got;
        const uint8_t *p = rd_bytes(&r, ipsel % 48, &got);
        memcpy(ipbuf, p, got);
        ipbuf[got] = '\0';
        ip = ipbuf;
    }
    const char *helo = rd_str8(&r, helobuf);
    const char *mail_from = rd_str8(&r, mfbuf);
    size_t mlen;
    const uint8_t *mp = rd_bytes(&r, rd_u24(&r), &mlen);
    /* The message is borrowed: an exact-size heap copy lets ASan catch any
     * read past its end. */
    char *msg = malloc(mlen ? mlen : 1);
    if (!msg)
        return 0;
    memcpy(msg, mp, mlen);

    /* The host's clock is any int64_t: the extremes too. */
    int64_t now = PD_BASE_TIME;
    if (clock == 0xff)
        now = INT64_MAX;
    else if (clock == 0xfe)
        now = INT64_MIN;
    else if (clock == 0xfd)
        now = 0;
    else if (clock == 0xfc)
        now = -1;
    else if (clock)
        now += ((int64_t)clock - 128) * 7 * 86400;
    if (now < 0 && pd_avoid_negative_clock)
        now = 0;
    read_zone(&r);
    /* The stream starts here; each pass reads its own copy. */
    int ret = one_pass(ctx, ip, helo, mail_from, msg, mlen, now, variant, flags, 0, r, st);
    st->fingerprint = g_fp[0];

    /* When every answer is a function of the question alone (zone entries
     * and the NXDOMAIN default, no stop), the results must not depend on
     * the order the answers arrive in: answer newest-first and compare.
     * The second pass also runs on a warm key cache. */
    int differential = ret == 0 && !st->enomem && r.left == 0 && !(flags & 2) &&
                       g_fp[0][0] != '\0';
    for (unsigned i = 0; differential && i < g_nz; i++)
        if ((g_zone[i].ctl & 7) == PD_KIND_STOP)
            differential = 0;
    if (differential) {
        pd_stats st2;
        memset(&st2, 0, sizeof st2);
        ret = one_pass(ctx, ip, helo, mail_from, msg, mlen, now, variant, flags, 1, r, &st2);
        if (ret < 0) {
            st->violation = st2.violation;
            st->line = st2.line;
        } else if (!st2.enomem && strcmp(g_fp[0], g_fp[1]) != 0) {
            snprintf(g_detail, sizeof g_detail, "oldest-first:\n%s\nnewest-first:\n%s",
                     g_fp[0], g_fp[1]);
            st->detail = g_detail;
            st->violation = "results do not depend on the order answers arrive in";
            st->line = __LINE__;
            ret = -1;
        }
    }
    free(msg);
    return ret;
}
