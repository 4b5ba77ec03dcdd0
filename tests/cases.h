/* cases.h - what the table-driven tests share: expected numbers a case may
 * leave unchecked, Criterion parameters by index, failure messages that
 * name the case, and a main() that reports SKIP (77) when what a test
 * needs is missing instead of passing without running. */
#ifndef AUTHSCORE_TEST_CASES_H
#define AUTHSCORE_TEST_CASES_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>

/* An expected number: set with W(v); a field left out is not checked. */
typedef struct want_int {
    int on;
    long v;
} want_int;
#define W(v) {1, (v)}

/* The parameters of a ParameterizedTest over `table`: Criterion hands each
 * case to a fresh process by value, where pointers into the table would
 * not survive, so it gets the index. */
#define CASE_INDEX_PARAMS(suite, name, table)                                \
    ParameterizedTestParameters(suite, name)                                 \
    {                                                                        \
        static size_t ix[sizeof table / sizeof *table];                      \
        for (size_t i = 0; i < sizeof ix / sizeof *ix; i++)                  \
            ix[i] = i;                                                       \
        return cr_make_param_array(size_t, ix, sizeof ix / sizeof *ix);      \
    }

/* Checks inside a case runner whose case `c` has `name` and `rfc`. */
#define CASE_INT(got, want, what)                                            \
    do {                                                                     \
        if ((want).on)                                                       \
            cr_assert_eq((long)(got), (want).v, "%s (%s): %s is %ld, want %ld", \
                         c->name, c->rfc, what, (long)(got), (want).v);      \
    } while (0)
#define CASE_STR(got, want, what)                                            \
    do {                                                                     \
        if (want)                                                            \
            cr_assert_str_eq((got) ? (got) : "(null)", want,                 \
                             "%s (%s): %s is %s, want %s", c->name, c->rfc,  \
                             what, (got) ? (got) : "(null)", want);          \
    } while (0)

/* Criterion's own main(): every test; 0 when all passed, else 1. */
static inline int cases_run(int argc, char *argv[])
{
    struct criterion_test_set *tests = criterion_initialize();
    int rc = 0;
    if (criterion_handle_args(argc, argv, true))
        rc = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return rc;
}

/* The main() of a Criterion binary that needs something from outside the
 * tree: `skip` says why it cannot run (NULL: it can).  Checked before any
 * test, so the binary never reports OK with its cases skipped. */
static inline int cases_main(int argc, char *argv[], const char *skip)
{
    if (skip) {
        printf("SKIP: %s\n", skip);
        return 77;
    }
    return cases_run(argc, argv);
}

#endif
