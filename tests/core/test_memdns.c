/* The in-memory DNS backend: statuses, CNAMEs, DNSSEC per zone, failures,
 * and its zone-like file format. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dns/memdns.h"

static as_arena arena;
static as_memdns *dns;

static void setup(void)
{
    as_arena_init(&arena, 1 << 22);
    dns = as_memdns_new();
    cr_assert_not_null(dns);
}

static void teardown(void)
{
    as_memdns_free(dns);
    as_arena_free(&arena);
}

static as_dns_answer ask(const char *name, uint16_t t)
{
    as_dns_answer a;
    cr_assert_eq(as_memdns_lookup(dns, &arena, name, t, &a), 0);
    return a;
}

TestSuite(memdns, .init = setup, .fini = teardown);

Test(memdns, statuses)
{
    as_memdns_add(dns, "a.example", AUTHSCORE_QTYPE_A, "192.0.2.1", 9);
    as_memdns_add(dns, "deep.sub.example", AUTHSCORE_QTYPE_TXT, "x", 1);
    as_dns_answer r = ask("A.Example.", AUTHSCORE_QTYPE_A);
    cr_expect_eq(r.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(r.count, 1);
    cr_expect_eq(r.rr[0].u.a[3], 1);
    cr_expect_eq(ask("a.example", AUTHSCORE_QTYPE_TXT).status, AUTHSCORE_DNS_NODATA);
    cr_expect_eq(ask("b.example", AUTHSCORE_QTYPE_A).status, AUTHSCORE_DNS_NXDOMAIN);
    /* An empty non-terminal exists: NODATA, not NXDOMAIN. */
    cr_expect_eq(ask("sub.example", AUTHSCORE_QTYPE_TXT).status, AUTHSCORE_DNS_NODATA);
}

Test(memdns, records_keep_order_and_mx_parses)
{
    as_memdns_add(dns, "example", AUTHSCORE_QTYPE_MX, "10 mx1.example.", 15);
    as_memdns_add(dns, "example", AUTHSCORE_QTYPE_MX, "20 MX2.example", 14);
    as_dns_answer r = ask("example", AUTHSCORE_QTYPE_MX);
    cr_assert_eq(r.count, 2);
    cr_expect_eq(r.rr[0].u.mx.pref, 10);
    cr_expect_str_eq(r.rr[0].u.mx.name, "mx1.example");
    cr_expect_str_eq(r.rr[1].u.mx.name, "mx2.example");
    cr_expect_eq(as_memdns_add(dns, "example", AUTHSCORE_QTYPE_MX, "x mx", 4), AUTHSCORE_EINVAL);
    cr_expect_eq(as_memdns_add(dns, "example", AUTHSCORE_QTYPE_A, "300.1.1.1", 9), AUTHSCORE_EINVAL);
}

Test(memdns, cname_chain_and_loop)
{
    as_memdns_add_cname(dns, "alias.example", "target.example");
    as_memdns_add(dns, "target.example", AUTHSCORE_QTYPE_TXT, "v=spf1 -all", 11);
    as_dns_answer r = ask("alias.example", AUTHSCORE_QTYPE_TXT);
    cr_assert_eq(r.status, AUTHSCORE_DNS_OK);
    cr_expect_eq(memcmp(r.rr[0].u.txt.p, "v=spf1 -all", 11), 0);
    as_memdns_add_cname(dns, "loop1.example", "loop2.example");
    as_memdns_add_cname(dns, "loop2.example", "loop1.example");
    cr_expect_eq(ask("loop1.example", AUTHSCORE_QTYPE_A).status, AUTHSCORE_DNS_SERVFAIL);
}

Test(memdns, failures_and_dnssec)
{
    as_memdns_add(dns, "ok.signed.example", AUTHSCORE_QTYPE_A, "192.0.2.2", 9);
    as_memdns_set_dnssec(dns, "signed.example", AUTHSCORE_DNSSEC_SECURE, NULL);
    as_memdns_set_dnssec(dns, "bad.signed.example", AUTHSCORE_DNSSEC_BOGUS, "signature expired");
    as_memdns_set_status(dns, "slow.example", 0, AUTHSCORE_DNS_TIMEOUT);
    as_memdns_set_status(dns, "broken.example", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_SERVFAIL);
    cr_expect_eq(ask("ok.signed.example", AUTHSCORE_QTYPE_A).dnssec, AUTHSCORE_DNSSEC_SECURE);
    as_dns_answer b = ask("x.bad.signed.example", AUTHSCORE_QTYPE_A);
    cr_expect_eq(b.dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_expect_str_eq(b.why_bogus, "signature expired");
    cr_expect_eq(ask("other.example", AUTHSCORE_QTYPE_A).dnssec, AUTHSCORE_DNSSEC_INSECURE);
    cr_expect_eq(ask("slow.example", AUTHSCORE_QTYPE_MX).status, AUTHSCORE_DNS_TIMEOUT);
    cr_expect_eq(ask("broken.example", AUTHSCORE_QTYPE_TXT).status, AUTHSCORE_DNS_SERVFAIL);
    cr_expect_eq(ask("broken.example", AUTHSCORE_QTYPE_A).status, AUTHSCORE_DNS_NXDOMAIN);
}

Test(memdns, zone_file)
{
    char path[] = "/tmp/memdns-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n"
          "example.test TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"   # two strings\n"
          "example.test A 192.0.2.10\n"
          "sel._domainkey.example.test TXT \"k=rsa; p=\\065BC\"\n"
          "www.example.test CNAME example.test\n"
          "slow.example.test TIMEOUT\n"
          "example.test SECURE\n",
          f);
    fclose(f);
    unsigned line;
    cr_assert_eq(as_memdns_load_file(dns, path, &line), 0);
    as_dns_answer r = ask("example.test", AUTHSCORE_QTYPE_TXT);
    cr_assert_eq(r.count, 1);
    cr_expect_str_eq(r.rr[0].u.txt.p, "v=spf1 ip4:192.0.2.0/24 -all");
    cr_expect_eq(r.dnssec, AUTHSCORE_DNSSEC_SECURE);
    cr_expect_str_eq(ask("sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT).rr[0].u.txt.p,
                     "k=rsa; p=ABC");
    cr_expect_eq(ask("www.example.test", AUTHSCORE_QTYPE_A).count, 1);
    cr_expect_eq(ask("slow.example.test", AUTHSCORE_QTYPE_A).status, AUTHSCORE_DNS_TIMEOUT);

    f = fopen(path, "w");
    fputs("ok.test A 192.0.2.1\nbad.test TXT \"unterminated\n", f);
    fclose(f);
    cr_expect_eq(as_memdns_load_file(dns, path, &line), AUTHSCORE_EPARSE);
    cr_expect_eq(line, 2, "the error names the line");
    unlink(path);
    cr_expect_eq(as_memdns_load_file(dns, "/nonexistent/zone", &line), AUTHSCORE_EIO);
}
