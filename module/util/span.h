/* span.h - zero-copy (pointer, length) views into borrowed bytes. */
#ifndef AS_SPAN_H
#define AS_SPAN_H

#include <stddef.h>
#include <string.h>

typedef struct as_span {
    const char *p;
    size_t len;
} as_span;

static inline as_span as_span_make(const char *p, size_t len)
{
    as_span s = {p, len};
    return s;
}

/* ASCII-only case folding: wire data is never locale text. */
static inline char as_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive ASCII equality of two byte ranges. */
static inline int as_span_ieq(const char *a, size_t alen, const char *b,
                              size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (as_ascii_lower(a[i]) != as_ascii_lower(b[i]))
            return 0;
    return 1;
}

/* Case-insensitive equality of a span and a C string literal. */
static inline int as_span_ieq_cstr(as_span s, const char *lit)
{
    return as_span_ieq(s.p, s.len, lit, strlen(lit));
}

static inline int as_is_wsp(char c) { return c == ' ' || c == '\t'; }

/* Trim RFC 5322 WSP, CR and LF from both ends. */
static inline as_span as_span_trim(as_span s)
{
    while (s.len && (as_is_wsp(s.p[0]) || s.p[0] == '\r' || s.p[0] == '\n')) {
        s.p++;
        s.len--;
    }
    while (s.len && (as_is_wsp(s.p[s.len - 1]) || s.p[s.len - 1] == '\r' ||
                     s.p[s.len - 1] == '\n'))
        s.len--;
    return s;
}

#endif
