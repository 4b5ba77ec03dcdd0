/* test_ucl.c - the strict UCL-subset parser for rule files (score/ucl.h):
 * every value type, comments, both top-level forms, separators, escapes,
 * each error with its line, each cap at and past its edge, .include,
 * numbers under a ',' locale, and the canonical dump round trip. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/ucl.h"
#include "ucl_dump.h"

static as_arena arena;
static as_ucl_doc doc;
static as_ucl_error err;

static void setup(void) { as_arena_init(&arena, 64u << 20); }
static void teardown(void) { as_arena_free(&arena); }

TestSuite(ucl, .init = setup, .fini = teardown);

static int parsen(const char *s, size_t n)
{
    return as_ucl_parse(&arena, s, n, &doc, &err);
}

static int parse(const char *s) { return parsen(s, strlen(s)); }

/* Parse must succeed; a failure shows the parser's message. */
#define OK(src)                                                             \
    do {                                                                    \
        int rc_ = parse(src);                                               \
        cr_assert_eq(rc_, 0, "rc %d line %u: %s", rc_, err.line,            \
                     err.message);                                          \
        cr_assert_not_null(doc.root);                                       \
        cr_assert_eq(doc.root->type, AS_UCL_OBJECT);                        \
    } while (0)

/* Parse must fail with exactly this code, line and message. */
static void expect_errn(const char *src, size_t n, int rc, unsigned line,
                        const char *msg)
{
    int got = parsen(src, n);
    cr_assert_eq(got, rc, "input <%.*s>: rc %d, want %d (%s)", (int)n, src,
                 got, rc, err.message);
    cr_assert_str_eq(err.message, msg, "input <%.*s>", (int)n, src);
    cr_assert_eq(err.line, line, "input <%.*s>: line %u, want %u (%s)", (int)n,
                 src, err.line, line, err.message);
    cr_assert_null(doc.root);
}

static void expect_err(const char *src, int rc, unsigned line, const char *msg)
{
    expect_errn(src, strlen(src), rc, line, msg);
}

static const as_ucl_node *get(const as_ucl_node *o, const char *k)
{
    const as_ucl_node *n = as_ucl_get(o, k);
    cr_assert_not_null(n, "no key %s", k);
    return n;
}

static void assert_str(const as_ucl_node *n, const char *want)
{
    cr_assert_eq(n->type, AS_UCL_STRING);
    cr_assert_eq(n->str_len, strlen(want));
    cr_assert_str_eq(n->str, want);
}

static char dumped[1 << 16];

static const char *dump_root(void)
{
    long n = as_ucl_dump(doc.root, dumped, sizeof dumped);
    cr_assert_geq(n, 0, "dump failed: %ld", n);
    cr_assert_eq((size_t)n, strlen(dumped));
    return dumped;
}

/* ---- value types ---- */

Test(ucl, every_value_type)
{
    OK("s1 = \"double\"\n"
       "s2 = 'single'\n"
       "s3 = bare_word.x-y@z+1:2\n"
       "n1 = 42\n"
       "n2 = -7.5\n"
       "n3 = +1e3\n"
       "n4 = 2.5E-2\n"
       "n5 = .5\n"
       "n6 = 5.\n"
       "b1 = true; b2 = FALSE; b3 = yes; b4 = No; b5 = on; b6 = OFF\n"
       "o = { x = 1 }\n"
       "a = [1, \"two\", three, [], {}]\n");
    const as_ucl_node *r = doc.root;
    cr_assert_eq(r->n_items, 17);
    assert_str(get(r, "s1"), "double");
    assert_str(get(r, "s2"), "single");
    assert_str(get(r, "s3"), "bare_word.x-y@z+1:2");
    const char *nk[] = {"n1", "n2", "n3", "n4", "n5", "n6"};
    const double nv[] = {42, -7.5, 1000, 0.025, 0.5, 5};
    for (int i = 0; i < 6; i++) {
        const as_ucl_node *n = get(r, nk[i]);
        cr_assert_eq(n->type, AS_UCL_NUMBER, "%s", nk[i]);
        cr_assert_eq(n->num, nv[i], "%s: %g", nk[i], n->num);
    }
    const char *bk[] = {"b1", "b2", "b3", "b4", "b5", "b6"};
    for (int i = 0; i < 6; i++) {
        const as_ucl_node *b = get(r, bk[i]);
        cr_assert_eq(b->type, AS_UCL_BOOL, "%s", bk[i]);
        cr_assert_eq(b->boolean, i % 2 == 0, "%s", bk[i]);
        cr_assert_eq(b->line, 10);
    }
    const as_ucl_node *o = get(r, "o");
    cr_assert_eq(o->type, AS_UCL_OBJECT);
    cr_assert_eq(o->n_items, 1);
    cr_assert_eq(get(o, "x")->num, 1);
    const as_ucl_node *a = get(r, "a");
    cr_assert_eq(a->type, AS_UCL_ARRAY);
    cr_assert_eq(a->n_items, 5);
    cr_assert_eq(a->items[0]->num, 1);
    assert_str(a->items[1], "two");
    assert_str(a->items[2], "three");
    cr_assert_eq(a->items[3]->type, AS_UCL_ARRAY);
    cr_assert_eq(a->items[3]->n_items, 0);
    cr_assert_eq(a->items[4]->type, AS_UCL_OBJECT);
    cr_assert_null(a->items[0]->key, "array elements have no key");
    /* Members keep file order and their lines. */
    cr_assert_str_eq(r->items[0]->key, "s1");
    cr_assert_eq(r->items[0]->key_len, 2);
    cr_assert_eq(r->items[0]->line, 1);
    cr_assert_eq(r->items[16]->line, 12);
}

Test(ucl, quoted_words_are_strings_not_bools_or_numbers)
{
    OK("a = \"true\"; b = '12'; c = inf; d = nan; e = truex");
    assert_str(get(doc.root, "a"), "true");
    assert_str(get(doc.root, "b"), "12");
    assert_str(get(doc.root, "c"), "inf");
    assert_str(get(doc.root, "d"), "nan");
    assert_str(get(doc.root, "e"), "truex");
}

Test(ucl, key_forms)
{
    OK("bare-key_1.x = 1\n\"quoted key\" = 2\n'sq' : 3\nsym { weight = 4 }\n"
       "\"\" = 5\n123 = 6");
    cr_assert_eq(get(doc.root, "bare-key_1.x")->num, 1);
    cr_assert_eq(get(doc.root, "quoted key")->num, 2);
    cr_assert_eq(get(doc.root, "sq")->num, 3);
    cr_assert_eq(get(get(doc.root, "sym"), "weight")->num, 4);
    cr_assert_eq(get(doc.root, "")->num, 5);
    cr_assert_eq(get(doc.root, "123")->num, 6);
    cr_assert_null(as_ucl_get(doc.root, "missing"));
    cr_assert_null(as_ucl_get(get(doc.root, "sym"), "sym"));
    cr_assert_null(as_ucl_get(get(get(doc.root, "sym"), "weight"), "x"),
                   "not an object");
}

Test(ucl, value_on_next_line_after_equals)
{
    OK("a =\n  5\nb:\n\n  [1,\n 2]");
    cr_assert_eq(get(doc.root, "a")->line, 2);
    cr_assert_eq(get(doc.root, "a")->num, 5);
    cr_assert_eq(get(doc.root, "b")->line, 5);
    cr_assert_eq(get(doc.root, "b")->items[1]->line, 6);
}

/* ---- comments ---- */

Test(ucl, comments)
{
    OK("# leading comment\n"
       "a = \"x # not a comment\" # trailing\n"
       "/* block\n   over lines */ b = 'y /* not */ #'\n"
       "c = [1, /* inline */ 2 # tail\n, 3]\n"
       "d = 4 /* last */");
    assert_str(get(doc.root, "a"), "x # not a comment");
    assert_str(get(doc.root, "b"), "y /* not */ #");
    cr_assert_eq(get(doc.root, "b")->line, 4);
    cr_assert_eq(get(doc.root, "c")->n_items, 3);
    cr_assert_eq(get(doc.root, "d")->line, 7);
    cr_assert_eq(doc.root->n_items, 4);
}

Test(ucl, comment_only_and_empty_inputs)
{
    OK("");
    cr_assert_eq(doc.root->n_items, 0);
    cr_assert_eq(doc.n_includes, 0);
    OK("  \n\t\n# nothing\n/* at all */\n");
    cr_assert_eq(doc.root->n_items, 0);
    OK("{}");
    cr_assert_eq(doc.root->n_items, 0);
    cr_assert_eq(as_ucl_parse(&arena, NULL, 0, &doc, &err), 0);
    cr_assert_eq(doc.root->n_items, 0);
}

Test(ucl, comment_errors)
{
    expect_err("a = 1\n/* never\nclosed", AUTHSCORE_EPARSE, 2,
               "unterminated comment");
    expect_err("a = 1 / 2", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after the value of \"a\", "
               "found '/'");
    /* A comment marker inside a bare word is not a word character. */
    expect_err("a = x/y", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after the value of \"a\", "
               "found '/'");
}

/* ---- top level ---- */

Test(ucl, braced_and_bare_top_level_are_the_same)
{
    OK("a = 1\nb { c = 2 }");
    char bare[256];
    snprintf(bare, sizeof bare, "%s", dump_root());
    cr_assert_eq(doc.root->line, 1);
    OK("\n# x\n{\n a = 1\n b { c = 2 }\n}\n# after\n");
    cr_assert_str_eq(dump_root(), bare);
    cr_assert_eq(doc.root->line, 3, "root starts at its brace");
    cr_assert_str_eq(bare, "{\"a\":1,\"b\":{\"c\":2}}");
}

Test(ucl, top_level_errors)
{
    expect_err("{ a = 1 }\nb = 2", AUTHSCORE_EPARSE, 2,
               "unexpected 'b' after the closing '}'");
    expect_err("{ a = 1 } }", AUTHSCORE_EPARSE, 1,
               "unexpected '}' after the closing '}'");
    expect_err("\n{ a = 1\n", AUTHSCORE_EPARSE, 2, "'{' is never closed");
    expect_err("a = 1\n}", AUTHSCORE_EPARSE, 2, "unexpected '}'");
    expect_err("a = 1\n]", AUTHSCORE_EPARSE, 2, "unexpected ']'");
    expect_err("[1, 2]", AUTHSCORE_EPARSE, 1, "expected a key, found '['");
    expect_err("a = { b = [1,\n2\n", AUTHSCORE_EPARSE, 1,
               "'[' is never closed");
    expect_err("a = {\nb = 1\n", AUTHSCORE_EPARSE, 1, "'{' is never closed");
}

Test(ucl, byte_order_mark_is_skipped)
{
    OK("\xEF\xBB\xBF" "a = 1");
    cr_assert_eq(get(doc.root, "a")->num, 1);
    expect_err("a = 1\n\xEF\xBB\xBF", AUTHSCORE_EPARSE, 2,
               "expected a key, found byte 0xEF");
}

/* ---- separators ---- */

Test(ucl, separators)
{
    OK("a = 1; b = 2, c = 3\nd = 4;\ne = 5,\n"
       "f { x = 1; y = 2; }\n"
       "g = [1; 2\n3,]\n"
       "h = [\n  1\n  2\n]\n"
       "i = 9;");
    cr_assert_eq(doc.root->n_items, 9);
    cr_assert_eq(get(get(doc.root, "f"), "y")->num, 2);
    cr_assert_eq(get(doc.root, "g")->n_items, 3);
    cr_assert_eq(get(doc.root, "h")->n_items, 2);
    cr_assert_eq(get(doc.root, "i")->num, 9);
    OK("{ a = 1, }");
    cr_assert_eq(doc.root->n_items, 1);
    OK("a { }\nb {\n}\n");
    cr_assert_eq(doc.root->n_items, 2);
    /* libucl style: members after a closed object or array, one line. */
    OK("s { A { w = 1; } B { w = 2; } } l = [1] m = 3");
    cr_assert_eq(doc.root->n_items, 3);
    cr_assert_eq(get(doc.root, "s")->n_items, 2);
    cr_assert_eq(get(get(get(doc.root, "s"), "B"), "w")->num, 2);
}

Test(ucl, separator_errors)
{
    expect_err("a = 1 b = 2", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after the value of \"a\", "
               "found 'b'");
    expect_err("a = 1;;\nb = 2", AUTHSCORE_EPARSE, 1, "unexpected ';'");
    expect_err("\n; a = 1", AUTHSCORE_EPARSE, 2, "unexpected ';'");
    expect_err("a = [1,,2]", AUTHSCORE_EPARSE, 1, "unexpected ','");
    expect_err("a = [,]", AUTHSCORE_EPARSE, 1, "unexpected ','");
    expect_err("a = [1 2]", AUTHSCORE_EPARSE, 1,
               "expected ',' or ']' after array element, found '2'");
    expect_err("a = [1\n}", AUTHSCORE_EPARSE, 2, "unexpected '}'");
    expect_err("a = { b = 1 ]", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after the value of \"b\", "
               "found ']'");
    /* After a closed object a member may follow on the same line, so "x"
     * is read as the next key. */
    expect_err("o {\n a = 1 }x", AUTHSCORE_EPARSE, 2, "expected '=', ':' or '{' after key \"x\"");
    expect_err("a = [ {x = 1} {y = 2} ]", AUTHSCORE_EPARSE, 1,
               "expected ',' or ']' after array element, found '{'");
}

Test(ucl, key_errors)
{
    expect_err("\n\nweight\n= 1", AUTHSCORE_EPARSE, 3,
               "expected '=', ':' or '{' after key \"weight\"");
    expect_err("weight 1", AUTHSCORE_EPARSE, 1,
               "expected '=', ':' or '{' after key \"weight\"");
    expect_err("list [1]", AUTHSCORE_EPARSE, 1,
               "expected '=', ':' or '{' after key \"list\"");
    expect_err("weight", AUTHSCORE_EPARSE, 1,
               "expected '=', ':' or '{' after key \"weight\"");
    expect_err("a = 1\nb =", AUTHSCORE_EPARSE, 2,
               "expected a value for key \"b\", found end of input");
    expect_err("a = }", AUTHSCORE_EPARSE, 1,
               "expected a value for key \"a\", found '}'");
    expect_err("a = = 1", AUTHSCORE_EPARSE, 1,
               "expected a value for key \"a\", found '='");
    expect_err("= 1", AUTHSCORE_EPARSE, 1, "expected a key, found '='");
    expect_err("a@b = 1", AUTHSCORE_EPARSE, 1,
               "expected '=', ':' or '{' after key \"a\"");
    expect_err("x = 1\n.inherit \"y\"", AUTHSCORE_EPARSE, 2,
               "unsupported macro \".inherit\"");
}

/* ---- numbers ---- */

Test(ucl, numbers_precise)
{
    OK("a = 0.1; b = -0; c = 1e308; d = 4.9e-324; e = 007; f = 1e-400");
    cr_assert_eq(get(doc.root, "a")->num, 0.1);
    cr_assert_eq(get(doc.root, "c")->num, 1e308);
    cr_assert_eq(get(doc.root, "d")->num, 4.9e-324);
    cr_assert_eq(get(doc.root, "e")->num, 7);
    cr_assert_eq(get(doc.root, "f")->num, 0);
}

Test(ucl, bad_numbers)
{
    expect_err("a = 1\nv = 1.2.3", AUTHSCORE_EPARSE, 2, "bad number \"1.2.3\"");
    expect_err("v = 0x10", AUTHSCORE_EPARSE, 1, "bad number \"0x10\"");
    expect_err("v = -inf", AUTHSCORE_EPARSE, 1, "bad number \"-inf\"");
    expect_err("v = +nan", AUTHSCORE_EPARSE, 1, "bad number \"+nan\"");
    expect_err("v = 10k", AUTHSCORE_EPARSE, 1, "bad number \"10k\"");
    expect_err("v = 1e", AUTHSCORE_EPARSE, 1, "bad number \"1e\"");
    expect_err("v = -", AUTHSCORE_EPARSE, 1, "bad number \"-\"");
    expect_err("v = 12:30", AUTHSCORE_EPARSE, 1, "bad number \"12:30\"");
    expect_err("v = [1, .5.]", AUTHSCORE_EPARSE, 1, "bad number \".5.\"");
    expect_err("v = 1e999", AUTHSCORE_EPARSE, 1,
               "number \"1e999\" out of range");
    /* 65 characters: too long even though it is a valid number. */
    char src[128];
    snprintf(src, sizeof src, "v = 1.%063d", 0);
    expect_err(src, AUTHSCORE_EPARSE, 1,
               "bad number \"1.00000000000000000000000000000000000000...\" "
               "(longer than 64 characters)");
    snprintf(src, sizeof src, "v = 1.%062d", 0);
    OK(src);
    cr_assert_eq(get(doc.root, "v")->num, 1);
}

/* Exim and Rspamd may run under a locale whose decimal point is ','
 * (de_DE): rule files still read "1.5" as 1.5 (the lexer's strtod_l in
 * the C locale), and the dump still writes '.'. */
Test(ucl, numbers_ignore_the_callers_locale)
{
    static const char *const names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "nl_NL.UTF-8"};
    locale_t comma = (locale_t)0;
    for (size_t i = 0; !comma && i < sizeof names / sizeof names[0]; i++)
        comma = newlocale(LC_ALL_MASK, names[i], (locale_t)0);
    if (!comma)
        cr_skip_test("no locale with a ',' decimal point (Debian package locales-all)");
    locale_t old = uselocale(comma);
    char probe[8];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    int rc = parse("a = 1.5; b = -2.25e1; c = .5");
    const char *dumped_text = rc == 0 ? dump_root() : "";
    uselocale(old);
    freelocale(comma);
    cr_assert_str_eq(probe, "1,5", "the test needs a ',' locale");
    cr_assert_eq(rc, 0, "line %u: %s", err.line, err.message);
    cr_assert_eq(get(doc.root, "a")->num, 1.5);
    cr_assert_eq(get(doc.root, "b")->num, -22.5);
    cr_assert_eq(get(doc.root, "c")->num, 0.5);
    cr_assert_str_eq(dumped_text, "{\"a\":1.5,\"b\":-22.5,\"c\":0.5}");
}

/* ---- strings and escapes ---- */

Test(ucl, escapes)
{
    OK("a = \"q\\\" b\\\\ s\\/ n\\n t\\t r\\r b\\b f\\f\"\n"
       "u = \"\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\"\n"
       "raw = \"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"\n"
       "tab = \"a\tb\"\n"
       "sq = 'it\\'s \\d+ \\\\ \"x\"'\n");
    assert_str(get(doc.root, "a"), "q\" b\\ s/ n\n t\t r\r b\b f\f");
    assert_str(get(doc.root, "u"), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    assert_str(get(doc.root, "raw"), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    assert_str(get(doc.root, "tab"), "a\tb");
    assert_str(get(doc.root, "sq"), "it's \\d+ \\\\ \"x\"");
}

Test(ucl, escape_errors)
{
    expect_err("a = 1\nb = \"x\\u0000y\"", AUTHSCORE_EPARSE, 2,
               "\\u0000 is not allowed in a string");
    expect_err("b = \"\\uD800\"", AUTHSCORE_EPARSE, 1,
               "lone surrogate \\uD800 in string");
    expect_err("b = \"\\uD800\\u0041\"", AUTHSCORE_EPARSE, 1,
               "lone surrogate \\uD800 in string");
    expect_err("b = \"\\uDC00\"", AUTHSCORE_EPARSE, 1,
               "lone surrogate \\uDC00 in string");
    expect_err("b = \"\\u12\"", AUTHSCORE_EPARSE, 1,
               "bad \\u escape (four hex digits expected)");
    expect_err("b = \"\\u12G4\"", AUTHSCORE_EPARSE, 1,
               "bad \\u escape (four hex digits expected)");
    expect_err("b = \"\\x41\"", AUTHSCORE_EPARSE, 1,
               "unknown escape \\x in string");
    expect_err("b = \"\\'\"", AUTHSCORE_EPARSE, 1,
               "unknown escape \\' in string");
    expect_err("b = \"\\\x01\"", AUTHSCORE_EPARSE, 1,
               "unknown escape (backslash before byte 0x01) in string");
}

Test(ucl, string_errors)
{
    expect_err("a = 1\n\nb = \"open\nc = 2", AUTHSCORE_EPARSE, 3,
               "unterminated string");
    expect_err("b = 'open", AUTHSCORE_EPARSE, 1, "unterminated string");
    expect_err("b = \"ends in backslash\\", AUTHSCORE_EPARSE, 1,
               "unterminated string");
    expect_err("b = \"escaped newline\\\n\"", AUTHSCORE_EPARSE, 1,
               "unterminated string");
    expect_err("\"key", AUTHSCORE_EPARSE, 1, "unterminated string");
    expect_err("b = \"bell\x07\"", AUTHSCORE_EPARSE, 1,
               "control character 0x07 in string");
    expect_err("b = 'del\x7f'", AUTHSCORE_EPARSE, 1,
               "control character 0x7F in string");
    expect_err("b = 'esc\\\x1b'", AUTHSCORE_EPARSE, 1,
               "control character 0x1B in string");
    expect_err("b = \"latin1 caf\xE9\"", AUTHSCORE_EPARSE, 1,
               "invalid UTF-8 in string");
    expect_err("b = \"overlong \xC0\xAF\"", AUTHSCORE_EPARSE, 1,
               "invalid UTF-8 in string");
    expect_err("b = \"surrogate \xED\xA0\x80\"", AUTHSCORE_EPARSE, 1,
               "invalid UTF-8 in string");
    expect_err("b = \"cut \xE2\x82\"", AUTHSCORE_EPARSE, 1,
               "invalid UTF-8 in string");
}

Test(ucl, control_bytes_outside_strings)
{
    expect_err("a = 1\n\x01", AUTHSCORE_EPARSE, 2,
               "expected a key, found byte 0x01");
    expect_err("a = 1\x0b", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after the value of \"a\", "
               "found byte 0x0B");
    expect_err("a = \xC3\xA9", AUTHSCORE_EPARSE, 1,
               "expected a value for key \"a\", found byte 0xC3");
    /* Bytes in comments are not checked (NUL aside). */
    OK("# caf\xE9 \x01\x7f\na = 1");
    cr_assert_eq(get(doc.root, "a")->line, 2);
}

/* ---- line ends ---- */

Test(ucl, crlf_line_ends)
{
    OK("a = 1\r\nb = [\r\n 2,\r\n 3\r\n] # c\r\nc { d = 'x' }\r\n");
    cr_assert_eq(get(doc.root, "b")->line, 2);
    cr_assert_eq(get(doc.root, "b")->items[1]->line, 4);
    cr_assert_eq(get(doc.root, "c")->line, 6);
    expect_err("a = 1\r\nb = 2\r\nc = \"x\r\n", AUTHSCORE_EPARSE, 3,
               "unterminated string");
    expect_err("a = 1\r\n/* x\r\n */ b = 1.2.3\r\n", AUTHSCORE_EPARSE, 3,
               "bad number \"1.2.3\"");
    expect_err("a = 1\rb = 2", AUTHSCORE_EPARSE, 1,
               "carriage return not followed by line feed");
}

Test(ucl, nul_bytes_rejected)
{
    expect_errn("a = 1\nb = 2\0", 12, AUTHSCORE_EPARSE, 2, "NUL byte");
    expect_errn("a = \"x\0y\"", 9, AUTHSCORE_EPARSE, 1, "NUL byte");
    expect_errn("# c\0", 4, AUTHSCORE_EPARSE, 1, "NUL byte");
    expect_errn("\0", 1, AUTHSCORE_EPARSE, 1, "NUL byte");
}

/* ---- duplicate keys ---- */

Test(ucl, duplicate_keys)
{
    expect_err("a = 1\n\nweight = 1\nb = 2\nweight = 2", AUTHSCORE_EPARSE, 5,
               "duplicate key \"weight\" (first at line 3)");
    expect_err("x { k = 1\n\"k\" = 2 }", AUTHSCORE_EPARSE, 2,
               "duplicate key \"k\" (first at line 1)");
    expect_err("s { a = 1 }\ns { b = 1 }", AUTHSCORE_EPARSE, 2,
               "duplicate key \"s\" (first at line 1)");
    expect_err("\"\\u0041\" = 1; A = 2", AUTHSCORE_EPARSE, 1,
               "duplicate key \"A\" (first at line 1)");
    /* The same key in different objects, and case differs: fine. */
    OK("a { k = 1 }\nb { k = 2 }\nc = [{k = 1}, {k = 2}]\nK = 3\nk = 4");
    cr_assert_eq(get(get(doc.root, "b"), "k")->num, 2);
}

Test(ucl, many_keys_in_one_object)
{
    size_t cap = 20000 * 16;
    char *src = malloc(cap);
    cr_assert_not_null(src);
    size_t n = 0;
    for (int i = 0; i < 20000; i++)
        n += (size_t)snprintf(src + n, cap - n, "k%d = %d\n", i, i);
    cr_assert_eq(parsen(src, n), 0, "%s", err.message);
    cr_assert_eq(doc.root->n_items, 20000);
    cr_assert_eq(get(doc.root, "k19999")->num, 19999);
    n += (size_t)snprintf(src + n, cap - n, "k777 = 1\n");
    cr_assert_eq(parsen(src, n), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err.message, "duplicate key \"k777\" (first at line 778)");
    cr_assert_eq(err.line, 20001);
    free(src);
}

Test(ucl, messages_never_carry_control_bytes)
{
    /* A key made of escapes: shown escaped, and cut at 40 bytes. */
    expect_err("\"a\\n\\u001b\\\"\\\\z\" = 1\n\"a\\n\\u001b\\\"\\\\z\" = 2",
               AUTHSCORE_EPARSE, 2,
               "duplicate key \"a\\x0A\\x1B\\\"\\\\z\" (first at line 1)");
    char src[512];
    snprintf(src, sizeof src, "%0100d = 1\n%0100d = 2", 0, 0);
    expect_err(src, AUTHSCORE_EPARSE, 2,
               "duplicate key \"0000000000000000000000000000000000000000...\" "
               "(first at line 1)");
    /* Non-ASCII keys use at most 48 characters before the cut. */
    char key[64 * 2 + 1];
    for (int i = 0; i < 64; i++)
        memcpy(key + 2 * i, "\xC3\xA9", 2);
    key[128] = '\0';
    snprintf(src, sizeof src, "\"%s\" = 1\n\"%s\" = 2", key, key);
    cr_assert_eq(parse(src), AUTHSCORE_EPARSE);
    cr_assert_str_eq(err.message,
                     "duplicate key \"\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9\\xC3\\xA9"
                     "\\xC3\\xA9\\xC3\\xA9...\" (first at line 1)");
    for (const char *m = err.message; *m; m++)
        cr_assert(*m >= 0x20 && *m < 0x7f, "byte 0x%02x in message",
                  (unsigned char)*m);
}

/* ---- .include ---- */

Test(ucl, include_forms_and_positions)
{
    OK(".include \"$CONFDIR/a.conf\"\n"
       "x = 1\n"
       ".include(priority=5) '/etc/b.conf'\n"
       "y { z = 2 }\n"
       ".include ( try = true , priority = 10 ) \"c.conf\";\n"
       ".include(try=false) \"d.conf\"\n"
       ".include() \"e.conf\"\n"
       "w = 3\n");
    cr_assert_eq(doc.n_includes, 5);
    cr_assert_eq(doc.root->n_items, 3);
    const as_ucl_include *i = doc.includes;
    cr_assert_str_eq(i[0].path, "$CONFDIR/a.conf");
    cr_assert_eq(i[0].priority, 0);
    cr_assert_eq(i[0].try_only, 0);
    cr_assert_eq(i[0].line, 1);
    cr_assert_eq(i[0].position, 0);
    cr_assert_str_eq(i[1].path, "/etc/b.conf");
    cr_assert_eq(i[1].priority, 5);
    cr_assert_eq(i[1].line, 3);
    cr_assert_eq(i[1].position, 1);
    cr_assert_str_eq(i[2].path, "c.conf");
    cr_assert_eq(i[2].priority, 10);
    cr_assert_eq(i[2].try_only, 1);
    cr_assert_eq(i[2].line, 5);
    cr_assert_eq(i[2].position, 2);
    cr_assert_eq(i[3].try_only, 0);
    cr_assert_eq(i[3].position, 2);
    cr_assert_eq(i[4].position, 2);
    cr_assert_str_eq(i[4].path, "e.conf");
    cr_assert_str_eq(doc.root->items[2]->key, "w");
    /* Rspamd's local.d form. */
    OK(".include(try=true,priority=1,duplicate=merge) \"l.conf\"\n"
       ".include(duplicate=\"merge\") \"m.conf\"\n");
    cr_assert_eq(doc.n_includes, 2);
    cr_assert_eq(doc.includes[0].priority, 1);
    cr_assert_eq(doc.includes[0].try_only, 1);
    cr_assert_str_eq(doc.includes[1].path, "m.conf");
    /* Inside a braced root it is still the top level. */
    OK("{\n a = 1\n .include(priority=15) \"x\"\n}");
    cr_assert_eq(doc.n_includes, 1);
    cr_assert_eq(doc.includes[0].priority, 15);
    cr_assert_eq(doc.includes[0].position, 1);
    cr_assert_eq(doc.includes[0].line, 3);
}

Test(ucl, include_errors)
{
    expect_err("a {\n  .include \"x\"\n}", AUTHSCORE_EPARSE, 2,
               ".include is only allowed at the top level");
    expect_err("a = [{\n.include \"x\" }]", AUTHSCORE_EPARSE, 2,
               ".include is only allowed at the top level");
    expect_err(".include(foo=1) \"x\"", AUTHSCORE_EPARSE, 1,
               "unknown .include parameter \"foo\"");
    /* Rspamd's duplicate=merge is what rule files do anyway; nothing else. */
    expect_err(".include(duplicate=append) \"x\"", AUTHSCORE_EPARSE, 1,
               "duplicate must be merge: rule files merge field by field");
    expect_err(".include(duplicate=\"rewrite\") \"x\"", AUTHSCORE_EPARSE, 1,
               "duplicate must be merge: rule files merge field by field");
    expect_err(".include(duplicate=\"merge) \"x\"", AUTHSCORE_EPARSE, 1,
               "duplicate must be merge: rule files merge field by field");
    expect_err(".include(duplicate=merge,duplicate=merge) \"x\"", AUTHSCORE_EPARSE, 1,
               "duplicate .include parameter \"duplicate\"");
    expect_err("\n.include(priority=16) \"x\"", AUTHSCORE_EPARSE, 2,
               "priority must be 0..15");
    expect_err(".include(priority=-1) \"x\"", AUTHSCORE_EPARSE, 1,
               "priority must be 0..15");
    expect_err(".include(priority=1.5) \"x\"", AUTHSCORE_EPARSE, 1,
               "priority must be 0..15");
    expect_err(".include(priority=) \"x\"", AUTHSCORE_EPARSE, 1,
               "priority must be 0..15");
    expect_err(".include(priority=007) \"x\"", AUTHSCORE_EPARSE, 1,
               "priority must be 0..15");
    expect_err(".include(try=maybe) \"x\"", AUTHSCORE_EPARSE, 1,
               "try must be true or false");
    expect_err(".include(try=true,try=false) \"x\"", AUTHSCORE_EPARSE, 1,
               "duplicate .include parameter \"try\"");
    expect_err(".include(priority 1) \"x\"", AUTHSCORE_EPARSE, 1,
               "expected '=' after .include parameter \"priority\"");
    expect_err(".include(try=true priority=1) \"x\"", AUTHSCORE_EPARSE, 1,
               "expected ',' or ')' in .include parameters, found 'p'");
    expect_err(".include(try=true,) \"x\"", AUTHSCORE_EPARSE, 1,
               "expected a .include parameter, found ')'");
    expect_err(".include x.conf", AUTHSCORE_EPARSE, 1,
               "expected a quoted path after .include, found 'x'");
    expect_err(".include\n\"x\"", AUTHSCORE_EPARSE, 1,
               "expected a quoted path after .include, found end of line");
    expect_err(".include \"\"", AUTHSCORE_EPARSE, 1, "empty .include path");
    expect_err(".include \"a\" x = 1", AUTHSCORE_EPARSE, 1,
               "expected ';', ',' or newline after .include, found 'x'");
    expect_err(".include(priority=1", AUTHSCORE_EPARSE, 1,
               "expected ',' or ')' in .include parameters, found end of "
               "input");
}

/* ---- caps ---- */

/* `a = [[...]]`, depth arrays deep. */
static char *nested(unsigned depth, size_t *len)
{
    char *s = malloc(2 * depth + 16);
    cr_assert_not_null(s);
    size_t n = (size_t)sprintf(s, "a = ");
    memset(s + n, '[', depth);
    memset(s + n + depth, ']', depth);
    n += 2 * (size_t)depth;
    s[n] = '\0';
    *len = n;
    return s;
}

/* `{ k0 { k1 { ... kN = 1 }...} }`, depth objects below the braced root,
 * the innermost member on line 2. */
static char *nested_objects(unsigned depth)
{
    char *s = malloc(16u * depth + 32);
    cr_assert_not_null(s);
    size_t n = (size_t)sprintf(s, "{ ");
    for (unsigned i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, "k%u { ", i);
    /* memcpy: gcc -fsanitize=address,undefined -Werror took this sprintf
     * for one with a null destination (-Wformat-overflow). */
    memcpy(s + n, "\nv = 1 ", 7);
    n += 7;
    for (unsigned i = 0; i < depth; i++)
        s[n++] = '}';
    sprintf(s + n, " }");
    return s;
}

Test(ucl, depth_cap)
{
    size_t n;
    char *s = nested(AS_UCL_MAX_DEPTH, &n);
    cr_assert_eq(parsen(s, n), 0, "%s", err.message);
    const as_ucl_node *v = get(doc.root, "a");
    unsigned levels = 0;
    while (v) {
        levels++;
        v = v->n_items ? v->items[0] : NULL;
    }
    cr_assert_eq(levels, 16);
    free(s);
    s = nested(AS_UCL_MAX_DEPTH + 1, &n);
    cr_assert_eq(parsen(s, n), AUTHSCORE_ELIMIT);
    cr_assert_str_eq(err.message, "nesting deeper than 16 levels");
    cr_assert_eq(err.line, 1);
    free(s);
    /* Braces of the root do not count; nested members do. */
    s = nested_objects(AS_UCL_MAX_DEPTH);
    OK(s);
    free(s);
    s = nested_objects(AS_UCL_MAX_DEPTH + 1);
    expect_err(s, AUTHSCORE_ELIMIT, 1, "nesting deeper than 16 levels");
    free(s);
}

Test(ucl, string_cap)
{
    size_t n = AS_UCL_MAX_STRING + 16;
    char *s = malloc(n);
    cr_assert_not_null(s);
    /* Exactly 64 KiB: accepted, quoted and bare. */
    memcpy(s, "a = \"", 5);
    memset(s + 5, 'x', AS_UCL_MAX_STRING);
    s[5 + AS_UCL_MAX_STRING] = '"';
    cr_assert_eq(parsen(s, 6 + AS_UCL_MAX_STRING), 0, "%s", err.message);
    cr_assert_eq(get(doc.root, "a")->str_len, AS_UCL_MAX_STRING);
    s[4] = 'y';
    cr_assert_eq(parsen(s, 4 + AS_UCL_MAX_STRING), 0, "%s", err.message);
    cr_assert_eq(get(doc.root, "a")->str_len, AS_UCL_MAX_STRING);
    free(s);
    /* One more byte: refused. */
    n = AS_UCL_MAX_STRING + 32;
    s = malloc(n);
    cr_assert_not_null(s);
    memcpy(s, "\n\na = \"", 7);
    memset(s + 7, 'x', AS_UCL_MAX_STRING + 1);
    s[7 + AS_UCL_MAX_STRING + 1] = '"';
    expect_errn(s, 8 + AS_UCL_MAX_STRING + 1, AUTHSCORE_ELIMIT, 3,
                "string longer than 65536 bytes");
    /* The cap is on bytes after escapes: 65535 + a 2-byte \u escape. */
    memcpy(s + 7 + AS_UCL_MAX_STRING - 1, "\\u00e9\"", 7);
    expect_errn(s, 7 + AS_UCL_MAX_STRING - 1 + 7, AUTHSCORE_ELIMIT, 3,
                "string longer than 65536 bytes");
    memcpy(s + 7 + AS_UCL_MAX_STRING - 1, "\\u0041\"", 7);
    cr_assert_eq(parsen(s, 7 + AS_UCL_MAX_STRING - 1 + 7), 0, "%s",
                 err.message);
    /* Bare words and keys too. */
    memcpy(s, "\n\na = ", 6);
    memset(s + 6, 'w', AS_UCL_MAX_STRING + 1);
    expect_errn(s, 6 + AS_UCL_MAX_STRING + 1, AUTHSCORE_ELIMIT, 3,
                "string longer than 65536 bytes");
    memset(s, 'k', AS_UCL_MAX_STRING + 1);
    memcpy(s + AS_UCL_MAX_STRING + 1, " = 1", 4);
    expect_errn(s, AS_UCL_MAX_STRING + 5, AUTHSCORE_ELIMIT, 1,
                "string longer than 65536 bytes");
    free(s);
}

Test(ucl, include_cap)
{
    char src[64 * 40 + 64];
    size_t n = 0;
    for (unsigned i = 0; i < AS_UCL_MAX_INCLUDES; i++)
        n += (size_t)sprintf(src + n, ".include \"f%u\"\n", i);
    cr_assert_eq(parsen(src, n), 0, "%s", err.message);
    cr_assert_eq(doc.n_includes, 64);
    cr_assert_str_eq(doc.includes[63].path, "f63");
    cr_assert_eq(doc.includes[63].line, 64);
    n += (size_t)sprintf(src + n, ".include(try=true) \"f64\"\n");
    expect_errn(src, n, AUTHSCORE_ELIMIT, 65,
                "more than 64 .include directives");
}

Test(ucl, input_cap)
{
    size_t n = AS_UCL_MAX_INPUT + 1;
    char *s = malloc(n);
    cr_assert_not_null(s);
    memset(s, '\n', n);
    memcpy(s, "a = 1", 5);
    /* Exactly 1 MiB of input: accepted; the trailing newlines count. */
    cr_assert_eq(parsen(s, AS_UCL_MAX_INPUT), 0, "%s", err.message);
    cr_assert_eq(get(doc.root, "a")->num, 1);
    expect_errn(s, n, AUTHSCORE_ELIMIT, 0, "file larger than 1048576 bytes");
    free(s);
}

Test(ucl, value_cap)
{
    /* 65536 values (the root is not one): an array and 65535 elements. */
    size_t cap = 2 * AS_UCL_MAX_NODES + 32;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t n = (size_t)sprintf(s, "a = [");
    for (unsigned i = 0; i < AS_UCL_MAX_NODES - 1; i++) {
        s[n++] = '1';
        s[n++] = ',';
    }
    s[n++] = ']';
    cr_assert_eq(parsen(s, n), 0, "%s", err.message);
    cr_assert_eq(get(doc.root, "a")->n_items, AS_UCL_MAX_NODES - 1);
    memcpy(s + n - 1, "\n2]", 3);
    expect_errn(s, n + 2, AUTHSCORE_ELIMIT, 2, "more than 65536 values");
    free(s);
}

Test(ucl, arena_cap_is_reported)
{
    as_arena small;
    as_arena_init(&small, 20000);
    char src[4096];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)sprintf(src + n, "k%d=%d\n", i, i);
    int rc = as_ucl_parse(&small, src, n, &doc, &err);
    cr_assert_eq(rc, AUTHSCORE_ELIMIT);
    cr_assert_str_eq(err.message, "arena cap reached");
    cr_assert_null(doc.root);
    as_arena_free(&small);
}

Test(ucl, bad_arguments)
{
    cr_assert_eq(as_ucl_parse(NULL, "a=1", 3, &doc, &err), AUTHSCORE_EINVAL);
    cr_assert_eq(as_ucl_parse(&arena, NULL, 3, &doc, &err), AUTHSCORE_EINVAL);
    cr_assert_eq(as_ucl_parse(&arena, "a=1", 3, NULL, &err), AUTHSCORE_EINVAL);
    cr_assert_eq(as_ucl_parse(&arena, "a=1", 3, &doc, NULL), AUTHSCORE_EINVAL);
    cr_assert_null(as_ucl_get(NULL, "a"));
}

/* ---- the canonical dump ---- */

Test(ucl, dump_is_canonical)
{
    OK("# rules\n"
       "sym { weight = -1.5; description = \"a \\\"b\\\" \\\\ \\u0001\\n\" }\n"
       "list = [ 'x', 2, true, off, { }, [ ] ]\n"
       "big = 1e300\nsmall = 0.1\nneg0 = -0\nint = 12345678901234567\n"
       "utf = \"caf\xC3\xA9\"\n");
    cr_assert_str_eq(dump_root(),
                     "{\"sym\":{\"weight\":-1.5,\"description\":\"a \\\"b\\\" "
                     "\\\\ \\u0001\\u000A\"},"
                     "\"list\":[\"x\",2,true,false,{},[]],"
                     "\"big\":1.0000000000000001e+300,"
                     "\"small\":0.10000000000000001,\"neg0\":-0,"
                     "\"int\":12345678901234568,"
                     "\"utf\":\"caf\xC3\xA9\"}");
}

Test(ucl, dump_round_trips)
{
    OK("a = \"\\u007f\\t\\u001f\"\nb { c = [1, [2, {d = 'e'}]]; \"\" = no }\n"
       "f = 4.9e-324\ng = -1.7976931348623157e308\n");
    char first[1024];
    long n = as_ucl_dump(doc.root, first, sizeof first);
    cr_assert_gt(n, 0);
    OK(first);
    cr_assert_str_eq(dump_root(), first);
    cr_assert_eq(get(doc.root, "f")->num, 4.9e-324);
    cr_assert_eq(get(doc.root, "g")->num, -1.7976931348623157e308);
    assert_str(get(doc.root, "a"), "\x7f\t\x1f");
    /* A sub-tree dumps on its own. */
    char sub[64];
    long w = as_ucl_dump(get(get(doc.root, "b"), "c"), sub, sizeof sub);
    cr_assert_str_eq(sub, "[1,[2,{\"d\":\"e\"}]]");
    cr_assert_eq(w, (long)strlen(sub));
    w = as_ucl_dump(get(doc.root, "f"), sub, sizeof sub);
    cr_assert_str_eq(sub, "4.9406564584124654e-324");
    cr_assert_eq(w, (long)strlen(sub));
}

Test(ucl, dump_needs_room)
{
    OK("a = [1, 2]");
    char buf[16];
    /* {"a":[1,2]} is 11 bytes: 12 with the NUL. */
    cr_assert_eq(as_ucl_dump(doc.root, buf, 12), 11);
    cr_assert_str_eq(buf, "{\"a\":[1,2]}");
    cr_assert_lt(as_ucl_dump(doc.root, buf, 11), 0);
    cr_assert_str_eq(buf, "", "cleared on failure");
    cr_assert_eq(as_ucl_dump(doc.root, buf, 0), AUTHSCORE_EINVAL);
    cr_assert_eq(as_ucl_dump(NULL, buf, sizeof buf), AUTHSCORE_EINVAL);
    as_ucl_node bad = {.type = 99};
    cr_assert_eq(as_ucl_dump(&bad, buf, sizeof buf), AUTHSCORE_EINVAL);
}
