/* num.c - see num.h. */
#include "util/num.h"

#include <math.h>
#include <stdint.h>

static const uint64_t pow10_table[AS_NUM_MAX_DECIMALS + 1] = {
    1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u};

/* Below 2^52 a double holds every integer and every half-integer, so
 * adding 0.5 and truncating rounds exactly; it also keeps the integer part
 * within 16 digits (AS_NUM_BUF). */
#define SCALED_MAX 4503599627370496.0 /* 2^52 */

int as_num_format(char *dst, size_t cap, double v, unsigned decimals, unsigned flags)
{
    if (cap > 0)
        dst[0] = '\0';
    if (decimals > AS_NUM_MAX_DECIMALS || cap < AS_NUM_BUF)
        return -1;
    double s = isfinite(v) ? v * (double)pow10_table[decimals] : 0.0;
    if (!(s > -SCALED_MAX && s < SCALED_MAX))
        s = 0.0; /* NaN (isfinite let it through as 0 already) or too large */
    int neg = s < 0;
    /* Half away from zero, as an administrator rounds 0.125 to 0.13. */
    uint64_t q = (uint64_t)(neg ? -s + 0.5 : s + 0.5);
    uint64_t unit = pow10_table[decimals];
    uint64_t ip = q / unit, fp = q % unit;

    char digits[24];
    size_t nd = 0;
    do {
        digits[nd++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    size_t n = 0;
    if (neg && q != 0)
        dst[n++] = '-';
    else if (flags & AS_NUM_PLUS)
        dst[n++] = '+';
    while (nd)
        dst[n++] = digits[--nd];
    if (decimals) {
        size_t dot = n;
        dst[n++] = '.';
        for (unsigned k = decimals; k-- > 0;) {
            dst[n + k] = (char)('0' + fp % 10);
            fp /= 10;
        }
        n += decimals;
        if (flags & AS_NUM_TRIM) {
            while (n > dot + 1 && dst[n - 1] == '0')
                n--;
            if (n == dot + 1)
                n = dot;
        }
    }
    dst[n] = '\0';
    return (int)n;
}
