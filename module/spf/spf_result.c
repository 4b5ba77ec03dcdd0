/* spf_result.c - the one result of an evaluation: set once, and after a
 * fault of ours temperror "no_memory" / "limit" whatever was decided. */
#include "spf/spf_internal.h"

void as_spf_finish(as_spf *s, int result, const char *reason)
{
    if (s->done)
        return;
    s->done = 1;
    if (s->fault || !reason) {
        result = AUTHSCORE_RES_TEMPERROR;
        reason = s->fault == AUTHSCORE_ELIMIT || s->a->limited ? "limit" : "no_memory";
    }
    s->r.result = result;
    s->r.reason = reason ? reason : "";
    s->r.lookups = s->lookups;
    s->r.void_lookups = s->voids;
    s->r.dnssec = s->dnssec < 0 ? AUTHSCORE_DNSSEC_INDETERMINATE : s->dnssec;
    s->r.rounds = s->rounds;
    s->r.queries = s->nq;
}

void as_spf_fault(as_spf *s, int rc)
{
    if (!s->fault)
        s->fault = rc == AUTHSCORE_ELIMIT || s->a->limited ? AUTHSCORE_ELIMIT : AUTHSCORE_ENOMEM;
}

void as_spf_oom(as_spf *s)
{
    /* After a NULL from as_spf_ask(), its reason (the SPF question cap is
     * a limit); otherwise memory. */
    as_spf_fault(s, s->ask_fail ? s->ask_fail : AUTHSCORE_ENOMEM);
    as_spf_finish(s, AUTHSCORE_RES_TEMPERROR, NULL);
}
