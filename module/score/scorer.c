/* scorer.c - one message's symbols, weights and score from a rule set.
 *
 * Runs after the engines; reads only finished results and the parsed
 * header, allocates only from the message's arena (regex match data too),
 * so a rule set is shared by every message on every thread. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/span.h"
#include <authscore.h>
#include "score/ar_write.h"
#include "score/arc_vouch.h"
#include "score/rules_internal.h"

#define NOT_FIRED ((size_t)-1)

typedef struct sc {
    const as_rules *rules;
    const as_score_input *in;
    as_arena *a;
    as_regex_scratch *scratch;    /* made on the first regex test */
    as_scored *out;
    size_t *fired;                /* symbol index -> item index */
    int err;
    /* What each ARC instance's AAR says of the author domain, read once:
     * 0 not yet, 1 vouches, 2 does not (score/arc_vouch.h). */
    unsigned char vouch[AS_ARC_MAX_SETS];
    const char *vouch_what[AS_ARC_MAX_SETS];
    size_t vouched;               /* the instance the last arc_sealer test
                                     found vouching, 1-based; 0: none */
    int arc_unknown;              /* the last arc_sealer test was UNKNOWN
                                     for ARC's temperror, not a regex's */
    int undet_disp;               /* the lowest disposition a rule left
                                     undetermined by ARC would give; -1 */
    const char *undet_rule;
} sc;

/* Tests are three-valued: a regex PCRE2 gave up on (a limit) neither
 * matched nor failed to match. */
#define UNKNOWN (-1)

static int subject_matches(sc *s, const as_rule_cond *k, const char *p, size_t len)
{
    if (!p)
        return 0;
    if (k->list)
        return as_domain_list_match(k->list, p, len);
    if (!s->scratch && !(s->scratch = as_regex_scratch_new(s->a))) {
        s->err = AUTHSCORE_ENOMEM;
        return 0;
    }
    int rc = as_regex_match(k->re, s->scratch, p, len);
    if (rc == AUTHSCORE_ENOMEM) {
        s->err = rc;
        return 0;
    }
    return rc < 0 ? UNKNOWN : rc;
}

static int cstr_matches(sc *s, const as_rule_cond *k, const char *p)
{
    return p ? subject_matches(s, k, p, strlen(p)) : 0;
}

/* Any of several subjects: one match decides; otherwise one unknown
 * leaves the whole test unknown. */
static int any_of(int acc, int t)
{
    return acc == 1 || t == 1 ? 1 : (acc == UNKNOWN || t == UNKNOWN ? UNKNOWN : 0);
}

static int header_matches(sc *s, const as_rule_cond *k)
{
    const as_header_block *h = s->in->headers;
    size_t seen = 0;
    int acc = 0;
    for (size_t i = h ? as_header_find(h, k->header, 0) : (size_t)-1;
         i != (size_t)-1 && seen++ < AS_RULES_MAX_HEADER_INSTANCES && acc != 1 && !s->err;
         i = as_header_find(h, k->header, i + 1)) {
        /* The value as a reader sees it: without the blanks around it, so
         * "^urgent" means the first word. */
        as_span v = as_span_trim(h->fields[i].value);
        acc = any_of(acc, subject_matches(s, k, v.p, v.len));
    }
    return acc;
}

static int dkim_domain_matches(sc *s, const as_rule_cond *k)
{
    const as_results *r = s->in->results;
    int acc = 0;
    /* The same bound as for header fields: a message may carry a thousand
     * DKIM-Signature fields. */
    for (size_t i = 0; i < r->n_dkim && i < AS_RULES_MAX_HEADER_INSTANCES && acc != 1 && !s->err;
         i++)
        if (r->dkim[i])
            acc = any_of(acc, cstr_matches(s, k, r->dkim[i]->d));
    return acc;
}

/* Is `result` in the condition's set?  An engine that did not run
 * contributes AUTHSCORE_RES_NOT_EVALUATED, which no set contains. */
static int in_set(const as_rule_cond *k, int result)
{
    return (k->results >> result) & 1u;
}

/* Does ARC instance j's AAR vouch for the author domain? */
static int vouches(sc *s, size_t j)
{
    const as_results *r = s->in->results;
    if (!s->vouch[j]) {
        as_arc_vouch_for v = {.from_domain = s->in->from_domain};
        if (r->dmarc) {
            v.org_domain = r->dmarc->org_domain;
            v.dkim_strict = r->dmarc->adkim_strict;
            v.spf_strict = r->dmarc->aspf_strict;
        }
        int rc = as_arc_vouches(s->a, r->arc->inst[j].aar, &v, &s->vouch_what[j]);
        if (rc < 0) {
            s->err = rc;
            return 0;
        }
        s->vouch[j] = rc == 1 ? 1 : 2;
    }
    return s->vouch[j] == 1;
}

/* arc_sealer: the chain passes, and the newest sealer (ARC-Seal d=) the
 * subject test names vouches for the author domain.  Only the newest
 * such sealer counts: an older one's word is no better than the hops
 * after it, and those the chain already covers.  A temperror chain is
 * UNKNOWN when it stands between the rule and its verdict: its sets could
 * not be read, or the sealer would vouch (fail closed, like DMARC's own
 * temperror; apply_override). */
static int arc_sealer_matches(sc *s, const as_rule_cond *k)
{
    const as_arc_result *arc = s->in->results->arc;
    s->vouched = 0;
    s->arc_unknown = 0;
    int temp = arc && arc->result == AUTHSCORE_RES_TEMPERROR;
    if (!arc || (arc->result != AUTHSCORE_RES_PASS && !temp) || !s->in->from_domain)
        return 0;
    if (temp && arc->n_inst == 0) {
        s->arc_unknown = 1;
        return UNKNOWN;
    }
    for (size_t j = arc->n_inst; j-- > 0;) {
        int t = cstr_matches(s, k, arc->inst[j].d);
        if (t != 1) {
            if (t == UNKNOWN || s->err)
                return t == UNKNOWN ? UNKNOWN : 0;
            continue;
        }
        int v = vouches(s, j);
        if (v && temp) {
            s->arc_unknown = 1;
            return UNKNOWN;
        }
        if (v)
            s->vouched = j + 1;
        return v;
    }
    return 0;
}

static int spf_of(const as_results *r, int identity)
{
    return r->spf[identity] ? r->spf[identity]->result : AUTHSCORE_RES_NOT_EVALUATED;
}

/* The test itself, before `negate`: 1, 0 or UNKNOWN. */
static int test(sc *s, const as_rule_cond *k)
{
    const as_results *r = s->in->results;
    switch (k->kind) {
    case AS_COND_SPF: return in_set(k, spf_of(r, AUTHSCORE_SPF_MFROM));
    case AS_COND_SPF_HELO: return in_set(k, spf_of(r, AUTHSCORE_SPF_HELO));
    case AS_COND_DKIM: return in_set(k, as_results_dkim_overall(r));
    case AS_COND_DMARC:
        return in_set(k, r->dmarc ? r->dmarc->result : AUTHSCORE_RES_NOT_EVALUATED);
    case AS_COND_SYMBOL:
        for (size_t i = 0; i < k->n_symbols; i++)
            if (s->fired[k->symbols[i]] != NOT_FIRED)
                return 1;
        return 0;
    case AS_COND_ALIGNED:
        return r->dmarc && (((k->aligned & AS_ALIGNED_DKIM) && r->dmarc->dkim_aligned > 0) ||
                            ((k->aligned & AS_ALIGNED_SPF) && r->dmarc->spf_aligned > 0));
    case AS_COND_FROM_DOMAIN: return cstr_matches(s, k, s->in->from_domain);
    case AS_COND_HELO: return cstr_matches(s, k, s->in->helo);
    case AS_COND_MAIL_FROM_DOMAIN: return cstr_matches(s, k, s->in->mail_from_domain);
    case AS_COND_DKIM_DOMAIN: return dkim_domain_matches(s, k);
    case AS_COND_HEADER: return header_matches(s, k);
    case AS_COND_ARC:
        return in_set(k, r->arc ? r->arc->result : AUTHSCORE_RES_NOT_EVALUATED);
    case AS_COND_ARC_SEALER: return arc_sealer_matches(s, k);
    default: return 0;
    }
}

static as_scored_symbol *add_item(sc *s, size_t sym)
{
    const as_rule_symbol *rs = s->rules ? &s->rules->symbols[sym] : NULL;
    as_scored_symbol *it = &s->out->items[s->out->count];
    s->fired[sym] = s->out->count++;
    it->name = rs ? rs->name : as_symbol_name((int)sym);
    it->group = as_symbol_group_name(rs ? rs->group : as_symbol_group((int)sym));
    it->weight = rs ? rs->weight : 0.0;
    return it;
}

static void add_option(sc *s, as_scored_symbol *it, const char *opt)
{
    if (!opt) { /* as_arena_printf failed: no silently shorter list */
        s->err = AUTHSCORE_ENOMEM;
        return;
    }
    if (it->n_options >= AS_SYM_MAX_OPTIONS)
        return;
    const char **o = as_arena_calloc(s->a, it->n_options + 1, sizeof *o);
    if (!o) {
        s->err = AUTHSCORE_ENOMEM;
        return;
    }
    if (it->n_options)
        memcpy(o, it->options, it->n_options * sizeof *o);
    o[it->n_options++] = opt;
    it->options = o;
}

/* PCRE2 gave up on `k` of `rule`: the rule does not fire (unknown is not
 * a match, and with `not` not a mismatch either), AS_REGEX_LIMIT names
 * it, and the host hears of it once per regex (each condition has its
 * own) and rule set, not per message. */
static void regex_limit(sc *s, const as_rule *rule, const as_rule_cond *k, const char *why)
{
    const char *name = s->rules->symbols[rule->symbol].name;
    size_t item = s->fired[AS_SYM_AS_REGEX_LIMIT];
    as_scored_symbol *it =
        item == NOT_FIRED ? add_item(s, AS_SYM_AS_REGEX_LIMIT) : &s->out->items[item];
    add_option(s, it, name);
    if (s->in->log && as_regex_claim_log(k->re)) {
        const char *subject = k->kind == AS_COND_HEADER ? k->header : k->label;
        char line[512];
        snprintf(line, sizeof line,
                 "rule %s: regex %.200s on %s gave up (%s); the rule is not applied and "
                 "AS_REGEX_LIMIT names it (logged once per rule and regex)",
                 name, as_regex_spec(k->re), subject ? subject : "?", why);
        s->in->log(s->in->log_user, AUTHSCORE_LOG_WARNING, line);
    }
}

/* A fired rule's dmarc_disposition lowers a DMARC fail's disposition;
 * the lowest of all such rules wins.  RFC 7489 7.2 names the override:
 * trusted_forwarder when a trusted ARC sealer vouched, else local_policy. */
static void apply_override(sc *s, const as_rule *rule, size_t vouched)
{
    const as_dmarc_result *d = s->in->results->dmarc;
    as_dmarc_override *o = &s->out->override;
    if (rule->disposition < 0 || !d || d->result != AUTHSCORE_RES_FAIL)
        return;
    int now = o->active ? o->disposition : d->disposition;
    if (rule->disposition >= now)
        return;
    const as_arc_result *arc = s->in->results->arc;
    o->active = 1;
    o->disposition = rule->disposition;
    o->rule = s->rules->symbols[rule->symbol].name;
    o->type = rule->arc_vouched && vouched ? "trusted_forwarder" : "local_policy";
    o->sealer = rule->arc_vouched && vouched ? arc->inst[vouched - 1].d : NULL;
    o->instance = rule->arc_vouched && vouched ? (int)vouched : 0;
}

/* A rule whose only unknown is an ARC temperror and that would lower the
 * disposition: the override is undetermined (results.h). */
static void undetermined(sc *s, const as_rule *rule)
{
    const as_dmarc_result *d = s->in->results->dmarc;
    if (rule->disposition < 0 || !d || d->result != AUTHSCORE_RES_FAIL)
        return;
    if (s->undet_disp < 0 || rule->disposition < s->undet_disp) {
        s->undet_disp = rule->disposition;
        s->undet_rule = s->rules->symbols[rule->symbol].name;
    }
}

/* After every rule: undetermined when such a rule would have gone below
 * what applied. */
static void settle_undetermined(sc *s)
{
    const as_dmarc_result *d = s->in->results->dmarc;
    as_dmarc_override *o = &s->out->override;
    if (s->undet_disp < 0 || !d)
        return;
    int now = o->active ? o->disposition : d->disposition;
    if (s->undet_disp >= now)
        return;
    o->undetermined = 1;
    if (!o->active)
        o->rule = s->undet_rule;
}

static void run_rule(sc *s, const as_rule *rule)
{
    size_t vouched = 0;
    int arc_unknown = 0;
    const as_rule_cond *unknown = NULL;
    const char *why = NULL;
    for (size_t i = 0; i < rule->n_conds; i++) {
        const as_rule_cond *k = &rule->conds[i];
        int t = test(s, k);
        if (s->err)
            return;
        if (t == UNKNOWN && k->kind == AS_COND_ARC_SEALER && s->arc_unknown) {
            arc_unknown = 1;
            continue;
        }
        if (t == UNKNOWN) {
            /* Go on: a condition that surely fails settles the rule. */
            if (!unknown) {
                unknown = k;
                why = as_regex_scratch_why(s->scratch);
            }
            continue;
        }
        if (t == k->negate)
            return;
        if (k->kind == AS_COND_ARC_SEALER && !k->negate)
            vouched = s->vouched;
    }
    if (unknown) {
        regex_limit(s, rule, unknown, why);
        return;
    }
    if (arc_unknown) {
        undetermined(s, rule);
        return;
    }
    as_scored_symbol *it = add_item(s, rule->symbol);
    /* Say what matched: each positive subject condition, as "helo in
     * trusted_forwarders" or "Subject" (a regex). */
    for (size_t i = 0; i < rule->n_conds; i++) {
        const as_rule_cond *k = &rule->conds[i];
        const char *what = k->kind == AS_COND_HEADER ? k->header : k->label;
        if (!k->negate && k->list)
            add_option(s, it, as_arena_printf(s->a, "%s in %s", what, k->list->name));
        else if (!k->negate && k->re)
            add_option(s, it, what);
    }
    /* Which sealer vouched, and with what: "forwarder.example i=1 dkim=pass". */
    if (vouched) {
        const as_arc_instance *v = &s->in->results->arc->inst[vouched - 1];
        char who[AS_SYM_MAX_OPTION_BYTES];
        size_t n = as_ar_clean_to(who, sizeof who - 1, v->d, v->d ? strnlen(v->d, 256) : 0);
        who[n] = '\0';
        add_option(s, it, as_arena_printf(s->a, "%s i=%d %s", who, v->i,
                                          s->vouch_what[vouched - 1]));
    }
    apply_override(s, rule, vouched);
}

static void apply_cancels(sc *s, const as_rule *rule)
{
    if (s->fired[rule->symbol] == NOT_FIRED)
        return;
    const char *by = s->rules->symbols[rule->symbol].name;
    for (size_t i = 0; i < rule->n_cancel; i++) {
        size_t item = s->fired[rule->cancel[i]];
        if (item == NOT_FIRED)
            continue;
        as_scored_symbol *it = &s->out->items[item];
        it->weight = 0.0;
        add_option(s, it, as_arena_printf(s->a, "cancelled_by:%s", by));
    }
}

int as_rules_score(const as_rules *rules, as_arena *a, const as_score_input *in, as_scored *out)
{
    memset(out, 0, sizeof *out);
    size_t n_symbols = rules ? rules->n_symbols : AS_SYM_COUNT;
    size_t n_rules = rules ? rules->n_rules : 0;
    sc s = {.rules = rules, .in = in, .a = a, .out = out, .undet_disp = -1};
    s.fired = as_arena_alloc(a, n_symbols * sizeof *s.fired);
    /* Each symbol at most once: the derived ones, the rules', and
     * AS_REGEX_LIMIT (never derived). */
    out->items = as_arena_calloc(a, in->derived->count + n_rules + 1, sizeof *out->items);
    if (!s.fired || !out->items)
        return AUTHSCORE_ENOMEM;
    for (size_t i = 0; i < n_symbols; i++)
        s.fired[i] = NOT_FIRED;
    for (size_t i = 0; i < in->derived->count; i++) {
        const as_symbol *d = &in->derived->items[i];
        as_scored_symbol *it = add_item(&s, (size_t)d->id);
        it->options = d->options;
        it->n_options = d->n_options;
    }
    for (size_t i = 0; i < n_rules; i++)
        run_rule(&s, &rules->rules[i]);
    settle_undetermined(&s);
    for (size_t i = 0; i < n_rules; i++)
        apply_cancels(&s, &rules->rules[i]);
    if (s.err)
        return s.err;
    /* Sum in millionths: weights are written in decimal, and 1.0 - 0.2 -
     * 0.5 - ... must come out as the 0 an administrator expects. */
    long long micro = 0;
    for (size_t i = 0; i < out->count; i++)
        micro += llround(out->items[i].weight * 1e6);
    out->score = (double)micro / 1e6;
    return 0;
}
