/* arc_vouch.h - what an ARC sealer saw (RFC 8617 4.1.1): does the
 * Authentication-Results payload of its ARC-Authentication-Results
 * vouch for the message's author domain?  The question the rules'
 * arc_sealer condition asks of a trusted sealer (docs/arc.md). */
#ifndef AS_ARC_VOUCH_H
#define AS_ARC_VOUCH_H

#include "util/arena.h"
#include "util/span.h"

/* The author domain and how DMARC aligns with it. */
typedef struct as_arc_vouch_for {
    const char *from_domain;  /* the author domain */
    const char *org_domain;   /* its organizational domain, or NULL */
    int dkim_strict, spf_strict; /* adkim=s / aspf=s */
} as_arc_vouch_for;

/* Read `payload` (an AAR after its "i=N;": authserv-id and results) with
 * the A-R reader.  Returns 1 when it vouches for `v`, with *what set to
 * the first result that does (static text): "dmarc=pass" (and its
 * header.from, when given, is the author domain), "dkim=pass" whose
 * header.d (or header.i's domain) aligns, or "spf=pass" whose
 * smtp.mailfrom's domain aligns (RFC 7489 3.1: relaxed: the same
 * organizational domain; strict: the same domain).  0 when it does not,
 * or does not parse whole; AUTHSCORE_ENOMEM.  Strings go to `a`. */
int as_arc_vouches(as_arena *a, as_span payload, const as_arc_vouch_for *v,
                   const char **what);

#endif
