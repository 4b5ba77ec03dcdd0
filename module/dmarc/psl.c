/* psl.c - the Public Suffix List through libpsl, for RFC 7489 mode
 * (RFC 7489 3.2: the organizational domain is the public suffix plus one
 * label).  Loading reads a file, so it happens once at configuration
 * time; the per-message lookup is pure. */
#include "dmarc/dmarc.h"

#include <libpsl.h>
#include <string.h>

#include <authscore.h>

int as_dmarc_psl_load(const char *path, const void **out)
{
    psl_ctx_t *p;
    *out = NULL;
    if (path && *path) {
        p = psl_load_file(path);
    } else {
        /* Debian's publicsuffix data (/usr/share/publicsuffix), newer of
         * the file and the built-in copy. */
        p = psl_latest(NULL);
    }
    if (!p)
        return AUTHSCORE_EIO;
    *out = p;
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
