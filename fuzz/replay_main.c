/* replay_main.c - a main() for a libFuzzer target built without clang:
 * runs LLVMFuzzerTestOneInput once on every file of the corpus directories
 * given (fuzz/corpus/<name>/, seeds and regression inputs), so a fixed
 * crash stays fixed in a plain gcc `meson test` (suite fuzz-replay).
 * A crash or trap kills the test; a missing or empty corpus exits 77. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional, as with libFuzzer: only some targets define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT (64u << 20)

/* The whole file in a buffer of exactly its size, so a sanitizer build
 * sees an overread as libFuzzer's own copy would. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size >= 0 &&
        (uint64_t)st.st_size <= REPLAY_MAX_INPUT) {
        size_t n = (size_t)st.st_size;
        b = malloc(n ? n : 1);
        if (b && fread(b, 1, n, f) != n) {
            free(b);
            b = NULL;
        }
        *len = n;
    }
    fclose(f);
    return b;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (a failure names its input). */
static int replay_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("SKIP: no corpus directory %s: %s\n", dir, strerror(errno));
        return 77;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    int listed = e == NULL;
    closedir(d);
    if (!listed) {
        printf("FAIL: out of memory listing %s\n", dir);
    }
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);

    int rc = listed ? 0 : 1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            printf("FAIL: path too long: %s/%s\n", dir, names[i]);
            rc = 1;
            break;
        }
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len = 0;
        uint8_t *data = slurp(path, &len);
        if (!data) {
            printf("FAIL: cannot read %s (or over %u bytes)\n", path, REPLAY_MAX_INPUT);
            rc = 1;
            break;
        }
        /* Said before the call, so the log names the input that crashes. */
        printf("replay %s (%zu bytes)\n", path, len);
        fflush(stdout);
        int r = LLVMFuzzerTestOneInput(data, len);
        free(data);
        /* libFuzzer allows 0 and -1 (do not add to the corpus) only. */
        if (r != 0 && r != -1) {
            printf("FAIL: %s: LLVMFuzzerTestOneInput returned %d\n", path, r);
            rc = 1;
        }
        (*count)++;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR...\n", argv[0]);
        return 2;
    }
    /* A copy: a target may rewrite its argv, the corpus list stays. */
    int fargc = argc;
    char **fargv = argv;
    if (LLVMFuzzerInitialize && LLVMFuzzerInitialize(&fargc, &fargv) != 0) {
        printf("FAIL: LLVMFuzzerInitialize failed\n");
        return 1;
    }
    unsigned count = 0;
    for (int i = 1; i < argc; i++) {
        int rc = replay_dir(argv[i], &count);
        if (rc != 0)
            return rc;
    }
    if (count == 0) {
        printf("SKIP: no input in %s\n", argv[1]);
        return 77;
    }
    printf("%u inputs replayed, none crashed\n", count);
    return 0;
}
