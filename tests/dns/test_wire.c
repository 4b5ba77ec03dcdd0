/* test_wire.c - as_dns_parse_packet on hand-built packets (RFC 1035 4.1):
 * what a well-formed answer yields, and that every malformation
 * (compression loops, truncation, length overruns) is SERVFAIL, never
 * data. */
#include <criterion/criterion.h>
#include <string.h>

#include "dns/dns.h"

#define T_A 1
#define T_CNAME 5
#define T_SOA 6
#define T_PTR 12
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_RRSIG 46

typedef struct pk {
    unsigned char b[70000];
    size_t n;
} pk;

static pk P;
static as_arena A;

static void setup(void)
{
    memset(&P, 0, sizeof P);
    as_arena_init(&A, 1u << 20);
}

static void teardown(void) { as_arena_free(&A); }

TestSuite(wire, .init = setup, .fini = teardown);

static void u8(unsigned v) { P.b[P.n++] = (unsigned char)v; }
static void u16(unsigned v) { u8(v >> 8); u8(v & 0xff); }
static void u32(uint32_t v) { u16(v >> 16); u16(v & 0xffff); }
static void raw(const void *p, size_t n) { memcpy(P.b + P.n, p, n); P.n += n; }

/* Uncompressed wire name from dotted text ("" is the root). */
static void name(const char *s)
{
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        u8((unsigned)l);
        raw(s, l);
        s += l;
        if (*s == '.')
            s++;
    }
    u8(0);
}

static void ptr(unsigned off) { u16(0xC000u | off); }

static void header(unsigned rcode, unsigned qd, unsigned an, unsigned ns)
{
    u16(0x1234);
    u16(0x8180u | rcode);  /* QR RD RA */
    u16(qd);
    u16(an);
    u16(ns);
    u16(0);
}

/* Header plus one question; the question name sits at offset 12. */
static void start(unsigned rcode, unsigned an, unsigned ns, const char *q,
                  unsigned qtype)
{
    header(rcode, 1, an, ns);
    name(q);
    u16(qtype);
    u16(1);
}

/* RR header owned by the question name; returns where rdlength goes. */
static size_t rr(unsigned type, uint32_t ttl)
{
    ptr(12);
    u16(type);
    u16(1);
    u32(ttl);
    size_t mark = P.n;
    u16(0);
    return mark;
}

static void end_rr(size_t mark)
{
    size_t len = P.n - mark - 2;
    P.b[mark] = (unsigned char)(len >> 8);
    P.b[mark + 1] = (unsigned char)(len & 0xff);
}

static void txt_string(const char *s, size_t len)
{
    u8((unsigned)len);
    raw(s, len);
}

static as_dns_answer parse(unsigned qtype)
{
    as_dns_answer ans;
    memset(&ans, 0x5a, sizeof ans);
    cr_assert_eq(as_dns_parse_packet(&A, (uint16_t)qtype, P.b, P.n, &ans), 0);
    return ans;
}

static void expect_servfail(unsigned qtype)
{
    as_dns_answer ans = parse(qtype);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_SERVFAIL);
    cr_assert_eq(ans.count, 0);
}

Test(wire, a_record)
{
    start(0, 1, 0, "example.com", T_A);
    size_t m = rr(T_A, 600);
    raw("\xc0\x00\x02\x01", 4);
    end_rr(m);
    as_dns_answer ans = parse(T_A);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.ttl, 600);
    cr_assert_eq(ans.rr[0].type, T_A);
    cr_assert_arr_eq(ans.rr[0].u.a, "\xc0\x00\x02\x01", 4);
}

Test(wire, aaaa_record)
{
    static const unsigned char ip[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    start(0, 1, 0, "example.com", T_AAAA);
    size_t m = rr(T_AAAA, 60);
    raw(ip, 16);
    end_rr(m);
    as_dns_answer ans = parse(T_AAAA);
    cr_assert_eq(ans.count, 1);
    cr_assert_arr_eq(ans.rr[0].u.aaaa, ip, 16);
}

Test(wire, mx_exchange_decompressed_and_lowercased)
{
    start(0, 1, 0, "Example.COM", T_MX);
    size_t m = rr(T_MX, 300);
    u16(10);
    u8(4);
    raw("MAIL", 4);
    ptr(12);
    end_rr(m);
    as_dns_answer ans = parse(T_MX);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.rr[0].u.mx.pref, 10);
    cr_assert_str_eq(ans.rr[0].u.mx.name, "mail.example.com");
}

Test(wire, null_mx_is_the_root_name)
{
    /* RFC 7505: "0 ." */
    start(0, 1, 0, "example.com", T_MX);
    size_t m = rr(T_MX, 300);
    u16(0);
    u8(0);
    end_rr(m);
    as_dns_answer ans = parse(T_MX);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.rr[0].u.mx.pref, 0);
    cr_assert_str_eq(ans.rr[0].u.mx.name, "");
}

Test(wire, ptr_record)
{
    start(0, 1, 0, "1.2.0.192.in-addr.arpa", T_PTR);
    size_t m = rr(T_PTR, 300);
    name("Host.Example.NET");
    end_rr(m);
    as_dns_answer ans = parse(T_PTR);
    cr_assert_eq(ans.count, 1);
    cr_assert_str_eq(ans.rr[0].u.ptr.name, "host.example.net");
}

Test(wire, txt_strings_are_joined)
{
    start(0, 1, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string("v=spf1 ", 7);
    txt_string("ip4:192.0.2.0/24 ", 17);
    txt_string("-all", 4);
    end_rr(m);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.rr[0].u.txt.len, 28);
    cr_assert_str_eq(ans.rr[0].u.txt.p, "v=spf1 ip4:192.0.2.0/24 -all");
}

Test(wire, txt_of_300_bytes_in_two_strings)
{
    char want[300];
    for (size_t i = 0; i < sizeof want; i++)
        want[i] = (char)('a' + i % 26);
    start(0, 1, 0, "sel._domainkey.example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string(want, 255);
    txt_string(want + 255, 45);
    end_rr(m);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(ans.rr[0].u.txt.len, 300);
    cr_assert_arr_eq(ans.rr[0].u.txt.p, want, 300);
    cr_assert_eq(ans.rr[0].u.txt.p[300], '\0');
}

Test(wire, txt_may_hold_nul_bytes)
{
    start(0, 1, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string("a\0b", 3);
    end_rr(m);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.rr[0].u.txt.len, 3);
    cr_assert_arr_eq(ans.rr[0].u.txt.p, "a\0b", 3);
}

Test(wire, several_txt_records_stay_separate)
{
    start(0, 2, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string("one", 3);
    end_rr(m);
    m = rr(T_TXT, 200);
    txt_string("two", 3);
    end_rr(m);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.count, 2);
    cr_assert_str_eq(ans.rr[0].u.txt.p, "one");
    cr_assert_str_eq(ans.rr[1].u.txt.p, "two");
    cr_assert_eq(ans.ttl, 200, "answer TTL is the smallest record TTL");
}

Test(wire, cname_and_other_types_are_skipped)
{
    start(0, 3, 0, "alias.example.com", T_A);
    size_t m = rr(T_CNAME, 300);
    size_t target = P.n;
    name("host.example.com");
    end_rr(m);
    /* The A record is owned by the CNAME target. */
    ptr((unsigned)target);
    u16(T_A);
    u16(1);
    u32(300);
    u16(4);
    raw("\xc0\x00\x02\x07", 4);
    m = rr(T_RRSIG, 300);
    raw("whatever", 8);
    end_rr(m);
    as_dns_answer ans = parse(T_A);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(ans.count, 1);
    cr_assert_arr_eq(ans.rr[0].u.a, "\xc0\x00\x02\x07", 4);
}

Test(wire, nxdomain)
{
    start(3, 0, 0, "nx.example.com", T_TXT);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_NXDOMAIN);
    cr_assert_eq(ans.count, 0);
}

Test(wire, nodata_takes_the_soa_negative_ttl)
{
    /* RFC 2308 5: min(SOA TTL, SOA MINIMUM). */
    start(0, 0, 1, "example.com", T_TXT);
    size_t m = rr(T_SOA, 3600);
    name("ns.example.com");
    name("hostmaster.example.com");
    u32(1);
    u32(7200);
    u32(3600);
    u32(1209600);
    u32(300);
    end_rr(m);
    as_dns_answer ans = parse(T_TXT);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_NODATA);
    cr_assert_eq(ans.count, 0);
    cr_assert_eq(ans.ttl, 300);
}

Test(wire, error_rcodes_are_servfail)
{
    unsigned rcodes[] = {1, 2, 4, 5, 9};
    for (size_t i = 0; i < sizeof rcodes / sizeof *rcodes; i++) {
        P.n = 0;
        start(rcodes[i], 0, 0, "example.com", T_A);
        expect_servfail(T_A);
    }
}

Test(wire, unsupported_qtype_is_servfail)
{
    start(0, 0, 0, "example.com", 99);
    expect_servfail(99);
}

Test(wire, short_header)
{
    header(0, 0, 0, 0);
    P.n = 11;
    expect_servfail(T_A);
    as_dns_answer ans;
    cr_assert_eq(as_dns_parse_packet(&A, T_A, NULL, 0, &ans), 0);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_SERVFAIL);
}

Test(wire, truncated_question)
{
    start(0, 0, 0, "example.com", T_A);
    P.n -= 3;  /* lose part of qtype/qclass */
    expect_servfail(T_A);
}

Test(wire, compression_pointer_to_itself)
{
    header(0, 1, 0, 0);
    ptr(12);  /* question name: a pointer at 12 pointing to 12 */
    u16(T_A);
    u16(1);
    expect_servfail(T_A);
}

Test(wire, compression_loop_of_two_pointers)
{
    start(0, 1, 0, "example.com", T_MX);
    size_t m = rr(T_MX, 300);
    u16(10);
    size_t here = P.n;
    u8(1);
    raw("a", 1);
    ptr((unsigned)here + 4);  /* -> the next pointer */
    ptr((unsigned)here);      /* -> back to "a": a loop */
    end_rr(m);
    expect_servfail(T_MX);
}

Test(wire, pointer_past_the_end)
{
    start(0, 1, 0, "example.com", T_PTR);
    size_t m = rr(T_PTR, 300);
    ptr(0x3fff);
    end_rr(m);
    expect_servfail(T_PTR);
}

Test(wire, rdlength_overruns_the_packet)
{
    start(0, 1, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string("hello", 5);
    end_rr(m);
    P.b[m + 1] += 10;  /* claims 10 more bytes than there are */
    expect_servfail(T_TXT);
}

Test(wire, truncated_record_header)
{
    start(0, 1, 0, "example.com", T_A);
    ptr(12);
    u16(T_A);
    u16(1);  /* TTL and rdlength missing */
    expect_servfail(T_A);
}

Test(wire, fewer_records_than_ancount)
{
    start(0, 2, 0, "example.com", T_A);
    size_t m = rr(T_A, 300);
    raw("\x01\x02\x03\x04", 4);
    end_rr(m);
    expect_servfail(T_A);
}

Test(wire, txt_string_overruns_its_rdata)
{
    start(0, 1, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    u8(10);  /* says 10, 4 follow */
    raw("abcd", 4);
    end_rr(m);
    expect_servfail(T_TXT);
}

Test(wire, a_with_wrong_rdlength)
{
    start(0, 1, 0, "example.com", T_A);
    size_t m = rr(T_A, 300);
    raw("\x01\x02\x03\x04\x05", 5);
    end_rr(m);
    expect_servfail(T_A);
}

Test(wire, mx_name_must_fill_its_rdata)
{
    start(0, 1, 0, "example.com", T_MX);
    size_t m = rr(T_MX, 300);
    u16(10);
    name("mail.example.com");
    u8(0x55);  /* a stray byte after the name */
    end_rr(m);
    expect_servfail(T_MX);
}

Test(wire, mx_name_may_not_run_past_its_rdata)
{
    /* rdlength ends inside the exchange name: the name would borrow bytes
     * of the next record. */
    start(0, 1, 0, "example.com", T_MX);
    size_t m = rr(T_MX, 300);
    u16(10);
    name("mail.example.com");
    end_rr(m);
    P.b[m + 1] -= 3;
    expect_servfail(T_MX);
}

Test(wire, name_over_255_octets)
{
    char label[64];
    memset(label, 'x', 63);
    start(0, 1, 0, "example.com", T_PTR);
    size_t m = rr(T_PTR, 300);
    for (int i = 0; i < 4; i++) {  /* 4 * 64 + root = 257 octets */
        u8(63);
        raw(label, 63);
    }
    u8(0);
    end_rr(m);
    expect_servfail(T_PTR);
}

Test(wire, name_of_253_characters_is_kept)
{
    /* 3 labels of 63 and one of 61: 4 * 63 + 1... = 253 characters. */
    char label[64];
    memset(label, 'y', 63);
    start(0, 1, 0, "example.com", T_PTR);
    size_t m = rr(T_PTR, 300);
    for (int i = 0; i < 3; i++) {
        u8(63);
        raw(label, 63);
    }
    u8(61);
    raw(label, 61);
    u8(0);
    end_rr(m);
    as_dns_answer ans = parse(T_PTR);
    cr_assert_eq(ans.count, 1);
    cr_assert_eq(strlen(ans.rr[0].u.ptr.name), 253);
}

Test(wire, label_holding_a_dot_is_rejected)
{
    start(0, 1, 0, "example.com", T_PTR);
    size_t m = rr(T_PTR, 300);
    u8(3);
    raw("a.b", 3);
    u8(0);
    end_rr(m);
    expect_servfail(T_PTR);
}

Test(wire, extended_label_type_is_rejected)
{
    start(0, 1, 0, "example.com", T_PTR);
    size_t m = rr(T_PTR, 300);
    u8(0x41);
    u8(0);
    end_rr(m);
    expect_servfail(T_PTR);
}

Test(wire, ttl_with_top_bit_is_zero)
{
    /* RFC 2181 8 */
    start(0, 1, 0, "example.com", T_A);
    size_t m = rr(T_A, 0x80000010u);
    raw("\x01\x02\x03\x04", 4);
    end_rr(m);
    as_dns_answer ans = parse(T_A);
    cr_assert_eq(ans.rr[0].ttl, 0);
    cr_assert_eq(ans.ttl, 0);
}

Test(wire, records_are_capped)
{
    unsigned n = AS_DNS_MAX_RECORDS + 44;
    start(0, n, 0, "example.com", T_A);
    for (unsigned i = 0; i < n; i++) {
        size_t m = rr(T_A, 300);
        u8(10);
        u8(0);
        u8(i >> 8);
        u8(i & 0xff);
        end_rr(m);
    }
    as_dns_answer ans = parse(T_A);
    cr_assert_eq(ans.status, AUTHSCORE_DNS_OK);
    cr_assert_eq(ans.count, AS_DNS_MAX_RECORDS);
    cr_assert_eq(ans.rr[AS_DNS_MAX_RECORDS - 1].u.a[3],
                 (AS_DNS_MAX_RECORDS - 1) & 0xff);
}

Test(wire, arena_exhaustion_is_enomem)
{
    as_arena small;
    as_arena_init(&small, 64);
    char big[255];
    memset(big, 'k', sizeof big);
    start(0, 1, 0, "example.com", T_TXT);
    size_t m = rr(T_TXT, 300);
    txt_string(big, 255);
    txt_string(big, 255);
    end_rr(m);
    as_dns_answer ans;
    cr_assert_eq(as_dns_parse_packet(&small, T_TXT, P.b, P.n, &ans),
                 AUTHSCORE_ENOMEM);
    as_arena_free(&small);
}

Test(wire, every_prefix_of_a_good_packet_is_safe)
{
    /* Truncation anywhere: never data from beyond the cut. */
    start(0, 2, 0, "example.com", T_MX);
    size_t m = rr(T_MX, 300);
    u16(5);
    u8(2);
    raw("mx", 2);
    ptr(12);
    end_rr(m);
    m = rr(T_MX, 300);
    u16(7);
    name("other.example.net");
    end_rr(m);
    size_t full = P.n;
    for (size_t cut = 0; cut < full; cut++) {
        as_dns_answer ans;
        cr_assert_eq(as_dns_parse_packet(&A, T_MX, P.b, cut, &ans), 0);
        cr_assert_eq(ans.status, AUTHSCORE_DNS_SERVFAIL, "cut at %zu", cut);
    }
    as_dns_answer ans = parse(T_MX);
    cr_assert_eq(ans.count, 2);
    cr_assert_str_eq(ans.rr[0].u.mx.name, "mx.example.com");
    cr_assert_str_eq(ans.rr[1].u.mx.name, "other.example.net");
}
