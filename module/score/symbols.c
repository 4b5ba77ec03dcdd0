/* symbols.c - symbols from the engines' results (docs/symbols.md).
 *
 * Pure: reads an as_results, writes a list in the arena.  Each trigger is
 * one small function so the table in docs/symbols.md maps to code. */
#include "util/names.h"
#include "score/symbols.h"

#include <stdio.h>
#include <string.h>

#include "score/ar_write.h"
#include <authscore.h>

static const struct {
    const char *name;
    int group;
} catalog[AS_SYM_COUNT] = {
    [AS_SYM_R_SPF_ALLOW] = {"R_SPF_ALLOW", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_FAIL] = {"R_SPF_FAIL", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_SOFTFAIL] = {"R_SPF_SOFTFAIL", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_NEUTRAL] = {"R_SPF_NEUTRAL", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_NA] = {"R_SPF_NA", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_DNSFAIL] = {"R_SPF_DNSFAIL", AS_SYM_GROUP_SPF},
    [AS_SYM_R_SPF_PERMFAIL] = {"R_SPF_PERMFAIL", AS_SYM_GROUP_SPF},
    [AS_SYM_AS_SPF_LIMIT] = {"AS_SPF_LIMIT", AS_SYM_GROUP_SPF},
    [AS_SYM_R_DKIM_ALLOW] = {"R_DKIM_ALLOW", AS_SYM_GROUP_DKIM},
    [AS_SYM_R_DKIM_REJECT] = {"R_DKIM_REJECT", AS_SYM_GROUP_DKIM},
    [AS_SYM_R_DKIM_TEMPFAIL] = {"R_DKIM_TEMPFAIL", AS_SYM_GROUP_DKIM},
    [AS_SYM_R_DKIM_PERMFAIL] = {"R_DKIM_PERMFAIL", AS_SYM_GROUP_DKIM},
    [AS_SYM_R_DKIM_NA] = {"R_DKIM_NA", AS_SYM_GROUP_DKIM},
    [AS_SYM_AS_DKIM_WEAK] = {"AS_DKIM_WEAK", AS_SYM_GROUP_DKIM},
    [AS_SYM_AS_DKIM_TESTING] = {"AS_DKIM_TESTING", AS_SYM_GROUP_DKIM},
    [AS_SYM_AS_DKIM_UNSIGNED_CONTENT] = {"AS_DKIM_UNSIGNED_CONTENT", AS_SYM_GROUP_DKIM},
    [AS_SYM_DMARC_POLICY_ALLOW] = {"DMARC_POLICY_ALLOW", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_POLICY_REJECT] = {"DMARC_POLICY_REJECT", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_POLICY_QUARANTINE] = {"DMARC_POLICY_QUARANTINE", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_POLICY_SOFTFAIL] = {"DMARC_POLICY_SOFTFAIL", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_NA] = {"DMARC_NA", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_BAD_POLICY] = {"DMARC_BAD_POLICY", AS_SYM_GROUP_DMARC},
    [AS_SYM_DMARC_DNSFAIL] = {"DMARC_DNSFAIL", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_BAD_FROM] = {"AS_DMARC_BAD_FROM", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_ALIGNED_DKIM] = {"AS_DMARC_ALIGNED_DKIM", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_ALIGNED_SPF] = {"AS_DMARC_ALIGNED_SPF", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_UNALIGNED_PASS] = {"AS_DMARC_UNALIGNED_PASS", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_TESTING] = {"AS_DMARC_TESTING", AS_SYM_GROUP_DMARC},
    [AS_SYM_AS_DMARC_NP] = {"AS_DMARC_NP", AS_SYM_GROUP_DMARC},
    [AS_SYM_ARC_ALLOW] = {"ARC_ALLOW", AS_SYM_GROUP_ARC},
    [AS_SYM_ARC_REJECT] = {"ARC_REJECT", AS_SYM_GROUP_ARC},
    [AS_SYM_ARC_INVALID] = {"ARC_INVALID", AS_SYM_GROUP_ARC},
    [AS_SYM_ARC_DNSFAIL] = {"ARC_DNSFAIL", AS_SYM_GROUP_ARC},
    [AS_SYM_ARC_NA] = {"ARC_NA", AS_SYM_GROUP_ARC},
    [AS_SYM_AS_SPF_DNSSEC] = {"AS_SPF_DNSSEC", AS_SYM_GROUP_DNSSEC},
    [AS_SYM_AS_DKIM_DNSSEC] = {"AS_DKIM_DNSSEC", AS_SYM_GROUP_DNSSEC},
    [AS_SYM_AS_DMARC_DNSSEC] = {"AS_DMARC_DNSSEC", AS_SYM_GROUP_DNSSEC},
    [AS_SYM_AS_ARC_DNSSEC] = {"AS_ARC_DNSSEC", AS_SYM_GROUP_DNSSEC},
    [AS_SYM_AS_DNSSEC_BOGUS] = {"AS_DNSSEC_BOGUS", AS_SYM_GROUP_DNSSEC},
    [AS_SYM_AS_FROM_MISSING] = {"AS_FROM_MISSING", AS_SYM_GROUP_POLICY},
    [AS_SYM_AS_FROM_MULTIPLE] = {"AS_FROM_MULTIPLE", AS_SYM_GROUP_POLICY},
    [AS_SYM_AS_REGEX_LIMIT] = {"AS_REGEX_LIMIT", AS_SYM_GROUP_POLICY},
};

const char *as_symbol_name(int id)
{
    return id >= 0 && id < AS_SYM_COUNT ? catalog[id].name : NULL;
}

int as_symbol_group(int id)
{
    return id >= 0 && id < AS_SYM_COUNT ? catalog[id].group : -1;
}

const char *as_symbol_group_name(int g)
{
    static const char *const names[AS_SYM_GROUP_COUNT] = {"spf", "dkim", "dmarc", "dnssec",
                                                          "policy", "arc"};
    return g >= 0 && g < AS_SYM_GROUP_COUNT ? names[g] : NULL;
}

int as_symbol_find(const char *name)
{
    for (int i = 0; name && i < AS_SYM_COUNT; i++)
        if (!strcmp(catalog[i].name, name))
            return i;
    return -1;
}

/* Working state: which symbols fired and their options. */
typedef struct work {
    as_arena *a;
    int err;
    unsigned char fired[AS_SYM_COUNT];
    const char *opt[AS_SYM_COUNT][AS_SYM_MAX_OPTIONS];
    size_t n_opt[AS_SYM_COUNT];
} work;

static void fire(work *w, int id) { w->fired[id] = 1; }

/* Fire `id` with an option built from up to three pieces (hostile bytes
 * cleaned and capped).  Duplicate options are kept once. */
static void fire_opt3(work *w, int id, const char *x, const char *y, const char *z)
{
    fire(w, id);
    if (w->n_opt[id] >= AS_SYM_MAX_OPTIONS)
        return;
    char raw[AS_SYM_MAX_OPTION_BYTES];
    size_t n = 0;
    const char *parts[3] = {x, y, z};
    for (int k = 0; k < 3; k++) {
        if (!parts[k])
            continue;
        size_t pl = strnlen(parts[k], AS_SYM_MAX_OPTION_BYTES + 4); /* + a UTF-8 tail */
        n += as_ar_clean_to(raw + n, sizeof raw - n, parts[k], pl);
    }
    for (size_t i = 0; i < w->n_opt[id]; i++)
        if (strlen(w->opt[id][i]) == n && !memcmp(w->opt[id][i], raw, n))
            return;
    const char *o = as_arena_strndup(w->a, raw, n);
    if (!o) {
        w->err = AUTHSCORE_ENOMEM;
        return;
    }
    w->opt[id][w->n_opt[id]++] = o;
}

static void fire_opt(work *w, int id, const char *o)
{
    if (o)
        fire_opt3(w, id, o, NULL, NULL);
    else
        fire(w, id);
}

static void spf_symbols(work *w, const as_results *r)
{
    const as_spf_result *s = r->spf[AUTHSCORE_SPF_MFROM];
    if (s && s->dnssec == AUTHSCORE_DNSSEC_BOGUS)
        fire_opt3(w, AS_SYM_AS_DNSSEC_BOGUS, "spf:", s->domain, NULL);
    const as_spf_result *h = r->spf[AUTHSCORE_SPF_HELO];
    if (h && h->result != AUTHSCORE_RES_NOT_EVALUATED && h->dnssec == AUTHSCORE_DNSSEC_BOGUS)
        fire_opt3(w, AS_SYM_AS_DNSSEC_BOGUS, "spf_helo:", h->domain, NULL);
    if (!s)
        return;
    /* The matching mechanism says why it passed or failed; else the domain. */
    const char *why = s->mechanism ? s->mechanism : s->domain;
    switch (s->result) {
    case AUTHSCORE_RES_PASS: fire_opt(w, AS_SYM_R_SPF_ALLOW, why); break;
    case AUTHSCORE_RES_FAIL: fire_opt(w, AS_SYM_R_SPF_FAIL, why); break;
    case AUTHSCORE_RES_SOFTFAIL: fire_opt(w, AS_SYM_R_SPF_SOFTFAIL, why); break;
    case AUTHSCORE_RES_NEUTRAL: fire_opt(w, AS_SYM_R_SPF_NEUTRAL, why); break;
    case AUTHSCORE_RES_NONE: fire_opt(w, AS_SYM_R_SPF_NA, s->domain); break;
    case AUTHSCORE_RES_TEMPERROR: fire_opt(w, AS_SYM_R_SPF_DNSFAIL, s->reason); break;
    case AUTHSCORE_RES_PERMERROR: fire_opt(w, AS_SYM_R_SPF_PERMFAIL, s->reason); break;
    default: return; /* not evaluated */
    }
    if (s->limit_hit == AS_SPF_LIMIT_LOOKUPS)
        fire_opt(w, AS_SYM_AS_SPF_LIMIT, "lookups");
    else if (s->limit_hit == AS_SPF_LIMIT_VOID)
        fire_opt(w, AS_SYM_AS_SPF_LIMIT, "void_lookups");
    /* Secure: the decision rested only on validated answers (a proven
     * absence for none).  Errors are never rewarded. */
    if (s->dnssec == AUTHSCORE_DNSSEC_SECURE && s->result != AUTHSCORE_RES_TEMPERROR &&
        s->result != AUTHSCORE_RES_PERMERROR)
        fire_opt(w, AS_SYM_AS_SPF_DNSSEC, as_result_word(s->result));
}

static void dkim_symbols(work *w, const as_results *r)
{
    if (!r->dkim_evaluated)
        return;
    if (r->n_dkim == 0) {
        fire(w, AS_SYM_R_DKIM_NA);
        return;
    }
    for (size_t i = 0; i < r->n_dkim; i++) {
        const as_dkim_sig_result *d = r->dkim[i];
        if (!d)
            continue;
        int id;
        switch (d->result) {
        case AUTHSCORE_RES_PASS: id = AS_SYM_R_DKIM_ALLOW; break;
        case AUTHSCORE_RES_FAIL: id = AS_SYM_R_DKIM_REJECT; break;
        case AUTHSCORE_RES_TEMPERROR: id = AS_SYM_R_DKIM_TEMPFAIL; break;
        case AUTHSCORE_RES_PERMERROR: id = AS_SYM_R_DKIM_PERMFAIL; break;
        default: continue; /* beyond the signature cap: not evaluated */
        }
        /* Rspamd's option shape: domain:s=selector; without d=, the reason. */
        if (d->d)
            fire_opt3(w, id, d->d, ":s=", d->s ? d->s : "");
        else
            fire_opt(w, id, d->reason);
        /* RFC 8301 3.1: an rsa-sha1 signature refused unverified; the
         * option says why nothing (no DMARC alignment) rests on it. */
        if (d->result == AUTHSCORE_RES_PERMERROR && d->reason &&
            !strcmp(d->reason, "weak_algorithm"))
            fire_opt(w, id, "weak_algorithm");
        int pass = d->result == AUTHSCORE_RES_PASS;
        if (pass && (d->flags & AUTHSCORE_DKIM_WEAK_ALGORITHM))
            fire_opt(w, AS_SYM_AS_DKIM_WEAK, d->d);
        if (d->flags & AUTHSCORE_DKIM_TESTING_KEY)
            fire_opt(w, AS_SYM_AS_DKIM_TESTING, d->d);
        if (pass && (d->flags & AUTHSCORE_DKIM_UNSIGNED_CONTENT))
            fire_opt(w, AS_SYM_AS_DKIM_UNSIGNED_CONTENT, d->d);
        if (pass && d->dnssec == AUTHSCORE_DNSSEC_SECURE)
            fire_opt(w, AS_SYM_AS_DKIM_DNSSEC, d->d);
        if (d->dnssec == AUTHSCORE_DNSSEC_BOGUS)
            fire_opt3(w, AS_SYM_AS_DNSSEC_BOGUS, "dkim:", d->d, NULL);
    }
}

static void dmarc_symbols(work *w, const as_results *r)
{
    const as_dmarc_result *d = r->dmarc;
    if (!d || !as_result_word(d->result))
        return;
    const char *from = d->from_domain;
    switch (d->result) {
    case AUTHSCORE_RES_PASS: {
        const char *pw = as_policy_word(d->policy);
        fire_opt(w, AS_SYM_DMARC_POLICY_ALLOW, from);
        fire_opt(w, AS_SYM_DMARC_POLICY_ALLOW, pw ? pw : "none");
        break;
    }
    case AUTHSCORE_RES_FAIL: {
        int id = d->disposition == AUTHSCORE_DMARC_POLICY_REJECT       ? AS_SYM_DMARC_POLICY_REJECT
                 : d->disposition == AUTHSCORE_DMARC_POLICY_QUARANTINE ? AS_SYM_DMARC_POLICY_QUARANTINE
                                                                       : AS_SYM_DMARC_POLICY_SOFTFAIL;
        fire_opt(w, id, from);
        fire_opt(w, id, d->reason);
        break;
    }
    case AUTHSCORE_RES_NONE: fire_opt(w, AS_SYM_DMARC_NA, from); break;
    case AUTHSCORE_RES_TEMPERROR: fire_opt(w, AS_SYM_DMARC_DNSFAIL, d->reason); break;
    case AUTHSCORE_RES_PERMERROR:
        if (d->reason && !strcmp(d->reason, "invalid_policy"))
            fire_opt(w, AS_SYM_DMARC_BAD_POLICY, from);
        else
            fire_opt(w, AS_SYM_AS_DMARC_BAD_FROM, d->reason);
        break;
    default: break;
    }
    if (d->dkim_aligned > 0)
        fire_opt(w, AS_SYM_AS_DMARC_ALIGNED_DKIM, d->dkim_domain);
    if (d->spf_aligned > 0)
        fire_opt(w, AS_SYM_AS_DMARC_ALIGNED_SPF, d->spf_domain);
    if (d->unaligned_pass > 0 && d->dkim_aligned <= 0 && d->spf_aligned <= 0)
        fire(w, AS_SYM_AS_DMARC_UNALIGNED_PASS);
    if (d->downgraded)
        fire_opt(w, AS_SYM_AS_DMARC_TESTING, d->mode == AS_DMARC_RFC7489 ? "pct" : "t=y");
    if (d->policy_tag && !strcmp(d->policy_tag, "np") && d->policy != AUTHSCORE_DMARC_POLICY_UNSET)
        fire_opt(w, AS_SYM_AS_DMARC_NP, from);
    if (d->dnssec == AUTHSCORE_DNSSEC_SECURE &&
        (d->result == AUTHSCORE_RES_PASS || d->result == AUTHSCORE_RES_FAIL ||
         d->result == AUTHSCORE_RES_NONE))
        fire_opt(w, AS_SYM_AS_DMARC_DNSSEC, as_result_word(d->result));
    if (d->dnssec == AUTHSCORE_DNSSEC_BOGUS)
        fire_opt3(w, AS_SYM_AS_DNSSEC_BOGUS, "dmarc:", from, NULL);
}

/* Rspamd's arc module's names: ARC_INVALID for a chain of the wrong form,
 * ARC_REJECT for one whose signatures (or a sealer's cv=fail) fail. */
static void arc_symbols(work *w, const as_results *r)
{
    const as_arc_result *a = r->arc;
    if (!a)
        return;
    for (size_t j = 0; j < a->n_inst; j++)
        if (a->inst[j].dnssec == AUTHSCORE_DNSSEC_BOGUS)
            fire_opt3(w, AS_SYM_AS_DNSSEC_BOGUS, "arc:", a->inst[j].d, NULL);
    const as_arc_instance *top = a->n_inst ? &a->inst[a->n_inst - 1] : NULL;
    char tail[AS_SYM_MAX_OPTION_BYTES];
    switch (a->result) {
    case AUTHSCORE_RES_NONE: fire(w, AS_SYM_ARC_NA); break;
    case AUTHSCORE_RES_PASS:
        if (!top) {
            fire(w, AS_SYM_ARC_ALLOW);
            break;
        }
        /* Rspamd's option shape: d:s=selector:i=N of the newest seal. */
        snprintf(tail, sizeof tail, ":s=%s:i=%d", top->s ? top->s : "", top->i);
        fire_opt3(w, AS_SYM_ARC_ALLOW, top->d ? top->d : "", tail, NULL);
        if (a->all_secure)
            fire_opt(w, AS_SYM_AS_ARC_DNSSEC, top->d);
        break;
    case AUTHSCORE_RES_FAIL:
        fire_opt(w, a->invalid ? AS_SYM_ARC_INVALID : AS_SYM_ARC_REJECT, a->reason);
        break;
    case AUTHSCORE_RES_TEMPERROR: fire_opt(w, AS_SYM_ARC_DNSFAIL, a->reason); break;
    default: break;
    }
}

static void from_symbols(work *w, const as_results *r)
{
    char n[48];
    if (r->from_fields == 0)
        fire_opt(w, AS_SYM_AS_FROM_MISSING, "no_field");
    else if (r->from_mailboxes == 0)
        fire_opt(w, AS_SYM_AS_FROM_MISSING, "no_mailbox");
    if (r->from_fields > 1) {
        snprintf(n, sizeof n, "fields=%zu", r->from_fields);
        fire_opt(w, AS_SYM_AS_FROM_MULTIPLE, n);
    }
    if (r->from_mailboxes > 1) {
        snprintf(n, sizeof n, "mailboxes=%zu", r->from_mailboxes);
        fire_opt(w, AS_SYM_AS_FROM_MULTIPLE, n);
    }
}

int as_symbols_derive(as_arena *a, const as_results *r, as_symbol_list *out)
{
    out->items = NULL;
    out->count = 0;
    work *w = as_arena_calloc(a, 1, sizeof *w); /* ~5 KB: not on the stack */
    if (!w)
        return AUTHSCORE_ENOMEM;
    w->a = a;
    spf_symbols(w, r);
    dkim_symbols(w, r);
    dmarc_symbols(w, r);
    arc_symbols(w, r);
    from_symbols(w, r);
    if (w->err)
        return w->err;
    size_t n = 0;
    for (int i = 0; i < AS_SYM_COUNT; i++)
        n += w->fired[i];
    out->items = as_arena_calloc(a, n ? n : 1, sizeof *out->items);
    if (!out->items)
        return AUTHSCORE_ENOMEM;
    for (int i = 0; i < AS_SYM_COUNT; i++) {
        if (!w->fired[i])
            continue;
        as_symbol *s = &out->items[out->count++];
        s->id = i;
        s->name = catalog[i].name;
        s->group = catalog[i].group;
        s->n_options = w->n_opt[i];
        if (s->n_options) {
            s->options = as_arena_calloc(a, s->n_options, sizeof *s->options);
            if (!s->options)
                return AUTHSCORE_ENOMEM;
            memcpy(s->options, w->opt[i], s->n_options * sizeof *s->options);
        }
    }
    return 0;
}

const as_symbol *as_symbol_list_get(const as_symbol_list *l, int id)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (l->items[i].id == id)
            return &l->items[i];
    return NULL;
}

/* Higher wins.  A pass proves the message; a temperror might have been a
 * pass (if aligned, DMARC is then temperror too: docs/dmarc.md), so it
 * outranks every verdict against the message; a fail is a verified mismatch; policy is a
 * signature the site refused; permerror and neutral say nothing about the
 * message.  NONE is not a signature's word; it ranks like not evaluated. */
static int dkim_rank(int result)
{
    switch (result) {
    case AUTHSCORE_RES_PASS: return 6;
    case AUTHSCORE_RES_TEMPERROR: return 5;
    case AUTHSCORE_RES_FAIL: return 4;
    case AUTHSCORE_RES_POLICY: return 3;
    case AUTHSCORE_RES_PERMERROR: return 2;
    case AUTHSCORE_RES_NEUTRAL: return 1;
    default: return 0;
    }
}

int as_dkim_overall_add(int acc, int sig_result)
{
    return dkim_rank(sig_result) > dkim_rank(acc) ? sig_result : acc;
}

int as_results_dkim_overall(const as_results *r)
{
    if (!r->dkim_evaluated)
        return AUTHSCORE_RES_NOT_EVALUATED;
    if (r->n_dkim == 0)
        return AUTHSCORE_RES_NONE;
    int acc = AUTHSCORE_RES_NOT_EVALUATED;
    for (size_t i = 0; i < r->n_dkim; i++)
        if (r->dkim[i])
            acc = as_dkim_overall_add(acc, r->dkim[i]->result);
    return acc;
}
