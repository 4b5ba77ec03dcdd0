/* answers.h - a warm DNS cache for the benchmark: answers in the public
 * API's text form (authscore_msg_answer), looked up once from memdns and
 * kept in a hash table, so that answering a question costs what a host's
 * resolver cache hit costs (a hash lookup), not a memdns lookup plus
 * text conversion. */
#ifndef BENCH_ANSWERS_H
#define BENCH_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include <authscore.h>
#include "dns/memdns.h"

typedef struct bench_answer {
    int status, dnssec;
    const char *why;
    uint32_t ttl;
    size_t count;
    const char **rdata;
    size_t *len;
} bench_answer;

typedef struct bench_answers bench_answers;

bench_answers *bench_answers_new(const as_memdns *dns);
void bench_answers_free(bench_answers *c);
/* The answer to (name, qtype); filled from memdns on first use.  NULL
 * only when out of memory. */
const bench_answer *bench_answers_get(bench_answers *c, const char *name,
                                      int qtype);
/* Give it to question `id` of `m`. */
int bench_answers_give(authscore_msg *m, uint32_t id, const bench_answer *a);

#endif
