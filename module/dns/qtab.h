/* qtab.h - the per-message table of DNS questions.
 *
 * Engines ask; the table dedupes identical (name, type) questions within a
 * message, hands each new question out once (to the sans-I/O host or to a
 * backend driver), stores the answer in the message arena and delivers it
 * to every engine that asked.  Callbacks are never called from inside
 * as_qtab_ask(): a question whose answer is already known is delivered on
 * the next as_qtab_flush() (called by as_qtab_answer and
 * as_qtab_next_unsent), so engines need not be reentrant.
 *
 * Each question has a depth: 1 for questions asked outside any answer
 * callback, parent + 1 for one asked while an answer is being delivered.
 * The largest depth is the number of DNS rounds the message needed: its
 * critical path when every independent question is in flight at once.
 *
 * With an answer cache (as_qtab_set_cache), each new question is looked up
 * there first: a hit is answered at once (delivered on the next flush,
 * with the depth it would have had) and is never handed out, so neither
 * libunbound nor a sans-I/O host ever sees it.  Answers given through
 * as_qtab_answer are offered to the cache (it keeps what its rules allow,
 * dns/cache.h); faults go through as_qtab_fail and never reach it. */
#ifndef AS_QTAB_H
#define AS_QTAB_H

#include <stddef.h>
#include <stdint.h>

#include "dns/cache.h"
#include "dns/dns.h"

#define AS_QTAB_MAX_QUESTIONS 1024u  /* hard cap per message */

typedef void (*as_answer_fn)(void *engine, uintptr_t cookie,
                             const as_dns_answer *ans);

typedef struct as_qtab as_qtab;

/* Create a table in arena `a`.  max 0 means AS_QTAB_MAX_QUESTIONS. */
as_qtab *as_qtab_new(as_arena *a, unsigned max);

/* Ask (name, qtype); on 0 fn(engine, cookie, answer) is called exactly
 * once later.  On error nothing will be called and the engine decides:
 * AUTHSCORE_EINVAL for a name that is not a valid DNS name (empty label,
 * label over 63, name over 253 bytes), AUTHSCORE_ELIMIT past the cap,
 * AUTHSCORE_ENOMEM. */
int as_qtab_ask(as_qtab *t, const char *name, size_t len, uint16_t qtype,
                as_answer_fn fn, void *engine, uintptr_t cookie);

/* Next question not yet handed out: returns 1 and fills the fields (name
 * owned by the table), or 0. */
int as_qtab_next_unsent(as_qtab *t, uint32_t *id, const char **name,
                        uint16_t *qtype);

/* Consult and feed `c` (may be NULL: none) from now on. */
void as_qtab_set_cache(as_qtab *t, as_dns_cache *c);

/* Deliver the answer to question id, then flush.  The answer struct is
 * copied; its records and strings must live in as_qtab_arena(t).  The
 * answer is offered to the cache first.  AUTHSCORE_ENOTFOUND for an
 * unknown or already answered id. */
int as_qtab_answer(as_qtab *t, uint32_t id, const as_dns_answer *ans);
/* The same for an answer that stands for a fault (a driver error, an
 * allocation that failed): delivered, never cached. */
int as_qtab_fail(as_qtab *t, uint32_t id, const as_dns_answer *ans);

/* Deliver answers that became available to late askers. */
void as_qtab_flush(as_qtab *t);

/* Answer every unanswered question (sent or not) as TIMEOUT, including
 * ones raised by those answers, until none is left. */
void as_qtab_expire(as_qtab *t);

/* The name and type of question id; AUTHSCORE_ENOTFOUND if unknown. */
int as_qtab_question(const as_qtab *t, uint32_t id, const char **name,
                     uint16_t *qtype);
/* 1 when question id was handed out and is still unanswered. */
int as_qtab_is_outstanding(const as_qtab *t, uint32_t id);

/* Questions handed out and not answered. */
unsigned as_qtab_outstanding(const as_qtab *t);
/* Questions not yet handed out. */
unsigned as_qtab_unsent(const as_qtab *t);
/* Distinct questions created, and the largest depth (DNS rounds). */
unsigned as_qtab_count(const as_qtab *t);
unsigned as_qtab_rounds(const as_qtab *t);
/* Depth of the question being delivered now (0 outside callbacks). */
unsigned as_qtab_current_depth(const as_qtab *t);
/* New questions answered from the cache, and looked up there in vain. */
unsigned as_qtab_cache_hits(const as_qtab *t);
unsigned as_qtab_cache_misses(const as_qtab *t);
/* The arena the table allocates from. */
as_arena *as_qtab_arena(as_qtab *t);

#endif
