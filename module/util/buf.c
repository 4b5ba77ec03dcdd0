/* buf.c - bounded growable buffer; see buf.h for the overflow reasoning. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void as_buf_init(as_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    /* Keep max small enough that cap doubling below cannot wrap. */
    b->max = max > ((size_t)-1) / 4 ? ((size_t)-1) / 4 : max;
}

static int grow(as_buf *b, size_t need)
{
    /* need <= max + 1 <= SIZE_MAX / 4 + 1, so doubling cannot wrap. */
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->err = AS_BUF_ENOMEM;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int as_buf_append(as_buf *b, const void *p, size_t n)
{
    if (b->err)
        return -1;
    if (n > b->max - b->len) {
        b->err = AS_BUF_ELIMIT;
        return -1;
    }
    if (b->len + n + 1 > b->cap && grow(b, b->len + n + 1) < 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int as_buf_putc(as_buf *b, char c) { return as_buf_append(b, &c, 1); }

int as_buf_puts(as_buf *b, const char *s) { return as_buf_append(b, s, strlen(s)); }

int as_buf_printf(as_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = AS_BUF_ELIMIT;
        return -1;
    }
    if ((size_t)n < sizeof tmp)
        return as_buf_append(b, tmp, (size_t)n);
    /* Rare long case: format again into the buffer's own storage. */
    if (b->err)
        return -1;
    if ((size_t)n > b->max - b->len) {
        b->err = AS_BUF_ELIMIT;
        return -1;
    }
    if (b->len + (size_t)n + 1 > b->cap && grow(b, b->len + (size_t)n + 1) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void as_buf_reset(as_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *as_buf_steal(as_buf *b, size_t *len)
{
    char *p = b->p;
    if (len)
        *len = b->len;
    size_t max = b->max;
    as_buf_init(b, max);
    return p;
}

void as_buf_free(as_buf *b)
{
    free(b->p);
    size_t max = b->max;
    as_buf_init(b, max);
}
