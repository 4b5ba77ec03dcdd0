/* test_cache_api.c - the context's DNS answer cache through the public
 * API, on both paths:
 *   libunbound  the zones of tests/dns signed at test time and served
 *               serverless (with-fixtures.sh): the second message on a
 *               context is answered from the cache and libunbound is not
 *               asked again (its query count stays), with the same
 *               verdicts, except for the one SERVFAIL of the fixture
 *               (_dmarc.test: no server for test.), which is never kept;
 *               bogus answers follow dns.cache_bogus_ttl;
 *   sans-I/O    a host answering with TTLs: a cached question is never
 *               handed out again; TTL 0, SERVFAIL and the deadline's
 *               TIMEOUT are not kept; dns.cache_size=0 keeps nothing.
 * Without the fixtures (ldnsutils) the libunbound cases are SKIP. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* SPF passes for 192.0.2.1 (ip4:192.0.2.0/24) and DMARC aligns on it. */
static const char MSG[] =
    "From: Alice <alice@example.test>\r\n"
    "To: bob@receiver.test\r\n"
    "Subject: cache\r\n"
    "Message-ID: <1@example.test>\r\n"
    "Date: Mon, 7 Dec 2026 01:00:00 +0000\r\n"
    "\r\n"
    "Hello.\r\n";

static void need_zones(void)
{
    if (!getenv("AUTHSCORE_DNS_ZONES"))
        cr_skip_test("%s", getenv("AUTHSCORE_DNS_SKIP") ? getenv("AUTHSCORE_DNS_SKIP")
                                                        : "no DNS fixtures");
}

static authscore_ctx *unbound_ctx(const char *opt, const char *val)
{
    char conf[4096];
    snprintf(conf, sizeof conf, "%s/unbound-serverless.conf", getenv("AUTHSCORE_DNS_ZONES"));
    authscore_ctx *c;
    cr_assert_eq(authscore_ctx_new(&c), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.config", conf), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.trust_anchor", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "authserv_id", "mx.receiver.test"), 0);
    if (opt)
        cr_assert_eq(authscore_ctx_set_option(c, opt, val), 0);
    cr_assert_eq(authscore_ctx_finalize(c), 0, "%s", authscore_ctx_error(c));
    return c;
}

static authscore_msg *check(const authscore_ctx *c, const char *mail_from)
{
    authscore_msg *m;
    cr_assert_eq(authscore_check(c, "192.0.2.1", "mail.example.test", mail_from, MSG,
                                 sizeof MSG - 1, &m), 0);
    return m;
}

Test(cache_api, second_message_is_answered_from_the_cache_without_libunbound)
{
    need_zones();
    authscore_ctx *c = unbound_ctx(NULL, NULL);
    authscore_msg *m1 = check(c, "alice@example.test");
    int q = authscore_msg_dns_queries(m1);
    cr_assert_gt(q, 0);
    cr_assert_eq(authscore_msg_dns_cache_hits(m1), 0, "a cold cache has nothing");
    cr_assert_eq(authscore_msg_dns_cache_misses(m1), q);
    unsigned long asked = as_resolver_queries(c->resolver);
    cr_assert_eq(asked, (unsigned long)q, "every miss went to libunbound");
    cr_assert_eq(authscore_spf_result(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    cr_assert_eq(authscore_dmarc_result(m1), AUTHSCORE_RES_PASS);

    authscore_msg *m2 = check(c, "alice@example.test");
    cr_assert_eq(authscore_msg_dns_queries(m2), q);
    cr_assert_eq(authscore_msg_dns_cache_hits(m2), q - 1, "every answer a hit");
    cr_assert_eq(authscore_msg_dns_cache_misses(m2), 1, "but the SERVFAIL");
    cr_assert_eq(as_resolver_queries(c->resolver), asked + 1,
                 "libunbound was asked the SERVFAIL's question only");
    int servfail_asked = 0;
    for (uint32_t i = 0; i < (uint32_t)q; i++) {
        const char *name;
        uint16_t qtype;
        cr_assert_eq(as_qtab_question(m2->q, i, &name, &qtype), 0);
        if (!strcmp(name, "_dmarc.test"))
            servfail_asked = 1;
    }
    cr_assert(servfail_asked);
    cr_assert_eq(authscore_spf_result(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    cr_assert_eq(authscore_spf_dnssec(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_DNSSEC_SECURE,
                 "the DNSSEC state is kept with the answer");
    cr_assert_eq(authscore_dmarc_result(m2), AUTHSCORE_RES_PASS);
    cr_assert_eq(authscore_dmarc_policy(m2), authscore_dmarc_policy(m1));
    cr_assert_str_eq(authscore_ar_header(m2), authscore_ar_header(m1));
    cr_assert_eq(authscore_msg_dns_rounds(m2), authscore_msg_dns_rounds(m1));

    uint64_t hits, misses, entries, bytes;
    cr_assert_eq(authscore_ctx_dns_cache_stats(c, &hits, &misses, &entries, &bytes), 0);
    cr_assert_eq(hits, (uint64_t)q - 1);
    cr_assert_eq(misses, (uint64_t)q + 1);
    cr_assert_eq(entries, (uint64_t)q - 1);
    cr_assert_gt(bytes, 0);
    cr_assert_leq(bytes, 4194304);
    cr_assert_eq(authscore_ctx_dns_cache_stats(NULL, &hits, NULL, NULL, NULL), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_dns_cache_stats(c, NULL, NULL, NULL, NULL), 0);
    cr_assert_eq(authscore_msg_dns_cache_hits(NULL), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_msg_dns_cache_misses(NULL), AUTHSCORE_EINVAL);
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);
}

Test(cache_api, bogus_answers_follow_dns_cache_bogus_ttl)
{
    need_zones();
    /* Default (5 s): the second bogus message is a hit, still bogus. */
    authscore_ctx *c = unbound_ctx(NULL, NULL);
    authscore_msg *m1 = check(c, "x@bogus.test");
    cr_assert_eq(authscore_spf_result(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_TEMPERROR);
    cr_assert_eq(authscore_spf_dnssec(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_DNSSEC_BOGUS);
    authscore_msg *m2 = check(c, "x@bogus.test");
    cr_assert_gt(authscore_msg_dns_cache_hits(m2), 0);
    cr_assert_eq(authscore_spf_result(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_TEMPERROR);
    cr_assert_eq(authscore_spf_dnssec(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_DNSSEC_BOGUS);
    cr_assert_str_eq(authscore_spf_reason(m2, AUTHSCORE_SPF_MFROM),
                     authscore_spf_reason(m1, AUTHSCORE_SPF_MFROM), "why_bogus kept");
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);

    /* 0: bogus answers are asked again every time. */
    c = unbound_ctx("dns.cache_bogus_ttl", "0");
    m1 = check(c, "x@bogus.test");
    unsigned long asked = as_resolver_queries(c->resolver);
    m2 = check(c, "x@bogus.test");
    cr_assert_gt(as_resolver_queries(c->resolver), asked, "the bogus TXT was asked again");
    cr_assert_eq(authscore_spf_dnssec(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_DNSSEC_BOGUS);
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);
}

/* ---- sans-I/O ---- */

static authscore_ctx *sansio_ctx(const char *size)
{
    authscore_ctx *c;
    cr_assert_eq(authscore_ctx_new(&c), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "authserv_id", "mx.receiver.test"), 0);
    if (size)
        cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_size", size), 0);
    cr_assert_eq(authscore_ctx_finalize(c), 0);
    return c;
}

/* The host: the SPF record of example.test, everything else NXDOMAIN,
 * with `ttl`; `status` overrides the SPF question's status.  Returns the
 * number of questions it was handed. */
static int host(authscore_msg *m, uint32_t ttl, int status, int leave_spf_unanswered)
{
    int handed = 0;
    uint32_t id;
    const char *qn;
    int qt, rc;
    while ((rc = authscore_msg_next_query(m, &id, &qn, &qt)) == 1) {
        handed++;
        int spf = qt == AUTHSCORE_QTYPE_TXT && strcmp(qn, "example.test") == 0;
        if (spf && leave_spf_unanswered)
            continue;
        static const char rec[] = "v=spf1 ip4:192.0.2.0/24 -all";
        const char *rd[1] = {rec};
        size_t rl[1] = {sizeof rec - 1};
        if (spf)
            cr_assert_eq(authscore_msg_answer(m, id, status, AUTHSCORE_DNSSEC_SECURE, NULL, ttl,
                                              rd, rl, status == AUTHSCORE_DNS_OK), 0);
        else
            cr_assert_eq(authscore_msg_answer(m, id, AUTHSCORE_DNS_NXDOMAIN,
                                              AUTHSCORE_DNSSEC_SECURE, NULL, ttl, NULL, NULL, 0), 0);
    }
    cr_assert_eq(rc, 0);
    cr_assert_eq(authscore_msg_result(m), 0);
    return handed;
}

static authscore_msg *msg(const authscore_ctx *c)
{
    authscore_msg *m;
    cr_assert_eq(authscore_msg_new(c, "192.0.2.1", "mail.example.test", "alice@example.test",
                                   MSG, sizeof MSG - 1, &m), 0);
    return m;
}

Test(cache_api, sansio_hits_are_never_handed_out)
{
    authscore_ctx *c = sansio_ctx(NULL);
    authscore_msg *m1 = msg(c);
    int n = host(m1, 300, AUTHSCORE_DNS_OK, 0);
    cr_assert_gt(n, 0);
    cr_assert_eq(authscore_spf_result(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    authscore_msg *m2 = msg(c);
    cr_assert_eq(host(m2, 300, AUTHSCORE_DNS_OK, 0), 0, "nothing handed out the second time");
    cr_assert_eq(authscore_msg_dns_cache_hits(m2), n);
    cr_assert_eq(authscore_spf_result(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    cr_assert_str_eq(authscore_ar_header(m2), authscore_ar_header(m1));
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);
}

Test(cache_api, sansio_ttl_zero_servfail_and_timeout_are_not_kept)
{
    authscore_ctx *c = sansio_ctx(NULL);
    authscore_msg *m1 = msg(c), *m2;
    int n = host(m1, 0, AUTHSCORE_DNS_OK, 0);
    m2 = msg(c);
    cr_assert_eq(host(m2, 0, AUTHSCORE_DNS_OK, 0), n, "TTL 0: every question asked again");
    authscore_msg_free(m1);
    authscore_msg_free(m2);

    m1 = msg(c);
    host(m1, 300, AUTHSCORE_DNS_SERVFAIL, 0);
    cr_assert_eq(authscore_spf_result(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_TEMPERROR);
    m2 = msg(c);
    cr_assert_eq(host(m2, 300, AUTHSCORE_DNS_OK, 0), 1, "only the SERVFAIL is asked again");
    cr_assert_eq(authscore_spf_result(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);

    c = sansio_ctx(NULL);
    m1 = msg(c);
    host(m1, 300, AUTHSCORE_DNS_OK, 1); /* the SPF question times out */
    cr_assert_eq(authscore_spf_result(m1, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_TEMPERROR);
    m2 = msg(c);
    cr_assert_eq(host(m2, 300, AUTHSCORE_DNS_OK, 0), 1, "the timed-out question is asked again");
    cr_assert_eq(authscore_spf_result(m2, AUTHSCORE_SPF_MFROM), AUTHSCORE_RES_PASS);
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);
}

Test(cache_api, cache_size_zero_keeps_nothing)
{
    authscore_ctx *c = sansio_ctx("0");
    authscore_msg *m1 = msg(c);
    int n = host(m1, 300, AUTHSCORE_DNS_OK, 0);
    authscore_msg *m2 = msg(c);
    cr_assert_eq(host(m2, 300, AUTHSCORE_DNS_OK, 0), n);
    cr_assert_eq(authscore_msg_dns_cache_hits(m2), 0);
    cr_assert_eq(authscore_msg_dns_cache_misses(m2), 0);
    uint64_t hits = 1, entries = 1;
    cr_assert_eq(authscore_ctx_dns_cache_stats(c, &hits, NULL, &entries, NULL), 0);
    cr_assert_eq(hits, 0);
    cr_assert_eq(entries, 0);
    authscore_msg_free(m1);
    authscore_msg_free(m2);
    authscore_ctx_free(c);
}

Test(cache_api, options_are_range_checked)
{
    authscore_ctx *c;
    cr_assert_eq(authscore_ctx_new(&c), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_size", "1073741825"), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_max_ttl", "86401"), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_bogus_ttl", "301"), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_bogus_ttl", "-1"), AUTHSCORE_EINVAL);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.cache_size", "1073741824"), 0);
    authscore_ctx_free(c);
}
