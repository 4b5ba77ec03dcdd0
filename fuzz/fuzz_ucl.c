/* fuzz_ucl.c - the UCL-subset parser for rule files (score/ucl.h).
 *
 * Success: the tree is well formed (types, keys only on object members,
 * strings NUL-terminated without NUL inside, lines within the input, depth
 * and value count within the caps, includes within theirs); the canonical
 * dump has no control byte, parses again, and that tree dumps to the very
 * same bytes (round trip).
 * Failure: a defined code, a non-empty printable message, a line no
 * further than one past the last line, and no tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/ucl.h"
#include "ucl_dump.h"
#include "fuzz_check.h"

#define ARENA_CAP (256u << 20)

static void check(int cond)
{
    if (!cond)
        abort();
}

static unsigned count_lines(const uint8_t *p, size_t n)
{
    unsigned lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\n';
    return lines;
}

static void check_tree(const as_ucl_node *root, unsigned lines)
{
    /* Depth-first with every sibling pushed: the stack holds up to every
     * value of the tree, not just one path (static: 1 MiB). */
    static struct {
        const as_ucl_node *n;
        unsigned depth;
    } st[AS_UCL_MAX_NODES + 2];
    size_t top = 0, values = 0;
    check(root->type == AS_UCL_OBJECT && root->key == NULL);
    st[top].n = root;
    st[top++].depth = 0;
    while (top) {
        const as_ucl_node *c = st[--top].n;
        unsigned depth = st[top].depth;
        check(c->line >= 1 && c->line <= lines);
        switch (c->type) {
        case AS_UCL_STRING:
            check(c->str != NULL && c->str[c->str_len] == '\0');
            check(memchr(c->str, '\0', c->str_len) == NULL);
            check(c->str_len <= AS_UCL_MAX_STRING);
            break;
        case AS_UCL_BOOL:
            check(c->boolean == 0 || c->boolean == 1);
            break;
        case AS_UCL_NUMBER:
            check(c->num - c->num == 0); /* finite */
            break;
        case AS_UCL_OBJECT:
        case AS_UCL_ARRAY:
            check(depth <= AS_UCL_MAX_DEPTH);
            check(c->n_items == 0 || c->items != NULL);
            for (size_t i = 0; i < c->n_items; i++) {
                const as_ucl_node *k = c->items[i];
                check(k != NULL);
                if (c->type == AS_UCL_OBJECT) {
                    check(k->key != NULL && k->key[k->key_len] == '\0');
                    check(memchr(k->key, '\0', k->key_len) == NULL);
                    check(k->key_len <= AS_UCL_MAX_STRING);
                    /* Duplicates were refused (small objects: checked). */
                    for (size_t j = 0; j < i && c->n_items <= 64; j++)
                        check(c->items[j]->key_len != k->key_len ||
                              memcmp(c->items[j]->key, k->key, k->key_len));
                } else {
                    check(k->key == NULL);
                }
                /* Lines never go back within a container. */
                check(k->line >= c->line);
                check(i == 0 || k->line >= c->items[i - 1]->line);
                values++;
                if (k->type == AS_UCL_OBJECT || k->type == AS_UCL_ARRAY) {
                    check(top < sizeof st / sizeof st[0]);
                    st[top].n = k;
                    st[top++].depth = depth + 1;
                } else {
                    check(k->items == NULL && k->n_items == 0);
                    check(k->line <= lines);
                }
            }
            break;
        default:
            check(0);
        }
    }
    check(values <= AS_UCL_MAX_NODES);
}

static void check_includes(const as_ucl_doc *d, unsigned lines)
{
    check(d->n_includes <= AS_UCL_MAX_INCLUDES);
    check(d->n_includes == 0 || d->includes != NULL);
    for (size_t i = 0; i < d->n_includes; i++) {
        const as_ucl_include *inc = &d->includes[i];
        check(inc->path && inc->path[0] != '\0');
        check(inc->priority >= 0 && inc->priority <= AS_UCL_MAX_PRIORITY);
        check(inc->try_only == 0 || inc->try_only == 1);
        check(inc->line >= 1 && inc->line <= lines);
        check(inc->position <= d->root->n_items);
        if (i) {
            check(inc->position >= d->includes[i - 1].position);
            check(inc->line >= d->includes[i - 1].line);
        }
    }
}

static void check_error(int rc, const as_ucl_error *err, const as_ucl_doc *d,
                        unsigned lines)
{
    check(rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ELIMIT ||
          rc == AUTHSCORE_ENOMEM);
    check(d->root == NULL && d->n_includes == 0);
    const char *end = memchr(err->message, '\0', sizeof err->message);
    check(end != NULL && end != err->message);
    for (const char *m = err->message; m < end; m++)
        check(*m >= 0x20 && *m < 0x7f);
    check(err->line <= lines + 1);
    check(rc != AUTHSCORE_EPARSE || err->line >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_arena a;
    as_ucl_doc doc;
    as_ucl_error err;
    const unsigned lines = count_lines(data, size);
    as_arena_init(&a, ARENA_CAP);
    int rc = as_ucl_parse(&a, (const char *)data, size, &doc, &err);
    if (rc) {
        check_error(rc, &err, &doc, lines);
        as_arena_free(&a);
        return 0;
    }
    check_tree(doc.root, lines);
    check_includes(&doc, lines);

    /* Each input byte becomes at most a few dump bytes (\u0009 for a tab,
     * 0.10000000000000001 for .1, "k":{} for k{}): 32 per byte is ample. */
    size_t cap = 32 * size + 64;
    char *first = malloc(cap), *second = malloc(cap);
    check(first && second);
    long n1 = as_ucl_dump(doc.root, first, cap);
    check(n1 >= 2 && (size_t)n1 < cap && first[n1] == '\0');
    for (long i = 0; i < n1; i++)
        check((unsigned char)first[i] >= 0x20 && first[i] != 0x7f);

    /* Escapes may grow a file past the input cap: nothing to compare. */
    if ((size_t)n1 > AS_UCL_MAX_INPUT) {
        free(first);
        free(second);
        as_arena_free(&a);
        return 0;
    }
    as_arena b;
    as_ucl_doc again;
    as_arena_init(&b, ARENA_CAP);
    rc = as_ucl_parse(&b, first, (size_t)n1, &again, &err);
    check(rc == 0);
    check(again.n_includes == 0);
    check(again.root->n_items == doc.root->n_items);
    check_tree(again.root, 1);
    long n2 = as_ucl_dump(again.root, second, cap);
    check(n2 == n1 && memcmp(first, second, (size_t)n1) == 0);

    free(first);
    free(second);
    as_arena_free(&b);
    as_arena_free(&a);
    return 0;
}
