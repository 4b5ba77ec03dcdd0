/* test_files.c - configuration files: whole-file reads within a cap
 * (util/file.c) and the Public Suffix List loader (psl_load.c), whose bytes
 * reach the DMARC engine's PSL code without it touching a file; and what
 * a host sees from authscore_ctx_finalize() when the list is bad. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <authscore.h>
#include "util/file.h"
#include "core/psl_load.h"
#include "dmarc/psl.h"

static char dir[64];

static void setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/as-files-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(files, .init = setup, .fini = teardown);
TestSuite(psl_load, .init = setup, .fini = teardown);

/* dir/name holding len bytes of p (or, p NULL, a sparse file of len). */
static const char *put(const char *name, const char *p, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0, "%s", path);
    if (p)
        cr_assert_eq(write(fd, p, len), (ssize_t)len);
    else
        cr_assert_eq(ftruncate(fd, (off_t)len), 0);
    close(fd);
    return path;
}

Test(files, reads_every_byte_up_to_the_cap)
{
    static const char data[] = "line one\n\0binary\xff\n";
    const char *path = put("f", data, sizeof data - 1);
    char *buf, err[64];
    size_t len;
    cr_assert_eq(as_file_read(path, sizeof data - 1, &buf, &len, err, sizeof err), 0, "%s", err);
    cr_expect_eq(len, sizeof data - 1);
    cr_expect_eq(memcmp(buf, data, len), 0, "NUL bytes included");
    free(buf);
    cr_expect_eq(as_file_read(path, sizeof data - 2, &buf, &len, err, sizeof err), AUTHSCORE_ELIMIT);
    cr_expect_null(buf);
    cr_expect_eq(len, 0);
    cr_expect_str_eq(err, "larger than 17 bytes");
}

Test(files, a_large_file_is_read_past_the_first_block)
{
    const char *path = put("big", NULL, 100000);
    char *buf;
    size_t len;
    cr_assert_eq(as_file_read(path, 100000, &buf, &len, NULL, 0), 0);
    cr_expect_eq(len, 100000);
    free(buf);
    cr_expect_eq(as_file_read(path, 99999, &buf, &len, NULL, 0), AUTHSCORE_ELIMIT);
}

Test(files, empty_missing_and_directory)
{
    char *buf, err[64];
    size_t len = 99;
    cr_expect_eq(as_file_read(put("empty", "", 0), 10, &buf, &len, err, sizeof err), 0);
    cr_expect_eq(len, 0);
    free(buf);
    cr_expect_eq(as_file_read(put("tiny", "x", 1), 0, &buf, &len, err, sizeof err),
                 AUTHSCORE_ELIMIT, "a cap of 0 bytes");
    char missing[96];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    cr_expect_eq(as_file_read(missing, 10, &buf, &len, err, sizeof err), AUTHSCORE_EIO);
    cr_expect_str_eq(err, "No such file or directory");
    cr_expect_eq(as_file_read(dir, 10, &buf, &len, err, sizeof err), AUTHSCORE_EIO);
    cr_expect_str_eq(err, "Is a directory");
    /* A FIFO would block the host's start-up: refused without waiting. */
    char fifo[96];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_expect_eq(as_file_read(fifo, 10, &buf, &len, err, sizeof err), AUTHSCORE_EIO);
    cr_expect_str_eq(err, "not a regular file");
    cr_expect_eq(as_file_read(NULL, 10, &buf, &len, err, sizeof err), AUTHSCORE_EINVAL);
}

Test(files, mtime)
{
    int64_t t = 0;
    cr_expect_eq(as_file_mtime(put("m", "x", 1), &t), 0);
    cr_expect_gt(t, 1600000000);
    char missing[96];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    cr_expect_eq(as_file_mtime(missing, &t), -1);
}

/* A private list file: its rule decides the organizational domain. */
Test(psl_load, a_list_file_reaches_the_lookup)
{
    static const char list[] = "// private list\nco.example\n*.wild.example\n";
    const void *p = NULL;
    char err[128];
    cr_assert_eq(as_psl_load(put("list.dat", list, sizeof list - 1), &p, err, sizeof err), 0,
                 "%s", err);
    const char *d = "a.b.co.example";
    long off = as_dmarc_psl_org_off(p, d, strlen(d));
    cr_assert_gt(off, 0);
    cr_expect_str_eq(d + off, "b.co.example", "co.example is a suffix in this list only");
    d = "x.y.z.wild.example";
    off = as_dmarc_psl_org_off(p, d, strlen(d));
    cr_assert_gt(off, 0);
    cr_expect_str_eq(d + off, "y.z.wild.example");
    as_dmarc_psl_free(p);
}

Test(psl_load, bad_files_fail_with_a_reason)
{
    const void *p = (const void *)1;
    char err[128], missing[96];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    cr_expect_eq(as_psl_load(missing, &p, err, sizeof err), AUTHSCORE_EIO);
    cr_expect_null(p);
    cr_expect_eq(as_psl_load(put("empty", "", 0), &p, err, sizeof err), AUTHSCORE_EPARSE);
    cr_expect_str_eq(err, "not a Public Suffix List");
    static const char dafsa9[] = ".DAFSA@PSL_9   \n\x01\x02";
    cr_expect_eq(as_psl_load(put("v9.dafsa", dafsa9, sizeof dafsa9 - 1), &p, err, sizeof err),
                 AUTHSCORE_EPARSE, "a DAFSA of an unknown version");
    cr_expect_eq(as_psl_load(put("over", NULL, AS_PSL_FILE_MAX + 1), &p, err, sizeof err),
                 AUTHSCORE_ELIMIT);
    cr_expect_null(p);
    cr_expect_eq(as_psl_load(dir, &p, err, sizeof err), AUTHSCORE_EIO);
}

/* No path: the same list libpsl's psl_latest(NULL) picks (Debian: the
 * DAFSA file when newer than the built-in list).  The suffix count tells
 * a DAFSA (-1), a text list and the built-in list apart. */
Test(psl_load, the_default_is_what_psl_latest_picks)
{
    const void *ours = NULL;
    char err[128];
    cr_assert_eq(as_psl_load(NULL, &ours, err, sizeof err), 0, "%s", err);
    psl_ctx_t *theirs = psl_latest(NULL);
    cr_assert_not_null(theirs);
    cr_expect_eq(ours == (const void *)psl_builtin(), theirs == psl_builtin(), "built-in or not");
    cr_expect_eq(psl_suffix_count(ours), psl_suffix_count(theirs), "same kind of list");
    static const char *names[] = {"a.b.example.co.uk", "x.city.kawasaki.jp", "a.b.kawasaki.jp",
                                  "foo.bar.ck", "www.ck", "a.b.blogspot.com", "example.com"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *a = psl_registrable_domain(ours, names[i]);
        const char *b = psl_registrable_domain(theirs, names[i]);
        cr_expect_str_eq(a ? a : "(none)", b ? b : "(none)", "%s", names[i]);
    }
    as_dmarc_psl_free(ours);
    psl_free(theirs);
}

static authscore_ctx *rfc7489_ctx(const char *psl_file)
{
    authscore_ctx *c;
    cr_assert_eq(authscore_ctx_new(&c), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dns.backend", "none"), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dmarc.mode", "rfc7489"), 0);
    cr_assert_eq(authscore_ctx_set_option(c, "dmarc.psl_file", psl_file), 0);
    return c;
}

/* What a host sees: finalize refuses, names the file and why. */
Test(psl_load, finalize_refuses_a_bad_list)
{
    char missing[96];
    snprintf(missing, sizeof missing, "%s/missing.dat", dir);
    authscore_ctx *c = rfc7489_ctx(missing);
    cr_expect_eq(authscore_ctx_finalize(c), AUTHSCORE_ECONFIG);
    const char *e = authscore_ctx_error(c);
    cr_assert_not_null(e);
    cr_expect(strstr(e, missing) && strstr(e, "No such file"), "%s", e);
    authscore_ctx_free(c);

    c = rfc7489_ctx(put("over", NULL, AS_PSL_FILE_MAX + 1));
    cr_expect_eq(authscore_ctx_finalize(c), AUTHSCORE_ECONFIG, "a limit fails closed");
    e = authscore_ctx_error(c);
    cr_expect(e && strstr(e, "larger than"), "%s", e ? e : "(none)");
    authscore_ctx_free(c);

    c = rfc7489_ctx(put("ok.dat", "co.example\n", 11));
    cr_expect_eq(authscore_ctx_finalize(c), 0, "%s", authscore_ctx_error(c));
    authscore_ctx_free(c);
}
