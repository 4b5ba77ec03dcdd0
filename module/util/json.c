/* json.c - see json.h.  Small pieces (separators, keys, short values) are
 * gathered in j->pend and reach the buffer in blocks: a row is a few
 * appends instead of hundreds. */
#include "util/json.h"

#include <string.h>

#include <authscore.h>
#include "util/json_esc.h"
#include "util/num.h"

void as_json_init(as_json *j, as_buf *b)
{
    memset(j, 0, sizeof *j);
    j->b = b;
}

static void fail(as_json *j, int err)
{
    if (!j->err)
        j->err = err;
}

static void flush(as_json *j)
{
    if (j->npend)
        as_buf_append(j->b, j->pend, j->npend); /* a failure is sticky there */
    j->npend = 0;
}

static void emit(as_json *j, const char *p, size_t n)
{
    if (n > sizeof j->pend - j->npend) {
        flush(j);
        if (n > sizeof j->pend / 2) {
            as_buf_append(j->b, p, n);
            return;
        }
    }
    memcpy(j->pend + j->npend, p, n);
    j->npend += n;
}

static void emit_c(as_json *j, char c)
{
    if (j->npend == sizeof j->pend)
        flush(j);
    j->pend[j->npend++] = c;
}

static void put(void *user, const char *p, size_t n)
{
    emit(user, p, n);
}

static void quoted(as_json *j, const char *p, size_t n)
{
    emit_c(j, '"');
    as_json_escape(p, n, put, j);
    emit_c(j, '"');
}

/* The separator and key before a value; 0 when the value may follow. */
static int lead(as_json *j, const char *key)
{
    if (j->err)
        return -1;
    uint32_t bit = 1u << j->depth;
    int in_object = j->depth > 0 && !(j->arrays & bit);
    /* A key inside an object, none elsewhere; one value at the top. */
    if ((key != NULL) != in_object || (j->depth == 0 && (j->opened & 1u))) {
        fail(j, AUTHSCORE_EINVAL);
        return -1;
    }
    if (j->opened & bit)
        emit_c(j, ',');
    j->opened |= bit;
    if (key) {
        /* Keys are the module's own ASCII words: nothing to escape. */
        emit_c(j, '"');
        emit(j, key, strlen(key));
        emit(j, "\":", 2);
    }
    return 0;
}

static void open_(as_json *j, const char *key, char c, int array)
{
    if (lead(j, key) < 0)
        return;
    if (j->depth + 1 >= AS_JSON_MAX_DEPTH) {
        fail(j, AUTHSCORE_ELIMIT);
        return;
    }
    emit_c(j, c);
    j->depth++;
    uint32_t bit = 1u << j->depth;
    j->opened &= ~bit;
    if (array)
        j->arrays |= bit;
    else
        j->arrays &= ~bit;
}

static void close_(as_json *j, char c, int array)
{
    if (j->err)
        return;
    uint32_t bit = 1u << j->depth;
    if (j->depth == 0 || !!(j->arrays & bit) != array) {
        fail(j, AUTHSCORE_EINVAL);
        return;
    }
    emit_c(j, c);
    j->depth--;
}

void as_json_object_begin(as_json *j, const char *key) { open_(j, key, '{', 0); }
void as_json_object_end(as_json *j) { close_(j, '}', 0); }
void as_json_array_begin(as_json *j, const char *key) { open_(j, key, '[', 1); }
void as_json_array_end(as_json *j) { close_(j, ']', 1); }

void as_json_strn(as_json *j, const char *key, const char *p, size_t n)
{
    if (lead(j, key) < 0)
        return;
    if (p)
        quoted(j, p, n);
    else
        emit(j, "null", 4);
}

void as_json_str(as_json *j, const char *key, const char *s)
{
    as_json_strn(j, key, s, s ? strlen(s) : 0);
}

static void number(as_json *j, const char *key, double v, unsigned decimals, unsigned flags)
{
    if (lead(j, key) < 0)
        return;
    char b[AS_NUM_BUF];
    int n = as_num_format(b, sizeof b, v, decimals, flags);
    emit(j, b, n > 0 ? (size_t)n : 0);
}

/* Locale-free digits; every integer the module writes is far below 2^52,
 * where a double is exact (util/num.h). */
void as_json_int(as_json *j, const char *key, int64_t v) { number(j, key, (double)v, 0, 0); }

void as_json_num(as_json *j, const char *key, double v) { number(j, key, v, 6, AS_NUM_TRIM); }

void as_json_bool(as_json *j, const char *key, int v)
{
    if (lead(j, key) == 0)
        emit(j, v ? "true" : "false", v ? 4 : 5);
}

void as_json_null(as_json *j, const char *key)
{
    if (lead(j, key) == 0)
        emit(j, "null", 4);
}

int as_json_finish(as_json *j)
{
    flush(j);
    if (j->b->err)
        return j->b->err == AS_BUF_ENOMEM ? AUTHSCORE_ENOMEM : AUTHSCORE_ELIMIT;
    if (j->err)
        return j->err;
    return j->depth ? AUTHSCORE_EINVAL : 0;
}
