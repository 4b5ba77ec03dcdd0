/* json_esc.c - see json_esc.h. */
#include "util/json_esc.h"

#include <stdint.h>
#include <string.h>

size_t as_utf8_len(const unsigned char *s, size_t avail)
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
        return 0; /* a continuation byte, 0xc0/0xc1 (overlong) or 0xf5+ */
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static const char hex[] = "0123456789abcdef";

/* '1' for the bytes copied as they are: printable ASCII but '"' (0x22)
 * and '\\' (0x5c); one row per 16 bytes. */
static const char plain[257] =
    "0000000000000000"
    "0000000000000000"
    "1101111111111111"
    "1111111111111111"
    "1111111111111111"
    "1111111111110111"
    "1111111111111111"
    "1111111111111110"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000"
    "0000000000000000";

/* Eight bytes that are all plain, tested at once (the "has a byte less
 * than n" and "has a zero byte" word tricks); 0 sends the caller to the
 * byte-by-byte table, which decides, so a false alarm costs only time. */
static int plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t w, q, b, d;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    d = w ^ (ones * 0x7f);
    uint64_t bad = ((w - ones * 0x20) & ~w) | w | ((q - ones) & ~q) | ((b - ones) & ~b) |
                   ((d - ones) & ~d);
    return (bad & high) == 0;
}

void as_json_escape(const char *str, size_t len, as_json_put_fn put, void *user)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* A run of plain ASCII in one call: the common case by far. */
        size_t run = 0;
        while (len - i - run >= 8 && plain8(s + i + run))
            run += 8;
        while (i + run < len && plain[s[i + run]] == '1')
            run++;
        if (run) {
            put(user, str + i, run);
            i += run;
            continue;
        }
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(user, e, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(user, e, 6);
            i++;
        } else {
            size_t n = as_utf8_len(s + i, len - i);
            if (n == 0) {
                put(user, "\\ufffd", 6);
                i++;
            } else {
                put(user, str + i, n);
                i += n;
            }
        }
    }
}
