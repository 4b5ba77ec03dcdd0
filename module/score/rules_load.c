/* rules_load.c - read rule files, follow .include, merge by priority,
 * then hand the merged entities to the compiler.
 *
 * Calls run one way: load -> compile, and both -> rules_files.c (the file
 * system) and rules_errors.c (the message); nothing calls back here. */
#include "score/rules_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/rules.h"
#include "score/rules_internal.h"

static as_rules_entity *entity(as_rules_merge *m, int section, const as_ucl_node *n,
                               const char *file)
{
    for (size_t i = 0; i < m->n_ents; i++)
        if (m->ents[i].section == section && !strcmp(m->ents[i].name, n->key))
            return &m->ents[i];
    if (m->n_ents >= m->max_ents) {
        as_rules_fail(m, file, n->line, "too many entries (at most %zu symbols, rules and lists)",
                      m->max_ents);
        return NULL;
    }
    as_rules_entity *e = &m->ents[m->n_ents++];
    memset(e, 0, sizeof *e);
    e->section = section;
    e->name = n->key;
    e->file = file;
    e->line = n->line;
    return e;
}

static int set_field(as_rules_merge *m, as_rules_entity *e, const as_ucl_node *f,
                     int priority, const char *file)
{
    for (size_t i = 0; i < e->n_fields; i++) {
        as_rules_field *x = &e->fields[i];
        if (strcmp(x->key, f->key))
            continue;
        /* Equal priority: the later file wins, as with Rspamd overrides. */
        if (x->priority <= priority) {
            x->node = f;
            x->priority = priority;
            x->file = file;
        }
        return 0;
    }
    if (e->n_fields >= AS_RULES_MAX_FIELDS)
        return as_rules_fail(m, file, f->line, "\"%s\" has more than %u fields", e->name,
                             AS_RULES_MAX_FIELDS);
    e->fields[e->n_fields++] = (as_rules_field){f->key, f, priority, file};
    return 0;
}

static int merge_member(as_rules_merge *m, const as_ucl_node *sec, int priority, const char *file)
{
    static const char *const names[] = {"symbols", "rules", "lists"};
    int section = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(sec->key, names[i]))
            section = i;
    if (section < 0)
        return as_rules_fail(m, file, sec->line,
                             "unknown section \"%.40s\" (expected symbols, rules or lists)", sec->key);
    if (sec->type != AS_UCL_OBJECT)
        return as_rules_fail(m, file, sec->line, "section \"%s\" must be an object { ... }", sec->key);
    for (size_t i = 0; i < sec->n_items; i++) {
        const as_ucl_node *en = sec->items[i];
        if (en->type != AS_UCL_OBJECT)
            return as_rules_fail(m, file, en->line, "%s entry \"%.64s\" must be an object { ... }",
                                 sec->key, en->key);
        as_rules_entity *e = entity(m, section, en, file);
        if (!e)
            return AUTHSCORE_ECONFIG;
        for (size_t k = 0; k < en->n_items; k++) {
            int rc = set_field(m, e, en->items[k], priority, file);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int merge_file(as_rules_merge *m, const char *path, int priority, unsigned depth,
                      const char *from_file, unsigned from_line);

static int merge_doc(as_rules_merge *m, const as_ucl_doc *d, const char *file, int priority,
                     unsigned depth)
{
    size_t inc = 0;
    const as_ucl_node *root = d->root;
    for (size_t i = 0; i <= root->n_items; i++) {
        /* Includes take effect where they stand among the members. */
        for (; inc < d->n_includes && d->includes[inc].position <= i; inc++) {
            const as_ucl_include *in = &d->includes[inc];
            if (!m->allow_files)
                return as_rules_fail(m, file, in->line, ".include is not allowed here");
            const char *path;
            int prc = as_rules_resolve_path(m, file, in->path, &path);
            if (prc == AUTHSCORE_ENOMEM)
                return prc;
            if (prc < 0)
                return as_rules_fail(m, file, in->line, "include path too long");
            if (in->try_only && !as_rules_file_exists(path))
                continue;
            if (depth + 1 > AS_RULES_MAX_INCLUDE_DEPTH)
                return as_rules_fail(m, file, in->line,
                                     "includes nested deeper than %u (an include loop?)",
                                     AS_RULES_MAX_INCLUDE_DEPTH);
            /* An included file never lowers the priority it is read at. */
            int p = in->priority > priority ? in->priority : priority;
            int rc = merge_file(m, path, p, depth + 1, file, in->line);
            if (rc < 0)
                return rc;
        }
        if (i == root->n_items)
            break;
        int rc = merge_member(m, root->items[i], priority, file);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int merge_text(as_rules_merge *m, const char *file, const char *p, size_t len,
                      int priority, unsigned depth)
{
    as_ucl_doc doc;
    as_ucl_error e;
    int rc = as_ucl_parse(m->tmp, p, len, &doc, &e);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc < 0)
        return as_rules_fail(m, file, e.line, "%s", e.message);
    return merge_doc(m, &doc, file, priority, depth);
}

/* One file (and, through it, its includes); from_file/from_line name the
 * .include that asked for it (NULL for the main file). */
static int merge_file(as_rules_merge *m, const char *path, int priority, unsigned depth,
                      const char *from_file, unsigned from_line)
{
    if (++m->n_files > AS_RULES_MAX_FILES)
        return as_rules_fail(m, path, 0, "more than %u rule files", AS_RULES_MAX_FILES);
    char *buf;
    size_t len;
    int rc = as_rules_read_file(m, path, AS_UCL_MAX_INPUT, &buf, &len, from_file, from_line);
    if (rc < 0)
        return rc;
    /* Parsed nodes point into the text: keep it as long as the tree. */
    char *keep = as_arena_strndup(m->tmp, buf, len);
    free(buf);
    const char *name = as_arena_strdup(m->tmp, path);
    if (!keep || !name)
        return AUTHSCORE_ENOMEM;
    return merge_text(m, name, keep, len, priority, depth);
}

/* ---- entry points ------------------------------------------------------- */

static int load(const char *name, const char *p, size_t len, int files, as_rules **out,
                char *err, size_t errcap)
{
    *out = NULL;
    if (errcap)
        err[0] = '\0';
    as_arena tmp;
    as_arena_init(&tmp, AS_RULES_ARENA_MAX);
    as_rules_merge m = {.tmp = &tmp, .allow_files = files, .err = err, .errcap = errcap};
    m.max_ents = AS_SYM_COUNT + AS_RULES_MAX_RULES + AS_RULES_MAX_LISTS;
    m.ents = calloc(m.max_ents, sizeof *m.ents);
    int rc = m.ents ? 0 : AUTHSCORE_ENOMEM;
    if (rc == 0)
        rc = files ? merge_file(&m, name, 0, 0, NULL, 0)
                   : merge_text(&m, name, p, len, 0, 0);
    if (rc == 0)
        rc = as_rules_compile(&m, out);
    free(m.ents);
    as_arena_free(&tmp);
    if (rc == AUTHSCORE_ENOMEM && errcap)
        snprintf(err, errcap, "%s: out of memory", name);
    return rc;
}

int as_rules_load(const char *path, as_rules **out, char *err, size_t errcap)
{
    return load(path, NULL, 0, 1, out, err, errcap);
}

int as_rules_load_buffer(const char *name, const char *p, size_t len, as_rules **out,
                         char *err, size_t errcap)
{
    return load(name, p, len, 0, out, err, errcap);
}
