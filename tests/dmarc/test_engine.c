/* test_engine.c - the DMARC engine end to end over the in-memory DNS:
 * RFC 9989 tree-walk examples and edge cases, the alignment matrix,
 * p/sp/np selection, dispositions, t=y, RFC 7489 mode with pct. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "dmarc/dmarc.h"
#include "dns/memdns.h"

typedef struct fixture {
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
} fixture;

static fixture F;

static void setup(void)
{
    memset(&F, 0, sizeof F);
    as_arena_init(&F.a, 8u << 20);
    F.m = as_memdns_new();
    cr_assert_not_null(F.m);
    F.q = as_qtab_new(&F.a, 0);
    cr_assert_not_null(F.q);
    F.spf_res = AUTHSCORE_RES_NONE;
}

static void teardown(void)
{
    as_memdns_free(F.m);
    as_arena_free(&F.a);
}

TestSuite(dmarc_engine, .init = setup, .fini = teardown);

static void txt(const char *name, const char *data)
{
    cr_assert_eq(as_memdns_add(F.m, name, AUTHSCORE_QTYPE_TXT, data, strlen(data)), 0);
}

static void a_rr(const char *name)
{
    cr_assert_eq(as_memdns_add(F.m, name, AUTHSCORE_QTYPE_A, "192.0.2.1", 9), 0);
}

/* One From field with one mailbox per domain given. */
static void from(const char *d1, const char *d2)
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

static void dkim(const char *d, int res)
{
    F.dkim_d[F.n_dkim] = d;
    F.dkim_res[F.n_dkim++] = res;
}

static const as_dmarc_result *run(void)
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

/* ---- policy discovery (RFC 9989 4.10.1) ---------------------------------- */

Test(dmarc_engine, author_record_p_applies)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=none");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->policy_tag, "p");
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_str_eq(r->record_domain, "example.com");
    cr_assert_str_eq(r->org_domain, "example.com");
    cr_assert_str_eq(r->from_domain, "example.com");
    cr_assert_str_eq(r->reason, "no_authenticated_identifier");
}

Test(dmarc_engine, no_record_anywhere_is_none)
{
    a_rr("example.org");
    from("mail.example.org", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_NONE);
    cr_assert_str_eq(r->reason, "no_policy");
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_UNSET);
    cr_assert_str_eq(r->org_domain, "mail.example.org", "no record: its own org domain");
}

Test(dmarc_engine, existing_subdomain_uses_sp)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
    a_rr("www.example.com");
    from("www.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->author_exists, 1);
    cr_assert_str_eq(r->policy_tag, "sp");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    cr_assert_str_eq(r->record_domain, "example.com");
}

Test(dmarc_engine, nonexistent_subdomain_uses_np)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
    from("nx.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->author_exists, 0);
    cr_assert_str_eq(r->policy_tag, "np");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, nonexistent_without_np_falls_back_to_sp_then_p)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine");
    from("nx.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->policy_tag, "sp");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

Test(dmarc_engine, nonexistent_falls_back_to_p)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("nx.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->policy_tag, "p");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, existence_unknown_when_it_matters_is_temperror)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none; np=reject");
    as_memdns_set_status(F.m, "x.example.com", 0, AUTHSCORE_DNS_TIMEOUT);
    from("x.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->author_exists, -1);
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "existence_unknown");
}

Test(dmarc_engine, existence_unknown_without_np_is_harmless)
{
    txt("_dmarc.example.com", "v=DMARC1; p=quarantine");
    as_memdns_set_status(F.m, "x.example.com", 0, AUTHSCORE_DNS_TIMEOUT);
    from("x.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

/* 4.10.2 rule 3 + 4.10.1: with records at mail.example.com and
 * example.com, the organizational domain is example.com and its record
 * (not the nearer one) is the policy. */
Test(dmarc_engine, fewest_labels_is_org_and_policy)
{
    txt("_dmarc.mail.example.com", "v=DMARC1; p=reject");
    txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine");
    a_rr("a.mail.example.com");
    from("a.mail.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "example.com");
    cr_assert_str_eq(r->record_domain, "example.com");
    cr_assert_str_eq(r->policy_tag, "sp");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

/* 4.10.2 examples: psd=n at mail.example.com makes it the org domain. */
Test(dmarc_engine, psd_n_sets_the_org_domain)
{
    txt("_dmarc.mail.example.com", "v=DMARC1; p=quarantine; psd=n");
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    a_rr("a.mail.example.com");
    from("a.mail.example.com", NULL);
    dkim("example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "mail.example.com");
    cr_assert_str_eq(r->record_domain, "mail.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "example.com is its own org domain");
    cr_assert_eq(r->dkim_aligned, 0);
    cr_assert_eq(r->unaligned_pass, 1);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

/* Appendix B.4.3, verbatim. */
Test(dmarc_engine, rfc_b43_psd_example)
{
    txt("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
    txt("_dmarc.giant.bank.example", "v=DMARC1; p=quarantine");
    from("giant.bank.example", NULL);
    F.mfrom = "mail.giant.bank.example";
    F.spf_res = AUTHSCORE_RES_PASS;
    dkim("mail.mega.bank.example", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "giant.bank.example");
    cr_assert_str_eq(r->record_domain, "giant.bank.example");
    cr_assert_eq(r->spf_aligned, 1);
    cr_assert_eq(r->dkim_aligned, 0, "mega.bank.example is another org domain");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(r->unaligned_pass, 1);
}

/* psd=y above an org domain without its own record: the PSD record is
 * the policy (4.10.1 third location). */
Test(dmarc_engine, psd_policy_applies_below_it)
{
    txt("_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; psd=y");
    a_rr("www.newbank.bank.example");
    from("www.newbank.bank.example", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "newbank.bank.example");
    cr_assert_str_eq(r->record_domain, "bank.example");
    cr_assert_eq(r->psd_policy, 1);
    cr_assert_str_eq(r->policy_tag, "sp");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

/* psd=y on the author domain itself: its p applies, it is its own org. */
Test(dmarc_engine, psd_y_at_the_author_domain)
{
    txt("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y");
    from("bank.example", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "bank.example");
    cr_assert_str_eq(r->policy_tag, "p");
    cr_assert_eq(r->psd_policy, 0);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

/* More than eight labels: the names between the full name and its last
 * seven labels are skipped (4.10 step 4), so a record there is unseen. */
Test(dmarc_engine, long_names_skip_to_seven_labels)
{
    const char *author = "a.b.c.d.e.f.g.h.i.j.k.example.com";
    txt("_dmarc.b.c.d.e.f.g.h.i.j.k.example.com", "v=DMARC1; p=reject; psd=n");
    txt("_dmarc.h.i.j.k.example.com", "v=DMARC1; p=quarantine; psd=n");
    txt("_dmarc.example.com", "v=DMARC1; p=none");
    a_rr(author);
    from(author, NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "h.i.j.k.example.com");
    cr_assert_str_eq(r->record_domain, "h.i.j.k.example.com");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    /* 8 walk names + A/AAAA/MX, all in one round. */
    cr_assert_eq(as_qtab_count(F.q), 11u);
    cr_assert_eq(as_qtab_rounds(F.q), 1u);
}

/* RFC 9989 B.4.2: deep author domain, records only at example.com. */
Test(dmarc_engine, rfc_b42_deep_walk)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    txt("_dmarc.signing.example.com", "v=DMARC1; p=none");
    const char *author = "a.b.c.d.e.f.g.h.i.j.k.example.com";
    a_rr(author);
    from(author, NULL);
    F.mfrom = "example.com";
    F.spf_res = AUTHSCORE_RES_FAIL;
    dkim("signing.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "example.com");
    cr_assert_str_eq(r->record_domain, "example.com");
    cr_assert_eq(r->dkim_aligned, 1);
    cr_assert_str_eq(r->dkim_domain, "signing.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
}

Test(dmarc_engine, nxdomain_on_the_way_continues)
{
    /* _dmarc.b.example.org does not exist at all: NXDOMAIN. */
    txt("_dmarc.example.org", "v=DMARC1; p=reject");
    a_rr("a.b.example.org");
    from("a.b.example.org", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->record_domain, "example.org");
}

Test(dmarc_engine, timeout_on_the_way_is_temperror)
{
    txt("_dmarc.example.org", "v=DMARC1; p=reject");
    a_rr("a.b.example.org");
    as_memdns_set_status(F.m, "_dmarc.b.example.org", AUTHSCORE_QTYPE_TXT,
                         AUTHSCORE_DNS_TIMEOUT);
    from("a.b.example.org", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "dns_error");
}

Test(dmarc_engine, servfail_after_the_stop_is_ignored)
{
    txt("_dmarc.example.net", "v=DMARC1; p=reject; psd=n");
    a_rr("a.example.net");
    as_memdns_set_status(F.m, "_dmarc.net", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_SERVFAIL);
    from("a.example.net", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "the walk stopped at psd=n");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, author_record_needs_no_walk_for_strict_policy)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s");
    as_memdns_set_status(F.m, "_dmarc.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT);
    from("example.com", NULL);
    dkim("example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
}

Test(dmarc_engine, relaxed_alignment_needs_the_walk)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    as_memdns_set_status(F.m, "_dmarc.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT);
    from("example.com", NULL);
    dkim("mail.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "alignment_dns_error");
}

Test(dmarc_engine, bogus_record_is_temperror)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none");
    as_memdns_set_dnssec(F.m, "example.com", AUTHSCORE_DNSSEC_BOGUS, "signature expired");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "dns_bogus");
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_BOGUS);
}

Test(dmarc_engine, secure_record_reports_secure)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none");
    as_memdns_set_dnssec(F.m, "example.com", AUTHSCORE_DNSSEC_SECURE, NULL);
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_NONE);
}

Test(dmarc_engine, insecure_record_reports_insecure)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_INSECURE);
}

Test(dmarc_engine, multiple_records_are_discarded_and_the_walk_goes_on)
{
    txt("_dmarc.a.example.com", "v=DMARC1; p=none");
    txt("_dmarc.a.example.com", "v=DMARC1; p=quarantine");
    txt("_dmarc.a.example.com", "some other text");
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("a.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->record_domain, "example.com");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, non_dmarc_txt_is_ignored)
{
    txt("_dmarc.example.com", "v=spf1 -all");
    txt("_dmarc.example.com", "v=DMARC1; p=quarantine");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

/* ---- record validity (RFC 9989 4.7, 4.10.1) ------------------------------- */

Test(dmarc_engine, missing_p_is_none_in_9989)
{
    txt("_dmarc.example.com", "v=DMARC1; adkim=s");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_NONE);
}

Test(dmarc_engine, invalid_p_without_rua_is_permerror)
{
    txt("_dmarc.example.com", "v=DMARC1; p=bounce");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "invalid_policy");
}

Test(dmarc_engine, invalid_sp_with_rua_acts_as_p_none)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->invalid_policy_rua, 1);
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_NONE);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_NONE);
    cr_assert_str_eq(r->rua, "mailto:r@example.com");
}

/* ---- alignment matrix (RFC 9989 4.4, B.1) --------------------------------- */

static void base(const char *rec)
{
    txt("_dmarc.example.com", rec);
    a_rr("news.example.com");
}

Test(dmarc_engine, spf_identical_aligns_strict_and_relaxed)
{
    base("v=DMARC1; p=reject; aspf=s");
    from("example.com", NULL);
    F.mfrom = "example.com";
    F.spf_res = AUTHSCORE_RES_PASS;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->spf_aligned, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->spf_domain, "example.com");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_NONE);
}

Test(dmarc_engine, spf_subdomain_relaxed_aligns)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    F.mfrom = "child.example.com";
    F.spf_res = AUTHSCORE_RES_PASS;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->spf_aligned, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
}

Test(dmarc_engine, spf_subdomain_strict_does_not_align)
{
    base("v=DMARC1; p=reject; aspf=s");
    from("example.com", NULL);
    F.mfrom = "child.example.com";
    F.spf_res = AUTHSCORE_RES_PASS;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->spf_aligned, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, author_subdomain_relaxed_with_parent_identifier)
{
    base("v=DMARC1; p=reject");
    from("news.example.com", NULL);
    dkim("example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
}

Test(dmarc_engine, sibling_subdomains_relaxed_align_strict_do_not)
{
    base("v=DMARC1; p=reject; adkim=s");
    from("news.example.com", NULL);
    dkim("foo.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->policy_tag, "p", "no sp: p applies to subdomains");
}

Test(dmarc_engine, sibling_subdomains_relaxed_align)
{
    base("v=DMARC1; p=reject");
    from("news.example.com", NULL);
    dkim("foo.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 1);
}

Test(dmarc_engine, unrelated_domain_never_aligns)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    F.mfrom = "example.net";
    F.spf_res = AUTHSCORE_RES_PASS;
    dkim("example.net", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->unaligned_pass, 2);
    cr_assert_str_eq(r->reason, "unaligned");
}

Test(dmarc_engine, aligned_failing_signature_with_unaligned_passing_one)
{
    base("v=DMARC1; p=quarantine");
    from("example.com", NULL);
    dkim("example.com", AUTHSCORE_RES_FAIL);
    dkim("esp.example.net", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

Test(dmarc_engine, second_signature_aligns)
{
    base("v=DMARC1; p=quarantine");
    from("example.com", NULL);
    dkim("esp.example.net", AUTHSCORE_RES_PASS);
    dkim("mail.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 1);
    cr_assert_str_eq(r->dkim_domain, "mail.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
}

Test(dmarc_engine, spf_fail_with_aligned_domain_does_not_align)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    F.mfrom = "example.com";
    F.spf_res = AUTHSCORE_RES_SOFTFAIL;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->spf_aligned, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
}

Test(dmarc_engine, null_mail_from_gives_no_spf_identifier)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    F.mfrom = NULL;
    F.spf_res = AUTHSCORE_RES_PASS;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->spf_aligned, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->unaligned_pass, 0);
}

Test(dmarc_engine, case_insensitive_comparison)
{
    base("v=DMARC1; p=reject; adkim=s");
    from("example.com", NULL);
    dkim("EXAMPLE.COM.", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 1);
}

/* ---- dispositions ----------------------------------------------------------- */

static int disposition_for(const char *rec)
{
    txt("_dmarc.example.com", rec);
    from("example.com", NULL);
    return run()->disposition;
}

Test(dmarc_engine, p_none) { cr_assert_eq(disposition_for("v=DMARC1; p=none"), AUTHSCORE_DMARC_POLICY_NONE); }
Test(dmarc_engine, p_quarantine) { cr_assert_eq(disposition_for("v=DMARC1; p=quarantine"), AUTHSCORE_DMARC_POLICY_QUARANTINE); }
Test(dmarc_engine, p_reject) { cr_assert_eq(disposition_for("v=DMARC1; p=reject"), AUTHSCORE_DMARC_POLICY_REJECT); }

Test(dmarc_engine, testing_reject_becomes_quarantine)
{
    cr_assert_eq(disposition_for("v=DMARC1; p=reject; t=y"), AUTHSCORE_DMARC_POLICY_QUARANTINE);
    const as_dmarc_result *r = as_dmarc_get_result(F.d);
    cr_assert_eq(r->testing, 1);
    cr_assert_eq(r->downgraded, 1);
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, testing_quarantine_becomes_none)
{
    cr_assert_eq(disposition_for("v=DMARC1; p=quarantine; t=y"), AUTHSCORE_DMARC_POLICY_NONE);
}

Test(dmarc_engine, pct_is_ignored_in_9989)
{
    cr_assert_eq(disposition_for("v=DMARC1; p=reject; pct=0"), AUTHSCORE_DMARC_POLICY_REJECT);
}

/* ---- author domain (RFC 9989 5.3.1, RFC 7489 6.6.1) ------------------------ */

Test(dmarc_engine, no_from_is_permerror)
{
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "no_from");
    cr_assert_eq(as_qtab_count(F.q), 0u, "nothing asked");
}

Test(dmarc_engine, two_from_fields_are_permerror)
{
    from("example.com", NULL);
    F.msg.from_fields = 2;
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "multiple_from");
}

Test(dmarc_engine, different_domains_are_permerror)
{
    from("example.com", "example.net");
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "multiple_from_domains");
}

Test(dmarc_engine, same_domain_mailboxes_are_evaluated)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("example.com", "example.com");
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, mailbox_without_domain_is_permerror)
{
    from("", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "from_without_domain");
}

Test(dmarc_engine, empty_group_is_permerror)
{
    from("example.com", NULL);
    F.msg.from_count = 0;
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->reason, "no_from_mailbox");
}

Test(dmarc_engine, unparseable_from_is_permerror)
{
    from("example.com", NULL);
    F.msg.from_status = AUTHSCORE_EPARSE;
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->reason, "from_unparseable");
}

Test(dmarc_engine, domain_literal_is_permerror)
{
    from("[192.0.2.1]", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->reason, "from_domain_invalid");
}

/* ---- parallelism ------------------------------------------------------------ */

Test(dmarc_engine, sequential_walk_gives_the_same_result_with_more_rounds)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none; sp=reject");
    a_rr("a.b.c.example.com");
    from("a.b.c.example.com", NULL);
    F.cfg.sequential_walk = 1;
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->record_domain, "example.com");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_str_eq(r->org_domain, "example.com");
    cr_assert_eq(as_qtab_rounds(F.q), 5u, "one round per walk name");
}

Test(dmarc_engine, prefetch_asks_everything_in_one_round)
{
    txt("_dmarc.example.com", "v=DMARC1; p=none; sp=reject");
    a_rr("a.b.c.example.com");
    from("a.b.c.example.com", NULL);
    F.mfrom = "bounce.example.com";
    F.spf_res = AUTHSCORE_RES_PASS;
    dkim("d.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(as_qtab_rounds(F.q), 1u);
    cr_assert_eq(F.waves, 1u);
    /* 5 author names + A/AAAA/MX + _dmarc.bounce... + _dmarc.d...: the
     * shared suffixes are asked once. */
    cr_assert_eq(as_qtab_count(F.q), 10u);
}

Test(dmarc_engine, sequential_walk_stops_at_psd)
{
    txt("_dmarc.b.example.com", "v=DMARC1; p=quarantine; psd=n");
    a_rr("a.b.example.com");
    from("a.b.example.com", NULL);
    F.cfg.sequential_walk = 1;
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "b.example.com");
    /* _dmarc.a.b..., _dmarc.b... and A/AAAA/MX; never example.com/com. */
    cr_assert_eq(as_qtab_count(F.q), 5u);
}

/* ---- RFC 7489 mode ----------------------------------------------------------- */

static const void *psl_or_skip(void)
{
    const void *psl = NULL;
    if (as_dmarc_psl_load(NULL, &psl) != 0)
        cr_skip("no Public Suffix List data (Debian package publicsuffix)");
    return psl;
}

Test(dmarc_engine, rfc7489_org_domain_from_the_psl)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine");
    /* Not consulted in 7489 mode: no tree walk. */
    txt("_dmarc.b.example.co.uk", "v=DMARC1; p=none");
    a_rr("a.b.example.co.uk");
    from("a.b.example.co.uk", NULL);
    dkim("other.example.co.uk", AUTHSCORE_RES_FAIL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->org_domain, "example.co.uk");
    cr_assert_str_eq(r->record_domain, "example.co.uk");
    cr_assert_str_eq(r->policy_tag, "sp");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, rfc7489_relaxed_alignment_by_psl)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.example.co.uk", "v=DMARC1; p=reject");
    from("example.co.uk", NULL);
    dkim("mail.example.co.uk", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->dkim_aligned, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, rfc7489_multiple_records_end_discovery)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.a.example.com", "v=DMARC1; p=none");
    txt("_dmarc.a.example.com", "v=DMARC1; p=reject");
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("a.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_NONE);
    cr_assert_str_eq(r->reason, "multiple_records");
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, rfc7489_missing_p_is_permerror)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.example.com", "v=DMARC1; sp=reject");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, rfc7489_pct_zero_downgrades_and_t_is_ignored)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=0; t=n");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->pct, 0);
    cr_assert_eq(r->pct_selected, 0);
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_REJECT);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
    cr_assert_eq(r->downgraded, 1);
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, rfc7489_testing_flag_is_not_honoured)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    txt("_dmarc.example.com", "v=DMARC1; p=reject; t=y");
    from("example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
    as_dmarc_psl_free(psl);
}

/* ---- pct sampling ------------------------------------------------------------ */

Test(dmarc_engine, pct_sampling_is_deterministic_and_proportional)
{
    char id[64];
    unsigned in = 0;
    for (unsigned i = 0; i < 2000; i++) {
        int n = snprintf(id, sizeof id, "<%u@example.com>", i);
        int s1 = as_dmarc_pct_selected(42, "example.com", id, (size_t)n, 30);
        int s2 = as_dmarc_pct_selected(42, "example.com", id, (size_t)n, 30);
        cr_assert_eq(s1, s2, "same input, same decision");
        in += (unsigned)s1;
    }
    cr_assert(in > 500 && in < 700, "about 30%% of 2000 selected, got %u", in);
    cr_assert_eq(as_dmarc_pct_selected(1, "example.com", "x", 1, 100), 1);
    cr_assert_eq(as_dmarc_pct_selected(1, "example.com", "x", 1, 0), 0);
    /* The seed matters: some message changes its decision. */
    unsigned differ = 0;
    for (unsigned i = 0; i < 200; i++) {
        int n = snprintf(id, sizeof id, "<%u@example.com>", i);
        differ += as_dmarc_pct_selected(1, "example.com", id, (size_t)n, 50) !=
                  as_dmarc_pct_selected(2, "example.com", id, (size_t)n, 50);
    }
    cr_assert_gt(differ, 0u);
}

/* ---- through the real message parser ------------------------------------------ */

static void parse_msg(const char *text)
{
    int rc = as_message_parse(&F.a, text, strlen(text), NULL, &F.msg);
    cr_assert(rc == 0 || rc == AUTHSCORE_EPARSE, "parse: %d", rc);
}

Test(dmarc_engine, parsed_message_author_domain_is_lowercased)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    parse_msg("From: Alice <alice@Example.COM>\r\nMessage-ID: <1@example.com>\r\n"
              "Subject: hi\r\n\r\nbody\r\n");
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->from_domain, "example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
}

Test(dmarc_engine, u_label_author_domain_uses_its_a_label_policy)
{
    /* RFC 9989 5.3.1: the U-label domain is looked up as its A-label. */
    txt("_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject");
    parse_msg("From: Bert <bert@B\xc3\xbc" "cher.example>\r\nMessage-ID: <2@x>\r\n\r\nbody\r\n");
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->from_domain, "xn--bcher-kva.example");
    cr_assert_eq(r->policy, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, invalid_idna_author_domain_is_permerror)
{
    /* A lone continuation byte is not UTF-8, so not a U-label. */
    parse_msg("From: x@bad\x80name.example\r\n\r\nbody\r\n");
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "from_domain_invalid");
}

Test(dmarc_engine, parsed_message_two_domains)
{
    parse_msg("From: a@example.com, b@example.net\r\n\r\n");
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_str_eq(r->reason, "multiple_from_domains");
}

Test(dmarc_engine, parsed_message_two_from_fields)
{
    parse_msg("From: a@example.com\r\nFrom: a@example.com\r\n\r\n");
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->reason, "multiple_from");
}

Test(dmarc_engine, parsed_message_without_from)
{
    parse_msg("To: a@example.com\r\n\r\n");
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->reason, "no_from");
}

Test(dmarc_engine, parsed_message_same_domain_twice)
{
    txt("_dmarc.example.com", "v=DMARC1; p=quarantine");
    parse_msg("From: a@example.com, \"B\" <b@EXAMPLE.com>\r\n\r\n");
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_QUARANTINE);
}

Test(dmarc_engine, parsed_message_pct_uses_message_id)
{
    const void *psl = psl_or_skip();
    F.cfg.mode = AS_DMARC_RFC7489;
    F.cfg.psl = psl;
    F.cfg.pct_seed = 7;
    txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=50");
    parse_msg("From: a@example.com\r\nMessage-ID:  <abc@example.com> \r\n\r\n");
    const as_dmarc_result *r = run();
    const char *id = "<abc@example.com>";
    int want = as_dmarc_pct_selected(7, "example.com", id, strlen(id), 50);
    cr_assert_eq(r->pct_selected, want);
    cr_assert_eq(r->disposition, want ? AUTHSCORE_DMARC_POLICY_REJECT
                                      : AUTHSCORE_DMARC_POLICY_QUARANTINE);
    as_dmarc_psl_free(psl);
}

Test(dmarc_engine, author_trailing_dot_is_the_same_name)
{
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("example.com.", NULL);
    const as_dmarc_result *r = run();
    cr_assert_str_eq(r->from_domain, "example.com");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, author_with_empty_label_is_invalid)
{
    from("example..com", NULL);
    cr_assert_str_eq(run()->reason, "from_domain_invalid");
}

Test(dmarc_engine, author_ending_in_two_dots_is_invalid)
{
    from("example.com..", NULL);
    cr_assert_str_eq(run()->reason, "from_domain_invalid");
}

Test(dmarc_engine, aligned_temperror_with_nothing_else_is_temperror)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    dkim("example.com", AUTHSCORE_RES_TEMPERROR);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_str_eq(r->reason, "auth_temperror");
}

Test(dmarc_engine, unaligned_temperror_does_not_matter)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    dkim("example.net", AUTHSCORE_RES_TEMPERROR);
    F.mfrom = "example.com";
    F.spf_res = AUTHSCORE_RES_TEMPERROR;
    dkim("mail.example.com", AUTHSCORE_RES_PASS);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS, "an aligned pass wins over temperrors");
}

Test(dmarc_engine, unaligned_temperror_alone_is_fail)
{
    base("v=DMARC1; p=reject");
    from("example.com", NULL);
    dkim("example.net", AUTHSCORE_RES_TEMPERROR);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
}

/* ---- hostile shapes ----------------------------------------------------------- */

Test(dmarc_engine, dmarc_name_too_long_counts_as_no_record)
{
    char author[256], label[62];
    memset(label, 'x', 61);
    label[61] = '\0';
    snprintf(author, sizeof author, "%s.%s.%s.%s.com", label, label, label, label);
    cr_assert_eq(strlen(author), 251u);
    a_rr(author);
    char parent[256];
    snprintf(parent, sizeof parent, "_dmarc.%s", strchr(author, '.') + 1);
    txt(parent, "v=DMARC1; p=reject");
    from(author, NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "_dmarc.<251 bytes> cannot exist");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

Test(dmarc_engine, many_dkim_domains_are_capped)
{
    static char names[40][32];
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("example.com", NULL);
    const char *ds[40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "s%d.example.com", i);
        ds[i] = names[i];
    }
    cr_assert_eq(as_dmarc_start(&F.a, F.q, &F.cfg, &F.msg, NULL, ds, 40, &F.d), 0);
    /* 2 author names + A/AAAA/MX + one new name per walked identifier. */
    cr_assert_eq(as_qtab_count(F.q), 5u + AS_DMARC_MAX_IDENTIFIERS);
    as_memdns_drive(F.m, F.q, NULL);
    as_dmarc_auth dk = {"s39.example.com", AUTHSCORE_RES_PASS};
    as_dmarc_evaluate(F.d, NULL, &dk, 1);
    const as_dmarc_result *r = as_dmarc_get_result(F.d);
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "past the cap: strict alignment only");
}

Test(dmarc_engine, question_cap_is_a_dns_failure)
{
    F.q = as_qtab_new(&F.a, 1);
    txt("_dmarc.example.com", "v=DMARC1; p=reject");
    from("www.example.com", NULL);
    const as_dmarc_result *r = run();
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
}
