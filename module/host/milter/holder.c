/* holder.c - the context all of libmilter's threads share, with the
 * settings it was built from, and its replacement on SIGHUP.
 *
 * A finalized authscore_ctx is immutable and thread-safe (its caches lock
 * themselves), so messages only need a reference that keeps it alive: a
 * message takes one at MAIL FROM and drops it at its end.  A reload builds
 * the new holder without any lock held (files, rules, resolver), then
 * swaps one pointer under the lock; messages in flight finish on the old
 * holder, which the last of them frees.  A reload that fails keeps the
 * running holder and logs why. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/milter/milter.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct as_milter_holder *current;

static void holder_free(struct as_milter_holder *h)
{
    if (!h)
        return;
    authscore_ctx_free(h->ctx);
    as_milter_conf_free(&h->conf);
    free(h);
}

/* The library's default authserv-id, the host name (module/score): set
 * explicitly, so that the fields we delete carry exactly what we write. */
static void host_name(char *dst, size_t cap)
{
    if (gethostname(dst, cap) != 0 || !memchr(dst, '\0', cap) || !*dst)
        snprintf(dst, cap, "localhost");
}

int as_milter_holder_build(const char *path, struct as_milter_holder **out,
                           char *err, size_t errlen)
{
    *out = NULL;
    struct as_milter_holder *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (as_milter_conf_load(path, &h->conf, err, errlen) < 0) {
        free(h);
        return -1;
    }
    const struct as_milter_conf *c = &h->conf;
    if (c->authserv_id)
        snprintf(h->authserv_id, sizeof h->authserv_id, "%s", c->authserv_id);
    else
        host_name(h->authserv_id, sizeof h->authserv_id);
    int rc = authscore_ctx_new(&h->ctx);
    if (rc < 0) {
        snprintf(err, errlen, "authscore_ctx_new: %s", authscore_strerror(rc));
        holder_free(h);
        return -1;
    }
    authscore_ctx_set_log(h->ctx, as_milter_lib_log, NULL);
    rc = authscore_ctx_set_option(h->ctx, "authserv_id", h->authserv_id);
    if (rc < 0) {
        snprintf(err, errlen, "%s: authserv_id = %s: %s", c->path,
                 h->authserv_id, authscore_strerror(rc));
        holder_free(h);
        return -1;
    }
    for (size_t i = 0; i < c->nlib; i++) {
        rc = authscore_ctx_set_option(h->ctx, c->lib[i].name, c->lib[i].value);
        if (rc < 0) {
            const char *why = authscore_ctx_error(h->ctx);
            snprintf(err, errlen, "%s:%u: %s = %.64s: %s", c->path, c->lib[i].line,
                     c->lib[i].name, c->lib[i].value,
                     why ? why : authscore_strerror(rc));
            holder_free(h);
            return -1;
        }
    }
    rc = authscore_ctx_finalize(h->ctx);
    if (rc < 0) {
        const char *why = authscore_ctx_error(h->ctx);
        snprintf(err, errlen, "%s: %s: %s", c->path, authscore_strerror(rc),
                 why ? why : "no reason given");
        holder_free(h);
        return -1;
    }
    *out = h;
    return 0;
}

/* NULL at exit: the current holder goes once no message holds it. */
void as_milter_holder_install(struct as_milter_holder *h)
{
    pthread_mutex_lock(&lock);
    struct as_milter_holder *old = current;
    current = h;
    int last = old && old->refs == 0;
    pthread_mutex_unlock(&lock);
    if (last)
        holder_free(old);
}

struct as_milter_holder *as_milter_holder_get(void)
{
    pthread_mutex_lock(&lock);
    struct as_milter_holder *h = current;
    if (h)
        h->refs++;
    pthread_mutex_unlock(&lock);
    return h;
}

void as_milter_holder_put(struct as_milter_holder *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&lock);
    int last = --h->refs == 0 && h != current;
    pthread_mutex_unlock(&lock);
    if (last)
        holder_free(h);
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int as_milter_holder_reload(const char *path)
{
    char err[1024];
    struct as_milter_holder *h;
    if (as_milter_holder_build(path, &h, err, sizeof err) < 0) {
        as_milter_logf(AUTHSCORE_LOG_ERROR, "reload failed, the running "
                       "configuration stays: %s", err);
        return -1;
    }
    struct as_milter_holder *old = as_milter_holder_get();
    if (old) {
        const struct as_milter_conf *a = &old->conf, *b = &h->conf;
        if (!same(a->socket, b->socket) || !same(a->user, b->user) ||
            !same(a->socket_group, b->socket_group) ||
            !same(a->pid_file, b->pid_file) || a->socket_mode != b->socket_mode)
            as_milter_logf(AUTHSCORE_LOG_WARNING, "reload: socket, socket_mode, "
                           "socket_group, user and pid_file take effect at the "
                           "next start");
        as_milter_holder_put(old);
    }
    as_milter_holder_install(h);
    as_milter_logf(AUTHSCORE_LOG_INFO, "reloaded %s (authserv-id %s, %zu "
                   "library options)", path, h->authserv_id, h->conf.nlib);
    return 0;
}

void as_milter_holder_shutdown(void)
{
    as_milter_holder_install(NULL);
}
