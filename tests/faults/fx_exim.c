/* fx_exim.c - the Exim host under faults (fx_exim.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fault.h"
#include "fx_exim.h"

enum { EXIM_OK = 0, EXIM_ERROR = 3 }; /* local_scan.h */

int fx_exim_prepare(const fx_message *m, const char *dir, size_t idx, fx_exim_msg *e)
{
    memset(e, 0, sizeof *e);
    /* Exim's view: LF line ends, headers as an argument, the body in -D. */
    char *lf = malloc(m->len + 1);
    if (!lf)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < m->len; i++)
        if (!(m->bytes[i] == '\r' && i + 1 < m->len && m->bytes[i + 1] == '\n'))
            lf[n++] = m->bytes[i];
    lf[n] = '\0';
    char *gap = strstr(lf, "\n\n");
    if (!gap) {
        free(lf);
        return -1;
    }
    gap[1] = '\0';
    e->headers = lf;
    const char *body = gap + 2;
    for (int k = 0; k < 2; k++) {
        snprintf(e->spool[k], sizeof e->spool[k], "%s/%zu%c-D", dir, idx, "ab"[k]);
        FILE *f = fopen(e->spool[k], "wb");
        if (!f || fprintf(f, "1wXyZa-000%zu%c-AB-D\n%s", idx, "ab"[k], body) < 0 ||
            fclose(f) != 0)
            return -1;
    }
    snprintf(e->ip, sizeof e->ip, "%s", m->ip);
    snprintf(e->helo, sizeof e->helo, "%s", m->helo);
    snprintf(e->mail_from, sizeof e->mail_from, "%s", m->mail_from);
    return 0;
}

void fx_exim_free(fx_exim_msg *e)
{
    for (int k = 0; k < 2; k++)
        if (e->spool[k][0])
            remove(e->spool[k]);
    free(e->headers);
}

void fx_run_exim(const fx_exim_msg *e, int which, const char *options, fx_exim_out *o)
{
    unsigned char *argv[6] = {
        (unsigned char *)e->ip,      (unsigned char *)e->helo,
        (unsigned char *)e->mail_from, (unsigned char *)e->headers,
        (unsigned char *)e->spool[which], (unsigned char *)options,
    };
    unsigned char *yield = NULL;
    fa_resume();
    o->rc = authscore_exim_check(&yield, 6, argv);
    fa_pause();
    snprintf(o->line, sizeof o->line, "%s", yield ? (const char *)yield : "(no yield)");
    /* The A-R of the same evaluation (the entry point's per-message
     * result, no second evaluation): per signature, for failure reports. */
    yield = NULL;
    int rc = o->rc == 0 ? authscore_exim_ar(&yield, 6, argv) : -1;
    snprintf(o->ar, sizeof o->ar, "%s", rc == 0 && yield ? (const char *)yield : "-");
}

/* The value of field `name` in a summary line, or "" (into buf). */
static const char *field(const char *line, const char *name, char *buf, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = line; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL) {
        if (!strncmp(p, name, nl) && p[nl] == '=') {
            size_t v = strcspn(p + nl + 1, " ");
            snprintf(buf, cap, "%.*s", (int)v, p + nl + 1);
            return buf;
        }
    }
    buf[0] = '\0';
    return buf;
}

static char why[512];

const char *fx_exim_check(const fx_exim_out *got, const fx_exim_out *want, int *degraded)
{
    /* spf_helo and arc ([1], [4]) may be temperror without a defer. */
    static const char *const verdicts[] = {"spf", "spf_helo", "dkim", "dmarc", "arc"};
    char g[64], w[64], t[64];
    *degraded = 0;
    if (want->rc != EXIM_OK)
        return "the fault-free call failed";
    if (got->rc == EXIM_ERROR)
        return strncmp(got->line, "authscore: ", 11) ? "ERROR without the module's reason"
                                                     : NULL;
    if (got->rc != EXIM_OK) {
        snprintf(why, sizeof why, "a fault gave Exim code %d (%.200s), not OK or ERROR", got->rc,
                 got->line);
        return why;
    }
    int temp = 0;
    for (size_t i = 0; i < sizeof verdicts / sizeof *verdicts; i++) {
        field(got->line, verdicts[i], g, sizeof g);
        field(want->line, verdicts[i], w, sizeof w);
        if (!*g) {
            snprintf(why, sizeof why, "no %s= field in '%.200s'", verdicts[i], got->line);
            return why;
        }
        if (strcmp(g, w) && strcmp(g, "temperror")) {
            snprintf(why, sizeof why, "%s=%s; fault-free %s=%s", verdicts[i], g, verdicts[i], w);
            return why;
        }
        *degraded |= strcmp(g, w) != 0;
        temp |= i != 1 && i != 4 && !strcmp(g, "temperror");
    }
    if (temp && strcmp(field(got->line, "temperror", t, sizeof t), "yes"))
        return "a temperror verdict with temperror=no: the ACL would not defer";
    /* Something changed (a signature, the symbols) under the same verdict
     * words: only a degraded signature may do that, and it says so. */
    if (!*degraded && strcmp(got->line, want->line)) {
        if (strcmp(field(got->line, "temperror", t, sizeof t), "yes"))
            return "the summary changed without a temperror";
        *degraded = 1;
    }
    field(got->line, "disposition", g, sizeof g);
    field(want->line, "disposition", w, sizeof w);
    if ((!strcmp(g, "reject") || !strcmp(g, "quarantine")) &&
        (strcmp(g, w) || strcmp(field(got->line, "dmarc", t, sizeof t),
                                field(want->line, "dmarc", w, sizeof w))))
        return "a fault led to a reject or quarantine disposition";
    return NULL;
}
