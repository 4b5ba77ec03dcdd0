/* harness.c - see harness.h. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>

int dk_verify(as_memdns *m, as_dkim_keycache *c, const char *msg, size_t len,
              int64_t now, const as_dkim_config *cfg, int order, dk_run *r)
{
    memset(r, 0, sizeof *r);
    as_arena_init(&r->arena, DK_ARENA_MAX);
    int rc = as_message_parse(&r->arena, msg, len, NULL, &r->msg);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    r->q = as_qtab_new(&r->arena, 0);
    if (!r->q)
        return AUTHSCORE_ENOMEM;
    rc = as_dkim_start(&r->arena, r->q, c, &r->msg, cfg, now, &r->d);
    if (rc)
        return rc;
    if (order == DK_HASH_FIRST) {
        as_dkim_hash(r->d);
        as_memdns_drive(m, r->q, &r->waves);
    } else {
        as_memdns_drive(m, r->q, &r->waves);
        as_dkim_hash(r->d);
    }
    as_qtab_expire(r->q);
    as_dkim_finish(r->d);
    return 0;
}

void dk_run_free(dk_run *r)
{
    as_arena_free(&r->arena);
}

char *dk_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *p = malloc(cap);
    while (p) {
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            p[n] = 0;  /* for the tests' strstr; len excludes it */
            break;
        }
        char *np = realloc(p, cap * 2);
        if (!np) {
            free(p);
            p = NULL;
            break;
        }
        p = np;
        cap *= 2;
    }
    fclose(f);
    if (p)
        *len = n;
    return p;
}

void dk_data_path(const char *name, char *out, size_t cap)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    snprintf(out, cap, "%s/tests/dkim/data/%s", root ? root : ".", name);
}

char *dk_fixture(const char *name, size_t *len)
{
    char path[4096];
    dk_data_path(name, path, sizeof path);
    return dk_read_file(path, len);
}

int dk_keys_open(dk_keys *k)
{
    memset(k, 0, sizeof *k);
    dk_data_path("keys.zone", k->path, sizeof k->path);
    k->dns = as_memdns_new();
    k->cache = as_dkim_keycache_new(0);
    if (!k->dns || !k->cache)
        return -1;
    return as_memdns_load_file(k->dns, k->path, &k->line) == 0 ? 0 : -1;
}

int dk_keys_add_reject_policy(dk_keys *k)
{
    static const char dmarc[] = "v=DMARC1; p=reject", spf[] = "v=spf1 -all";
    int rc = as_memdns_add(k->dns, "_dmarc.example.com", AUTHSCORE_QTYPE_TXT, dmarc,
                           sizeof dmarc - 1);
    return rc < 0 ? rc
                  : as_memdns_add(k->dns, "example.com", AUTHSCORE_QTYPE_TXT, spf, sizeof spf - 1);
}

void dk_keys_close(dk_keys *k)
{
    as_dkim_keycache_free(k->cache);
    as_memdns_free(k->dns);
    k->cache = NULL;
    k->dns = NULL;
}
