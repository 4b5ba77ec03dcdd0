/* envelopes.h - `authscore check --envelopes FILE`: one SMTP envelope per
 * message, so one run scores a mailbox of messages that each arrived
 * differently (the main job: examples/messages/ENVELOPES).
 *
 * Each line: FILE IP HELO MAIL-FROM, separated by blanks; "<>" is the null
 * reverse-path; '#' starts a comment line; FILE is relative to the
 * envelope file's directory unless absolute. */
#ifndef AS_CLI_ENVELOPES_H
#define AS_CLI_ENVELOPES_H

#include <stddef.h>

#define ENVELOPES_MAX_LINES 1000000u
#define ENVELOPES_MAX_LINE 4096u

typedef struct job {
    char *file;
    const char *ip, *helo, *mail_from; /* point into the same line copy */
} job;

/* Read `path`.  Returns 0 with *out (free with jobs_free) or -1 with a
 * "path:line: why" message in err. */
int envelopes_load(const char *path, job **out, size_t *n, char *err, size_t cap);
void jobs_free(job *jobs, size_t n);

#endif
