/* spf_macro.c - RFC 7208 section 7 macro syntax check and expansion. */
#include "spf/spf_macro.h"

#include <string.h>

static int is_delim(char c)
{
    /* 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "=" */
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' ||
           c == '_' || c == '=';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* One parsed "%{...}" macro-expand. */
typedef struct macro_tok {
    char letter;        /* as written (case tells URL escaping) */
    unsigned digits;    /* 0: none given */
    int reverse;
    const char *delims; /* delimiter characters as written */
    size_t ndelims;
    size_t end;         /* offset just past '}' */
} macro_tok;

/* Parse "%{" at p[i] (p[i] == '%', p[i+1] == '{').  Returns 0 or -1. */
static int parse_brace(const char *p, size_t len, size_t i, int mode,
                       macro_tok *t, const char **why)
{
    size_t k = i + 2;
    if (k >= len) {
        *why = "unterminated macro";
        return -1;
    }
    char L = p[k];
    char l = as_ascii_lower(L);
    if (!strchr("slodiphcrtv", l) || l == '\0') {
        *why = "unknown macro letter";
        return -1;
    }
    if ((l == 'c' || l == 'r' || l == 't') && mode != AS_SPF_MACRO_EXPLAIN) {
        *why = "macros c, r, t are allowed only in exp text (RFC 7208 7.3)";
        return -1;
    }
    t->letter = L;
    k++;
    int have_digits = 0;
    unsigned v = 0;
    while (k < len && p[k] >= '0' && p[k] <= '9') {
        have_digits = 1;
        if (v < 100000u)
            v = v * 10 + (unsigned)(p[k] - '0');
        k++;
    }
    if (have_digits && v == 0) {
        *why = "macro digit transformer must be nonzero (RFC 7208 7.3)";
        return -1;
    }
    t->digits = v > AS_SPF_MACRO_MAX_DIGITS ? AS_SPF_MACRO_MAX_DIGITS : v;
    t->reverse = 0;
    if (k < len && (p[k] == 'r' || p[k] == 'R')) {
        t->reverse = 1;
        k++;
    }
    t->delims = p + k;
    while (k < len && is_delim(p[k]))
        k++;
    t->ndelims = (size_t)(p + k - t->delims);
    if (k >= len || p[k] != '}') {
        *why = "invalid character in macro";
        return -1;
    }
    t->end = k + 1;
    return 0;
}

/* A toplabel (RFC 7208 7.1): alphanumerics and '-', not starting or ending
 * with '-', with a letter or a '-' (so not all digits). */
static int is_toplabel(const char *p, size_t len)
{
    if (len == 0 || !is_alnum(p[0]) || !is_alnum(p[len - 1]))
        return 0;
    int alpha = 0, dash = 0;
    for (size_t k = 0; k < len; k++) {
        if (p[k] == '-')
            dash = 1;
        else if (is_alpha(p[k]))
            alpha = 1;
        else if (!is_alnum(p[k]))
            return 0;
    }
    return alpha || dash;
}

int as_spf_macro_check(const char *p, size_t len, int mode, unsigned *flags,
                       const char **why, size_t *err_off)
{
    unsigned f = 0;
    int ends_in_macro = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)p[i];
        ends_in_macro = 0;
        if (c == '%') {
            if (i + 1 >= len) {
                *why = "'%' at end of macro-string";
                *err_off = i;
                return -1;
            }
            char n = p[i + 1];
            if (n == '%' || n == '_' || n == '-') {
                i += 2;
                ends_in_macro = 1;
                continue;
            }
            if (n != '{') {
                *why = "'%' not followed by '{', '%', '_' or '-'";
                *err_off = i;
                return -1;
            }
            macro_tok t;
            if (parse_brace(p, len, i, mode, &t, why) < 0) {
                *err_off = i;
                return -1;
            }
            f |= AS_SPF_MACRO_HAS_MACRO;
            if (as_ascii_lower(t.letter) == 'p')
                f |= AS_SPF_MACRO_USES_P;
            i = t.end;
            ends_in_macro = 1;
            continue;
        }
        int ok = (c >= 0x21 && c <= 0x7e) ||
                 (c == 0x20 && mode == AS_SPF_MACRO_EXPLAIN);
        if (!ok) {
            *why = c >= 0x80 ? "non-ASCII byte" : "invalid character";
            *err_off = i;
            return -1;
        }
        i++;
    }
    if (mode == AS_SPF_MACRO_DOMAIN && !ends_in_macro) {
        /* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
        size_t n = len;
        if (n && p[n - 1] == '.')
            n--;
        size_t dot = n;
        while (dot > 0 && p[dot - 1] != '.')
            dot--;
        if (dot == 0 || !is_toplabel(p + dot, n - dot)) {
            *why = "domain-spec does not end in a top-level label or macro "
                   "(RFC 7208 7.1)";
            *err_off = len;
            return -1;
        }
    }
    *flags = f;
    return 0;
}

/* Output window.  In sliding mode the front is dropped when full, so the
 * rightmost bytes survive (all that left truncation can keep). */
typedef struct out_win {
    char *o;
    size_t n, cap;
    int slide;
} out_win;

static void put(out_win *w, char c)
{
    if (w->n == w->cap) {
        if (!w->slide || w->cap < 2)
            return;
        size_t half = w->cap / 2;
        memmove(w->o, w->o + half, w->cap - half);
        w->n = w->cap - half;
    }
    w->o[w->n++] = c;
}

static void put_esc(out_win *w, char c, int escape)
{
    static const char hex[] = "0123456789ABCDEF";
    /* 7.3: uppercase macros are URL-escaped: all but unreserved
     * (ALPHA / DIGIT / "-" / "." / "_" / "~") become %XX. */
    if (!escape || is_alnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
        put(w, c);
        return;
    }
    unsigned char u = (unsigned char)c;
    put(w, '%');
    put(w, hex[u >> 4]);
    put(w, hex[u & 15]);
}

static int in_set(char c, const char *set, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (set[k] == c)
            return 1;
    return 0;
}

static as_span letter_value(const as_spf_macro_vars *v, char l)
{
    switch (l) {
    case 's': return v->s;
    case 'l': return v->l;
    case 'o': return v->o;
    case 'd': return v->d;
    case 'i': return v->i;
    case 'p': return v->p;
    case 'v': return v->v;
    case 'h': return v->h;
    case 'c': return v->c;
    case 'r': return v->r;
    case 't': return v->t;
    default: return as_span_make("", 0);
    }
}

/* Emit one macro's transformed value: split on the delimiters, reverse,
 * keep the rightmost `digits` parts, join with '.' (7.3).  Linear: no
 * part table, the kept range is found by scanning. */
static void emit_macro(out_win *w, const macro_tok *t, as_span val)
{
    int esc = t->letter >= 'A' && t->letter <= 'Z';
    if (!t->digits && !t->reverse && !t->ndelims) {
        for (size_t k = 0; k < val.len; k++)
            put_esc(w, val.p[k], esc);
        return;
    }
    const char *ds = t->ndelims ? t->delims : ".";
    size_t nd = t->ndelims ? t->ndelims : 1;
    size_t parts = 1;
    for (size_t k = 0; k < val.len; k++)
        parts += in_set(val.p[k], ds, nd);
    size_t keep = (t->digits && t->digits < parts) ? t->digits : parts;

    if (!t->reverse) {
        /* the last `keep` parts in order: skip parts - keep delimiters */
        size_t skip = parts - keep, k = 0;
        while (skip && k < val.len) {
            if (in_set(val.p[k], ds, nd))
                skip--;
            k++;
        }
        for (; k < val.len; k++)
            put_esc(w, in_set(val.p[k], ds, nd) ? '.' : val.p[k], esc);
        return;
    }
    /* reversed: the first `keep` original parts, last one first */
    size_t end = 0, seen = 0;
    while (end < val.len) {
        if (in_set(val.p[end], ds, nd) && ++seen == keep)
            break;
        end++;
    }
    /* val.p[0..end) holds the first `keep` parts; emit them backwards */
    size_t stop = end;
    for (;;) {
        size_t start = stop;
        while (start > 0 && !in_set(val.p[start - 1], ds, nd))
            start--;
        for (size_t k = start; k < stop; k++)
            put_esc(w, val.p[k], esc);
        if (start == 0)
            break;
        put(w, '.');
        stop = start - 1;
    }
}

int as_spf_macro_expand(const char *p, size_t len, int mode,
                        const as_spf_macro_vars *v, char *out, size_t cap)
{
    if (cap < 2)
        return -1;
    out_win w = {out, 0, cap - 1, 0};
    if (mode == AS_SPF_MACRO_EXPLAIN) {
        if (w.cap > AS_SPF_MAX_EXPLANATION)
            w.cap = AS_SPF_MAX_EXPLANATION;
    } else {
        if (w.cap > AS_SPF_MACRO_WINDOW)
            w.cap = AS_SPF_MACRO_WINDOW;
        w.slide = 1;
    }
    const char *why;
    for (size_t i = 0; i < len;) {
        if (p[i] != '%') {
            put(&w, p[i++]);
            continue;
        }
        if (i + 1 >= len)
            return -1;
        char n = p[i + 1];
        if (n == '%' || n == '_' || n == '-') {
            if (n == '%')
                put(&w, '%');
            else if (n == '_')
                put(&w, ' ');
            else {
                put(&w, '%');
                put(&w, '2');
                put(&w, '0');
            }
            i += 2;
            continue;
        }
        macro_tok t;
        if (n != '{' || parse_brace(p, len, i, mode, &t, &why) < 0)
            return -1;
        emit_macro(&w, &t, letter_value(v, as_ascii_lower(t.letter)));
        i = t.end;
    }
    size_t n = w.n;
    if (mode == AS_SPF_MACRO_DOMAIN) {
        if (n && out[n - 1] == '.')
            n--;
        if (n > AS_SPF_MAX_DOMAIN) {
            /* 7.3: drop labels from the left until it fits */
            size_t q = n - AS_SPF_MAX_DOMAIN;
            while (q < n && out[q - 1] != '.')
                q++;
            if (q < n) {
                memmove(out, out + q, n - q);
                n -= q;
            }
        }
    }
    out[n] = '\0';
    return (int)n;
}
