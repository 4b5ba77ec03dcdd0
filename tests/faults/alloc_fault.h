/* alloc_fault.h - a test allocator in the manner of curl's torture tests:
 * every allocation of the program goes through the wraps in alloc_fault.c
 * (linked with -Wl,--wrap=malloc,calloc,realloc,strdup,strndup and the
 * per-message arena's entry points, util/arena.h; OpenSSL's allocations
 * reach them through as_crypto_route_allocations), which count
 * the allocations made while armed and fail the one numbered `fail_at`
 * (0-based), once.  Single-threaded use: the pipeline's own calls all run
 * on the calling thread (libunbound's worker thread does not come here). */
#ifndef FX_ALLOC_FAULT_H
#define FX_ALLOC_FAULT_H

/* Start counting; fail allocation number fail_at (-1: none). */
void fa_arm(long fail_at);
/* Stop counting (the test's own plumbing allocates freely). */
void fa_pause(void);
void fa_resume(void);
/* Allocations counted since fa_arm, and whether fail_at was reached. */
long fa_seen(void);
int fa_hit(void);
void fa_disarm(void);
/* 1 when OpenSSL's allocations are routed through the wraps. */
int fa_crypto_routed(void);

#endif
