/* address.c - RFC 5322 3.4 address-list parser with the obsolete forms of
 * 4.4 (see address.h).
 *
 * A small lexer turns the value into tokens (atom, quoted-string,
 * domain-literal, one-byte specials), skipping CFWS.  Comments nest: they
 * are skipped with a depth counter, so 10,000 nested parentheses cost a
 * loop, never a stack frame.  The parser reads one address at a time:
 * the words before the first special decide what they were ('<' display
 * name, ':' group name, '@' local-part, ',' or ';' or end a bare local-part).
 * Text that is built (local-part, domain, display-name) is made by lexing
 * the recorded byte range a second time, so each output is allocated at
 * its exact bound and the work stays linear. */
#include "msg/address.h"

#include <string.h>

#include <authscore.h>
#include "util/span.h"

enum tok_type { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPECIAL, T_ERR };

typedef struct tok {
    enum tok_type type;
    char ch;      /* the special byte for T_SPECIAL */
    size_t s, e;  /* raw bytes of the token (quotes/brackets included) */
    int ws;       /* CFWS came before it */
} tok;

typedef struct lexer {
    const char *p;
    size_t len;
    size_t pos;
    tok cur;
    const char *err; /* static text for T_ERR */
} lexer;

/* RFC 5322 3.2.3 atext, plus 8-bit bytes (RFC 6532 UTF-8 addresses). */
static inline int is_atext(unsigned char c)
{
    if (c >= 0x80)
        return 1;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '/': case '=': case '?': case '^': case '_':
    case '`': case '{': case '|': case '}': case '~':
        return 1;
    default:
        return 0;
    }
}

static void lex_fail(lexer *L, const char *why)
{
    L->cur.type = T_ERR;
    L->err = why;
    L->pos = L->len; /* sticky: nothing follows an error */
}

/* Scan a delimited run ("..." or [...]) from just after its opening byte;
 * a backslash quotes the next byte.  Returns 0 when the closer was found. */
static int scan_delimited(lexer *L, char closer, char forbidden)
{
    while (L->pos < L->len) {
        char c = L->p[L->pos];
        if (c == '\0')
            return -2;
        if (c == '\\') {
            if (L->pos + 1 >= L->len || L->p[L->pos + 1] == '\0')
                return -1;
            L->pos += 2;
            continue;
        }
        L->pos++;
        if (c == closer)
            return 0;
        if (forbidden && c == forbidden)
            return -3;
    }
    return -1;
}

static void lex_next(lexer *L)
{
    int ws = 0;
    for (;;) {
        if (L->pos >= L->len) {
            L->cur.type = T_END;
            L->cur.s = L->cur.e = L->len;
            L->cur.ws = ws;
            return;
        }
        char c = L->p[L->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            L->pos++;
            ws = 1;
            continue;
        }
        if (c != '(')
            break;
        /* comment: nesting by counter, quoted-pairs skipped */
        size_t depth = 1;
        L->pos++;
        while (L->pos < L->len && depth) {
            char d = L->p[L->pos];
            if (d == '\0') {
                lex_fail(L, "NUL in address");
                return;
            }
            if (d == '\\') {
                L->pos += (L->pos + 1 < L->len) ? 2 : 1;
                continue;
            }
            if (d == '(')
                depth++;
            else if (d == ')')
                depth--;
            L->pos++;
        }
        if (depth) {
            lex_fail(L, "unterminated comment");
            return;
        }
        ws = 1;
    }

    unsigned char c = (unsigned char)L->p[L->pos];
    tok *t = &L->cur;
    t->ws = ws;
    t->s = L->pos;
    t->ch = 0;
    if (c == '"' || c == '[') {
        L->pos++;
        int r = scan_delimited(L, c == '"' ? '"' : ']', c == '[' ? '[' : 0);
        if (r == -2)
            lex_fail(L, "NUL in address");
        else if (r == -3)
            lex_fail(L, "bad domain literal");
        else if (r < 0)
            lex_fail(L, c == '"' ? "unterminated quoted string"
                                 : "unterminated domain literal");
        else {
            t->type = c == '"' ? T_QSTR : T_DLIT;
            t->e = L->pos;
        }
        return;
    }
    switch (c) {
    case '<': case '>': case ':': case ';': case '@': case ',': case '.':
        t->type = T_SPECIAL;
        t->ch = (char)c;
        t->e = ++L->pos;
        return;
    case ')':
        lex_fail(L, "unbalanced ')'");
        return;
    case '\0':
        lex_fail(L, "NUL in address");
        return;
    default:
        break;
    }
    if (!is_atext(c)) {
        lex_fail(L, "bad character in address");
        return;
    }
    while (L->pos < L->len && is_atext((unsigned char)L->p[L->pos]))
        L->pos++;
    t->type = T_ATOM;
    t->e = L->pos;
}

static inline int is_special(const tok *t, char ch)
{
    return t->type == T_SPECIAL && t->ch == ch;
}

static inline int is_word(const tok *t)
{
    return t->type == T_ATOM || t->type == T_QSTR;
}

/* How the tokens of a recorded range become text. */
enum build_mode {
    B_LOCAL,   /* words and dots as written, CFWS dropped */
    B_DOMAIN,  /* atoms and dots (or one literal), lowercased */
    B_DISPLAY  /* words decoded, one space where CFWS was, dots kept */
};

/* Re-lex p[s..e) and build its text in the arena.  The output is never
 * longer than the range: CFWS (>= 1 byte) becomes at most one space. */
static char *build(as_arena *a, const char *p, size_t s, size_t e,
                   enum build_mode mode)
{
    char *d = as_arena_alloc(a, e - s + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    lexer L = {p, e, s, {T_END, 0, 0, 0, 0}, NULL};
    for (lex_next(&L); L.cur.type != T_END && L.cur.type != T_ERR; lex_next(&L)) {
        const char *t = p + L.cur.s;
        size_t n = L.cur.e - L.cur.s;
        if (mode == B_DISPLAY && L.cur.ws && o)
            d[o++] = ' ';
        if (mode == B_DISPLAY && L.cur.type == T_QSTR) {
            for (size_t i = 1; i + 1 < n; i++) {
                if (t[i] == '\\' && i + 2 < n)
                    i++;
                /* unfold; an (obsolete) quoted CR or LF is dropped too */
                if (t[i] == '\r' || t[i] == '\n')
                    continue;
                d[o++] = t[i];
            }
        } else if (mode == B_DOMAIN) {
            for (size_t i = 0; i < n; i++)
                d[o++] = as_ascii_lower(t[i]);
        } else {
            memcpy(d + o, t, n);
            o += n;
        }
    }
    if (mode == B_DOMAIN && o && d[o - 1] == '.')
        o--; /* "example.com." names the same domain */
    d[o] = '\0';
    return d;
}

typedef struct parser {
    lexer L;
    as_arena *a;
    as_mailbox_list *out;
    size_t cap;
} parser;

/* A run of words and dots: where it starts and ends, and its shape. */
typedef struct words {
    size_t s, e;
    size_t nwords;
    int adjacent;    /* two words with no dot between (a phrase) */
} words;

static void collect_words(parser *P, words *w)
{
    w->s = P->L.cur.s;
    w->e = P->L.cur.s;
    w->nwords = 0;
    w->adjacent = 0;
    int prev_word = 0;
    while (is_word(&P->L.cur) || is_special(&P->L.cur, '.')) {
        if (is_word(&P->L.cur)) {
            if (prev_word)
                w->adjacent = 1;
            w->nwords++;
            prev_word = 1;
        } else {
            prev_word = 0;
        }
        w->e = P->L.cur.e;
        lex_next(&P->L);
    }
}

static int fail(parser *P, int status, const char *why)
{
    P->out->status = status;
    P->out->reason = why;
    return status;
}

static int fail_alloc(parser *P)
{
    if (P->a->limited)
        return fail(P, AUTHSCORE_ELIMIT, "arena cap reached");
    return fail(P, AUTHSCORE_ENOMEM, "out of memory");
}

static int lex_error(parser *P)
{
    return fail(P, AUTHSCORE_EPARSE, P->L.err);
}

/* domain = dot-atom / domain-literal / obs-domain (CFWS around dots).
 * Consumes it; returns the range through *s, *e. */
static int parse_domain(parser *P, size_t *s, size_t *e)
{
    tok *t = &P->L.cur;
    if (t->type == T_ERR)
        return lex_error(P);
    *s = t->s;
    if (t->type == T_DLIT) {
        *e = t->e;
        lex_next(&P->L);
        return 0;
    }
    if (t->type != T_ATOM)
        return fail(P, AUTHSCORE_EPARSE, "missing domain");
    for (;;) {
        *e = t->e;
        lex_next(&P->L);
        if (!is_special(t, '.'))
            break;
        size_t dot_end = t->e;
        lex_next(&P->L);
        if (t->type != T_ATOM) {
            if (is_special(t, '.'))
                return fail(P, AUTHSCORE_EPARSE, "bad domain");
            *e = dot_end; /* one trailing dot, removed by build() */
            break;
        }
    }
    if (t->type == T_ERR)
        return lex_error(P);
    return 0;
}

static int add_mailbox(parser *P, const words *local, size_t ds, size_t de,
                       int has_domain, const words *display)
{
    as_mailbox_list *out = P->out;
    if (out->count >= AS_ADDRESS_MAX_MAILBOXES)
        return fail(P, AUTHSCORE_ELIMIT, "too many mailboxes");
    if (out->count == P->cap) {
        size_t ncap = P->cap ? P->cap * 2 : 4;
        if (ncap > AS_ADDRESS_MAX_MAILBOXES)
            ncap = AS_ADDRESS_MAX_MAILBOXES;
        as_mailbox *n = as_arena_alloc(P->a, ncap * sizeof *n);
        if (!n)
            return fail_alloc(P);
        if (out->count)
            memcpy(n, out->items, out->count * sizeof *n);
        out->items = n;
        P->cap = ncap;
    }
    const char *p = P->L.p;
    as_mailbox m = {NULL, NULL, NULL, NULL};
    m.local = build(P->a, p, local->s, local->e, B_LOCAL);
    m.domain = has_domain ? build(P->a, p, ds, de, B_DOMAIN) : "";
    if (!m.local || !m.domain)
        return fail_alloc(P);
    if (display && display->nwords) {
        m.display = build(P->a, p, display->s, display->e, B_DISPLAY);
        if (!m.display)
            return fail_alloc(P);
        if (!m.display[0])
            m.display = NULL; /* `"" <a@b>`: no name to show */
    }
    size_t ll = strlen(m.local), dl = strlen(m.domain); /* our own copies */
    if (dl) {
        char *addr = as_arena_alloc(P->a, ll + dl + 2);
        if (!addr)
            return fail_alloc(P);
        memcpy(addr, m.local, ll);
        addr[ll] = '@';
        memcpy(addr + ll + 1, m.domain, dl + 1);
        m.addr = addr;
    } else {
        m.addr = m.local;
    }
    out->items[out->count++] = m;
    return 0;
}

/* A local-part: words separated by dots (obs-local-part allows CFWS
 * around them; stray dots are tolerated as real mail has them). */
static int valid_local(const words *w)
{
    return w->nwords > 0 && !w->adjacent;
}

/* After '<': [obs-route] addr-spec '>' */
static int parse_angle(parser *P, const words *display)
{
    tok *t = &P->L.cur;
    lex_next(&P->L); /* '<' */
    /* obs-route = obs-domain-list ":" ; obs-domain-list =
     * *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) */
    if (is_special(t, '@') || is_special(t, ',')) {
        while (is_special(t, '@') || is_special(t, ',')) {
            if (is_special(t, ',')) {
                lex_next(&P->L);
                continue;
            }
            lex_next(&P->L);
            size_t s, e;
            if (parse_domain(P, &s, &e))
                return P->out->status;
        }
        if (!is_special(t, ':'))
            return t->type == T_ERR ? lex_error(P)
                                    : fail(P, AUTHSCORE_EPARSE, "bad obs-route");
        lex_next(&P->L);
    }
    if (t->type == T_ERR)
        return lex_error(P);
    if (is_special(t, '>'))
        return fail(P, AUTHSCORE_EPARSE, "empty angle address");
    words local;
    collect_words(P, &local);
    if (t->type == T_ERR)
        return lex_error(P);
    if (!valid_local(&local))
        return fail(P, AUTHSCORE_EPARSE, "bad local-part");
    size_t ds = 0, de = 0;
    int has_domain = 0;
    if (is_special(t, '@')) {
        lex_next(&P->L);
        if (parse_domain(P, &ds, &de))
            return P->out->status;
        has_domain = 1;
    }
    if (!is_special(t, '>'))
        return t->type == T_ERR ? lex_error(P)
                                : fail(P, AUTHSCORE_EPARSE, "expected '>'");
    lex_next(&P->L);
    return add_mailbox(P, &local, ds, de, has_domain, display);
}

int as_address_parse(as_arena *a, const char *p, size_t len,
                     as_mailbox_list *out)
{
    memset(out, 0, sizeof *out);
    if (!p)
        len = 0;
    if (len > AS_ADDRESS_MAX_BYTES) {
        out->status = AUTHSCORE_ELIMIT;
        out->reason = "address field too large";
        return out->status;
    }
    parser P = {{p, len, 0, {T_END, 0, 0, 0, 0}, NULL}, a, out, 0};
    tok *t = &P.L.cur;
    int in_group = 0;

    lex_next(&P.L);
    while (t->type != T_END) {
        if (t->type == T_ERR)
            return lex_error(&P);
        /* obs-addr-list / obs-mbox-list: empty elements */
        if (is_special(t, ',')) {
            lex_next(&P.L);
            continue;
        }
        if (is_special(t, ';') && in_group) {
            in_group = 0;
            lex_next(&P.L);
            continue;
        }

        words w;
        collect_words(&P, &w);
        if (t->type == T_ERR)
            return lex_error(&P);

        if (is_special(t, '<')) {
            if (parse_angle(&P, &w))
                return out->status;
        } else if (is_special(t, ':')) {
            if (in_group)
                return fail(&P, AUTHSCORE_EPARSE, "group inside a group");
            if (w.nwords == 0)
                return fail(&P, AUTHSCORE_EPARSE, "group without a name");
            in_group = 1;
            lex_next(&P.L);
            continue;
        } else if (is_special(t, '@')) {
            if (!valid_local(&w))
                return fail(&P, AUTHSCORE_EPARSE, "bad local-part");
            lex_next(&P.L);
            size_t ds, de;
            if (parse_domain(&P, &ds, &de))
                return out->status;
            if (add_mailbox(&P, &w, ds, de, 1, NULL))
                return out->status;
        } else if (w.nwords) {
            /* No '@': a bare local-part ("From: foo"), domain "". */
            if (!valid_local(&w))
                return fail(&P, AUTHSCORE_EPARSE, "phrase without an address");
            if (add_mailbox(&P, &w, 0, 0, 0, NULL))
                return out->status;
        } else {
            return fail(&P, AUTHSCORE_EPARSE, "unexpected character");
        }

        /* After a mailbox: ',' ';' (closing a group) or the end. */
        if (t->type == T_ERR)
            return lex_error(&P);
        if (is_special(t, ',')) {
            lex_next(&P.L);
        } else if (is_special(t, ';') && in_group) {
            in_group = 0;
            lex_next(&P.L);
        } else if (t->type != T_END) {
            return fail(&P, AUTHSCORE_EPARSE, "expected ','");
        }
    }
    if (in_group)
        return fail(&P, AUTHSCORE_EPARSE, "group without ';'");
    return 0;
}
