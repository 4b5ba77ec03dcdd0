/* arena.h - per-message bump allocator with a hard byte cap.
 *
 * Everything a message derives (parsed views, DNS answers, result strings)
 * lives here and is released at once by as_arena_free().  Allocation past
 * the cap or a failed malloc returns NULL; callers turn that into
 * AUTHSCORE_ENOMEM or AUTHSCORE_ELIMIT (as_arena_exhausted tells which). */
#ifndef AS_ARENA_H
#define AS_ARENA_H

#include <stddef.h>

typedef struct as_arena_block as_arena_block;

typedef struct as_arena {
    as_arena_block *head;
    size_t used;   /* bytes handed out plus block overhead */
    size_t max;    /* hard cap on used */
    int limited;   /* set when a request was refused for the cap */
} as_arena;

void as_arena_init(as_arena *a, size_t max);
void *as_arena_alloc(as_arena *a, size_t n);          /* 16-byte aligned */
void *as_arena_calloc(as_arena *a, size_t count, size_t size);
/* Copy n bytes and add a NUL. */
char *as_arena_strndup(as_arena *a, const char *p, size_t n);
char *as_arena_strdup(as_arena *a, const char *s);
/* Copy n bytes, lowercasing ASCII, and add a NUL. */
char *as_arena_strndup_lower(as_arena *a, const char *p, size_t n);
char *as_arena_printf(as_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void as_arena_free(as_arena *a);

#endif
