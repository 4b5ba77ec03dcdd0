/* action.c - what a message gets, from its results and milter.conf.
 *
 * The order is the Exim snippet's (docs/exim.md): a message the library
 * refused (a fault: no memory, a limit) is deferred; a header block past
 * the library's caps is rejected (552 5.3.4, as Exim's guard does): a
 * From field behind them would never be seen; a temperror gets
 * temperror_action and nothing stronger, because a retry may pass and a
 * temporary failure must never become a 5xx; otherwise the strongest of
 * what DMARC's disposition and the score thresholds ask for wins:
 * reject > tempfail > quarantine > accept. */
#include <stddef.h>

#include "host/milter/milter.h"

const char *as_milter_act_name(int action)
{
    switch (action) {
    case AS_ACT_ACCEPT: return "accept";
    case AS_ACT_QUARANTINE: return "quarantine";
    case AS_ACT_TEMPFAIL: return "tempfail";
    case AS_ACT_REJECT: return "reject";
    default: return "unknown";
    }
}

static void raise_to(struct as_milter_verdict *v, int action,
                     const struct as_milter_reply *reply, const char *why)
{
    if (action <= v->action)
        return;
    v->action = action;
    v->reply = reply;
    v->why = why;
}

/* The reply that goes with `action` when DMARC asked for it. */
static const struct as_milter_reply *dmarc_reply(const struct as_milter_conf *c,
                                                 int action)
{
    if (action == AS_ACT_REJECT)
        return &c->dmarc_reply;
    return action == AS_ACT_TEMPFAIL ? &c->tempfail_reply : NULL;
}

/* Fixed: not a site's choice, the same answer as the Exim snippet's. */
static const struct as_milter_reply header_limit_reply = {
    "552", "5.3.4", "header too large to check its authentication"};

void as_milter_decide_facts(const struct as_milter_conf *c,
                            const struct as_milter_facts *f,
                            struct as_milter_verdict *v)
{
    v->action = AS_ACT_ACCEPT;
    v->reply = NULL;
    v->why = "pass";
    if (f->refused) {
        v->action = AS_ACT_TEMPFAIL;
        v->reply = &c->tempfail_reply;
        v->why = "not evaluated (fault)";
        return;
    }
    if (f->header_limit) {
        v->action = AS_ACT_REJECT;
        v->reply = &header_limit_reply;
        v->why = "header block over the library's caps";
        return;
    }
    if (f->temperror) {
        v->action = c->temperror_action == AS_ACT_TEMPFAIL ? AS_ACT_TEMPFAIL
                                                           : AS_ACT_ACCEPT;
        v->reply = v->action == AS_ACT_TEMPFAIL ? &c->tempfail_reply : NULL;
        v->why = "temperror";
        return;
    }
    if (f->disposition == AUTHSCORE_DMARC_POLICY_REJECT)
        raise_to(v, c->dmarc_reject, dmarc_reply(c, c->dmarc_reject),
                 "dmarc disposition reject");
    else if (f->disposition == AUTHSCORE_DMARC_POLICY_QUARANTINE)
        raise_to(v, c->dmarc_quarantine, NULL, "dmarc disposition quarantine");
    if (f->has_score) {
        if (c->has_score_reject && f->score >= c->score_reject)
            raise_to(v, AS_ACT_REJECT, &c->score_reply, "score_reject");
        if (c->has_score_tempfail && f->score >= c->score_tempfail)
            raise_to(v, AS_ACT_TEMPFAIL, &c->tempfail_reply, "score_tempfail");
        if (c->has_score_quarantine && f->score >= c->score_quarantine)
            raise_to(v, AS_ACT_QUARANTINE, NULL, "score_quarantine");
    }
}

void as_milter_decide(const struct as_milter_conf *c, int rc,
                      const authscore_msg *m, struct as_milter_verdict *v)
{
    struct as_milter_facts f = {.refused = rc < 0};
    if (rc >= 0) {
        f.header_limit = authscore_msg_parse_status(m) == AUTHSCORE_ELIMIT;
        /* The library's one rule, as Exim and Rspamd use it. */
        f.temperror = authscore_msg_temperror(m) != 0;
        f.disposition = authscore_dmarc_disposition(m);
        f.has_score = authscore_score(m, &f.score) == 0;
    }
    as_milter_decide_facts(c, &f, v);
}
