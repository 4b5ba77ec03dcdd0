/* arc_harness.h - one message through the DKIM and ARC engines with the
 * DKIM fixtures' key records in memdns (tests/dkim/harness.h), in the
 * order core/msg.c runs them: DKIM starts, ARC starts (AMSes handed to
 * DKIM, seal keys asked), the body is hashed, every question answered,
 * DKIM finishes, ARC finishes. */
#ifndef ARC_TEST_HARNESS_H
#define ARC_TEST_HARNESS_H

#include <stddef.h>

#include "arc/arc.h"
#include "harness.h"

#define ARC_T0 1700000100  /* after the fixtures' t= (data/make-fixtures.py) */

typedef struct arc_run {
    as_arena arena;
    as_message msg;
    as_qtab *q;
    as_dkim *dkim;
    as_arc *arc;
    const as_arc_result *res;
    char *bytes;          /* the message read from data/ (arc_fixture) */
} arc_run;

/* Run (msg, len) with the message arena capped at `arena_max` (0: the
 * harness default).  Returns 0, or the error the engines' start gave
 * (the caller then has no result); free r with arc_run_free either way. */
int arc_run_bytes(dk_keys *k, const char *msg, size_t len, size_t arena_max, arc_run *r);
/* The same for tests/arc/data/NAME; -1 when the file is missing. */
int arc_run_fixture(dk_keys *k, const char *name, arc_run *r);
void arc_run_free(arc_run *r);

/* tests/arc/data/NAME, malloc'd (caller frees); NULL when absent. */
char *arc_fixture(const char *name, size_t *len);

#endif
