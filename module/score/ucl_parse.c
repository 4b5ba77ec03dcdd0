/* ucl_parse.c - the tree of a rule file: objects, arrays, members,
 * duplicate keys and .include directives, over the tokens of ucl_lex.c.
 *
 * Hand-written because Debian 12 has no package of vstakhov's libucl (its
 * libucl-dev is an unrelated compression library), and libucl's own README
 * (Security considerations) says its full parser is not meant for
 * untrusted input.
 *
 * One forward pass with an explicit stack of open containers (at most
 * AS_UCL_MAX_DEPTH + the root), so hostile nesting costs a bounded array,
 * never C stack.  Finished children wait on one shared pointer stack and
 * are copied into an arena array when their container closes; duplicate
 * keys are found at once through a hash of (object, key), so the first
 * error in file order is the one reported.  Temporary tables use malloc
 * and are freed before returning; every node lives in the caller's arena. */
#include "score/ucl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/ucl_lex.h"
#include "util/fnv.h"

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
    as_ucl_lex lx;        /* the cursor and the first error */
    size_t n_nodes;
    as_ucl_node **kids;   /* children of every open container, in order */
    size_t n_kids, cap_kids;
    dup_entry *dup;
    size_t n_dup, cap_dup;
    as_ucl_include *inc;
    size_t n_inc;
    frame st[AS_UCL_MAX_DEPTH + 1];
    size_t depth;         /* index of the innermost open container */
    unsigned next_id;
    int just_closed;      /* the last value was a '}' or ']' */
} parser;

/* ---- tree building ---- */

static int push_kid(parser *ps, as_ucl_node *n)
{
    as_ucl_lex *lx = &ps->lx;
    if (ps->n_kids == ps->cap_kids) {
        size_t cap = ps->cap_kids ? ps->cap_kids * 2 : 64;
        as_ucl_node **k = realloc(ps->kids, cap * sizeof *k);
        if (!k)
            return as_ucl_lex_fail(lx, AUTHSCORE_ENOMEM, 0, "out of memory");
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
    as_ucl_lex *lx = &ps->lx;
    if (ps->n_nodes >= AS_UCL_MAX_NODES)
        return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, line, "more than %u values",
                               AS_UCL_MAX_NODES);
    as_ucl_node *n = as_arena_calloc(lx->a, 1, sizeof *n);
    if (!n)
        return as_ucl_lex_oom(lx);
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
    as_ucl_lex *lx = &ps->lx;
    frame *f = &ps->st[ps->depth];
    size_t n = ps->n_kids - f->base;
    if (n) {
        as_ucl_node **items = as_arena_alloc(lx->a, n * sizeof *items);
        if (!items)
            return as_ucl_lex_oom(lx);
        memcpy(items, ps->kids + f->base, n * sizeof *items);
        f->node->items = items;
        f->node->n_items = n;
    }
    ps->n_kids = f->base;
    return 0;
}

static int open_frame(parser *ps, as_ucl_node *n, unsigned line)
{
    as_ucl_lex *lx = &ps->lx;
    if (ps->depth >= AS_UCL_MAX_DEPTH)
        return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, line,
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
    uint64_t h = as_fnv64(AS_FNV64_BASIS ^ obj, k, n);
    return (size_t)(h ^ (h >> 29));
}

static int dup_grow(parser *ps)
{
    as_ucl_lex *lx = &ps->lx;
    size_t cap = ps->cap_dup ? ps->cap_dup * 2 : 64;
    dup_entry *t = calloc(cap, sizeof *t);
    if (!t)
        return as_ucl_lex_fail(lx, AUTHSCORE_ENOMEM, 0, "out of memory");
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
    as_ucl_lex *lx = &ps->lx;
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
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line,
                                   "duplicate key \"%s\" (first at line %u)",
                                   as_ucl_lex_show(shown, k, n), e->line);
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
    as_ucl_lex *lx = &ps->lx;
    int seen_prio = 0, seen_try = 0, seen_dup = 0, nl = 0;
    char shown[64], found[24];
    lx->pos++;
    for (;;) {
        int rc = as_ucl_lex_skip_space(lx, &nl);
        if (rc)
            return rc;
        if (as_ucl_lex_peek(lx) == ')' && !seen_prio && !seen_try && !seen_dup)
            break;
        size_t n = as_ucl_lex_word_len(lx, 1);
        if (!n)
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "expected a .include parameter, found %s",
                                   as_ucl_lex_what(found, lx));
        const char *name = lx->p + lx->pos;
        lx->pos += n;
        int is_prio = n == 8 && memcmp(name, "priority", 8) == 0;
        int is_try = n == 3 && memcmp(name, "try", 3) == 0;
        /* Rspamd's duplicate=merge, as its local.d includes are written:
         * merging is what rule files always do, so only "merge" is taken. */
        int is_dup = n == 9 && memcmp(name, "duplicate", 9) == 0;
        const char *pname = is_prio ? "priority" : is_try ? "try" : "duplicate";
        if (!is_prio && !is_try && !is_dup)
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "unknown .include parameter \"%s\"",
                                   as_ucl_lex_show(shown, name, n));
        if ((is_prio && seen_prio) || (is_try && seen_try) || (is_dup && seen_dup))
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "duplicate .include parameter \"%s\"", pname);
        if ((rc = as_ucl_lex_skip_space(lx, &nl)))
            return rc;
        if (as_ucl_lex_peek(lx) != '=')
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "expected '=' after .include parameter \"%s\"", pname);
        lx->pos++;
        if ((rc = as_ucl_lex_skip_space(lx, &nl)))
            return rc;
        int quoted = is_dup && as_ucl_lex_peek(lx) == '"';
        lx->pos += (size_t)quoted;
        size_t vn = as_ucl_lex_word_len(lx, 0);
        const char *v = lx->p + lx->pos;
        lx->pos += vn;
        if (quoted && as_ucl_lex_peek(lx) == '"')
            lx->pos++;
        else if (quoted)
            vn = 0; /* unterminated: refused below */
        if (is_dup) {
            if (vn != 5 || memcmp(v, "merge", 5) != 0)
                return as_ucl_lex_fail(
                    lx, AUTHSCORE_EPARSE, lx->line,
                    "duplicate must be merge: rule files merge field by field");
            seen_dup = 1;
        } else if (is_prio) {
            int val = 0;
            int ok = vn >= 1 && vn <= 2;
            for (size_t i = 0; ok && i < vn; i++) {
                if (!as_ucl_lex_is_digit((unsigned char)v[i]))
                    ok = 0;
                else
                    val = val * 10 + (v[i] - '0');
            }
            if (!ok || val > AS_UCL_MAX_PRIORITY)
                return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                       "priority must be 0..%d", AS_UCL_MAX_PRIORITY);
            inc->priority = val;
            seen_prio = 1;
        } else {
            if (!vn || !as_ucl_lex_bool(v, vn, &inc->try_only))
                return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                       "try must be true or false");
            seen_try = 1;
        }
        if ((rc = as_ucl_lex_skip_space(lx, &nl)))
            return rc;
        int c = as_ucl_lex_peek(lx);
        if (c == ')')
            break;
        if (c != ',')
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                                   "expected ',' or ')' in .include parameters, found %s",
                                   as_ucl_lex_what(found, lx));
        lx->pos++;
    }
    lx->pos++; /* ')' */
    return 0;
}

/* After the word ".include" (at line `line`) in the root object. */
static int include(parser *ps, unsigned line)
{
    as_ucl_lex *lx = &ps->lx;
    char found[24];
    if (ps->depth != 0)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line,
                               ".include is only allowed at the top level");
    if (ps->n_inc >= AS_UCL_MAX_INCLUDES)
        return as_ucl_lex_fail(lx, AUTHSCORE_ELIMIT, line,
                               "more than %u .include directives", AS_UCL_MAX_INCLUDES);
    if (!ps->inc) {
        ps->inc = as_arena_calloc(lx->a, AS_UCL_MAX_INCLUDES, sizeof *ps->inc);
        if (!ps->inc)
            return as_ucl_lex_oom(lx);
    }
    as_ucl_include *inc = &ps->inc[ps->n_inc];
    memset(inc, 0, sizeof *inc);
    int rc = as_ucl_lex_skip_space(lx, NULL);
    if (rc)
        return rc;
    if (as_ucl_lex_peek(lx) == '(') {
        if ((rc = include_params(ps, inc)))
            return rc;
        if ((rc = as_ucl_lex_skip_space(lx, NULL)))
            return rc;
    }
    int c = as_ucl_lex_peek(lx);
    if (c != '"' && c != '\'')
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "expected a quoted path after .include, found %s",
                               as_ucl_lex_what(found, lx));
    char *path;
    size_t n;
    if ((rc = as_ucl_lex_quoted(lx, &path, &n)))
        return rc;
    if (!n)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line, "empty .include path");
    inc->path = path;
    inc->line = line;
    inc->position = ps->n_kids - ps->st[0].base;
    ps->n_inc++;
    return 0;
}

/* ---- values and members ---- */

/* A STRING value whose bytes (s, len) are already in the arena. */
static int string_node(parser *ps, unsigned line, const char *key,
                       size_t key_len, const char *s, size_t len)
{
    as_ucl_node *n;
    int rc = new_node(ps, AS_UCL_STRING, line, key, key_len, &n);
    if (rc)
        return rc;
    n->str = s;
    n->str_len = len;
    return 0;
}

/* A value at the cursor for the current container; key may be NULL. */
static int value(parser *ps, const char *key, size_t key_len)
{
    as_ucl_lex *lx = &ps->lx;
    char found[24], shown[64];
    const unsigned line = lx->line;
    as_ucl_node *n;
    int rc, c = as_ucl_lex_peek(lx);
    if (c == '{' || c == '[') {
        if ((rc = new_node(ps, c == '{' ? AS_UCL_OBJECT : AS_UCL_ARRAY, line,
                           key, key_len, &n)))
            return rc;
        lx->pos++;
        return open_frame(ps, n, line);
    }
    if (c == '"' || c == '\'') {
        char *s;
        size_t len;
        if ((rc = as_ucl_lex_quoted(lx, &s, &len)))
            return rc;
        return string_node(ps, line, key, key_len, s, len);
    }
    size_t wn = c >= 0 ? as_ucl_lex_word_len(lx, 0) : 0;
    if (!wn) {
        if (key)
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line,
                                   "expected a value for key \"%s\", found %s",
                                   as_ucl_lex_show(shown, key, key_len),
                                   as_ucl_lex_what(found, lx));
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line,
                               "expected a value, found %s", as_ucl_lex_what(found, lx));
    }
    const char *w = lx->p + lx->pos;
    int b;
    if (as_ucl_lex_bool(w, wn, &b)) {
        if ((rc = new_node(ps, AS_UCL_BOOL, line, key, key_len, &n)))
            return rc;
        n->boolean = b;
        lx->pos += wn;
        return 0;
    }
    if (as_ucl_lex_looks_numeric(w, wn)) {
        double v = 0;
        if ((rc = as_ucl_lex_number(lx, w, wn, &v)))
            return rc;
        if ((rc = new_node(ps, AS_UCL_NUMBER, line, key, key_len, &n)))
            return rc;
        n->num = v;
        lx->pos += wn;
        return 0;
    }
    char *s;
    if ((rc = as_ucl_lex_copy_word(lx, wn, &s)))
        return rc;
    return string_node(ps, line, key, key_len, s, wn);
}

/* A member at the cursor of the current object: KEY [=|:] VALUE, KEY {,
 * or .include in the root. */
static int member(parser *ps)
{
    as_ucl_lex *lx = &ps->lx;
    char found[24], shown[64];
    frame *f = &ps->st[ps->depth];
    const unsigned line = lx->line;
    char *key;
    size_t n;
    int rc, c = as_ucl_lex_peek(lx);
    if (c == '"' || c == '\'') {
        if ((rc = as_ucl_lex_quoted(lx, &key, &n)))
            return rc;
    } else if (c >= 0 && as_ucl_lex_is_key_char(c)) {
        n = as_ucl_lex_word_len(lx, 1);
        const char *w = lx->p + lx->pos;
        if (w[0] == '.') {
            if (n == 8 && memcmp(w, ".include", 8) == 0) {
                lx->pos += n;
                f->last_key = NULL;
                f->last_key_len = SIZE_MAX;
                return include(ps, line);
            }
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line,
                                   "unsupported macro \"%s\"",
                                   as_ucl_lex_show(shown, w, n));
        }
        if ((rc = as_ucl_lex_copy_word(lx, n, &key)))
            return rc;
    } else {
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, line, "expected a key, found %s",
                               as_ucl_lex_what(found, lx));
    }
    if ((rc = check_dup(ps, f->id, key, n, line)))
        return rc;
    f->last_key = key;
    f->last_key_len = n;
    if ((rc = as_ucl_lex_skip_space(lx, NULL)))
        return rc;
    c = as_ucl_lex_peek(lx);
    if (c == '=' || c == ':') {
        int nl = 0;
        lx->pos++;
        if ((rc = as_ucl_lex_skip_space(lx, &nl)))
            return rc;
    } else if (c != '{') {
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "expected '=', ':' or '{' after key \"%s\"",
                               as_ucl_lex_show(shown, key, n));
    }
    return value(ps, key, n);
}

/* After a member or element: a separator, or the end of the container. */
static int after(parser *ps, enum state *st)
{
    as_ucl_lex *lx = &ps->lx;
    char found[24], shown[64];
    frame *f = &ps->st[ps->depth];
    int nl = 0, rc = as_ucl_lex_skip_space(lx, &nl);
    if (rc)
        return rc;
    int c = as_ucl_lex_peek(lx);
    int is_arr = f->node->type == AS_UCL_ARRAY;
    if (c == ';' || c == ',') {
        lx->pos++;
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
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "expected ',' or ']' after array element, found %s",
                               as_ucl_lex_what(found, lx));
    if (f->last_key_len == SIZE_MAX)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "expected ';', ',' or newline after .include, found %s",
                               as_ucl_lex_what(found, lx));
    return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                           "expected ';', ',' or newline after the value of \"%s\", "
                           "found %s",
                           as_ucl_lex_show(shown, f->last_key, f->last_key_len),
                           as_ucl_lex_what(found, lx));
}

static int run(parser *ps, as_ucl_node *root)
{
    as_ucl_lex *lx = &ps->lx;
    char found[24];
    int braced = 0, nl = 0, rc;
    enum state st = S_EXPECT;
    if (lx->len >= 3 && memcmp(lx->p, "\xEF\xBB\xBF", 3) == 0)
        lx->pos = 3; /* a UTF-8 byte order mark, as some editors write */
    frame *f0 = &ps->st[0];
    f0->node = root;
    f0->open_line = 1;
    if ((rc = as_ucl_lex_skip_space(lx, &nl)))
        return rc;
    if (as_ucl_lex_peek(lx) == '{') {
        braced = 1;
        root->line = f0->open_line = lx->line;
        lx->pos++;
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
        if ((rc = as_ucl_lex_skip_space(lx, &nl)))
            return rc;
        int c = as_ucl_lex_peek(lx);
        if (c < 0) {
            if (ps->depth == 0 && !braced)
                return close_frame(ps);
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, f->open_line,
                                   "'%c' is never closed", is_arr ? '[' : '{');
        }
        if (c == (is_arr ? ']' : '}') && (ps->depth > 0 || braced)) {
            lx->pos++;
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
            return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line, "unexpected %s",
                                   as_ucl_lex_what(found, lx));
        size_t depth = ps->depth;
        rc = is_arr ? value(ps, NULL, 0) : member(ps);
        if (rc)
            return rc;
        /* A container just opened expects its first member. */
        st = ps->depth > depth ? S_EXPECT : S_AFTER;
        ps->just_closed = 0;
    }
    /* The braced root is closed: only blanks and comments may follow. */
    if ((rc = as_ucl_lex_skip_space(lx, &nl)))
        return rc;
    if (as_ucl_lex_peek(lx) >= 0)
        return as_ucl_lex_fail(lx, AUTHSCORE_EPARSE, lx->line,
                               "unexpected %s after the closing '}'",
                               as_ucl_lex_what(found, lx));
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
    as_ucl_lex_init(&ps.lx, a, p ? p : "", len, err);
    as_ucl_node *root = as_arena_calloc(a, 1, sizeof *root);
    int rc;
    if (!root) {
        rc = as_ucl_lex_oom(&ps.lx);
    } else {
        root->type = AS_UCL_OBJECT;
        root->line = 1;
        rc = run(&ps, root);
    }
    free(ps.kids);
    free(ps.dup);
    as_ucl_lex_done(&ps.lx);
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
