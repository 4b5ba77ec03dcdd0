/* log.c - the daemon's log: syslog, facility mail, ident
 * "authscore-milter" (where Postfix logs, so one grep finds both), and in
 * the foreground a copy on stderr, for systemd's journal or a terminal.
 * Message data can reach a line (addresses, library reasons): control
 * characters become '?' so that no line can forge another. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "host/milter/milter.h"

#define AS_MILTER_LOG_MAX 2048

static int copy_to_stderr;

/* Again with 0 once a detached daemon has let go of its terminal. */
void as_milter_log_open(int to_stderr)
{
    copy_to_stderr = to_stderr;
    openlog(AS_MILTER_NAME, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static int priority(int level)
{
    switch (level) {
    case AUTHSCORE_LOG_ERROR: return LOG_ERR;
    case AUTHSCORE_LOG_WARNING: return LOG_WARNING;
    case AUTHSCORE_LOG_INFO: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

static void emit(int level, char *line)
{
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    syslog(priority(level), "%s", line);
    if (copy_to_stderr)
        fprintf(stderr, "%s: %s\n", AS_MILTER_NAME, line);
}

void as_milter_logf(int level, const char *fmt, ...)
{
    char line[AS_MILTER_LOG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    emit(level, line);
}

void as_milter_lib_log(void *user, int level, const char *msg)
{
    (void)user;
    if (!msg || level > AUTHSCORE_LOG_INFO)
        return;
    as_milter_logf(level, "library: %s", msg);
}
