/* test_regressions.c - the two fail-closed bugs of issue 15, each on its
 * own (the sweep, sweep.c, finds them too, among thousands of runs):
 *   a. a fault while the engines start was forgotten: the next
 *      authscore_msg_result() returned 0 with DKIM and DMARC missing;
 *   b. a DKIM signature that a fault left temperror without its d= made
 *      DMARC fail with disposition reject (forwarded.eml).
 * Linked with the allocation wraps of alloc_fault.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "alloc_fault.h"
#include "dmarc/dmarc.h"
#include "dns/memdns.h"
#include "msg/message.h"

/* ---- b: DMARC ---- */

typedef struct dm {
    as_arena a;
    as_qtab *q;
    as_memdns *dns;
    as_message msg;
    as_dmarc *d;
} dm;

/* good.example publishes p=reject; its mail came through a forwarder. */
static const as_dmarc_result *dmarc_of(dm *t, unsigned qcap, const as_dmarc_auth *dkim,
                                       size_t n_dkim)
{
    static const char text[] = "From: Alice <alice@good.example>\r\n\r\nbody\r\n";
    static const char rec[] = "v=DMARC1; p=reject";
    as_arena_init(&t->a, 1u << 20);
    t->q = as_qtab_new(&t->a, qcap);
    t->dns = as_memdns_new();
    cr_assert(t->q && t->dns);
    cr_assert_eq(as_memdns_add(t->dns, "_dmarc.good.example", AUTHSCORE_QTYPE_TXT, rec,
                               sizeof rec - 1), 0);
    cr_assert_eq(as_message_parse(&t->a, text, sizeof text - 1, NULL, &t->msg), 0);
    as_dmarc_config cfg = {0};
    cr_assert_eq(as_dmarc_start(&t->a, t->q, &cfg, &t->msg, "forwarder.example", NULL, 0,
                                &t->d), 0);
    cr_assert_eq(as_memdns_drive(t->dns, t->q, NULL), 0);
    as_dmarc_auth spf = {"forwarder.example", AUTHSCORE_RES_PASS};
    as_dmarc_evaluate(t->d, &spf, dkim, n_dkim);
    return as_dmarc_get_result(t->d);
}

static void dm_free(dm *t)
{
    as_memdns_free(t->dns);
    as_arena_free(&t->a);
}

Test(regressions, dmarc_without_dkim_fails_under_reject)
{
    dm t;
    const as_dmarc_result *r = dmarc_of(&t, 0, NULL, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "the fixture must reach a reject");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
    dm_free(&t);
}

Test(regressions, dkim_temperror_without_its_domain_is_dmarc_temperror)
{
    dm t;
    as_dmarc_auth lost = {NULL, AUTHSCORE_RES_TEMPERROR};
    const as_dmarc_result *r = dmarc_of(&t, 0, &lost, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR, "got %s (%s)",
                 authscore_result_name(r->result), r->reason);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_UNSET);
    dm_free(&t);
}

Test(regressions, dmarc_question_cap_is_temperror_limit)
{
    dm t;
    const as_dmarc_result *r = dmarc_of(&t, 1, NULL, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "limit");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_UNSET);
    dm_free(&t);
}

/* ---- a: a fault at the start of the engines is kept ---- */

Test(regressions, a_fault_while_the_engines_start_refuses_the_message)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/messages/pass.eml", root ? root : ".");
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char bytes[65536];
    size_t len = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    authscore_ctx *ctx;
    cr_assert_eq(authscore_ctx_new(&ctx), 0);
    cr_assert_eq(authscore_ctx_set_option(ctx, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_finalize(ctx), 0);
    long refused = 0;
    /* Fail each allocation of the first next_query (the engines start). */
    for (long n = 0;; n++) {
        authscore_msg *m;
        cr_assert_eq(authscore_msg_new(ctx, "192.0.2.25", "mx.good.example",
                                       "alice@good.example", bytes, len, &m), 0);
        uint32_t id;
        const char *qn;
        int qt;
        fa_arm(n);
        int rc = authscore_msg_next_query(m, &id, &qn, &qt);
        int hit = fa_hit();
        fa_disarm();
        if (!hit) {
            cr_assert_eq(rc, 1);
            authscore_msg_free(m);
            break;
        }
        if (rc < 0) {
            refused++;
            cr_assert_eq(rc, AUTHSCORE_ENOMEM);
            cr_assert_eq(authscore_msg_result(m), rc, "fault %ld forgotten", n);
            cr_assert_eq(authscore_msg_next_query(m, &id, &qn, &qt), rc);
            double score;
            cr_assert_eq(authscore_score(m, &score), rc);
            cr_assert_null(authscore_ar_header(m), "fault %ld: an A-R header", n);
            cr_assert_eq(authscore_dkim_count(m), 0);
            cr_assert_eq(authscore_dmarc_result(m), AUTHSCORE_RES_NOT_EVALUATED);
            cr_assert_eq(authscore_spf_result(m, AUTHSCORE_SPF_MFROM),
                         AUTHSCORE_RES_NOT_EVALUATED);
        }
        authscore_msg_free(m);
    }
    cr_assert_gt(refused, 0, "no fault hit the start of the engines");
    authscore_ctx_free(ctx);
}
