/* exim_summary.c - the one-line result an Exim ACL reads with
 * ${extract{name}{$acl_m_authscore}}: space-separated name=value fields,
 * values without spaces (docs/exim.md lists them). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/exim/exim.h"
#include "score/rules.h"
#include "util/num.h"

/* The symbols= list of the largest rule set fits (see exim.h). */
_Static_assert(AS_EXIM_SUMMARY_MAX >=
                   1024 + (AS_SYM_COUNT + AS_RULES_MAX_RULES) * (AS_RULES_MAX_NAME + 12),
               "AS_EXIM_SUMMARY_MAX too small for the symbols= field");

/* At most this many passing DKIM domains are listed (the rest is "+"). */
#define AS_EXIM_SUMMARY_MAX_DOMAINS 8

struct out {
    char *p;
    size_t cap, len;
    int overflow;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len)
        o->overflow = 1;
    else
        o->len += (size_t)n;
}

/* A domain from a hostile signature: only LDH, dot and underscore pass, so
 * it can never end the field or start a new one. */
static void put_domain(struct out *o, const char *d)
{
    char clean[254];
    size_t i = 0;
    for (; d && d[i] && i < sizeof clean - 1; i++) {
        unsigned char c = (unsigned char)d[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
        clean[i] = ok ? (char)c : '?';
    }
    clean[i] = '\0';
    put(o, "%s", i ? clean : "?");
}

static const char *policy_name(int p)
{
    switch (p) {
    case AUTHSCORE_DMARC_POLICY_NONE: return "none";
    case AUTHSCORE_DMARC_POLICY_QUARANTINE: return "quarantine";
    case AUTHSCORE_DMARC_POLICY_REJECT: return "reject";
    default: return "unset";
    }
}

/* Fold DNSSEC states: bogus beats insecure beats secure; indeterminate
 * (no DNS used, or no answer) does not count. */
static int fold_dnssec(int acc, int s)
{
    static const int weight[] = {
        [AUTHSCORE_DNSSEC_INDETERMINATE] = 0, [AUTHSCORE_DNSSEC_SECURE] = 1,
        [AUTHSCORE_DNSSEC_INSECURE] = 2, [AUTHSCORE_DNSSEC_BOGUS] = 3};
    if (s < 0 || s > AUTHSCORE_DNSSEC_BOGUS)
        return acc;
    return weight[s] > weight[acc] ? s : acc;
}

int as_exim_summary(const authscore_msg *m, char *dst, size_t cap)
{
    struct out o = {dst, cap, 0, 0};
    if (cap == 0)
        return -1;
    dst[0] = '\0';
    int spf = authscore_spf_result(m, AUTHSCORE_SPF_MFROM);
    int helo = authscore_spf_result(m, AUTHSCORE_SPF_HELO);
    /* The one definition the scorer and the Rspamd plugin use too. */
    int dkim = authscore_dkim_overall(m);
    int dmarc = authscore_dmarc_result(m);
    size_t ndkim = authscore_dkim_count(m);

    int all = AUTHSCORE_DNSSEC_INDETERMINATE;
    int dkim_sec = AUTHSCORE_DNSSEC_INDETERMINATE;
    /* The library's one definition, which every host defers on. */
    int temp = authscore_msg_temperror(m) != 0;
    for (size_t i = 0; i < ndkim; i++)
        dkim_sec = fold_dnssec(dkim_sec, authscore_dkim_dnssec(m, i));
    int spf_sec = authscore_spf_dnssec(m, AUTHSCORE_SPF_MFROM);
    int dmarc_sec = authscore_dmarc_dnssec(m);
    all = fold_dnssec(fold_dnssec(fold_dnssec(all, spf_sec), dkim_sec), dmarc_sec);

    put(&o, "spf=%s spf_helo=%s dkim=%s dkim_domains=",
        authscore_result_name(spf), authscore_result_name(helo),
        authscore_result_name(dkim));
    size_t listed = 0;
    for (size_t i = 0; i < ndkim; i++) {
        if (authscore_dkim_result(m, i) != AUTHSCORE_RES_PASS)
            continue;
        if (listed == AS_EXIM_SUMMARY_MAX_DOMAINS) {
            put(&o, ",+");
            break;
        }
        if (listed++)
            put(&o, ",");
        put_domain(&o, authscore_dkim_domain(m, i));
    }
    if (!listed)
        put(&o, "-");
    put(&o, " dmarc=%s policy=%s disposition=%s",
        authscore_result_name(dmarc),
        policy_name(authscore_dmarc_policy(m)),
        /* No policy record: nothing to do. */
        authscore_dmarc_disposition(m) == AUTHSCORE_DMARC_POLICY_UNSET
            ? "none"
            : policy_name(authscore_dmarc_disposition(m)));
    put(&o, " dnssec=%s spf_dnssec=%s dkim_dnssec=%s dmarc_dnssec=%s",
        authscore_dnssec_name(all), authscore_dnssec_name(spf_sec),
        authscore_dnssec_name(dkim_sec), authscore_dnssec_name(dmarc_sec));
    /* score: two decimals to read; score10: score x 10 rounded, because
     * Exim's ${if >{}{}} compares integers (as $spam_score_int does).
     * Both "none" without a rule file. */
    double score;
    char num[AS_NUM_BUF];
    put(&o, " temperror=%s", temp ? "yes" : "no");
    /* Numbers through as_num_format: a host's setlocale() must not turn
     * "1.50" into "1,50" under an ACL that compares it. */
    if (authscore_score(m, &score) == 0) {
        as_num_format(num, sizeof num, score, 2, 0);
        put(&o, " score=%s score10=%ld", num, lround(score * 10));
    } else
        put(&o, " score=none score10=none");
    /* symbols=NAME(weight),... : names are [A-Z0-9_], so the field has no
     * blank and cannot be mistaken for another field. */
    put(&o, " symbols=");
    size_t ns = authscore_symbol_count(m);
    for (size_t i = 0; i < ns; i++) {
        as_num_format(num, sizeof num, authscore_symbol_weight(m, i), 2, 0);
        put(&o, "%s%s(%s)", i ? "," : "", authscore_symbol_name(m, i), num);
    }
    if (!ns)
        put(&o, "-");
    /* Added after symbols, as docs/exim.md promises new fields: ARC
     * (RFC 8617): none, pass, fail or temperror (docs/arc.md). */
    put(&o, " arc=%s", authscore_result_name(authscore_arc_result(m)));
    if (o.overflow)
        return -1;
    return (int)o.len;
}
