/* bench_dmarc.c - DMARC engine cost per message over the in-memory DNS:
 * start (questions), answers (record parsing, walk) and evaluate
 * (alignment, policy).  Prints figures; never fails on a slow machine. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <authscore.h>
#include "dmarc/dmarc.h"
#include "dns/memdns.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add(as_memdns *m, const char *n, int t, const char *d)
{
    as_memdns_add(m, n, (uint16_t)t, d, strlen(d));
}

static int run(as_memdns *m, const char *author, const char *mfrom, const char *dkim_d,
               int seq, double *t_eval)
{
    as_arena a;
    as_arena_init(&a, 4u << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    as_mailbox mb = {.addr = "x", .domain = author};
    as_message msg;
    memset(&msg, 0, sizeof msg);
    msg.from = &mb;
    msg.from_count = 1;
    msg.from_fields = 1;
    as_dmarc_config cfg = {.sequential_walk = seq};
    as_dmarc *d;
    const char *ds[1] = {dkim_d};
    as_dmarc_start(&a, q, &cfg, &msg, mfrom, ds, 1, &d);
    as_memdns_drive(m, q, NULL);
    as_dmarc_auth spf = {mfrom, AUTHSCORE_RES_PASS};
    as_dmarc_auth dk = {dkim_d, AUTHSCORE_RES_PASS};
    double t0 = now();
    as_dmarc_evaluate(d, &spf, &dk, 1);
    *t_eval += now() - t0;
    int res = as_dmarc_get_result(d)->result;
    as_arena_free(&a);
    return res;
}

int main(void)
{
    as_memdns *m = as_memdns_new();
    add(m, "_dmarc.example.com", AUTHSCORE_QTYPE_TXT,
        "v=DMARC1; p=reject; rua=mailto:dmarc@example.com; fo=1");
    add(m, "mail.example.com", AUTHSCORE_QTYPE_A, "192.0.2.1");
    static const struct { const char *name, *author, *mfrom, *dkim; } cases[] = {
        {"author record, aligned", "example.com", "example.com", "example.com"},
        {"subdomain, relaxed", "mail.example.com", "bounce.example.com", "s.example.com"},
        {"deep name (13 labels)", "a.b.c.d.e.f.g.h.i.j.k.example.com", "example.com",
         "example.net"},
    };
    const int n = 20000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int seq = 0; seq <= 1; seq++) {
            double te = 0, t0 = now();
            int passes = 0;
            for (int i = 0; i < n; i++)
                passes += run(m, cases[c].author, cases[c].mfrom, cases[c].dkim, seq, &te) ==
                          AUTHSCORE_RES_PASS;
            double t = now() - t0;
            printf("%-26s %-10s %8.0f msg/s  %6.2f us/msg total  %5.2f us evaluate  (%d pass)\n",
                   cases[c].name, seq ? "sequential" : "prefetch", n / t, t / n * 1e6,
                   te / n * 1e6, passes);
        }
    }
    as_memdns_free(m);
    return 0;
}
