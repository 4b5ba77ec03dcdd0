/* resolver_fixture.h - a question table and the answers it delivered, for
 * the libunbound tests (test_resolver.c, test_resolver_config.c). */
#ifndef DNS_RESOLVER_FIXTURE_H
#define DNS_RESOLVER_FIXTURE_H

#include <stdint.h>

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

/* The answer callback: files each answer under its cookie, once. */
void collect(void *engine, uintptr_t cookie, const as_dns_answer *a);
void fx_init(fixture *f);
void ask(fixture *f, const char *name, uint16_t qtype, uintptr_t i);
/* Drive until every question is answered or ms passed. */
as_resolver_stats drive(as_resolver *r, fixture *f, int ms);
void assert_answer(const as_dns_answer *a, int status, int dnssec);
/* A resolver from an unbound config file, or from config text (written to
 * a temporary file, removed again), with an optional forwarder; no trust
 * anchor of its own. */
as_resolver *resolver_from(const char *conf, const char *forwarder);
as_resolver *resolver_from_text(const char *text, const char *forwarder);

#endif
