/* ar_read.c - RFC 8601 2.2 Authentication-Results field value parser.
 *
 * A cursor over (p, len) with a sticky error, in the style of OpenSMTPD's
 * small parsers.  Grammar (CFWS allowed between all tokens):
 *   authserv-id [ version ] ( ";" "none" / 1*( ";" resinfo ) )
 *   resinfo  = method [ "/" version ] "=" result [ "reason" "=" value ]
 *              *( ptype "." property "=" pvalue )
 *   pvalue   = value / [ [ local-part ] "@" ] domain-name
 * Comments nest; their depth is a counter (no recursion). */
#include "score/ar_read.h"

#include <string.h>
#include <strings.h>

#include <authscore.h>

typedef struct cur {
    const char *p;
    size_t len, i;
    int err; /* sticky AUTHSCORE_E* */
} cur;

static int at_end(const cur *c) { return c->err || c->i >= c->len; }
static int peek(const cur *c) { return at_end(c) ? -1 : (unsigned char)c->p[c->i]; }
static void fail(cur *c, int e)
{
    if (!c->err)
        c->err = e;
}

static int is_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 2045 token characters. */
static int is_token_char(int c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* Unquoted pvalue characters: atext, "." and "@" (token is a subset but
 * for "." which is added; atext adds "/", "=", "?"). */
static int is_ptext(int c)
{
    return is_alnum(c) || (c > 0 && strchr("!#$%&'*+-/=?^_`{|}~.@", c));
}

/* Skip FWS and comments.  Controls other than HTAB, CR, LF are errors. */
static void skip_cfws(cur *c)
{
    size_t depth = 0;
    while (!at_end(c)) {
        int ch = peek(c);
        if (depth == 0) {
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
                c->i++;
            } else if (ch == '(') {
                depth = 1;
                c->i++;
            } else {
                return;
            }
            continue;
        }
        c->i++;
        if (ch == '\\') {
            if (at_end(c))
                break;
            ch = peek(c);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                fail(c, AUTHSCORE_EPARSE);
                return;
            }
            c->i++;
        } else if (ch == '(') {
            if (++depth > AS_AR_READ_MAX_COMMENT_DEPTH) {
                fail(c, AUTHSCORE_ELIMIT);
                return;
            }
        } else if (ch == ')') {
            depth--;
        } else if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7f) {
            fail(c, AUTHSCORE_EPARSE);
            return;
        }
    }
    if (depth)
        fail(c, AUTHSCORE_EPARSE); /* unterminated comment */
}

static int expect(cur *c, char ch)
{
    if (peek(c) != (unsigned char)ch) {
        fail(c, AUTHSCORE_EPARSE);
        return 0;
    }
    c->i++;
    return 1;
}

/* Keyword (RFC 8601 2.2, ldh-str; "_" accepted as many writers use it). */
static const char *keyword(cur *c, as_arena *a)
{
    size_t s = c->i;
    while (!at_end(c) && (is_alnum(peek(c)) || peek(c) == '-' || peek(c) == '_'))
        c->i++;
    if (c->i == s) {
        fail(c, AUTHSCORE_EPARSE);
        return NULL;
    }
    const char *k = as_arena_strndup_lower(a, c->p + s, c->i - s);
    if (!k)
        fail(c, AUTHSCORE_ENOMEM);
    return k;
}

static int digits(cur *c)
{
    long v = 0;
    size_t s = c->i;
    while (!at_end(c) && peek(c) >= '0' && peek(c) <= '9') {
        if (v < 100000)
            v = v * 10 + (peek(c) - '0');
        c->i++;
    }
    if (c->i == s)
        fail(c, AUTHSCORE_EPARSE);
    return (int)v;
}

/* quoted-string at the cursor ('"'), decoded into the arena. */
static char *quoted(cur *c, as_arena *a, size_t *out_len)
{
    if (!expect(c, '"'))
        return NULL;
    size_t s = c->i, end = s;
    /* First pass: find the closing quote and check the bytes. */
    for (;;) {
        if (end >= c->len) {
            fail(c, AUTHSCORE_EPARSE);
            return NULL;
        }
        int ch = (unsigned char)c->p[end];
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (end + 1 >= c->len) {
                fail(c, AUTHSCORE_EPARSE);
                return NULL;
            }
            ch = (unsigned char)c->p[end + 1];
            end++;
        }
        if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || ch == 0x7f) {
            fail(c, AUTHSCORE_EPARSE);
            return NULL;
        }
        end++;
    }
    char *d = as_arena_alloc(a, end - s + 1);
    if (!d) {
        fail(c, AUTHSCORE_ENOMEM);
        return NULL;
    }
    size_t o = 0;
    for (size_t i = s; i < end; i++) {
        char ch = c->p[i];
        if (ch == '\r' || ch == '\n')
            continue; /* folding: CRLF is not part of the content */
        if (ch == '\\')
            ch = c->p[++i];
        d[o++] = ch;
    }
    d[o] = '\0';
    c->i = end + 1;
    *out_len = o;
    return d;
}

/* A non-empty run of bytes of one class, copied; empty is a parse error. */
static const char *take_run(cur *c, as_arena *a, size_t *len, int (*in_class)(int))
{
    size_t s = c->i;
    while (!at_end(c) && in_class(peek(c)))
        c->i++;
    if (c->i == s) {
        fail(c, AUTHSCORE_EPARSE);
        return NULL;
    }
    const char *v = as_arena_strndup(a, c->p + s, c->i - s);
    if (!v)
        fail(c, AUTHSCORE_ENOMEM);
    *len = c->i - s;
    return v;
}

/* value = token / quoted-string */
static const char *value(cur *c, as_arena *a, size_t *len)
{
    if (peek(c) == '"')
        return quoted(c, a, len);
    return take_run(c, a, len, is_token_char);
}

/* pvalue: a quoted-string, optionally followed by "@" domain; or a run of
 * ptext (token, dot-atom "@" domain, "@" domain). */
static const char *pvalue(cur *c, as_arena *a, size_t *len)
{
    skip_cfws(c);
    if (peek(c) == '"') {
        size_t qn;
        char *q = quoted(c, a, &qn);
        if (!q || peek(c) != '@') {
            *len = q ? qn : 0;
            return q;
        }
        size_t s = c->i; /* the '@' */
        c->i++;
        while (!at_end(c) && is_ptext(peek(c)) && peek(c) != '@')
            c->i++;
        size_t dn = c->i - s;
        if (dn < 2) {
            fail(c, AUTHSCORE_EPARSE);
            return NULL;
        }
        /* qn and dn are both below the input cap: no overflow. */
        char *v = as_arena_alloc(a, qn + dn + 1);
        if (!v) {
            fail(c, AUTHSCORE_ENOMEM);
            return NULL;
        }
        memcpy(v, q, qn);
        memcpy(v + qn, c->p + s, dn);
        v[qn + dn] = '\0';
        *len = qn + dn;
        return v;
    }
    return take_run(c, a, len, is_ptext);
}

static void resinfo(cur *c, as_arena *a, as_ar_resinfo *r, as_ar_prop *props)
{
    skip_cfws(c);
    r->method = keyword(c, a);
    skip_cfws(c);
    if (peek(c) == '/') {
        c->i++;
        skip_cfws(c);
        r->method_version = digits(c);
        skip_cfws(c);
    }
    expect(c, '=');
    skip_cfws(c);
    r->result = keyword(c, a);
    size_t n = 0;
    for (;;) {
        skip_cfws(c);
        if (at_end(c) || peek(c) == ';')
            break;
        const char *k = keyword(c, a);
        skip_cfws(c);
        if (c->err)
            break;
        if (peek(c) == '=' && !strcmp(k, "reason") && !r->reason && n == 0) {
            c->i++;
            skip_cfws(c);
            size_t vl;
            r->reason = value(c, a, &vl);
            continue;
        }
        if (n >= AS_AR_READ_MAX_PROPS) {
            fail(c, AUTHSCORE_ELIMIT);
            break;
        }
        as_ar_prop *pr = &props[n];
        pr->ptype = k;
        expect(c, '.');
        skip_cfws(c);
        pr->property = keyword(c, a);
        skip_cfws(c);
        expect(c, '=');
        pr->value = pvalue(c, a, &pr->value_len);
        if (c->err)
            break;
        n++;
    }
    if (n) {
        r->props = as_arena_calloc(a, n, sizeof *r->props);
        if (!r->props) {
            fail(c, AUTHSCORE_ENOMEM);
            return;
        }
        memcpy(r->props, props, n * sizeof *props);
        r->n_props = n;
    }
}

int as_ar_read(as_arena *a, const char *p, size_t len, as_ar_parsed *out)
{
    memset(out, 0, sizeof *out);
    if (!p && len)
        return AUTHSCORE_EINVAL;
    if (len > AS_AR_READ_MAX_INPUT)
        return AUTHSCORE_ELIMIT;
    cur c = {p, len, 0, 0};
    as_ar_prop props[AS_AR_READ_MAX_PROPS];
    out->res = as_arena_calloc(a, AS_AR_READ_MAX_RESINFOS, sizeof *out->res);
    if (!out->res)
        return AUTHSCORE_ENOMEM;
    skip_cfws(&c);
    size_t vl;
    out->authserv_id = value(&c, a, &vl);
    skip_cfws(&c);
    if (!c.err && peek(&c) >= '0' && peek(&c) <= '9') {
        out->version = digits(&c);
        skip_cfws(&c);
    }
    while (!c.err) {
        skip_cfws(&c);
        if (at_end(&c))
            break;
        if (out->none) {
            fail(&c, AUTHSCORE_EPARSE); /* nothing may follow "none" */
            break;
        }
        expect(&c, ';');
        skip_cfws(&c);
        /* no-result = ";" "none" (RFC 8601 2.2), only as the sole one. */
        size_t save = c.i;
        if (out->n_res == 0 && c.len - c.i >= 4 && !strncasecmp(c.p + c.i, "none", 4)) {
            c.i += 4;
            skip_cfws(&c);
            if (at_end(&c) && !c.err) {
                out->none = 1;
                break;
            }
            c.i = save;
            c.err = 0;
        }
        if (out->n_res >= AS_AR_READ_MAX_RESINFOS) {
            fail(&c, AUTHSCORE_ELIMIT);
            break;
        }
        as_ar_resinfo *r = &out->res[out->n_res];
        resinfo(&c, a, r, props);
        if (!c.err)
            out->n_res++;
    }
    if (!c.err && out->n_res == 0 && !out->none)
        fail(&c, AUTHSCORE_EPARSE); /* at least one resinfo or "none" */
    return c.err;
}
