/* tagvalue.c - RFC 6376 section 3.2 tag=value lists (see tagvalue.h).
 *
 * A single forward scan.  Tags are collected in a fixed array bounded by
 * AS_TAGLIST_MAX_TAGS (no VLA, no growth) and copied to the arena once. */
#include "msg/tagvalue.h"

#include <string.h>

#include <authscore.h>

static inline int is_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ALNUMPUNC = ALPHA / DIGIT / "_" */
static inline int is_alnumpunc(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* VALCHAR = %x21-3A / %x3C-7E (printable, not ';') */
static inline int is_valchar(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != ';';
}

static inline int is_wsp(unsigned char c) { return c == ' ' || c == '\t'; }

/* Skip FWS: WSP, and line breaks (CRLF or LF) only when WSP follows.
 * Returns 0, or -1 when it stopped at a line break that is not a fold. */
static int skip_fws(const char *p, size_t len, size_t *ip)
{
    size_t i = *ip;
    for (;;) {
        if (i < len && is_wsp((unsigned char)p[i])) {
            i++;
        } else if (i + 2 < len && p[i] == '\r' && p[i + 1] == '\n' &&
                   is_wsp((unsigned char)p[i + 2])) {
            i += 3;
        } else if (i + 1 < len && p[i] == '\n' &&
                   is_wsp((unsigned char)p[i + 1])) {
            i += 2;
        } else {
            break;
        }
    }
    *ip = i;
    return (i < len && (p[i] == '\r' || p[i] == '\n')) ? -1 : 0;
}

static int finish(as_arena *a, const as_tag *tmp, size_t n, as_taglist *out)
{
    if (n == 0)
        return 0;
    as_tag *t = as_arena_alloc(a, n * sizeof *t);
    if (!t)
        return -1;
    memcpy(t, tmp, n * sizeof *t);
    out->tags = t;
    out->count = n;
    return 0;
}

int as_taglist_parse(as_arena *a, const char *p, size_t len, size_t max_tags,
                     as_taglist *out, const char **err)
{
    as_tag tmp[AS_TAGLIST_MAX_TAGS];
    size_t n = 0;
    const char *why = NULL;
    int rc = 0;
    size_t i = 0;

    memset(out, 0, sizeof *out);
    if (max_tags == 0 || max_tags > AS_TAGLIST_MAX_TAGS)
        max_tags = AS_TAGLIST_MAX_TAGS;
    if (err)
        *err = NULL;
    if (!p)
        len = 0;

    if (skip_fws(p, len, &i) < 0) {
        why = "line break not followed by whitespace";
        goto fail;
    }
    while (i < len) {
        /* tag-name */
        unsigned char c = (unsigned char)p[i];
        if (c == ';') {
            why = "empty tag-spec";
            goto fail;
        }
        if (!is_alpha(c)) {
            why = "bad tag name";
            goto fail;
        }
        size_t ns = i++;
        while (i < len && is_alnumpunc((unsigned char)p[i]))
            i++;
        size_t ne = i;
        if (skip_fws(p, len, &i) < 0) {
            why = "line break not followed by whitespace";
            goto fail;
        }
        if (i >= len || p[i] != '=') {
            why = (i >= len || p[i] == ';') ? "missing '='" : "bad tag name";
            goto fail;
        }
        i++;
        if (skip_fws(p, len, &i) < 0) {
            why = "line break not followed by whitespace";
            goto fail;
        }

        /* tag-value: tvals separated by FWS; trailing FWS not included */
        size_t vs = i, ve = i;
        while (i < len && p[i] != ';') {
            if (is_valchar((unsigned char)p[i])) {
                i++;
                ve = i;
            } else if (is_wsp((unsigned char)p[i]) || p[i] == '\r' ||
                       p[i] == '\n') {
                if (skip_fws(p, len, &i) < 0) {
                    why = "line break not followed by whitespace";
                    goto fail;
                }
            } else {
                why = "bad byte in tag value";
                goto fail;
            }
        }

        /* Duplicates are an error (3.2); names are case-sensitive. */
        for (size_t k = 0; k < n; k++)
            if (tmp[k].name.len == ne - ns &&
                memcmp(tmp[k].name.p, p + ns, ne - ns) == 0) {
                why = "duplicate tag";
                goto fail;
            }
        if (n >= max_tags) {
            rc = AUTHSCORE_ELIMIT;
            why = "too many tags";
            goto fail;
        }
        tmp[n].name = as_span_make(p + ns, ne - ns);
        tmp[n].value = as_span_make(p + vs, ve - vs);
        n++;

        if (i >= len)
            break;
        i++; /* ';' */
        if (skip_fws(p, len, &i) < 0) {
            why = "line break not followed by whitespace";
            goto fail;
        }
        /* A trailing ';' (with optional FWS) ends the list. */
    }
    if (finish(a, tmp, n, out) < 0) {
        if (err)
            *err = "out of memory";
        return AUTHSCORE_ENOMEM;
    }
    return 0;

fail:
    if (rc == 0)
        rc = AUTHSCORE_EPARSE;
    /* Keep the tags parsed before the error (for diagnostics only). */
    if (finish(a, tmp, n, out) < 0) {
        if (err)
            *err = "out of memory";
        return AUTHSCORE_ENOMEM;
    }
    if (err)
        *err = why;
    return rc;
}

const as_tag *as_taglist_get(const as_taglist *t, const char *name)
{
    size_t n = strlen(name); /* our own literal, never wire data */
    for (size_t i = 0; i < t->count; i++)
        if (t->tags[i].name.len == n && memcmp(t->tags[i].name.p, name, n) == 0)
            return &t->tags[i];
    return NULL;
}
