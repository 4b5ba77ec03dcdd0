/* test_resolver_config.c - the libunbound backend without any fixture:
 * configuration errors and a black-hole server bound here on loopback.
 * Runs everywhere; the cases that need signed zones, nsd or the root
 * trust anchor are test_resolver.c. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "resolver_fixture.h"

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

/* A zone file the config names is read at finalize too. */
Test(config, missing_auth_zone_file_fails_at_start)
{
    char conf[] = "/tmp/authscore-conf-XXXXXX";
    int fd = mkstemp(conf);
    cr_assert_geq(fd, 0);
    static const char text[] = "auth-zone:\n    name: \"x.test.\"\n"
                               "    zonefile: \"/nonexistent/authscore/x.zone\"\n";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    char err[512] = "";
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    unlink(conf);
    cr_assert_eq(rc, AUTHSCORE_ECONFIG, "rc %d", rc);
    cr_assert_null(r);
    cr_assert(strstr(err, "resolver set-up failed") != NULL, "%s", err);
}

static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    cr_assert_not_null(f);
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}

/* Finalizing builds no libunbound worker: the thread waits for the first
 * question that misses the caches (a process the shared cache answers
 * never starts it). */
Test(config, finalize_starts_no_thread)
{
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trust_anchor_file = "none";
    int before = threads_now();
    char err[512] = "";
    as_resolver *r = NULL;
    cr_assert_eq(as_resolver_new(&cfg, &r, err, sizeof err), 0, "%s", err);
    cr_expect_eq(threads_now(), before);
    as_resolver_free(r);
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
    char conf[512];
    snprintf(conf, sizeof conf,
             "server:\n"
             "    do-not-query-localhost: no\n"
             "    local-zone: \"test.\" nodefault\n"
             "stub-zone:\n"
             "    name: \"blackhole.test.\"\n"
             "    stub-addr: 127.0.0.1@%d\n",
             port);
    as_resolver *r = resolver_from_text(conf, NULL);

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
