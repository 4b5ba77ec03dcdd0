/* memdns.h - in-memory DNS backend for tests, conformance suites and
 * benchmarks.  Records are given in the text form of the public API; a
 * name can be made to time out or SERVFAIL, a zone can be marked secure,
 * insecure or bogus, and CNAMEs are followed (at most 8 hops). */
#ifndef AS_MEMDNS_H
#define AS_MEMDNS_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns.h"
#include "dns/qtab.h"

typedef struct as_memdns as_memdns;

as_memdns *as_memdns_new(void);
void as_memdns_free(as_memdns *m);

/* Add a record; TXT data is the joined text (may hold any byte). */
int as_memdns_add(as_memdns *m, const char *name, uint16_t qtype,
                  const char *rdata, size_t len);
int as_memdns_add_cname(as_memdns *m, const char *name, const char *target);
/* Make (name, qtype) fail with status (TIMEOUT, SERVFAIL); qtype 0 = all. */
int as_memdns_set_status(as_memdns *m, const char *name, uint16_t qtype,
                         int status);
/* DNSSEC state of every name at or below `zone` (longest zone wins);
 * default INSECURE.  why_bogus may be NULL. */
int as_memdns_set_dnssec(as_memdns *m, const char *zone, int dnssec,
                         const char *why_bogus);

/* Load a zone-like text file: one record per line,
 *   name TYPE data         TYPE in A AAAA MX TXT PTR CNAME
 *   name TIMEOUT|SERVFAIL [TYPE]
 *   name SECURE|INSECURE|BOGUS [why]
 * TXT data is one or more "quoted strings" (joined; \" \\ and \DDD
 * escapes) or bare text to the end of the line.  '#' starts a comment.
 * Returns 0, or AUTHSCORE_EIO / AUTHSCORE_EPARSE with *line set. */
int as_memdns_load_file(as_memdns *m, const char *path, unsigned *line);

/* Answer one question, allocating in `a`. */
int as_memdns_lookup(const as_memdns *m, as_arena *a, const char *name,
                     uint16_t qtype, as_dns_answer *out);

/* Answer every question of `t` in waves until none is left unanswered;
 * *waves (may be NULL) gets the number of waves.  Each lookup counts in
 * the backend's query counter. */
int as_memdns_drive(as_memdns *m, as_qtab *t, unsigned *waves);
unsigned long as_memdns_queries(const as_memdns *m);

#endif
