/* psl.c - the Public Suffix List through libpsl, for RFC 7489 mode (see
 * psl.h).  The list arrives as bytes (core/psl_load.c reads the file);
 * the per-message lookups are pure. */
#include "dmarc/psl.h"

#include <errno.h>
#include <libpsl.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>

int as_dmarc_psl_parse(const char *p, size_t len, const void **out)
{
    *out = NULL;
    if (!p || len == 0)
        return AUTHSCORE_EPARSE;
    /* libpsl parses only from a FILE: a read-only memory stream over the
     * bytes (no file access; glibc's fmemopen never writes in mode "r"). */
    FILE *f = fmemopen((void *)(uintptr_t)p, len, "rb");
    if (!f)
        return errno == ENOMEM ? AUTHSCORE_ENOMEM : AUTHSCORE_EPARSE;
    /* NULL: not a list, or libpsl out of memory (it cannot tell us). */
    psl_ctx_t *psl = psl_load_fp(f);
    fclose(f);
    if (!psl)
        return AUTHSCORE_EPARSE;
    *out = psl;
    return 0;
}

void as_dmarc_psl_free(const void *psl)
{
    /* psl_builtin() is static data and must never be freed. */
    if (psl && psl != (const void *)psl_builtin())
        psl_free((psl_ctx_t *)psl);
}

const void *as_dmarc_psl_builtin(void)
{
    return psl_builtin();
}

size_t as_dmarc_psl_system_files(const char *names[2], int64_t *builtin_mtime)
{
    size_t n = 0;
    const char *dist = psl_dist_filename(), *built = psl_builtin_filename();
    if (dist && *dist)
        names[n++] = dist;
    if (built && *built)
        names[n++] = built;
    *builtin_mtime = (int64_t)psl_builtin_file_time();
    return n;
}

long as_dmarc_psl_org_off(const void *psl, const char *domain, size_t len)
{
    if (!psl || !domain || len == 0)
        return -1;
    const char *r = psl_registrable_domain((const psl_ctx_t *)psl, domain);
    if (!r || r < domain || r > domain + len)
        return -1;
    return (long)(r - domain);
}

const char *as_dmarc_psl_registrable(const void *psl, as_arena *a,
                                     const char *domain)
{
    char *lower = NULL;
    if (!psl || !domain)
        return NULL;
    /* UTF-8 aware lowercasing (the list and its tests hold U-labels). */
    if (psl_str_to_utf8lower(domain, "utf-8", NULL, &lower) != PSL_SUCCESS || !lower)
        return NULL;
    const char *r = psl_registrable_domain((const psl_ctx_t *)psl, lower);
    const char *copy = r ? as_arena_strdup(a, r) : NULL;
    psl_free_string(lower);
    return copy;
}
