/* options.c - authscore_ctx_set_option(): one table, typed parsing with
 * hard caps (see options.h).  A new option is one row here plus one line
 * in docs/architecture.md and include/authscore.h (tests/core checks). */
#include "core/options.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dns/shared_cache.h"
#include "score/ar_write.h"

/* dkim.clock_skew: a signer's clock a day ahead is broken, not skewed. */
#define AS_OPTION_CLOCK_SKEW_MAX 86400
/* dns.forwarder: unbound's "address@port#tls-name": an IPv6 address (45),
 * "@65535" (6), '#' and a domain name (253) fit with room to spare. */
#define AS_OPTION_FORWARDER_MAX 511
/* authserv_id: the A-R writer keeps values below AS_AR_MAX_VALUE; a longer
 * one is refused here rather than cut there. */
#define AS_OPTION_AUTHSERV_ID_MAX ((long)AS_AR_MAX_VALUE - 1)

static int add_forwarder(authscore_ctx *c, const char *v)
{
    if (c->n_forwarders >= AS_RESOLVER_MAX_FORWARDERS)
        return AUTHSCORE_ELIMIT;
    char *d = strdup(v);
    if (!d)
        return AUTHSCORE_ENOMEM;
    c->forwarders[c->n_forwarders++] = d;
    return 0;
}

static const as_option_word backends[] = {
    {"unbound", AS_BACKEND_UNBOUND}, {"none", AS_BACKEND_NONE}, {NULL, 0}};
/* Boolean words: the two spellings hosts' config files commonly use. */
static const as_option_word yes_no[] = {
    {"yes", 1}, {"no", 0}, {"1", 1}, {"0", 0}, {NULL, 0}};
static const as_option_word dmarc_modes[] = {
    {"rfc9989", AS_DMARC_RFC9989}, {"rfc7489", AS_DMARC_RFC7489}, {NULL, 0}};

/* The field's offset, and a compile error (no _Generic match) when the
 * field is not of the type its option stores. */
#define AT(field, type) (offsetof(struct authscore_ctx, field) + \
    0 * sizeof(_Generic(((struct authscore_ctx *)0)->field, type: 1)))
#define OPT_PATH(n, field, help) \
    {n, AS_OPT_PATH, 0, AS_OPTION_PATH_MAX, NULL, AT(field, char *), NULL, help}
#define OPT_INT(n, lo, hi, field, help) \
    {n, AS_OPT_INT, lo, hi, NULL, AT(field, int), NULL, help}
#define OPT_ENUM(n, words, field, help) \
    {n, AS_OPT_ENUM, 0, 0, words, AT(field, int), NULL, help}

static const as_option options[] = {
    OPT_PATH("dns.config", dns_config,
        "unbound configuration file (auth-zones, stubs, forwarders)"),
    OPT_PATH("dns.trust_anchor", trust_anchor,
        "trust-anchor file (default /usr/share/dns/root.key); \"none\" for none"),
    {"dns.forwarder", AS_OPT_REPEAT, 0, AS_OPTION_FORWARDER_MAX, NULL, 0, add_forwarder,
        "forwarding resolver address (repeatable, at most 8); validation stays local"},
    OPT_INT("dns.timeout_ms", 1, AS_RESOLVER_MAX_TIMEOUT_MS, dns_timeout_ms,
        "per-message DNS deadline in milliseconds"),
    OPT_ENUM("dns.backend", backends, backend,
        "\"unbound\" builds the resolver at finalize; \"none\" builds none, for "
        "hosts that only use the sans-I/O API"),
    OPT_INT("dns.cache_size", 0, (long)AS_DNS_CACHE_MAX_BYTES, dns_cache_size,
        "bytes of the context's DNS answer cache (0: none); least recently used "
        "answers go first"),
    OPT_INT("dns.cache_max_ttl", 0, AS_DNS_CACHE_MAX_MAX_TTL, dns_cache_max_ttl,
        "longest time in seconds a secure or insecure answer is kept (its TTL "
        "if shorter)"),
    OPT_INT("dns.cache_bogus_ttl", 0, AS_DNS_CACHE_MAX_SHORT_TTL, dns_cache_bogus_ttl,
        "longest time in seconds a bogus or indeterminate answer is kept"),
    OPT_PATH("dns.shared_cache", dns_shared_cache,
        "file that every process of the host shares for secure and insecure answers "
        "(created 0600; must be this user's, not group- or world-writable)"),
    OPT_INT("dns.shared_cache_size", AS_DNS_SHARED_MIN_BYTES, AS_DNS_SHARED_MAX_BYTES,
        dns_shared_cache_size, "bytes of dns.shared_cache when it is created"),
    {"authserv_id", AS_OPT_STRING, 0, AS_OPTION_AUTHSERV_ID_MAX, NULL, AT(authserv_id, char *), NULL,
        "authserv-id of the A-R header and SPF's %{r} (default: the host name)"},
    OPT_INT("dkim.max_signatures", 1, AS_DKIM_MAX_SIGNATURES_HARD, dkim_max_signatures,
        "DKIM signatures evaluated per message"),
    OPT_INT("dkim.clock_skew", 0, AS_OPTION_CLOCK_SKEW_MAX, dkim_clock_skew,
        "seconds a DKIM t= may lie in the future"),
    OPT_ENUM("dkim.accept_rsa_sha1", yes_no, dkim_accept_rsa_sha1,
        "legacy exception to RFC 8301 3.1: \"yes\" verifies rsa-sha1 as a weak "
        "pass; \"no\" (default) makes it permerror weak_algorithm"),
    OPT_ENUM("dmarc.mode", dmarc_modes, dmarc_mode,
        "\"rfc9989\" (DNS tree walk) or \"rfc7489\" (Public Suffix List)"),
    OPT_PATH("dmarc.psl_file", psl_file,
        "Public Suffix List file for rfc7489 mode (default: Debian's, via libpsl)"),
    OPT_INT("dmarc.pct_seed", 0, INT32_MAX, dmarc_pct_seed,
        "seed of the deterministic pct= sampling of rfc7489 mode"),
    /* RFC 7208 4.6.4: the limits may only be lowered; 0 void lookups would
     * read as "RFC default" to the engine, so 1 is the floor. */
    OPT_INT("spf.max_lookups", 1, AS_SPF_MAX_LOOKUPS, spf_max_lookups,
        "SPF DNS-mechanism lookups (RFC 7208 4.6.4)"),
    OPT_INT("spf.max_void_lookups", 1, AS_SPF_MAX_VOID_LOOKUPS, spf_max_void_lookups,
        "SPF void lookups (RFC 7208 4.6.4)"),
    OPT_PATH("rules.file", rules_file,
        "rule file (docs/rules.md); without one symbols weigh 0 and there is no score"),
    OPT_PATH("report.log", report_log,
        "JSON Lines file the DMARC report rows are appended to, or a directory "
        "(ending in '/') for one file per UTC day (docs/dmarc-reports.md)"),
    OPT_ENUM("report.all", yes_no, report_all,
        "\"yes\": a report row for every message; \"no\" (default): only when "
        "the DMARC policy has a rua"),
};

size_t as_options_count(void)
{
    return sizeof options / sizeof options[0];
}

const as_option *as_option_at(size_t i)
{
    return i < as_options_count() ? &options[i] : NULL;
}

const char *as_option_name(size_t i)
{
    const as_option *o = as_option_at(i);
    return o ? o->name : NULL;
}

static const as_option *find(const char *name)
{
    size_t n = strnlen(name, AS_OPTION_NAME_MAX + 1);
    if (n > AS_OPTION_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < as_options_count(); i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

/* Decimal digits only (no sign, space or base prefix) in [lo, hi]. */
static int parse_long(const char *p, size_t len, long lo, long hi, long *out)
{
    if (len == 0)
        return -1;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        int d = p[i] - '0';
        if (n > (LONG_MAX - d) / 10)
            return -1; /* overflow: out of any range */
        n = n * 10 + d;
    }
    if (n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

static int parse_word(const as_option_word *w, const char *p, size_t len, int *out)
{
    for (; w->word; w++)
        if (strlen(w->word) == len && memcmp(w->word, p, len) == 0) {
            *out = w->value;
            return 0;
        }
    return -1;
}

static int set_text(char **slot, const char *v, size_t len)
{
    char *d = strndup(v, len);
    if (!d)
        return AUTHSCORE_ENOMEM;
    free(*slot);
    *slot = d;
    return 0;
}

/* Levenshtein distance of two names of at most AS_OPTION_NAME_MAX bytes
 * (the caller caps them), in two rows on the stack. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[AS_OPTION_NAME_MAX + 1], prev[AS_OPTION_NAME_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, row, (lb + 1) * sizeof row[0]);
    }
    return prev[lb];
}

/* An unknown name: say so, with the nearest known name when one is close
 * (a typo, or a prefix such as dns.timeout for dns.timeout_ms), through
 * authscore_ctx_error() and the log callback, so the admin sees it. */
static void unknown_option(authscore_ctx *c, const char *name)
{
    char shown[AS_OPTION_NAME_MAX + 1];
    size_t n = strnlen(name, AS_OPTION_NAME_MAX + 1);
    if (n > AS_OPTION_NAME_MAX) {
        snprintf(c->error, sizeof c->error,
                 "unknown option (name longer than %u bytes)", AS_OPTION_NAME_MAX);
        as_log(c, AUTHSCORE_LOG_ERROR, "%s", c->error);
        return;
    }
    for (size_t i = 0; i < n; i++) /* the name is the caller's text */
        shown[i] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
    shown[n] = '\0';
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < as_options_count(); i++) {
        const char *k = options[i].name;
        size_t kl = strlen(k);
        /* A prefix that covers most of the name counts as one typo. */
        size_t d = 2 * n >= kl && kl > n && memcmp(k, name, n) == 0
                       ? 1 : edit_distance(name, n, k, kl);
        if (d < best_d)
            best = k, best_d = d;
    }
    /* Close: at most a third of the name's letters wrong, at least 1. */
    if (best && best_d <= (n + 2) / 3)
        snprintf(c->error, sizeof c->error,
                 "unknown option %s (did you mean %s?)", shown, best);
    else
        snprintf(c->error, sizeof c->error, "unknown option %s", shown);
    as_log(c, AUTHSCORE_LOG_ERROR, "%s", c->error);
}

int as_option_set(authscore_ctx *c, const char *name, const char *v)
{
    c->error[0] = '\0';
    const as_option *o = find(name);
    if (!o) {
        unknown_option(c, name);
        return AUTHSCORE_EINVAL;
    }
    /* Every value is bounded before it is read: the longest allowed is
     * AS_OPTION_PATH_MAX (text) or 19 digits (integers). */
    size_t cap = o->type == AS_OPT_INT || o->type == AS_OPT_ENUM ? 32 : (size_t)o->max;
    size_t len = strnlen(v, cap + 1);
    if (len > cap)
        return AUTHSCORE_EINVAL;
    char *base = (char *)c;
    switch (o->type) {
    case AS_OPT_INT: {
        long n;
        if (parse_long(v, len, o->min, o->max, &n) < 0)
            return AUTHSCORE_EINVAL;
        *(int *)(base + o->offset) = (int)n; /* every range fits an int */
        return 0;
    }
    case AS_OPT_ENUM: {
        int w;
        if (parse_word(o->words, v, len, &w) < 0)
            return AUTHSCORE_EINVAL;
        *(int *)(base + o->offset) = w;
        return 0;
    }
    case AS_OPT_STRING:
    case AS_OPT_PATH:
    case AS_OPT_REPEAT:
        if (len < (size_t)o->min)
            return AUTHSCORE_EINVAL;
        return o->add ? o->add(c, v) : set_text((char **)(base + o->offset), v, len);
    }
    return AUTHSCORE_EINVAL;
}
