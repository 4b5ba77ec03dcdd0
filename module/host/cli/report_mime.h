/* report_mime.h - the mail that carries one aggregate report (RFC 9990:
 * a MIME message with the gzip file attached), ready for
 * `sendmail -t`, which reads the recipients from To:. */
#ifndef AS_CLI_REPORT_MIME_H
#define AS_CLI_REPORT_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mime_report {
    const char *from;        /* the reporter's address (--email) */
    const char *to;          /* "a@example.org, b@example.org" */
    const char *org_name;    /* printable ASCII (checked by the caller) */
    const char *domain;      /* the policy domain */
    const char *report_id;
    const char *filename;    /* of the attachment */
    int64_t date;            /* Date:, seconds since the epoch */
    int64_t begin, end;
    const unsigned char *gz;
    size_t gz_len;
} mime_report;

/* Returns 0, or -1 when f reports a write error. */
int report_mime_write(FILE *f, const mime_report *r);

/* base64 (RFC 2045 6.8) in lines of 76 characters, each ended by "\n". */
void mime_base64(FILE *f, const unsigned char *p, size_t n);

/* Copy s into dst (cap bytes), each byte outside printable ASCII, and
 * any of `also`, replaced by '_'; header fields and file names take no
 * line break or path separator from a log. */
void mime_safe(char *dst, size_t cap, const char *s, const char *also);

#endif
