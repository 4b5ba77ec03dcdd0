/* Unit tests: check_host() evaluation with the in-memory DNS backend:
 * results, limits, DNSSEC state, explanations and the prefetch rule
 * (speculative answers never change the in-order result or counts). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "spf/spf.h"

static as_memdns *m;
static as_arena A;
static as_qtab *Q;
static unsigned waves;

static void setup(void)
{
    m = as_memdns_new();
    cr_assert_not_null(m);
    as_arena_init(&A, 1u << 22);
}

static void teardown(void)
{
    as_memdns_free(m);
    as_arena_free(&A);
}

TestSuite(spf_eval, .init = setup, .fini = teardown);

static void txt(const char *name, const char *data)
{
    cr_assert_eq(as_memdns_add(m, name, AUTHSCORE_QTYPE_TXT, data, strlen(data)), 0);
}

static void rr(const char *name, int type, const char *data)
{
    cr_assert_eq(as_memdns_add(m, name, (uint16_t)type, data, strlen(data)), 0);
}

static const as_spf_result *check_lim(const char *ip, const char *sender,
                                      int maxl, int maxv)
{
    Q = as_qtab_new(&A, 0);
    cr_assert_not_null(Q);
    as_spf_request req = {0};
    req.client_ip = ip;
    req.sender = sender;
    const char *at = strrchr(sender, '@');
    req.domain = at ? at + 1 : sender;
    req.helo = "mx.example.org";
    req.receiver = "mx.example.net";
    req.now = 1700000000;
    req.limits.max_lookups = maxl;
    req.limits.max_void_lookups = maxv;
    as_spf *s = NULL;
    cr_assert_eq(as_spf_start(&A, Q, &req, &s), 0);
    cr_assert_eq(as_memdns_drive(m, Q, &waves), 0);
    cr_assert(as_spf_done(s));
    const as_spf_result *r = as_spf_get_result(s);
    cr_assert_not_null(r->reason);
    return r;
}

static const as_spf_result *check(const char *ip, const char *sender)
{
    return check_lim(ip, sender, 0, 0);
}

Test(spf_eval, basic_results)
{
    txt("example.com", "v=spf1 ip4:192.0.2.0/24 ~ip4:198.51.100.1 ?ip6:2001:db8::/32 -all");
    const as_spf_result *r = check("192.0.2.9", "alice@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->mechanism, "ip4:192.0.2.0/24");
    cr_assert_str_eq(r->domain, "example.com");
    cr_assert_str_eq(r->identity, "alice@example.com");
    cr_assert_eq(r->lookups, 0);
    cr_assert_eq(check("198.51.100.1", "a@example.com")->result, AUTHSCORE_RES_SOFTFAIL);
    cr_assert_eq(check("2001:db8::5", "a@example.com")->result, AUTHSCORE_RES_NEUTRAL);
    r = check("203.0.113.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->mechanism, "-all");
    cr_assert_null(r->explanation);
    /* an IPv4-mapped client is an IPv4 client */
    cr_assert_eq(check("::ffff:192.0.2.77", "a@example.com")->result, AUTHSCORE_RES_PASS);
}

Test(spf_eval, none_and_record_selection)
{
    txt("example.com", "v=spf10 +all");
    txt("example.com", "some other text");
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_NONE);
    cr_assert_eq(check("192.0.2.1", "a@nxdomain.example.org")->result, AUTHSCORE_RES_NONE);
    /* 4.3: malformed or single-label domains give none without DNS */
    cr_assert_eq(check("192.0.2.1", "a@localhost")->result, AUTHSCORE_RES_NONE);
    cr_assert_eq(check("192.0.2.1", "a@[192.0.2.1]")->result, AUTHSCORE_RES_NONE);
    cr_assert_eq(check("192.0.2.1", "a@a..example.com")->result, AUTHSCORE_RES_NONE);
    txt("two.example.com", "v=spf1 -all");
    txt("two.example.com", "V=SPF1 +all");
    r = check("192.0.2.1", "a@two.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert(strstr(r->reason, "more than one"));
    txt("bad.example.com", "v=spf1 a:museum -all");
    r = check("192.0.2.1", "a@bad.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert(strstr(r->reason, "a:museum"), "reason names the term: %s", r->reason);
    cr_assert_eq(check("not-an-ip", "a@example.com")->result, AUTHSCORE_RES_PERMERROR);
}

Test(spf_eval, helo_identity_and_no_local_part)
{
    txt("mx.example.org", "v=spf1 a -all exp=why.example.org");
    rr("mx.example.org", AUTHSCORE_QTYPE_A, "192.0.2.25");
    txt("why.example.org", "%{l} at %{o} via %{h}");
    const as_spf_result *r = check("192.0.2.25", "postmaster@mx.example.org");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    r = check("192.0.2.26", "@mx.example.org");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->explanation, "postmaster at mx.example.org via mx.example.org");
    cr_assert_str_eq(r->identity, "postmaster@mx.example.org");
}

Test(spf_eval, a_mx_ptr_exists_include_redirect)
{
    txt("example.com", "v=spf1 a/30 mx ptr exists:%{l}.ok.example.com include:inc.example.net "
                       "redirect=other.example.net");
    rr("example.com", AUTHSCORE_QTYPE_A, "192.0.2.4");
    rr("example.com", AUTHSCORE_QTYPE_MX, "10 mx1.example.com");
    rr("example.com", AUTHSCORE_QTYPE_MX, "20 mx2.example.com");
    rr("mx1.example.com", AUTHSCORE_QTYPE_A, "198.51.100.10");
    rr("mx2.example.com", AUTHSCORE_QTYPE_AAAA, "2001:db8::25");
    rr("mx2.example.com", AUTHSCORE_QTYPE_A, "198.51.100.20");
    rr("7.113.0.203.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "host.example.com");
    rr("host.example.com", AUTHSCORE_QTYPE_A, "203.0.113.7");
    rr("bob.ok.example.com", AUTHSCORE_QTYPE_A, "127.0.0.2");
    txt("inc.example.net", "v=spf1 ip4:233.252.0.0/24 -all");
    txt("other.example.net", "v=spf1 ip4:100.64.0.1 -all");
    const as_spf_result *r = check("192.0.2.6", "x@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->mechanism, "a/30");
    r = check("198.51.100.10", "x@example.com");
    cr_assert_str_eq(r->mechanism, "mx");
    cr_assert_eq(r->lookups, 2);
    cr_assert_eq(check("2001:db8::25", "x@example.com")->result, AUTHSCORE_RES_PASS);
    r = check("203.0.113.7", "x@example.com");
    cr_assert_str_eq(r->mechanism, "ptr");
    r = check("192.0.2.200", "bob@example.com");
    cr_assert_str_eq(r->mechanism, "exists:%{l}.ok.example.com");
    r = check("233.252.0.9", "x@example.com");
    cr_assert_str_eq(r->mechanism, "include:inc.example.net");
    cr_assert_eq(r->void_lookups, 2, "no PTR, no x.ok.example.com");
    /* include's -all does not match in the parent; redirect decides */
    r = check("100.64.0.1", "x@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->mechanism, "ip4:100.64.0.1");
    cr_assert_eq(r->lookups, 6);
    r = check("100.64.0.2", "x@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
}

Test(spf_eval, include_result_mapping)
{
    txt("example.com", "v=spf1 -include:none.example.com");
    txt("t.example.com", "v=spf1 include:tmp.example.com +all");
    as_memdns_set_status(m, "tmp.example.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT);
    txt("p.example.com", "v=spf1 include:perm.example.com +all");
    txt("perm.example.com", "v=spf1 foo");
    txt("n.example.com", "v=spf1 -include:pass.example.com");
    txt("pass.example.com", "v=spf1 +all");
    /* 5.2: include of a domain with no record is a permerror */
    cr_assert_eq(check("192.0.2.1", "a@example.com")->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_eq(check("192.0.2.1", "a@t.example.com")->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert_eq(check("192.0.2.1", "a@p.example.com")->result, AUTHSCORE_RES_PERMERROR);
    const as_spf_result *r = check("192.0.2.1", "a@n.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL, "pass inside -include gives fail");
    cr_assert_str_eq(r->mechanism, "-include:pass.example.com");
}

Test(spf_eval, lookup_limit_and_configured_lower_limit)
{
    txt("example.com", "v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com "
                       "a:h4.example.com a:h5.example.com a:h6.example.com a:h7.example.com "
                       "a:h8.example.com a:h9.example.com a:h10.example.com a:h11.example.com -all");
    for (int k = 1; k <= 11; k++) {
        char n[32];
        snprintf(n, sizeof n, "h%d.example.com", k);
        rr(n, AUTHSCORE_QTYPE_A, k == 10 ? "192.0.2.10" : k == 11 ? "192.0.2.11" : "10.0.0.1");
    }
    const as_spf_result *r = check("192.0.2.10", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS, "the 10th lookup is allowed");
    cr_assert_eq(r->lookups, 10);
    cr_assert_eq(r->limit_hit, AS_SPF_LIMIT_NONE);
    r = check("192.0.2.11", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR, "the 11th is a permerror");
    cr_assert_eq(r->limit_hit, AS_SPF_LIMIT_LOOKUPS);
    cr_assert(strstr(r->reason, "a:h11.example.com"));
    /* configured lower, and a request to raise it is ignored */
    r = check_lim("192.0.2.10", "a@example.com", 3, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_eq(r->lookups, 4);
    r = check_lim("192.0.2.11", "a@example.com", 50, 0);
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
}

Test(spf_eval, void_lookup_limit)
{
    txt("example.com", "v=spf1 a:v1.example.com mx:v2.example.com ip4:192.0.2.1 "
                       "exists:v3.example.com -all");
    /* two voids then a match: the third void is only prefetched */
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(r->void_lookups, 2);
    cr_assert_eq(r->lookups, 2);
    r = check("192.0.2.2", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_eq(r->limit_hit, AS_SPF_LIMIT_VOID);
    r = check_lim("192.0.2.1", "a@example.com", 0, 1);
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR, "limit configured down to 1");
}

Test(spf_eval, speculation_never_changes_the_result)
{
    /* Everything after the match is asked speculatively; its timeouts,
     * voids and lookups must not show. */
    txt("example.com", "v=spf1 a:ok.example.com include:slow.example.com "
                       "exists:void.example.com mx:slow.example.com -all");
    rr("ok.example.com", AUTHSCORE_QTYPE_A, "192.0.2.1");
    as_memdns_set_status(m, "slow.example.com", 0, AUTHSCORE_DNS_TIMEOUT);
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(r->lookups, 1);
    cr_assert_eq(r->void_lookups, 0);
    cr_assert_gt(r->queries, 2, "the later terms were asked at once");
    r = check("192.0.2.2", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR);
    cr_assert(strstr(r->reason, "slow.example.com"));
}

Test(spf_eval, prefetch_cuts_dns_rounds)
{
    /* five includes, each with an a: inside; in-order would need
     * 1 + 5 x 2 rounds, prefetch needs 3 (TXT, includes, their a:) */
    txt("example.com", "v=spf1 include:i1.example.com include:i2.example.com "
                       "include:i3.example.com include:i4.example.com -all");
    for (int k = 1; k <= 4; k++) {
        char n[32], d[64], h[32];
        snprintf(n, sizeof n, "i%d.example.com", k);
        snprintf(h, sizeof h, "h%d.example.com", k);
        snprintf(d, sizeof d, "v=spf1 a:%s", h);
        txt(n, d);
        rr(h, AUTHSCORE_QTYPE_A, k == 4 ? "192.0.2.4" : "10.9.9.9");
    }
    const as_spf_result *r = check("192.0.2.4", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(r->lookups, 8);
    cr_assert_eq(as_qtab_rounds(Q), 3);
    cr_assert_eq(r->rounds, 3);
}

Test(spf_eval, include_loop_and_redirect_loop)
{
    txt("a.example.com", "v=spf1 include:b.example.com -all");
    txt("b.example.com", "v=spf1 include:a.example.com -all");
    const as_spf_result *r = check("192.0.2.1", "x@a.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    txt("r.example.com", "v=spf1 redirect=s.example.com");
    txt("s.example.com", "v=spf1 redirect=r.example.com");
    r = check("192.0.2.1", "x@r.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR);
    cr_assert_eq(r->limit_hit, AS_SPF_LIMIT_LOOKUPS);
    /* a loop after a match is never reached */
    txt("c.example.com", "v=spf1 ip4:192.0.2.1 include:c.example.com -all");
    cr_assert_eq(check("192.0.2.1", "x@c.example.com")->result, AUTHSCORE_RES_PASS);
}

Test(spf_eval, mx_name_limit)
{
    txt("example.com", "v=spf1 mx -all");
    for (int k = 0; k < 11; k++) {
        char d[64];
        snprintf(d, sizeof d, "%d mx%d.example.com", k, k);
        rr("example.com", AUTHSCORE_QTYPE_MX, d);
    }
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PERMERROR, "11 MX names (4.6.4)");
}

Test(spf_eval, dnssec_state)
{
    txt("example.com", "v=spf1 include:other.example.net -all");
    txt("other.example.net", "v=spf1 a:host.example.com");
    rr("host.example.com", AUTHSCORE_QTYPE_A, "192.0.2.1");
    as_memdns_set_dnssec(m, "example.com", AUTHSCORE_DNSSEC_SECURE, NULL);
    as_memdns_set_dnssec(m, "example.net", AUTHSCORE_DNSSEC_SECURE, NULL);
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_SECURE);
    as_memdns_set_dnssec(m, "other.example.net", AUTHSCORE_DNSSEC_INSECURE, NULL);
    r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_INSECURE, "one insecure answer used");
    as_memdns_set_dnssec(m, "host.example.com", AUTHSCORE_DNSSEC_BOGUS, "sig expired");
    r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_TEMPERROR, "bogus is a DNS error");
    cr_assert_eq(r->dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_assert(strstr(r->reason, "sig expired"));
}

Test(spf_eval, temperror_on_timeout_and_servfail)
{
    as_memdns_set_status(m, "example.com", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_TIMEOUT);
    cr_assert_eq(check("192.0.2.1", "a@example.com")->result, AUTHSCORE_RES_TEMPERROR);
    txt("e.example.org", "v=spf1 a:sf.example.org -all");
    as_memdns_set_status(m, "sf.example.org", 0, AUTHSCORE_DNS_SERVFAIL);
    cr_assert_eq(check("192.0.2.1", "a@e.example.org")->result, AUTHSCORE_RES_TEMPERROR);
}

Test(spf_eval, explanation)
{
    txt("example.com", "v=spf1 ?ip4:192.0.2.2 a:h.example.com -all exp=exp.%{d}");
    txt("exp.example.com", "%{i} is not one of %{d}'s designated mail servers (%{c}).");
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->explanation,
                     "192.0.2.1 is not one of example.com's designated mail servers (192.0.2.1).");
    cr_assert_eq(r->rounds, 2, "the exp= text was prefetched with the record's lookups");
    /* only for fail */
    r = check("192.0.2.2", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_NEUTRAL);
    cr_assert_null(r->explanation);
    /* redirect: the target's exp= applies, not the original's (6.2) */
    txt("r.example.com", "v=spf1 redirect=example.com exp=nope.example.com");
    txt("nope.example.com", "wrong");
    r = check("192.0.2.1", "a@r.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->explanation,
                     "192.0.2.1 is not one of example.com's designated mail servers (192.0.2.1).");
    /* a bad explain-string is ignored, the result stays */
    txt("b.example.com", "v=spf1 -all exp=bad.example.com");
    txt("bad.example.com", "%{q}");
    r = check("192.0.2.1", "a@b.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_null(r->explanation);
}

Test(spf_eval, p_macro_and_ptr_validation)
{
    txt("example.com", "v=spf1 -all exp=e.example.com");
    txt("e.example.com", "connect from %{p}");
    rr("1.2.0.192.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "other.example.org");
    rr("1.2.0.192.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "mx.example.com");
    rr("1.2.0.192.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "liar.example.com");
    rr("other.example.org", AUTHSCORE_QTYPE_A, "192.0.2.1");
    rr("mx.example.com", AUTHSCORE_QTYPE_A, "192.0.2.1");
    rr("liar.example.com", AUTHSCORE_QTYPE_A, "10.0.0.1");
    const as_spf_result *r = check("192.0.2.1", "a@example.com");
    cr_assert_str_eq(r->explanation, "connect from mx.example.com",
                     "a validated name inside <domain> is preferred");
    r = check("192.0.2.9", "a@example.com");
    cr_assert_str_eq(r->explanation, "connect from unknown");
    txt("p.example.com", "v=spf1 ptr:liar.example.com ptr:example.org -all");
    r = check("192.0.2.1", "a@p.example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->mechanism, "ptr:example.org", "liar is not validated");
}

Test(spf_eval, cname_chains_are_followed_by_the_resolver)
{
    txt("real.example.net", "v=spf1 a:alias.example.com -all");
    cr_assert_eq(as_memdns_add_cname(m, "example.com", "real.example.net"), 0);
    cr_assert_eq(as_memdns_add_cname(m, "alias.example.com", "host.example.net"), 0);
    rr("host.example.net", AUTHSCORE_QTYPE_A, "192.0.2.8");
    const as_spf_result *r = check("192.0.2.8", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS);
    cr_assert_str_eq(r->mechanism, "a:alias.example.com");
    cr_assert_eq(check("192.0.2.9", "a@example.com")->result, AUTHSCORE_RES_FAIL);
}

Test(spf_eval, ipv6_client_macros)
{
    txt("example.com", "v=spf1 exists:%{ir}.%{v}.bl.example.com -all exp=e.example.com");
    txt("e.example.com", "%{c} / %{i} / %{v}");
    rr("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.bl.example.com",
       AUTHSCORE_QTYPE_A, "127.0.0.2");
    const as_spf_result *r = check("2001:db8::1", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_PASS, "%s", r->reason);
    r = check("2001:DB8::2", "a@example.com");
    cr_assert_eq(r->result, AUTHSCORE_RES_FAIL);
    cr_assert_str_eq(r->explanation, "2001:db8::2 / 2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"
                                     ".0.0.0.0.0.0.0.2 / ip6");
}

/* ---- the void-lookup unit (RFC 7208 4.6.4, 5.5) --------------------------
 * A term counts one void lookup when its own query returns no data or
 * NXDOMAIN; the names an mx or ptr term looks up afterwards are skipped
 * when they have no addresses and never count.  One test per term kind,
 * each with a case that counts and one that does not; with the limit
 * lowered to 1, two counting terms are a permerror and any number of
 * non-counting ones are not. */

/* One evaluation: `record` published at a fresh name under void.test,
 * checked for `ip` with the void limit `limit` (0: the RFC's 2), must give
 * `result` with `voids` void lookups; `why` is in the reason when set. */
typedef struct void_row {
    const char *record, *ip;
    int limit, result, voids;
    const char *why;
} void_row;

static void void_rows(const void_row *rows, size_t n)
{
    static int seq;
    for (size_t k = 0; k < n; k++) {
        const void_row *w = &rows[k];
        char sender[64];
        snprintf(sender, sizeof sender, "a@d%d.void.test", ++seq);
        txt(sender + 2, w->record);
        const as_spf_result *r = check_lim(w->ip, sender, 0, w->limit);
        int limited = w->result == AUTHSCORE_RES_PERMERROR && w->voids > 1;
        cr_expect_eq(r->result, w->result, "%s from %s: %s", w->record, w->ip, r->reason);
        cr_expect_eq(r->void_lookups, w->voids, "%s from %s: %s", w->record, w->ip, r->reason);
        cr_expect_eq(r->limit_hit, limited ? AS_SPF_LIMIT_VOID : AS_SPF_LIMIT_NONE,
                     "%s from %s: %s", w->record, w->ip, r->reason);
        if (w->why)
            cr_expect(strstr(r->reason, w->why), "%s: %s", w->record, r->reason);
    }
}

#define VOID_ROWS(rows) void_rows(rows, sizeof rows / sizeof *rows)
#define PERM AUTHSCORE_RES_PERMERROR

Test(spf_eval, void_unit_a)
{
    rr("v4only.example.com", AUTHSCORE_QTYPE_A, "10.0.0.1");
    static const void_row rows[] = {
        /* counts: NXDOMAIN, and NODATA for the client's family */
        {"v=spf1 a:nx.example.com -all", "192.0.2.1", 0, AUTHSCORE_RES_FAIL, 1, NULL},
        {"v=spf1 a:v4only.example.com -all", "2001:db8::1", 0, AUTHSCORE_RES_FAIL, 1, NULL},
        {"v=spf1 a:nx.example.com a:v4only.example.com -all", "2001:db8::1", 1, PERM, 2, NULL},
        /* does not count: an answer, even one that does not match */
        {"v=spf1 a:v4only.example.com a:v4only.example.com -all", "192.0.2.1", 1,
         AUTHSCORE_RES_FAIL, 0, NULL},
    };
    VOID_ROWS(rows);
}

Test(spf_eval, void_unit_mx)
{
    rr("m.example.com", AUTHSCORE_QTYPE_MX, "10 gone1.example.com");
    rr("m.example.com", AUTHSCORE_QTYPE_MX, "20 gone2.example.com");
    rr("m.example.com", AUTHSCORE_QTYPE_MX, "30 gone3.example.com");
    rr("m.example.com", AUTHSCORE_QTYPE_MX, "40 live.example.com");
    rr("live.example.com", AUTHSCORE_QTYPE_A, "192.0.2.25");
    static const void_row rows[] = {
        /* counts: the MX query itself is void */
        {"v=spf1 mx:nomx.example.com -all", "192.0.2.1", 0, AUTHSCORE_RES_FAIL, 1, NULL},
        {"v=spf1 mx:nomx.example.com mx:nomx2.example.com -all", "192.0.2.1", 1, PERM, 2, NULL},
        /* does not count: MX names without addresses are skipped (three
         * of them used to be three void lookups: a permerror), also for
         * an IPv6 client that finds no AAAA at all */
        {"v=spf1 mx:m.example.com -all", "192.0.2.1", 0, AUTHSCORE_RES_FAIL, 0, NULL},
        {"v=spf1 mx:m.example.com -all", "192.0.2.25", 1, AUTHSCORE_RES_PASS, 0, NULL},
        {"v=spf1 mx:m.example.com ~all", "2001:db8::1", 1, AUTHSCORE_RES_SOFTFAIL, 0, NULL},
    };
    VOID_ROWS(rows);
}

Test(spf_eval, void_unit_ptr)
{
    rr("7.113.0.203.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "n1.example.com");
    rr("7.113.0.203.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "n2.example.com");
    rr("7.113.0.203.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "n3.example.com");
    rr("7.113.0.203.in-addr.arpa", AUTHSCORE_QTYPE_PTR, "ok.example.org");
    rr("ok.example.org", AUTHSCORE_QTYPE_A, "203.0.113.7");
    static const void_row rows[] = {
        /* counts: no PTR record for the client */
        {"v=spf1 ptr -all", "192.0.2.1", 0, AUTHSCORE_RES_FAIL, 1, NULL},
        {"v=spf1 ptr ptr:example.org -all", "192.0.2.1", 1, PERM, 2, NULL},
        /* does not count: PTR names without addresses are skipped (5.5) */
        {"v=spf1 ptr:example.com -all", "203.0.113.7", 1, AUTHSCORE_RES_FAIL, 0, NULL},
        {"v=spf1 ptr:example.com ptr:example.com ptr:example.org -all", "203.0.113.7", 1,
         AUTHSCORE_RES_PASS, 0, NULL},
    };
    VOID_ROWS(rows);
}

Test(spf_eval, void_unit_exists)
{
    rr("listed.example.com", AUTHSCORE_QTYPE_A, "127.0.0.2");
    static const void_row rows[] = {
        /* counts: the A query is void */
        {"v=spf1 exists:nx.example.com -all", "192.0.2.1", 0, AUTHSCORE_RES_FAIL, 1, NULL},
        {"v=spf1 exists:nx.example.com exists:nx2.example.com -all", "192.0.2.1", 1, PERM, 2,
         NULL},
        /* does not count: an answer; exists always asks A, so an IPv6
         * client does not make it void (unlike a) */
        {"v=spf1 exists:listed.example.com -all", "2001:db8::1", 1, AUTHSCORE_RES_PASS, 0, NULL},
    };
    VOID_ROWS(rows);
}

Test(spf_eval, void_unit_include)
{
    txt("notspf.example.com", "some verification token");
    txt("inner.example.com", "v=spf1 ip4:10.9.9.9 -all");
    static const void_row rows[] = {
        /* counts: the included name does not exist (then: no record) */
        {"v=spf1 include:nx.example.com -all", "192.0.2.1", 0, PERM, 1, "no SPF record"},
        {"v=spf1 a:nx.example.com include:nx.example.com -all", "192.0.2.1", 1, PERM, 2, NULL},
        /* does not count: TXT data without an SPF record is not void
         * (still a permerror: no record), nor is a record that does not
         * match; the one void is the a term's */
        {"v=spf1 a:nx.example.com include:notspf.example.com -all", "192.0.2.1", 1, PERM, 1,
         "no SPF record"},
        {"v=spf1 a:nx.example.com include:inner.example.com -all", "192.0.2.1", 1,
         AUTHSCORE_RES_FAIL, 1, NULL},
    };
    VOID_ROWS(rows);
}

Test(spf_eval, void_unit_redirect)
{
    txt("target.example.com", "v=spf1 ~all");
    static const void_row rows[] = {
        /* counts: the redirect target does not exist (then: no record) */
        {"v=spf1 redirect=nx.example.com", "192.0.2.1", 0, PERM, 1, "no SPF record"},
        {"v=spf1 a:nx.example.com redirect=nx.example.com", "192.0.2.1", 1, PERM, 2, NULL},
        /* does not count: the target has a record */
        {"v=spf1 a:nx.example.com redirect=target.example.com", "192.0.2.1", 1,
         AUTHSCORE_RES_SOFTFAIL, 1, NULL},
    };
    VOID_ROWS(rows);
}
