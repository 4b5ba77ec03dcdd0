/* results.h - the finished results of one message, as the scoring layer
 * (A-R header, symbols) reads them.  Plain pointers to the engines' own
 * result structs, so tests build them without DNS. */
#ifndef AS_SCORE_RESULTS_H
#define AS_SCORE_RESULTS_H

#include <stddef.h>

#include "arc/arc.h"
#include "dkim/dkim.h"
#include "dmarc/dmarc.h"
#include "spf/spf.h"

/* A DMARC fail whose disposition a rule lowered (docs/rules.md,
 * dmarc_disposition): an override in RFC 7489 7.2's terms.  The DMARC
 * result stays fail. */
typedef struct as_dmarc_override {
    int active;
    int disposition;       /* enum authscore_dmarc_policy, lowered to */
    const char *type;      /* RFC 7489 7.2 PolicyOverrideType:
                              "trusted_forwarder" when a trusted ARC sealer
                              vouched (an arc_sealer condition), else
                              "local_policy" */
    const char *rule;      /* the rule that lowered it */
    const char *sealer;    /* trusted_forwarder: the sealer's d=, else NULL */
    int instance;          /* and its ARC instance, else 0 */
    /* Not active, but a rule's dmarc_disposition might have applied had
     * ARC not been temperror (a trusted sealer's AAR vouches, or the chain
     * could not be read): fail closed, the disposition is not harsher
     * than none and the hosts defer (authscore_dmarc_override()
     * "temperror"), as for a DMARC temperror.  `rule` names it. */
    int undetermined;
} as_dmarc_override;

typedef struct as_results {
    /* Indexed by enum authscore_spf_identity; NULL: SPF not evaluated. */
    const as_spf_result *spf[2];
    /* Fallback identity when the result has none: the MAIL FROM
     * identity (local@domain) and the HELO name.  May be NULL. */
    const char *spf_identity[2];
    int dkim_evaluated;                  /* 0: DKIM did not run */
    const as_dkim_sig_result *const *dkim; /* one per signature */
    size_t n_dkim;
    const as_dmarc_result *dmarc;        /* NULL: DMARC not evaluated */
    const as_arc_result *arc;            /* NULL: ARC did not run */
    /* Set by the scorer's caller for the A-R header; NULL: none. */
    const as_dmarc_override *override;
    const char *client_ip;               /* smtp.remote-ip; may be NULL */
    /* Message facts. */
    size_t from_fields;                  /* From header fields */
    size_t from_mailboxes;               /* mailboxes over all of them */
} as_results;

#endif
