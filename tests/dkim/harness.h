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

#endif
