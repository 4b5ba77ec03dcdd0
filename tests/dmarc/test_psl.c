/* test_psl.c - the Public Suffix List's own tests (test_psl.txt and
 * tests.txt) run against the list file stored beside them, through the
 * loader (core/psl_load.c) and the lookup RFC 7489 mode uses.  Read from
 * $AUTHSCORE_CONFORMANCE; when the files are absent the whole test is
 * SKIP (77, checked in main). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "core/psl_load.h"
#include "dmarc/psl.h"

static char list[4096], js[4096], plain[4096];

/* The three files' paths; 0 when all are readable. */
static int find_files(void)
{
    const char *d = getenv("AUTHSCORE_CONFORMANCE");
    if (!d || !*d)
        return -1;
    snprintf(list, sizeof list, "%s/dmarc/psl/public_suffix_list.dat", d);
    snprintf(js, sizeof js, "%s/dmarc/psl/test_psl.txt", d);
    snprintf(plain, sizeof plain, "%s/dmarc/psl/tests.txt", d);
    const char *all[] = {list, js, plain};
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(all[i], "r");
        if (!f)
            return -1;
        fclose(f);
    }
    return 0;
}

/* Strip quotes: 'x' -> x; null -> NULL. */
static char *unquote(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (strcmp(s, "null") == 0)
        return NULL;
    if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
        s[n - 1] = '\0';
        return s + 1;
    }
    return s;
}

static int check(const void *psl, const char *in, const char *want, const char *where,
                 unsigned *pass, unsigned *fail)
{
    as_arena a;
    as_arena_init(&a, 1u << 16);
    const char *got = as_dmarc_psl_registrable(psl, &a, in);
    int ok = (!got && !want) || (got && want && strcmp(got, want) == 0);
    if (ok) {
        (*pass)++;
    } else {
        (*fail)++;
        cr_log_error("%s: %s -> %s, expected %s", where, in ? in : "null",
                     got ? got : "null", want ? want : "null");
    }
    as_arena_free(&a);
    return ok;
}

/* test_psl.txt: checkPublicSuffix('in', 'want'); (JavaScript form). */
static void run_js(const void *psl, const char *path, unsigned *pass, unsigned *fail)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "checkPublicSuffix(", 18) != 0)
            continue; /* comments (including commented-out cases) */
        p += 18;
        char *end = strrchr(p, ')');
        char *comma = strchr(p, ',');
        cr_assert(end && comma && comma < end, "bad line %s", line);
        *end = '\0';
        *comma = '\0';
        check(psl, unquote(p), unquote(comma + 1), "test_psl.txt", pass, fail);
    }
    fclose(f);
}

/* tests.txt: "in want" per line. */
static void run_plain(const void *psl, const char *path, unsigned *pass, unsigned *fail)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '/' || line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
            continue;
        char *sp = strchr(line, ' ');
        cr_assert_not_null(sp, "bad line %s", line);
        *sp = '\0';
        check(psl, unquote(line), unquote(sp + 1), "tests.txt", pass, fail);
    }
    fclose(f);
}

Test(dmarc_psl, conformance)
{
    cr_assert_eq(find_files(), 0);
    const void *psl = NULL;
    char err[128];
    cr_assert_eq(as_psl_load(list, &psl, err, sizeof err), 0, "load %s: %s", list, err);
    unsigned pass = 0, fail = 0;
    run_js(psl, js, &pass, &fail);
    run_plain(psl, plain, &pass, &fail);
    as_dmarc_psl_free(psl);
    printf("%u passed, %u failed\n", pass, fail);
    fflush(stdout);
    cr_assert_gt(pass, 100u, "every case read");
    cr_assert_eq(fail, 0u);
}

int main(int argc, char *argv[])
{
    char why[4200];
    const char *d = getenv("AUTHSCORE_CONFORMANCE");
    snprintf(why, sizeof why, "PSL conformance files absent (AUTHSCORE_CONFORMANCE=%s)",
             d ? d : "(unset)");
    int have = find_files() == 0;
    if (!have)
        printf("0 passed, 0 failed, 1 skipped\n");
    return cases_main(argc, argv, have ? NULL : why);
}
