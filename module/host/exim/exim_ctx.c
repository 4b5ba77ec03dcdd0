/* exim_ctx.c - one authscore context per Exim process.
 *
 * Exim forks a child per SMTP connection (and per delivery).  libunbound's
 * worker threads and pipes do not survive fork(), so a context created in
 * one process must never be used in another: the pid that created it is
 * remembered, and a process that finds a different pid builds its own.
 * The inherited context is deliberately NOT freed in the child: freeing it
 * would join threads that do not exist there.  The child leaks it (it is
 * short-lived; the memory is the parent's copy-on-write pages).
 *
 * Exim runs ACLs in one thread, so this state needs no lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/exim/exim.h"

static authscore_ctx *cur_ctx;
static pid_t cur_pid;
/* The options argument the current context was built from. */
static char cur_options[AS_EXIM_MAX_OPTIONS + 1];

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Apply one "name=value" item (`len` bytes, trimmed here). */
static int apply_item(authscore_ctx *c, const char *p, size_t len,
                      char *errbuf, size_t errlen)
{
    while (len && is_space(*p))
        p++, len--;
    while (len && is_space(p[len - 1]))
        len--;
    if (len == 0 || *p == '#')
        return 0;
    const char *eq = memchr(p, '=', len);
    if (!eq || eq == p) {
        snprintf(errbuf, errlen, "option without name=value: %.*s",
                 (int)(len > 64 ? 64 : len), p);
        return AUTHSCORE_EINVAL;
    }
    char name[128], value[AS_EXIM_MAX_OPTIONS + 1];
    size_t nlen = (size_t)(eq - p), vlen = len - nlen - 1;
    while (nlen && is_space(p[nlen - 1]))
        nlen--;
    const char *v = eq + 1;
    while (vlen && is_space(*v))
        v++, vlen--;
    if (nlen >= sizeof name || vlen >= sizeof value) {
        snprintf(errbuf, errlen, "option too long");
        return AUTHSCORE_EINVAL;
    }
    memcpy(name, p, nlen);
    name[nlen] = '\0';
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    int rc = authscore_ctx_set_option(c, name, value);
    if (rc < 0) {
        /* The library's own words when it has them ("unknown option
         * dns.timeout (did you mean dns.timeout_ms?)"). */
        const char *why = authscore_ctx_error(c);
        snprintf(errbuf, errlen, "option %s=%s: %s", name, value,
                 why ? why : authscore_strerror(rc));
    }
    return rc;
}

/* Apply items separated by `sep` (';' in the argument, '\n' in the file). */
static int apply_list(authscore_ctx *c, const char *p, size_t len, char sep,
                      char *errbuf, size_t errlen)
{
    while (len) {
        const char *end = memchr(p, sep, len);
        size_t n = end ? (size_t)(end - p) : len;
        int rc = apply_item(c, p, n, errbuf, errlen);
        if (rc < 0)
            return rc;
        if (!end)
            break;
        p += n + 1;
        len -= n + 1;
    }
    return 0;
}

/* The default options file; a missing file means library defaults. */
static int apply_file(authscore_ctx *c, char *errbuf, size_t errlen)
{
    int fd = open(AS_EXIM_DEFAULT_OPTIONS_FILE, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(errbuf, errlen, "%s: %s", AS_EXIM_DEFAULT_OPTIONS_FILE,
                 strerror(errno));
        return AUTHSCORE_EIO;
    }
    char buf[AS_EXIM_MAX_OPTIONS + 1];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(errbuf, errlen, "%s: %s", AS_EXIM_DEFAULT_OPTIONS_FILE,
                     strerror(errno));
            close(fd);
            return AUTHSCORE_EIO;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf) {
            snprintf(errbuf, errlen, "%s: larger than %d bytes",
                     AS_EXIM_DEFAULT_OPTIONS_FILE, AS_EXIM_MAX_OPTIONS);
            close(fd);
            return AUTHSCORE_ELIMIT;
        }
    }
    close(fd);
    return apply_list(c, buf, len, '\n', errbuf, errlen);
}

/* The last error the library logged while a context was built, so that
 * a failed finalize can say why in the expansion's error text. */
static char last_error[256];
/* A broken configuration fails every message, and the next message tries
 * again; its errors are kept while a context is built, not logged, and
 * report_once() tells them once per process.  Warnings are logged at the
 * first attempt only. */
static int building;
static unsigned build_attempts;

static void ctx_log(void *user, int level, const char *msg)
{
    if (building && level == AUTHSCORE_LOG_ERROR) {
        if (msg)
            snprintf(last_error, sizeof last_error, "%s", msg);
        return;
    }
    if (building && build_attempts > 1)
        return;
    as_exim_log(user, level, msg);
}

/* Log a configuration error once per process (syslog and Exim's main
 * log), not once per message: Exim forks a process per connection, and a
 * panic-log entry per message would flood root's mailbox through
 * Debian's cron check of the panic log.  A different error is new. */
static void report_once(const char *why)
{
    static char reported[512];
    static pid_t reported_pid;
    char line[sizeof reported];
    snprintf(line, sizeof line, "configuration error, every message is "
             "deferred until it is fixed: %s", why);
    if (reported_pid == getpid() && strcmp(reported, line) == 0)
        return;
    as_exim_log(NULL, AUTHSCORE_LOG_ERROR, line);
    memcpy(reported, line, sizeof line);
    reported_pid = getpid();
}

static authscore_ctx *build(const char *options, size_t olen, char *errbuf,
                            size_t errlen, int *rcp)
{
    authscore_ctx *c;
    int rc = authscore_ctx_new(&c);
    if (rc < 0) {
        snprintf(errbuf, errlen, "authscore_ctx_new: %s", authscore_strerror(rc));
        *rcp = rc;
        return NULL;
    }
    authscore_ctx_set_log(c, ctx_log, NULL);
    last_error[0] = '\0';
    building = 1;
    build_attempts++;
    rc = olen ? apply_list(c, options, olen, ';', errbuf, errlen)
              : apply_file(c, errbuf, errlen);
    if (rc >= 0) {
        rc = authscore_ctx_finalize(c);
        if (rc < 0)
            snprintf(errbuf, errlen, "authscore_ctx_finalize: %s: %s",
                     authscore_strerror(rc),
                     last_error[0] ? last_error : "no reason given");
    }
    building = 0;
    *rcp = rc;
    if (rc < 0) {
        authscore_ctx_free(c);
        /* No memory is a fault of this moment, not of the configuration. */
        if (rc != AUTHSCORE_ENOMEM)
            report_once(errbuf);
        return NULL;
    }
    build_attempts = 0;
    return c;
}

const authscore_ctx *as_exim_ctx_get(const char *options, char *errbuf,
                                     size_t errlen, int *rc)
{
    *rc = 0;
    size_t olen = strnlen(options, AS_EXIM_MAX_OPTIONS + 1);
    if (olen > AS_EXIM_MAX_OPTIONS) {
        snprintf(errbuf, errlen, "options longer than %d bytes", AS_EXIM_MAX_OPTIONS);
        *rc = AUTHSCORE_ELIMIT;
        report_once(errbuf);
        return NULL;
    }
    pid_t pid = getpid();
    if (cur_ctx && cur_pid == pid && strcmp(cur_options, options) == 0)
        return cur_ctx;
    if (cur_ctx && cur_pid == pid) {
        /* Same process, other options: ours to free. */
        authscore_ctx_free(cur_ctx);
    }
    /* A context from another pid is the parent's: left alone (see top). */
    cur_ctx = NULL;
    authscore_ctx *c = build(options, olen, errbuf, errlen, rc);
    if (!c)
        return NULL;
    cur_ctx = c;
    cur_pid = pid;
    memcpy(cur_options, options, olen + 1);
    return cur_ctx;
}
