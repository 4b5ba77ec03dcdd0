/* check_options_doc.c - the option table (core/options.c) and its two
 * descriptions name the same options: the "## Options" table of
 * docs/architecture.md (rows "| `name` | ...") and the list in the comment
 * above authscore_ctx_set_option() in include/authscore.h (lines
 * " *   name  text").  A missing or extra name fails, naming it.  Also checks
 * the table itself: unique names, a description, a sane range.
 * Exit: 0 agree, 1 disagree, 77 (SKIP) without $AUTHSCORE_SOURCE_ROOT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "core/options.h"

#define MAX_NAMES 64
#define NAME_MAX_LEN 64

typedef struct names {
    char v[MAX_NAMES][NAME_MAX_LEN + 1];
    size_t n;
} names;

static int failures;

static void add(names *s, const char *p, size_t len, const char *where)
{
    if (len == 0 || len > NAME_MAX_LEN || s->n == MAX_NAMES) {
        printf("FAIL %s: option name of %zu bytes, or over %d names\n", where, len, MAX_NAMES);
        failures++;
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && memcmp(s->v[i], p, len) == 0) {
            printf("FAIL %s: %.*s listed twice\n", where, (int)len, p);
            failures++;
            return;
        }
    memcpy(s->v[s->n], p, len);
    s->v[s->n++][len] = '\0';
}

static int has(const names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return 1;
    return 0;
}

static int starts(const char *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(p, prefix, n) == 0;
}

/* Rows "| `name` |" between "## Options" and the next "## ". */
static void doc_names(const char *p, size_t len, names *out)
{
    int in = 0, seen = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(p + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (p + i)) : len - i;
        const char *line = p + i;
        if (starts(line, l, "## "))
            in = starts(line, l, "## Options"), seen |= in;
        else if (in && starts(line, l, "| `")) {
            const char *end = memchr(line + 3, '`', l - 3);
            if (end)
                add(out, line + 3, (size_t)(end - line - 3), "docs/architecture.md");
        }
        i += l + 1;
    }
    if (!seen) {
        printf("FAIL docs/architecture.md: no \"## Options\" section\n");
        failures++;
    }
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* Lines " *   name ..." of the comment right above the declaration. */
static void header_names(const char *p, size_t len, names *out)
{
    const char *decl = memmem(p, len, "int authscore_ctx_set_option(", 29);
    const char *c = NULL;
    for (const char *q = p; decl && q + 1 < decl; q++)
        if (q[0] == '/' && q[1] == '*')
            c = q; /* the last comment opened before the declaration */
    if (!decl || !c) {
        printf("FAIL include/authscore.h: no comment above authscore_ctx_set_option()\n");
        failures++;
        return;
    }
    for (const char *q = c; q < decl;) {
        const char *nl = memchr(q, '\n', (size_t)(decl - q));
        size_t l = nl ? (size_t)(nl - q) : (size_t)(decl - q);
        if (starts(q, l, " *   ") && l > 5 && name_char(q[5])) {
            size_t n = 5;
            while (n < l && name_char(q[n]))
                n++;
            add(out, q + 5, n - 5, "include/authscore.h");
        }
        q += l + 1;
    }
}

/* Names in `doc` and not in the table, and the other way round. */
static void compare(const names *table, const names *doc, const char *where)
{
    for (size_t i = 0; i < table->n; i++)
        if (!has(doc, table->v[i])) {
            printf("FAIL %s: option %s (core/options.c) is not listed\n", where, table->v[i]);
            failures++;
        }
    for (size_t i = 0; i < doc->n; i++)
        if (!has(table, doc->v[i])) {
            printf("FAIL %s: lists %s, which core/options.c does not have\n", where, doc->v[i]);
            failures++;
        }
}

static void table_names(names *out)
{
    for (size_t i = 0; i < as_options_count(); i++) {
        const as_option *o = as_option_at(i);
        add(out, o->name, strlen(o->name), "core/options.c");
        int sane = o->help && *o->help && o->min >= 0 && o->min <= o->max;
        if (o->type == AS_OPT_ENUM)
            sane = o->help && *o->help && o->words && o->words[0].word;
        if (!sane) {
            printf("FAIL core/options.c: %s has no description, words or range\n", o->name);
            failures++;
        }
    }
    if (as_option_name(as_options_count()) != NULL) {
        printf("FAIL core/options.c: as_option_name past the end is not NULL\n");
        failures++;
    }
}

static int read_source(const char *root, const char *rel, char **buf, size_t *len)
{
    char path[4096], err[128];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (as_file_read(path, 1u << 22, buf, len, err, sizeof err) < 0) {
        printf("SKIP: cannot read %s: %s\n", path, err);
        return -1;
    }
    return 0;
}

int main(void)
{
    const char *root = getenv("AUTHSCORE_SOURCE_ROOT");
    if (!root || !*root) {
        printf("SKIP: AUTHSCORE_SOURCE_ROOT is not set\n");
        return 77;
    }
    char *doc, *hdr;
    size_t doc_len, hdr_len;
    if (read_source(root, "docs/architecture.md", &doc, &doc_len) < 0)
        return 77;
    if (read_source(root, "include/authscore.h", &hdr, &hdr_len) < 0) {
        free(doc);
        return 77;
    }
    static names table, in_doc, in_hdr;
    table_names(&table);
    doc_names(doc, doc_len, &in_doc);
    header_names(hdr, hdr_len, &in_hdr);
    compare(&table, &in_doc, "docs/architecture.md");
    compare(&table, &in_hdr, "include/authscore.h");
    free(doc);
    free(hdr);
    printf("%zu options in core/options.c, %zu in docs/architecture.md, %zu in "
           "include/authscore.h: %s\n", table.n, in_doc.n, in_hdr.n,
           failures ? "FAIL" : "agree");
    return failures ? 1 : 0;
}
