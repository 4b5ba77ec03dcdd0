/* ucl.c - the strict UCL-subset parser for rule files (grammar in ucl.h).
 *
 * One forward pass with an explicit stack of open containers (at most
 * AS_UCL_MAX_DEPTH + the root), so hostile nesting costs a bounded array,
 * never C stack.  Finished children wait on one shared pointer stack and
 * are copied into an arena array when their container closes; duplicate
 * keys are found at once through a hash of (object, key), so the first
 * error in file order is the one reported.  Temporary tables use malloc
 * and are freed before returning; every node lives in the caller's arena.
 * Numbers go through strtod_l in the C locale: a host process (Exim,
 * Rspamd) may have set a locale whose decimal point is not '.'. */
#include "score/ucl.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "util/span.h"

#define NUM_TOKEN_MAX 64u   /* longest number token copied for strtod */
#define NAME_SHOWN 40u      /* key bytes quoted in an error message */
#define NAME_SHOWN_OUT 48u  /* characters those bytes may take, escaped */

enum state { S_EXPECT, S_AFTER };

typedef struct frame {
    as_ucl_node *node;
    size_t base;          /* its first child in the shared child stack */
    unsigned id;          /* identity of an object in the duplicate table */
    unsigned open_line;   /* line of its '{' or '[' */
    const char *last_key; /* the member just parsed, for error messages */
    size_t last_key_len;  /* SIZE_MAX: the member was an .include */
} frame;

typedef struct dup_entry {
    const char *key;      /* NULL: free slot */
    size_t len;
    unsigned obj;
    unsigned line;
} dup_entry;

typedef struct parser {
    as_arena *a;
    const char *p;
    size_t len;
    size_t pos;
    unsigned line;
    as_ucl_error *err;
    int failed;
    size_t n_nodes;
    as_ucl_node **kids;   /* children of every open container, in order */
    size_t n_kids, cap_kids;
    dup_entry *dup;
    size_t n_dup, cap_dup;
    as_ucl_include *inc;
    size_t n_inc;
    locale_t c_locale;    /* created at the first number */
    frame st[AS_UCL_MAX_DEPTH + 1];
    size_t depth;         /* index of the innermost open container */
    unsigned next_id;
    int just_closed;      /* the last value was a '}' or ']' */
} parser;

/* ---- errors ---- */

static int fail(parser *ps, int rc, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Only our own text and escaped names reach the format: first error wins. */
static int fail(parser *ps, int rc, unsigned line, const char *fmt, ...)
{
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
        va_end(ap);
        ps->err->line = line;
        ps->failed = 1;
    }
    return rc;
}

static int oom(parser *ps)
{
    if (ps->a->limited)
        return fail(ps, AUTHSCORE_ELIMIT, 0, "arena cap reached");
    return fail(ps, AUTHSCORE_ENOMEM, 0, "out of memory");
}

/* A name for a message: at most NAME_SHOWN bytes, printable ASCII kept,
 * quote and backslash escaped, every other byte as \xNN; "..." if cut. */
static const char *show(char out[64], const char *k, size_t n)
{
    size_t o = 0, i = 0;
    for (; i < n && i < NAME_SHOWN; i++) {
        unsigned char c = (unsigned char)k[i];
        char tmp[5];
        size_t w;
        if (c == '"' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            w = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[0] = (char)c;
            w = 1;
        } else {
            snprintf(tmp, sizeof tmp, "\\x%02X", c);
            w = 4;
        }
        if (o + w > NAME_SHOWN_OUT)
            break;
        memcpy(out + o, tmp, w);
        o += w;
    }
    if (i < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* The byte at the cursor, for "unexpected X" messages. */
static const char *what(char out[24], const parser *ps)
{
    if (ps->pos >= ps->len) {
        snprintf(out, 24, "end of input");
    } else {
        unsigned char c = (unsigned char)ps->p[ps->pos];
        if (c > 0x20 && c < 0x7f)
            snprintf(out, 24, "'%c'", c);
        else if (c == ' ')
            snprintf(out, 24, "a space");
        else if (c == '\n' || c == '\r')
            snprintf(out, 24, "end of line");
        else
            snprintf(out, 24, "byte 0x%02X", c);
    }
    return out;
}

/* ---- character classes ---- */

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static int is_key_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '_' || c == '.' || c == '-';
}

static int is_word_char(int c)
{
    return is_key_char(c) || c == '@' || c == '+' || c == ':';
}

static int peek(const parser *ps)
{
    return ps->pos < ps->len ? (unsigned char)ps->p[ps->pos] : -1;
}

static int peek_at(const parser *ps, size_t off)
{
    return ps->pos + off < ps->len ? (unsigned char)ps->p[ps->pos + off] : -1;
}

/* ---- blanks and comments ---- */

/* Skip spaces, tabs, comments and (when nl is not NULL) line ends, setting
 * *nl when a line end was crossed.  With nl NULL it stops before a line
 * end.  A CR must start a CRLF. */
static int skip_space(parser *ps, int *nl)
{
    for (;;) {
        int c = peek(ps);
        if (c == ' ' || c == '\t') {
            ps->pos++;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && peek_at(ps, 1) != '\n')
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "carriage return not followed by line feed");
            if (!nl)
                return 0;
            ps->pos += c == '\r' ? 2 : 1;
            ps->line++;
            *nl = 1;
        } else if (c == '#') {
            const char *e = memchr(ps->p + ps->pos, '\n', ps->len - ps->pos);
            size_t end = e ? (size_t)(e - ps->p) : ps->len;
            /* Leave the CR of a CRLF for the line-end branch. */
            if (end > ps->pos && ps->p[end - 1] == '\r' && e)
                end--;
            ps->pos = end;
        } else if (c == '/' && peek_at(ps, 1) == '*') {
            unsigned start = ps->line;
            size_t i = ps->pos + 2;
            for (;;) {
                if (i + 1 >= ps->len)
                    return fail(ps, AUTHSCORE_EPARSE, start,
                                "unterminated comment");
                if (ps->p[i] == '*' && ps->p[i + 1] == '/')
                    break;
                if (ps->p[i] == '\n') {
                    ps->line++;
                    if (nl)
                        *nl = 1;
                }
                i++;
            }
            ps->pos = i + 2;
        } else {
            return 0;
        }
    }
}

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at s[0..n) (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        need = 1;
    } else if (c < 0xF0) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < need + 1)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i <= need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need + 1;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One escape in a double-quoted string at s[0] == '\\', s[0..n): writes
 * the bytes to o, sets *used (input bytes) and *w (output bytes). */
static int dq_escape(parser *ps, const char *s, size_t n, char *o,
                     size_t *used, size_t *w)
{
    unsigned char c = (unsigned char)s[1]; /* the scan made sure it exists */
    static const char from[] = "\"\\/ntrbf";
    static const char to[] = "\"\\/\n\t\r\b\f";
    const char *hit = c ? strchr(from, c) : NULL;
    if (hit) {
        o[0] = to[hit - from];
        *used = 2;
        *w = 1;
        return 0;
    }
    if (c != 'u') {
        if (c > 0x20 && c < 0x7f)
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "unknown escape \\%c in string", c);
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "unknown escape (backslash before byte 0x%02X) in string",
                    c);
    }
    unsigned cp, lo;
    if (n < 6 || hex4(s + 2, &cp) != 0)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "bad \\u escape (four hex digits expected)");
    *used = 6;
    if (cp == 0)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "\\u0000 is not allowed in a string");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "lone surrogate \\u%04X in string", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (n < 12 || s[6] != '\\' || s[7] != 'u' || hex4(s + 8, &lo) != 0 ||
            lo < 0xDC00 || lo > 0xDFFF)
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "lone surrogate \\u%04X in string", cp);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *used = 12;
    }
    *w = put_utf8(o, cp);
    return 0;
}

/* A quoted string at the cursor (double or single quotes) into the arena.
 * Strings end on their line.  Double quotes take the escapes of ucl.h;
 * single quotes, as libucl, only \' (every other backslash is kept, so
 * regular expressions read as written). */
static int read_quoted(parser *ps, char **out, size_t *out_len)
{
    const char q = ps->p[ps->pos];
    const size_t start = ps->pos + 1;
    size_t i = start;
    /* Pass 1: find the closing quote. */
    for (;;) {
        if (i >= ps->len || ps->p[i] == '\n' || ps->p[i] == '\r')
            return fail(ps, AUTHSCORE_EPARSE, ps->line, "unterminated string");
        if (ps->p[i] == q)
            break;
        if (ps->p[i] == '\\') {
            if (i + 1 >= ps->len || ps->p[i + 1] == '\n' || ps->p[i + 1] == '\r')
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "unterminated string");
            i += 2;
        } else {
            i++;
        }
    }
    const size_t raw = i - start;
    /* Decoding never grows the text, so min(raw, cap) bytes suffice. */
    size_t room = raw < AS_UCL_MAX_STRING ? raw : AS_UCL_MAX_STRING;
    char *dst = as_arena_alloc(ps->a, room + 1);
    if (!dst)
        return oom(ps);
    const char *s = ps->p + start;
    size_t o = 0;
    for (size_t k = 0; k < raw;) {
        unsigned char c = (unsigned char)s[k];
        char tmp[4];
        size_t used = 0, w = 0;
        if (c == '\\' && q == '"') {
            int rc = dq_escape(ps, s + k, raw - k, tmp, &used, &w);
            if (rc)
                return rc;
        } else if (c == '\\' && s[k + 1] == '\'') {
            tmp[0] = '\'';
            used = 2;
            w = 1;
        } else if (c == '\\' && (unsigned char)s[k + 1] < 0x80 &&
                   (s[k + 1] == '\t' || (s[k + 1] >= 0x20 && s[k + 1] < 0x7f))) {
            /* Single quotes: keep the pair, as pass 1 skipped it. */
            tmp[0] = '\\';
            tmp[1] = s[k + 1];
            used = 2;
            w = 2;
        } else if (c >= 0x80) {
            used = utf8_len((const unsigned char *)s + k, raw - k);
            if (!used)
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "invalid UTF-8 in string");
            memcpy(tmp, s + k, used);
            w = used;
        } else if (c == '\\' && (unsigned char)s[k + 1] >= 0x80) {
            /* Single quotes: the backslash stays, the UTF-8 follows. */
            tmp[0] = '\\';
            used = 1;
            w = 1;
        } else if (c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f) {
            if (c == '\\')
                c = (unsigned char)s[k + 1];
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "control character 0x%02X in string", c);
        } else {
            tmp[0] = (char)c;
            used = 1;
            w = 1;
        }
        if (o + w > AS_UCL_MAX_STRING)
            return fail(ps, AUTHSCORE_ELIMIT, ps->line,
                        "string longer than %u bytes", AS_UCL_MAX_STRING);
        memcpy(dst + o, tmp, w);
        o += w;
        k += used;
    }
    dst[o] = '\0';
    ps->pos = i + 1;
    *out = dst;
    *out_len = o;
    return 0;
}

/* A bare word of key characters (keys) or word characters (values). */
static size_t word_len(const parser *ps, int key)
{
    size_t i = ps->pos;
    while (i < ps->len && (key ? is_key_char((unsigned char)ps->p[i])
                               : is_word_char((unsigned char)ps->p[i])))
        i++;
    return i - ps->pos;
}

static int copy_word(parser *ps, size_t n, char **out)
{
    if (n > AS_UCL_MAX_STRING)
        return fail(ps, AUTHSCORE_ELIMIT, ps->line,
                    "string longer than %u bytes", AS_UCL_MAX_STRING);
    *out = as_arena_strndup(ps->a, ps->p + ps->pos, n);
    if (!*out)
        return oom(ps);
    ps->pos += n;
    return 0;
}

/* ---- scalars ---- */

static int bool_word(const char *w, size_t n, int *v)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    for (size_t i = 0; i < 3; i++) {
        if (as_span_ieq(w, n, yes[i], strlen(yes[i]))) {
            *v = 1;
            return 1;
        }
        if (as_span_ieq(w, n, no[i], strlen(no[i]))) {
            *v = 0;
            return 1;
        }
    }
    return 0;
}

/* Decimal only: [+-] digits [. digits] [e [+-] digits], at least one digit
 * in the mantissa.  No hex, inf, nan or suffixes. */
static int number_syntax(const char *s, size_t n)
{
    size_t i = 0, mant = 0, ex = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && is_digit((unsigned char)s[i])) {
        i++;
        mant++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit((unsigned char)s[i])) {
            i++;
            mant++;
        }
    }
    if (!mant)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < n && is_digit((unsigned char)s[i])) {
            i++;
            ex++;
        }
        if (!ex)
            return 0;
    }
    return i == n;
}

static int looks_numeric(const char *w, size_t n)
{
    return is_digit((unsigned char)w[0]) || w[0] == '+' || w[0] == '-' ||
           (w[0] == '.' && n > 1 && is_digit((unsigned char)w[1]));
}

static int parse_number(parser *ps, const char *w, size_t n, double *out)
{
    char shown[64];
    char tmp[NUM_TOKEN_MAX + 1];
    if (n > NUM_TOKEN_MAX)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "bad number \"%s\" (longer than %u characters)",
                    show(shown, w, n), NUM_TOKEN_MAX);
    if (!number_syntax(w, n))
        return fail(ps, AUTHSCORE_EPARSE, ps->line, "bad number \"%s\"",
                    show(shown, w, n));
    memcpy(tmp, w, n);
    tmp[n] = '\0';
    if (!ps->c_locale) {
        ps->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        if (!ps->c_locale)
            return fail(ps, AUTHSCORE_ENOMEM, 0, "out of memory");
    }
    char *end;
    double v = strtod_l(tmp, &end, ps->c_locale);
    if (end != tmp + n)
        return fail(ps, AUTHSCORE_EPARSE, ps->line, "bad number \"%s\"",
                    show(shown, w, n));
    if (!isfinite(v))
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "number \"%s\" out of range", show(shown, w, n));
    *out = v;
    return 0;
}

/* ---- tree building ---- */

static int push_kid(parser *ps, as_ucl_node *n)
{
    if (ps->n_kids == ps->cap_kids) {
        size_t cap = ps->cap_kids ? ps->cap_kids * 2 : 64;
        as_ucl_node **k = realloc(ps->kids, cap * sizeof *k);
        if (!k)
            return fail(ps, AUTHSCORE_ENOMEM, 0, "out of memory");
        ps->kids = k;
        ps->cap_kids = cap;
    }
    ps->kids[ps->n_kids++] = n;
    return 0;
}

/* A new value in the current container (the root is not counted). */
static int new_node(parser *ps, int type, unsigned line, const char *key,
                    size_t key_len, as_ucl_node **out)
{
    if (ps->n_nodes >= AS_UCL_MAX_NODES)
        return fail(ps, AUTHSCORE_ELIMIT, line, "more than %u values",
                    AS_UCL_MAX_NODES);
    as_ucl_node *n = as_arena_calloc(ps->a, 1, sizeof *n);
    if (!n)
        return oom(ps);
    n->type = type;
    n->line = line;
    n->key = key;
    n->key_len = key_len;
    ps->n_nodes++;
    *out = n;
    return push_kid(ps, n);
}

/* Move the current container's children into its arena array. */
static int close_frame(parser *ps)
{
    frame *f = &ps->st[ps->depth];
    size_t n = ps->n_kids - f->base;
    if (n) {
        as_ucl_node **items = as_arena_alloc(ps->a, n * sizeof *items);
        if (!items)
            return oom(ps);
        memcpy(items, ps->kids + f->base, n * sizeof *items);
        f->node->items = items;
        f->node->n_items = n;
    }
    ps->n_kids = f->base;
    return 0;
}

static int open_frame(parser *ps, as_ucl_node *n, unsigned line)
{
    if (ps->depth >= AS_UCL_MAX_DEPTH)
        return fail(ps, AUTHSCORE_ELIMIT, line,
                    "nesting deeper than %u levels", AS_UCL_MAX_DEPTH);
    frame *f = &ps->st[++ps->depth];
    memset(f, 0, sizeof *f);
    f->node = n;
    f->base = ps->n_kids;
    f->open_line = line;
    if (n->type == AS_UCL_OBJECT)
        f->id = ++ps->next_id;
    return 0;
}

/* ---- duplicate keys ---- */

static size_t dup_hash(unsigned obj, const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ obj;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

static int dup_grow(parser *ps)
{
    size_t cap = ps->cap_dup ? ps->cap_dup * 2 : 64;
    dup_entry *t = calloc(cap, sizeof *t);
    if (!t)
        return fail(ps, AUTHSCORE_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < ps->cap_dup; i++) {
        dup_entry *e = &ps->dup[i];
        if (!e->key)
            continue;
        size_t j = dup_hash(e->obj, e->key, e->len) & (cap - 1);
        while (t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = *e;
    }
    free(ps->dup);
    ps->dup = t;
    ps->cap_dup = cap;
    return 0;
}

/* Record key k of object obj; a second one is an error. */
static int check_dup(parser *ps, unsigned obj, const char *k, size_t n,
                     unsigned line)
{
    if ((ps->n_dup + 1) * 4 > ps->cap_dup * 3) {
        int rc = dup_grow(ps);
        if (rc)
            return rc;
    }
    size_t mask = ps->cap_dup - 1;
    size_t j = dup_hash(obj, k, n) & mask;
    for (; ps->dup[j].key; j = (j + 1) & mask) {
        dup_entry *e = &ps->dup[j];
        if (e->obj == obj && e->len == n && memcmp(e->key, k, n) == 0) {
            char shown[64];
            return fail(ps, AUTHSCORE_EPARSE, line,
                        "duplicate key \"%s\" (first at line %u)",
                        show(shown, k, n), e->line);
        }
    }
    ps->dup[j].key = k;
    ps->dup[j].len = n;
    ps->dup[j].obj = obj;
    ps->dup[j].line = line;
    ps->n_dup++;
    return 0;
}

/* ---- .include ---- */

/* The (name=value, ...) list after .include; the cursor is on '('. */
static int include_params(parser *ps, as_ucl_include *inc)
{
    int seen_prio = 0, seen_try = 0, seen_dup = 0, nl = 0;
    char shown[64], found[24];
    ps->pos++;
    for (;;) {
        int rc = skip_space(ps, &nl);
        if (rc)
            return rc;
        if (peek(ps) == ')' && !seen_prio && !seen_try && !seen_dup)
            break;
        size_t n = word_len(ps, 1);
        if (!n)
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "expected a .include parameter, found %s",
                        what(found, ps));
        const char *name = ps->p + ps->pos;
        ps->pos += n;
        int is_prio = n == 8 && memcmp(name, "priority", 8) == 0;
        int is_try = n == 3 && memcmp(name, "try", 3) == 0;
        /* Rspamd's duplicate=merge, as its local.d includes are written:
         * merging is what rule files always do, so only "merge" is taken. */
        int is_dup = n == 9 && memcmp(name, "duplicate", 9) == 0;
        const char *pname = is_prio ? "priority" : is_try ? "try" : "duplicate";
        if (!is_prio && !is_try && !is_dup)
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "unknown .include parameter \"%s\"",
                        show(shown, name, n));
        if ((is_prio && seen_prio) || (is_try && seen_try) || (is_dup && seen_dup))
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "duplicate .include parameter \"%s\"", pname);
        if ((rc = skip_space(ps, &nl)))
            return rc;
        if (peek(ps) != '=')
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "expected '=' after .include parameter \"%s\"", pname);
        ps->pos++;
        if ((rc = skip_space(ps, &nl)))
            return rc;
        int quoted = is_dup && peek(ps) == '"';
        ps->pos += (size_t)quoted;
        size_t vn = word_len(ps, 0);
        const char *v = ps->p + ps->pos;
        ps->pos += vn;
        if (quoted && peek(ps) == '"')
            ps->pos++;
        else if (quoted)
            vn = 0; /* unterminated: refused below */
        if (is_dup) {
            if (vn != 5 || memcmp(v, "merge", 5) != 0)
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "duplicate must be merge: rule files merge field by field");
            seen_dup = 1;
        } else if (is_prio) {
            int val = 0;
            int ok = vn >= 1 && vn <= 2;
            for (size_t i = 0; ok && i < vn; i++) {
                if (!is_digit((unsigned char)v[i]))
                    ok = 0;
                else
                    val = val * 10 + (v[i] - '0');
            }
            if (!ok || val > AS_UCL_MAX_PRIORITY)
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "priority must be 0..%d", AS_UCL_MAX_PRIORITY);
            inc->priority = val;
            seen_prio = 1;
        } else {
            if (!vn || !bool_word(v, vn, &inc->try_only))
                return fail(ps, AUTHSCORE_EPARSE, ps->line,
                            "try must be true or false");
            seen_try = 1;
        }
        if ((rc = skip_space(ps, &nl)))
            return rc;
        int c = peek(ps);
        if (c == ')')
            break;
        if (c != ',')
            return fail(ps, AUTHSCORE_EPARSE, ps->line,
                        "expected ',' or ')' in .include parameters, found %s",
                        what(found, ps));
        ps->pos++;
    }
    ps->pos++; /* ')' */
    return 0;
}

/* After the word ".include" (at line `line`) in the root object. */
static int include(parser *ps, unsigned line)
{
    char found[24];
    if (ps->depth != 0)
        return fail(ps, AUTHSCORE_EPARSE, line,
                    ".include is only allowed at the top level");
    if (ps->n_inc >= AS_UCL_MAX_INCLUDES)
        return fail(ps, AUTHSCORE_ELIMIT, line,
                    "more than %u .include directives", AS_UCL_MAX_INCLUDES);
    if (!ps->inc) {
        ps->inc = as_arena_calloc(ps->a, AS_UCL_MAX_INCLUDES, sizeof *ps->inc);
        if (!ps->inc)
            return oom(ps);
    }
    as_ucl_include *inc = &ps->inc[ps->n_inc];
    memset(inc, 0, sizeof *inc);
    int rc = skip_space(ps, NULL);
    if (rc)
        return rc;
    if (peek(ps) == '(') {
        if ((rc = include_params(ps, inc)))
            return rc;
        if ((rc = skip_space(ps, NULL)))
            return rc;
    }
    int c = peek(ps);
    if (c != '"' && c != '\'')
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "expected a quoted path after .include, found %s",
                    what(found, ps));
    char *path;
    size_t n;
    if ((rc = read_quoted(ps, &path, &n)))
        return rc;
    if (!n)
        return fail(ps, AUTHSCORE_EPARSE, ps->line, "empty .include path");
    inc->path = path;
    inc->line = line;
    inc->position = ps->n_kids - ps->st[0].base;
    ps->n_inc++;
    return 0;
}

/* ---- values and members ---- */

/* A value at the cursor for the current container; key may be NULL. */
static int value(parser *ps, const char *key, size_t key_len)
{
    char found[24], shown[64];
    const unsigned line = ps->line;
    as_ucl_node *n;
    int rc, c = peek(ps);
    if (c == '{' || c == '[') {
        if ((rc = new_node(ps, c == '{' ? AS_UCL_OBJECT : AS_UCL_ARRAY, line,
                           key, key_len, &n)))
            return rc;
        ps->pos++;
        return open_frame(ps, n, line);
    }
    if (c == '"' || c == '\'') {
        char *s;
        size_t len;
        if ((rc = read_quoted(ps, &s, &len)))
            return rc;
        if ((rc = new_node(ps, AS_UCL_STRING, line, key, key_len, &n)))
            return rc;
        n->str = s;
        n->str_len = len;
        return 0;
    }
    size_t wn = c >= 0 ? word_len(ps, 0) : 0;
    if (!wn) {
        if (key)
            return fail(ps, AUTHSCORE_EPARSE, line,
                        "expected a value for key \"%s\", found %s",
                        show(shown, key, key_len), what(found, ps));
        return fail(ps, AUTHSCORE_EPARSE, line,
                    "expected a value, found %s", what(found, ps));
    }
    const char *w = ps->p + ps->pos;
    int b;
    if (bool_word(w, wn, &b)) {
        if ((rc = new_node(ps, AS_UCL_BOOL, line, key, key_len, &n)))
            return rc;
        n->boolean = b;
        ps->pos += wn;
        return 0;
    }
    if (looks_numeric(w, wn)) {
        double v = 0;
        if ((rc = parse_number(ps, w, wn, &v)))
            return rc;
        if ((rc = new_node(ps, AS_UCL_NUMBER, line, key, key_len, &n)))
            return rc;
        n->num = v;
        ps->pos += wn;
        return 0;
    }
    char *s;
    if ((rc = copy_word(ps, wn, &s)))
        return rc;
    if ((rc = new_node(ps, AS_UCL_STRING, line, key, key_len, &n)))
        return rc;
    n->str = s;
    n->str_len = wn;
    return 0;
}

/* A member at the cursor of the current object: KEY [=|:] VALUE, KEY {,
 * or .include in the root. */
static int member(parser *ps)
{
    char found[24], shown[64];
    frame *f = &ps->st[ps->depth];
    const unsigned line = ps->line;
    char *key;
    size_t n;
    int rc, c = peek(ps);
    if (c == '"' || c == '\'') {
        if ((rc = read_quoted(ps, &key, &n)))
            return rc;
    } else if (c >= 0 && is_key_char(c)) {
        n = word_len(ps, 1);
        const char *w = ps->p + ps->pos;
        if (w[0] == '.') {
            if (n == 8 && memcmp(w, ".include", 8) == 0) {
                ps->pos += n;
                f->last_key = NULL;
                f->last_key_len = SIZE_MAX;
                return include(ps, line);
            }
            return fail(ps, AUTHSCORE_EPARSE, line,
                        "unsupported macro \"%s\"", show(shown, w, n));
        }
        if ((rc = copy_word(ps, n, &key)))
            return rc;
    } else {
        return fail(ps, AUTHSCORE_EPARSE, line, "expected a key, found %s",
                    what(found, ps));
    }
    if ((rc = check_dup(ps, f->id, key, n, line)))
        return rc;
    f->last_key = key;
    f->last_key_len = n;
    if ((rc = skip_space(ps, NULL)))
        return rc;
    c = peek(ps);
    if (c == '=' || c == ':') {
        int nl = 0;
        ps->pos++;
        if ((rc = skip_space(ps, &nl)))
            return rc;
    } else if (c != '{') {
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "expected '=', ':' or '{' after key \"%s\"",
                    show(shown, key, n));
    }
    return value(ps, key, n);
}

/* After a member or element: a separator, or the end of the container. */
static int after(parser *ps, enum state *st)
{
    char found[24], shown[64];
    frame *f = &ps->st[ps->depth];
    int nl = 0, rc = skip_space(ps, &nl);
    if (rc)
        return rc;
    int c = peek(ps);
    int is_arr = f->node->type == AS_UCL_ARRAY;
    if (c == ';' || c == ',') {
        ps->pos++;
        *st = S_EXPECT;
        return 0;
    }
    /* As in libucl, a member may follow a closed object or array on the
     * same line: "a { x = 1; } b { x = 2; }". */
    if (nl || c < 0 || c == (is_arr ? ']' : '}') || (ps->just_closed && !is_arr)) {
        *st = S_EXPECT;
        return 0;
    }
    if (is_arr)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "expected ',' or ']' after array element, found %s",
                    what(found, ps));
    if (f->last_key_len == SIZE_MAX)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "expected ';', ',' or newline after .include, found %s",
                    what(found, ps));
    return fail(ps, AUTHSCORE_EPARSE, ps->line,
                "expected ';', ',' or newline after the value of \"%s\", "
                "found %s",
                show(shown, f->last_key, f->last_key_len), what(found, ps));
}

static int run(parser *ps, as_ucl_node *root)
{
    char found[24];
    int braced = 0, nl = 0, rc;
    enum state st = S_EXPECT;
    if (ps->len >= 3 && memcmp(ps->p, "\xEF\xBB\xBF", 3) == 0)
        ps->pos = 3; /* a UTF-8 byte order mark, as some editors write */
    frame *f0 = &ps->st[0];
    f0->node = root;
    f0->open_line = 1;
    if ((rc = skip_space(ps, &nl)))
        return rc;
    if (peek(ps) == '{') {
        braced = 1;
        root->line = f0->open_line = ps->line;
        ps->pos++;
    }
    for (;;) {
        if (st == S_AFTER) {
            if ((rc = after(ps, &st)))
                return rc;
            continue;
        }
        frame *f = &ps->st[ps->depth];
        int is_arr = f->node->type == AS_UCL_ARRAY;
        nl = 0;
        if ((rc = skip_space(ps, &nl)))
            return rc;
        int c = peek(ps);
        if (c < 0) {
            if (ps->depth == 0 && !braced)
                return close_frame(ps);
            return fail(ps, AUTHSCORE_EPARSE, f->open_line,
                        "'%c' is never closed", is_arr ? '[' : '{');
        }
        if (c == (is_arr ? ']' : '}') && (ps->depth > 0 || braced)) {
            ps->pos++;
            if ((rc = close_frame(ps)))
                return rc;
            if (ps->depth == 0)
                break;
            ps->depth--;
            ps->just_closed = 1;
            st = S_AFTER;
            continue;
        }
        if (c == ';' || c == ',' || c == '}' || c == ']')
            return fail(ps, AUTHSCORE_EPARSE, ps->line, "unexpected %s",
                        what(found, ps));
        size_t depth = ps->depth;
        rc = is_arr ? value(ps, NULL, 0) : member(ps);
        if (rc)
            return rc;
        /* A container just opened expects its first member. */
        st = ps->depth > depth ? S_EXPECT : S_AFTER;
        ps->just_closed = 0;
    }
    /* The braced root is closed: only blanks and comments may follow. */
    if ((rc = skip_space(ps, &nl)))
        return rc;
    if (peek(ps) >= 0)
        return fail(ps, AUTHSCORE_EPARSE, ps->line,
                    "unexpected %s after the closing '}'", what(found, ps));
    return 0;
}

int as_ucl_parse(as_arena *a, const char *p, size_t len, as_ucl_doc *out,
                 as_ucl_error *err)
{
    if (!out || !err)
        return AUTHSCORE_EINVAL;
    memset(out, 0, sizeof *out);
    err->line = 0;
    err->message[0] = '\0';
    if (!a || (!p && len)) {
        snprintf(err->message, sizeof err->message, "bad argument");
        return AUTHSCORE_EINVAL;
    }
    if (len > AS_UCL_MAX_INPUT) {
        snprintf(err->message, sizeof err->message,
                 "file larger than %u bytes", AS_UCL_MAX_INPUT);
        return AUTHSCORE_ELIMIT;
    }
    const char *z = len ? memchr(p, '\0', len) : NULL;
    if (z) {
        unsigned line = 1;
        for (const char *q = p; q < z; q++)
            line += *q == '\n';
        err->line = line;
        snprintf(err->message, sizeof err->message, "NUL byte");
        return AUTHSCORE_EPARSE;
    }
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.p = p ? p : "";
    ps.len = len;
    ps.line = 1;
    ps.err = err;
    as_ucl_node *root = as_arena_calloc(a, 1, sizeof *root);
    int rc;
    if (!root) {
        rc = oom(&ps);
    } else {
        root->type = AS_UCL_OBJECT;
        root->line = 1;
        rc = run(&ps, root);
    }
    free(ps.kids);
    free(ps.dup);
    if (ps.c_locale)
        freelocale(ps.c_locale);
    if (rc)
        return rc;
    out->root = root;
    out->includes = ps.inc;
    out->n_includes = ps.n_inc;
    return 0;
}

const as_ucl_node *as_ucl_get(const as_ucl_node *obj, const char *key)
{
    if (!obj || !key || obj->type != AS_UCL_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->n_items; i++) {
        const as_ucl_node *m = obj->items[i];
        if (m && m->key && m->key_len == n && memcmp(m->key, key, n) == 0)
            return m;
    }
    return NULL;
}

/* ---- canonical dump ---- */

#define DUMP_MAX_DEPTH 64u /* parsed trees have at most AS_UCL_MAX_DEPTH + 1 */

typedef struct out {
    char *buf;
    size_t cap, len;
    int full;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->full || n >= o->cap - o->len) {
        o->full = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_string(out *o, const char *s, size_t n)
{
    put(o, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
            continue;
        put(o, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(o, e, 2);
        } else {
            char e[8];
            snprintf(e, sizeof e, "\\u%04X", c);
            put(o, e, 6);
        }
    }
    put(o, s + run, n - run);
    put(o, "\"", 1);
}

/* A scalar, or the opening bracket of a container. */
static int put_value(out *o, const as_ucl_node *n, locale_t *loc)
{
    switch (n->type) {
    case AS_UCL_OBJECT:
        put(o, "{", 1);
        return 0;
    case AS_UCL_ARRAY:
        put(o, "[", 1);
        return 0;
    case AS_UCL_STRING:
        put_string(o, n->str ? n->str : "", n->str ? n->str_len : 0);
        return 0;
    case AS_UCL_BOOL:
        put(o, n->boolean ? "true" : "false", n->boolean ? 4 : 5);
        return 0;
    case AS_UCL_NUMBER: {
        if (!isfinite(n->num))
            return AUTHSCORE_EINVAL;
        if (!*loc) {
            *loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
            if (!*loc)
                return AUTHSCORE_ENOMEM;
        }
        char num[40];
        locale_t old = uselocale(*loc);
        int w = snprintf(num, sizeof num, "%.17g", n->num);
        uselocale(old);
        if (w < 0 || (size_t)w >= sizeof num)
            return AUTHSCORE_EINVAL;
        put(o, num, (size_t)w);
        return 0;
    }
    default:
        return AUTHSCORE_EINVAL;
    }
}

static int dump(const as_ucl_node *n, out *o, locale_t *loc)
{
    struct {
        const as_ucl_node *node;
        size_t next;
    } st[DUMP_MAX_DEPTH];
    size_t depth = 0;
    int rc = put_value(o, n, loc);
    if (rc)
        return rc;
    if (n->type == AS_UCL_OBJECT || n->type == AS_UCL_ARRAY) {
        st[0].node = n;
        st[0].next = 0;
        depth = 1;
    }
    while (depth) {
        const as_ucl_node *c = st[depth - 1].node;
        size_t i = st[depth - 1].next;
        if (i >= c->n_items) {
            put(o, c->type == AS_UCL_OBJECT ? "}" : "]", 1);
            depth--;
            continue;
        }
        st[depth - 1].next++;
        const as_ucl_node *k = c->items ? c->items[i] : NULL;
        if (!k)
            return AUTHSCORE_EINVAL;
        if (i)
            put(o, ",", 1);
        if (c->type == AS_UCL_OBJECT) {
            put_string(o, k->key ? k->key : "", k->key ? k->key_len : 0);
            put(o, ":", 1);
        }
        if ((rc = put_value(o, k, loc)))
            return rc;
        if (k->type == AS_UCL_OBJECT || k->type == AS_UCL_ARRAY) {
            if (depth == DUMP_MAX_DEPTH)
                return AUTHSCORE_ELIMIT;
            st[depth].node = k;
            st[depth].next = 0;
            depth++;
        }
    }
    return 0;
}

long as_ucl_dump(const as_ucl_node *n, char *buf, size_t cap)
{
    if (!buf || !cap)
        return AUTHSCORE_EINVAL;
    buf[0] = '\0';
    if (!n)
        return AUTHSCORE_EINVAL;
    out o = {buf, cap, 0, 0};
    locale_t loc = (locale_t)0;
    int rc = dump(n, &o, &loc);
    if (loc)
        freelocale(loc);
    if (!rc && o.full)
        rc = AUTHSCORE_ELIMIT;
    if (rc) {
        buf[0] = '\0';
        return rc;
    }
    buf[o.len] = '\0';
    return (long)o.len;
}
