/* report_log.c - append a finished message's DMARC report row (built by
 * msg_json.c) to the report log, for `authscore report` (RFC 9990
 * aggregate reports, docs/dmarc-reports.md).
 *
 * One row is one write(2) of one line to a file opened with O_APPEND:
 * the kernel places each write at the end of the file under the inode's
 * lock, so rows from Exim's forked children, the milter's threads and
 * several `authscore check` runs never interleave.  The file is opened
 * for each row and closed again, so a rotated log (renamed, or removed)
 * is followed at the next row without a signal; docs/dmarc-reports.md
 * has what that costs (a few microseconds a message).
 *
 * A row that cannot be written is not a fault of the evaluation: the
 * verdict stands, the message is not refused, and the reason is told
 * once per process through the host's log callback. */
#include "core/report_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/msg_json.h"
#include "util/buf.h"

/* Directory mode: report.log ends in '/', one file per UTC day. */
#define DAY_FILE "authscore-%04d-%02d-%02d.jsonl"
#define PATH_BYTES (4096u + 32u)

static int told; /* a failure was logged in this process */

static void tell_once(const authscore_ctx *c, const char *path, const char *why)
{
    if (__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
        return;
    as_log(c, AUTHSCORE_LOG_ERROR,
           "report log %s: %s; DMARC report rows are not written (said once per process)",
           path, why);
}

static int wanted(const authscore_msg *m)
{
    if (m->ctx->report_all)
        return 1;
    const as_dmarc_result *r =
        m->dmarc && m->dmarc_evaluated ? as_dmarc_get_result(m->dmarc) : NULL;
    return r && r->published.found && r->rua && *r->rua;
}

/* The file of this row: report.log itself, or the day's file in it. */
static const char *log_path(const authscore_msg *m, char *buf, size_t cap)
{
    const char *p = m->ctx->report_log;
    size_t n = strlen(p);
    if (n == 0 || p[n - 1] != '/')
        return p;
    time_t t = (time_t)m->now;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return NULL;
    int k = snprintf(buf, cap, "%s" DAY_FILE, p, tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday);
    return k > 0 && (size_t)k < cap ? buf : NULL;
}

void as_report_log_write(const authscore_msg *m)
{
    if (!m->ctx->report_log || !*m->ctx->report_log || !wanted(m))
        return;
    char pbuf[PATH_BYTES];
    const char *path = log_path(m, pbuf, sizeof pbuf);
    if (!path) {
        tell_once(m->ctx, m->ctx->report_log, "the day's file name does not fit");
        return;
    }
    as_buf b;
    as_buf_init(&b, AS_REPORT_ROW_MAX);
    int rc = as_msg_json_row(m, &b);
    if (rc == 0)
        as_buf_putc(&b, '\n');
    if (rc < 0 || b.err) {
        tell_once(m->ctx, path, rc == AUTHSCORE_ENOMEM || b.err == AS_BUF_ENOMEM
                                    ? "out of memory for a row"
                                    : "a row longer than 256 KiB");
        as_buf_free(&b);
        return;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0) {
        tell_once(m->ctx, path, strerror(errno));
        as_buf_free(&b);
        return;
    }
    ssize_t w;
    do
        w = write(fd, b.p, b.len);
    while (w < 0 && errno == EINTR);
    /* Never a second write for the rest of a short one: it could land
     * after another process's row.  A cut row is skipped by the reader. */
    if (w < 0 || (size_t)w != b.len)
        tell_once(m->ctx, path, w < 0 ? strerror(errno) : "short write (disk full?)");
    close(fd);
    as_buf_free(&b);
}
