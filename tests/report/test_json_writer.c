/* The module's JSON writer (util/json.h) and its string escaping
 * (util/json_esc.h): RFC 8259 output for any bytes, the caps, the rules. */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include <authscore.h>
#include "util/json.h"
#include "util/json_esc.h"

/* The escaped form of (p, n), into a static buffer. */
static const char *esc(const char *p, size_t n)
{
    static as_buf b;
    as_buf_free(&b);
    as_buf_init(&b, 1 << 16);
    as_json j;
    as_json_init(&j, &b);
    as_json_strn(&j, NULL, p, n);
    cr_assert_eq(as_json_finish(&j), 0);
    return b.p;
}

#define ESC(lit) esc(lit, sizeof lit - 1)

Test(escape, rfc8259_specials)
{
    cr_expect_str_eq(ESC("plain text"), "\"plain text\"");
    cr_expect_str_eq(ESC("a\"b\\c"), "\"a\\\"b\\\\c\"");
    cr_expect_str_eq(ESC("/"), "\"/\"", "the solidus needs no escape");
}

Test(escape, control_bytes_and_nul)
{
    cr_expect_str_eq(ESC("\n\r\t"), "\"\\u000a\\u000d\\u0009\"");
    cr_expect_str_eq(ESC("a\0b"), "\"a\\u0000b\"", "NUL inside the span");
    cr_expect_str_eq(ESC("\x1f\x7f"), "\"\\u001f\\u007f\"");
}

Test(escape, valid_utf8_is_kept)
{
    cr_expect_str_eq(ESC("gr\xc3\xbc\xc3\x9f"), "\"gr\xc3\xbc\xc3\x9f\""); /* 2 bytes */
    cr_expect_str_eq(ESC("\xe2\x82\xac"), "\"\xe2\x82\xac\"");             /* U+20AC */
    cr_expect_str_eq(ESC("\xf0\x9f\x93\xa7"), "\"\xf0\x9f\x93\xa7\"");     /* U+1F4E7 */
    cr_expect_str_eq(ESC("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");     /* U+10FFFF */
}

Test(escape, invalid_utf8_becomes_replacement_per_byte)
{
    /* A lone continuation byte, a lead byte without its continuation. */
    cr_expect_str_eq(ESC("a\x80z"), "\"a\\ufffdz\"");
    cr_expect_str_eq(ESC("\xc3z"), "\"\\ufffdz\"");
    /* Overlong forms (RFC 3629 3), surrogates, beyond U+10FFFF. */
    cr_expect_str_eq(ESC("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
    cr_expect_str_eq(ESC("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");
    cr_expect_str_eq(ESC("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
    cr_expect_str_eq(ESC("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    cr_expect_str_eq(ESC("\xff"), "\"\\ufffd\"");
    /* A sequence cut by the end of the span is not read past it. */
    cr_expect_str_eq(esc("\xe2\x82\xac", 2), "\"\\ufffd\\ufffd\"");
}

Test(escape, every_byte_gives_valid_json_text)
{
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    const char *s = esc(all, sizeof all);
    /* No raw control byte and no byte >= 0x80 that is not part of a
     * valid sequence: here every high byte is alone, so none is left. */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cr_assert(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x in %s", *p, s);
}

static void put_count(void *user, const char *p, size_t n)
{
    (void)p;
    *(size_t *)user += n;
}

Test(escape, callback_sees_the_same_bytes)
{
    size_t n = 0;
    as_json_escape("a\"\x01", 3, put_count, &n);
    cr_expect_eq(n, 1 + 2 + 6);
}

typedef struct w {
    as_buf b;
    as_json j;
} w;

static void start(w *x, size_t max)
{
    as_buf_init(&x->b, max);
    as_json_init(&x->j, &x->b);
}

Test(writer, object_array_values_and_commas)
{
    w x;
    start(&x, 4096);
    as_json_object_begin(&x.j, NULL);
    as_json_str(&x.j, "s", "v");
    as_json_str(&x.j, "n", NULL);
    as_json_int(&x.j, "i", -42);
    as_json_int(&x.j, "t", 1795478000);
    as_json_bool(&x.j, "b", 1);
    as_json_num(&x.j, "w", -0.2);
    as_json_num(&x.j, "x", 2.0);
    as_json_array_begin(&x.j, "a");
    as_json_int(&x.j, NULL, 1);
    as_json_object_begin(&x.j, NULL);
    as_json_object_end(&x.j);
    as_json_array_begin(&x.j, NULL);
    as_json_array_end(&x.j);
    as_json_array_end(&x.j);
    as_json_object_end(&x.j);
    cr_assert_eq(as_json_finish(&x.j), 0);
    cr_expect_str_eq(x.b.p, "{\"s\":\"v\",\"n\":null,\"i\":-42,\"t\":1795478000,\"b\":true,"
                            "\"w\":-0.2,\"x\":2,\"a\":[1,{},[]]}");
    as_buf_free(&x.b);
}

Test(writer, numbers_ignore_the_locale)
{
    if (!setlocale(LC_ALL, "de_DE.UTF-8"))
        cr_skip_test("de_DE.UTF-8 is not installed (Debian's locales-all)");
    w x;
    start(&x, 256);
    as_json_array_begin(&x.j, NULL);
    as_json_num(&x.j, NULL, 1.5);
    as_json_int(&x.j, NULL, 1234567);
    as_json_array_end(&x.j);
    cr_assert_eq(as_json_finish(&x.j), 0);
    setlocale(LC_ALL, "C");
    cr_expect_str_eq(x.b.p, "[1.5,1234567]");
    as_buf_free(&x.b);
}

Test(writer, keys_only_inside_objects)
{
    w x;
    start(&x, 256);
    as_json_array_begin(&x.j, NULL);
    as_json_str(&x.j, "key", "in an array");
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL);
    as_buf_free(&x.b);

    start(&x, 256);
    as_json_object_begin(&x.j, NULL);
    as_json_str(&x.j, NULL, "no key in an object");
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL);
    as_buf_free(&x.b);

    start(&x, 256);
    as_json_int(&x.j, NULL, 1);
    as_json_int(&x.j, NULL, 2);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL, "two values at the top");
    as_buf_free(&x.b);
}

Test(writer, unbalanced_is_an_error)
{
    w x;
    start(&x, 256);
    as_json_object_begin(&x.j, NULL);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL, "still open");
    as_json_array_end(&x.j);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL, "] for {");
    as_buf_free(&x.b);

    start(&x, 256);
    as_json_object_end(&x.j);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_EINVAL, "} at the top");
    as_buf_free(&x.b);
}

Test(writer, nesting_is_capped)
{
    w x;
    start(&x, 4096);
    for (unsigned i = 0; i < AS_JSON_MAX_DEPTH + 4; i++)
        as_json_array_begin(&x.j, NULL);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_ELIMIT);
    cr_expect_lt(x.b.len, (size_t)AS_JSON_MAX_DEPTH + 1, "nothing written past the cap");
    as_buf_free(&x.b);
}

Test(writer, buffer_cap_is_sticky_and_reported)
{
    w x;
    start(&x, 16);
    as_json_object_begin(&x.j, NULL);
    as_json_str(&x.j, "k", "a value longer than sixteen bytes");
    as_json_object_end(&x.j);
    cr_expect_eq(as_json_finish(&x.j), AUTHSCORE_ELIMIT);
    cr_expect_leq(x.b.len, 16u);
    as_buf_free(&x.b);
}
