/* report_read.h - read DMARC report logs (JSON Lines that the library
 * writes, one row per message: docs/dmarc-reports.md) for `authscore
 * report`.  A malformed, overlong or cut-off line is reported with
 * file:line and skipped; it never stops the reading.  A cut-off row that
 * the next row was appended to (no newline between them) loses only
 * itself. */
#ifndef AS_CLI_REPORT_READ_H
#define AS_CLI_REPORT_READ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* How every row begins: the library writes "version" first (core/msg_json.c).
 * A line that is no row but holds this after its first byte is a cut row
 * with the next row appended: both pieces are read (report_read.c). */
#define RLOG_ROW_START "{\"version\":"
/* A line longer than this is skipped (the library writes at most 256 KiB). */
#define RLOG_LINE_MAX (256u << 10)
/* Row elements looked at: DKIM signatures (the library's hard cap is 64)
 * and override reasons. */
#define RLOG_MAX_DKIM 64u
#define RLOG_MAX_OVERRIDES 8u

/* One row, checked: every field below has the type and words the row
 * format promises.  Strings are owned by `root`. */
typedef struct rlog_row {
    json_t *root;               /* the whole row; json_decref() when done */
    int64_t time;
    const char *ip;             /* the client IP, or NULL (no SPF) */
    const char *helo;           /* or NULL */
    const char *mail_from;      /* or NULL; "" for the null reverse-path */
    const char *header_from;    /* the author domain, or NULL */
    json_t *dmarc;              /* the dmarc object, or NULL */
    json_t *published;          /* dmarc.published, or NULL (no record) */
    const char *policy_domain;  /* published.domain, or NULL */
} rlog_row;

/* Called for each good row; it owns row->root from then on. */
typedef void (*rlog_row_fn)(void *user, rlog_row *row);
/* Called for each line skipped, with why. */
typedef void (*rlog_bad_fn)(void *user, const char *file, size_t line, const char *why);

/* Check one line (no newline) and fill *row.  Returns 0, or -1 with *why
 * (static text) for a line that is not a row of version 1. */
int rlog_parse_line(const char *p, size_t len, rlog_row *row, const char **why);

/* Lines arrive in pieces of any size (a file read in blocks, the fuzzer). */
typedef struct rlog_reader {
    const char *file;
    size_t line;        /* number of the line being collected, from 1 */
    char *buf;
    size_t len, cap;
    int overlong;       /* the current line passed RLOG_LINE_MAX */
    rlog_row_fn row;
    rlog_bad_fn bad;
    void *user;
    size_t rows, skipped;
} rlog_reader;

void rlog_init(rlog_reader *r, const char *file, rlog_row_fn row, rlog_bad_fn bad,
               void *user);
/* Returns 0, or -1 when out of memory (the reader is then unusable). */
int rlog_feed(rlog_reader *r, const char *p, size_t n);
/* End of input: a last line without its newline is a cut-off row
 * (a write that failed half-way, or a file copied while written). */
void rlog_end(rlog_reader *r);
void rlog_free(rlog_reader *r);

/* Read a whole log file, plain or gzip-compressed (a rotated log).
 * Returns 0, or -1 with errno when the file cannot be read. */
int rlog_read_file(const char *path, rlog_row_fn row, rlog_bad_fn bad, void *user,
                   size_t *rows, size_t *skipped);

#endif
