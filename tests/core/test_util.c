/* Bounded buffer and arena: caps hold, errors are sticky, nothing wraps. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

Test(buf, cap_is_sticky)
{
    as_buf b;
    as_buf_init(&b, 10);
    cr_expect_eq(as_buf_puts(&b, "hello"), 0);
    cr_expect_eq(as_buf_printf(&b, "%d", 12345), 0);
    cr_expect_eq(b.len, 10);
    cr_expect_eq(as_buf_putc(&b, 'x'), -1);
    cr_expect_eq(b.err, AS_BUF_ELIMIT);
    cr_expect_eq(as_buf_putc(&b, 'y'), -1, "errors are sticky");
    cr_expect_str_eq(b.p, "hello12345");
    as_buf_reset(&b);
    cr_expect_eq(as_buf_append(&b, "abc", 3), 0);
    size_t n;
    char *p = as_buf_steal(&b, &n);
    cr_expect_eq(n, 3);
    cr_expect_str_eq(p, "abc");
    free(p);
    as_buf_free(&b);
}

Test(buf, long_printf)
{
    as_buf b;
    as_buf_init(&b, 4096);
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cr_expect_eq(as_buf_printf(&b, "<%s>", big), 0);
    cr_expect_eq(b.len, sizeof big + 1);
    as_buf_free(&b);
}

Test(arena, cap_refuses_and_flags)
{
    as_arena a;
    as_arena_init(&a, 64 * 1024);
    void *p = as_arena_alloc(&a, 1000);
    cr_expect_not_null(p);
    cr_expect_eq((uintptr_t)p % 16, 0);
    cr_expect_null(as_arena_alloc(&a, 1 << 20));
    cr_expect(a.limited);
    cr_expect_null(as_arena_alloc(&a, SIZE_MAX - 8));
    cr_expect_null(as_arena_calloc(&a, SIZE_MAX / 2, 4));
    char *s = as_arena_strndup_lower(&a, "MiXeD", 5);
    cr_expect_str_eq(s, "mixed");
    cr_expect_str_eq(as_arena_printf(&a, "%s-%d", "x", 7), "x-7");
    as_arena_free(&a);
}
