/* bench_spf.c - SPF evaluations per second with the in-memory DNS backend
 * on a realistic set of records, and DNS rounds per evaluation against
 * lookups per evaluation, with and without the engine's prefetch.
 * Prints figures; never fails on speed.
 *
 *   bench_spf [ITERATIONS]      (default 20000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <authscore.h>
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "spf/spf.h"

static void txt(as_memdns *m, const char *n, const char *d)
{
    as_memdns_add(m, n, AUTHSCORE_QTYPE_TXT, d, strlen(d));
}

static void rr(as_memdns *m, const char *n, int t, const char *d)
{
    as_memdns_add(m, n, (uint16_t)t, d, strlen(d));
}

/* Shapes seen in the wild: a big provider's redirect + nested includes of
 * netblocks, a hosted-mail include with long ip4/ip6 lists, small sites
 * with a/mx, exists-based reputation, macros, no record at all. */
static void zone(as_memdns *m)
{
    txt(m, "gmail.example", "v=spf1 redirect=_spf.gmail.example");
    txt(m, "_spf.gmail.example", "v=spf1 include:_netblocks.gmail.example "
        "include:_netblocks2.gmail.example include:_netblocks3.gmail.example ~all");
    txt(m, "_netblocks.gmail.example", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 "
        "ip4:66.102.0.0/20 ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 "
        "ip4:108.177.8.0/21 ip4:173.194.0.0/16 ip4:209.85.128.0/17 ip4:216.58.192.0/19 "
        "ip4:216.239.32.0/19 ~all");
    txt(m, "_netblocks2.gmail.example", "v=spf1 ip6:2001:4860:4000::/36 "
        "ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 "
        "ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all");
    txt(m, "_netblocks3.gmail.example", "v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 "
        "ip4:172.217.128.0/19 ip4:172.217.160.0/20 ip4:172.217.192.0/19 "
        "ip4:172.253.56.0/21 ip4:172.253.112.0/20 ip4:108.177.96.0/19 ~all");

    txt(m, "corp.example", "v=spf1 include:spf.protection.hosted.example "
        "include:mailgun.example include:sendgrid.example a mx -all");
    txt(m, "spf.protection.hosted.example", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 "
        "ip4:52.100.0.0/14 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 "
        "ip6:2a01:111:f403::/49 include:spfd.protection.hosted.example -all");
    txt(m, "spfd.protection.hosted.example", "v=spf1 ip4:51.4.72.0/24 ip4:51.5.72.0/24 "
        "ip4:51.5.80.0/27 ip4:20.47.149.138/32 ip6:2a01:4180:4051:0800::/64 -all");
    txt(m, "mailgun.example", "v=spf1 include:_spf.mailgun.example ~all");
    txt(m, "_spf.mailgun.example", "v=spf1 ip4:209.61.151.0/24 ip4:166.78.68.0/22 "
        "ip4:198.61.254.0/23 ip4:192.237.158.0/23 ip4:23.253.182.0/23 ~all");
    txt(m, "sendgrid.example", "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 "
        "ip4:50.31.32.0/19 ip4:198.37.144.0/20 ~all");
    rr(m, "corp.example", AUTHSCORE_QTYPE_A, "198.51.100.10");
    rr(m, "corp.example", AUTHSCORE_QTYPE_MX, "10 mx1.corp.example");
    rr(m, "corp.example", AUTHSCORE_QTYPE_MX, "20 mx2.corp.example");
    rr(m, "mx1.corp.example", AUTHSCORE_QTYPE_A, "198.51.100.25");
    rr(m, "mx2.corp.example", AUTHSCORE_QTYPE_A, "198.51.100.26");

    txt(m, "shop.example", "v=spf1 a mx ip4:203.0.113.0/28 ~all");
    rr(m, "shop.example", AUTHSCORE_QTYPE_A, "203.0.113.80");
    rr(m, "shop.example", AUTHSCORE_QTYPE_MX, "10 mail.shop.example");
    rr(m, "mail.shop.example", AUTHSCORE_QTYPE_A, "203.0.113.81");

    txt(m, "list.example", "v=spf1 exists:%{i}._spf.list.example "
        "include:%{d2}.rep.example -all exp=why.list.example");
    rr(m, "192.0.2.44._spf.list.example", AUTHSCORE_QTYPE_A, "127.0.0.2");
    txt(m, "list.example.rep.example", "v=spf1 ip4:192.0.2.128/25 -all");
    txt(m, "why.list.example", "%{i} is not a sender of %{d}");

    txt(m, "strict.example", "v=spf1 -all");
    txt(m, "mx.helo.example", "v=spf1 a -all");
    rr(m, "mx.helo.example", AUTHSCORE_QTYPE_A, "192.0.2.200");
}

static const struct { const char *ip, *sender; } cases[] = {
    {"209.85.128.5", "alice@gmail.example"},
    {"2a00:1450:4000::1", "alice@gmail.example"},
    {"172.253.112.9", "bob@gmail.example"},
    {"192.0.2.1", "carol@gmail.example"},
    {"40.107.1.2", "d@corp.example"},
    {"51.5.80.3", "d@corp.example"},
    {"167.89.1.1", "d@corp.example"},
    {"198.51.100.26", "d@corp.example"},
    {"192.0.2.1", "d@corp.example"},
    {"203.0.113.5", "e@shop.example"},
    {"203.0.113.81", "e@shop.example"},
    {"192.0.2.44", "f@list.example"},
    {"192.0.2.130", "f@list.example"},
    {"192.0.2.9", "f@list.example"},
    {"192.0.2.9", "g@strict.example"},
    {"192.0.2.9", "h@norecord.example"},
    {"192.0.2.200", "postmaster@mx.helo.example"},
};
#define NCASES (sizeof cases / sizeof cases[0])

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run(as_memdns *m, long iters, int no_prefetch)
{
    double rounds = 0, lookups = 0, queries = 0;
    double t0 = now_s();
    for (long k = 0; k < iters; k++) {
        size_t c = (size_t)k % NCASES;
        as_arena a;
        as_arena_init(&a, 1u << 22);
        as_qtab *q = as_qtab_new(&a, 0);
        as_spf_request req = {0};
        req.client_ip = cases[c].ip;
        req.sender = cases[c].sender;
        req.domain = strchr(cases[c].sender, '@') + 1;
        req.helo = "mx.helo.example";
        req.now = 1700000000;
        req.no_prefetch = no_prefetch;
        as_spf *s;
        if (q && as_spf_start(&a, q, &req, &s) == 0) {
            as_memdns_drive(m, q, NULL);
            const as_spf_result *r = as_spf_get_result(s);
            rounds += as_qtab_rounds(q);
            lookups += r->lookups;
            queries += as_qtab_count(q);
        }
        as_arena_free(&a);
    }
    double dt = now_s() - t0;
    printf("%-9s %10.0f evaluations/s  %.2f DNS rounds  %.2f lookups  "
           "%.2f questions per evaluation\n",
           no_prefetch ? "in-order" : "prefetch", iters / dt, rounds / iters,
           lookups / iters, queries / iters);
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 20000;
    if (iters <= 0)
        iters = 20000;
    as_memdns *m = as_memdns_new();
    if (!m)
        return 1;
    zone(m);
    printf("SPF engine, %zu record shapes, %ld evaluations each way "
           "(in-memory DNS: its lookup cost is included)\n", NCASES, iters);
    run(m, iters, 0);
    run(m, iters, 1);
    as_memdns_free(m);
    return 0;
}
