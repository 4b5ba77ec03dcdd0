/* resolver_fixture.c - see resolver_fixture.h. */
#include "resolver_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void collect(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    got *g = engine;
    cr_assert_lt(cookie, MAXQ);
    cr_assert_eq(g->seen[cookie], 0, "answer delivered twice");
    g->seen[cookie] = 1;
    g->ans[cookie] = *a;
    g->n++;
}

void fx_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    as_arena_init(&f->arena, 1u << 22);
    f->t = as_qtab_new(&f->arena, 0);
    cr_assert_not_null(f->t);
}

void ask(fixture *f, const char *name, uint16_t qtype, uintptr_t i)
{
    cr_assert_eq(as_qtab_ask(f->t, name, strlen(name), qtype, collect, &f->g,
                             i), 0, "ask %s", name);
}

as_resolver_stats drive(as_resolver *r, fixture *f, int ms)
{
    as_resolver_stats st;
    cr_assert_eq(as_resolver_drive_stats(r, f->t, ms, NULL, NULL, &st), 0);
    cr_assert_eq(as_qtab_outstanding(f->t), 0);
    cr_assert_eq(as_qtab_unsent(f->t), 0);
    return st;
}

void assert_answer(const as_dns_answer *a, int status, int dnssec)
{
    cr_assert_eq(a->status, status, "status %s, want %s",
                 as_dns_status_name(a->status), as_dns_status_name(status));
    cr_assert_eq(a->dnssec, dnssec, "dnssec %d, want %d (why_bogus %s)",
                 a->dnssec, dnssec, a->why_bogus ? a->why_bogus : "-");
}

as_resolver *resolver_from(const char *conf, const char *forwarder)
{
    as_resolver_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.config_file = conf;
    cfg.trust_anchor_file = "none";
    if (forwarder) {
        cfg.forwarders[0] = forwarder;
        cfg.n_forwarders = 1;
    }
    char err[512];
    as_resolver *r = NULL;
    int rc = as_resolver_new(&cfg, &r, err, sizeof err);
    cr_assert_eq(rc, 0, "as_resolver_new: %s", err);
    return r;
}

as_resolver *resolver_from_text(const char *text, const char *forwarder)
{
    char conf[] = "/tmp/authscore-unbound-XXXXXX";
    int fd = mkstemp(conf);
    cr_assert_geq(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
    as_resolver *r = resolver_from(conf, forwarder);
    unlink(conf);
    return r;
}
