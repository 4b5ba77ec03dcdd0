/* fx_exim.h - one example message through Exim's ${dlfunc} entry point
 * (authscore_exim_check, module/host/exim), as Exim calls it in the DATA
 * ACL: headers as an argument, the body in a -D spool file.  Two spool
 * files per message, so that a run after a faulted one evaluates anew
 * instead of reusing the entry point's per-message result. */
#ifndef FX_EXIM_H
#define FX_EXIM_H

#include "fx.h"

typedef struct fx_exim_msg {
    char *headers;
    char spool[2][4096];
    char ip[64], helo[256], mail_from[256];
} fx_exim_msg;

typedef struct fx_exim_out {
    int rc;               /* Exim's: 0 OK, 2 FAIL, 3 ERROR (ACL: 451) */
    char line[16384];     /* *yield: the summary, or the error text */
    char ar[4096];        /* authscore_exim_ar of the same evaluation */
} fx_exim_out;

/* Write the spool files of `m` into `dir`; 0 or -1. */
int fx_exim_prepare(const fx_message *m, const char *dir, size_t idx, fx_exim_msg *e);
void fx_exim_free(fx_exim_msg *e);
/* authscore_exim_check on spool file `which` (0 or 1). */
void fx_run_exim(const fx_exim_msg *e, int which, const char *options, fx_exim_out *o);
/* The rule, as the ACL of docs/exim.md reads it: ERROR (451), or OK with
 * spf, spf_helo, dkim and dmarc as without the fault or temperror (then
 * temperror=yes), and no reject or quarantine the fault-free call did not
 * give.  NULL when it holds. */
const char *fx_exim_check(const fx_exim_out *got, const fx_exim_out *want, int *degraded);

#endif
