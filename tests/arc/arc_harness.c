/* arc_harness.c - see arc_harness.h. */
#include "arc_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>

char *arc_fixture(const char *name, size_t *len)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/arc/data/%s", root ? root : ".", name);
    return dk_read_file(path, len);
}

int arc_run_bytes(dk_keys *k, const char *msg, size_t len, size_t arena_max, arc_run *r)
{
    char *keep = r->bytes;
    memset(r, 0, sizeof *r);
    r->bytes = keep;
    as_arena_init(&r->arena, arena_max ? arena_max : DK_ARENA_MAX);
    int rc = as_message_parse(&r->arena, msg, len, NULL, &r->msg);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (!(r->q = as_qtab_new(&r->arena, 0)))
        return AUTHSCORE_ENOMEM;
    as_dkim_config cfg = {0, -1, 0};
    if ((rc = as_dkim_start(&r->arena, r->q, k->cache, &r->msg, &cfg, ARC_T0, &r->dkim)) < 0)
        return rc;
    if ((rc = as_arc_start(&r->arena, r->q, k->cache, r->dkim, &r->msg, &r->arc)) < 0)
        return rc;
    as_dkim_hash(r->dkim);
    as_memdns_drive(k->dns, r->q, NULL);
    as_qtab_expire(r->q);
    as_dkim_finish(r->dkim);
    as_arc_finish(r->arc);
    r->res = as_arc_get_result(r->arc);
    return 0;
}

int arc_run_fixture(dk_keys *k, const char *name, arc_run *r)
{
    size_t len;
    memset(r, 0, sizeof *r);
    r->bytes = arc_fixture(name, &len);
    if (!r->bytes)
        return -1;
    return arc_run_bytes(k, r->bytes, len, 0, r);
}

void arc_run_free(arc_run *r)
{
    as_arena_free(&r->arena);
    free(r->bytes);
    r->bytes = NULL;
}
