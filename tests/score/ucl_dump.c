/* ucl_dump.c - canonical text of a parsed rule-file tree (ucl_dump.h).
 * Not a JSON library (json-c, jansson): the round trip needs our nodes'
 * exact bytes and numbers as %.17g in the C locale, in one fixed form. */
#include "ucl_dump.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <authscore.h>

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
