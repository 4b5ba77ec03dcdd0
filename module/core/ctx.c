/* ctx.c - the per-process context: options (core/options.c), finalize. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/options.h"
#include "core/psl_load.h"
#include "dns/shared_cache.h"
#include "score/ar_write.h"

int authscore_ctx_new(authscore_ctx **out)
{
    if (!out)
        return AUTHSCORE_EINVAL;
    authscore_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return AUTHSCORE_ENOMEM;
    c->dns_timeout_ms = AS_RESOLVER_DEFAULT_TIMEOUT_MS;
    c->dns_cache_size = (int)AS_DNS_CACHE_DEFAULT_BYTES;
    c->dns_cache_max_ttl = AS_DNS_CACHE_DEFAULT_MAX_TTL;
    c->dns_cache_bogus_ttl = AS_DNS_CACHE_DEFAULT_SHORT_TTL;
    c->dns_shared_cache_size = (int)AS_DNS_SHARED_DEFAULT_BYTES;
    c->dkim_max_signatures = AS_DKIM_MAX_SIGNATURES;
    c->dkim_clock_skew = AS_DKIM_CLOCK_SKEW;
    c->spf_max_lookups = AS_SPF_MAX_LOOKUPS;
    c->spf_max_void_lookups = AS_SPF_MAX_VOID_LOOKUPS;
    c->dmarc_mode = AS_DMARC_RFC9989;
    /* The key cache exists from the start so that sans-I/O tests can run
     * messages on an unfinalized context. */
    c->keys = as_dkim_keycache_new(AS_DKIM_KEYCACHE_ENTRIES);
    if (!c->keys) {
        free(c);
        return AUTHSCORE_ENOMEM;
    }
    *out = c;
    return 0;
}

void authscore_ctx_free(authscore_ctx *c)
{
    if (!c)
        return;
    as_resolver_free(c->resolver);
    as_dns_cache_free(c->cache);
    as_dns_shared_close(c->shared);
    free(c->dns_shared_cache);
    as_dkim_keycache_free(c->keys);
    as_dmarc_psl_free(c->psl);
    free(c->dns_config);
    free(c->trust_anchor);
    for (size_t i = 0; i < c->n_forwarders; i++)
        free(c->forwarders[i]);
    free(c->authserv_id);
    free(c->psl_file);
    free(c->rules_file);
    free(c->report_log);
    as_rules_free(c->rules);
    free(c);
}

int authscore_ctx_set_log(authscore_ctx *c, authscore_log_fn fn, void *user)
{
    if (!c)
        return AUTHSCORE_EINVAL;
    if (c->finalized)
        return AUTHSCORE_EPHASE;
    c->log_fn = fn;
    c->log_user = user;
    return 0;
}

int authscore_ctx_set_option(authscore_ctx *c, const char *name, const char *v)
{
    if (!c || !name || !v)
        return AUTHSCORE_EINVAL;
    if (c->finalized)
        return AUTHSCORE_EPHASE;
    return as_option_set(c, name, v);
}

/* The answer cache's clock: monotonic, so a step of the wall clock never
 * ages or revives an entry; the coarse one is enough for TTLs in seconds
 * and costs no system call. */
static int64_t monotonic_ms(void *user)
{
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The shared cache's clock: its entries outlive this process. */
static int64_t wall_s(void *user)
{
    (void)user;
    return (int64_t)time(NULL);
}

static void resolver_log(void *user, int level, const char *msg)
{
    as_log(user, level, "%s", msg);
}

/* Record why finalize failed (authscore_ctx_error) and log it. */
static int finalize_failed(authscore_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int finalize_failed(authscore_ctx *c, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    as_log(c, AUTHSCORE_LOG_ERROR, "%s", c->error);
    as_dmarc_psl_free(c->psl);
    c->psl = NULL;
    as_rules_free(c->rules);
    c->rules = NULL;
    as_dns_cache_free(c->cache);
    c->cache = NULL;
    as_dns_shared_close(c->shared);
    c->shared = NULL;
    return rc;
}

/* Engine symbols a rule file forgot score 0: say so once, at load. */
static void warn_undefined(const authscore_ctx *c)
{
    const char *names[AS_SYM_COUNT];
    size_t n = as_rules_undefined(c->rules, names, AS_SYM_COUNT);
    char line[768];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof line; i++)
        o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? ", " : "", names[i]);
    if (n)
        as_log(c, AUTHSCORE_LOG_WARNING, "rules: %s: no weight for %zu symbol(s), scored 0: %s",
               c->rules_file, n, line);
}

const char *authscore_ctx_error(const authscore_ctx *c)
{
    return c && c->error[0] ? c->error : NULL;
}

int authscore_ctx_finalize(authscore_ctx *c)
{
    if (!c)
        return AUTHSCORE_EINVAL;
    if (c->finalized)
        return AUTHSCORE_EPHASE;
    c->error[0] = '\0';
    /* Rules first: a typo in a rule file is the likeliest failure. */
    if (c->rules_file) {
        char err[AS_RULES_ERROR_MAX];
        int r = as_rules_load(c->rules_file, &c->rules, err, sizeof err);
        if (r < 0)
            return finalize_failed(c, r == AUTHSCORE_ENOMEM ? r : AUTHSCORE_ECONFIG, "rules: %s", err);
        warn_undefined(c);
    }
    /* One receiver name for the A-R header and SPF's %{r} (RFC 7208 7.3). */
    if (!c->authserv_id && !(c->authserv_id = strdup(as_ar_default_authserv_id())))
        return finalize_failed(c, AUTHSCORE_ENOMEM, "out of memory");
    if (c->dmarc_mode == AS_DMARC_RFC7489) {
        char err[128];
        int r = as_psl_load(c->psl_file, &c->psl, err, sizeof err);
        if (r < 0)
            return finalize_failed(c, r == AUTHSCORE_ENOMEM ? r : AUTHSCORE_ECONFIG,
                                   "cannot load the Public Suffix List %s: %s (Debian package publicsuffix)",
                                   c->psl_file && *c->psl_file ? c->psl_file : "(system default)", err);
    }
    as_dns_cache_config cc = {
        .max_bytes = (size_t)c->dns_cache_size,
        .max_ttl = (uint32_t)c->dns_cache_max_ttl,
        .short_ttl = (uint32_t)c->dns_cache_bogus_ttl,
        .clock = monotonic_ms,
        .wall = wall_s,
    };
    if (c->dns_shared_cache) {
        if (!cc.max_bytes)
            return finalize_failed(c, AUTHSCORE_ECONFIG,
                                   "dns.shared_cache needs the per-process cache (dns.cache_size > 0)");
        char err[AS_OPTION_PATH_MAX + 128];
        int sr = as_dns_shared_open(c->dns_shared_cache, (size_t)c->dns_shared_cache_size,
                                    &c->shared, err, sizeof err);
        if (sr < 0)
            return finalize_failed(c, sr, "%s", sr == AUTHSCORE_ENOMEM ? "out of memory" : err);
        cc.shared = c->shared;
    }
    int cr = as_dns_cache_new(&cc, &c->cache);
    if (cr < 0)
        return finalize_failed(c, cr, "DNS answer cache: %s", authscore_strerror(cr));
    if (c->backend == AS_BACKEND_UNBOUND) {
        as_resolver_config rc = {0};
        rc.config_file = c->dns_config;
        rc.trust_anchor_file = c->trust_anchor;
        for (size_t i = 0; i < c->n_forwarders; i++)
            rc.forwarders[i] = c->forwarders[i];
        rc.n_forwarders = c->n_forwarders;
        rc.timeout_ms = c->dns_timeout_ms;
        rc.log = resolver_log;
        rc.log_user = c;
        char err[512] = "";
        int r = as_resolver_new(&rc, &c->resolver, err, sizeof err);
        if (r < 0)
            return finalize_failed(c, r, "DNS resolver: %s", err[0] ? err : authscore_strerror(r));
    }
    c->finalized = 1;
    return 0;
}
