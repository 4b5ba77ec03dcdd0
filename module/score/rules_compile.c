/* rules_compile.c - merged rule-file entities to an immutable as_rules.
 *
 * Every check a rule file can fail lives here, each with the file and line
 * of the offending field; the set is built completely or not at all.
 * rules_load.c calls in; this file calls only rules_files.c (list files)
 * and rules_errors.c, never back into the loader. */
#include "score/rules_merge.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/names.h"
#include <authscore.h>
#include "score/rules_internal.h"

typedef struct cc {
    as_rules_merge *m;
    as_rules *r;
    const as_rules_entity *e;   /* the entity being compiled */
    const char *what;           /* "symbol", "rule", "list" */
} cc;

static int bad(cc *c, const as_rules_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "file:line: rule NAME: message", at the field when there is one. */
static int bad(cc *c, const as_rules_field *f, const char *fmt, ...)
{
    char msg[AS_RULES_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return as_rules_fail(c->m, f ? f->file : c->e->file, f ? f->node->line : c->e->line,
                         "%s %s: %s", c->what, c->e->name, msg);
}

/* Printable, quoted-safe copy of a value for a message. */
static const char *shown(const char *s, size_t len, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (len && o + 4 >= cap)
        memcpy(buf + o, "...", 3), o += 3;
    buf[o] = '\0';
    return buf;
}

static int is_symbol_name(const char *s, size_t len)
{
    if (len == 0 || len > AS_RULES_MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int is_list_name(const char *s, size_t len)
{
    if (len == 0 || len > AS_RULES_MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

static int get_string(cc *c, const as_rules_field *f, size_t max, const char **out)
{
    if (f->node->type != AS_UCL_STRING)
        return bad(c, f, "\"%s\" must be a string", f->key);
    if (f->node->str_len > max)
        return bad(c, f, "\"%s\" is too long", f->key);
    for (size_t i = 0; i < f->node->str_len; i++)
        if ((unsigned char)f->node->str[i] < 0x20 || f->node->str[i] == 0x7f)
            return bad(c, f, "\"%s\" contains a control character", f->key);
    *out = as_arena_strndup(&c->r->arena, f->node->str, f->node->str_len);
    return *out ? 0 : AUTHSCORE_ENOMEM;
}

static int get_weight(cc *c, const as_rules_field *f, double *out)
{
    if (f->node->type != AS_UCL_NUMBER)
        return bad(c, f, "weight must be a number");
    double w = f->node->num;
    if (!isfinite(w) || fabs(w) > AS_RULES_MAX_WEIGHT)
        return bad(c, f, "weight must be between -1000 and 1000");
    *out = w;
    return 0;
}

static int get_group(cc *c, const as_rules_field *f, int *out)
{
    const char *g;
    int rc = get_string(c, f, 16, &g);
    if (rc < 0)
        return rc;
    for (int i = AS_SYM_GROUP_SPF; i < AS_SYM_GROUP_COUNT; i++)
        if (!strcmp(g, as_symbol_group_name(i))) {
            *out = i;
            return 0;
        }
    return bad(c, f, "group must be spf, dkim, dmarc, arc, dnssec or policy, not \"%s\"", g);
}

static size_t find_symbol(const as_rules *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->n_symbols; i++)
        if (r->symbols[i].name && strlen(r->symbols[i].name) == len &&
            !memcmp(r->symbols[i].name, name, len))
            return i;
    return (size_t)-1;
}

/* ---- lists ---------------------------------------------------------------- */

static int list_add_file(cc *c, const as_rules_field *f, as_domain_builder *b)
{
    if (!c->m->allow_files)
        return bad(c, f, "list files are not allowed here");
    const char *rel;
    int rc = get_string(c, f, 4096, &rel);
    if (rc < 0)
        return rc;
    const char *path;
    rc = as_rules_resolve_path(c->m, f->file, rel, &path);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc < 0)
        return bad(c, f, "list file path too long");
    char *text;
    size_t len;
    rc = as_rules_read_file(c->m, path, AS_RULES_MAX_LIST_FILE, &text, &len, f->file, f->node->line);
    if (rc < 0)
        return rc;
    unsigned line;
    char why[160];
    rc = as_domain_builder_add_text(b, text, len, &line, why, sizeof why);
    free(text);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    return rc < 0 ? as_rules_fail(c->m, path, line, "%s", why) : 0;
}

static int list_add_inline(cc *c, const as_rules_field *f, as_domain_builder *b)
{
    const as_ucl_node *n = f->node;
    if (n->type != AS_UCL_ARRAY)
        return bad(c, f, "domains must be an array of strings");
    for (size_t i = 0; i < n->n_items; i++) {
        const as_ucl_node *d = n->items[i];
        if (d->type != AS_UCL_STRING)
            return bad(c, f, "domains must be an array of strings");
        char why[160], sh[80];
        int rc = as_domain_builder_add(b, d->str, d->str_len, why, sizeof why);
        if (rc == AUTHSCORE_ENOMEM)
            return rc;
        if (rc < 0)
            return as_rules_fail(c->m, f->file, d->line, "list %s: \"%s\": %s", c->e->name,
                                 shown(d->str, d->str_len, sh, sizeof sh), why);
    }
    return 0;
}

static int compile_list(cc *c, as_domain_list *out)
{
    if (!is_list_name(c->e->name, strlen(c->e->name)))
        return bad(c, NULL, "list names are letters, digits, '_' and '-'");
    as_domain_builder b;
    as_domain_builder_init(&b, AS_RULES_MAX_LIST_ENTRIES);
    int rc = 0, sources = 0;
    for (size_t i = 0; rc == 0 && i < c->e->n_fields; i++) {
        const as_rules_field *f = &c->e->fields[i];
        if (!strcmp(f->key, "domains"))
            rc = list_add_inline(c, f, &b), sources++;
        else if (!strcmp(f->key, "file"))
            rc = list_add_file(c, f, &b), sources++;
        else
            rc = bad(c, f, "unknown field \"%s\" (lists have domains and file)", f->key);
    }
    if (rc == 0 && !sources)
        rc = bad(c, NULL, "a list needs domains = [...] or file = \"...\"");
    if (rc == 0)
        rc = as_domain_builder_finish(&b, &c->r->arena, c->e->name, out);
    as_domain_builder_free(&b);
    return rc;
}

/* ---- engine symbols ------------------------------------------------------- */

static int compile_engine_symbol(cc *c)
{
    int id = as_symbol_find(c->e->name);
    if (id < 0)
        return bad(c, NULL, "not a symbol the engines raise (docs/symbols.md); "
                            "your own symbols go in the rules section");
    as_rule_symbol *s = &c->r->symbols[id];
    for (size_t i = 0; i < c->e->n_fields; i++) {
        const as_rules_field *f = &c->e->fields[i];
        int rc = 0, g;
        if (!strcmp(f->key, "weight")) {
            rc = get_weight(c, f, &s->weight);
            s->defined = 1;
        } else if (!strcmp(f->key, "description")) {
            rc = get_string(c, f, AS_RULES_MAX_DESCRIPTION, &s->description);
        } else if (!strcmp(f->key, "group")) {
            rc = get_group(c, f, &g);
            if (rc == 0 && g != s->group)
                rc = bad(c, f, "belongs to group %s", as_symbol_group_name(s->group));
        } else {
            rc = bad(c, f, "unknown field \"%s\" (symbols have weight, description, group)", f->key);
        }
        if (rc < 0)
            return rc;
    }
    if (!s->defined)
        return bad(c, NULL, "needs a weight");
    return 0;
}

/* ---- rules ---------------------------------------------------------------- */

static int result_from_word(const char *w, size_t len)
{
    for (int r = AUTHSCORE_RES_NONE; r <= AUTHSCORE_RES_POLICY; r++) {
        const char *x = as_result_word(r);
        if (x && strlen(x) == len && !memcmp(x, w, len))
            return r;
    }
    return -1;
}

/* A condition value of words: "word", "!word" (negated) or ["w1", "w2"]
 * (any of them); `add` takes each word. */
typedef int (*word_fn)(cc *c, const as_rules_field *f, as_rule_cond *k, const char *w,
                       size_t len);

static size_t word_count(const as_ucl_node *n)
{
    return n->type == AS_UCL_ARRAY ? n->n_items : n->type == AS_UCL_STRING;
}

static int each_word(cc *c, const as_rules_field *f, as_rule_cond *k, const char *what,
                     word_fn add)
{
    const as_ucl_node *n = f->node;
    size_t count = word_count(n);
    if (!count)
        return bad(c, f, "\"%s\" takes %s or an array of them", f->key, what);
    for (size_t i = 0; i < count; i++) {
        const as_ucl_node *x = n->type == AS_UCL_ARRAY ? n->items[i] : n;
        if (x->type != AS_UCL_STRING)
            return bad(c, f, "\"%s\" takes %s or an array of them", f->key, what);
        const char *w = x->str;
        size_t len = x->str_len;
        if (n->type == AS_UCL_STRING && len && w[0] == '!')
            k->negate = 1, w++, len--;
        int rc = add(c, f, k, w, len);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_result(cc *c, const as_rules_field *f, as_rule_cond *k, const char *w, size_t len)
{
    int r = result_from_word(w, len);
    char sh[80];
    if (r < 0)
        return bad(c, f, "unknown result \"%s\" (pass, fail, softfail, neutral, none, "
                         "temperror, permerror, policy)", shown(w, len, sh, sizeof sh));
    k->results |= 1u << r;
    return 0;
}

static int add_symbol(cc *c, const as_rules_field *f, as_rule_cond *k, const char *w, size_t len)
{
    size_t idx = find_symbol(c->r, w, len);
    char sh[80];
    if (idx == (size_t)-1)
        return bad(c, f, "unknown symbol \"%s\"", shown(w, len, sh, sizeof sh));
    k->symbols[k->n_symbols++] = idx;
    return 0;
}

static int cond_results(cc *c, const as_rules_field *f, as_rule_cond *k)
{
    return each_word(c, f, k, "a result word", add_result);
}

static int cond_symbols(cc *c, const as_rules_field *f, as_rule_cond *k)
{
    size_t count = word_count(f->node);
    k->symbols = as_arena_calloc(&c->r->arena, count ? count : 1, sizeof *k->symbols);
    if (!k->symbols)
        return AUTHSCORE_ENOMEM;
    return each_word(c, f, k, "a symbol name", add_symbol);
}

static int add_regex(cc *c, const as_rules_field *f, const as_ucl_node *n, as_regex **out)
{
    if (n->type != AS_UCL_STRING)
        return bad(c, f, "regex must be a string \"/pattern/flags\"");
    if (c->r->n_regexes >= AS_RULES_MAX_RULES * AS_RULES_MAX_CONDITIONS)
        return bad(c, f, "too many regexes");
    char why[200], sh[100];
    int rc = as_regex_compile(n->str, n->str_len, out, why, sizeof why);
    if (rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc < 0)
        return as_rules_fail(c->m, f->file, n->line, "%s %s: regex \"%s\": %s", c->what,
                             c->e->name, shown(n->str, n->str_len, sh, sizeof sh), why);
    c->r->regexes[c->r->n_regexes++] = *out;
    return 0;
}

static int find_list(cc *c, const as_rules_field *f, const as_ucl_node *n,
                     const as_domain_list **out)
{
    if (n->type != AS_UCL_STRING)
        return bad(c, f, "list must be the name of a list");
    for (size_t i = 0; i < c->r->n_lists; i++)
        if (strlen(c->r->lists[i].name) == n->str_len &&
            !memcmp(c->r->lists[i].name, n->str, n->str_len)) {
            *out = &c->r->lists[i];
            return 0;
        }
    char sh[80];
    return bad(c, f, "no list named \"%s\" in the lists section", shown(n->str, n->str_len, sh, sizeof sh));
}

/* "/re/flags", or { regex = "/re/"; } or { list = "name"; }, with not = true. */
static int cond_subject(cc *c, const as_rules_field *f, const as_ucl_node *n, as_rule_cond *k)
{
    if (n->type == AS_UCL_STRING)
        return add_regex(c, f, n, &k->re);
    if (n->type != AS_UCL_OBJECT)
        return bad(c, f, "\"%s\" takes \"/regex/\" or { regex = ...; } or { list = ...; }", f->key);
    for (size_t i = 0; i < n->n_items; i++) {
        const as_ucl_node *x = n->items[i];
        int rc = 0;
        if (!strcmp(x->key, "regex") && !k->re && !k->list)
            rc = add_regex(c, f, x, &k->re);
        else if (!strcmp(x->key, "list") && k->kind != AS_COND_HEADER && !k->re && !k->list)
            rc = find_list(c, f, x, &k->list);
        else if (!strcmp(x->key, "not") && x->type == AS_UCL_BOOL)
            k->negate = x->boolean;
        else if (!strcmp(x->key, "name") && k->kind == AS_COND_HEADER && x->type == AS_UCL_STRING)
            continue; /* read by cond_header */
        else if (!strcmp(x->key, "regex") || !strcmp(x->key, "list"))
            rc = bad(c, f, "\"%s\" takes one regex or one list", f->key);
        else
            rc = bad(c, f, "unknown or mistyped field \"%s\" (regex, list, not; header also name)",
                     x->key);
        if (rc < 0)
            return rc;
    }
    if (!k->re && !k->list)
        return bad(c, f, "\"%s\" needs a regex or a list", f->key);
    return 0;
}

static int header_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > AS_RULES_MAX_NAME)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == ':')
            return 0;
    return 1;
}

static int cond_header(cc *c, const as_rules_field *f, const as_ucl_node *n, as_rule_cond *k)
{
    if (n->type != AS_UCL_OBJECT)
        return bad(c, f, "header takes { name = \"Subject\"; regex = \"/.../\"; }");
    const as_ucl_node *name = as_ucl_get(n, "name");
    if (!name || name->type != AS_UCL_STRING || !header_name_ok(name->str, name->str_len))
        return bad(c, f, "header needs name = \"Field-Name\" (printable, no ':')");
    k->header = as_arena_strndup(&c->r->arena, name->str, name->str_len);
    if (!k->header)
        return AUTHSCORE_ENOMEM;
    return cond_subject(c, f, n, k);
}

static const struct {
    const char *key;
    int kind;
} cond_keys[] = {
    {"spf", AS_COND_SPF},
    {"spf_helo", AS_COND_SPF_HELO},
    {"dkim", AS_COND_DKIM},
    {"dmarc", AS_COND_DMARC},
    {"symbol", AS_COND_SYMBOL},
    {"aligned", AS_COND_ALIGNED},
    {"from_domain", AS_COND_FROM_DOMAIN},
    {"helo", AS_COND_HELO},
    {"mail_from_domain", AS_COND_MAIL_FROM_DOMAIN},
    {"dkim_domain", AS_COND_DKIM_DOMAIN},
    {"header", AS_COND_HEADER},
    {"arc", AS_COND_ARC},
    {"arc_sealer", AS_COND_ARC_SEALER},
};

/* `label` is static (cond_keys): the parsed tree is gone after loading. */
static as_rule_cond *new_cond(cc *c, const as_rules_field *f, as_rule *rule, int kind,
                              const char *label)
{
    if (rule->n_conds >= AS_RULES_MAX_CONDITIONS) {
        bad(c, f, "more than 16 conditions");
        return NULL;
    }
    as_rule_cond *k = &rule->conds[rule->n_conds++];
    k->kind = kind;
    k->label = label;
    return k;
}

static int add_condition(cc *c, const as_rules_field *f, as_rule *rule, int kind,
                         const char *label)
{
    const as_ucl_node *n = f->node;
    if (kind == AS_COND_HEADER && n->type == AS_UCL_ARRAY) {
        if (!n->n_items)
            return bad(c, f, "header needs at least one entry");
        for (size_t i = 0; i < n->n_items; i++) {
            as_rule_cond *k = new_cond(c, f, rule, kind, label);
            int rc = k ? cond_header(c, f, n->items[i], k) : AUTHSCORE_ECONFIG;
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    as_rule_cond *k = new_cond(c, f, rule, kind, label);
    if (!k)
        return AUTHSCORE_ECONFIG;
    switch (kind) {
    case AS_COND_SPF:
    case AS_COND_SPF_HELO:
    case AS_COND_DKIM:
    case AS_COND_DMARC:
    case AS_COND_ARC: return cond_results(c, f, k);
    case AS_COND_SYMBOL: return cond_symbols(c, f, k);
    case AS_COND_HEADER: return cond_header(c, f, n, k);
    case AS_COND_ALIGNED:
        if (n->type == AS_UCL_STRING && !strcmp(n->str, "dkim"))
            k->aligned = AS_ALIGNED_DKIM;
        else if (n->type == AS_UCL_STRING && !strcmp(n->str, "spf"))
            k->aligned = AS_ALIGNED_SPF;
        else if (n->type == AS_UCL_STRING && !strcmp(n->str, "any"))
            k->aligned = AS_ALIGNED_ANY;
        else
            return bad(c, f, "aligned must be \"dkim\", \"spf\" or \"any\"");
        return 0;
    default: return cond_subject(c, f, n, k);
    }
}

static int rule_cancel(cc *c, const as_rules_field *f, as_rule *rule)
{
    as_rule_cond k = {0};
    int rc = cond_symbols(c, f, &k);
    if (rc < 0)
        return rc;
    if (k.negate)
        return bad(c, f, "cancel takes symbol names without '!'");
    if (k.n_symbols > AS_RULES_MAX_CANCEL)
        return bad(c, f, "cancel lists more than 16 symbols");
    rule->cancel = k.symbols;
    rule->n_cancel = k.n_symbols;
    return 0;
}

/* dmarc_disposition: what a DMARC fail's disposition drops to when the
 * rule fires (never up: RFC 7489 7.2's overrides lower it). */
static int rule_disposition(cc *c, const as_rules_field *f, as_rule *rule)
{
    const char *w;
    int rc = get_string(c, f, 16, &w);
    if (rc < 0)
        return rc;
    if (!strcmp(w, "none"))
        rule->disposition = AUTHSCORE_DMARC_POLICY_NONE;
    else if (!strcmp(w, "quarantine"))
        rule->disposition = AUTHSCORE_DMARC_POLICY_QUARANTINE;
    else
        return bad(c, f, "dmarc_disposition lowers a DMARC fail's disposition: \"none\" or "
                         "\"quarantine\", not \"%s\"", w);
    return 0;
}

static int compile_rule(cc *c, as_rule *rule)
{
    as_rule_symbol *s = &c->r->symbols[rule->symbol];
    rule->disposition = -1;
    rule->conds = as_arena_calloc(&c->r->arena, AS_RULES_MAX_CONDITIONS, sizeof *rule->conds);
    if (!rule->conds)
        return AUTHSCORE_ENOMEM;
    for (size_t i = 0; i < c->e->n_fields; i++) {
        const as_rules_field *f = &c->e->fields[i];
        int rc = 0, kind = -1;
        const char *label = NULL;
        for (size_t j = 0; j < sizeof cond_keys / sizeof cond_keys[0]; j++)
            if (!strcmp(f->key, cond_keys[j].key))
                kind = cond_keys[j].kind, label = cond_keys[j].key;
        if (kind >= 0)
            rc = add_condition(c, f, rule, kind, label);
        else if (!strcmp(f->key, "weight"))
            rc = get_weight(c, f, &s->weight), s->defined = 1;
        else if (!strcmp(f->key, "description"))
            rc = get_string(c, f, AS_RULES_MAX_DESCRIPTION, &s->description);
        else if (!strcmp(f->key, "group"))
            rc = get_group(c, f, &s->group);
        else if (!strcmp(f->key, "cancel"))
            rc = rule_cancel(c, f, rule);
        else if (!strcmp(f->key, "dmarc_disposition"))
            rc = rule_disposition(c, f, rule);
        else
            rc = bad(c, f, "unknown field \"%s\" (docs/rules.md lists the fields)", f->key);
        if (rc < 0)
            return rc;
    }
    if (!s->defined)
        return bad(c, NULL, "needs a weight");
    if (!rule->n_conds)
        return bad(c, NULL, "needs at least one condition");
    for (size_t i = 0; i < rule->n_conds; i++)
        rule->arc_vouched |= rule->conds[i].kind == AS_COND_ARC_SEALER && !rule->conds[i].negate;
    return 0;
}

/* ---- the whole set -------------------------------------------------------- */

static int build(as_rules_merge *m, as_rules *r)
{
    size_t n_rules = 0, n_lists = 0;
    for (size_t i = 0; i < m->n_ents; i++) {
        n_rules += m->ents[i].section == AS_SECTION_RULES;
        n_lists += m->ents[i].section == AS_SECTION_LISTS;
    }
    r->n_symbols = AS_SYM_COUNT;
    r->symbols = as_arena_calloc(&r->arena, AS_SYM_COUNT + n_rules, sizeof *r->symbols);
    r->rules = as_arena_calloc(&r->arena, n_rules ? n_rules : 1, sizeof *r->rules);
    r->lists = as_arena_calloc(&r->arena, n_lists ? n_lists : 1, sizeof *r->lists);
    r->regexes = calloc(n_rules * AS_RULES_MAX_CONDITIONS + 1, sizeof *r->regexes);
    if (!r->symbols || !r->rules || !r->lists || !r->regexes)
        return AUTHSCORE_ENOMEM;
    for (int id = 0; id < AS_SYM_COUNT; id++) {
        r->symbols[id].name = as_symbol_name(id);
        r->symbols[id].group = as_symbol_group(id);
        r->symbols[id].description = "";
    }
    cc c = {.m = m, .r = r};
    int rc = 0;
    /* Lists first: rules name them. */
    c.what = "list";
    for (size_t i = 0; rc == 0 && i < m->n_ents; i++)
        if ((c.e = &m->ents[i])->section == AS_SECTION_LISTS)
            rc = compile_list(&c, &r->lists[r->n_lists++]);
    c.what = "symbol";
    for (size_t i = 0; rc == 0 && i < m->n_ents; i++)
        if ((c.e = &m->ents[i])->section == AS_SECTION_SYMBOLS)
            rc = compile_engine_symbol(&c);
    /* Rule names first, so conditions and cancels may name any rule. */
    c.what = "rule";
    for (size_t i = 0; rc == 0 && i < m->n_ents; i++) {
        c.e = &m->ents[i];
        if (c.e->section != AS_SECTION_RULES)
            continue;
        size_t len = strlen(c.e->name);
        if (!is_symbol_name(c.e->name, len))
            rc = bad(&c, NULL, "rule names are A-Z, 0-9 and '_', at most 64");
        else if (as_symbol_find(c.e->name) >= 0)
            rc = bad(&c, NULL, "is an engine symbol: set its weight in the symbols section");
        if (rc < 0)
            break;
        as_rule_symbol *s = &r->symbols[r->n_symbols];
        if (!(s->name = as_arena_strdup(&r->arena, c.e->name)))
            return AUTHSCORE_ENOMEM;
        s->description = "";
        s->group = AS_SYM_GROUP_POLICY;
        r->rules[r->n_rules++].symbol = r->n_symbols++;
    }
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < m->n_ents; i++)
        if ((c.e = &m->ents[i])->section == AS_SECTION_RULES)
            rc = compile_rule(&c, &r->rules[k++]);
    return rc;
}

int as_rules_compile(as_rules_merge *m, as_rules **out)
{
    *out = NULL;
    as_rules *r = calloc(1, sizeof *r);
    if (!r)
        return AUTHSCORE_ENOMEM;
    as_arena_init(&r->arena, AS_RULES_ARENA_MAX);
    int rc = build(m, r);
    if (rc < 0) {
        as_rules_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void as_rules_free(as_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_regexes; i++)
        as_regex_free(r->regexes[i]);
    free(r->regexes);
    as_arena_free(&r->arena);
    free(r);
}

size_t as_rules_count(const as_rules *r) { return r ? r->n_symbols : 0; }

const char *as_rules_name(const as_rules *r, size_t i)
{
    return r && i < r->n_symbols ? r->symbols[i].name : NULL;
}

double as_rules_weight(const as_rules *r, size_t i)
{
    return r && i < r->n_symbols ? r->symbols[i].weight : 0.0;
}

const char *as_rules_group(const as_rules *r, size_t i)
{
    return r && i < r->n_symbols ? as_symbol_group_name(r->symbols[i].group) : NULL;
}

const char *as_rules_description(const as_rules *r, size_t i)
{
    return r && i < r->n_symbols ? r->symbols[i].description : NULL;
}

size_t as_rules_undefined(const as_rules *r, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; r && i < AS_SYM_COUNT; i++)
        if (!r->symbols[i].defined) {
            if (n < cap)
                names[n] = r->symbols[i].name;
            n++;
        }
    return n;
}
