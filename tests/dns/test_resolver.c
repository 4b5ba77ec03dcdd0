/* test_resolver.c - the libunbound backend and its driver against real
 * DNSSEC-signed zones built at test time (tests/dns/with-fixtures.sh):
 * served serverless (auth-zone in libunbound) and by a real nsd on
 * loopback, plus a black-hole server bound here.  Nothing leaves
 * 127.0.0.1.  A missing tool makes the affected tests SKIPPED. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/qtab.h"
#include "dns/resolver.h"

#define MAXQ 64

typedef struct got {
    int n;
    int seen[MAXQ];
    as_dns_answer ans[MAXQ];
} got;

typedef struct fixture {
    as_arena arena;
    as_qtab *t;
    got g;
} fixture;

static void collect(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    got *g = engine;
    cr_assert_lt(cookie, MAXQ);
    cr_assert_eq(g->seen[cookie], 0, "answer delivered twice");
    g->seen[cookie] = 1;
    g->ans[cookie] = *a;
    g->n++;
}

static void fx_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    as_arena_init(&f->arena, 1u << 22);
    f->t = as_qtab_new(&f->arena, 0);
    cr_assert_not_null(f->t);
}

static void ask(fixture *f, const char *name, uint16_t qtype, uintptr_t i)
{
    cr_assert_eq(as_qtab_ask(f->t, name, strlen(name), qtype, collect, &f->g,
                             i), 0, "ask %s", name);
}

static const char *zones_dir(void)
{
    const char *z = getenv("AUTHSCORE_DNS_ZONES");
    if (!z) {
        const char *why = getenv("AUTHSCORE_DNS_SKIP");
        cr_skip_test("signed zones unavailable: %s",
                     why ? why : "run through tests/dns/with-fixtures.sh");
    }
    return z;
}

static as_resolver *serverless(void)
{
    static char conf[4096];
    snprintf(conf, sizeof conf, "%s/unbound-serverless.conf", zones_dir());
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    char err[512];
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    cr_assert_eq(rc, 0, "as_resolver_new: %s", err);
    return r;
}

static as_resolver *via_nsd(void)
{
    zones_dir();
    const char *conf = getenv("AUTHSCORE_DNS_NSD_CONF");
    if (!conf) {
        const char *why = getenv("AUTHSCORE_DNS_SKIP");
        cr_skip_test("nsd fixture unavailable: %s", why ? why : "not started");
    }
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    char err[512];
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err), 0,
                 "as_resolver_new: %s", err);
    return r;
}

static as_resolver_stats drive(as_resolver *r, fixture *f, int ms)
{
    as_resolver_stats st;
    cr_assert_eq(as_resolver_drive_stats(r, f->t, ms, NULL, NULL, &st), 0);
    cr_assert_eq(as_qtab_outstanding(f->t), 0);
    cr_assert_eq(as_qtab_unsent(f->t), 0);
    return st;
}

static void assert_answer(const as_dns_answer *a, int status, int dnssec)
{
    cr_assert_eq(a->status, status, "status %s, want %s",
                 as_dns_status_name(a->status), as_dns_status_name(status));
    cr_assert_eq(a->dnssec, dnssec, "dnssec %d, want %d (why_bogus %s)",
                 a->dnssec, dnssec, a->why_bogus ? a->why_bogus : "-");
}

/* The joined text of the sel._domainkey TXT record, from the template:
 * the quoted strings of its line, concatenated. */
static size_t dkim_text_from_template(char *out, size_t max)
{
    char path[4096];
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/tests/dns/zones/base.zone.in",
             root ? root : ".");
    FILE *fp = fopen(path, "r");
    cr_assert_not_null(fp, "%s", path);
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "sel._domainkey", 14) != 0)
            continue;
        int in = 0;
        for (char *p = line; *p; p++) {
            if (*p == '"')
                in = !in;
            else if (in && n + 1 < max)
                out[n++] = *p;
        }
        break;
    }
    fclose(fp);
    out[n] = '\0';
    return n;
}

/* ---- serverless: libunbound answers from auth-zone files ------------ */

Test(serverless, secure_records_of_every_type)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    ask(&f, "example.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "_dmarc.example.test", AUTHSCORE_QTYPE_TXT, 1);
    ask(&f, "example.test", AUTHSCORE_QTYPE_A, 2);
    ask(&f, "example.test", AUTHSCORE_QTYPE_AAAA, 3);
    ask(&f, "Example.Test", AUTHSCORE_QTYPE_MX, 4);
    ask(&f, "ptr.example.test", AUTHSCORE_QTYPE_PTR, 5);
    ask(&f, "alias.example.test", AUTHSCORE_QTYPE_A, 6);
    as_resolver_stats st = drive(r, &f, 5000);
    cr_assert_eq(f.g.n, 7);
    cr_assert_eq(st.waves, 1);
    cr_assert_eq(st.timeouts, 0);
    for (int i = 0; i < 7; i++)
        assert_answer(&f.g.ans[i], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);

    const as_dns_answer *a = &f.g.ans[0];
    cr_assert_eq(a->count, 1);
    cr_assert_str_eq(a->rr[0].u.txt.p, "v=spf1 ip4:192.0.2.0/24 mx -all");
    cr_assert_eq(a->ttl, 3600);
    cr_assert_str_eq(f.g.ans[1].rr[0].u.txt.p,
                     "v=DMARC1; p=reject; rua=mailto:dmarc@example.test");
    cr_assert_arr_eq(f.g.ans[2].rr[0].u.a, "\xc0\x00\x02\x0a", 4);
    cr_assert_eq(f.g.ans[3].rr[0].u.aaaa[0], 0x20);
    cr_assert_eq(f.g.ans[3].rr[0].u.aaaa[15], 0x10);

    a = &f.g.ans[4];
    cr_assert_eq(a->count, 2);
    int seen10 = 0, seen20 = 0;
    for (size_t i = 0; i < 2; i++) {
        if (a->rr[i].u.mx.pref == 10) {
            seen10 = 1;
            cr_assert_str_eq(a->rr[i].u.mx.name, "mail.example.test");
        } else {
            seen20 = 1;
            cr_assert_eq(a->rr[i].u.mx.pref, 20);
            /* Written "Mail2.example.test." in the zone. */
            cr_assert_str_eq(a->rr[i].u.mx.name, "mail2.example.test");
        }
    }
    cr_assert(seen10 && seen20);
    cr_assert_str_eq(f.g.ans[5].rr[0].u.ptr.name, "mail.example.test");
    /* CNAME followed by libunbound, only the A of the target is kept. */
    cr_assert_eq(f.g.ans[6].count, 1);
    cr_assert_arr_eq(f.g.ans[6].rr[0].u.a, "\xc0\x00\x02\x19", 4);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(serverless, dkim_key_split_in_strings_is_joined)
{
    as_resolver *r = serverless();
    char want[2048];
    size_t wl = dkim_text_from_template(want, sizeof want);
    cr_assert_gt(wl, 255, "the fixture key must need two strings");
    fixture f;
    fx_init(&f);
    ask(&f, "sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "split.nsec3.test", AUTHSCORE_QTYPE_TXT, 1);
    drive(r, &f, 5000);
    const as_dns_answer *a = &f.g.ans[0];
    assert_answer(a, AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(a->count, 1);
    cr_assert_eq(a->rr[0].u.txt.len, wl);
    cr_assert_arr_eq(a->rr[0].u.txt.p, want, wl);
    assert_answer(&f.g.ans[1], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_str_eq(f.g.ans[1].rr[0].u.txt.p, "part one, part two");
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(serverless, proven_nxdomain_and_nodata_with_nsec_and_nsec3)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    ask(&f, "nx.example.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "onlya.example.test", AUTHSCORE_QTYPE_TXT, 1);
    ask(&f, "nx.nsec3.test", AUTHSCORE_QTYPE_TXT, 2);
    ask(&f, "onlya.nsec3.test", AUTHSCORE_QTYPE_MX, 3);
    ask(&f, "_dmarc.nx.nsec3.test", AUTHSCORE_QTYPE_TXT, 4);
    drive(r, &f, 5000);
    assert_answer(&f.g.ans[0], AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE);
    assert_answer(&f.g.ans[1], AUTHSCORE_DNS_NODATA, AUTHSCORE_DNSSEC_SECURE);
    assert_answer(&f.g.ans[2], AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE);
    assert_answer(&f.g.ans[3], AUTHSCORE_DNS_NODATA, AUTHSCORE_DNSSEC_SECURE);
    assert_answer(&f.g.ans[4], AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE);
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(f.g.ans[i].count, 0);
        /* RFC 2308: the SOA MINIMUM (300) bounds the negative TTL. */
        cr_assert_eq(f.g.ans[i].ttl, 300);
    }
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(serverless, unsigned_zone_is_insecure)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    ask(&f, "unsigned.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "nx.unsigned.test", AUTHSCORE_QTYPE_TXT, 1);
    drive(r, &f, 5000);
    assert_answer(&f.g.ans[0], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INSECURE);
    cr_assert_eq(f.g.ans[0].count, 1);
    cr_assert_str_eq(f.g.ans[0].rr[0].u.txt.p,
                     "v=spf1 ip4:192.0.2.0/24 mx -all");
    cr_assert_null(f.g.ans[0].why_bogus);
    assert_answer(&f.g.ans[1], AUTHSCORE_DNS_NXDOMAIN,
                  AUTHSCORE_DNSSEC_INSECURE);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(serverless, tampered_data_is_bogus_and_never_exposed)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    ask(&f, "bogus.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "mail.bogus.test", AUTHSCORE_QTYPE_A, 1);
    ask(&f, "bogus.test", AUTHSCORE_QTYPE_MX, 2);  /* MX left intact */
    drive(r, &f, 5000);
    for (int i = 0; i < 2; i++) {
        const as_dns_answer *a = &f.g.ans[i];
        cr_assert_eq(a->dnssec, AUTHSCORE_DNSSEC_BOGUS);
        cr_assert_eq(a->count, 0, "bogus data must not be handed out");
        cr_assert_not_null(a->why_bogus);
        cr_assert(strstr(a->why_bogus, "signature") != NULL, "why: %s",
                  a->why_bogus);
    }
    assert_answer(&f.g.ans[2], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(serverless, expired_signatures_are_bogus)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    ask(&f, "expired.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "nx.expired.test", AUTHSCORE_QTYPE_TXT, 1);
    drive(r, &f, 5000);
    for (int i = 0; i < 2; i++) {
        const as_dns_answer *a = &f.g.ans[i];
        cr_assert_eq(a->dnssec, AUTHSCORE_DNSSEC_BOGUS);
        cr_assert_eq(a->count, 0);
        cr_assert_not_null(a->why_bogus);
        cr_assert(strstr(a->why_bogus, "expired") != NULL, "why: %s",
                  a->why_bogus);
    }
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* An answer raises a question: the driver sends it at once, in a second
 * wave, and idle() runs exactly once. */
typedef struct chain {
    fixture *f;
    int mx_answers, a_answers;
    int idle_calls;
    int idle_before_answers;
} chain;

static void on_a(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    chain *c = engine;
    (void)cookie;
    cr_assert_eq(a->status, AUTHSCORE_DNS_OK);
    cr_assert_eq(a->dnssec, AUTHSCORE_DNSSEC_SECURE);
    c->a_answers++;
}

static void on_mx(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    chain *c = engine;
    (void)cookie;
    c->mx_answers++;
    cr_assert_eq(a->count, 2);
    for (size_t i = 0; i < a->count; i++)
        cr_assert_eq(as_qtab_ask(c->f->t, a->rr[i].u.mx.name,
                                 strlen(a->rr[i].u.mx.name),
                                 AUTHSCORE_QTYPE_A, on_a, c, i), 0);
}

static void on_idle(void *arg)
{
    chain *c = arg;
    c->idle_calls++;
    c->idle_before_answers = c->mx_answers == 0;
}

Test(serverless, answers_raise_questions_in_a_second_wave)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    chain c = {&f, 0, 0, 0, 0};
    cr_assert_eq(as_qtab_ask(f.t, "example.test", 12, AUTHSCORE_QTYPE_MX,
                             on_mx, &c, 0), 0);
    as_resolver_stats st;
    cr_assert_eq(as_resolver_drive_stats(r, f.t, 5000, on_idle, &c, &st), 0);
    cr_assert_eq(c.mx_answers, 1);
    cr_assert_eq(c.a_answers, 2);
    cr_assert_eq(c.idle_calls, 1);
    cr_assert(c.idle_before_answers, "idle runs while the first wave flies");
    cr_assert_eq(st.waves, 2);
    cr_assert_eq(st.queries, 3);
    cr_assert_eq(as_qtab_rounds(f.t), 2);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* Several threads drive their own messages on one resolver at once: every
 * answer reaches the right table, whichever thread ran ub_process. */
typedef struct worker {
    as_resolver *r;
    int index;
    int ok;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int round = 0; round < 3; round++) {
        as_arena a;
        as_arena_init(&a, 1u << 20);
        as_qtab *t = as_qtab_new(&a, 0);
        got g;
        memset(&g, 0, sizeof g);
        char name[64];
        for (int i = 1; i <= 20; i++) {
            /* Each thread asks in its own order and zone mix. */
            int h = (i + w->index * 7) % 20 + 1;
            snprintf(name, sizeof name, "h%02d.%s.test", h,
                     (h + w->index) % 2 ? "example" : "nsec3");
            if (as_qtab_ask(t, name, strlen(name), AUTHSCORE_QTYPE_A, collect,
                            &g, (uintptr_t)h) != 0)
                goto out;
        }
        if (as_resolver_drive(w->r, t, 5000, NULL, NULL) != 0 || g.n != 20)
            goto out;
        for (int h = 1; h <= 20; h++)
            if (g.ans[h].status != AUTHSCORE_DNS_OK || g.ans[h].count != 1 ||
                g.ans[h].dnssec != AUTHSCORE_DNSSEC_SECURE ||
                g.ans[h].rr[0].u.a[3] != 100 + h)
                goto out;
        as_arena_free(&a);
        continue;
    out:
        as_arena_free(&a);
        return NULL;
    }
    w->ok = 1;
    return NULL;
}

Test(serverless, threads_share_one_resolver)
{
    as_resolver *r = serverless();
    enum { N = 6 };
    pthread_t th[N];
    worker w[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){r, i, 0};
        cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        cr_assert(w[i].ok, "thread %d got wrong or missing answers", i);
    }
    as_resolver_free(r);
}

Test(serverless, empty_table_still_calls_idle_once)
{
    as_resolver *r = serverless();
    fixture f;
    fx_init(&f);
    chain c = {&f, 0, 0, 0, 0};
    as_resolver_stats st;
    cr_assert_eq(as_resolver_drive_stats(r, f.t, 5000, on_idle, &c, &st), 0);
    cr_assert_eq(c.idle_calls, 1);
    cr_assert_eq(st.waves, 0);
    cr_assert_eq(st.queries, 0);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* ---- configuration errors ------------------------------------------ */

Test(config, missing_trust_anchor_is_a_clear_error)
{
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trust_anchor_file = "/nonexistent/authscore/root.key";
    char err[512] = "";
    as_resolver *r = (as_resolver *)1;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err),
                 AUTHSCORE_ECONFIG);
    cr_assert_null(r);
    cr_assert(strstr(err, "/nonexistent/authscore/root.key") != NULL, "%s",
              err);
    cr_assert(strstr(err, "dns-root-data") != NULL, "%s", err);
}

/* Trust anchor files are read when libunbound finalizes its context:
 * as_resolver_new forces that, so a broken file fails at start-up. */
Test(config, unreadable_trust_anchor_content_fails_at_start)
{
    char ta[] = "/tmp/authscore-ta-XXXXXX";
    int fd = mkstemp(ta);
    cr_assert_geq(fd, 0);
    cr_assert_gt(write(fd, "this is not a DS record\n", 24), 0);
    close(fd);
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trust_anchor_file = ta;
    char err[512] = "";
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    unlink(ta);
    cr_assert_eq(rc, AUTHSCORE_ECONFIG, "rc %d", rc);
    cr_assert_null(r);
    cr_assert_neq(err[0], '\0');
}

Test(config, missing_config_file_is_a_clear_error)
{
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = "/nonexistent/unbound.conf";
    cfg.trust_anchor_file = "none";
    char err[512] = "";
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err),
                 AUTHSCORE_ECONFIG);
    cr_assert(strstr(err, "/nonexistent/unbound.conf") != NULL, "%s", err);
}

Test(config, bad_forwarder_is_rejected)
{
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trust_anchor_file = "none";
    cfg.forwarders[0] = "not an address";
    cfg.n_forwarders = 1;
    char err[512] = "";
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err),
                 AUTHSCORE_ECONFIG);
    cr_assert(strstr(err, "not an address") != NULL, "%s", err);
}

Test(config, default_trust_anchor_loads)
{
    if (access(AS_RESOLVER_DEFAULT_TRUST_ANCHOR, R_OK) != 0)
        cr_skip_test("%s missing (Debian package dns-root-data)",
                     AS_RESOLVER_DEFAULT_TRUST_ANCHOR);
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.forwarders[0] = "127.0.0.1";
    cfg.n_forwarders = 1;
    char err[512] = "";
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err), 0, "%s", err);
    as_resolver_free(r);
}

/* ---- a real authoritative server: nsd on loopback ------------------- */

/* Ask nsd directly over UDP (EDNS 1232) for big.example.test TXT: the
 * answer must come back truncated, so the full RRset the resolver got can
 * only have come over TCP. */
static int udp_answer_is_truncated(void)
{
    const char *ps = getenv("AUTHSCORE_DNS_NSD_PORT");
    cr_assert_not_null(ps);
    static const unsigned char q[] = {
        0x42, 0x42, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
        3, 'b', 'i', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
        4, 't', 'e', 's', 't', 0, 0, 16, 0, 1,
        0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0};  /* OPT: 1232, DO */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    cr_assert_geq(s, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(ps))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {2, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert_eq(sendto(s, q, sizeof q, 0, (struct sockaddr *)&sa, sizeof sa),
                 (ssize_t)sizeof q);
    unsigned char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    close(s);
    cr_assert_geq(n, 12, "no UDP answer from nsd");
    return (buf[2] & 0x02) != 0;
}

Test(nsd, large_answer_arrives_over_tcp)
{
    as_resolver *r = via_nsd();
    cr_assert(udp_answer_is_truncated(),
              "nsd answered in full over UDP: the fixture is too small");
    fixture f;
    fx_init(&f);
    ask(&f, "big.example.test", AUTHSCORE_QTYPE_TXT, 0);
    drive(r, &f, 5000);
    const as_dns_answer *a = &f.g.ans[0];
    assert_answer(a, AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(a->count, 4);
    size_t total = 0;
    int seen[5] = {0};
    for (size_t i = 0; i < a->count; i++) {
        total += a->rr[i].u.txt.len;
        cr_assert_eq(a->rr[i].u.txt.len, 480);
        int k = a->rr[i].u.txt.p[0] - '0';
        cr_assert(k >= 1 && k <= 4);
        seen[k] = 1;
    }
    cr_assert(seen[1] && seen[2] && seen[3] && seen[4]);
    cr_assert_gt(total, 1232);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(nsd, twenty_questions_in_one_wave)
{
    as_resolver *r = via_nsd();
    fixture f;
    fx_init(&f);
    char name[64];
    for (int i = 1; i <= 20; i++) {
        snprintf(name, sizeof name, "h%02d.example.test", i);
        ask(&f, name, AUTHSCORE_QTYPE_A, (uintptr_t)i);
    }
    as_resolver_stats st = drive(r, &f, 5000);
    cr_assert_eq(st.waves, 1, "20 independent questions took %u waves",
                 st.waves);
    cr_assert_eq(st.queries, 20);
    cr_assert_eq(st.timeouts, 0);
    cr_assert_eq(f.g.n, 20);
    for (int i = 1; i <= 20; i++) {
        assert_answer(&f.g.ans[i], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
        cr_assert_eq(f.g.ans[i].count, 1);
        cr_assert_eq(f.g.ans[i].rr[0].u.a[3], 100 + i);
    }
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

Test(nsd, dnssec_states_over_the_wire)
{
    as_resolver *r = via_nsd();
    fixture f;
    fx_init(&f);
    ask(&f, "sel._domainkey.nsec3.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "bogus.test", AUTHSCORE_QTYPE_TXT, 1);
    ask(&f, "expired.test", AUTHSCORE_QTYPE_TXT, 2);
    ask(&f, "unsigned.test", AUTHSCORE_QTYPE_TXT, 3);
    ask(&f, "nx.nsec3.test", AUTHSCORE_QTYPE_A, 4);
    drive(r, &f, 5000);
    assert_answer(&f.g.ans[0], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_gt(f.g.ans[0].rr[0].u.txt.len, 255);
    cr_assert_eq(f.g.ans[1].dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_assert_not_null(f.g.ans[1].why_bogus);
    cr_assert_eq(f.g.ans[2].dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_assert(strstr(f.g.ans[2].why_bogus, "expired") != NULL);
    assert_answer(&f.g.ans[3], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INSECURE);
    assert_answer(&f.g.ans[4], AUTHSCORE_DNS_NXDOMAIN,
                  AUTHSCORE_DNSSEC_SECURE);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* Forwarders carry the queries; validation stays in the process, so a
 * forwarder passing tampered data through cannot make it count. */
Test(nsd, forwarder_answers_are_still_validated_locally)
{
    const char *zones = zones_dir();
    const char *port = getenv("AUTHSCORE_DNS_NSD_PORT");
    if (!port)
        cr_skip_test("nsd fixture unavailable");
    char conf[] = "/tmp/authscore-fwd-XXXXXX";
    int fd = mkstemp(conf);
    cr_assert_geq(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp,
            "server:\n"
            "    do-not-query-localhost: no\n"
            "    local-zone: \"test.\" nodefault\n"
            "    domain-insecure: \"test.\"\n"
            "    trust-anchor-file: \"%s/trust-anchors.ds\"\n",
            zones);
    fclose(fp);
    char fwd[64];
    snprintf(fwd, sizeof fwd, "127.0.0.1@%s", port);
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    cfg.forwarders[0] = fwd;
    cfg.n_forwarders = 1;
    char err[512];
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    unlink(conf);
    cr_assert_eq(rc, 0, "%s", err);
    fixture f;
    fx_init(&f);
    ask(&f, "example.test", AUTHSCORE_QTYPE_TXT, 0);
    ask(&f, "bogus.test", AUTHSCORE_QTYPE_TXT, 1);
    ask(&f, "nx.nsec3.test", AUTHSCORE_QTYPE_TXT, 2);
    drive(r, &f, 5000);
    assert_answer(&f.g.ans[0], AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(f.g.ans[1].dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_assert_eq(f.g.ans[1].count, 0);
    assert_answer(&f.g.ans[2], AUTHSCORE_DNS_NXDOMAIN,
                  AUTHSCORE_DNSSEC_SECURE);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* ---- a server that never answers ----------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A UDP socket and a TCP listener on one loopback port, never read. */
static int black_hole(int *udp, int *tcp)
{
    for (int tries = 0; tries < 20; tries++) {
        *tcp = socket(AF_INET, SOCK_STREAM, 0);
        cr_assert_geq(*tcp, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof sa;
        cr_assert_eq(bind(*tcp, (struct sockaddr *)&sa, sizeof sa), 0);
        cr_assert_eq(listen(*tcp, 64), 0);
        cr_assert_eq(getsockname(*tcp, (struct sockaddr *)&sa, &sl), 0);
        *udp = socket(AF_INET, SOCK_DGRAM, 0);
        cr_assert_geq(*udp, 0);
        if (bind(*udp, (struct sockaddr *)&sa, sizeof sa) == 0)
            return ntohs(sa.sin_port);
        close(*udp);
        close(*tcp);
    }
    cr_assert_fail("no free port for the black hole");
    return -1;
}

Test(blackhole, batch_ends_at_the_deadline_as_timeout, .timeout = 30)
{
    int udp, tcp;
    int port = black_hole(&udp, &tcp);
    char conf[] = "/tmp/authscore-blackhole-XXXXXX";
    int fd = mkstemp(conf);
    cr_assert_geq(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp,
            "server:\n"
            "    do-not-query-localhost: no\n"
            "    local-zone: \"test.\" nodefault\n"
            "stub-zone:\n"
            "    name: \"blackhole.test.\"\n"
            "    stub-addr: 127.0.0.1@%d\n",
            port);
    fclose(fp);
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    char err[512];
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err), 0, "%s", err);
    unlink(conf);

    const int deadline = 1500;
    for (int round = 0; round < 2; round++) {
        /* Round 2 reuses the resolver while round 1's queries may still be
         * alive inside libunbound (orphaned, then freed). */
        fixture f;
        fx_init(&f);
        char name[64];
        for (int i = 0; i < 20; i++) {
            snprintf(name, sizeof name, "q%d-%d.blackhole.test", round, i);
            ask(&f, name, (uint16_t)(i % 2 ? AUTHSCORE_QTYPE_TXT
                                           : AUTHSCORE_QTYPE_A),
                (uintptr_t)i);
        }
        long long t0 = mono_ms();
        as_resolver_stats st = drive(r, &f, deadline);
        long long took = mono_ms() - t0;
        long long slack = deadline / 10 > 100 ? deadline / 10 : 100;
        cr_assert(took >= deadline - 5 && took <= deadline + slack,
                  "took %lld ms for a %d ms deadline", took, deadline);
        cr_assert_eq(st.waves, 1);
        cr_assert_eq(st.queries, 20);
        cr_assert_eq(st.timeouts, 20);
        cr_assert_eq(f.g.n, 20);
        for (int i = 0; i < 20; i++)
            assert_answer(&f.g.ans[i], AUTHSCORE_DNS_TIMEOUT,
                          AUTHSCORE_DNSSEC_INDETERMINATE);
        as_arena_free(&f.arena);
    }
    as_resolver_free(r);
    close(udp);
    close(tcp);
}
