/* ucl_lex.c - the tokens of the rule-file UCL subset: blanks, comments,
 * quoted strings (escapes, UTF-8), bare words, booleans and numbers.
 *
 * The cursor is (pointer, length), never a C string; the first error is
 * kept with its line.  Decoded strings go to the caller's arena.  Numbers
 * go through strtod_l in the C locale: a host process (Exim, Rspamd) may
 * have set a locale whose decimal point is not '.'. */
#include "score/ucl_lex.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "util/span.h"

#define NUM_TOKEN_MAX 64u   /* longest number token copied for strtod */
#define NAME_SHOWN 40u      /* key bytes quoted in an error message */
#define NAME_SHOWN_OUT 48u  /* characters those bytes may take, escaped */

void as_ucl_lex_init(as_ucl_lex *lx, as_arena *a, const char *p, size_t len,
                     as_ucl_error *err)
{
    memset(lx, 0, sizeof *lx);
    lx->a = a;
    lx->p = p;
    lx->len = len;
    lx->line = 1;
    lx->err = err;
}

void as_ucl_lex_done(as_ucl_lex *lx)
{
    if (lx->c_locale)
        freelocale(lx->c_locale);
    lx->c_locale = (locale_t)0;
}

/* ---- errors ---- */

/* Only our own text and escaped names reach the format: first error wins. */
int as_ucl_lex_fail(as_ucl_lex *lx, int rc, unsigned line, const char *fmt, ...)
{
    if (!lx->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(lx->err->message, sizeof lx->err->message, fmt, ap);
        va_end(ap);
        lx->err->line = line;
        lx->failed = 1;
    }
    return rc;
}

int as_ucl_lex_oom(as_ucl_lex *lx)
{
    if (lx->a->limited)
        return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, 0, "arena cap reached");
    return as_ucl_lex_fail(lx, AUTHSCORE_ENOMEM, 0, "out of memory");
}

/* A name for a message: at most NAME_SHOWN bytes, printable ASCII kept,
 * quote and backslash escaped, every other byte as \xNN; "..." if cut. */
const char *as_ucl_lex_show(char out[64], const char *k, size_t n)
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
const char *as_ucl_lex_what(char out[24], const as_ucl_lex *lx)
{
    if (lx->pos >= lx->len) {
        snprintf(out, 24, "end of input");
    } else {
        unsigned char c = (unsigned char)lx->p[lx->pos];
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

static int is_word_char(int c)
{
    return as_ucl_lex_is_key_char(c) || c == '@' || c == '+' || c == ':';
}

/* ---- blanks and comments ---- */

/* Skip spaces, tabs, comments and (when nl is not NULL) line ends, setting
 * *nl when a line end was crossed.  With nl NULL it stops before a line
 * end.  A CR must start a CRLF. */
int as_ucl_lex_skip_space(as_ucl_lex *lx, int *nl)
{
    for (;;) {
        int c = as_ucl_lex_peek(lx);
        if (c == ' ' || c == '\t') {
            lx->pos++;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && as_ucl_lex_peek_at(lx, 1) != '\n')
                return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                       "carriage return not followed by line feed");
            if (!nl)
                return 0;
            lx->pos += c == '\r' ? 2 : 1;
            lx->line++;
            *nl = 1;
        } else if (c == '#') {
            const char *e = memchr(lx->p + lx->pos, '\n', lx->len - lx->pos);
            size_t end = e ? (size_t)(e - lx->p) : lx->len;
            /* Leave the CR of a CRLF for the line-end branch. */
            if (end > lx->pos && lx->p[end - 1] == '\r' && e)
                end--;
            lx->pos = end;
        } else if (c == '/' && as_ucl_lex_peek_at(lx, 1) == '*') {
            unsigned start = lx->line;
            size_t i = lx->pos + 2;
            for (;;) {
                if (i + 1 >= lx->len)
                    return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, start,
                                           "unterminated comment");
                if (lx->p[i] == '*' && lx->p[i + 1] == '/')
                    break;
                if (lx->p[i] == '\n') {
                    lx->line++;
                    if (nl)
                        *nl = 1;
                }
                i++;
            }
            lx->pos = i + 2;
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
static int dq_escape(as_ucl_lex *lx, const char *s, size_t n, char *o,
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
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "unknown escape \\%c in string", c);
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "unknown escape (backslash before byte 0x%02X) in string",
                               c);
    }
    unsigned cp, lo;
    if (n < 6 || hex4(s + 2, &cp) != 0)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "bad \\u escape (four hex digits expected)");
    *used = 6;
    if (cp == 0)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "\\u0000 is not allowed in a string");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "lone surrogate \\u%04X in string", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (n < 12 || s[6] != '\\' || s[7] != 'u' || hex4(s + 8, &lo) != 0 ||
            lo < 0xDC00 || lo > 0xDFFF)
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
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
int as_ucl_lex_quoted(as_ucl_lex *lx, char **out, size_t *out_len)
{
    const char q = lx->p[lx->pos];
    const size_t start = lx->pos + 1;
    size_t i = start;
    /* Pass 1: find the closing quote. */
    for (;;) {
        if (i >= lx->len || lx->p[i] == '\n' || lx->p[i] == '\r')
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line, "unterminated string");
        if (lx->p[i] == q)
            break;
        if (lx->p[i] == '\\') {
            if (i + 1 >= lx->len || lx->p[i + 1] == '\n' || lx->p[i + 1] == '\r')
                return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                       "unterminated string");
            i += 2;
        } else {
            i++;
        }
    }
    const size_t raw = i - start;
    /* Decoding never grows the text, so min(raw, cap) bytes suffice. */
    size_t room = raw < AS_UCL_MAX_STRING ? raw : AS_UCL_MAX_STRING;
    char *dst = as_arena_alloc(lx->a, room + 1);
    if (!dst)
        return as_ucl_lex_oom(lx);
    const char *s = lx->p + start;
    size_t o = 0;
    for (size_t k = 0; k < raw;) {
        unsigned char c = (unsigned char)s[k];
        char tmp[4];
        size_t used = 0, w = 0;
        if (c == '\\' && q == '"') {
            int rc = dq_escape(lx, s + k, raw - k, tmp, &used, &w);
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
                return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
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
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "control character 0x%02X in string", c);
        } else {
            tmp[0] = (char)c;
            used = 1;
            w = 1;
        }
        if (o + w > AS_UCL_MAX_STRING)
            return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, lx->line,
                                   "string longer than %u bytes", AS_UCL_MAX_STRING);
        memcpy(dst + o, tmp, w);
        o += w;
        k += used;
    }
    dst[o] = '\0';
    lx->pos = i + 1;
    *out = dst;
    *out_len = o;
    return 0;
}

/* A bare word of key characters (keys) or word characters (values). */
size_t as_ucl_lex_word_len(const as_ucl_lex *lx, int key)
{
    size_t i = lx->pos;
    while (i < lx->len && (key ? as_ucl_lex_is_key_char((unsigned char)lx->p[i])
                               : is_word_char((unsigned char)lx->p[i])))
        i++;
    return i - lx->pos;
}

int as_ucl_lex_copy_word(as_ucl_lex *lx, size_t n, char **out)
{
    if (n > AS_UCL_MAX_STRING)
        return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, lx->line,
                               "string longer than %u bytes", AS_UCL_MAX_STRING);
    *out = as_arena_strndup(lx->a, lx->p + lx->pos, n);
    if (!*out)
        return as_ucl_lex_oom(lx);
    lx->pos += n;
    return 0;
}

/* ---- scalars ---- */

int as_ucl_lex_bool(const char *w, size_t n, int *v)
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

/* Moves *i past the digits at s[*i..n) and returns how many there were. */
static size_t digits(const char *s, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && as_ucl_lex_is_digit((unsigned char)s[*i]))
        (*i)++;
    return *i - start;
}

/* Decimal only: [+-] digits [. digits] [e [+-] digits], at least one digit
 * in the mantissa.  No hex, inf, nan or suffixes. */
static int number_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t mant = digits(s, n, &i);
    if (i < n && s[i] == '.') {
        i++;
        mant += digits(s, n, &i);
    }
    if (!mant)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digits(s, n, &i))
            return 0;
    }
    return i == n;
}

int as_ucl_lex_looks_numeric(const char *w, size_t n)
{
    return as_ucl_lex_is_digit((unsigned char)w[0]) || w[0] == '+' || w[0] == '-' ||
           (w[0] == '.' && n > 1 && as_ucl_lex_is_digit((unsigned char)w[1]));
}

int as_ucl_lex_number(as_ucl_lex *lx, const char *w, size_t n, double *out)
{
    char shown[64];
    char tmp[NUM_TOKEN_MAX + 1];
    if (n > NUM_TOKEN_MAX)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "bad number \"%s\" (longer than %u characters)",
                               as_ucl_lex_show(shown, w, n), NUM_TOKEN_MAX);
    if (!number_syntax(w, n))
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line, "bad number \"%s\"",
                               as_ucl_lex_show(shown, w, n));
    memcpy(tmp, w, n);
    tmp[n] = '\0';
    if (!lx->c_locale) {
        lx->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        if (!lx->c_locale)
            return as_ucl_lex_fail(lx, AUTHSCORE_ENOMEM, 0, "out of memory");
    }
    char *end;
    double v = strtod_l(tmp, &end, lx->c_locale);
    if (end != tmp + n)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line, "bad number \"%s\"",
                               as_ucl_lex_show(shown, w, n));
    if (!isfinite(v))
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "number \"%s\" out of range",
                               as_ucl_lex_show(shown, w, n));
    *out = v;
    return 0;
}
