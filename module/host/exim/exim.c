/* exim.c - Exim ${dlfunc} entry points (docs/exim.md).
 *
 *   ${dlfunc{/usr/lib/.../libauthscore.so}{authscore_exim_check}
 *       {$sender_host_address}{$sender_helo_name}{$sender_address}
 *       {$message_headers_raw}{SPOOL -D FILE}{OPTIONS}}
 *
 * Exim's dlfunc contract (local_scan.h): int fn(uschar **yield, int argc,
 * uschar *argv[]); the return value is OK (0, *yield is inserted),
 * FAIL (2, the expansion fails with *yield as the error) or ERROR (3, the
 * same plus a panic-log entry).  Exim copies *yield, so static storage is
 * fine.  Exim headers are deliberately not included: the values are
 * fixed by the ABI of every Exim 4 release. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/exim/exim.h"
#include "util/fnv.h"

typedef unsigned char uschar;

enum { EXIM_OK = 0, EXIM_FAIL = 2, EXIM_ERROR = 3 };

enum { ARG_IP, ARG_HELO, ARG_MAIL_FROM, ARG_HEADERS, ARG_SPOOL, ARG_OPTIONS,
       ARG_COUNT };

/* The last message evaluated by this process: `check` then `ar` on the
 * same message is one evaluation.  Keyed by the spool file (path and
 * identity, so a reused path is never mistaken) and a hash of the other
 * arguments. */
static struct {
    int valid;
    pid_t pid;
    char path[AS_EXIM_MAX_PATH + 1];
    dev_t dev;
    ino_t ino;
    off_t size;
    uint64_t args_hash;
    char summary[AS_EXIM_SUMMARY_MAX];
    char *ar;
} last;

static char yield_err[512];

static int fail(uschar **yield, int code)
{
    *yield = (uschar *)yield_err;
    return code;
}

/* FNV-1a over the arguments, each followed by a separator byte. */
static uint64_t hash_args(uschar *argv[], const size_t *lens)
{
    static const unsigned char sep = 0xff;
    uint64_t h = AS_FNV64_BASIS;
    for (int i = 0; i < ARG_COUNT; i++) {
        if (i == ARG_SPOOL)
            continue;
        h = as_fnv64(as_fnv64(h, argv[i], lens[i]), &sep, 1);
    }
    return h;
}

/* Check argc, NULLs and per-argument caps; fill lens[]. */
static int check_args(int argc, uschar *argv[], size_t *lens)
{
    static const size_t caps[ARG_COUNT] = {
        AS_EXIM_MAX_ENVELOPE, AS_EXIM_MAX_ENVELOPE, AS_EXIM_MAX_ENVELOPE,
        AS_EXIM_MAX_HEADERS, AS_EXIM_MAX_PATH, AS_EXIM_MAX_OPTIONS};
    static const char *names[ARG_COUNT] = {"client IP", "HELO", "MAIL FROM",
                                           "headers", "spool file", "options"};
    if (argc != ARG_COUNT || !argv) {
        snprintf(yield_err, sizeof yield_err,
                 "authscore: %d arguments, expected 6: client IP, HELO, MAIL FROM, "
                 "headers, spool -D file, options",
                 argc);
        return -1;
    }
    for (int i = 0; i < ARG_COUNT; i++) {
        if (!argv[i]) {
            snprintf(yield_err, sizeof yield_err, "authscore: %s missing", names[i]);
            return -1;
        }
        lens[i] = strnlen((const char *)argv[i], caps[i] + 1);
        if (lens[i] > caps[i]) {
            snprintf(yield_err, sizeof yield_err,
                     "authscore: %s longer than %zu bytes", names[i], caps[i]);
            return -1;
        }
    }
    if (lens[ARG_HEADERS] >= AS_EXIM_HEADER_INSERT_MAXLEN) {
        snprintf(yield_err, sizeof yield_err,
                 "authscore: header block reaches Exim's %d-byte expansion limit "
                 "and may have been cut: not evaluated",
                 AS_EXIM_HEADER_INSERT_MAXLEN);
        return -1;
    }
    if (lens[ARG_SPOOL] == 0) {
        snprintf(yield_err, sizeof yield_err, "authscore: empty spool file path");
        return -1;
    }
    return 0;
}

static int same_message(const char *path, const struct stat *st, uint64_t h)
{
    return last.valid && last.pid == getpid() && strcmp(last.path, path) == 0 &&
           last.dev == st->st_dev && last.ino == st->st_ino &&
           last.size == st->st_size && last.args_hash == h;
}

/* Evaluate the message of argv[] into `last` (or reuse it).  Returns an
 * Exim code; on failure yield_err says why. */
static int evaluate(int argc, uschar *argv[])
{
    size_t lens[ARG_COUNT];
    if (check_args(argc, argv, lens) < 0)
        return EXIM_FAIL;
    const char *path = (const char *)argv[ARG_SPOOL];
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(yield_err, sizeof yield_err, "authscore: spool file %s: %m", path);
        return EXIM_FAIL;
    }
    uint64_t h = hash_args(argv, lens);
    if (same_message(path, &st, h))
        return EXIM_OK;

    char why[400];
    int rc;
    const authscore_ctx *ctx = as_exim_ctx_get((const char *)argv[ARG_OPTIONS],
                                               why, sizeof why, &rc);
    if (!ctx) {
        /* A configuration error: FAIL, not ERROR, because Exim writes a
         * panic-log entry for each ERROR, and this one comes with every
         * message; it was logged once for this process.  No memory is a
         * fault: ERROR, as for any fault below. */
        snprintf(yield_err, sizeof yield_err, "authscore: %s", why);
        return rc == AUTHSCORE_ENOMEM ? EXIM_ERROR : EXIM_FAIL;
    }
    last.valid = 0;
    free(last.ar);
    last.ar = NULL;

    char *msg;
    size_t len;
    rc = as_exim_spool_message(path, (const char *)argv[ARG_HEADERS],
                                   lens[ARG_HEADERS], &msg, &len, why, sizeof why);
    if (rc < 0) {
        snprintf(yield_err, sizeof yield_err, "authscore: %s", why);
        return rc == AUTHSCORE_ENOMEM ? EXIM_ERROR : EXIM_FAIL;
    }
    /* No client IP (local submission): SPF is not evaluated. */
    const char *ip = lens[ARG_IP] ? (const char *)argv[ARG_IP] : NULL;
    authscore_msg *m = NULL;
    rc = authscore_msg_new(ctx, ip, (const char *)argv[ARG_HELO],
                           (const char *)argv[ARG_MAIL_FROM], msg, len, &m);
    if (rc == 0) {
        rc = authscore_msg_resolve(m);
        if (rc == AUTHSCORE_EDNS) {
            /* The resolver failed: what was answered still counts, the
             * rest is TIMEOUT (temperror, 451 in the ACL). */
            snprintf(why, sizeof why, "resolve: %s", authscore_strerror(rc));
            as_exim_log(NULL, AUTHSCORE_LOG_WARNING, why);
            rc = authscore_msg_result(m);
        }
        /* Any other error is a fault (no memory, a limit): the message is
         * refused below (ERROR, 451 in the ACL), never summarized from a
         * half-evaluated message (docs/architecture.md, "Fail closed"). */
    }
    if (rc == 0 && as_exim_summary(m, last.summary, sizeof last.summary) < 0)
        rc = AUTHSCORE_ELIMIT;
    if (rc == 0) {
        /* Folded for add_header: RFC 5322's 78 columns. */
        const char *ar = authscore_ar_header(m);
        size_t cap = ar ? 2 * strlen(ar) + 2 : 0; /* each space at most "\n\t" */
        last.ar = ar ? malloc(cap) : NULL;
        if (!last.ar)
            rc = AUTHSCORE_ENOMEM;
        else if (as_exim_fold(ar, AS_EXIM_AR_PREFIX_LEN, last.ar, cap) < 0)
            rc = AUTHSCORE_ELIMIT;
    }
    authscore_msg_free(m);
    free(msg);
    if (rc < 0) {
        snprintf(yield_err, sizeof yield_err, "authscore: evaluation failed: %s",
                 authscore_strerror(rc));
        as_exim_log(NULL, AUTHSCORE_LOG_ERROR, yield_err);
        return EXIM_ERROR;
    }
    /* The outcome in Exim's main log, once per message. */
    as_exim_mainlog("authscore: ", last.summary);
    memcpy(last.path, path, lens[ARG_SPOOL] + 1);
    last.dev = st.st_dev;
    last.ino = st.st_ino;
    last.size = st.st_size;
    last.args_hash = h;
    last.pid = getpid();
    last.valid = 1;
    return EXIM_OK;
}

/* Both entry points share one evaluation per message (see evaluate). */
static int answer(unsigned char **yield, int argc, unsigned char *argv[], int want_ar)
{
    if (!yield)
        return EXIM_FAIL;
    int rc = evaluate(argc, argv);
    if (rc != EXIM_OK)
        return fail(yield, rc);
    *yield = (uschar *)(want_ar ? last.ar : last.summary);
    return EXIM_OK;
}

AUTHSCORE_API int authscore_exim_check(unsigned char **yield, int argc,
                                       unsigned char *argv[])
{
    return answer(yield, argc, argv, 0);
}

AUTHSCORE_API int authscore_exim_ar(unsigned char **yield, int argc,
                                    unsigned char *argv[])
{
    return answer(yield, argc, argv, 1);
}
