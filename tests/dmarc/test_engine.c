/* test_engine.c - the DMARC engine end to end over the in-memory DNS,
 * RFC 9989 mode: tree-walk examples and edge cases, the alignment matrix,
 * p/sp/np selection, dispositions, t=y, the author domain.  One table of
 * cases, each named with the section it checks (engine_fixture.h runs
 * them); the shapes a table cannot hold follow it.  RFC 7489 mode, which
 * needs the Public Suffix List, is test_rfc7489.c. */
#include <stdio.h>
#include <string.h>

#include "engine_fixture.h"

#define RES(x) W(AUTHSCORE_RES_##x)
#define POL(x) W(AUTHSCORE_DMARC_POLICY_##x)

TestSuite(dmarc_engine, .init = dm_setup, .fini = dm_teardown);

/* The alignment cases' DNS: a record at example.com, news.example.com exists. */
#define ALIGN(rec) .txt = {{"_dmarc.example.com", rec}}, .a = {"news.example.com"}

static const dm_case cases[] = {
    /* ---- policy discovery (RFC 9989 4.10.1) ---- */
    {"author_record_p_applies", "RFC 9989 4.10.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=none"}},
     .from = {"example.com"}, .result = RES(FAIL), .policy_tag = "p",
     .policy = POL(REJECT), .disposition = POL(REJECT),
     .record_domain = "example.com", .org_domain = "example.com",
     .from_domain = "example.com", .reason = "no_authenticated_identifier"},
    /* No record: the author domain is its own org domain. */
    {"no_record_anywhere_is_none", "RFC 9989 4.10.1",
     .a = {"example.org"}, .from = {"mail.example.org"}, .result = RES(NONE),
     .reason = "no_policy", .policy = POL(UNSET), .org_domain = "mail.example.org"},
    {"existing_subdomain_uses_sp", "RFC 9989 4.7 sp",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject"}},
     .a = {"www.example.com"}, .from = {"www.example.com"},
     .author_exists = W(1), .policy_tag = "sp", .disposition = POL(QUARANTINE),
     .record_domain = "example.com"},
    {"nonexistent_subdomain_uses_np", "RFC 9989 4.7 np, 3.2.13",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine; np=reject"}},
     .from = {"nx.example.com"}, .author_exists = W(0), .policy_tag = "np",
     .disposition = POL(REJECT)},
    {"nonexistent_without_np_falls_back_to_sp_then_p", "RFC 9989 4.7 np",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine"}},
     .from = {"nx.example.com"}, .policy_tag = "sp", .disposition = POL(QUARANTINE)},
    {"nonexistent_falls_back_to_p", "RFC 9989 4.7 np",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"nx.example.com"}, .policy_tag = "p", .disposition = POL(REJECT)},
    {"existence_unknown_when_it_matters_is_temperror", "RFC 9989 3.2.13, 5.3.6",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none; np=reject"}},
     .status = {"x.example.com", 0, AUTHSCORE_DNS_TIMEOUT}, .from = {"x.example.com"},
     .author_exists = W(-1), .result = RES(TEMPERROR), .reason = "existence_unknown"},
    {"existence_unknown_without_np_is_harmless", "RFC 9989 4.7 np",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=quarantine"}},
     .status = {"x.example.com", 0, AUTHSCORE_DNS_TIMEOUT}, .from = {"x.example.com"},
     .result = RES(FAIL), .disposition = POL(QUARANTINE)},
    /* With records at mail.example.com and example.com the org domain is
     * example.com and its record (not the nearer one) is the policy. */
    {"fewest_labels_is_org_and_policy", "RFC 9989 4.10.2 rule 3, 4.10.1",
     .txt = {{"_dmarc.mail.example.com", "v=DMARC1; p=reject"},
             {"_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine"}},
     .a = {"a.mail.example.com"}, .from = {"a.mail.example.com"},
     .org_domain = "example.com", .record_domain = "example.com",
     .policy_tag = "sp", .disposition = POL(QUARANTINE)},
    /* example.com is its own org domain: DKIM there does not align. */
    {"psd_n_sets_the_org_domain", "RFC 9989 4.10.2 examples",
     .txt = {{"_dmarc.mail.example.com", "v=DMARC1; p=quarantine; psd=n"},
             {"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .a = {"a.mail.example.com"}, .from = {"a.mail.example.com"},
     .dkim = {{"example.com", AUTHSCORE_RES_PASS}},
     .org_domain = "mail.example.com", .record_domain = "mail.example.com",
     .result = RES(FAIL), .dkim_aligned = W(0), .unaligned_pass = W(1),
     .disposition = POL(QUARANTINE)},
    /* Verbatim; mega.bank.example is another org domain. */
    {"rfc_b43_psd_example", "RFC 9989 B.4.3",
     .txt = {{"_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"},
             {"_dmarc.giant.bank.example", "v=DMARC1; p=quarantine"}},
     .from = {"giant.bank.example"}, .mfrom = "mail.giant.bank.example",
     .spf = RES(PASS), .dkim = {{"mail.mega.bank.example", AUTHSCORE_RES_PASS}},
     .org_domain = "giant.bank.example", .record_domain = "giant.bank.example",
     .spf_aligned = W(1), .dkim_aligned = W(0), .result = RES(PASS),
     .unaligned_pass = W(1)},
    /* psd=y above an org domain without its own record. */
    {"psd_policy_applies_below_it", "RFC 9989 4.10.1 third location",
     .txt = {{"_dmarc.bank.example", "v=DMARC1; p=reject; sp=quarantine; psd=y"}},
     .a = {"www.newbank.bank.example"}, .from = {"www.newbank.bank.example"},
     .org_domain = "newbank.bank.example", .record_domain = "bank.example",
     .psd_policy = W(1), .policy_tag = "sp", .disposition = POL(QUARANTINE)},
    /* psd=y on the author domain itself: its p applies, it is its own org. */
    {"psd_y_at_the_author_domain", "RFC 9989 4.10.2",
     .txt = {{"_dmarc.bank.example", "v=DMARC1; p=reject; psd=y"}},
     .from = {"bank.example"}, .org_domain = "bank.example", .policy_tag = "p",
     .psd_policy = W(0), .disposition = POL(REJECT)},
    /* More than eight labels: the names between the full name and its last
     * seven labels are skipped, so a record there is unseen.  8 walk names
     * + A/AAAA/MX, all in one round. */
    {"long_names_skip_to_seven_labels", "RFC 9989 4.10 step 4",
     .txt = {{"_dmarc.b.c.d.e.f.g.h.i.j.k.example.com", "v=DMARC1; p=reject; psd=n"},
             {"_dmarc.h.i.j.k.example.com", "v=DMARC1; p=quarantine; psd=n"},
             {"_dmarc.example.com", "v=DMARC1; p=none"}},
     .a = {"a.b.c.d.e.f.g.h.i.j.k.example.com"},
     .from = {"a.b.c.d.e.f.g.h.i.j.k.example.com"},
     .org_domain = "h.i.j.k.example.com", .record_domain = "h.i.j.k.example.com",
     .disposition = POL(QUARANTINE), .queries = W(11), .rounds = W(1)},
    /* Deep author domain, records only at example.com. */
    {"rfc_b42_deep_walk", "RFC 9989 B.4.2",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"},
             {"_dmarc.signing.example.com", "v=DMARC1; p=none"}},
     .a = {"a.b.c.d.e.f.g.h.i.j.k.example.com"},
     .from = {"a.b.c.d.e.f.g.h.i.j.k.example.com"}, .mfrom = "example.com",
     .spf = RES(FAIL), .dkim = {{"signing.example.com", AUTHSCORE_RES_PASS}},
     .org_domain = "example.com", .record_domain = "example.com",
     .dkim_aligned = W(1), .dkim_domain = "signing.example.com", .result = RES(PASS)},
    /* _dmarc.b.example.org does not exist at all: NXDOMAIN. */
    {"nxdomain_on_the_way_continues", "RFC 9989 4.10",
     .txt = {{"_dmarc.example.org", "v=DMARC1; p=reject"}},
     .a = {"a.b.example.org"}, .from = {"a.b.example.org"},
     .result = RES(FAIL), .record_domain = "example.org"},
    {"timeout_on_the_way_is_temperror", "RFC 9989 4.10, 5.3.6",
     .txt = {{"_dmarc.example.org", "v=DMARC1; p=reject"}},
     .a = {"a.b.example.org"},
     .status = {"_dmarc.b.example.org", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT},
     .from = {"a.b.example.org"}, .result = RES(TEMPERROR), .reason = "dns_error"},
    /* The walk stopped at psd=n. */
    {"servfail_after_the_stop_is_ignored", "RFC 9989 4.10 step 7",
     .txt = {{"_dmarc.example.net", "v=DMARC1; p=reject; psd=n"}},
     .a = {"a.example.net"},
     .status = {"_dmarc.net", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_SERVFAIL},
     .from = {"a.example.net"}, .result = RES(FAIL), .disposition = POL(REJECT)},
    {"author_record_needs_no_walk_for_strict_policy", "RFC 9989 4.4, 4.10.2",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; adkim=s; aspf=s"}},
     .status = {"_dmarc.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT},
     .from = {"example.com"}, .dkim = {{"example.com", AUTHSCORE_RES_PASS}},
     .result = RES(PASS)},
    {"relaxed_alignment_needs_the_walk", "RFC 9989 4.4, 4.10.2",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .status = {"_dmarc.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT},
     .from = {"example.com"}, .dkim = {{"mail.example.com", AUTHSCORE_RES_PASS}},
     .result = RES(TEMPERROR), .reason = "alignment_dns_error"},
    {"bogus_record_is_temperror", "RFC 9989 5.3.6 (DNSSEC bogus)",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none"}},
     .dnssec = {"example.com", AUTHSCORE_DNSSEC_BOGUS, "signature expired"},
     .from = {"example.com"}, .result = RES(TEMPERROR), .reason = "dns_bogus",
     .dnssec_state = W(AUTHSCORE_DNSSEC_BOGUS)},
    {"secure_record_reports_secure", "RFC 9989 4.10.1 (DNSSEC state)",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none"}},
     .dnssec = {"example.com", AUTHSCORE_DNSSEC_SECURE, NULL},
     .from = {"example.com"}, .dnssec_state = W(AUTHSCORE_DNSSEC_SECURE),
     .result = RES(FAIL), .disposition = POL(NONE)},
    {"insecure_record_reports_insecure", "RFC 9989 4.10.1 (DNSSEC state)",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none"}},
     .from = {"example.com"}, .dnssec_state = W(AUTHSCORE_DNSSEC_INSECURE)},
    {"multiple_records_are_discarded_and_the_walk_goes_on", "RFC 9989 4.10.1",
     .txt = {{"_dmarc.a.example.com", "v=DMARC1; p=none"},
             {"_dmarc.a.example.com", "v=DMARC1; p=quarantine"},
             {"_dmarc.a.example.com", "some other text"},
             {"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"a.example.com"}, .record_domain = "example.com",
     .disposition = POL(REJECT)},
    {"non_dmarc_txt_is_ignored", "RFC 9989 4.10.1",
     .txt = {{"_dmarc.example.com", "v=spf1 -all"},
             {"_dmarc.example.com", "v=DMARC1; p=quarantine"}},
     .from = {"example.com"}, .disposition = POL(QUARANTINE)},

    /* ---- record validity (RFC 9989 4.7, 4.10.1) ---- */
    {"missing_p_is_none_in_9989", "RFC 9989 4.7 p",
     .txt = {{"_dmarc.example.com", "v=DMARC1; adkim=s"}},
     .from = {"example.com"}, .result = RES(FAIL), .policy = POL(NONE)},
    {"invalid_p_without_rua_is_permerror", "RFC 9989 4.10.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=bounce"}},
     .from = {"example.com"}, .result = RES(PERMERROR), .reason = "invalid_policy"},
    {"invalid_sp_with_rua_acts_as_p_none", "RFC 9989 4.10.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com"}},
     .from = {"example.com"}, .result = RES(FAIL), .invalid_policy_rua = W(1),
     .policy = POL(NONE), .disposition = POL(NONE), .rua = "mailto:r@example.com"},

    /* ---- alignment matrix (RFC 9989 4.4, B.1) ---- */
    {"spf_identical_aligns_strict_and_relaxed", "RFC 9989 4.4.2, B.1",
     ALIGN("v=DMARC1; p=reject; aspf=s"), .from = {"example.com"},
     .mfrom = "example.com", .spf = RES(PASS), .spf_aligned = W(1),
     .result = RES(PASS), .spf_domain = "example.com", .disposition = POL(NONE)},
    {"spf_subdomain_relaxed_aligns", "RFC 9989 4.4.2, B.1",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .mfrom = "child.example.com", .spf = RES(PASS), .spf_aligned = W(1),
     .result = RES(PASS)},
    {"spf_subdomain_strict_does_not_align", "RFC 9989 4.4.2, B.1",
     ALIGN("v=DMARC1; p=reject; aspf=s"), .from = {"example.com"},
     .mfrom = "child.example.com", .spf = RES(PASS), .spf_aligned = W(0),
     .result = RES(FAIL), .disposition = POL(REJECT)},
    {"author_subdomain_relaxed_with_parent_identifier", "RFC 9989 4.4.1, B.1",
     ALIGN("v=DMARC1; p=reject"), .from = {"news.example.com"},
     .dkim = {{"example.com", AUTHSCORE_RES_PASS}}, .dkim_aligned = W(1),
     .result = RES(PASS)},
    /* No sp: p applies to subdomains. */
    {"sibling_subdomains_relaxed_align_strict_do_not", "RFC 9989 4.4.1, B.1",
     ALIGN("v=DMARC1; p=reject; adkim=s"), .from = {"news.example.com"},
     .dkim = {{"foo.example.com", AUTHSCORE_RES_PASS}}, .dkim_aligned = W(0),
     .result = RES(FAIL), .policy_tag = "p"},
    {"sibling_subdomains_relaxed_align", "RFC 9989 4.4.1, B.1",
     ALIGN("v=DMARC1; p=reject"), .from = {"news.example.com"},
     .dkim = {{"foo.example.com", AUTHSCORE_RES_PASS}}, .dkim_aligned = W(1)},
    {"unrelated_domain_never_aligns", "RFC 9989 4.4",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .mfrom = "example.net", .spf = RES(PASS),
     .dkim = {{"example.net", AUTHSCORE_RES_PASS}}, .result = RES(FAIL),
     .unaligned_pass = W(2), .reason = "unaligned"},
    {"aligned_failing_signature_with_unaligned_passing_one", "RFC 9989 4.4.1",
     ALIGN("v=DMARC1; p=quarantine"), .from = {"example.com"},
     .dkim = {{"example.com", AUTHSCORE_RES_FAIL}, {"esp.example.net", AUTHSCORE_RES_PASS}},
     .dkim_aligned = W(0), .result = RES(FAIL), .disposition = POL(QUARANTINE)},
    {"second_signature_aligns", "RFC 9989 4.4.1",
     ALIGN("v=DMARC1; p=quarantine"), .from = {"example.com"},
     .dkim = {{"esp.example.net", AUTHSCORE_RES_PASS}, {"mail.example.com", AUTHSCORE_RES_PASS}},
     .dkim_aligned = W(1), .dkim_domain = "mail.example.com", .result = RES(PASS)},
    {"spf_fail_with_aligned_domain_does_not_align", "RFC 9989 4.4.2",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .mfrom = "example.com", .spf = RES(SOFTFAIL), .spf_aligned = W(0),
     .result = RES(FAIL)},
    {"null_mail_from_gives_no_spf_identifier", "RFC 9989 4.4.2, RFC 7208 2.4",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"}, .mfrom = NULL,
     .spf = RES(PASS), .spf_aligned = W(0), .result = RES(FAIL),
     .unaligned_pass = W(0)},
    {"case_insensitive_comparison", "RFC 9989 4.4.1",
     ALIGN("v=DMARC1; p=reject; adkim=s"), .from = {"example.com"},
     .dkim = {{"EXAMPLE.COM.", AUTHSCORE_RES_PASS}}, .dkim_aligned = W(1)},

    /* ---- dispositions ---- */
    {"p_none", "RFC 9989 4.7 p",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none"}}, .from = {"example.com"},
     .disposition = POL(NONE)},
    {"p_quarantine", "RFC 9989 4.7 p",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=quarantine"}}, .from = {"example.com"},
     .disposition = POL(QUARANTINE)},
    {"p_reject", "RFC 9989 4.7 p",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}}, .from = {"example.com"},
     .disposition = POL(REJECT)},
    {"testing_reject_becomes_quarantine", "RFC 9989 4.7 t",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; t=y"}}, .from = {"example.com"},
     .disposition = POL(QUARANTINE), .testing = W(1), .downgraded = W(1),
     .policy = POL(REJECT)},
    {"testing_quarantine_becomes_none", "RFC 9989 4.7 t",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=quarantine; t=y"}},
     .from = {"example.com"}, .disposition = POL(NONE)},
    {"pct_is_ignored_in_9989", "RFC 9989 (pct removed; RFC 7489 6.3)",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject; pct=0"}},
     .from = {"example.com"}, .disposition = POL(REJECT)},

    /* ---- author domain (RFC 9989 5.3.1, RFC 7489 6.6.1) ---- */
    /* No From at all: nothing asked. */
    {"no_from_is_permerror", "RFC 9989 5.3.1", .result = RES(PERMERROR),
     .reason = "no_from", .queries = W(0)},
    {"two_from_fields_are_permerror", "RFC 9989 5.3.1, RFC 5322 3.6",
     .from = {"example.com"}, .from_fields = W(2), .result = RES(PERMERROR),
     .reason = "multiple_from"},
    {"different_domains_are_permerror", "RFC 9989 5.3.1",
     .from = {"example.com", "example.net"}, .result = RES(PERMERROR),
     .reason = "multiple_from_domains"},
    {"same_domain_mailboxes_are_evaluated", "RFC 9989 5.3.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"example.com", "example.com"}, .result = RES(FAIL),
     .disposition = POL(REJECT)},
    {"mailbox_without_domain_is_permerror", "RFC 9989 5.3.1",
     .from = {""}, .result = RES(PERMERROR), .reason = "from_without_domain"},
    {"empty_group_is_permerror", "RFC 9989 5.3.1",
     .from = {"example.com"}, .from_count = W(0), .reason = "no_from_mailbox"},
    {"unparseable_from_is_permerror", "RFC 9989 5.3.1",
     .from = {"example.com"}, .from_status = W(AUTHSCORE_EPARSE),
     .reason = "from_unparseable"},
    {"domain_literal_is_permerror", "RFC 9989 5.3.1",
     .from = {"[192.0.2.1]"}, .reason = "from_domain_invalid"},

    /* ---- parallelism: one round per walk name, or all at once ---- */
    {"sequential_walk_gives_the_same_result_with_more_rounds", "RFC 9989 4.10",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none; sp=reject"}},
     .a = {"a.b.c.example.com"}, .from = {"a.b.c.example.com"}, .sequential_walk = 1,
     .record_domain = "example.com", .disposition = POL(REJECT),
     .org_domain = "example.com", .rounds = W(5)},
    /* 5 author names + A/AAAA/MX + _dmarc.bounce... + _dmarc.d...: the
     * shared suffixes are asked once. */
    {"prefetch_asks_everything_in_one_round", "RFC 9989 4.10",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=none; sp=reject"}},
     .a = {"a.b.c.example.com"}, .from = {"a.b.c.example.com"},
     .mfrom = "bounce.example.com", .spf = RES(PASS),
     .dkim = {{"d.example.com", AUTHSCORE_RES_PASS}}, .result = RES(PASS),
     .rounds = W(1), .waves = W(1), .queries = W(10)},
    /* _dmarc.a.b..., _dmarc.b... and A/AAAA/MX; never example.com/com. */
    {"sequential_walk_stops_at_psd", "RFC 9989 4.10 step 7",
     .txt = {{"_dmarc.b.example.com", "v=DMARC1; p=quarantine; psd=n"}},
     .a = {"a.b.example.com"}, .from = {"a.b.example.com"}, .sequential_walk = 1,
     .org_domain = "b.example.com", .queries = W(5)},

    /* ---- through the real message parser ---- */
    {"parsed_message_author_domain_is_lowercased", "RFC 9989 5.3.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .message = "From: Alice <alice@Example.COM>\r\nMessage-ID: <1@example.com>\r\n"
                "Subject: hi\r\n\r\nbody\r\n",
     .from_domain = "example.com", .result = RES(FAIL)},
    /* The U-label domain is looked up as its A-label. */
    {"u_label_author_domain_uses_its_a_label_policy", "RFC 9989 5.3.1",
     .txt = {{"_dmarc.xn--bcher-kva.example", "v=DMARC1; p=reject"}},
     .message = "From: Bert <bert@B\xc3\xbc" "cher.example>\r\nMessage-ID: <2@x>\r\n\r\nbody\r\n",
     .from_domain = "xn--bcher-kva.example", .policy = POL(REJECT)},
    /* A lone continuation byte is not UTF-8, so not a U-label. */
    {"invalid_idna_author_domain_is_permerror", "RFC 9989 5.3.1",
     .message = "From: x@bad\x80name.example\r\n\r\nbody\r\n",
     .result = RES(PERMERROR), .reason = "from_domain_invalid"},
    {"parsed_message_two_domains", "RFC 9989 5.3.1",
     .message = "From: a@example.com, b@example.net\r\n\r\n",
     .result = RES(PERMERROR), .reason = "multiple_from_domains"},
    {"parsed_message_two_from_fields", "RFC 9989 5.3.1, RFC 5322 3.6",
     .message = "From: a@example.com\r\nFrom: a@example.com\r\n\r\n",
     .reason = "multiple_from"},
    {"parsed_message_without_from", "RFC 9989 5.3.1",
     .message = "To: a@example.com\r\n\r\n", .reason = "no_from"},
    {"parsed_message_same_domain_twice", "RFC 9989 5.3.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=quarantine"}},
     .message = "From: a@example.com, \"B\" <b@EXAMPLE.com>\r\n\r\n",
     .result = RES(FAIL), .disposition = POL(QUARANTINE)},
    {"author_trailing_dot_is_the_same_name", "RFC 9989 5.3.1",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"example.com."}, .from_domain = "example.com", .disposition = POL(REJECT)},
    {"author_with_empty_label_is_invalid", "RFC 9989 5.3.1",
     .from = {"example..com"}, .reason = "from_domain_invalid"},
    {"author_ending_in_two_dots_is_invalid", "RFC 9989 5.3.1",
     .from = {"example.com.."}, .reason = "from_domain_invalid"},

    /* ---- temperror of an identifier ---- */
    {"aligned_temperror_with_nothing_else_is_temperror", "RFC 9989 5.3.6",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .dkim = {{"example.com", AUTHSCORE_RES_TEMPERROR}}, .result = RES(TEMPERROR),
     .reason = "auth_temperror"},
    /* An aligned pass wins over temperrors. */
    {"unaligned_temperror_does_not_matter", "RFC 9989 5.3.6",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .dkim = {{"example.net", AUTHSCORE_RES_TEMPERROR}, {"mail.example.com", AUTHSCORE_RES_PASS}},
     .mfrom = "example.com", .spf = RES(TEMPERROR), .result = RES(PASS)},
    {"unaligned_temperror_alone_is_fail", "RFC 9989 5.3.6",
     ALIGN("v=DMARC1; p=reject"), .from = {"example.com"},
     .dkim = {{"example.net", AUTHSCORE_RES_TEMPERROR}}, .result = RES(FAIL)},
    /* other.com's walk times out, but an org domain is its name or an
     * ancestor: it cannot be example.com's, so no temperror. */
    {"identifier_outside_the_author_org_cannot_align", "RFC 9989 4.10.2, 3.2.10",
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .status = {"_dmarc.other.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT},
     .from = {"example.com"}, .dkim = {{"other.com", AUTHSCORE_RES_PASS}},
     .result = RES(FAIL), .disposition = POL(REJECT), .dkim_aligned = W(0)},

    /* ---- hostile shapes ---- */
    {"question_cap_is_a_dns_failure", "RFC 9989 5.3.6 (question cap)", .qcap = 1,
     .txt = {{"_dmarc.example.com", "v=DMARC1; p=reject"}},
     .from = {"www.example.com"}, .result = RES(TEMPERROR)},
};

CASE_INDEX_PARAMS(dmarc_engine, cases, cases)

ParameterizedTest(size_t *i, dmarc_engine, cases)
{
    const dm_case *c = &cases[*i];
    dm_check(c, NULL);
}

/* ---- shapes the table does not hold ---- */

/* RFC 7489 6.6.4 / 6.3 pct: the sampling itself, no DNS. */
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

/* RFC 9989 4.10: a 251-byte author domain; _dmarc.<it> is past 255 bytes
 * and cannot exist, so the walk goes on to its parent. */
Test(dmarc_engine, dmarc_name_too_long_counts_as_no_record)
{
    char author[256], label[62];
    memset(label, 'x', 61);
    label[61] = '\0';
    snprintf(author, sizeof author, "%s.%s.%s.%s.com", label, label, label, label);
    cr_assert_eq(strlen(author), 251u);
    dm_a(author);
    char parent[256];
    snprintf(parent, sizeof parent, "_dmarc.%s", strchr(author, '.') + 1);
    dm_txt(parent, "v=DMARC1; p=reject");
    dm_from(author, NULL);
    const as_dmarc_result *r = dm_run();
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "_dmarc.<251 bytes> cannot exist");
    cr_assert_eq(r->disposition, AUTHSCORE_DMARC_POLICY_REJECT);
}

/* RFC 9989 4.4 with AS_DMARC_MAX_IDENTIFIERS: past the cap an identifier
 * aligns only strictly. */
Test(dmarc_engine, many_dkim_domains_are_capped)
{
    static char names[40][32];
    dm_txt("_dmarc.example.com", "v=DMARC1; p=reject");
    dm_from("example.com", NULL);
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
