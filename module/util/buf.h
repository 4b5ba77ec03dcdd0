/* buf.h - growable byte buffer with a hard maximum and a sticky error.
 *
 * Every append checks `len + n` against `max` before growing, so no size
 * arithmetic can wrap: len <= max <= SIZE_MAX / 2 is kept as an invariant.
 * After the first failure (AS_BUF_ENOMEM or AS_BUF_ELIMIT) every further
 * append is a no-op, so callers check once at the end. */
#ifndef AS_BUF_H
#define AS_BUF_H

#include <stddef.h>

enum { AS_BUF_OK = 0, AS_BUF_ENOMEM = 1, AS_BUF_ELIMIT = 2 };

typedef struct as_buf {
    char *p;      /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;   /* hard cap on len */
    int err;      /* sticky AS_BUF_* */
} as_buf;

void as_buf_init(as_buf *b, size_t max);
int as_buf_append(as_buf *b, const void *p, size_t n);
int as_buf_putc(as_buf *b, char c);
int as_buf_puts(as_buf *b, const char *s);
/* printf-style; formats only trusted text (numbers, our own strings). */
int as_buf_printf(as_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void as_buf_reset(as_buf *b);
/* Hand over the storage (caller frees with free()); the buffer is reset. */
char *as_buf_steal(as_buf *b, size_t *len);
void as_buf_free(as_buf *b);

#endif
