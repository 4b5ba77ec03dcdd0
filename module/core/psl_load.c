/* psl_load.c - read the Public Suffix List file(s) for RFC 7489 mode and
 * hand the bytes to dmarc/psl.c (see psl_load.h). */
#include "core/psl_load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <authscore.h>
#include "util/file.h"
#include "dmarc/psl.h"

static int load_file(const char *path, const void **out, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    int rc = as_file_read(path, AS_PSL_FILE_MAX, &buf, &len, err, errlen);
    if (rc < 0)
        return rc;
    rc = as_dmarc_psl_parse(buf, len, out);
    free(buf);
    if (rc < 0 && errlen)
        snprintf(err, errlen, "%s", rc == AUTHSCORE_ENOMEM ? "out of memory"
                                                            : "not a Public Suffix List");
    return rc;
}

/* psl_latest(NULL), with the file access here: candidates newer than the
 * built-in list, newest first (a tie keeps libpsl's order); the first
 * that loads wins; otherwise the built-in list.  Like libpsl, a file that
 * cannot be read or parsed is skipped; unlike it, no memory or a file over
 * the cap fails (a fault never silently changes the list). */
static int load_latest(const void **out, char *err, size_t errlen)
{
    const char *names[2];
    int64_t built, mtime[2];
    size_t n = as_dmarc_psl_system_files(names, &built), k = 0;
    const char *cand[2];
    int64_t cm[2];
    for (size_t i = 0; i < n; i++)
        if (as_file_mtime(names[i], &mtime[i]) == 0 && mtime[i] > built) {
            size_t j = k++;
            for (; j > 0 && mtime[i] > cm[j - 1]; j--) {
                cand[j] = cand[j - 1];
                cm[j] = cm[j - 1];
            }
            cand[j] = names[i];
            cm[j] = mtime[i];
        }
    for (size_t i = 0; i < k; i++) {
        int rc = load_file(cand[i], out, err, errlen);
        if (rc == AUTHSCORE_ENOMEM || rc == AUTHSCORE_ELIMIT)
            return rc; /* fail closed: a fault never falls back */
        if (rc == 0) {
            if (errlen)
                err[0] = '\0'; /* an earlier candidate's reason is moot */
            return 0;
        }
    }
    *out = as_dmarc_psl_builtin();
    if (*out)
        return 0;
    if (errlen)
        snprintf(err, errlen, "no list file and no built-in list");
    return AUTHSCORE_EIO;
}

int as_psl_load(const char *path, const void **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    if (path && *path)
        return load_file(path, out, err, errlen);
    return load_latest(out, err, errlen);
}
