/* getters.c - read-only views of a finished message for hosts.
 *
 * One rule for "nothing to report" (wrong phase, a method that did not
 * run, a refused message, an index out of range, a NULL message): enum
 * getters give the enum's 0 (NOT_EVALUATED, INDETERMINATE, POLICY_UNSET),
 * never a negative code, so their value is always a valid enum; other int
 * getters give AUTHSCORE_ENOTEVAL; strings NULL; counts, flags and
 * weights 0.  See include/authscore.h, GETTERS. */
#include <string.h>

#include "core/internal.h"
#include "dns/shared_cache.h"
#include "score/symbols.h"

/* A refused message (m->fault, msg.c) has no verdict to report, even when
 * the fault came after the engines finished. */
static int done(const authscore_msg *m)
{
    return m && m->phase == AS_PHASE_DONE && !m->fault;
}

int authscore_msg_parse_status(const authscore_msg *m)
{
    return m ? m->parse_status : AUTHSCORE_EINVAL;
}

size_t authscore_msg_from_count(const authscore_msg *m)
{
    return m ? m->m.from_count : 0;
}

const char *authscore_msg_from(const authscore_msg *m, size_t i)
{
    return m && i < m->m.from_count ? m->m.from[i].addr : NULL;
}

const char *authscore_msg_from_domain(const authscore_msg *m)
{
    return m ? m->m.from_domain : NULL;
}

size_t authscore_msg_dkim_signatures(const authscore_msg *m)
{
    return m ? m->m.dkim_sig_total : 0;
}

int authscore_msg_dns_rounds(const authscore_msg *m)
{
    return m ? (int)as_qtab_rounds(m->q) : AUTHSCORE_EINVAL;
}

int authscore_msg_dns_queries(const authscore_msg *m)
{
    return m ? (int)as_qtab_count(m->q) : AUTHSCORE_EINVAL;
}

int authscore_msg_dns_cache_hits(const authscore_msg *m)
{
    return m ? (int)as_qtab_cache_hits(m->q) : AUTHSCORE_EINVAL;
}

int authscore_msg_dns_cache_misses(const authscore_msg *m)
{
    return m ? (int)as_qtab_cache_misses(m->q) : AUTHSCORE_EINVAL;
}

int authscore_ctx_dns_cache_stats(const authscore_ctx *ctx, uint64_t *hits,
                                  uint64_t *misses, uint64_t *entries, uint64_t *bytes)
{
    if (!ctx)
        return AUTHSCORE_EINVAL;
    as_dns_cache_stats st;
    as_dns_cache_stats_get(ctx->cache, &st);
    if (hits)
        *hits = st.hits;
    if (misses)
        *misses = st.misses;
    if (entries)
        *entries = st.entries;
    if (bytes)
        *bytes = st.bytes;
    return 0;
}

int authscore_ctx_dns_shared_cache_stats(const authscore_ctx *ctx, uint64_t *hits,
                                         uint64_t *misses, uint64_t *stores, uint64_t *rejected)
{
    if (!ctx)
        return AUTHSCORE_EINVAL;
    as_dns_shared_stats st;
    as_dns_shared_stats_get(ctx->shared, &st);
    if (hits)
        *hits = st.hits;
    if (misses)
        *misses = st.misses;
    if (stores)
        *stores = st.stores;
    if (rejected)
        *rejected = st.rejected;
    return 0;
}

/* ---- SPF ---- */

static const as_spf_result *spf(const authscore_msg *m, int id)
{
    if (!done(m) || id < AUTHSCORE_SPF_MFROM || id > AUTHSCORE_SPF_HELO || !m->spf[id])
        return NULL;
    return as_spf_get_result(m->spf[id]);
}

int authscore_spf_result(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->result : AUTHSCORE_RES_NOT_EVALUATED;
}

const char *authscore_spf_domain(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? (r->domain ? r->domain : m->spf_domain[id]) : NULL;
}

int authscore_spf_dnssec(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->dnssec : AUTHSCORE_DNSSEC_INDETERMINATE;
}

int authscore_spf_lookups(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->lookups : AUTHSCORE_ENOTEVAL;
}

int authscore_spf_void_lookups(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->void_lookups : AUTHSCORE_ENOTEVAL;
}

const char *authscore_spf_mechanism(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->mechanism : NULL;
}

const char *authscore_spf_explanation(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->explanation : NULL;
}

const char *authscore_spf_reason(const authscore_msg *m, int id)
{
    const as_spf_result *r = spf(m, id);
    return r ? r->reason : NULL;
}

/* ---- DKIM ---- */

static const as_dkim_sig_result *dkim(const authscore_msg *m, size_t i)
{
    if (!done(m) || !m->dkim || i >= as_dkim_count(m->dkim))
        return NULL;
    return as_dkim_get_result(m->dkim, i);
}

size_t authscore_dkim_count(const authscore_msg *m)
{
    return done(m) && m->dkim ? as_dkim_count(m->dkim) : 0;
}

int authscore_dkim_result(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->result : AUTHSCORE_RES_NOT_EVALUATED;
}

const char *authscore_dkim_domain(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->d : NULL;
}

const char *authscore_dkim_selector(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->s : NULL;
}

const char *authscore_dkim_algorithm(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->a : NULL;
}

const char *authscore_dkim_reason(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->reason : NULL;
}

int authscore_dkim_dnssec(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->dnssec : AUTHSCORE_DNSSEC_INDETERMINATE;
}

int authscore_dkim_key_bits(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->key_bits : AUTHSCORE_ENOTEVAL;
}

unsigned authscore_dkim_flags(const authscore_msg *m, size_t i)
{
    const as_dkim_sig_result *r = dkim(m, i);
    return r ? r->flags : 0;
}

/* The same fold as the scorer's `dkim` condition (score/symbols.h). */
int authscore_dkim_overall(const authscore_msg *m)
{
    if (!done(m) || !m->dkim)
        return AUTHSCORE_RES_NOT_EVALUATED;
    size_t n = as_dkim_count(m->dkim);
    if (n == 0)
        return AUTHSCORE_RES_NONE;
    int acc = AUTHSCORE_RES_NOT_EVALUATED;
    for (size_t i = 0; i < n; i++) {
        const as_dkim_sig_result *r = as_dkim_get_result(m->dkim, i);
        if (r)
            acc = as_dkim_overall_add(acc, r->result);
    }
    return acc;
}

/* ---- DMARC ---- */

static const as_dmarc_result *dmarc(const authscore_msg *m)
{
    return done(m) && m->dmarc && m->dmarc_evaluated ? as_dmarc_get_result(m->dmarc) : NULL;
}

int authscore_dmarc_result(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->result : AUTHSCORE_RES_NOT_EVALUATED;
}

const char *authscore_dmarc_domain(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->from_domain : NULL;
}

int authscore_dmarc_policy(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->policy : AUTHSCORE_DMARC_POLICY_UNSET;
}

/* A rule's dmarc_disposition lowers it (docs/rules.md); the result
 * stays fail. */
int authscore_dmarc_disposition(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    /* An override that rests on an ARC temperror: never harsher than
     * none (a temperror never leads to reject or quarantine). */
    if (r && m->scored.override.undetermined)
        return AUTHSCORE_DMARC_POLICY_NONE;
    if (r && m->scored.override.active)
        return m->scored.override.disposition;
    return r ? r->disposition : AUTHSCORE_DMARC_POLICY_UNSET;
}

const char *authscore_dmarc_override(const authscore_msg *m)
{
    if (!dmarc(m))
        return NULL;
    if (m->scored.override.undetermined)
        return "temperror";
    return m->scored.override.active ? m->scored.override.type : NULL;
}

static int fault_temperror(int result, const char *reason)
{
    return result == AUTHSCORE_RES_TEMPERROR && reason &&
           (strcmp(reason, "no_memory") == 0 || strcmp(reason, "limit") == 0);
}

/* The one definition of "defer this message" that every host uses. */
int authscore_msg_temperror(const authscore_msg *m)
{
    if (!done(m))
        return AUTHSCORE_ENOTEVAL;
    const char *ov = authscore_dmarc_override(m);
    int dmarc = authscore_dmarc_result(m);
    if (dmarc == AUTHSCORE_RES_TEMPERROR || (ov && strcmp(ov, "temperror") == 0))
        return 1;
    /* Our own fault (no memory, a cap) left a method unfinished: the
     * score and the rest rest on it too (docs/architecture.md). */
    if (fault_temperror(authscore_spf_result(m, AUTHSCORE_SPF_MFROM),
                        authscore_spf_reason(m, AUTHSCORE_SPF_MFROM)))
        return 1;
    size_t n = authscore_dkim_count(m);
    for (size_t i = 0; i < n; i++)
        if (fault_temperror(authscore_dkim_result(m, i), authscore_dkim_reason(m, i)))
            return 1;
    /* A DNS temperror: DMARC's pass or fail has weighed every identifier
     * that could align (a temperror among them makes it temperror), so an
     * unaligned one's changes nothing a host acts on, and must not turn a
     * reject into a retry, nor delay mail that passed. */
    if (dmarc == AUTHSCORE_RES_PASS || dmarc == AUTHSCORE_RES_FAIL)
        return 0;
    /* No DMARC verdict: the methods are what the host acts on. */
    return authscore_spf_result(m, AUTHSCORE_SPF_MFROM) == AUTHSCORE_RES_TEMPERROR ||
           authscore_dkim_overall(m) == AUTHSCORE_RES_TEMPERROR;
}

int authscore_dmarc_spf_aligned(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->spf_aligned : AUTHSCORE_ENOTEVAL;
}

int authscore_dmarc_dkim_aligned(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->dkim_aligned : AUTHSCORE_ENOTEVAL;
}

int authscore_dmarc_dnssec(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->dnssec : AUTHSCORE_DNSSEC_INDETERMINATE;
}

const char *authscore_dmarc_reason(const authscore_msg *m)
{
    const as_dmarc_result *r = dmarc(m);
    return r ? r->reason : NULL;
}

/* ---- ARC ---- */

static const as_arc_result *arc(const authscore_msg *m)
{
    return done(m) ? as_arc_get_result(m->arc) : NULL;
}

static const as_arc_instance *arc_inst(const authscore_msg *m, size_t i)
{
    const as_arc_result *r = arc(m);
    return r && i < r->n_inst ? &r->inst[i] : NULL;
}

int authscore_arc_result(const authscore_msg *m)
{
    const as_arc_result *r = arc(m);
    return r ? r->result : AUTHSCORE_RES_NOT_EVALUATED;
}

const char *authscore_arc_reason(const authscore_msg *m)
{
    const as_arc_result *r = arc(m);
    return r ? r->reason : NULL;
}

int authscore_arc_chain_length(const authscore_msg *m)
{
    const as_arc_result *r = arc(m);
    return r ? r->chain_length : AUTHSCORE_ENOTEVAL;
}

int authscore_arc_oldest_pass(const authscore_msg *m)
{
    const as_arc_result *r = arc(m);
    return r && r->result == AUTHSCORE_RES_PASS ? r->oldest_pass : AUTHSCORE_ENOTEVAL;
}

size_t authscore_arc_instance_count(const authscore_msg *m)
{
    const as_arc_result *r = arc(m);
    return r ? r->n_inst : 0;
}

const char *authscore_arc_domain(const authscore_msg *m, size_t i)
{
    const as_arc_instance *v = arc_inst(m, i);
    return v ? v->d : NULL;
}

const char *authscore_arc_selector(const authscore_msg *m, size_t i)
{
    const as_arc_instance *v = arc_inst(m, i);
    return v ? v->s : NULL;
}

int authscore_arc_seal_result(const authscore_msg *m, size_t i)
{
    const as_arc_instance *v = arc_inst(m, i);
    return v ? v->seal : AUTHSCORE_RES_NOT_EVALUATED;
}

int authscore_arc_ams_result(const authscore_msg *m, size_t i)
{
    const as_arc_instance *v = arc_inst(m, i);
    return v ? v->ams : AUTHSCORE_RES_NOT_EVALUATED;
}

int authscore_arc_dnssec(const authscore_msg *m, size_t i)
{
    const as_arc_instance *v = arc_inst(m, i);
    return v ? v->dnssec : AUTHSCORE_DNSSEC_INDETERMINATE;
}

/* ---- symbols and score ---------------------------------------------------- */

int authscore_score(const authscore_msg *m, double *score)
{
    if (!m || !score)
        return AUTHSCORE_EINVAL;
    if (m->fault)
        return m->fault;
    if (!done(m) || !m->ctx->rules || !m->scored_ok)
        return AUTHSCORE_ENOTEVAL;
    *score = m->scored.score;
    return 0;
}

static const as_scored_symbol *symbol(const authscore_msg *m, size_t i)
{
    return done(m) && i < m->scored.count ? &m->scored.items[i] : NULL;
}

size_t authscore_symbol_count(const authscore_msg *m)
{
    return done(m) ? m->scored.count : 0;
}

const char *authscore_symbol_name(const authscore_msg *m, size_t i)
{
    const as_scored_symbol *s = symbol(m, i);
    return s ? s->name : NULL;
}

double authscore_symbol_weight(const authscore_msg *m, size_t i)
{
    const as_scored_symbol *s = symbol(m, i);
    return s ? s->weight : 0.0;
}

size_t authscore_symbol_option_count(const authscore_msg *m, size_t i)
{
    const as_scored_symbol *s = symbol(m, i);
    return s ? s->n_options : 0;
}

const char *authscore_symbol_option(const authscore_msg *m, size_t i, size_t j)
{
    const as_scored_symbol *s = symbol(m, i);
    return s && j < s->n_options ? s->options[j] : NULL;
}

/* ---- the rule set of a context ------------------------------------------- */

static const as_rules *rules(const authscore_ctx *c)
{
    return c && c->finalized ? c->rules : NULL;
}

size_t authscore_rules_count(const authscore_ctx *c) { return as_rules_count(rules(c)); }

const char *authscore_rules_name(const authscore_ctx *c, size_t i)
{
    return as_rules_name(rules(c), i);
}

double authscore_rules_weight(const authscore_ctx *c, size_t i)
{
    return as_rules_weight(rules(c), i);
}

const char *authscore_rules_group(const authscore_ctx *c, size_t i)
{
    return as_rules_group(rules(c), i);
}

const char *authscore_rules_description(const authscore_ctx *c, size_t i)
{
    return as_rules_description(rules(c), i);
}

const char *authscore_ar_header(const authscore_msg *m)
{
    return done(m) ? m->ar_header : NULL;
}
