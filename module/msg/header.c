/* header.c - RFC 5322 section 2.2 header block parser (see header.h).
 *
 * One forward pass: memchr finds each line end (bounded by the field and
 * block caps, so a 10 MB line costs at most one cap's worth of scanning),
 * a second memchr over the same line rejects NUL.  Views point into the
 * input; only a folded field's unfolded value is copied to the arena. */
#include "msg/header.h"

#include <stdint.h>
#include <string.h>

#include <authscore.h>

/* RFC 5322 3.6.8: ftext = %d33-57 / %d59-126 (printable except ':'). */
static inline int is_ftext(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

as_header_limits as_header_default_limits(void)
{
    as_header_limits l = {AS_HEADER_MAX_FIELDS, AS_HEADER_MAX_FIELD_BYTES,
                          AS_HEADER_MAX_BLOCK_BYTES};
    return l;
}

/* Limits may only lower the hard caps; 0 means "the default". */
as_header_limits as_header_effective_limits(const as_header_limits *lim)
{
    as_header_limits l = as_header_default_limits();
    if (lim) {
        if (lim->max_fields && lim->max_fields < l.max_fields)
            l.max_fields = lim->max_fields;
        if (lim->max_field_bytes && lim->max_field_bytes < l.max_field_bytes)
            l.max_field_bytes = lim->max_field_bytes;
        if (lim->max_block_bytes && lim->max_block_bytes < l.max_block_bytes)
            l.max_block_bytes = lim->max_block_bytes;
    }
    return l;
}

static int set_status(as_header_block *out, int status, const char *reason)
{
    out->status = status;
    out->reason = reason;
    return status;
}

static int alloc_failure(as_arena *a, as_header_block *out)
{
    if (a->limited)
        return set_status(out, AUTHSCORE_ELIMIT, "arena cap reached");
    return set_status(out, AUTHSCORE_ENOMEM, "out of memory");
}

/* Grow the field array inside the arena by doubling, never past max.
 * The old array stays in the arena: at most as much again is wasted. */
static int grow_fields(as_arena *a, as_header_block *out, size_t *cap,
                       size_t max)
{
    size_t ncap = *cap ? *cap * 2 : 32;
    if (ncap > max)
        ncap = max;
    as_header_field *nf = as_arena_alloc(a, ncap * sizeof *nf);
    if (!nf)
        return -1;
    if (out->count)
        memcpy(nf, out->fields, out->count * sizeof *nf);
    out->fields = nf;
    *cap = ncap;
    return 0;
}

/* Copy value_raw without the line breaks of its folds (RFC 5322 2.2.3).
 * Every line break inside value_raw is a fold by construction. */
static const char *unfold(as_arena *a, const char *v, size_t n, size_t *outlen)
{
    char *d = as_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\n')
            continue;
        if (v[i] == '\r' && i + 1 < n && v[i + 1] == '\n')
            continue;
        d[o++] = v[i];
    }
    d[o] = '\0';
    *outlen = o;
    return d;
}

int as_header_parse(as_arena *a, const char *p, size_t len,
                    const as_header_limits *lim, as_header_block *out)
{
    memset(out, 0, sizeof *out);
    out->body_offset = len;
    if (!p || len == 0)
        return 0;

    as_header_limits l = as_header_effective_limits(lim);
    size_t cap = 0;
    size_t pos = 0;

    if (p[0] == ' ' || p[0] == '\t') {
        /* Nothing to continue: no header at all, the input is body. */
        out->body_offset = 0;
        out->has_body = 1;
        return set_status(out, AUTHSCORE_EPARSE,
                          "continuation line before first field");
    }

    while (pos < len) {
        const size_t fs = pos;
        /* Nothing of this field may lie past either cap. */
        size_t hard_end = min_size(len, l.max_block_bytes);
        if (len - fs > l.max_field_bytes)
            hard_end = min_size(hard_end, fs + l.max_field_bytes);
        if (hard_end <= fs)
            return set_status(out, AUTHSCORE_ELIMIT, "header block too large");

        /* First line of the field (or the blank line). */
        const char *nl = memchr(p + fs, '\n', hard_end - fs);
        if (!nl && hard_end < len)
            return set_status(out, AUTHSCORE_ELIMIT,
                              hard_end == l.max_block_bytes
                                  ? "header block too large"
                                  : "header field too large");
        size_t e = nl ? (size_t)(nl - p) : len; /* '\n' index, or len */
        if (memchr(p + fs, '\0', e - fs))
            return set_status(out, AUTHSCORE_EPARSE, "NUL in header");

        if (nl && (e == fs || (e == fs + 1 && p[fs] == '\r'))) {
            out->body_offset = e + 1;
            out->has_body = 1;
            return out->status;
        }

        /* field-name, optional WSP (obs-optional), ':' */
        size_t i = fs;
        while (i < e && is_ftext((unsigned char)p[i]))
            i++;
        size_t name_end = i;
        while (i < e && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i >= e || p[i] != ':' || name_end == fs) {
            /* Not a field: the header block ends here, the rest is body. */
            out->body_offset = fs;
            out->has_body = 1;
            return set_status(out, AUTHSCORE_EPARSE,
                              memchr(p + fs, ':', e - fs) ? "bad field name"
                                                          : "line without colon");
        }
        size_t colon = i;
        if (out->count >= l.max_fields)
            return set_status(out, AUTHSCORE_ELIMIT, "too many header fields");

        /* Continuation lines: each next line starting with WSP. */
        int folded = 0;
        while (nl && e + 1 < len && (p[e + 1] == ' ' || p[e + 1] == '\t')) {
            size_t ls = e + 1;
            if (ls >= hard_end)
                return set_status(out, AUTHSCORE_ELIMIT,
                                  hard_end == l.max_block_bytes
                                      ? "header block too large"
                                      : "header field too large");
            nl = memchr(p + ls, '\n', hard_end - ls);
            if (!nl && hard_end < len)
                return set_status(out, AUTHSCORE_ELIMIT,
                                  hard_end == l.max_block_bytes
                                      ? "header block too large"
                                      : "header field too large");
            e = nl ? (size_t)(nl - p) : len;
            if (memchr(p + ls, '\0', e - ls))
                return set_status(out, AUTHSCORE_EPARSE, "NUL in header");
            folded = 1;
        }

        size_t value_end = e;
        size_t raw_end = e;
        if (nl) {
            raw_end = e + 1;
            if (p[e - 1] == '\r' && e - 1 > colon)
                value_end = e - 1;
        }

        if (out->count == cap && grow_fields(a, out, &cap, l.max_fields) < 0)
            return alloc_failure(a, out);
        as_header_field *f = &out->fields[out->count];
        f->name = as_span_make(p + fs, name_end - fs);
        f->raw = as_span_make(p + fs, raw_end - fs);
        f->value_raw = as_span_make(p + colon + 1, value_end - colon - 1);
        if (folded) {
            size_t ulen;
            const char *u = unfold(a, f->value_raw.p, f->value_raw.len, &ulen);
            if (!u)
                return alloc_failure(a, out);
            f->value = as_span_make(u, ulen);
        } else {
            f->value = f->value_raw;
        }
        out->count++;
        pos = raw_end;
    }
    /* End of input inside the header: no body. */
    return out->status;
}

size_t as_header_find(const as_header_block *h, const char *name, size_t from)
{
    size_t n = strlen(name); /* our own literal, never wire data */
    for (size_t i = from; i < h->count; i++)
        if (as_span_ieq(h->fields[i].name.p, h->fields[i].name.len, name, n))
            return i;
    return (size_t)-1;
}

size_t as_header_rfind(const as_header_block *h, const char *name,
                       size_t name_len, size_t before)
{
    if (before > h->count)
        before = h->count;
    for (size_t i = before; i-- > 0;)
        if (as_span_ieq(h->fields[i].name.p, h->fields[i].name.len, name,
                        name_len))
            return i;
    return (size_t)-1;
}
