/* exim_log.c - log lines to syslog (facility mail, ident "authscore"),
 * and each message's outcome to Exim's main log.
 *
 * Why not openlog()/syslog(): openlog() sets the ident of the whole
 * process, and Exim opens syslog once with its own ident; calling it here
 * would relabel Exim's later syslog lines as "authscore".  So the module
 * writes its own RFC 3164 datagrams to the local socket, exactly what
 * glibc's syslog() sends, without touching Exim's state.  Nothing ever goes
 * to stdout/stderr: inside Exim that would corrupt the SMTP session. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "host/exim/exim.h"

/* A syslog line longer than this is cut (RFC 3164 4.1 suggests 1024). */
#define AS_EXIM_LOG_MAX 1024
#define AS_EXIM_LOG_SOCKET "/dev/log"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static pid_t log_pid;

/* (Re)connect after a fork too: a datagram socket survives fork, but a
 * child that closes descriptors (Exim does) may have lost it. */
static int log_connect(void)
{
    if (log_fd >= 0 && log_pid == getpid())
        return log_fd;
    log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (log_fd < 0)
        return -1;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, AS_EXIM_LOG_SOCKET, sizeof AS_EXIM_LOG_SOCKET);
    if (connect(log_fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(log_fd);
        log_fd = -1;
        return -1;
    }
    log_pid = getpid();
    return log_fd;
}

static int severity(int level)
{
    switch (level) {
    case AUTHSCORE_LOG_ERROR: return LOG_ERR;
    case AUTHSCORE_LOG_WARNING: return LOG_WARNING;
    case AUTHSCORE_LOG_INFO: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

static void syslog_line(int level, const char *msg)
{
    char line[AS_EXIM_LOG_MAX + 1];
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    int n = snprintf(line, sizeof line, "<%d>%s authscore[%ld]: ",
                     LOG_MAIL | severity(level), stamp, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    size_t len = (size_t)n;
    /* The text may carry message data: no control character may split
     * the line or forge another one. */
    for (const char *p = msg; *p && len < AS_EXIM_LOG_MAX; p++) {
        unsigned char c = (unsigned char)*p;
        line[len++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    pthread_mutex_lock(&log_lock);
    int fd = log_connect();
    if (fd >= 0 && send(fd, line, len, MSG_NOSIGNAL) < 0) {
        /* syslogd restarted: reconnect once. */
        close(log_fd);
        log_fd = -1;
        fd = log_connect();
        if (fd >= 0)
            (void)send(fd, line, len, MSG_NOSIGNAL);
    }
    pthread_mutex_unlock(&log_lock);
}

/* Exim's log_write() (local_scan.h: void log_write(unsigned int selector,
 * int flags, const char *format, ...); LOG_MAIN is 1).  The exim binary
 * exports it for local_scan and ${dlfunc} code.  It is only taken when
 * Exim's expand_string_message is there too: another process that merely
 * has a function of that name is not Exim. */
typedef void (*exim_log_write_fn)(unsigned int, int, const char *, ...);
#define AS_EXIM_LOG_MAIN 1
/* Exim's own log buffer is 8 KiB; a longer line is cut here, marked. */
#define AS_EXIM_MAINLOG_MAX 4000

static pthread_once_t exim_once = PTHREAD_ONCE_INIT;
static exim_log_write_fn exim_log_write;

static void find_exim(void)
{
    void *fn = dlsym(RTLD_DEFAULT, "log_write");
    /* POSIX dlsym: a function comes back as void *; memcpy converts it
     * without the cast ISO C leaves undefined. */
    _Static_assert(sizeof fn == sizeof exim_log_write, "function pointer size");
    if (fn && dlsym(RTLD_DEFAULT, "expand_string_message"))
        memcpy(&exim_log_write, &fn, sizeof fn);
}

void as_exim_mainlog(const char *prefix, const char *text)
{
    char clean[AS_EXIM_MAINLOG_MAX + 4];
    size_t n = 0;
    const char *parts[2] = {prefix, text};
    for (int i = 0; i < 2; i++)
        for (const char *s = parts[i]; s && *s && n < AS_EXIM_MAINLOG_MAX; s++) {
            unsigned char c = (unsigned char)*s;
            clean[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
    if (n == AS_EXIM_MAINLOG_MAX)
        memcpy(clean + n, "...", 3), n += 3;
    clean[n] = '\0';
    pthread_once(&exim_once, find_exim);
    if (exim_log_write)
        exim_log_write(0, AS_EXIM_LOG_MAIN, "%s", clean);
    else
        syslog_line(AUTHSCORE_LOG_INFO, clean);
}

void as_exim_log(void *user, int level, const char *msg)
{
    (void)user;
    if (!msg || level > AUTHSCORE_LOG_INFO)
        return;
    syslog_line(level, msg);
    /* Errors also where the admin of an Exim host looks first, and where
     * they show when the host has no syslog socket. */
    if (level == AUTHSCORE_LOG_ERROR) {
        pthread_once(&exim_once, find_exim);
        if (exim_log_write)
            as_exim_mainlog("authscore: ", msg);
    }
}
