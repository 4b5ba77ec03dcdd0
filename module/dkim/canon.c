/* canon.c - simple and relaxed canonicalization as byte state machines.
 *
 * Runs that canonicalization leaves unchanged are found with a class table
 * (or SSE2) and written in bulk; only line ends and whitespace runs take
 * the slow path.  The state carries across feed() calls, so any split of
 * the input gives the same output (the fuzz target checks that). */
#include "dkim/canon.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/span.h"

/* 1 for bytes that need the slow path: SP, TAB, CR, LF. */
static const unsigned char special[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

/* Length of the run at p (which starts with an ordinary byte) that relaxed
 * canonicalization leaves unchanged: ordinary bytes and single SPs
 * followed by an ordinary byte.  In text that is most of every line, so
 * the byte-by-byte path only sees line ends and whitespace runs. */
static inline size_t relaxed_run_scalar(const char *p, size_t n, size_t i)
{
    for (;;) {
        while (i < n && !special[(unsigned char)p[i]])
            i++;
        if (i + 1 < n && p[i] == ' ' && !special[(unsigned char)p[i + 1]])
            i += 2;
        else
            return i;
    }
}

#if defined(__SSE2__)
/* The same, 16 bytes at a time (SSE2 is in every x86-64): byte by byte
 * the scan cost several times the SHA-256 of the same bytes. */
static inline size_t relaxed_run(const char *p, size_t n)
{
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    size_t i = 0;
    /* Byte i + 16 decides whether an SP in the last lane is single. */
    while (n - i >= 17) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned s = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp));
        unsigned o = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, cr)),
            _mm_cmpeq_epi8(v, lf)));
        unsigned next = special[(unsigned char)p[i + 16]] ? 1u << 16 : 0u;
        unsigned stop = o | (s & ((s | o | next) >> 1));
        if (stop)
            return i + (size_t)__builtin_ctz(stop);
        i += 16;
    }
    return relaxed_run_scalar(p, n, i);
}
#else
static inline size_t relaxed_run(const char *p, size_t n)
{
    return relaxed_run_scalar(p, n, 0);
}
#endif

void as_canon_out_init(as_canon_out *o, as_canon_sink_fn fn, void *arg)
{
    o->fn = fn;
    o->arg = arg;
    o->total = 0;
    o->len = 0;
}

void as_canon_out_flush(as_canon_out *o)
{
    if (o->len) {
        o->fn(o->arg, o->buf, o->len);
        o->len = 0;
    }
}

void as_canon_out_write(as_canon_out *o, const char *p, size_t n)
{
    o->total += n;
    if (n >= AS_CANON_BUF) {
        /* Large runs skip the buffer: no copy at all. */
        as_canon_out_flush(o);
        o->fn(o->arg, p, n);
        return;
    }
    if (n > AS_CANON_BUF - o->len)
        as_canon_out_flush(o);
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static inline void out_byte(as_canon_out *o, char c)
{
    if (o->len == AS_CANON_BUF)
        as_canon_out_flush(o);
    o->buf[o->len++] = c;
    o->total++;
}

/* ---- headers ------------------------------------------------------------ */

void as_hcanon_init(as_hcanon *h, int mode, as_canon_out *out)
{
    memset(h, 0, sizeof *h);
    h->mode = mode;
    h->out = out;
}

/* simple: bytes unchanged except that a bare LF becomes CRLF. */
static void hsimple_feed(as_hcanon *h, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *lf = memchr(p + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - p) : n;
        if (end > i) {
            as_canon_out_write(h->out, p + i, end - i);
            h->saw_cr = p[end - 1] == '\r';
        }
        if (!lf)
            break;
        if (h->saw_cr)
            out_byte(h->out, '\n');
        else
            as_canon_out_write(h->out, "\r\n", 2);
        h->saw_cr = 0;
        i = end + 1;
    }
}

/* relaxed (3.4.2): lowercase name, no WSP around the colon, unfolded,
 * WSP runs as one SP, no WSP at the ends of the value. */
static void hrelaxed_value_byte(as_hcanon *h, char c)
{
    if (h->pending_wsp && h->started)
        out_byte(h->out, ' ');
    h->pending_wsp = 0;
    h->started = 1;
    out_byte(h->out, c);
}

static void hrelaxed_feed(as_hcanon *h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (h->saw_cr) {
            h->saw_cr = 0;
            if (c == '\n')
                continue;  /* CRLF of a fold: removed */
            if (h->in_value)
                hrelaxed_value_byte(h, '\r');
        }
        if (!h->in_value) {
            if (c == ':') {
                out_byte(h->out, ':');
                h->in_value = 1;
            } else if (c == '\r') {
                h->saw_cr = 1;
            } else if (!as_is_wsp(c) && c != '\n') {
                out_byte(h->out, as_ascii_lower(c));
            }
            continue;
        }
        if (c == '\r') {
            h->saw_cr = 1;
        } else if (c == '\n') {
            /* bare LF fold: removed like CRLF */
        } else if (as_is_wsp(c)) {
            h->pending_wsp = 1;
        } else {
            if (h->pending_wsp && h->started)
                out_byte(h->out, ' ');
            h->pending_wsp = 0;
            h->started = 1;
            size_t run = relaxed_run(p + i, n - i);
            as_canon_out_write(h->out, p + i, run);
            i += run - 1;
        }
    }
}

void as_hcanon_feed(as_hcanon *h, const char *p, size_t n)
{
    if (h->mode == AS_CANON_SIMPLE)
        hsimple_feed(h, p, n);
    else
        hrelaxed_feed(h, p, n);
}

void as_hcanon_end(as_hcanon *h, int crlf)
{
    if (h->mode == AS_CANON_RELAXED && h->saw_cr && h->in_value)
        hrelaxed_value_byte(h, '\r');
    h->saw_cr = 0;
    if (crlf)
        as_canon_out_write(h->out, "\r\n", 2);
}

/* ---- body --------------------------------------------------------------- */

void as_bcanon_init(as_bcanon *b, int mode, as_canon_out *out)
{
    memset(b, 0, sizeof *b);
    b->mode = mode;
    b->out = out;
}

/* Held empty lines, written 32 at a time. */
static void flush_crlf(as_bcanon *b)
{
    static const char crlfs[] = "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
                                "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
                                "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
                                "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
    while (b->pending_crlf) {
        uint64_t k = b->pending_crlf < 32 ? b->pending_crlf : 32;
        as_canon_out_write(b->out, crlfs, (size_t)k * 2);
        b->pending_crlf -= k;
    }
}

/* Line content is about to be written: release the held line ends. */
static inline void content(as_bcanon *b)
{
    if (b->pending_crlf)
        flush_crlf(b);
    b->any = 1;
}

static void bsimple_feed(as_bcanon *b, const char *p, size_t n)
{
    size_t i = 0;
    if (b->saw_cr && n) {
        b->saw_cr = 0;
        if (p[0] == '\n') {
            b->pending_crlf++;
            i = 1;
        } else {
            content(b);
            out_byte(b->out, '\r');
        }
    }
    while (i < n) {
        const char *lf = memchr(p + i, '\n', n - i);
        size_t end = lf ? (size_t)(lf - p) : n;
        size_t stop = end;
        if (lf && stop > i && p[stop - 1] == '\r') {
            stop--;  /* CRLF */
        } else if (!lf && stop > i && p[stop - 1] == '\r') {
            stop--;  /* may be completed by the next piece */
            b->saw_cr = 1;
        }
        if (stop > i) {
            content(b);
            as_canon_out_write(b->out, p + i, stop - i);
        }
        if (!lf)
            break;
        b->pending_crlf++;
        i = end + 1;
    }
}

static void brelaxed_byte(as_bcanon *b, char c)
{
    content(b);
    if (b->pending_wsp)
        out_byte(b->out, ' ');
    b->pending_wsp = 0;
    out_byte(b->out, c);
}

static void brelaxed_feed(as_bcanon *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (b->saw_cr) {
            b->saw_cr = 0;
            if (c != '\n')
                brelaxed_byte(b, '\r');
        }
        if (c == '\n') {
            b->pending_wsp = 0;  /* WSP at the end of a line goes */
            b->pending_crlf++;
        } else if (c == '\r') {
            b->saw_cr = 1;
        } else if (as_is_wsp(c)) {
            b->pending_wsp = 1;
        } else {
            content(b);
            if (b->pending_wsp)
                out_byte(b->out, ' ');
            b->pending_wsp = 0;
            size_t run = relaxed_run(p + i, n - i);
            as_canon_out_write(b->out, p + i, run);
            i += run - 1;
        }
    }
}

void as_bcanon_feed(as_bcanon *b, const char *p, size_t n)
{
    if (b->mode == AS_CANON_SIMPLE)
        bsimple_feed(b, p, n);
    else
        brelaxed_feed(b, p, n);
}

void as_bcanon_end(as_bcanon *b)
{
    if (b->saw_cr) {
        b->saw_cr = 0;
        if (b->mode == AS_CANON_SIMPLE) {
            content(b);
            out_byte(b->out, '\r');
        } else {
            brelaxed_byte(b, '\r');
        }
    }
    /* WSP ending an unterminated last line goes like any trailing WSP
     * (3.4.4; SMTP never delivers such a line).  dkimpy alone keeps one SP
     * there; this way relaxed stays idempotent (docs/dkim.md). */
    b->pending_wsp = 0;
    /* Trailing empty lines are dropped; the last non-empty line keeps (or
     * gets) its CRLF.  An empty body is CRLF in simple (3.4.3) and empty
     * in relaxed (3.4.4). */
    if (b->any || b->mode == AS_CANON_SIMPLE)
        as_canon_out_write(b->out, "\r\n", 2);
    b->pending_crlf = 0;
    as_canon_out_flush(b->out);
}
