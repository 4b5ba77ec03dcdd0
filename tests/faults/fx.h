/* fx.h - one example message through the whole pipeline (msg_new, the
 * engines, DMARC, symbols and score with the example rules, the A-R
 * header), on either path, and what the host would see of it.
 *
 *   sans-I/O:   authscore_msg_new / next_query / answer / result, the
 *               answers looked up in an in-memory copy of the example
 *               zones (module/dns/memdns) and given as text;
 *   libunbound: authscore_msg_new / set_time / authscore_msg_resolve,
 *               the zones signed at test time and served by libunbound
 *               auth-zones (run-sweep.sh).
 * Only the library's calls run with the fault allocator armed; the test's
 * own plumbing (memdns look-ups, reading the outcome) is paused. */
#ifndef FX_FX_H
#define FX_FX_H

#include <stddef.h>

#include <authscore.h>
#include "dns/memdns.h"

#define FX_MAX_SIGS 8
#define FX_TEXT 4096
/* The examples' signing time plus an hour (examples/run.sh). */
#define FX_NOW 1795478000

typedef struct fx_message {
    const char *name;     /* file name, e.g. "pass.eml" */
    char *bytes;
    size_t len;
    char ip[64], helo[256], mail_from[256];
} fx_message;

typedef struct fx_outcome {
    int rc;                          /* 0, or the error the host got */
    int spf[2];                      /* MAIL FROM, HELO */
    char spf_reason[2][256];
    size_t ndkim;
    int dkim[FX_MAX_SIGS];
    char dkim_reason[FX_MAX_SIGS][64];
    int dmarc, policy, disposition;
    char dmarc_reason[64];
    int arc;                         /* the ARC chain (RFC 8617) */
    char arc_reason[64];
    int score_rc;
    double score;
    char symbols[FX_TEXT];           /* NAME(weight)[options] ... */
    char ar[FX_TEXT];
    const char *sticky;              /* refused: a later call that did not
                                        repeat the error, or a verdict a
                                        getter still gave; else NULL */
} fx_outcome;

/* Score `msg` through the sans-I/O API.  `note` >= 0 gives the DKIM key
 * records unique bytes (an n= tag), so the key is decoded (and its
 * allocations counted) on every run and not found in the context's
 * decoded-key cache. */
void fx_run_sansio(const authscore_ctx *ctx, const as_memdns *dns,
                   const fx_message *msg, long note, fx_outcome *out);
/* Score `msg` through the context's libunbound resolver. */
void fx_run_unbound(const authscore_ctx *ctx, const fx_message *msg,
                    fx_outcome *out);

/* Both outcomes alike in everything a host sees. */
int fx_same(const fx_outcome *a, const fx_outcome *b);
/* The fail-closed rule (docs/architecture.md) for a run with a fault
 * against the fault-free run: NULL when it holds, else what broke it.
 * *degraded is set when some method became temperror no_memory/limit. */
const char *fx_check(const fx_outcome *got, const fx_outcome *want, int *degraded);
/* Faults after which SPF kept its verdict (or became temperror) but not
 * its words: a known deviation, see fx_check.c. */
/* One line per outcome, for failure messages. */
void fx_print(const char *label, const fx_outcome *o);

#endif
