/* msg.c - one message: parse, start the engines, the sans-I/O loop, and
 * the final evaluation.
 *
 * Fail closed (docs/architecture.md): an internal fault (no memory, a hard
 * cap) that stops the pipeline is kept in m->fault.  From then on every
 * call on the message returns it and no getter reports a verdict, so a
 * host can never read a half-evaluated message as a finished one. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/msg_json.h"
#include "core/report_log.h"
#include "score/ar_write.h"

/* Bytes of client_ip / helo / mail_from we accept (RFC 5321 4.5.3.1). */
#define AS_ENVELOPE_MAX 512u

/* Keep the first fault and return the one kept: `return refuse(m, rc)`. */
static int refuse(authscore_msg *m, int rc)
{
    if (rc < 0 && !m->fault) {
        m->fault = rc;
        as_log(m->ctx, AUTHSCORE_LOG_WARNING, "message refused: %s",
               authscore_strerror(rc));
    }
    return m->fault;
}

static const char *copy_arg(authscore_msg *m, const char *s, int *bad)
{
    if (!s)
        return NULL;
    size_t n = strnlen(s, AS_ENVELOPE_MAX + 1);
    if (n > AS_ENVELOPE_MAX) {
        *bad = 1;
        return NULL;
    }
    const char *d = as_arena_strndup(&m->arena, s, n);
    if (!d)
        *bad = 2;
    return d;
}

int authscore_msg_new(const authscore_ctx *ctx, const char *client_ip,
                      const char *helo, const char *mail_from,
                      const char *message, size_t len, authscore_msg **out)
{
    if (!ctx || !out || (!message && len))
        return AUTHSCORE_EINVAL;
    *out = NULL;
    authscore_msg *m = calloc(1, sizeof *m);
    if (!m)
        return AUTHSCORE_ENOMEM;
    m->ctx = ctx;
    as_arena_init(&m->arena, AS_MSG_ARENA_MAX);
    int bad = 0;
    m->client_ip = copy_arg(m, client_ip, &bad);
    m->helo = copy_arg(m, helo, &bad);
    m->mail_from = copy_arg(m, mail_from, &bad);
    m->q = as_qtab_new(&m->arena, 0);
    if (bad || !m->q) {
        authscore_msg_free(m);
        return bad == 1 ? AUTHSCORE_EINVAL : AUTHSCORE_ENOMEM;
    }
    /* Hits are answered inside the table: never sent, never handed out. */
    as_qtab_set_cache(m->q, ctx->cache);
    m->now = (int64_t)time(NULL);
    m->parse_status = as_message_parse(&m->arena, message ? message : "", len, NULL, &m->m);
    if (m->parse_status == AUTHSCORE_ENOMEM) {
        authscore_msg_free(m);
        return AUTHSCORE_ENOMEM;
    }
    *out = m;
    return 0;
}

int authscore_msg_set_time(authscore_msg *m, int64_t now)
{
    if (!m)
        return AUTHSCORE_EINVAL;
    if (m->fault || m->started)
        return m->fault ? m->fault : AUTHSCORE_EPHASE;
    m->now = now;
    return 0;
}

/* The domain of an address: after the last '@', or the whole string. */
static const char *domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

static int start_spf(authscore_msg *m)
{
    const authscore_ctx *c = m->ctx;
    if (!m->client_ip)
        return 0; /* no client: SPF not evaluated */
    as_spf_request rq = {0};
    rq.client_ip = m->client_ip;
    rq.helo = m->helo;
    rq.receiver = c->authserv_id;
    rq.now = m->now;
    rq.limits.max_lookups = c->spf_max_lookups;
    rq.limits.max_void_lookups = c->spf_max_void_lookups;

    /* RFC 7208 2.4: a null reverse-path is checked as postmaster@HELO. */
    const char *mf = m->mail_from;
    if (mf && *mf) {
        rq.sender = strchr(mf, '@') ? mf
                                    : as_arena_printf(&m->arena, "postmaster@%s", mf);
        rq.domain = domain_of(mf);
    } else if (m->helo && *m->helo) {
        rq.sender = as_arena_printf(&m->arena, "postmaster@%s", m->helo);
        rq.domain = m->helo;
    }
    if (rq.sender && rq.domain) {
        m->spf_domain[AUTHSCORE_SPF_MFROM] = rq.domain;
        int rc = as_spf_start(&m->arena, m->q, &rq, &m->spf[AUTHSCORE_SPF_MFROM]);
        if (rc < 0)
            return rc;
    } else if (mf && *mf) {
        return AUTHSCORE_ENOMEM;
    }
    /* RFC 7208 2.3: the HELO identity, checked on its own. */
    if (m->helo && *m->helo) {
        rq.sender = as_arena_printf(&m->arena, "postmaster@%s", m->helo);
        if (!rq.sender)
            return AUTHSCORE_ENOMEM;
        rq.domain = m->helo;
        m->spf_domain[AUTHSCORE_SPF_HELO] = rq.domain;
        int rc = as_spf_start(&m->arena, m->q, &rq, &m->spf[AUTHSCORE_SPF_HELO]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int start_dmarc(authscore_msg *m)
{
    const authscore_ctx *c = m->ctx;
    size_t n = m->dkim ? as_dkim_count(m->dkim) : 0;
    const char **dkim_domains = as_arena_calloc(&m->arena, n ? n : 1, sizeof *dkim_domains);
    if (!dkim_domains)
        return AUTHSCORE_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const as_dkim_sig_result *r = as_dkim_get_result(m->dkim, i);
        if (r && r->d)
            dkim_domains[k++] = r->d;
    }
    as_dmarc_config cfg = {0};
    cfg.mode = c->dmarc_mode;
    cfg.psl = c->psl;
    cfg.pct_seed = c->dmarc_pct_seed;
    return as_dmarc_start(&m->arena, m->q, &cfg, &m->m,
                          m->spf_domain[AUTHSCORE_SPF_MFROM], dkim_domains, k, &m->dmarc);
}

int as_msg_start(authscore_msg *m)
{
    if (m->fault)
        return m->fault;
    if (m->started)
        return 0;
    m->started = 1;
    m->phase = AS_PHASE_RESOLVING;
    int rc = start_spf(m);
    if (rc == 0) {
        as_dkim_config dc = {m->ctx->dkim_max_signatures, m->ctx->dkim_clock_skew,
                             m->ctx->dkim_accept_rsa_sha1};
        rc = as_dkim_start(&m->arena, m->q, m->ctx->keys, &m->m, &dc, m->now, &m->dkim);
    }
    /* ARC's AMSes go through the DKIM engine, its seal keys out with the rest. */
    if (rc == 0)
        rc = as_arc_start(&m->arena, m->q, m->ctx->keys, m->dkim, &m->m, &m->arc);
    if (rc == 0)
        rc = start_dmarc(m);
    as_qtab_flush(m->q);
    /* An engine that could not start would be missing from the result. */
    return rc < 0 ? refuse(m, rc) : 0;
}

void as_msg_idle(void *arg)
{
    authscore_msg *m = arg;
    if (m->hashed || !m->dkim)
        return;
    m->hashed = 1;
    as_dkim_hash(m->dkim);
}

int authscore_msg_next_query(authscore_msg *m, uint32_t *id, const char **qname,
                             int *qtype)
{
    if (!m || !id || !qname || !qtype)
        return AUTHSCORE_EINVAL;
    if (m->fault)
        return m->fault;
    if (m->phase == AS_PHASE_DONE)
        return AUTHSCORE_EPHASE;
    int rc = as_msg_start(m);
    if (rc < 0)
        return rc;
    uint16_t t;
    if (as_qtab_next_unsent(m->q, id, qname, &t) == 1) {
        *qtype = t;
        return 1;
    }
    /* Nothing to send: do the CPU work while the host waits for answers. */
    as_msg_idle(m);
    if (as_qtab_next_unsent(m->q, id, qname, &t) == 1) {
        *qtype = t;
        return 1;
    }
    return 0;
}

static int check_answer_args(authscore_msg *m, uint32_t id, int dnssec)
{
    if (!m)
        return AUTHSCORE_EINVAL;
    if (m->fault)
        return m->fault;
    if (m->phase != AS_PHASE_RESOLVING)
        return AUTHSCORE_EPHASE;
    if (dnssec < AUTHSCORE_DNSSEC_INDETERMINATE || dnssec > AUTHSCORE_DNSSEC_BOGUS)
        return AUTHSCORE_EINVAL;
    if (!as_qtab_is_outstanding(m->q, id))
        return AUTHSCORE_ENOTFOUND;
    return 0;
}

int authscore_msg_answer(authscore_msg *m, uint32_t id, int status, int dnssec,
                         const char *why_bogus, uint32_t ttl,
                         const char *const *rdata, const size_t *rdata_len,
                         size_t count)
{
    int rc = check_answer_args(m, id, dnssec);
    if (rc < 0)
        return rc;
    if (status < AUTHSCORE_DNS_OK || status > AUTHSCORE_DNS_TIMEOUT ||
        (count && (!rdata || !rdata_len)))
        return AUTHSCORE_EINVAL;
    const char *name;
    uint16_t qtype;
    as_qtab_question(m->q, id, &name, &qtype);
    as_dns_answer ans = as_dns_answer_status(status, dnssec);
    ans.ttl = ttl;
    /* An answer that does not fit is not dropped (its question would
     * time out into a temperror that looks like DNS trouble): the
     * message is refused. */
    if (why_bogus) {
        ans.why_bogus = as_arena_strndup(&m->arena, why_bogus, strnlen(why_bogus, 512));
        if (!ans.why_bogus)
            return refuse(m, AUTHSCORE_ENOMEM);
    }
    if (status == AUTHSCORE_DNS_OK) {
        if (count > AS_DNS_MAX_RECORDS)
            count = AS_DNS_MAX_RECORDS;
        as_dns_rr *rr = as_arena_calloc(&m->arena, count ? count : 1, sizeof *rr);
        if (!rr)
            return refuse(m, AUTHSCORE_ENOMEM);
        size_t k = 0;
        for (size_t i = 0; i < count; i++) {
            if (!rdata[i])
                continue;
            rc = as_dns_rr_from_text(&m->arena, qtype, rdata[i], rdata_len[i], ttl, &rr[k]);
            if (rc == AUTHSCORE_ENOMEM)
                return refuse(m, rc);
            if (rc == 0)
                k++;
            else
                as_log(m->ctx, AUTHSCORE_LOG_DEBUG, "ignored a malformed %s record for %s",
                       as_dns_qtype_name(qtype), name);
        }
        ans.rr = rr;
        ans.count = k;
        if (k == 0)
            ans.status = AUTHSCORE_DNS_NODATA;
    }
    return as_qtab_answer(m->q, id, &ans);
}

int authscore_msg_answer_wire(authscore_msg *m, uint32_t id,
                              const unsigned char *packet, size_t len, int dnssec,
                              const char *why_bogus)
{
    int rc = check_answer_args(m, id, dnssec);
    if (rc < 0)
        return rc;
    if (!packet && len)
        return AUTHSCORE_EINVAL;
    const char *name;
    uint16_t qtype;
    as_qtab_question(m->q, id, &name, &qtype);
    as_dns_answer ans;
    rc = as_dns_parse_packet(&m->arena, qtype, packet, len, &ans);
    if (rc < 0)
        return refuse(m, rc);
    ans.dnssec = dnssec;
    if (why_bogus) {
        ans.why_bogus = as_arena_strndup(&m->arena, why_bogus, strnlen(why_bogus, 512));
        if (!ans.why_bogus)
            return refuse(m, AUTHSCORE_ENOMEM);
    }
    return as_qtab_answer(m->q, id, &ans);
}

int authscore_msg_outstanding(const authscore_msg *m)
{
    return m ? (int)as_qtab_outstanding(m->q) : AUTHSCORE_EINVAL;
}

static as_dmarc_auth *dkim_auths(authscore_msg *m, size_t *n)
{
    size_t count = m->dkim ? as_dkim_count(m->dkim) : 0;
    as_dmarc_auth *a = as_arena_calloc(&m->arena, count ? count : 1, sizeof *a);
    *n = 0;
    if (!a)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const as_dkim_sig_result *r = as_dkim_get_result(m->dkim, i);
        /* A temperror whose d= was lost to a fault still counts: DMARC
         * cannot rule out that it would have aligned. */
        if (r && (r->d || r->result == AUTHSCORE_RES_TEMPERROR)) {
            a[*n].domain = r->d;
            a[*n].result = r->result;
            (*n)++;
        }
    }
    return a;
}

/* The finished results, as the scoring layer reads them. */
static int collect_results(authscore_msg *m, as_results *r)
{
    memset(r, 0, sizeof *r);
    for (int id = AUTHSCORE_SPF_MFROM; id <= AUTHSCORE_SPF_HELO; id++) {
        r->spf[id] = m->spf[id] ? as_spf_get_result(m->spf[id]) : NULL;
        r->spf_identity[id] = m->spf_domain[id];
    }
    if (m->dkim) {
        size_t n = as_dkim_count(m->dkim);
        const as_dkim_sig_result **v = as_arena_calloc(&m->arena, n ? n : 1, sizeof *v);
        if (!v)
            return AUTHSCORE_ENOMEM;
        for (size_t i = 0; i < n; i++)
            v[i] = as_dkim_get_result(m->dkim, i);
        r->dkim = v;
        r->n_dkim = n;
        r->dkim_evaluated = 1;
    }
    r->dmarc = m->dmarc && m->dmarc_evaluated ? as_dmarc_get_result(m->dmarc) : NULL;
    r->arc = as_arc_get_result(m->arc);
    r->client_ip = m->client_ip && *m->client_ip ? m->client_ip : NULL;
    r->from_fields = m->m.from_fields;
    r->from_mailboxes = m->m.from_count;
    return 0;
}

/* The scorer logs through the context (a regex limit, once per regex). */
static void score_log(const void *ctx, int level, const char *msg)
{
    as_log(ctx, level, "%s", msg);
}

/* The domain of the envelope sender, or NULL for the null reverse-path. */
static const char *mail_from_domain(const authscore_msg *m)
{
    const char *at = m->mail_from ? strrchr(m->mail_from, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

/* The symbols and their weights (docs/rules.md), then the A-R header
 * (docs/authentication-results.md), which reports a rule's DMARC
 * override: computed once per message. */
static int make_outputs(authscore_msg *m)
{
    as_results r;
    int rc = collect_results(m, &r);
    if (rc < 0)
        return rc;
    as_symbol_list derived;
    rc = as_symbols_derive(&m->arena, &r, &derived);
    if (rc < 0)
        return rc;
    as_score_input in = {
        .results = &r,
        .derived = &derived,
        .headers = &m->m.hdr,
        .helo = m->helo && *m->helo ? m->helo : NULL,
        .mail_from_domain = mail_from_domain(m),
        .from_domain = m->m.from_domain,
        .log = score_log,
        .log_user = m->ctx,
    };
    rc = as_rules_score(m->ctx->rules, &m->arena, &in, &m->scored);
    /* A half-built list is never shown: no symbols, no score. */
    if (rc < 0)
        memset(&m->scored, 0, sizeof m->scored);
    m->scored_ok = rc == 0;
    if (rc < 0)
        return rc;
    r.override = &m->scored.override;
    const char *id = m->ctx->authserv_id && *m->ctx->authserv_id
                         ? m->ctx->authserv_id
                         : as_ar_default_authserv_id();
    return as_ar_write(&m->arena, id, &r, &m->ar_header, NULL);
}

int authscore_msg_result(authscore_msg *m)
{
    if (!m)
        return AUTHSCORE_EINVAL;
    if (m->fault || m->phase == AS_PHASE_DONE)
        return m->fault;
    int rc = as_msg_start(m);
    if (rc < 0)
        return rc;
    as_msg_idle(m);
    /* Whatever is still unanswered missed the host's deadline. */
    as_qtab_expire(m->q);
    if (m->dkim)
        as_dkim_finish(m->dkim);
    as_arc_finish(m->arc);
    if (m->dmarc) {
        as_dmarc_auth spf = {0};
        const as_spf *s = m->spf[AUTHSCORE_SPF_MFROM];
        if (s) {
            spf.domain = m->spf_domain[AUTHSCORE_SPF_MFROM];
            spf.result = as_spf_get_result(s)->result;
        }
        size_t n;
        as_dmarc_auth *dk = dkim_auths(m, &n);
        if (!dk)
            return refuse(m, AUTHSCORE_ENOMEM);
        as_dmarc_evaluate(m->dmarc, s ? &spf : NULL, dk, n);
        m->dmarc_evaluated = 1;
    }
    m->phase = AS_PHASE_DONE;
    /* After DONE, so a failure here never re-runs the engines; the fault
     * hides the verdicts that were computed (no A-R without symbols). */
    rc = make_outputs(m);
    if (rc == 0)
        rc = as_msg_json_build(m); /* the whole result, written once */
    if (rc < 0)
        return refuse(m, rc);
    /* Once per message (result is idempotent); it never refuses it. */
    as_report_log_write(m);
    return 0;
}

void authscore_msg_free(authscore_msg *m)
{
    if (!m)
        return;
    as_arena_free(&m->arena);
    free(m);
}

int authscore_msg_resolve(authscore_msg *m)
{
    if (!m)
        return AUTHSCORE_EINVAL;
    if (m->fault)
        return m->fault;
    const authscore_ctx *ctx = m->ctx;
    if (!ctx->finalized || !ctx->resolver)
        return AUTHSCORE_EPHASE;
    if (m->phase == AS_PHASE_DONE)
        return AUTHSCORE_EPHASE;
    int rc = as_msg_start(m);
    if (rc < 0)
        return rc;
    rc = as_resolver_drive(ctx->resolver, m->q, ctx->dns_timeout_ms, as_msg_idle, m);
    /* DNS trouble still gives a result: unanswered questions time out.
     * Our own fault (an answer that did not fit) does not. */
    if (rc < 0 && rc != AUTHSCORE_EDNS)
        return refuse(m, rc);
    return authscore_msg_result(m);
}

int authscore_check(const authscore_ctx *ctx, const char *client_ip,
                    const char *helo, const char *mail_from, const char *message,
                    size_t len, authscore_msg **out)
{
    if (!ctx || !out)
        return AUTHSCORE_EINVAL;
    *out = NULL;
    if (!ctx->finalized || !ctx->resolver)
        return AUTHSCORE_EPHASE;
    authscore_msg *m;
    int rc = authscore_msg_new(ctx, client_ip, helo, mail_from, message, len, &m);
    if (rc < 0)
        return rc;
    rc = authscore_msg_resolve(m);
    if (rc < 0) {
        authscore_msg_free(m);
        return rc;
    }
    *out = m;
    return 0;
}
