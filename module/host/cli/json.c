/* json.c - JSON string escaping with UTF-8 validation. */
#include "host/cli/json.h"

#include <stddef.h>

#include "util/num.h"

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

void json_str(FILE *f, const char *str)
{
    if (!str) {
        fputs("null", f);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        /* A run of plain ASCII in one call: the common case by far. */
        size_t run = 0;
        while (s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run) {
            fwrite(s, 1, run, f);
            s += run;
            continue;
        }
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            s++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n == 0) {
                fputs("\\ufffd", f);
                s++;
            } else {
                fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
    fputc('"', f);
}

void json_key(FILE *f, const char *key)
{
    json_str(f, key);
    fputc(':', f);
}

void json_field(FILE *f, char sep, const char *key, const char *value)
{
    if (sep)
        fputc(sep, f);
    json_key(f, key);
    json_str(f, value);
}

void json_num(FILE *f, double v)
{
    char b[AS_NUM_BUF];
    as_num_format(b, sizeof b, v, 6, AS_NUM_TRIM);
    fputs(b, f);
}
