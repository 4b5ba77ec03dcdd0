/* spf_internal.h - the SPF engine's private state, shared by its three parts.
 *
 * check_host() (RFC 7208) is a sans-I/O state machine split by job:
 *  - spf_ask.c: the question side: one table of DNS questions, answers
 *    read as SPF records or validated PTR names, the 4.6.4 lookup and
 *    void-lookup counters and the mapping of DNS errors to results;
 *  - spf_eval.c: the in-order evaluation of section 4.6 (run()): it alone
 *    counts lookups, consumes answers and decides;
 *  - spf_plan.c: the prefetch planner, which walks ahead along the same
 *    path and asks the questions run() will need at once.  It never counts
 *    or decides, so an answer it asked for but run() never reaches cannot
 *    change the result.
 * Include nesting uses an explicit frame stack (no recursion). */
#ifndef AS_SPF_INTERNAL_H
#define AS_SPF_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "dns/dns.h"
#include "util/span.h"
#include "spf/spf.h"
#include "spf/spf_ip.h"
#include "spf/spf_macro.h"
#include "spf/spf_record.h"

enum { Q_PENDING = 0, Q_DONE, Q_INVALID, Q_FAILED };

typedef struct qent {
    const char *name;        /* normalized, arena */
    uint16_t qtype;
    unsigned char state;
    int fail_rc;             /* Q_FAILED: why the question table refused */
    as_dns_answer ans;
    /* TXT answers read as SPF records, parsed once */
    unsigned char spf_state; /* 0 unparsed, 1 ok, 2 none, 3 many, 4 error */
    as_spf_record rec;
    as_spf_parse_error perr;
} qent;

enum { VIA_TOP = 0, VIA_INCLUDE, VIA_REDIRECT };

typedef struct frame {
    const char *domain;      /* normalized <domain> of this record */
    const as_spf_record *rec;
    int via;
    unsigned next;           /* term being evaluated */
    int started;             /* that term was counted as a lookup */
    const char *target;      /* its expanded target, once known */
    int target_state;        /* 0 not yet, 1 valid, -1 invalid name */
    int redirecting;         /* the redirect= was counted */
} frame;

typedef struct ptrval {      /* validated names of the client (5.5) */
    int state;               /* 0 not done, 1 done */
    int ptr_error;           /* the PTR lookup itself failed */
    int ptr_void;            /* the PTR lookup itself was void: the one
                                void lookup a ptr term can count (4.6.4;
                                names without addresses are skipped, 5.5) */
    unsigned nvalid;
    const char *valid[AS_SPF_MAX_PTR_NAMES];
    int dnssec;              /* merged state of its answers */
} ptrval;

struct as_spf {
    as_arena *a;
    as_qtab *q;
    as_spf_result r;
    int done;
    int phase;               /* 0 evaluating, 1 explanation */
    int final_result;
    const as_spf_term *final_term;

    as_spf_ip ip;
    uint16_t addr_qtype;     /* A or AAAA for the client's family */
    char ip_c[AS_SPF_IP_TEXT_MAX], ip_i[AS_SPF_IP_TEXT_MAX];
    char rev[AS_SPF_IP_TEXT_MAX + 16];
    char tbuf[24];
    as_span m_s, m_l, m_o, m_h, m_r;

    int max_lookups, max_void;
    int lookups, voids;
    int dnssec;              /* -1: no answer used yet */
    int ask_fail;            /* why the last as_spf_ask() gave NULL */
    void (*advance)(as_spf *s); /* evaluation's step after an answer (set
                                   by as_spf_start): asking never calls up */
    int fault;               /* our own failure (AUTHSCORE_ENOMEM or
                                AUTHSCORE_ELIMIT): the result is temperror
                                whatever the record says (fail closed) */

    frame fr[AS_SPF_MAX_DEPTH + 1];
    unsigned depth;

    ptrval pv;
    qent **qs;               /* entries never move: pointers stay valid */
    unsigned nq, capq;
    unsigned rounds;
    int running;
    int no_prefetch;
    int walk_dirty;          /* an answer may have revealed new questions */
    int ptr_asked;
    char work[AS_SPF_MACRO_WINDOW + AS_SPF_MAX_EXPLANATION + 8];
};

/* Length of a NUL-terminated name or text from our own layers (arena
 * copies, DNS names of at most 253 bytes), bounded all the same. */
static inline size_t zlen(const char *z)
{
    return strnlen(z, 4096);
}

/* ---- spf_ask.c: questions, answers, limits ------------------------------ */

/* A printable arena copy of untrusted text for reasons ("?" without
 * memory, which is then a fault); as_spf_ztext() for a NUL-terminated
 * one. */
const char *as_spf_text(as_spf *s, const char *p, size_t len);
const char *as_spf_ztext(as_spf *s, const char *z);
int as_spf_is_error_answer(const as_dns_answer *ans);
int as_spf_is_void_answer(const as_dns_answer *ans);
int as_spf_merge_dnssec(int acc, int x);
/* Map a failed question to temperror (question cap, bogus, DNS error). */
void as_spf_dns_error(as_spf *s, const qent *e);
/* 4.6.4 counters: -1 (and a final permerror) past the limit. */
int as_spf_count_void(as_spf *s, const char *what);
int as_spf_count_lookup(as_spf *s, const char *what);
/* Find or ask (name, qtype), name normalized; NULL without memory or past
 * AS_SPF_MAX_QUESTIONS.  _raw normalizes first: a name that cannot exist
 * is never asked and reads as NXDOMAIN. */
qent *as_spf_ask(as_spf *s, const char *name, size_t len, uint16_t qtype);
qent *as_spf_ask_raw(as_spf *s, const char *name, size_t len, uint16_t qtype);
void as_spf_read_record(as_spf *s, qent *e);
int as_spf_ptr_validate(as_spf *s);
unsigned as_spf_mx_count(const qent *e);
int as_spf_mx_ask_targets(as_spf *s, const qent *e, qent **targets,
                          unsigned *nt);

/* ---- spf_result.c: the result ------------------------------------------ */

/* The result, once.  After a fault (s->fault, or a reason that could not
 * be formatted: NULL) it is temperror "no_memory" / "limit", whatever was
 * decided. */
void as_spf_finish(as_spf *s, int result, const char *reason);
/* Record a fault of ours (AUTHSCORE_ENOMEM, AUTHSCORE_ELIMIT). */
void as_spf_fault(as_spf *s, int rc);
/* A fault that stops the evaluation now. */
void as_spf_oom(as_spf *s);

/* ---- spf_target.c: the names terms point at ----------------------------- */

as_spf_macro_vars as_spf_vars_for(as_spf *s, const char *d, const char *p);
int as_spf_name_in_domain(const char *n, const char *d);
/* %{p} for <domain> d (7.3). */
const char *as_spf_p_value(as_spf *s, const char *d);
/* Expand a domain-spec (empty: <domain> d) into a normalized name.
 * Returns 1 with *out set (arena), -1 for a name that cannot exist (with
 * *out set to the raw text), 0 while %{p} is being resolved. */
int as_spf_expand_target(as_spf *s, as_span spec, unsigned flags,
                         const char *d, const char **out);

/* ---- spf_eval.c: in-order evaluation ------------------------------------ */

/* Run the evaluation as far as the answers allow, then the planner.
 * Asking reaches it through s->advance, so calls run one way. */
void as_spf_advance(as_spf *s);

/* ---- spf_plan.c: speculative prefetch ----------------------------------- */

void as_spf_prefetch(as_spf *s);

#endif
