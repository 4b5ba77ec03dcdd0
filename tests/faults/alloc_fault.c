/* alloc_fault.c - see alloc_fault.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "alloc_fault.h"
#include "dkim/crypto.h"
#include "util/arena.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t c, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t c, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static int armed, paused, hit;
static long seen, fail_at = -1;

void fa_arm(long at)
{
    seen = 0;
    hit = 0;
    paused = 0;
    fail_at = at;
    armed = 1;
}

void fa_pause(void) { paused = 1; }
void fa_resume(void) { paused = 0; }
long fa_seen(void) { return seen; }
int fa_hit(void) { return hit; }

void fa_disarm(void)
{
    armed = 0;
    fail_at = -1;
}

static int fault(void)
{
    if (!armed || paused)
        return 0;
    if (seen++ == fail_at) {
        hit = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return fault() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t c, size_t n) { return fault() ? NULL : __real_calloc(c, n); }
void *__wrap_realloc(void *p, size_t n) { return fault() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fault() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n)
{
    return fault() ? NULL : __real_strndup(s, n);
}

/* The per-message arena hands out most of a message's memory from a few
 * malloc'ed blocks: its entry points are fault points of their own, each
 * failing as the arena does (NULL).  Calls inside arena.c are not
 * wrapped, so each request counts once. */
void *__real_as_arena_alloc(as_arena *a, size_t n);
void *__real_as_arena_calloc(as_arena *a, size_t c, size_t n);
char *__real_as_arena_strndup(as_arena *a, const char *p, size_t n);
char *__real_as_arena_strdup(as_arena *a, const char *s);
char *__real_as_arena_strndup_lower(as_arena *a, const char *p, size_t n);
void *__wrap_as_arena_alloc(as_arena *a, size_t n);
void *__wrap_as_arena_calloc(as_arena *a, size_t c, size_t n);
char *__wrap_as_arena_strndup(as_arena *a, const char *p, size_t n);
char *__wrap_as_arena_strdup(as_arena *a, const char *s);
char *__wrap_as_arena_strndup_lower(as_arena *a, const char *p, size_t n);
char *__wrap_as_arena_printf(as_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void *__wrap_as_arena_alloc(as_arena *a, size_t n)
{
    return fault() ? NULL : __real_as_arena_alloc(a, n);
}
void *__wrap_as_arena_calloc(as_arena *a, size_t c, size_t n)
{
    return fault() ? NULL : __real_as_arena_calloc(a, c, n);
}
char *__wrap_as_arena_strndup(as_arena *a, const char *p, size_t n)
{
    return fault() ? NULL : __real_as_arena_strndup(a, p, n);
}
char *__wrap_as_arena_strdup(as_arena *a, const char *s)
{
    return fault() ? NULL : __real_as_arena_strdup(a, s);
}
char *__wrap_as_arena_strndup_lower(as_arena *a, const char *p, size_t n)
{
    return fault() ? NULL : __real_as_arena_strndup_lower(a, p, n);
}
/* Variadic, so not forwarded: the same two steps as arena.c. */
char *__wrap_as_arena_printf(as_arena *a, const char *fmt, ...)
{
    if (fault())
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *d = n < 0 ? NULL : __real_as_arena_alloc(a, (size_t)n + 1);
    if (d) {
        va_start(ap, fmt);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return d;
}

/* Before OpenSSL allocates anything (it refuses once it has). */
static int routed;
__attribute__((constructor)) static void route(void)
{
    routed = as_crypto_route_allocations();
}

int fa_crypto_routed(void) { return routed; }
