/* test_rfc7489.c - the DMARC engine in RFC 7489 mode: the organizational
 * domain from the Public Suffix List (Debian package publicsuffix), pct
 * sampling, no tree walk.  Without the list the whole test is SKIP (77):
 * none of it can run. */
#include <stdio.h>
#include <string.h>

#include "core/psl_load.h"
#include "engine_fixture.h"

#define RES(x) W(AUTHSCORE_RES_##x)
#define POL(x) W(AUTHSCORE_DMARC_POLICY_##x)

TestSuite(dmarc_rfc7489, .init = dm_setup, .fini = dm_teardown);

static const void *psl(void)
{
    const void *p = NULL;
    cr_assert_eq(as_psl_load(NULL, &p, NULL, 0), 0, "Debian publicsuffix data");
    return p;
}

static const dm_case cases[] = {
    /* The record below the org domain is not consulted: no tree walk. */
    {"rfc7489_org_domain_from_the_psl", "RFC 7489 3.2, 6.6.3", .rfc7489 = 1,
     .txt = {{"_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine"},
             {"_dmarc.b.example.co.uk", "v=DMARC1; p=none"}},
     .a = {"a.b.example.co.uk"}, .from = {"a.b.example.co.uk"},
     .dkim = {{"other.example.co.uk", AUTHSCORE_RES_FAIL}},
     .org_domain = "example.co.uk", .record_domain = "example.co.uk",
     .policy_tag = "sp", .disposition = POL(QUARANTINE)},
    {"rfc7489_relaxed_alignment_by_psl", "RFC 7489 3.1.1, 3.2", .rfc7489 = 1,
     .txt = {{"_dmarc.example.co.uk", "v=DMARC1; p=reject"}},
     .from = {"example.co.uk"}, .dkim = {{"mail.example.co.uk", AUTHSCORE_RES_PASS}},
     .dkim_aligned = W(1), .result = RES(PASS)},
    {"rfc7489_multiple_records_end_discovery", "RFC 7489 6.6.3", .rfc7489 = 1,
     .txt = {{"_dmarc.a.example.com", "v=DMARC1; p=none"},
             {"_dmarc.a.example.com", "v=DMARC1; p=reject"},
             {"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"a.example.com"}, .result = RES(NONE), .reason = "multiple_records"},
    {"rfc7489_missing_p_is_permerror", "RFC 7489 6.3 p", .rfc7489 = 1,
     .txt = {{"_dmarc.example.com", "v=DMARC1; sp=reject"}},
     .from = {"example.com"}, .result = RES(PERMERROR)},
    {"rfc7489_pct_zero_downgrades_and_t_is_ignored", "RFC 7489 6.3 pct, 6.6.4",
     .rfc7489 = 1, .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; pct=0; t=n"}},
     .from = {"example.com"}, .pct = W(0), .pct_selected = W(0),
     .policy = POL(REJECT), .disposition = POL(QUARANTINE), .downgraded = W(1)},
    {"rfc7489_testing_flag_is_not_honoured", "RFC 7489 6.3 (no t=)", .rfc7489 = 1,
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; t=y"}},
     .from = {"example.com"}, .disposition = POL(REJECT)},
};

CASE_INDEX_PARAMS(dmarc_rfc7489, cases, cases)

ParameterizedTest(size_t *i, dmarc_rfc7489, cases)
{
    const dm_case *c = &cases[*i];
    const void *p = psl();
    dm_check(c, p);
    as_dmarc_psl_free(p);
}

/* RFC 7489 6.6.4: the sample is drawn from the Message-ID. */
Test(dmarc_rfc7489, parsed_message_pct_uses_message_id)
{
    const void *p = psl();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = p;
    F.cfg.pct_seed = 7;
    dm_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=50");
    dm_parse("From: a@example.com\r\nMessage-ID:  <abc@example.com> \r\n\r\n");
    const as_dmarc_result *r = dm_run();
    const char *id = "<abc@example.com>";
    int want = as_dmarc_pct_selected(7, "example.com", id, strlen(id), 50);
    cr_assert_eq(r->pct_selected, want);
    cr_assert_eq(r->disposition, want ? AUTHSCORE_DMARC_POLICY_REJECT
                                      : AUTHSCORE_DMARC_POLICY_QUARANTINE);
    as_dmarc_psl_free(p);
}

/* RFC 7489 3.2 through the offset API the engine uses. */
Test(dmarc_rfc7489, org_offset)
{
    const void *p = psl();
    const char *d = "a.b.example.co.uk";
    long off = as_dmarc_psl_org_off(p, d, strlen(d));
    cr_assert_gt(off, 0);
    cr_assert_str_eq(d + off, "example.co.uk");
    cr_assert_eq(as_dmarc_psl_org_off(p, "co.uk", 5), -1, "a public suffix has none");
    cr_assert_eq(as_dmarc_psl_org_off(p, "example.com", 11), 0);
    as_dmarc_psl_free(p);
}

int main(int argc, char *argv[])
{
    const void *p = NULL;
    int have = as_psl_load(NULL, &p, NULL, 0) == 0;
    as_dmarc_psl_free(p);
    return cases_main(argc, argv, have ? NULL
                      : "no Public Suffix List data (Debian package publicsuffix)");
}
