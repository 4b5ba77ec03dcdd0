/* aar.c - the instance prefix of an ARC-Authentication-Results value
 * (RFC 8617 4.1.1); see aar.h. */
#include "arc/aar.h"

#include "arc/instance.h"

/* Skip CFWS (RFC 5322 3.2.2): blanks, line breaks and comments, nested at
 * most AS_ARC_AAR_MAX_COMMENT_DEPTH deep.  Returns the new position, or
 * len + 1 for a comment that does not end or nests too deep. */
static size_t skip_cfws(const char *p, size_t len, size_t i)
{
    int depth = 0;
    while (i < len) {
        char c = p[i];
        if (depth == 0 && c != '(' && c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return i;
        if (c == '(') {
            if (++depth > AS_ARC_AAR_MAX_COMMENT_DEPTH)
                return len + 1;
        } else if (c == ')' && depth > 0) {
            depth--;
        } else if (c == '\\' && depth > 0) {
            i++; /* quoted-pair */
        }
        i++;
    }
    return depth ? len + 1 : i;
}

void as_arc_aar_parse(const char *p, size_t len, as_arc_aar *out)
{
    out->instance = 0;
    out->payload = as_span_make(p, 0);
    if (!p)
        return;
    size_t i = skip_cfws(p, len, 0);
    if (i >= len || (p[i] != 'i' && p[i] != 'I'))
        return;
    i = skip_cfws(p, len, i + 1);
    if (i >= len || p[i] != '=')
        return;
    i = skip_cfws(p, len, i + 1);
    size_t start = i;
    while (i < len && i - start < 3 && p[i] >= '0' && p[i] <= '9')
        i++;
    int n = as_arc_instance_value(p + start, i - start);
    i = skip_cfws(p, len, i);
    if (!n || i >= len || p[i] != ';')
        return;
    out->instance = n;
    out->payload = as_span_make(p + i + 1, len - i - 1);
}
