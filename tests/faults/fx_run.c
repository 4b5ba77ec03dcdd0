/* fx_run.c - one message on either path, and its outcome (fx.h). */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc_fault.h"
#include "fx.h"

#define FX_MAX_QUESTIONS 256  /* per wave; the examples ask about 20 */
#define FX_MAX_RR 8           /* records per answer; the examples have 1 */
#define FX_RR_TEXT 2048       /* the longest example record is ~420 bytes */

/* ---- the outcome ---- */

static void appendf(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *dst, size_t cap, const char *fmt, ...)
{
    size_t used = strnlen(dst, cap);
    if (used + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst + used, cap - used, fmt, ap);
    va_end(ap);
}

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* A refused message: every later call repeats the error and no getter
 * gives a verdict (issue 15, bug a). */
static const char *check_refused(authscore_msg *m, int rc, int blocking)
{
    if (!m)
        return NULL; /* authscore_msg_new itself refused: nothing to ask */
    uint32_t id;
    const char *qn;
    int qt;
    double score;
    if (authscore_msg_result(m) != rc)
        return "authscore_msg_result() after the error did not repeat it";
    if (authscore_msg_next_query(m, &id, &qn, &qt) != rc)
        return "authscore_msg_next_query() after the error did not repeat it";
    if (authscore_msg_answer(m, 1, AUTHSCORE_DNS_NXDOMAIN, 0, NULL, 0, NULL, NULL, 0) != rc)
        return "authscore_msg_answer() after the error did not repeat it";
    if (blocking && authscore_msg_resolve(m) != rc)
        return "authscore_msg_resolve() after the error did not repeat it";
    if (authscore_score(m, &score) != rc)
        return "authscore_score() after the error did not repeat it";
    if (authscore_ar_header(m) || authscore_symbol_count(m) || authscore_dkim_count(m) ||
        authscore_spf_result(m, AUTHSCORE_SPF_MFROM) != AUTHSCORE_RES_NOT_EVALUATED ||
        authscore_spf_result(m, AUTHSCORE_SPF_HELO) != AUTHSCORE_RES_NOT_EVALUATED ||
        authscore_dmarc_result(m) != AUTHSCORE_RES_NOT_EVALUATED ||
        authscore_dmarc_disposition(m) != AUTHSCORE_DMARC_POLICY_UNSET ||
        authscore_dkim_overall(m) != AUTHSCORE_RES_NOT_EVALUATED ||
        authscore_arc_result(m) != AUTHSCORE_RES_NOT_EVALUATED || authscore_msg_json(m) ||
        authscore_msg_temperror(m) >= 0)
        return "a getter reported a verdict of a refused message";
    return NULL;
}

static void capture(authscore_msg *m, int rc, int blocking, fx_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->rc = rc;
    if (rc < 0) {
        o->sticky = check_refused(m, rc, blocking);
        return;
    }
    for (int id = AUTHSCORE_SPF_MFROM; id <= AUTHSCORE_SPF_HELO; id++) {
        o->spf[id] = authscore_spf_result(m, id);
        copy(o->spf_reason[id], sizeof o->spf_reason[id], authscore_spf_reason(m, id));
    }
    o->ndkim = authscore_dkim_count(m);
    if (o->ndkim > FX_MAX_SIGS)
        o->ndkim = FX_MAX_SIGS;
    for (size_t i = 0; i < o->ndkim; i++) {
        o->dkim[i] = authscore_dkim_result(m, i);
        copy(o->dkim_reason[i], sizeof o->dkim_reason[i], authscore_dkim_reason(m, i));
    }
    o->dmarc = authscore_dmarc_result(m);
    o->policy = authscore_dmarc_policy(m);
    o->disposition = authscore_dmarc_disposition(m);
    copy(o->dmarc_reason, sizeof o->dmarc_reason, authscore_dmarc_reason(m));
    o->arc = authscore_arc_result(m);
    copy(o->arc_reason, sizeof o->arc_reason, authscore_arc_reason(m));
    o->score_rc = authscore_score(m, &o->score);
    for (size_t i = 0; i < authscore_symbol_count(m); i++) {
        appendf(o->symbols, sizeof o->symbols, "%s(%.2f)[", authscore_symbol_name(m, i),
                authscore_symbol_weight(m, i));
        for (size_t j = 0; j < authscore_symbol_option_count(m, i); j++)
            appendf(o->symbols, sizeof o->symbols, "%s%s", j ? "," : "",
                    authscore_symbol_option(m, i, j));
        appendf(o->symbols, sizeof o->symbols, "] ");
    }
    copy(o->ar, sizeof o->ar, authscore_ar_header(m));
}

/* ---- sans-I/O: answers from memdns, as text ---- */

/* One record in the text form of authscore_msg_answer(); a DKIM key
 * record gets " n=<note>;" after its v=DKIM1 tag (RFC 6376 3.6.1: n= is
 * free text for people). */
static size_t rr_text(const as_dns_rr *rr, const char *qname, long note, char *buf)
{
    char addr[INET6_ADDRSTRLEN];
    switch (rr->type) {
    case AUTHSCORE_QTYPE_A:
        inet_ntop(AF_INET, rr->u.a, addr, sizeof addr);
        return (size_t)snprintf(buf, FX_RR_TEXT, "%s", addr);
    case AUTHSCORE_QTYPE_AAAA:
        inet_ntop(AF_INET6, rr->u.aaaa, addr, sizeof addr);
        return (size_t)snprintf(buf, FX_RR_TEXT, "%s", addr);
    case AUTHSCORE_QTYPE_MX:
        return (size_t)snprintf(buf, FX_RR_TEXT, "%u %s", rr->u.mx.pref, rr->u.mx.name);
    case AUTHSCORE_QTYPE_PTR:
        return (size_t)snprintf(buf, FX_RR_TEXT, "%s", rr->u.ptr.name);
    default:
        break;
    }
    size_t n = rr->u.txt.len < FX_RR_TEXT - 64 ? rr->u.txt.len : FX_RR_TEXT - 64;
    static const char v[] = "v=DKIM1;";
    if (note >= 0 && strstr(qname, "._domainkey.") && n >= sizeof v - 1 &&
        memcmp(rr->u.txt.p, v, sizeof v - 1) == 0) {
        int k = snprintf(buf, FX_RR_TEXT, "%s n=%ld;", v, note);
        memcpy(buf + k, rr->u.txt.p + sizeof v - 1, n - (sizeof v - 1));
        return (size_t)k + n - (sizeof v - 1);
    }
    memcpy(buf, rr->u.txt.p, n);
    return n;
}

static int answer(authscore_msg *m, const as_memdns *dns, uint32_t id, const char *qname,
                  int qtype, long note)
{
    static char text[FX_MAX_RR][FX_RR_TEXT];
    const char *rdata[FX_MAX_RR];
    size_t lens[FX_MAX_RR];
    fa_pause();
    as_arena a;
    as_arena_init(&a, 1u << 20);
    as_dns_answer ans;
    if (as_memdns_lookup(dns, &a, qname, (uint16_t)qtype, &ans) < 0)
        ans = as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNSSEC_INDETERMINATE);
    size_t n = 0;
    for (; n < ans.count && n < FX_MAX_RR; n++) {
        lens[n] = rr_text(&ans.rr[n], qname, note, text[n]);
        rdata[n] = text[n];
    }
    fa_resume();
    int rc = authscore_msg_answer(m, id, ans.status, ans.dnssec, ans.why_bogus, ans.ttl,
                                  rdata, lens, n);
    fa_pause();
    as_arena_free(&a);
    fa_resume();
    return rc;
}

/* The host loop of include/authscore.h 2b, in waves. */
static int drive(authscore_msg *m, const as_memdns *dns, long note)
{
    static uint32_t ids[FX_MAX_QUESTIONS];
    static const char *names[FX_MAX_QUESTIONS];
    static int types[FX_MAX_QUESTIONS];
    for (int wave = 0; wave < 64; wave++) {
        size_t n = 0;
        int rc = 0;
        while (n < FX_MAX_QUESTIONS &&
               (rc = authscore_msg_next_query(m, &ids[n], &names[n], &types[n])) == 1)
            n++;
        if (rc < 0)
            return rc;
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            rc = answer(m, dns, ids[i], names[i], types[i], note);
            if (rc < 0)
                return rc;
        }
    }
    return authscore_msg_result(m);
}

/* The message with its envelope, on the examples' clock. */
static int new_message(const authscore_ctx *ctx, const fx_message *msg, authscore_msg **m)
{
    *m = NULL;
    int rc = authscore_msg_new(ctx, msg->ip, msg->helo, msg->mail_from, msg->bytes,
                               msg->len, m);
    return rc == 0 ? authscore_msg_set_time(*m, FX_NOW) : rc;
}

void fx_run_sansio(const authscore_ctx *ctx, const as_memdns *dns, const fx_message *msg,
                   long note, fx_outcome *out)
{
    authscore_msg *m;
    int rc = new_message(ctx, msg, &m);
    if (rc == 0)
        rc = drive(m, dns, note);
    fa_pause();
    capture(m, rc, 0, out);
    authscore_msg_free(m);
}

void fx_run_unbound(const authscore_ctx *ctx, const fx_message *msg, fx_outcome *out)
{
    authscore_msg *m;
    int rc = new_message(ctx, msg, &m);
    if (rc == 0)
        rc = authscore_msg_resolve(m);
    fa_pause();
    capture(m, rc, 1, out);
    authscore_msg_free(m);
}
