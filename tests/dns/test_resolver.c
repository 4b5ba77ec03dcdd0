/* test_resolver.c - the libunbound backend and its driver against real
 * DNSSEC-signed zones built at test time (tests/dns/with-fixtures.sh):
 * served serverless (auth-zone in libunbound), by a real nsd on loopback
 * and through nsd as a forwarder.  Nothing leaves 127.0.0.1.  The fixtures
 * (ldnsutils, nsd) and the root trust anchor (dns-root-data) are checked
 * in main: without them the whole test is SKIP (77).  The cases that need
 * none of that are test_resolver_config.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cases.h"
#include "resolver_fixture.h"

/* libunbound answering from the zone files, no network. */
static as_resolver *serverless(void)
{
    static char conf[4096];
    snprintf(conf, sizeof conf, "%s/unbound-serverless.conf",
             getenv("AUTHSCORE_DNS_ZONES"));
    return resolver_from(conf, NULL);
}

/* Recursion to nsd through stub zones. */
static as_resolver *via_nsd(void)
{
    return resolver_from(getenv("AUTHSCORE_DNS_NSD_CONF"), NULL);
}

/* nsd as a forwarder: it carries the queries, validation stays here. */
static as_resolver *via_forwarder(void)
{
    char conf[4096], fwd[64];
    snprintf(conf, sizeof conf,
             "server:\n"
             "    do-not-query-localhost: no\n"
             "    local-zone: \"test.\" nodefault\n"
             "    domain-insecure: \"test.\"\n"
             "    trust-anchor-file: \"%s/trust-anchors.ds\"\n",
             getenv("AUTHSCORE_DNS_ZONES"));
    snprintf(fwd, sizeof fwd, "127.0.0.1@%s", getenv("AUTHSCORE_DNS_NSD_PORT"));
    return resolver_from_text(conf, fwd);
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

/* ---- the table: questions, and what each answer must say ------------ */

#define OK_SECURE .status = W(AUTHSCORE_DNS_OK), .dnssec = W(AUTHSCORE_DNSSEC_SECURE)

typedef struct q_want {
    const char *name;
    uint16_t qtype;
    want_int status, dnssec, count, ttl;
    const char *txt;      /* the first TXT string */
    const char *a;        /* the first A record, 4 bytes */
    const char *why;      /* why_bogus is set and contains it ("": set) */
    int why_null;         /* why_bogus is NULL */
    want_int txt_longer;  /* the first TXT string is longer than v */
} q_want;

enum { SERVERLESS, NSD, FORWARDER };

typedef struct dns_case {
    const char *name;
    const char *rfc;  /* the section the case checks */
    int via;
    q_want q[8];
    want_int answers, waves, timeouts;
    void (*more)(const got *g);  /* checks of record data beyond q_want */
} dns_case;

#define QN(c) (sizeof (c)->q / sizeof *(c)->q)

static void check_answer(const dns_case *c, const q_want *w, const as_dns_answer *a)
{
    if (w->status.on)
        cr_assert_eq(a->status, w->status.v, "%s (%s): %s: status %s, want %s",
                     c->name, c->rfc, w->name, as_dns_status_name(a->status),
                     as_dns_status_name((int)w->status.v));
    if (w->dnssec.on)
        cr_assert_eq(a->dnssec, w->dnssec.v, "%s (%s): %s: dnssec %d, want %ld (why_bogus %s)",
                     c->name, c->rfc, w->name, a->dnssec, w->dnssec.v,
                     a->why_bogus ? a->why_bogus : "-");
    CASE_INT(a->count, w->count, w->name);
    CASE_INT(a->ttl, w->ttl, w->name);
    if (w->txt)
        cr_assert_str_eq(a->rr[0].u.txt.p, w->txt, "%s (%s): %s TXT", c->name,
                         c->rfc, w->name);
    if (w->txt_longer.on)
        cr_assert_gt((long)a->rr[0].u.txt.len, w->txt_longer.v,
                     "%s (%s): %s TXT length", c->name, c->rfc, w->name);
    if (w->a)
        cr_assert_arr_eq(a->rr[0].u.a, w->a, 4, "%s (%s): %s A", c->name, c->rfc,
                         w->name);
    if (w->why) {
        cr_assert_not_null(a->why_bogus, "%s (%s): %s: no why_bogus", c->name,
                           c->rfc, w->name);
        if (w->why[0])
            cr_assert(strstr(a->why_bogus, w->why) != NULL, "%s (%s): %s: why %s",
                      c->name, c->rfc, w->name, a->why_bogus);
    }
    if (w->why_null)
        cr_assert_null(a->why_bogus, "%s (%s): %s", c->name, c->rfc, w->name);
}

/* secure_records_of_every_type: AAAA bytes, both MX, the PTR target. */
static void every_type_data(const got *g)
{
    cr_assert_eq(g->ans[3].rr[0].u.aaaa[0], 0x20);
    cr_assert_eq(g->ans[3].rr[0].u.aaaa[15], 0x10);
    const as_dns_answer *a = &g->ans[4];
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
    cr_assert_str_eq(g->ans[5].rr[0].u.ptr.name, "mail.example.test");
}

/* The DKIM key as the zone template writes it, in two strings. */
static void key_from_template(const got *g)
{
    char want[2048];
    size_t wl = dkim_text_from_template(want, sizeof want);
    cr_assert_gt(wl, 255, "the fixture key must need two strings");
    cr_assert_eq(g->ans[0].rr[0].u.txt.len, wl);
    cr_assert_arr_eq(g->ans[0].rr[0].u.txt.p, want, wl);
}

/* RFC 2308: the SOA MINIMUM (300) bounds the negative TTL. */
#define NEG(n, t, st) {n, t, .status = W(st), .dnssec = W(AUTHSCORE_DNSSEC_SECURE), \
                       .count = W(0), .ttl = W(300)}
#define BOGUS(n, t, w) {n, t, .dnssec = W(AUTHSCORE_DNSSEC_BOGUS), .count = W(0), .why = w}

static const dns_case cases[] = {
    /* A CNAME is followed by libunbound: only the A of the target is kept. */
    {"secure_records_of_every_type", "RFC 4035 5 (secure), RFC 1035 3.3",
     SERVERLESS,
     .q = {{"example.test", AUTHSCORE_QTYPE_TXT, OK_SECURE, .count = W(1),
       .txt = "v=spf1 ip4:192.0.2.0/24 mx -all", .ttl = W(3600)},
      {"_dmarc.example.test", AUTHSCORE_QTYPE_TXT, OK_SECURE,
       .txt = "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"},
      {"example.test", AUTHSCORE_QTYPE_A, OK_SECURE, .a = "\xc0\x00\x02\x0a"},
      {"example.test", AUTHSCORE_QTYPE_AAAA, OK_SECURE},
      {"Example.Test", AUTHSCORE_QTYPE_MX, OK_SECURE, .count = W(2)},
      {"ptr.example.test", AUTHSCORE_QTYPE_PTR, OK_SECURE},
      {"alias.example.test", AUTHSCORE_QTYPE_A, OK_SECURE, .count = W(1),
       .a = "\xc0\x00\x02\x19"}},
     .answers = W(7), .waves = W(1), .timeouts = W(0), .more = every_type_data},
    {"dkim_key_split_in_strings_is_joined", "RFC 6376 3.6.2.2, RFC 1035 3.3.14",
     SERVERLESS,
     .q = {{"sel._domainkey.example.test", AUTHSCORE_QTYPE_TXT, OK_SECURE, .count = W(1)},
      {"split.nsec3.test", AUTHSCORE_QTYPE_TXT, OK_SECURE, .txt = "part one, part two"}},
     .more = key_from_template},
    {"proven_nxdomain_and_nodata_with_nsec_and_nsec3",
     "RFC 4035 5.4, RFC 5155 8, RFC 2308 5", SERVERLESS,
     .q = {NEG("nx.example.test", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_NXDOMAIN),
      NEG("onlya.example.test", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_NODATA),
      NEG("nx.nsec3.test", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_NXDOMAIN),
      NEG("onlya.nsec3.test", AUTHSCORE_QTYPE_MX, AUTHSCORE_DNS_NODATA),
      NEG("_dmarc.nx.nsec3.test", AUTHSCORE_QTYPE_TXT, AUTHSCORE_DNS_NXDOMAIN)}},
    {"unsigned_zone_is_insecure", "RFC 4035 5.2 (insecure)", SERVERLESS,
     .q = {{"unsigned.test", AUTHSCORE_QTYPE_TXT, .status = W(AUTHSCORE_DNS_OK),
       .dnssec = W(AUTHSCORE_DNSSEC_INSECURE), .count = W(1),
       .txt = "v=spf1 ip4:192.0.2.0/24 mx -all", .why_null = 1},
      {"nx.unsigned.test", AUTHSCORE_QTYPE_TXT, .status = W(AUTHSCORE_DNS_NXDOMAIN),
       .dnssec = W(AUTHSCORE_DNSSEC_INSECURE)}}},
    /* Bogus data must not be handed out; the intact MX stays secure. */
    {"tampered_data_is_bogus_and_never_exposed", "RFC 4035 5.5 (bogus)", SERVERLESS,
     .q = {BOGUS("bogus.test", AUTHSCORE_QTYPE_TXT, "signature"),
      BOGUS("mail.bogus.test", AUTHSCORE_QTYPE_A, "signature"),
      {"bogus.test", AUTHSCORE_QTYPE_MX, OK_SECURE}}},
    {"expired_signatures_are_bogus", "RFC 4035 5.3.1 (validity period)", SERVERLESS,
     .q = {BOGUS("expired.test", AUTHSCORE_QTYPE_TXT, "expired"),
      BOGUS("nx.expired.test", AUTHSCORE_QTYPE_TXT, "expired")}},
    {"dnssec_states_over_the_wire", "RFC 4035 4.3", NSD,
     .q = {{"sel._domainkey.nsec3.test", AUTHSCORE_QTYPE_TXT, OK_SECURE, .txt_longer = W(255)},
      {"bogus.test", AUTHSCORE_QTYPE_TXT, .dnssec = W(AUTHSCORE_DNSSEC_BOGUS), .why = ""},
      {"expired.test", AUTHSCORE_QTYPE_TXT, .dnssec = W(AUTHSCORE_DNSSEC_BOGUS),
       .why = "expired"},
      {"unsigned.test", AUTHSCORE_QTYPE_TXT, .status = W(AUTHSCORE_DNS_OK),
       .dnssec = W(AUTHSCORE_DNSSEC_INSECURE)},
      {"nx.nsec3.test", AUTHSCORE_QTYPE_A, .status = W(AUTHSCORE_DNS_NXDOMAIN),
       .dnssec = W(AUTHSCORE_DNSSEC_SECURE)}}},
    /* A forwarder passing tampered data through cannot make it count. */
    {"forwarder_answers_are_still_validated_locally", "RFC 4035 4.9.3", FORWARDER,
     .q = {{"example.test", AUTHSCORE_QTYPE_TXT, OK_SECURE},
      {"bogus.test", AUTHSCORE_QTYPE_TXT, .dnssec = W(AUTHSCORE_DNSSEC_BOGUS), .count = W(0)},
      {"nx.nsec3.test", AUTHSCORE_QTYPE_TXT, .status = W(AUTHSCORE_DNS_NXDOMAIN),
       .dnssec = W(AUTHSCORE_DNSSEC_SECURE)}}},
};

CASE_INDEX_PARAMS(resolver, cases, cases)

ParameterizedTest(size_t *i, resolver, cases)
{
    const dns_case *c = &cases[*i];
    as_resolver *r = c->via == SERVERLESS ? serverless()
                     : c->via == NSD      ? via_nsd()
                                          : via_forwarder();
    fixture f;
    fx_init(&f);
    size_t n = 0;
    for (; n < QN(c) && c->q[n].name; n++)
        ask(&f, c->q[n].name, c->q[n].qtype, n);
    as_resolver_stats st = drive(r, &f, 5000);
    CASE_INT(f.g.n, c->answers, "answers");
    CASE_INT(st.waves, c->waves, "waves");
    CASE_INT(st.timeouts, c->timeouts, "timeouts");
    for (size_t k = 0; k < n; k++)
        check_answer(c, &c->q[k], &f.g.ans[k]);
    if (c->more)
        c->more(&f.g);
    as_arena_free(&f.arena);
    as_resolver_free(r);
}

/* ---- shapes the table does not hold -------------------------------- */

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

/* The Debian root anchor (checked in main) is what a default
 * configuration validates with. */
Test(config, default_trust_anchor_loads)
{
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

int main(int argc, char *argv[])
{
    const char *why = getenv("AUTHSCORE_DNS_SKIP");
    char skip[512];
    if (!getenv("AUTHSCORE_DNS_ZONES") || !getenv("AUTHSCORE_DNS_NSD_CONF") ||
        !getenv("AUTHSCORE_DNS_NSD_PORT"))
        snprintf(skip, sizeof skip, "DNS fixtures unavailable: %s",
                 why ? why : "run through tests/dns/with-fixtures.sh");
    else if (access(AS_RESOLVER_DEFAULT_TRUST_ANCHOR, R_OK) != 0)
        snprintf(skip, sizeof skip, "%s missing (Debian package dns-root-data)",
                 AS_RESOLVER_DEFAULT_TRUST_ANCHOR);
    else
        skip[0] = '\0';
    return cases_main(argc, argv, skip[0] ? skip : NULL);
}
