/* fuzz_domain_list.c - the list-file parser of rule files (domain_list.h).
 *
 * Either the text loads, and then the frozen list is sorted, unique,
 * lowercase, every entry a valid name that matches itself and its
 * subdomains; or it fails with a line within the input and a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "score/domain_list.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_domain_builder b;
    as_domain_builder_init(&b, 1000);
    unsigned line, lines = 1;
    char err[160] = "";
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    int rc = as_domain_builder_add_text(&b, (const char *)data, size, &line, err, sizeof err);
    if (rc < 0) {
        if ((rc != AUTHSCORE_EPARSE && rc != AUTHSCORE_ELIMIT && rc != AUTHSCORE_ENOMEM) ||
            line < 1 || line > lines || (rc != AUTHSCORE_ENOMEM && !err[0]))
            abort();
        as_domain_builder_free(&b);
        return 0;
    }
    as_arena a;
    as_arena_init(&a, 64u << 20);
    as_domain_list l;
    if (as_domain_builder_finish(&b, &a, "fuzz", &l) < 0)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        const char *e = l.entries[i];
        size_t n = strlen(e);
        if (!n || n > AS_DOMAIN_MAX || e[0] == '.' || e[n - 1] == '.')
            abort();
        for (size_t k = 0; k < n; k++)
            if (e[k] >= 'A' && e[k] <= 'Z')
                abort();
        if (i && strcmp(l.entries[i - 1], e) >= 0)
            abort();
        if (!as_domain_list_match(&l, e, n))
            abort();
        char sub[AS_DOMAIN_MAX + 8] = "x.";
        memcpy(sub + 2, e, n);
        if (n + 2 <= AS_DOMAIN_MAX && !as_domain_list_match(&l, sub, n + 2))
            abort();
    }
    as_domain_builder_free(&b);
    as_arena_free(&a);
    return 0;
}
