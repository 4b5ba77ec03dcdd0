/* rules_files.c - the file system as rule files see it: one whole (rule
 * or list) file read within a cap through util/file.c, a path resolved
 * against the including file, whether a try= include exists.
 *
 * The only file of the scoring layer that touches the file system; it runs
 * once, at authscore_ctx_finalize(). */
#include "score/rules_merge.h"
#include "util/file.h"

#include <string.h>
#include <unistd.h>

#include <authscore.h>

#define AS_RULES_MAX_PATH 4096u

int as_rules_read_file(as_rules_merge *m, const char *path, size_t max, char **out,
                       size_t *len, const char *from_file, unsigned from_line)
{
    char why[128];
    int rc = as_file_read(path, max, out, len, why, sizeof why);
    if (rc == 0 || rc == AUTHSCORE_ENOMEM)
        return rc;
    if (rc == AUTHSCORE_ELIMIT)
        return as_rules_fail(m, path, 0, "larger than %zu bytes", max);
    return from_file ? as_rules_fail(m, from_file, from_line, "cannot read \"%s\": %s", path, why)
                     : as_rules_fail(m, path, 0, "cannot read: %s", why);
}

int as_rules_resolve_path(as_rules_merge *m, const char *base, const char *path,
                          const char **out)
{
    const char *slash = path[0] == '/' || !base ? NULL : strrchr(base, '/');
    size_t dl = slash ? (size_t)(slash - base) : 0;
    if (dl + 1 + strlen(path) >= AS_RULES_MAX_PATH)
        return AUTHSCORE_ELIMIT;
    *out = slash ? as_arena_printf(m->tmp, "%.*s/%s", (int)dl, base, path)
                 : as_arena_strdup(m->tmp, path);
    /* A fault is not the file's: never "path too long" for it. */
    return *out ? 0 : AUTHSCORE_ENOMEM;
}

int as_rules_file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}
