/* rules_errors.c - the one "file:line: message" of a failed rule load.
 * The loader, the compiler and the file reader all report through it, so
 * it lives apart from each of them. */
#include "score/rules_merge.h"

#include <stdarg.h>
#include <stdio.h>

#include <authscore.h>

int as_rules_fail(as_rules_merge *m, const char *file, unsigned line, const char *fmt, ...)
{
    int n = line ? snprintf(m->err, m->errcap, "%s:%u: ", file, line)
                 : snprintf(m->err, m->errcap, "%s: ", file);
    if (n < 0 || (size_t)n >= m->errcap)
        return AUTHSCORE_ECONFIG;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err + n, m->errcap - (size_t)n, fmt, ap);
    va_end(ap);
    /* Keys and names come from the file: keep the message one safe line. */
    for (char *p = m->err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return AUTHSCORE_ECONFIG;
}
