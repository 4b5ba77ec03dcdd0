/* exim_fold.c - fold the Authentication-Results value for Exim's
 * add_header, so that no line of the field passes 78 columns (RFC 5322
 * 2.1.1) where it can be helped.
 *
 * Each result (after the authserv-id's ';') starts a line of its own, the
 * way readers scan the field; a result longer than a line breaks at its
 * spaces.  Folding only ever replaces a space by "\n\t" (FWS), and never
 * inside a quoted-string, whose content a fold would change.  A single
 * word longer than a line stays whole: RFC 5322 allows 998 bytes. */
#include <string.h>

#include "host/exim/exim.h"

/* A continuation line starts with a tab, counted as 8 columns so that the
 * field also fits 78 columns on a terminal. */
#define AS_EXIM_FOLD_INDENT 8

struct fold {
    char *dst;
    size_t cap, len, col;
    int overflow;
};

static void put(struct fold *f, const char *p, size_t n)
{
    if (f->overflow || n >= f->cap - f->len) {
        f->overflow = 1;
        return;
    }
    memcpy(f->dst + f->len, p, n);
    f->len += n;
    f->col += n;
}

static void newline(struct fold *f)
{
    put(f, "\n\t", 2);
    f->col = AS_EXIM_FOLD_INDENT;
}

/* Length of the next word at p (up to a space outside quotes), and
 * whether it ends a result (its last byte is ';'). */
static size_t word(const char *p, size_t len, int *ends_result)
{
    size_t i = 0;
    int quoted = 0;
    for (; i < len; i++) {
        if (quoted && p[i] == '\\' && i + 1 < len) {
            i++;
            continue;
        }
        if (p[i] == '"')
            quoted = !quoted;
        else if (p[i] == ' ' && !quoted)
            break;
    }
    *ends_result = i > 0 && p[i - 1] == ';';
    return i;
}

int as_exim_fold(const char *value, size_t first_col, char *dst, size_t cap)
{
    struct fold f = {dst, cap, 0, first_col, cap == 0};
    size_t len = strlen(value);
    int line_empty = 1, break_before = 0;
    for (size_t i = 0; i < len;) {
        if (value[i] == ' ') {
            i++;
            continue;
        }
        int ends_result;
        size_t n = word(value + i, len - i, &ends_result);
        if (!line_empty && (break_before || f.col + 1 + n > AS_EXIM_FOLD_MAX))
            newline(&f);
        else if (!line_empty)
            put(&f, " ", 1);
        put(&f, value + i, n);
        line_empty = 0;
        break_before = ends_result;
        i += n;
    }
    if (f.overflow)
        return -1;
    dst[f.len] = '\0';
    return (int)f.len;
}
