/* memcount.h - bytes the module allocates, counted without LD_PRELOAD.
 *
 * The benchmark links with -Wl,--wrap=malloc,calloc,realloc,free: every
 * call from code linked into the executable (the module's static library
 * and the benchmark) goes through memcount.c, which keeps the bytes in
 * use (malloc_usable_size, so allocator rounding is included) and a
 * high-water mark.  Allocations made inside shared libraries (OpenSSL's
 * own temporaries, libunbound) are not seen: heap_in_use() (mallinfo2)
 * covers those. */
#ifndef BENCH_MEMCOUNT_H
#define BENCH_MEMCOUNT_H

#include <stddef.h>

/* Bytes in use through the wrapped functions (may drift negative when a
 * pointer allocated inside libc, e.g. by strdup, is freed: use deltas). */
long memcount_in_use(void);
/* Start a window: the peak is reset to the current count. */
void memcount_window_start(void);
/* Highest count since the window started, minus the count at its start. */
long memcount_window_peak(void);
/* 1 when the wrappers are linked in (the --wrap flags were given). */
int memcount_active(void);
/* Process heap in use (mallinfo2().uordblks): everything, all libraries. */
size_t heap_in_use(void);

#endif
