/* test_psl.c - the Public Suffix List's own tests (test_psl.txt and
 * tests.txt) run against the list file stored beside them, through the
 * lookup used by RFC 7489 mode.  Read from $AUTHSCORE_CONFORMANCE; when
 * absent every case is reported as skipped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc/dmarc.h"

static const char *dir(void)
{
    const char *c = getenv("AUTHSCORE_CONFORMANCE");
    return c && *c ? c : NULL;
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
    const char *d = dir();
    char list[4096], js[4096], plain[4096];
    if (d) {
        snprintf(list, sizeof list, "%s/dmarc/psl/public_suffix_list.dat", d);
        snprintf(js, sizeof js, "%s/dmarc/psl/test_psl.txt", d);
        snprintf(plain, sizeof plain, "%s/dmarc/psl/tests.txt", d);
    }
    FILE *probe = d ? fopen(js, "r") : NULL;
    if (!probe) {
        printf("0 passed, 0 failed, 1 skipped\n");
        cr_skip("PSL conformance files absent (AUTHSCORE_CONFORMANCE)");
    }
    fclose(probe);
    const void *psl = NULL;
    cr_assert_eq(as_dmarc_psl_load(list, &psl), 0, "load %s", list);
    unsigned pass = 0, fail = 0;
    run_js(psl, js, &pass, &fail);
    run_plain(psl, plain, &pass, &fail);
    as_dmarc_psl_free(psl);
    printf("%u passed, %u failed\n", pass, fail);
    fflush(stdout);
    cr_assert_gt(pass, 100u, "every case read");
    cr_assert_eq(fail, 0u);
}

/* RFC 7489 3.2 through the offset API the engine uses. */
Test(dmarc_psl, org_offset)
{
    const void *psl = NULL;
    cr_assert_eq(as_dmarc_psl_load(NULL, &psl), 0, "Debian publicsuffix data");
    const char *d = "a.b.example.co.uk";
    long off = as_dmarc_psl_org_off(psl, d, strlen(d));
    cr_assert_gt(off, 0);
    cr_assert_str_eq(d + off, "example.co.uk");
    cr_assert_eq(as_dmarc_psl_org_off(psl, "co.uk", 5), -1, "a public suffix has none");
    cr_assert_eq(as_dmarc_psl_org_off(psl, "example.com", 11), 0);
    as_dmarc_psl_free(psl);
}
