/* memcount.c - see memcount.h.  Single-threaded benchmark: plain counters. */
#include "memcount.h"

#include <malloc.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t c, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t c, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static long in_use, peak, window_base;
static int active;

static void add(void *p)
{
    if (!p)
        return;
    in_use += (long)malloc_usable_size(p);
    if (in_use > peak)
        peak = in_use;
}

void *__wrap_malloc(size_t n)
{
    active = 1;
    void *p = __real_malloc(n);
    add(p);
    return p;
}

void *__wrap_calloc(size_t c, size_t n)
{
    active = 1;
    void *p = __real_calloc(c, n);
    add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    active = 1;
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = __real_realloc(p, n);
    if (q || n == 0)
        in_use -= (long)old;
    add(q);
    return q;
}

void __wrap_free(void *p)
{
    if (p)
        in_use -= (long)malloc_usable_size(p);
    __real_free(p);
}

long memcount_in_use(void)
{
    return in_use;
}

void memcount_window_start(void)
{
    window_base = in_use;
    peak = in_use;
}

long memcount_window_peak(void)
{
    return peak - window_base;
}

int memcount_active(void)
{
    return active;
}

size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
}
