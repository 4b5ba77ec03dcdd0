/* fx_check.c - the fail-closed rule (docs/architecture.md "Fail closed")
 * as the sweep checks it, for every fault number N:
 *   - refused: the call returned ENOMEM or ELIMIT, and the message kept
 *     that error (fx_run.c checks every later call and getter); or
 *   - each method (SPF per identity, DKIM per signature) is what the
 *     fault-free run said, or temperror with reason no_memory / limit;
 *     DMARC is the fault-free result or temperror; a reject or quarantine
 *     disposition only when the fault-free run had it and DMARC's result
 *     is unchanged; and when no method changed, nothing else did either
 *     (symbols, weights, score, A-R header). */
#include <stdio.h>
#include <string.h>

#include "fx.h"

int fx_same(const fx_outcome *a, const fx_outcome *b)
{
    if (a->rc != b->rc || a->ndkim != b->ndkim || a->dmarc != b->dmarc || a->arc != b->arc ||
        strcmp(a->arc_reason, b->arc_reason) ||
        a->policy != b->policy || a->disposition != b->disposition ||
        a->score_rc != b->score_rc || a->score != b->score)
        return 0;
    for (int i = 0; i < 2; i++)
        if (a->spf[i] != b->spf[i] || strcmp(a->spf_reason[i], b->spf_reason[i]))
            return 0;
    for (size_t i = 0; i < a->ndkim; i++)
        if (a->dkim[i] != b->dkim[i] || strcmp(a->dkim_reason[i], b->dkim_reason[i]))
            return 0;
    return !strcmp(a->dmarc_reason, b->dmarc_reason) && !strcmp(a->symbols, b->symbols) &&
           !strcmp(a->ar, b->ar);
}

/* temperror because of our own fault, as the rule names it. */
static int fault_temperror(int result, const char *reason)
{
    return result == AUTHSCORE_RES_TEMPERROR &&
           (!strcmp(reason, "no_memory") || !strcmp(reason, "limit"));
}

static char why[512];

/* One method: unchanged (0), degraded (1), or broken (-1, `why` set). */
static int method(const char *what, size_t i, int got, const char *got_reason, int want,
                  const char *want_reason)
{
    if (got == want && !strcmp(got_reason, want_reason))
        return 0;
    if (fault_temperror(got, got_reason))
        return 1;
    snprintf(why, sizeof why, "%s %zu became %s (%s); fault-free %s (%s)", what, i,
             authscore_result_name(got), got_reason, authscore_result_name(want),
             want_reason);
    return -1;
}

static int harsh(int disposition)
{
    return disposition == AUTHSCORE_DMARC_POLICY_REJECT ||
           disposition == AUTHSCORE_DMARC_POLICY_QUARANTINE;
}

const char *fx_check(const fx_outcome *got, const fx_outcome *want, int *degraded)
{
    *degraded = 0;
    if (want->rc < 0)
        return "the fault-free run was refused";
    if (got->rc < 0) {
        if (got->rc != AUTHSCORE_ENOMEM && got->rc != AUTHSCORE_ELIMIT) {
            snprintf(why, sizeof why, "refused with \"%s\", not a fault's error",
                     authscore_strerror(got->rc));
            return why;
        }
        return got->sticky;
    }
    int changed = 0, r;
    for (int i = 0; i < 2; i++) {
        r = method("SPF identity", (size_t)i, got->spf[i], got->spf_reason[i], want->spf[i],
                   want->spf_reason[i]);
        if (r < 0)
            return why;
        changed |= r;
    }
    /* ARC is one method for the whole chain (docs/arc.md). */
    r = method("ARC chain", 0, got->arc, got->arc_reason, want->arc, want->arc_reason);
    if (r < 0)
        return why;
    changed |= r;
    if (got->ndkim != want->ndkim)
        return "the number of DKIM results changed";
    for (size_t i = 0; i < got->ndkim; i++) {
        r = method("DKIM signature", i, got->dkim[i], got->dkim_reason[i], want->dkim[i],
                   want->dkim_reason[i]);
        if (r < 0)
            return why;
        changed |= r;
    }
    /* A pass may pass on fewer identifiers (its reason changes) when one
     * of them degraded: still the same verdict. */
    if (got->dmarc != want->dmarc || got->disposition != want->disposition ||
        got->policy != want->policy ||
        (!changed && strcmp(got->dmarc_reason, want->dmarc_reason))) {
        if (got->dmarc != AUTHSCORE_RES_TEMPERROR) {
            snprintf(why, sizeof why, "DMARC became %s (%s); fault-free %s (%s)",
                     authscore_result_name(got->dmarc), got->dmarc_reason,
                     authscore_result_name(want->dmarc), want->dmarc_reason);
            return why;
        }
        changed = 1;
    }
    if (harsh(got->disposition) &&
        (got->dmarc != want->dmarc || got->disposition != want->disposition))
        return "a fault led to a reject or quarantine disposition";
    *degraded = changed;
    if (!changed && !fx_same(got, want))
        return "no method changed, yet the symbols, score or A-R header did";
    return NULL;
}

void fx_print(const char *label, const fx_outcome *o)
{
    printf("  %s: rc=%d spf=%s (%s)/%s dkim=", label, o->rc, authscore_result_name(o->spf[0]),
           o->spf_reason[0], authscore_result_name(o->spf[1]));
    for (size_t i = 0; i < o->ndkim; i++)
        printf("%s%s (%s)", i ? "," : "", authscore_result_name(o->dkim[i]), o->dkim_reason[i]);
    printf(" arc=%s (%s)", authscore_result_name(o->arc), o->arc_reason);
    printf(" dmarc=%s (%s) disposition=%d score=%.2f\n    symbols: %s\n    A-R: %s\n",
           authscore_result_name(o->dmarc), o->dmarc_reason, o->disposition, o->score,
           o->symbols, o->ar);
}
