/* engine_fixture.c - see engine_fixture.h. */
#include "engine_fixture.h"

#include <string.h>

dm_fixture F;

void dm_setup(void)
{
    memset(&F, 0, sizeof F);
    as_arena_init(&F.a, 8u << 20);
    F.m = as_memdns_new();
    cr_assert_not_null(F.m);
    F.q = as_qtab_new(&F.a, 0);
    cr_assert_not_null(F.q);
    F.spf_res = AUTHSCORE_RES_NONE;
}

void dm_teardown(void)
{
    as_memdns_free(F.m);
    as_arena_free(&F.a);
}

void dm_txt(const char *name, const char *data)
{
    cr_assert_eq(as_memdns_add(F.m, name, AUTHSCORE_QTYPE_TXT, data, strlen(data)), 0);
}

void dm_a(const char *name)
{
    cr_assert_eq(as_memdns_add(F.m, name, AUTHSCORE_QTYPE_A, "192.0.2.1", 9), 0);
}

void dm_from(const char *d1, const char *d2)
{
    F.mb[0].domain = d1;
    F.mb[0].addr = "x";
    F.msg.from = F.mb;
    F.msg.from_count = 1;
    F.msg.from_fields = 1;
    if (d2) {
        F.mb[1].domain = d2;
        F.mb[1].addr = "y";
        F.msg.from_count = 2;
    }
}

void dm_dkim(const char *d, int res)
{
    F.dkim_d[F.n_dkim] = d;
    F.dkim_res[F.n_dkim++] = res;
}

void dm_parse(const char *text)
{
    int rc = as_message_parse(&F.a, text, strlen(text), NULL, &F.msg);
    cr_assert(rc == 0 || rc == AUTHSCORE_EPARSE, "parse: %d", rc);
}

const as_dmarc_result *dm_run(void)
{
    const char *ds[8];
    for (size_t i = 0; i < F.n_dkim; i++)
        ds[i] = F.dkim_d[i];
    cr_assert_eq(as_dmarc_start(&F.a, F.q, &F.cfg, &F.msg, F.mfrom, ds, F.n_dkim, &F.d), 0);
    cr_assert_eq(as_memdns_drive(F.m, F.q, &F.waves), 0);
    cr_assert(as_dmarc_done(F.d));
    as_dmarc_auth spf = {F.mfrom, F.spf_res};
    as_dmarc_auth dk[8];
    for (size_t i = 0; i < F.n_dkim; i++) {
        dk[i].domain = F.dkim_d[i];
        dk[i].result = F.dkim_res[i];
    }
    as_dmarc_evaluate(F.d, &spf, dk, F.n_dkim);
    return as_dmarc_get_result(F.d);
}

static void load(const dm_case *c, const void *psl)
{
    for (size_t i = 0; i < 5 && c->txt[i][0]; i++)
        dm_txt(c->txt[i][0], c->txt[i][1]);
    for (size_t i = 0; i < 2 && c->a[i]; i++)
        dm_a(c->a[i]);
    if (c->status.name)
        as_memdns_set_status(F.m, c->status.name, (uint16_t)c->status.qtype,
                             c->status.status);
    if (c->dnssec.zone)
        as_memdns_set_dnssec(F.m, c->dnssec.zone, c->dnssec.state, c->dnssec.why);
    if (c->qcap)
        F.q = as_qtab_new(&F.a, c->qcap);
    if (c->from[0])
        dm_from(c->from[0], c->from[1]);
    if (c->message)
        dm_parse(c->message);
    if (c->from_fields.on)
        F.msg.from_fields = (size_t)c->from_fields.v;
    if (c->from_count.on)
        F.msg.from_count = (size_t)c->from_count.v;
    if (c->from_status.on)
        F.msg.from_status = (int)c->from_status.v;
    F.mfrom = c->mfrom;
    if (c->spf.on)
        F.spf_res = (int)c->spf.v;
    for (size_t i = 0; i < 3 && c->dkim[i].d; i++)
        dm_dkim(c->dkim[i].d, c->dkim[i].res);
    if (c->rfc7489) {
        F.cfg.mode = AS_DMARC_RFC7489;
        F.cfg.psl = psl;
    }
    F.cfg.sequential_walk = c->sequential_walk;
}

void dm_check(const dm_case *c, const void *psl)
{
    load(c, psl);
    const as_dmarc_result *r = dm_run();
    CASE_INT(r->result, c->result, "result");
    CASE_STR(r->reason, c->reason, "reason");
    CASE_INT(r->policy, c->policy, "policy");
    CASE_STR(r->policy_tag, c->policy_tag, "policy_tag");
    CASE_INT(r->disposition, c->disposition, "disposition");
    CASE_STR(r->record_domain, c->record_domain, "record_domain");
    CASE_STR(r->org_domain, c->org_domain, "org_domain");
    CASE_STR(r->from_domain, c->from_domain, "from_domain");
    CASE_INT(r->author_exists, c->author_exists, "author_exists");
    CASE_INT(r->spf_aligned, c->spf_aligned, "spf_aligned");
    CASE_STR(r->spf_domain, c->spf_domain, "spf_domain");
    CASE_INT(r->dkim_aligned, c->dkim_aligned, "dkim_aligned");
    CASE_STR(r->dkim_domain, c->dkim_domain, "dkim_domain");
    CASE_INT(r->unaligned_pass, c->unaligned_pass, "unaligned_pass");
    CASE_INT(r->psd_policy, c->psd_policy, "psd_policy");
    CASE_INT(r->dnssec, c->dnssec_state, "dnssec");
    CASE_INT(r->invalid_policy_rua, c->invalid_policy_rua, "invalid_policy_rua");
    CASE_STR(r->rua, c->rua, "rua");
    CASE_INT(r->testing, c->testing, "testing");
    CASE_INT(r->downgraded, c->downgraded, "downgraded");
    CASE_INT(r->pct, c->pct, "pct");
    CASE_INT(r->pct_selected, c->pct_selected, "pct_selected");
    CASE_INT(as_qtab_count(F.q), c->queries, "questions asked");
    CASE_INT(as_qtab_rounds(F.q), c->rounds, "DNS rounds");
    CASE_INT(F.waves, c->waves, "memdns waves");
}
