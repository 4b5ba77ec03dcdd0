/* envelopes.c - read an envelope list for `authscore check`. */
#include "host/cli/envelopes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jobs_free(job *jobs, size_t n)
{
    for (size_t i = 0; jobs && i < n; i++)
        free(jobs[i].file);
    free(jobs);
}

/* Split `line` in place into at most `max` blank-separated words. */
static size_t words(char *line, char **w, size_t max)
{
    size_t n = 0;
    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static char *put(char *o, const char *s, size_t n)
{
    memcpy(o, s, n);
    o[n] = '\0';
    return o + n + 1;
}

/* One allocation per job: "dir/file\0ip\0helo\0mail_from\0". */
static int make_job(job *j, const char *dir, size_t dl, char **w)
{
    int rel = w[0][0] != '/';
    const char *mf = strcmp(w[3], "<>") ? w[3] : "";
    size_t l0 = strlen(w[0]), l1 = strlen(w[1]), l2 = strlen(w[2]), l3 = strlen(mf);
    char *b = malloc((rel ? dl + 1 : 0) + l0 + l1 + l2 + l3 + 4);
    if (!b)
        return -1;
    char *o = b;
    if (rel) {
        memcpy(o, dir, dl);
        o[dl] = '/';
        o += dl + 1;
    }
    o = put(o, w[0], l0);
    j->file = b;
    j->ip = o;
    o = put(o, w[1], l1);
    j->helo = o;
    o = put(o, w[2], l2);
    j->mail_from = o;
    put(o, mf, l3);
    return 0;
}

int envelopes_load(const char *path, job **out, size_t *n, char *err, size_t cap)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    const char *slash = strrchr(path, '/');
    const char *dir = slash ? path : ".";
    size_t dl = slash ? (size_t)(slash - path) : 1;
    job *jobs = NULL;
    size_t count = 0, jcap = 0;
    char line[ENVELOPES_MAX_LINE + 2];
    unsigned ln = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        ln++;
        size_t len = strcspn(line, "\r\n");
        if (line[len] == '\0' && !feof(f)) {
            snprintf(err, cap, "%s:%u: line longer than %u bytes", path, ln, ENVELOPES_MAX_LINE);
            rc = -1;
            break;
        }
        line[len] = '\0';
        char *w[4];
        size_t nw = words(line, w, 4);
        if (nw == 0 || w[0][0] == '#')
            continue;
        if (nw != 4) {
            snprintf(err, cap, "%s:%u: expected FILE IP HELO MAIL-FROM", path, ln);
            rc = -1;
        } else if (count == ENVELOPES_MAX_LINES) {
            snprintf(err, cap, "%s:%u: more than %u messages", path, ln, ENVELOPES_MAX_LINES);
            rc = -1;
        } else {
            if (count == jcap) {
                size_t nc = jcap ? jcap * 2 : 16;
                job *nj = realloc(jobs, nc * sizeof *nj);
                if (!nj) {
                    snprintf(err, cap, "out of memory");
                    rc = -1;
                    break;
                }
                jobs = nj;
                jcap = nc;
            }
            if (make_job(&jobs[count], dir, dl, w) < 0) {
                snprintf(err, cap, "out of memory");
                rc = -1;
            } else {
                count++;
            }
        }
    }
    fclose(f);
    if (rc < 0) {
        jobs_free(jobs, count);
        return -1;
    }
    *out = jobs;
    *n = count;
    return 0;
}
