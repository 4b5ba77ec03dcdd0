/* num.h - decimal numbers as the module writes them, whatever the host's
 * locale.
 *
 * printf's %f takes its decimal point from LC_NUMERIC: inside a host that
 * called setlocale(LC_ALL, "") under de_DE it writes "1,50", which breaks
 * the Exim summary an ACL compares, and JSON.  Every double the module
 * (and the authscore command) prints goes through as_num_format instead:
 * fixed point, integer arithmetic, always '.'.  The command compiles this
 * file in as well, because it sees only the public API of the library.
 * Own code, not libc's: uselocale(C) around snprintf would also do, but it
 * switches the host thread's locale under the host's feet. */
#ifndef AS_NUM_H
#define AS_NUM_H

#include <stddef.h>

#define AS_NUM_MAX_DECIMALS 9u
/* Longest output: sign, 16 integer digits, '.', 9 decimals, NUL. */
#define AS_NUM_BUF 32u

enum as_num_flag {
    AS_NUM_PLUS = 1, /* '+' before a value that is not negative ("%+f") */
    AS_NUM_TRIM = 2  /* drop trailing zeros and then a bare '.' ("1.5", "2") */
};

/* Write v into dst (cap bytes, NUL-terminated) with `decimals` (0..9)
 * digits after the '.', rounded half away from zero.  A value that rounds
 * to 0 has no '-'.  NaN, infinities and magnitudes of 2^52 / 10^decimals or
 * more are written as 0 (the module never produces them: weights are
 * capped at 1000), so the text is always a valid JSON number.  Returns the
 * length, or -1 when cap is too small (AS_NUM_BUF always suffices) or
 * decimals is out of range, with dst "" if cap > 0. */
int as_num_format(char *dst, size_t cap, double v, unsigned decimals, unsigned flags);

#endif
