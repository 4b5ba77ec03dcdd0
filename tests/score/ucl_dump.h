/* ucl_dump.h - canonical text of a parsed rule-file tree (score/ucl.h),
 * for the parser's tests and the fuzz round trip: parse(dump(x)) == x.
 * Not part of the library: nothing there needs to print a tree. */
#ifndef AS_TEST_UCL_DUMP_H
#define AS_TEST_UCL_DUMP_H

#include <stddef.h>

#include "score/ucl.h"

/* JSON-like, keys quoted, one line.  Returns bytes written (excluding the
 * NUL) or a negative error (buf cleared) when `cap` is too small or the
 * tree is malformed. */
long as_ucl_dump(const as_ucl_node *n, char *buf, size_t cap);

#endif
