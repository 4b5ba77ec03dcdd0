/* results.h - the finished results of one message, as the scoring layer
 * (A-R header, symbols) reads them.  Plain pointers to the engines' own
 * result structs, so tests build them without DNS. */
#ifndef AS_SCORE_RESULTS_H
#define AS_SCORE_RESULTS_H

#include <stddef.h>

#include "dkim/dkim.h"
#include "dmarc/dmarc.h"
#include "spf/spf.h"

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
    /* Message facts. */
    size_t from_fields;                  /* From header fields */
    size_t from_mailboxes;               /* mailboxes over all of them */
} as_results;

#endif
