/* engine_fixture.h - the DMARC engine over memdns, one case of a table at a
 * time: the DNS data, the message, the SPF/DKIM outcomes and what the
 * result must say (shared by test_engine.c and test_rfc7489.c). */
#ifndef DMARC_ENGINE_FIXTURE_H
#define DMARC_ENGINE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <authscore.h>
#include "dmarc/dmarc.h"
#include "dns/memdns.h"
#include "cases.h"

typedef struct dm_fixture {
    as_arena a;
    as_memdns *m;
    as_qtab *q;
    as_message msg;
    as_mailbox mb[4];
    as_dmarc_config cfg;
    const char *mfrom;
    const char *dkim_d[8];
    int dkim_res[8];
    size_t n_dkim;
    int spf_res;
    unsigned waves;
    as_dmarc *d;
} dm_fixture;

extern dm_fixture F;

void dm_setup(void);     /* Criterion .init */
void dm_teardown(void);  /* Criterion .fini */

void dm_txt(const char *name, const char *data);
void dm_a(const char *name);                  /* the name exists (an A) */
void dm_from(const char *d1, const char *d2); /* one From, 1 or 2 mailboxes */
void dm_dkim(const char *d, int res);
void dm_parse(const char *text);              /* F.msg from real headers */
const as_dmarc_result *dm_run(void);          /* start, answer, evaluate */

typedef struct dm_case {
    const char *name;
    const char *rfc;  /* the section the case checks */
    /* DNS */
    const char *txt[5][2];  /* {owner, text} */
    const char *a[2];       /* names that exist (A 192.0.2.1) */
    struct {
        const char *name;
        int qtype;  /* 0: every type */
        int status;
    } status;
    struct {
        const char *zone;
        int state;
        const char *why;
    } dnssec;
    unsigned qcap;  /* question cap of the table; 0: the default */
    /* the message: From domains, or headers through the parser */
    const char *from[2];
    const char *message;
    want_int from_fields, from_count, from_status;
    /* SPF and DKIM outcomes */
    const char *mfrom;
    want_int spf;  /* default AUTHSCORE_RES_NONE */
    struct {
        const char *d;
        int res;
    } dkim[3];
    /* configuration (RFC 7489 mode gets the Debian PSL) */
    int rfc7489, sequential_walk;
    /* what the result must say */
    want_int result, policy, disposition, author_exists, spf_aligned,
        dkim_aligned, unaligned_pass, psd_policy, dnssec_state,
        invalid_policy_rua, testing, downgraded, pct, pct_selected;
    const char *reason, *policy_tag, *record_domain, *org_domain,
        *from_domain, *dkim_domain, *spf_domain, *rua;
    want_int queries, rounds, waves;
} dm_case;

/* Set up the case, run the engine, check every expectation it states;
 * psl is the list RFC 7489 cases use. */
void dm_check(const dm_case *c, const void *psl);

#endif
