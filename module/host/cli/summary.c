/* summary.c - progress and summary for runs over many messages. */
#include "host/cli/summary.h"

#include <stdlib.h>
#include <string.h>

#include "util/num.h"

void summary_init(summary *s, size_t files, int progress)
{
    memset(s, 0, sizeof *s);
    s->files = files;
    s->progress = progress && files > 1;
}

void summary_progress(summary *s, FILE *tty, size_t i, const char *file)
{
    if (!s->progress)
        return;
    /* One line, redrawn: erase to the end so a shorter name leaves no tail. */
    fprintf(tty, "\r\033[K[%zu/%zu] %.60s", i + 1, s->files, file);
    fflush(tty);
}

void summary_add(summary *s, const authscore_msg *m)
{
    int r = authscore_dmarc_result(m);
    if (r >= 0 && r <= AUTHSCORE_RES_POLICY)
        s->dmarc[r]++;
    double score;
    if (authscore_score(m, &score) < 0)
        return;
    s->scored++;
    if (s->n_scores == s->cap_scores && s->cap_scores < SUMMARY_MAX_SCORES) {
        size_t nc = s->cap_scores ? s->cap_scores * 2 : 64;
        double *n = realloc(s->scores, nc * sizeof *n);
        if (!n)
            return;
        s->scores = n;
        s->cap_scores = nc;
    }
    if (s->n_scores < s->cap_scores)
        s->scores[s->n_scores++] = score;
}

void summary_failed(summary *s) { s->failed++; }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void summary_print(summary *s, FILE *out, FILE *tty)
{
    if (s->progress)
        fputs("\r\033[K", tty);
    if (s->files < 2)
        return;
    fprintf(out, "summary: %zu files, %zu not scored", s->files, s->failed);
    if (s->n_scores) {
        qsort(s->scores, s->n_scores, sizeof *s->scores, cmp_double);
        size_t k = s->n_scores;
        double median = k % 2 ? s->scores[k / 2] : (s->scores[k / 2 - 1] + s->scores[k / 2]) / 2;
        char lo[AS_NUM_BUF], mid[AS_NUM_BUF], hi[AS_NUM_BUF];
        as_num_format(lo, sizeof lo, s->scores[0], 2, 0);
        as_num_format(mid, sizeof mid, median, 2, 0);
        as_num_format(hi, sizeof hi, s->scores[k - 1], 2, 0);
        fprintf(out, "; score min %s median %s max %s", lo, mid, hi);
    }
    fputs("; DMARC", out);
    int any = 0;
    for (int r = 0; r <= AUTHSCORE_RES_POLICY; r++)
        if (s->dmarc[r]) {
            fprintf(out, "%s %s %zu", any ? "," : "",
                    r == AUTHSCORE_RES_NOT_EVALUATED ? "not evaluated" : authscore_result_name(r),
                    s->dmarc[r]);
            any = 1;
        }
    fputs(any ? "\n" : " -\n", out);
}

void summary_free(summary *s)
{
    free(s->scores);
    s->scores = NULL;
}
