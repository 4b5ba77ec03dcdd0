/* Unit tests: spf_ip (address parsing, CIDR matching, text forms). */
#include <criterion/criterion.h>
#include <string.h>

#include "spf/spf_ip.h"

static int p4(const char *s, unsigned char *o) { return as_spf_ip4_parse(s, strlen(s), o); }
static int p6(const char *s, unsigned char *o) { return as_spf_ip6_parse(s, strlen(s), o); }

Test(spf_ip, ipv4_qnum_rules)
{
    unsigned char b[4];
    cr_assert_eq(p4("192.0.2.1", b), 0);
    cr_assert(b[0] == 192 && b[1] == 0 && b[2] == 2 && b[3] == 1);
    cr_assert_eq(p4("0.0.0.0", b), 0);
    cr_assert_eq(p4("255.255.255.255", b), 0);
    /* RFC 7208 5.6 qnum: no leading zeros, at most 255, four parts */
    cr_assert_eq(p4("1.2.03.4", b), -1);
    cr_assert_eq(p4("1.2.3.256", b), -1);
    cr_assert_eq(p4("1.2.3", b), -1);
    cr_assert_eq(p4("1.2.3.4.5", b), -1);
    cr_assert_eq(p4("1.2.3.4 ", b), -1);
    cr_assert_eq(p4("1..3.4", b), -1);
    cr_assert_eq(p4("", b), -1);
    /* length-bounded: bytes after len are never read */
    cr_assert_eq(as_spf_ip4_parse("1.2.3.4xyz", 7, b), 0);
}

Test(spf_ip, ipv6_forms)
{
    unsigned char b[16];
    static const unsigned char one[16] = {[15] = 1};
    cr_assert_eq(p6("::1", b), 0);
    cr_assert_eq(memcmp(b, one, 16), 0);
    cr_assert_eq(p6("::", b), 0);
    cr_assert_eq(p6("2001:db8::", b), 0);
    cr_assert(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 && b[15] == 0);
    cr_assert_eq(p6("1:2:3:4:5:6:7:8", b), 0);
    cr_assert_eq(b[15], 8);
    cr_assert_eq(p6("CAFE:BABE::192.168.218.40", b), 0);
    cr_assert(b[12] == 192 && b[15] == 40 && b[0] == 0xca);
    cr_assert_eq(p6("::ffff:1.2.3.4", b), 0);
    cr_assert_eq(p6("1:2:3:4:5:6:7:8:9", b), -1);
    cr_assert_eq(p6("1:2:3:4:5:6:7", b), -1);
    cr_assert_eq(p6("1::2::3", b), -1);
    cr_assert_eq(p6(":::", b), -1);
    cr_assert_eq(p6("1:", b), -1);
    cr_assert_eq(p6(":1", b), -1);
    cr_assert_eq(p6("12345::", b), -1);
    cr_assert_eq(p6("1:2:3:4:5:6:7::8", b), -1, "'::' must stand for a group");
    cr_assert_eq(p6("2001:db8:ZZZZ::", b), -1);
    cr_assert_eq(p6("1:2:3:4:5:6:7:1.2.3.4", b), -1);
}

Test(spf_ip, mapped_client_is_ipv4)
{
    as_spf_ip ip;
    cr_assert_eq(as_spf_ip_parse("::ffff:192.0.2.7", 16, &ip), 0);
    cr_assert_eq(ip.v6, 0);
    cr_assert(ip.b[0] == 192 && ip.b[3] == 7);
    cr_assert_eq(as_spf_ip_parse("::FFFF:c000:0207", 16, &ip), 0);
    cr_assert_eq(ip.v6, 0);
    cr_assert_eq(as_spf_ip_parse("2001:db8::1", 11, &ip), 0);
    cr_assert_eq(ip.v6, 1);
    cr_assert_eq(as_spf_ip_parse("example.com", 11, &ip), -1);
}

Test(spf_ip, cidr_match)
{
    as_spf_ip ip;
    unsigned char net[16];
    as_spf_ip_parse("192.0.2.130", 11, &ip);
    p4("192.0.2.128", net);
    cr_assert(as_spf_ip_match(&ip, net, 0, 25));
    cr_assert(!as_spf_ip_match(&ip, net, 0, 32));
    p4("192.0.2.0", net);
    cr_assert(!as_spf_ip_match(&ip, net, 0, 25));
    cr_assert(as_spf_ip_match(&ip, net, 0, 24));
    p4("10.0.0.0", net);
    cr_assert(as_spf_ip_match(&ip, net, 0, 0), "/0 matches every IPv4");
    cr_assert(!as_spf_ip_match(&ip, net, 1, 0), "family mismatch never matches");
    as_spf_ip_parse("2001:db8::cb01", 14, &ip);
    p6("2001:db8::", net);
    cr_assert(as_spf_ip_match(&ip, net, 1, 64));
    cr_assert(!as_spf_ip_match(&ip, net, 1, 128));
    cr_assert(as_spf_ip_match(&ip, net, 1, 112));
    cr_assert(!as_spf_ip_match(&ip, net, 0, 0));
}

Test(spf_ip, text_forms)
{
    as_spf_ip ip;
    char out[AS_SPF_IP_TEXT_MAX + 16];
    as_spf_ip_parse("2001:0DB8:0:0:0:0:0:CB01", 24, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "2001:db8::cb01");
    as_spf_ip_nibbles(&ip, out);
    cr_assert_str_eq(out, "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1");
    as_spf_ip_reverse_name(&ip, out);
    cr_assert_str_eq(out, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    /* RFC 5952 4.2.2: a single zero group is not compressed */
    as_spf_ip_parse("2001:db8:0:1:1:1:1:1", 20, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "2001:db8:0:1:1:1:1:1");
    /* 4.2.3: the longest run, the first on a tie */
    as_spf_ip_parse("2001:0:0:1:0:0:0:1", 18, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "2001:0:0:1::1");
    as_spf_ip_parse("2001:db8:0:0:1:0:0:1", 20, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "2001:db8::1:0:0:1");
    as_spf_ip_parse("::", 2, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "::");
    as_spf_ip_parse("192.0.2.3", 9, &ip);
    as_spf_ip_format(&ip, out);
    cr_assert_str_eq(out, "192.0.2.3");
    as_spf_ip_reverse_name(&ip, out);
    cr_assert_str_eq(out, "3.2.0.192.in-addr.arpa");
}
