/* test_cache.c - the DNS answer cache (module/dns/cache.c, docs/dns.md
 * "Answer cache") on a fake clock: hits and misses, expiry at min(TTL,
 * cap), negative answers with the RFC 2308 5 TTL of a real packet's SOA,
 * bogus and indeterminate kept only briefly, SERVFAIL / TIMEOUT and
 * faults never kept, LRU eviction under the memory cap, the arena copy
 * failing, the question table answering hits without handing them out,
 * and several threads on one cache. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dns/cache.h"
#include "dns/qtab.h"

static int64_t fake_now;
static int64_t fake_clock(void *user)
{
    (void)user;
    return __atomic_load_n(&fake_now, __ATOMIC_RELAXED);
}

static as_arena A;
static as_dns_cache *C;

static as_dns_cache *make(size_t bytes, uint32_t max_ttl, uint32_t short_ttl)
{
    as_dns_cache_config cfg = {.max_bytes = bytes, .max_ttl = max_ttl, .short_ttl = short_ttl, .clock = fake_clock};
    as_dns_cache *c = NULL;
    cr_assert_eq(as_dns_cache_new(&cfg, &c), 0);
    cr_assert_not_null(c);
    return c;
}

static void setup(void)
{
    fake_now = 1000000;
    as_arena_init(&A, 1u << 20);
    C = make(1u << 20, 3600, 5);
}

static void teardown(void)
{
    as_dns_cache_free(C);
    C = NULL;
    as_arena_free(&A);
}

TestSuite(cache, .init = setup, .fini = teardown);

static as_dns_rr txt_rr(const char *s, uint32_t ttl)
{
    as_dns_rr r;
    memset(&r, 0, sizeof r);
    r.type = AUTHSCORE_QTYPE_TXT;
    r.ttl = ttl;
    r.u.txt.p = s;
    r.u.txt.len = strlen(s);
    return r;
}

static as_dns_answer answer(int status, int dnssec, uint32_t ttl, const as_dns_rr *rr,
                            size_t n)
{
    as_dns_answer a = as_dns_answer_status(status, dnssec);
    a.ttl = ttl;
    a.rr = rr;
    a.count = n;
    return a;
}

static int put(const char *name, uint16_t qtype, const as_dns_answer *a)
{
    return as_dns_cache_put(C, name, strlen(name), qtype, a);
}

static int get(const char *name, uint16_t qtype, as_dns_answer *out)
{
    return as_dns_cache_get(C, name, strlen(name), qtype, &A, out);
}

static as_dns_cache_stats stats(void)
{
    as_dns_cache_stats st;
    as_dns_cache_stats_get(C, &st);
    return st;
}

Test(cache, hit_returns_a_copy_with_every_field)
{
    char text[] = "v=spf1 -all";
    as_dns_rr rr[2] = {txt_rr(text, 600), txt_rr("second", 700)};
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, rr, 2);
    as_dns_answer got;
    cr_assert_eq(get("example.test", AUTHSCORE_QTYPE_TXT, &got), 0, "empty cache: miss");
    cr_assert_eq(put("example.test", AUTHSCORE_QTYPE_TXT, &a), 1);
    text[0] = 'X'; /* the cache holds its own copy */
    cr_assert_eq(get("example.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    cr_assert_eq(got.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(got.dnssec, AUTHSCORE_DNSSEC_SECURE);
    cr_assert_eq(got.count, 2);
    cr_assert_eq(got.ttl, 600);
    cr_assert_str_eq(got.rr[0].u.txt.p, "v=spf1 -all");
    cr_assert_eq(got.rr[0].u.txt.len, 11);
    cr_assert_str_eq(got.rr[1].u.txt.p, "second");
    cr_assert_null(got.why_bogus);
    /* Another type or name is another question. */
    cr_assert_eq(get("example.test", AUTHSCORE_QTYPE_A, &got), 0);
    cr_assert_eq(get("other.test", AUTHSCORE_QTYPE_TXT, &got), 0);
    as_dns_cache_stats st = stats();
    cr_assert_eq(st.hits, 1);
    cr_assert_eq(st.misses, 3);
    cr_assert_eq(st.entries, 1);
    cr_assert_eq(st.inserts, 1);
}

Test(cache, mx_and_ptr_names_and_addresses_survive)
{
    as_dns_rr mx[2];
    memset(mx, 0, sizeof mx);
    mx[0].type = mx[1].type = AUTHSCORE_QTYPE_MX;
    mx[0].u.mx.pref = 10;
    mx[0].u.mx.name = "mail.example.test";
    mx[1].u.mx.pref = 20;
    mx[1].u.mx.name = "";  /* null MX (RFC 7505) */
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INSECURE, 60, mx, 2);
    cr_assert_eq(put("example.test", AUTHSCORE_QTYPE_MX, &a), 1);
    as_dns_rr v4;
    memset(&v4, 0, sizeof v4);
    v4.type = AUTHSCORE_QTYPE_A;
    memcpy(v4.u.a, "\xc0\x00\x02\x0a", 4);
    as_dns_answer b = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INSECURE, 60, &v4, 1);
    cr_assert_eq(put("example.test", AUTHSCORE_QTYPE_A, &b), 1);
    as_dns_answer got;
    cr_assert_eq(get("example.test", AUTHSCORE_QTYPE_MX, &got), 1);
    cr_assert_eq(got.rr[0].u.mx.pref, 10);
    cr_assert_str_eq(got.rr[0].u.mx.name, "mail.example.test");
    cr_assert_str_eq(got.rr[1].u.mx.name, "");
    cr_assert_eq(get("example.test", AUTHSCORE_QTYPE_A, &got), 1);
    cr_assert_eq(memcmp(got.rr[0].u.a, "\xc0\x00\x02\x0a", 4), 0);
}

Test(cache, expires_at_the_ttl_and_reports_what_is_left)
{
    as_dns_rr rr = txt_rr("x", 10);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 10, &rr, 1);
    cr_assert_eq(put("t.test", AUTHSCORE_QTYPE_TXT, &a), 1);
    as_dns_answer got;
    fake_now += 4000;
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    cr_assert_eq(got.ttl, 6, "the TTL left, not the TTL stored");
    cr_assert_eq(got.rr[0].ttl, 6);
    fake_now += 5999;
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 1, "1 ms before expiry");
    fake_now += 1;
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 0, "expired at TTL");
    as_dns_cache_stats st = stats();
    cr_assert_eq(st.expired, 1);
    cr_assert_eq(st.entries, 0, "an expired entry is dropped when found");
}

Test(cache, max_ttl_caps_a_long_ttl)
{
    as_dns_cache_free(C);
    C = make(1u << 20, 60, 5);
    as_dns_rr rr = txt_rr("x", 86400);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 86400, &rr, 1);
    cr_assert_eq(as_dns_cache_lifetime(C, &a), 60);
    cr_assert_eq(put("t.test", AUTHSCORE_QTYPE_TXT, &a), 1);
    as_dns_answer got;
    fake_now += 59999;
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    cr_assert_leq(got.ttl, 60);
    fake_now += 1;
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 0, "kept min(TTL, cap)");
}

/* A response packet for TXT `nope.test`, NXDOMAIN or NODATA, with (or
 * without) an SOA in the authority section: TTL 3600, MINIMUM 300. */
static size_t negative_packet(unsigned char *b, int rcode, int with_soa)
{
    static const unsigned char qname[] = "\4nope\4test";
    size_t n = 0;
    unsigned char hdr[12] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
    hdr[3] = (unsigned char)(0x80 | rcode);
    hdr[9] = with_soa ? 1 : 0;
    memcpy(b, hdr, 12);
    n = 12;
    memcpy(b + n, qname, sizeof qname); /* with the root label's 0 */
    n += sizeof qname;
    b[n++] = 0; b[n++] = 16; b[n++] = 0; b[n++] = 1;
    if (!with_soa)
        return n;
    /* test. SOA ns1.test. host.test. 1 7200 3600 1209600 300, TTL 3600 */
    b[n++] = 0xc0; b[n++] = 17; /* "test" inside the question name */
    b[n++] = 0; b[n++] = 6; b[n++] = 0; b[n++] = 1;
    b[n++] = 0; b[n++] = 0; b[n++] = 0x0e; b[n++] = 0x10;
    size_t rdlen_at = n;
    n += 2;
    static const unsigned char mname[] = "\3ns1\xc0\x11", rname[] = "\4host\xc0\x11";
    memcpy(b + n, mname, sizeof mname - 1);
    n += sizeof mname - 1;
    memcpy(b + n, rname, sizeof rname - 1);
    n += sizeof rname - 1;
    static const uint32_t nums[5] = {1, 7200, 3600, 1209600, 300};
    for (int i = 0; i < 5; i++) {
        b[n++] = (unsigned char)(nums[i] >> 24);
        b[n++] = (unsigned char)(nums[i] >> 16);
        b[n++] = (unsigned char)(nums[i] >> 8);
        b[n++] = (unsigned char)nums[i];
    }
    size_t rdlen = n - rdlen_at - 2;
    b[rdlen_at] = (unsigned char)(rdlen >> 8);
    b[rdlen_at + 1] = (unsigned char)rdlen;
    return n;
}

Test(cache, negative_answers_live_for_the_rfc2308_soa_ttl)
{
    unsigned char pkt[512];
    as_dns_answer a, got;
    for (int rcode = 0; rcode <= 3; rcode += 3) {
        size_t n = negative_packet(pkt, rcode, 1);
        cr_assert_eq(as_dns_parse_packet(&A, AUTHSCORE_QTYPE_TXT, pkt, n, &a), 0);
        cr_assert_eq(a.status, rcode ? AUTHSCORE_DNS_NXDOMAIN : AUTHSCORE_DNS_NODATA);
        cr_assert_eq(a.ttl, 300, "RFC 2308 5: min(SOA TTL 3600, MINIMUM 300)");
        a.dnssec = AUTHSCORE_DNSSEC_SECURE;
        as_dns_cache_clear(C);
        cr_assert_eq(put("nope.test", AUTHSCORE_QTYPE_TXT, &a), 1);
        int64_t t0 = fake_now;
        fake_now = t0 + 299999;
        cr_assert_eq(get("nope.test", AUTHSCORE_QTYPE_TXT, &got), 1);
        cr_assert_eq(got.status, a.status);
        cr_assert_eq(got.count, 0);
        fake_now = t0 + 300000;
        cr_assert_eq(get("nope.test", AUTHSCORE_QTYPE_TXT, &got), 0);
    }
    /* RFC 2308 5: a negative answer without SOA is not cached. */
    size_t n = negative_packet(pkt, 3, 0);
    cr_assert_eq(as_dns_parse_packet(&A, AUTHSCORE_QTYPE_TXT, pkt, n, &a), 0);
    cr_assert_eq(a.status, AUTHSCORE_DNS_NXDOMAIN);
    a.dnssec = AUTHSCORE_DNSSEC_SECURE;
    cr_assert_eq(put("nope.test", AUTHSCORE_QTYPE_TXT, &a), 0);
    cr_assert_eq(get("nope.test", AUTHSCORE_QTYPE_TXT, &got), 0);
}

Test(cache, bogus_and_indeterminate_are_kept_only_briefly)
{
    as_dns_rr rr = txt_rr("tampered", 3600);
    as_dns_answer bogus = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_BOGUS, 3600, &rr, 1);
    bogus.why_bogus = "signature mismatch";
    as_dns_answer indet = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_INDETERMINATE, 3600, &rr, 1);
    cr_assert_eq(as_dns_cache_lifetime(C, &bogus), 5);
    cr_assert_eq(as_dns_cache_lifetime(C, &indet), 5);
    cr_assert_eq(put("bogus.test", AUTHSCORE_QTYPE_TXT, &bogus), 1);
    cr_assert_eq(put("indet.test", AUTHSCORE_QTYPE_TXT, &indet), 1);
    as_dns_answer got;
    fake_now += 4999;
    cr_assert_eq(get("bogus.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    cr_assert_eq(got.dnssec, AUTHSCORE_DNSSEC_BOGUS);
    cr_assert_str_eq(got.why_bogus, "signature mismatch");
    cr_assert_eq(got.count, 0, "a bogus answer's records are never kept");
    cr_assert_eq(get("indet.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    fake_now += 1;
    cr_assert_eq(get("bogus.test", AUTHSCORE_QTYPE_TXT, &got), 0);
    cr_assert_eq(get("indet.test", AUTHSCORE_QTYPE_TXT, &got), 0);
    /* dns.cache_bogus_ttl=0: not kept at all. */
    as_dns_cache_free(C);
    C = make(1u << 20, 3600, 0);
    cr_assert_eq(put("bogus.test", AUTHSCORE_QTYPE_TXT, &bogus), 0);
    cr_assert_eq(get("bogus.test", AUTHSCORE_QTYPE_TXT, &got), 0);
}

Test(cache, failures_and_ttl_zero_are_never_kept)
{
    as_dns_answer got;
    int st[] = {AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNS_TIMEOUT};
    for (int i = 0; i < 2; i++) {
        as_dns_answer a = answer(st[i], AUTHSCORE_DNSSEC_INDETERMINATE, 3600, NULL, 0);
        cr_assert_eq(as_dns_cache_lifetime(C, &a), 0);
        cr_assert_eq(put("f.test", AUTHSCORE_QTYPE_TXT, &a), 0);
        a.dnssec = AUTHSCORE_DNSSEC_SECURE;
        cr_assert_eq(put("f.test", AUTHSCORE_QTYPE_TXT, &a), 0);
    }
    as_dns_rr rr = txt_rr("x", 0);
    as_dns_answer zero = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 0, &rr, 1);
    cr_assert_eq(put("f.test", AUTHSCORE_QTYPE_TXT, &zero), 0);
    cr_assert_eq(get("f.test", AUTHSCORE_QTYPE_TXT, &got), 0);
    cr_assert_eq(stats().inserts, 0);
}

Test(cache, a_newer_answer_replaces_the_older)
{
    as_dns_rr r1 = txt_rr("old", 60), r2 = txt_rr("new", 60);
    as_dns_answer a1 = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &r1, 1);
    as_dns_answer a2 = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &r2, 1);
    cr_assert_eq(put("r.test", AUTHSCORE_QTYPE_TXT, &a1), 1);
    cr_assert_eq(put("r.test", AUTHSCORE_QTYPE_TXT, &a2), 1);
    as_dns_answer got;
    cr_assert_eq(get("r.test", AUTHSCORE_QTYPE_TXT, &got), 1);
    cr_assert_str_eq(got.rr[0].u.txt.p, "new");
    cr_assert_eq(stats().entries, 1);
}

/* Names n0.test, n1.test, ... each with a 100-byte TXT record. */
static void put_n(int i)
{
    char name[32], text[101];
    snprintf(name, sizeof name, "n%d.test", i);
    memset(text, 'a' + i % 26, 100);
    text[100] = '\0';
    as_dns_rr rr = txt_rr(text, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &rr, 1);
    cr_assert_eq(put(name, AUTHSCORE_QTYPE_TXT, &a), 1, "%s", name);
}

static int has_n(int i)
{
    char name[32];
    as_dns_answer got;
    snprintf(name, sizeof name, "n%d.test", i);
    return get(name, AUTHSCORE_QTYPE_TXT, &got);
}

Test(cache, least_recently_used_goes_first_and_the_cap_holds)
{
    const size_t cap = 16384;
    as_dns_cache_free(C);
    C = make(cap, 3600, 5);
    put_n(0);
    put_n(1);
    for (int i = 2; i < 200; i++) {
        cr_assert_eq(has_n(0), 1, "n0 was used last, so it stays (round %d)", i);
        put_n(i);
        cr_assert_leq(stats().bytes, cap, "the memory cap holds");
    }
    cr_assert_eq(has_n(1), 0, "n1, never used again, was evicted");
    cr_assert_eq(has_n(199), 1);
    as_dns_cache_stats st = stats();
    cr_assert_gt(st.evictions, 100);
    cr_assert_lt(st.entries, 200);
}

Test(cache, the_table_grows_and_keeps_every_entry)
{
    as_dns_cache_stats st0 = stats();
    for (int i = 0; i < 2000; i++)
        put_n(i);
    for (int i = 0; i < 2000; i++)
        cr_assert_eq(has_n(i), 1, "n%d.test lost when the table grew", i);
    as_dns_cache_stats st = stats();
    cr_assert_eq(st.entries, 2000);
    cr_assert_eq(st.evictions, 0);
    cr_assert_gt(st.bytes, st0.bytes + 2000 * 100, "entries and the grown table count");
    cr_assert_leq(st.bytes, 1u << 20);
}

Test(cache, one_answer_never_takes_more_than_its_share)
{
    as_dns_cache_free(C);
    C = make(16384, 3600, 5);
    static char big[2048];
    memset(big, 'b', sizeof big - 1);
    as_dns_rr rr = txt_rr(big, 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &rr, 1);
    cr_assert_eq(put("big.test", AUTHSCORE_QTYPE_TXT, &a), 0, "over 1/16 of the cache");
    cr_assert_eq(stats().entries, 0);
}

Test(cache, the_size_is_checked)
{
    as_dns_cache_config cfg = {.max_bytes = AS_DNS_CACHE_MAX_BYTES + 1u, .max_ttl = 60, .short_ttl = 5, .clock = fake_clock};
    as_dns_cache *c = (as_dns_cache *)1;
    cr_assert_eq(as_dns_cache_new(&cfg, &c), AUTHSCORE_EINVAL);
    cr_assert_null(c);
    cfg.max_bytes = 0;
    cr_assert_eq(as_dns_cache_new(&cfg, &c), 0);
    cr_assert_null(c, "size 0: no cache");
    as_dns_answer got;
    cr_assert_eq(as_dns_cache_get(NULL, "a.test", 6, 16, &A, &got), 0);
}

Test(cache, a_copy_that_does_not_fit_the_message_is_its_fault_only)
{
    as_dns_rr rr = txt_rr("a record of some length for the arena", 600);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 600, &rr, 1);
    cr_assert_eq(put("t.test", AUTHSCORE_QTYPE_TXT, &a), 1);
    as_arena tiny;
    as_arena_init(&tiny, 16);
    as_dns_answer got;
    cr_assert_eq(as_dns_cache_get(C, "t.test", 6, AUTHSCORE_QTYPE_TXT, &tiny, &got),
                 AUTHSCORE_ELIMIT);
    as_arena_free(&tiny);
    cr_assert_eq(get("t.test", AUTHSCORE_QTYPE_TXT, &got), 1, "the entry is intact");
    cr_assert_str_eq(got.rr[0].u.txt.p, "a record of some length for the arena");
}

/* ---- through the question table ---- */

typedef struct seen {
    int n;
    as_dns_answer last;
} seen;

static void on_answer(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    (void)cookie;
    seen *s = engine;
    s->n++;
    s->last = *a;
}

Test(cache, the_table_answers_hits_itself_and_feeds_answers_not_faults)
{
    as_qtab *t = as_qtab_new(&A, 0);
    as_qtab_set_cache(t, C);
    seen s = {0};
    uint32_t id;
    const char *name;
    uint16_t qt;
    /* Miss: handed out, answered, stored. */
    cr_assert_eq(as_qtab_ask(t, "Example.TEST.", 13, AUTHSCORE_QTYPE_TXT, on_answer, &s, 0), 0);
    cr_assert_eq(as_qtab_next_unsent(t, &id, &name, &qt), 1);
    as_dns_rr rr = txt_rr("v=spf1 -all", 300);
    as_dns_answer a = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 300, &rr, 1);
    cr_assert_eq(as_qtab_answer(t, id, &a), 0);
    cr_assert_eq(s.n, 1);
    /* A fault's answer goes to its asker only. */
    cr_assert_eq(as_qtab_ask(t, "fault.test", 10, AUTHSCORE_QTYPE_TXT, on_answer, &s, 0), 0);
    cr_assert_eq(as_qtab_next_unsent(t, &id, &name, &qt), 1);
    as_dns_answer f = answer(AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_SECURE, 300, NULL, 0);
    cr_assert_eq(as_qtab_fail(t, id, &f), 0);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(as_qtab_cache_misses(t), 2);
    cr_assert_eq(as_qtab_cache_hits(t), 0);

    /* A second message: the hit is never handed out, and is delivered on
     * the next flush, not inside ask. */
    as_qtab *t2 = as_qtab_new(&A, 0);
    as_qtab_set_cache(t2, C);
    seen s2 = {0};
    cr_assert_eq(as_qtab_ask(t2, "example.test", 12, AUTHSCORE_QTYPE_TXT, on_answer, &s2, 0), 0);
    cr_assert_eq(s2.n, 0, "no callback from inside ask");
    cr_assert_eq(as_qtab_next_unsent(t2, &id, &name, &qt), 0, "a hit is never handed out");
    cr_assert_eq(s2.n, 1);
    cr_assert_str_eq(s2.last.rr[0].u.txt.p, "v=spf1 -all");
    cr_assert_eq(as_qtab_rounds(t2), 1, "rounds stay the chain length");
    cr_assert_eq(as_qtab_ask(t2, "fault.test", 10, AUTHSCORE_QTYPE_TXT, on_answer, &s2, 0), 0);
    cr_assert_eq(as_qtab_next_unsent(t2, &id, &name, &qt), 1, "the fault was not stored");
    cr_assert_eq(as_qtab_cache_hits(t2), 1);
    cr_assert_eq(as_qtab_cache_misses(t2), 1);
    /* The deadline's TIMEOUT is not stored either. */
    as_qtab_expire(t2);
    as_dns_answer got;
    cr_assert_eq(get("fault.test", AUTHSCORE_QTYPE_TXT, &got), 0);
}

/* ---- two threads (and more) on one cache ---- */

#define THREADS 4
#define ROUNDS 20000

typedef struct worker {
    pthread_t t;
    int index;
    unsigned long lookups, bad;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    as_arena a;
    as_arena_init(&a, 1u << 24);
    char name[32], text[64];
    for (int i = 0; i < ROUNDS; i++) {
        int k = (i * 7 + w->index) % 300;
        snprintf(name, sizeof name, "h%d.test", k);
        snprintf(text, sizeof text, "value of %d", k);
        as_dns_answer got;
        int rc = as_dns_cache_get(C, name, strlen(name), AUTHSCORE_QTYPE_TXT, &a, &got);
        w->lookups++;
        if (rc == 1 && (got.count != 1 || strcmp(got.rr[0].u.txt.p, text) != 0))
            w->bad++;
        if (rc == 0) {
            as_dns_rr rr = txt_rr(text, 60);
            as_dns_answer an = answer(AUTHSCORE_DNS_OK, AUTHSCORE_DNSSEC_SECURE, 60, &rr, 1);
            as_dns_cache_put(C, name, strlen(name), AUTHSCORE_QTYPE_TXT, &an);
        }
        if (i % 1000 == 999) {
            as_arena_free(&a);
            as_arena_init(&a, 1u << 24);
            __atomic_add_fetch(&fake_now, 7000, __ATOMIC_RELAXED); /* some expire */
        }
    }
    as_arena_free(&a);
    return NULL;
}

Test(cache, threads_share_one_cache)
{
    as_dns_cache_free(C);
    C = make(32768, 60, 5); /* small: evictions and expiry race with hits */
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){.index = i};
        cr_assert_eq(pthread_create(&w[i].t, NULL, hammer, &w[i]), 0);
    }
    unsigned long lookups = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(w[i].t, NULL);
        cr_assert_eq(w[i].bad, 0, "thread %d read a wrong answer", i);
        lookups += w[i].lookups;
    }
    as_dns_cache_stats st = stats();
    cr_assert_eq(st.hits + st.misses, lookups, "every lookup counted once");
    cr_assert_gt(st.hits, 0);
    cr_assert_gt(st.evictions + st.expired, 0);
    cr_assert_leq(st.bytes, 32768);
}
