/* sansio_drive.h - the host's loop of the public sans-I/O API
 * (include/authscore.h, "USAGE") with the answers looked up in memdns,
 * for the tests that run whole messages against the DKIM fixtures' zone
 * (tests/dkim/data/keys.zone): api/test_dkim_overall.c,
 * dkim/test_dkim_api.c, arc/test_arc_api.c.  Criterion asserts. */
#ifndef TESTS_SANSIO_DRIVE_H
#define TESTS_SANSIO_DRIVE_H

#include <authscore.h>
#include "dns/memdns.h"

enum {
    /* A question memdns times out (a TIMEOUT line of the zone) stays
     * unanswered, as with a host whose resolver gave up: the message's
     * result expires it.  Without the flag it is answered
     * AUTHSCORE_DNS_TIMEOUT. */
    SANSIO_TIMEOUTS_UNANSWERED = 1u << 0,
};

/* Answer every question of m (phase NEW or RESOLVING) until none is
 * waiting: TXT from dns (status, DNSSEC state and at most eight records,
 * TTL 300), every other type NXDOMAIN; then authscore_msg_result().
 * Every call must succeed. */
void sansio_drive(authscore_msg *m, const as_memdns *dns, unsigned flags);

#endif
