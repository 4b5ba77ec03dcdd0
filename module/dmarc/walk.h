/* walk.h - the RFC 9989 section 4.10 DNS Tree Walk as pure functions over
 * answers, plus the RFC 7489 two-step lookup (author domain, then the PSL
 * organizational domain) in the same shape.
 *
 * A walk is a short list of target names (suffixes of the start domain)
 * and one slot per target holding what _dmarc.<target> TXT gave.  The
 * engine may ask every target at once (one DNS round) or one after the
 * other; the outcome functions read the slots in walk order and stop
 * exactly where the sequential walk would stop, so both give the same
 * result. */
#ifndef AS_DMARC_WALK_H
#define AS_DMARC_WALK_H

#include <stddef.h>

#include "dns/dns.h"
#include "dmarc/record.h"

/* RFC 9989 4.10: "Author Domains with more than eight labels do not
 * result in more than eight DNS queries": the full name, then its last
 * seven labels, then one label fewer each time down to the TLD. */
#define AS_DMARC_WALK_MAX_QUERIES 8u
#define AS_DMARC_WALK_SHORTEN_TO 7u

enum as_dmarc_slot_state {
    AS_SLOT_PENDING = 0,  /* not answered (or not asked yet) */
    AS_SLOT_NONE,         /* no DMARC record (NXDOMAIN, NODATA, no v=DMARC1) */
    AS_SLOT_RECORD,       /* exactly one DMARC record */
    AS_SLOT_MULTIPLE,     /* several DMARC records: all discarded (4.10 step 2) */
    AS_SLOT_ERROR         /* TIMEOUT, SERVFAIL or DNSSEC bogus */
};

typedef struct as_dmarc_slot {
    int state;              /* enum as_dmarc_slot_state */
    int dnssec;             /* enum authscore_dnssec of the answer */
    int bogus;              /* the error was a DNSSEC bogus answer */
    as_dmarc_record rec;    /* when state == AS_SLOT_RECORD */
} as_dmarc_slot;

typedef struct as_dmarc_walk {
    const char *domain;     /* start domain, lowercase, no trailing dot */
    size_t len;
    size_t count;           /* number of targets */
    size_t off[AS_DMARC_WALK_MAX_QUERIES];  /* target i = domain + off[i] */
    as_dmarc_slot slot[AS_DMARC_WALK_MAX_QUERIES];
    size_t asked;           /* targets asked so far */
    int rfc7489;            /* two targets: author, PSL org domain */
    size_t org7489;         /* RFC 7489: offset of the PSL org domain */
} as_dmarc_walk;

enum as_dmarc_walk_status { AS_WALK_PENDING = 0, AS_WALK_DONE = 1,
                            AS_WALK_TEMPERROR = 2 };

/* A normalized name we can walk: non-empty, no empty label (no leading
 * or trailing dot, no ".."), at most AS_DNS_MAX_NAME bytes.  Checked
 * here because a name ending in ".." normalizes to one ending in ".". */
int as_dmarc_name_ok(const char *d, size_t len);

/* Number of labels of a (normalized) name. */
size_t as_dmarc_label_count(const char *d, size_t len);

/* Fill the RFC 9989 targets of `domain` (count and offsets).  A name
 * failing as_dmarc_name_ok() gets no target (count 0). */
void as_dmarc_walk_init(as_dmarc_walk *w, const char *domain, size_t len);

/* RFC 7489 6.6.3: the author domain, then the organizational domain
 * (a suffix of it, given by offset) when different. */
void as_dmarc_walk_init_7489(as_dmarc_walk *w, const char *domain, size_t len,
                             size_t org_off);

/* Record the TXT answer of target i (classification of 4.10 steps 2/6).
 * Returns 0 or AUTHSCORE_ENOMEM. */
int as_dmarc_walk_answer(as_arena *a, as_dmarc_walk *w, size_t i,
                         const as_dns_answer *ans);

typedef struct as_dmarc_outcome {
    int status;           /* enum as_dmarc_walk_status */
    size_t first_pending; /* PENDING: the first target still needed */
    size_t org_off;       /* DONE: organizational domain = domain + org_off */
    int policy_slot;      /* policy: slot of the policy record, or -1 */
    int multiple;         /* a target with several records was read */
    int bogus;            /* TEMPERROR came from a DNSSEC bogus answer */
    int all_secure;       /* every answer read was DNSSEC secure */
    int stop_slot;        /* slot whose psd=y/n stopped the walk, or -1 */
} as_dmarc_outcome;

/* Organizational domain (RFC 9989 4.10.2; RFC 7489: the PSL one given
 * at init). */
void as_dmarc_walk_org(const as_dmarc_walk *w, as_dmarc_outcome *out);

/* Policy record (RFC 9989 4.10.1: the author domain's, else the
 * organizational domain's, else the public suffix domain's; RFC 7489
 * 6.6.3: the author domain's, else the organizational domain's). */
void as_dmarc_walk_policy(const as_dmarc_walk *w, as_dmarc_outcome *out);

#endif
