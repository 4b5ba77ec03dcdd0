/* arc.h - ARC chain validation (RFC 8617 5.2) as a sans-I/O engine.
 *
 * as_arc_start() collects the ARC sets of a message, checks their
 * structure, asks for every seal's key through the message's question
 * table (with the SPF, DKIM and DMARC questions, one round) and hands the
 * ARC-Message-Signatures to the DKIM engine (their keys are asked with
 * the rest, their body hashes share its one pass).  as_arc_finish(),
 * after the DKIM engine's finish, verifies the newest AMS, every seal
 * from the newest down, and the older AMSes as far as oldest-pass needs.
 * docs/arc.md has the whole story. */
#ifndef AS_ARC_H
#define AS_ARC_H

#include <stddef.h>

#include "arc/instance.h"
#include "dkim/dkim.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "util/arena.h"
#include "util/span.h"

/* Bytes of the result's reason ("seal:" or "ams:" and a DKIM reason). */
#define AS_ARC_REASON_MAX 64u

/* One ARC set, as the results report it. */
typedef struct as_arc_instance {
    int i;                   /* its instance, 1..N */
    const char *d, *s;       /* the ARC-Seal's d= and s= (the sealer) */
    int seal;                /* enum authscore_result of the seal: pass,
                                fail, temperror; not_evaluated when the
                                validation stopped before it */
    int ams;                 /* the same for its AMS (older ones are
                                verified only as far as oldest-pass
                                needs) */
    const char *seal_reason, *ams_reason; /* DKIM-style reasons, or NULL */
    int dnssec;              /* of the seal's key answer */
    as_span aar;             /* the AAR's payload after "i=N;": the
                                sealer's authserv-id and results */
} as_arc_instance;

typedef struct as_arc_result {
    int result;              /* enum authscore_result: NONE, PASS, FAIL,
                                TEMPERROR (NOT_EVALUATED until finished) */
    const char *reason;      /* "ok", a structure reason, "seal:<why>",
                                "ams:<why>", a temperror reason; NULL for
                                none (docs/arc.md lists them) */
    int invalid;             /* a fail of form (structure, syntax, cv), not
                                of a signature: ARC_INVALID, not ARC_REJECT */
    int chain_length;        /* ARC sets on the message: the most fields of
                                one of the three kinds (0: none) */
    int oldest_pass;         /* pass only: the oldest instance whose AMS
                                and every newer one validate; 0 when all
                                do (RFC 8617 10.1); -1 otherwise */
    int all_secure;          /* pass only: every seal key answer was
                                DNSSEC-secure */
    const as_arc_instance *inst; /* instance i at [i - 1]; NULL when the
                                structure did not give a chain */
    size_t n_inst;
} as_arc_result;

typedef struct as_arc as_arc;

/* Start ARC for a message whose DKIM engine `dkim` has started and not
 * yet hashed the body.  Returns 0 (a message without ARC fields, or one
 * whose structure fails, is settled here and asks nothing) or
 * AUTHSCORE_ENOMEM when the engine itself cannot be allocated.  A fault
 * later (parsing a field, a question over the cap) makes the result
 * temperror ("no_memory", "limit", "dns_limit"), never fail. */
int as_arc_start(as_arena *a, as_qtab *q, as_dkim_keycache *cache, as_dkim *dkim,
                 const as_message *msg, as_arc **out);
/* Validate, once every question is answered or expired (after
 * as_dkim_finish).  Idempotent. */
void as_arc_finish(as_arc *arc);
const as_arc_result *as_arc_get_result(const as_arc *arc);

#endif
