/* harness.h - drive the DKIM engine over one message with memdns, as the
 * lead's message code does: start (all key queries out), hash while they
 * are "in flight", answer, finish. */
#ifndef DKIM_TEST_HARNESS_H
#define DKIM_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "dkim/dkim.h"
#include "dns/memdns.h"
#include "dns/qtab.h"
#include "msg/message.h"
#include "util/arena.h"

#define DK_ARENA_MAX (64u * 1024u * 1024u)
#define DK_T0 1700000000  /* t= of the fixtures (make-fixtures.py) */

typedef struct dk_run {
    as_arena arena;
    as_message msg;
    as_qtab *q;
    as_dkim *d;
    unsigned waves;
} dk_run;

enum { DK_HASH_FIRST = 0, DK_ANSWER_FIRST = 1 };

/* Returns 0 or a negative AUTHSCORE code; free r with dk_run_free even on
 * failure. */
int dk_verify(as_memdns *m, as_dkim_keycache *c, const char *msg, size_t len,
              int64_t now, const as_dkim_config *cfg, int order, dk_run *r);
void dk_run_free(dk_run *r);

/* Read a whole file (malloc'd and NUL-terminated, caller frees); NULL
 * when absent. */
char *dk_read_file(const char *path, size_t *len);

/* tests/dkim/data/NAME below $AUTHSCORE_SOURCE_ROOT (else "."). */
void dk_data_path(const char *name, char *out, size_t cap);
/* The fixture NAME read whole, as dk_read_file; NULL when absent. */
char *dk_fixture(const char *name, size_t *len);

/* The key records every fixture is signed with (keys.zone, in memdns) and
 * an empty key cache: what the engine and hostile tests run against. */
typedef struct dk_keys {
    as_memdns *dns;
    as_dkim_keycache *cache;
    char path[4096];  /* the zone file, for the failure message */
    unsigned line;    /* its failing line; 0: unreadable or no memory */
} dk_keys;

/* Returns 0, or -1 with k->path and k->line saying why; close k even on
 * failure. */
int dk_keys_open(dk_keys *k);
/* example.com publishes DMARC p=reject and SPF -all: mail from it passes
 * DMARC only through an aligned DKIM pass.  Returns 0 or a negative code. */
int dk_keys_add_reject_policy(dk_keys *k);
void dk_keys_close(dk_keys *k);

#endif
