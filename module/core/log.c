/* log.c - the module's one way to say something: the host's log callback
 * (never stdout or stderr), one line of at most 1 KiB. */
#include <stdarg.h>
#include <stdio.h>

#include "core/internal.h"

void as_log(const authscore_ctx *ctx, int level, const char *fmt, ...)
{
    if (!ctx || !ctx->log_fn)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, line);
}
