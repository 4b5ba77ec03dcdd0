/* summary.h - the progress line and end-of-run summary of `authscore
 * check` over several files. */
#ifndef AS_CLI_SUMMARY_H
#define AS_CLI_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include <authscore.h>

#define SUMMARY_MAX_SCORES 1000000u /* scores kept for the median */

typedef struct summary {
    size_t files, scored, failed;
    size_t dmarc[AUTHSCORE_RES_POLICY + 1]; /* by DMARC result */
    double *scores;                         /* malloc'd, bounded */
    size_t n_scores, cap_scores;
    int progress;                           /* draw the progress line */
} summary;

void summary_init(summary *s, size_t files, int progress);
/* Progress line on `tty` before file i (0-based) is read. */
void summary_progress(summary *s, FILE *tty, size_t i, const char *file);
void summary_add(summary *s, const authscore_msg *m);
void summary_failed(summary *s);
/* Clear the progress line and print the summary (several files only). */
void summary_print(summary *s, FILE *out, FILE *tty);
void summary_free(summary *s);

#endif
