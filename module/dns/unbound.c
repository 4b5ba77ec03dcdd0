/* unbound.c - the production resolver: libunbound, validating in-process.
 *
 * This is the only file that includes unbound.h.
 *
 * One ub_ctx per authscore_ctx, in thread mode (ub_ctx_async(ctx, 1)): a
 * libunbound worker thread resolves, results come back through a pipe
 * (ub_fd) and are delivered by ub_process() as callbacks.  Several threads
 * may drive their own messages on the same resolver at once, and
 * ub_process() on one thread runs the callbacks of every thread's queries.
 * So:
 *
 *  - each query is a malloc'd record (struct rq) that may outlive the drive
 *    call that sent it;
 *  - the callback only moves its record onto the owning drive call's
 *    completion list under the resolver's mutex and wakes everybody (a
 *    condition variable); it never touches a question table;
 *  - at most one thread at a time waits in poll(ub_fd) + ub_process (the
 *    "processor"); the others sleep on the condition variable until their
 *    own completions arrive, their deadline passes, or the processor role
 *    is free;
 *  - a drive call that reaches its deadline orphans its queries still in
 *    flight (owner = NULL) and cancels them; a callback that still comes
 *    for an orphan frees it; as_resolver_free frees the rest after
 *    ub_ctx_delete, which calls no more callbacks.
 *
 * Lock order: r->mu, then libunbound's internal locks (ub_cancel is called
 * under r->mu).  libunbound calls callbacks with none of its locks held,
 * so there is no inversion. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "dns/resolver.h"

#define DNS_CLASS_IN 1
#define NO_TRUST_ANCHOR "none"

/* libunbound retries a dead server up to 5 times with growing timeouts
 * (about 17 s in all by default).  Fewer retries and a lower RTT ceiling
 * let it give up on a dead server within a few seconds; the drive call's
 * own deadline bounds every message regardless.  The operator's config
 * file, read after these, may override them. */
static const char *const default_options[][2] = {
    {"outbound-msg-retry:", "2"},   /* unbound >= 1.15; ignored before */
    {"infra-cache-max-rtt:", "3000"},
};

typedef struct rq rq;
typedef struct drive drive;

struct as_resolver {
    struct ub_ctx *ub;
    int timeout_ms;
    pthread_mutex_t mu;     /* guards every list below and `processing` */
    pthread_cond_t cv;      /* completions and processor-role changes */
    int processing;         /* a thread is in poll(ub_fd) / ub_process */
    unsigned long queries;  /* handed to libunbound since creation */
    rq *orphans;            /* queries whose drive call gave up */
};

/* One query in flight.  It lives on exactly one list at a time: the
 * owner's in-flight list, the owner's completion list, or the orphans. */
struct rq {
    as_resolver *r;
    drive *owner;           /* NULL once orphaned */
    uint32_t id;            /* question id in the owner's table */
    uint16_t qtype;
    int async_id;
    int err;
    struct ub_result *res;
    rq *prev, *next;
};

struct drive {
    rq *inflight;           /* doubly linked */
    rq *done, *done_tail;   /* arrival order, singly linked */
};

static void list_push(rq **head, rq *q)
{
    q->prev = NULL;
    q->next = *head;
    if (*head)
        (*head)->prev = q;
    *head = q;
}

static void list_remove(rq **head, rq *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        *head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    q->prev = q->next = NULL;
}

/* libunbound's log goes to one process-wide /dev/null stream: a module
 * never prints, and libunbound keeps the log stream in a global, so it is
 * never closed (a context freed later must not leave it dangling). */
static FILE *devnull;
static pthread_once_t devnull_once = PTHREAD_ONCE_INIT;

static void open_devnull(void)
{
    devnull = fopen("/dev/null", "we");
}

static void rq_free(rq *q)
{
    if (q->res)
        ub_resolve_free(q->res);
    free(q);
}

/* Runs inside ub_process() on whichever thread called it. */
static void on_result(void *arg, int err, struct ub_result *res)
{
    rq *q = arg;
    as_resolver *r = q->r;
    pthread_mutex_lock(&r->mu);
    if (!q->owner) {
        list_remove(&r->orphans, q);
        pthread_mutex_unlock(&r->mu);
        if (res)
            ub_resolve_free(res);
        free(q);
        return;
    }
    drive *d = q->owner;
    list_remove(&d->inflight, q);
    q->err = err;
    q->res = res;
    if (d->done_tail)
        d->done_tail->next = q;
    else
        d->done = q;
    d->done_tail = q;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int init_sync(as_resolver *r)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca))
        return -1;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        return -1;
    if (pthread_mutex_init(&r->mu, NULL)) {
        pthread_cond_destroy(&r->cv);
        return -1;
    }
    return 0;
}

/* Everything libunbound reads from files (config, trust anchors, zones) is
 * read when the context is finalized, which libunbound does at its first
 * resolve or zone change.  Finalize here, so that a broken configuration
 * is reported by as_resolver_new, not by the first message: removing a
 * local zone finalizes the configuration first, and an RFC 6761 .invalid
 * name is no zone anybody configures, so nothing else happens.  No worker
 * is built: a synchronous lookup would build and tear down one of its
 * own (its random state seeded anew, about a third of a context's
 * set-up), and an asynchronous one would start the worker thread in
 * processes that never miss the answer caches.  The thread starts with
 * the first question that needs it. */
static int finalize(as_resolver *r, char *err, size_t errlen)
{
    int rc = ub_ctx_zone_remove(r->ub, "authscore-finalize.invalid.");
    if (rc) {
        set_err(err, errlen,
                "resolver set-up failed: %s (check the DNS config file and "
                "trust anchor)",
                ub_strerror(rc));
        return AUTHSCORE_ECONFIG;
    }
    return 0;
}

static int configure(as_resolver *r, const as_resolver_config *cfg, char *err,
                     size_t errlen)
{
    int rc;
    for (size_t i = 0; i < sizeof default_options / sizeof *default_options;
         i++)
        (void)ub_ctx_set_option(r->ub, default_options[i][0],
                                default_options[i][1]);

    if (cfg && cfg->config_file) {
        if (access(cfg->config_file, R_OK) != 0) {
            set_err(err, errlen, "DNS config file %s: %s", cfg->config_file,
                    strerror(errno));
            return AUTHSCORE_ECONFIG;
        }
        if ((rc = ub_ctx_config(r->ub, cfg->config_file)) != 0) {
            set_err(err, errlen, "DNS config file %s: %s", cfg->config_file,
                    ub_strerror(rc));
            return AUTHSCORE_ECONFIG;
        }
    }

    const char *ta = cfg && cfg->trust_anchor_file
                         ? cfg->trust_anchor_file
                         : AS_RESOLVER_DEFAULT_TRUST_ANCHOR;
    if (strcmp(ta, NO_TRUST_ANCHOR) != 0) {
        if (access(ta, R_OK) != 0) {
            set_err(err, errlen,
                    "DNSSEC trust anchor %s: %s (the root's ships in the "
                    "Debian package dns-root-data; or configure another "
                    "trust anchor file, or \"none\")",
                    ta, strerror(errno));
            return AUTHSCORE_ECONFIG;
        }
        if ((rc = ub_ctx_add_ta_file(r->ub, ta)) != 0) {
            set_err(err, errlen, "DNSSEC trust anchor %s: %s", ta,
                    ub_strerror(rc));
            return AUTHSCORE_ECONFIG;
        }
    }

    /* Forwarders only carry the queries: validation stays local, so a
     * forwarder's AD bit is never trusted. */
    size_t nf = cfg ? cfg->n_forwarders : 0;
    if (nf > AS_RESOLVER_MAX_FORWARDERS) {
        set_err(err, errlen, "too many DNS forwarders (at most %d)",
                AS_RESOLVER_MAX_FORWARDERS);
        return AUTHSCORE_ECONFIG;
    }
    for (size_t i = 0; i < nf; i++) {
        if (!cfg->forwarders[i] ||
            (rc = ub_ctx_set_fwd(r->ub, cfg->forwarders[i])) != 0) {
            set_err(err, errlen, "DNS forwarder %s: %s",
                    cfg->forwarders[i] ? cfg->forwarders[i] : "(null)",
                    cfg->forwarders[i] ? ub_strerror(rc) : "missing");
            return AUTHSCORE_ECONFIG;
        }
    }

    if ((rc = ub_ctx_async(r->ub, 1)) != 0) {
        set_err(err, errlen, "libunbound thread mode: %s", ub_strerror(rc));
        return AUTHSCORE_EDNS;
    }
    return finalize(r, err, errlen);
}

int as_resolver_new(const as_resolver_config *cfg, as_resolver **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    as_resolver *r = calloc(1, sizeof *r);
    if (!r)
        return AUTHSCORE_ENOMEM;
    if (init_sync(r)) {
        free(r);
        return AUTHSCORE_ENOMEM;
    }
    r->timeout_ms = cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms
                                               : AS_RESOLVER_DEFAULT_TIMEOUT_MS;
    if (r->timeout_ms > AS_RESOLVER_MAX_TIMEOUT_MS)
        r->timeout_ms = AS_RESOLVER_MAX_TIMEOUT_MS;
    r->ub = ub_ctx_create();
    if (!r->ub) {
        set_err(err, errlen, "cannot create the libunbound context");
        as_resolver_free(r);
        return AUTHSCORE_EDNS;
    }
    pthread_once(&devnull_once, open_devnull);
    if (devnull)
        ub_ctx_debugout(r->ub, devnull);
    int rc = configure(r, cfg, err, errlen);
    if (rc) {
        as_resolver_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void as_resolver_free(as_resolver *r)
{
    if (!r)
        return;
    /* No callback runs after ub_ctx_delete: orphans are ours to free. */
    if (r->ub)
        ub_ctx_delete(r->ub);
    while (r->orphans) {
        rq *q = r->orphans;
        list_remove(&r->orphans, q);
        rq_free(q);
    }
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* ---- results into answers ------------------------------------------- */

/* The answer for a completed query.  *fault is set when the answer stands
 * for a failure of ours or of the driver (libunbound's error, an answer
 * that did not fit the arena): it is delivered but never cached, and a
 * lack of memory also sets *nomem (the message is refused). */
static as_dns_answer to_answer(as_qtab *t, rq *q, int *nomem, int *fault)
{
    as_arena *a = as_qtab_arena(t);
    struct ub_result *res = q->res;
    as_dns_answer ans;

    if (q->err || !res) {
        *fault = 1;
        return as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL,
                                    AUTHSCORE_DNSSEC_INDETERMINATE);
    }

    if (res->answer_packet && res->answer_len > 0) {
        if (as_dns_parse_packet(a, q->qtype, res->answer_packet,
                                (size_t)res->answer_len, &ans) < 0) {
            *nomem = *fault = 1;
            return as_dns_answer_status(AUTHSCORE_DNS_SERVFAIL,
                                        AUTHSCORE_DNSSEC_INDETERMINATE);
        }
    } else {
        /* No packet (libunbound's own failure): the rcode is all we have,
         * and no TTL, so it is not cached. */
        int st = res->nxdomain ? AUTHSCORE_DNS_NXDOMAIN
                 : res->rcode == 0 && !res->havedata ? AUTHSCORE_DNS_NODATA
                                                     : AUTHSCORE_DNS_SERVFAIL;
        ans = as_dns_answer_status(st, AUTHSCORE_DNSSEC_INDETERMINATE);
        *fault = 1;
    }

    /* Bogus first: such an answer has rcode 0 and the attacker's data.
     * The status stays as parsed, but no record of it is ever exposed. */
    if (res->bogus) {
        ans.dnssec = AUTHSCORE_DNSSEC_BOGUS;
        ans.count = 0;
        ans.rr = NULL;
        ans.why_bogus = as_arena_strdup(
            a, res->why_bogus ? res->why_bogus : "DNSSEC validation failed");
        if (!ans.why_bogus) {
            *nomem = *fault = 1;
            ans.why_bogus = "DNSSEC validation failed";
        }
        return ans;
    }
    if (ans.status == AUTHSCORE_DNS_SERVFAIL)
        ans.dnssec = AUTHSCORE_DNSSEC_INDETERMINATE;
    else
        ans.dnssec = res->secure ? AUTHSCORE_DNSSEC_SECURE
                                 : AUTHSCORE_DNSSEC_INSECURE;
    return ans;
}

/* ---- the driver ----------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void deadline_ts(long long deadline, struct timespec *ts)
{
    ts->tv_sec = (time_t)(deadline / 1000);
    ts->tv_nsec = (long)(deadline % 1000) * 1000000L;
}

/* Send every unsent question.  Returns how many were sent.  A question
 * we could not send for lack of memory is answered SERVFAIL and *nomem
 * set: the message is refused, never scored on a made-up DNS failure. */
static unsigned send_wave(as_resolver *r, drive *d, as_qtab *t, int *nomem)
{
    unsigned sent = 0;
    uint32_t id;
    const char *name;
    uint16_t qtype;
    while (as_qtab_next_unsent(t, &id, &name, &qtype)) {
        rq *q = calloc(1, sizeof *q);
        if (!q) {
            *nomem = 1;
            as_dns_answer f = as_dns_answer_status(
                AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNSSEC_INDETERMINATE);
            as_qtab_fail(t, id, &f);
            continue;
        }
        q->r = r;
        q->owner = d;
        q->id = id;
        q->qtype = qtype;
        /* On the list before the query exists: another thread's
         * ub_process may run its callback before ub_resolve_async even
         * returns here. */
        pthread_mutex_lock(&r->mu);
        list_push(&d->inflight, q);
        pthread_mutex_unlock(&r->mu);
        int async_id = 0;
        int rc = ub_resolve_async(r->ub, name, qtype, DNS_CLASS_IN, q,
                                  on_result, &async_id);
        pthread_mutex_lock(&r->mu);
        if (rc) {
            list_remove(&d->inflight, q);
            pthread_mutex_unlock(&r->mu);
            free(q);
            if (rc == UB_NOMEM)
                *nomem = 1;
            as_dns_answer f = as_dns_answer_status(
                AUTHSCORE_DNS_SERVFAIL, AUTHSCORE_DNSSEC_INDETERMINATE);
            as_qtab_fail(t, id, &f);
            continue;
        }
        q->async_id = async_id;
        r->queries++;
        pthread_mutex_unlock(&r->mu);
        sent++;
    }
    return sent;
}

/* Wait until this drive call has completions or the deadline passes.
 * Returns the completion list (arrival order) or NULL; *broken is set
 * when libunbound's pipe failed. */
static rq *wait_done(as_resolver *r, drive *d, long long deadline,
                     int *broken)
{
    struct timespec ts;
    deadline_ts(deadline, &ts);
    pthread_mutex_lock(&r->mu);
    while (!d->done && !*broken) {
        long long left = deadline - now_ms();
        if (left <= 0)
            break;
        if (r->processing) {
            pthread_cond_timedwait(&r->cv, &r->mu, &ts);
            continue;
        }
        r->processing = 1;
        pthread_mutex_unlock(&r->mu);
        struct pollfd pfd = {.fd = ub_fd(r->ub), .events = POLLIN};
        int pr = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        int rc = 0;
        if (pr > 0)
            rc = ub_process(r->ub);
        else if (pr < 0 && errno != EINTR)
            rc = -1;
        pthread_mutex_lock(&r->mu);
        r->processing = 0;
        pthread_cond_broadcast(&r->cv);
        if (rc)
            *broken = 1;
    }
    rq *done = d->done;
    d->done = d->done_tail = NULL;
    pthread_mutex_unlock(&r->mu);
    return done;
}

/* The deadline passed: nothing in flight may touch `d` any more. */
static void orphan_inflight(as_resolver *r, drive *d)
{
    pthread_mutex_lock(&r->mu);
    while (d->inflight) {
        rq *q = d->inflight;
        list_remove(&d->inflight, q);
        q->owner = NULL;
        /* UB_NOERROR: the query was still registered and is now marked
         * cancelled, so its callback will never run.  Otherwise the
         * callback is pending and frees the orphan itself. */
        if (ub_cancel(r->ub, q->async_id) == UB_NOERROR)
            free(q);
        else
            list_push(&r->orphans, q);
    }
    /* Completions that arrived after the last look. */
    while (d->done) {
        rq *q = d->done;
        d->done = q->next;
        rq_free(q);
    }
    d->done_tail = NULL;
    pthread_mutex_unlock(&r->mu);
}

int as_resolver_drive_stats(as_resolver *r, as_qtab *t, int timeout_ms,
                            void (*idle)(void *), void *idle_arg,
                            as_resolver_stats *out)
{
    as_resolver_stats st = {0, 0, 0};
    if (out)
        *out = st;
    if (!r || !t)
        return AUTHSCORE_EINVAL;
    if (timeout_ms <= 0)
        timeout_ms = r->timeout_ms;
    if (timeout_ms > AS_RESOLVER_MAX_TIMEOUT_MS)
        timeout_ms = AS_RESOLVER_MAX_TIMEOUT_MS;
    long long deadline = now_ms() + timeout_ms;
    drive d = {NULL, NULL, NULL};
    int idled = 0, broken = 0, nomem = 0;

    for (;;) {
        unsigned n = send_wave(r, &d, t, &nomem);
        if (n) {
            st.waves++;
            st.queries += n;
        }
        if (!idled) {
            idled = 1;
            if (idle)
                idle(idle_arg);
        }
        if (as_qtab_outstanding(t) == 0 && as_qtab_unsent(t) == 0)
            break;
        rq *done = wait_done(r, &d, deadline, &broken);
        if (!done)
            break;  /* deadline, or libunbound failed */
        while (done) {
            rq *q = done;
            done = q->next;
            int fault = 0;
            as_dns_answer ans = to_answer(t, q, &nomem, &fault);
            if (fault)
                as_qtab_fail(t, q->id, &ans);
            else
                as_qtab_answer(t, q->id, &ans);
            rq_free(q);
        }
    }

    orphan_inflight(r, &d);
    st.timeouts = as_qtab_outstanding(t) + as_qtab_unsent(t);
    if (st.timeouts)
        as_qtab_expire(t);
    if (out)
        *out = st;
    if (nomem)
        return AUTHSCORE_ENOMEM;
    return broken ? AUTHSCORE_EDNS : 0;
}

unsigned long as_resolver_queries(as_resolver *r)
{
    pthread_mutex_lock(&r->mu);
    unsigned long n = r->queries;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int as_resolver_drive(as_resolver *r, as_qtab *t, int timeout_ms,
                      void (*idle)(void *), void *idle_arg)
{
    return as_resolver_drive_stats(r, t, timeout_ms, idle, idle_arg, NULL);
}
