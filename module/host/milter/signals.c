/* signals.c - SIGHUP reloads; SIGTERM and SIGINT stop (libmilter's).
 *
 * libmilter's smfi_main() starts a thread that sigwait()s for SIGHUP,
 * SIGTERM and SIGINT, and takes SIGHUP as "stop" (libmilter/signal.c).
 * Admins expect SIGHUP to reload (`systemctl reload`), and a second thread
 * waiting for the same signal would get it only sometimes: a process
 * signal goes to any one thread that waits for it.  So this file defines
 * sigwait() itself, which the dynamic linker binds libmilter's call to
 * (the executable comes first in symbol lookup), and that sigwait() waits
 * for the same set without SIGHUP.  SIGHUP then only ever reaches our own
 * thread below.  Nothing else in the process calls sigwait(); our thread
 * uses sigwaitinfo().  tests/milter checks both: a reload on SIGHUP, and a
 * clean stop on SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "host/milter/milter.h"

int sigwait(const sigset_t *set, int *sig)
{
    sigset_t s = *set;
    sigdelset(&s, SIGHUP);
    for (;;) {
        int got = sigwaitinfo(&s, NULL);
        if (got > 0) {
            *sig = got;
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

void as_milter_block_signals(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGINT);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    /* A client that went away is an error return, not a death. */
    signal(SIGPIPE, SIG_IGN);
}

static void *reloader(void *arg)
{
    const char *config = arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    for (;;) {
        int got = sigwaitinfo(&s, NULL);
        if (got == SIGHUP) {
            as_milter_logf(AUTHSCORE_LOG_INFO, "SIGHUP: reloading %s", config);
            (void)as_milter_holder_reload(config);
        }
    }
    return NULL;
}

int as_milter_start_reloader(const char *config)
{
    pthread_t t;
    pthread_attr_t a;
    if (pthread_attr_init(&a) != 0)
        return -1;
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &a, reloader, (void *)config);
    pthread_attr_destroy(&a);
    return rc == 0 ? 0 : -1;
}
