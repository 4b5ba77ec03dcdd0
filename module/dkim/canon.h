/* canon.h - RFC 6376 section 3.4 canonicalization, streaming.
 *
 * Canonicalized bytes are collected in a small fixed buffer (as_canon_out,
 * on the caller's stack) and handed to a sink (normally a hash update) when
 * it fills, so nothing is copied per message and nothing is allocated.
 * Line ends: CRLF and a bare LF both end a line (a bare LF becomes CRLF, as
 * an MTA would have sent it); a CR not followed by LF is an ordinary byte. */
#ifndef AS_DKIM_CANON_H
#define AS_DKIM_CANON_H

#include <stddef.h>
#include <stdint.h>

#define AS_CANON_BUF 4096u

enum as_canon_mode { AS_CANON_SIMPLE = 0, AS_CANON_RELAXED = 1 };

typedef void (*as_canon_sink_fn)(void *arg, const char *p, size_t n);

typedef struct as_canon_out {
    as_canon_sink_fn fn;
    void *arg;
    uint64_t total;   /* bytes handed to the sink so far, plus buffered */
    size_t len;
    char buf[AS_CANON_BUF];
} as_canon_out;

void as_canon_out_init(as_canon_out *o, as_canon_sink_fn fn, void *arg);
void as_canon_out_write(as_canon_out *o, const char *p, size_t n);
void as_canon_out_flush(as_canon_out *o);

/* Header field canonicalization (3.4.1, 3.4.2) of one field given in
 * pieces (so the DKIM-Signature field can be fed around its b= value).
 * Feed the field from its name up to, not including, its final line
 * break; end() adds CRLF when crlf is set (every field but the
 * DKIM-Signature being verified, 3.7). */
typedef struct as_hcanon {
    as_canon_out *out;
    int mode;
    int in_value;     /* relaxed: after the colon */
    int started;      /* relaxed: a value byte was written */
    int pending_wsp;  /* relaxed: WSP run not yet written */
    int saw_cr;       /* a CR not yet known to start CRLF */
} as_hcanon;

void as_hcanon_init(as_hcanon *h, int mode, as_canon_out *out);
void as_hcanon_feed(as_hcanon *h, const char *p, size_t n);
void as_hcanon_end(as_hcanon *h, int crlf);

/* Body canonicalization (3.4.3, 3.4.4), fed in any number of pieces.
 * Trailing empty lines are held back as a count, so a body of a million
 * blank lines costs no memory. */
typedef struct as_bcanon {
    as_canon_out *out;
    int mode;
    int saw_cr;
    int pending_wsp;   /* relaxed */
    int any;           /* a non-empty line was written */
    uint64_t pending_crlf;
} as_bcanon;

void as_bcanon_init(as_bcanon *b, int mode, as_canon_out *out);
void as_bcanon_feed(as_bcanon *b, const char *p, size_t n);
void as_bcanon_end(as_bcanon *b);

#endif
