/* stress_memory.c - per-message memory stays bounded on a long-lived ctx.
 *
 * 1. pass.eml (SPF, DKIM crypto, DMARC) scored 20,000 times on one ctx
 *    through the sans-I/O API, answered from good.example's records (the
 *    text of examples/zones/good.example.zone).  The heap in use after the
 *    loop must be within PD_MAX_DELTA of the heap after the first 100
 *    messages: nothing per message outlives authscore_msg_free().
 * 2. The decoded-key cache is bounded: each message gets a key record
 *    with different bytes (an n= note), so every message misses and
 *    decodes.  Once the cache is full (AS_DKIM_KEYCACHE_ENTRIES), the heap
 *    must not grow any more, and the cache must evict.
 *
 * The heap in use is mallinfo2().uordblks, or the sanitizer allocator's
 * count under AddressSanitizer (which replaces malloc).
 * Exit status: 0 pass, 1 fail. */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "stress_pass.h"
#include "core/internal.h"
#include "dkim/dkim.h"

#if defined(__SANITIZE_ADDRESS__)
#define PD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PD_ASAN 1
#endif
#endif
#ifdef PD_ASAN
/* From the sanitizer runtime (gcc and clang); declared here because gcc
 * does not always install <sanitizer/allocator_interface.h>. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define MESSAGES 20000
#define WARMUP 100
/* Allowed growth: allocator bookkeeping noise, far below one leaked
 * message per 100 messages (a message's arena alone is several KiB). */
#define PD_MAX_DELTA (64 * 1024)

static size_t heap_in_use(void)
{
#ifdef PD_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

static int failures;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static authscore_ctx *new_ctx(void)
{
    authscore_ctx *ctx;
    if (authscore_ctx_new(&ctx) < 0)
        return NULL;
    /* Fresh key records per message must reach the key cache: no DNS
     * answer cache in front of it. */
    if (authscore_ctx_set_option(ctx, "dns.backend", "none") < 0 ||
        authscore_ctx_set_option(ctx, "dns.cache_size", "0") < 0 ||
        authscore_ctx_finalize(ctx) < 0) {
        authscore_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    size_t n = b ? fread(b, 1, 1 << 20, f) : 0;
    fclose(f);
    *len = n;
    return b;
}

int main(void)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/messages/pass.eml", root ? root : ".");
    size_t len;
    char *msg = slurp(path, &len);
    if (!msg || len == 0) {
        fprintf(stderr, "cannot read %s (set AUTHSCORE_SOURCE_ROOT)\n", path);
        return 1;
    }

    /* 1. The same message, again and again. */
    authscore_ctx *ctx = new_ctx();
    if (!ctx) {
        fprintf(stderr, "cannot build a context\n");
        return 1;
    }
    size_t base = 0;
    for (long i = 0; i < MESSAGES; i++) {
        if (sp_score_pass(ctx, msg, len, -1) != 0) {
            fail("message %ld did not pass SPF, DKIM and DMARC", i);
            break;
        }
        if (i + 1 == WARMUP)
            base = heap_in_use();
    }
    size_t end = heap_in_use();
    long delta = (long)end - (long)base;
    printf("same message x %d: heap in use %zu bytes after %d, %zu after %d: "
           "delta %ld bytes\n", MESSAGES, base, WARMUP, end, MESSAGES, delta);
    if (delta > PD_MAX_DELTA)
        fail("heap grew by %ld bytes over %d messages (allowed %d)", delta,
             MESSAGES - WARMUP, PD_MAX_DELTA);
    authscore_ctx_free(ctx);

    /* 2. A new key record per message: the key cache fills, then evicts. */
    ctx = new_ctx();
    if (!ctx)
        return 1;
    const long fill = AS_DKIM_KEYCACHE_ENTRIES + WARMUP;
    const long total = 3L * AS_DKIM_KEYCACHE_ENTRIES;
    for (long i = 0; i < total; i++) {
        if (sp_score_pass(ctx, msg, len, i) != 0) {
            fail("message %ld with a fresh key record did not pass", i);
            break;
        }
        if (i + 1 == fill)
            base = heap_in_use();
    }
    end = heap_in_use();
    delta = (long)end - (long)base;
    as_dkim_keycache_stats st;
    as_dkim_keycache_get_stats(ctx->keys, &st);
    printf("fresh key record x %ld: heap in use %zu after %ld, %zu after %ld: "
           "delta %ld bytes; key cache %zu entries, %lu decodes, %lu evictions\n",
           total, base, fill, end, total, delta, st.entries, st.decodes, st.evictions);
    if (delta > PD_MAX_DELTA)
        fail("heap grew by %ld bytes once the key cache was full", delta);
    if (st.entries > AS_DKIM_KEYCACHE_ENTRIES)
        fail("key cache holds %zu entries, over its bound %d", st.entries,
             AS_DKIM_KEYCACHE_ENTRIES);
    if (st.evictions < (unsigned long)(total - AS_DKIM_KEYCACHE_ENTRIES))
        fail("key cache evicted %lu entries, expected at least %ld", st.evictions,
             total - AS_DKIM_KEYCACHE_ENTRIES);
    authscore_ctx_free(ctx);
    free(msg);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
