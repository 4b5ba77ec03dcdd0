/* base64.c - strict base64 decoding that skips folding whitespace. */
#include "dkim/base64.h"

#include <stdint.h>

/* 0 for bytes outside base64, 1..64 for the alphabet (value + 1), 65 for
 * '=', 66 for whitespace that is skipped. */
static const unsigned char b64_class[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
    ['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64, ['='] = 65, [' '] = 66,
    ['\t'] = 66, ['\r'] = 66, ['\n'] = 66,
};

int as_b64_decode(const char *p, size_t len, unsigned char *out, size_t outmax,
                  size_t *outlen)
{
    uint32_t acc = 0;
    unsigned n = 0;    /* characters in the current group */
    unsigned pad = 0;  /* '=' seen */
    size_t o = 0;
    *outlen = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = b64_class[(unsigned char)p[i]];
        if (c == 66)
            continue;
        if (c == 0)
            return AS_B64_INVALID;
        if (c == 65) {
            /* Padding completes a group of 2 or 3 data characters. */
            if (n < 2 || pad >= 2)
                return AS_B64_INVALID;
            pad++;
            n++;
        } else {
            if (pad)
                return AS_B64_INVALID;  /* data after '=' */
            acc = (acc << 6) | (uint32_t)(c - 1);
            n++;
        }
        if (n == 4) {
            unsigned bytes = 3 - pad;
            acc <<= 6 * pad;
            if (bytes > outmax - o)
                return AS_B64_TOO_LONG;
            out[o++] = (unsigned char)(acc >> 16);
            if (bytes > 1)
                out[o++] = (unsigned char)(acc >> 8);
            if (bytes > 2)
                out[o++] = (unsigned char)acc;
            acc = 0;
            n = 0;
            if (pad)
                pad = 3;  /* group closed by padding: nothing may follow */
        } else if (pad == 3) {
            return AS_B64_INVALID;
        }
    }
    if (n != 0)
        return AS_B64_INVALID;
    *outlen = o;
    return AS_B64_OK;
}
