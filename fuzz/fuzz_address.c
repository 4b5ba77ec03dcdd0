/* fuzz_address.c - libFuzzer target for the RFC 5322 address parser.
 * Invariants: a defined status, the cap, every mailbox complete, its
 * domain lowercased with no trailing dot, addr = local[@domain], display
 * unfolded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <authscore.h>
#include "msg/address.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    as_arena a;
    as_arena_init(&a, 64u << 20);
    as_mailbox_list l;
    int rc = as_address_parse(&a, d, size, &l);

    CHECK(rc == l.status);
    CHECK(rc == 0 || rc == AUTHSCORE_EPARSE || rc == AUTHSCORE_ELIMIT);
    CHECK((rc == 0) == (l.reason == NULL));
    CHECK(l.count <= AS_ADDRESS_MAX_MAILBOXES);
    CHECK(l.count == 0 || l.items != NULL);
    if (size > AS_ADDRESS_MAX_BYTES)
        CHECK(rc == AUTHSCORE_ELIMIT && l.count == 0);

    for (size_t i = 0; i < l.count; i++) {
        const as_mailbox *m = &l.items[i];
        CHECK(m->addr && m->local && m->domain);
        size_t ll = strlen(m->local), dl = strlen(m->domain);
        CHECK(ll > 0 && ll <= size && dl <= size);
        for (size_t k = 0; k < dl; k++)
            CHECK(!(m->domain[k] >= 'A' && m->domain[k] <= 'Z'));
        CHECK(dl == 0 || m->domain[dl - 1] != '.');
        CHECK(dl == 0 || m->domain[0] != '.');
        /* addr is local@domain, or local alone without a domain */
        size_t al = strlen(m->addr);
        CHECK(memcmp(m->addr, m->local, ll) == 0);
        if (dl) {
            CHECK(al == ll + 1 + dl && m->addr[ll] == '@');
            CHECK(memcmp(m->addr + ll + 1, m->domain, dl) == 0);
        } else {
            CHECK(al == ll);
        }
        /* a domain literal is kept whole */
        if (dl && m->domain[0] == '[')
            CHECK(m->domain[dl - 1] == ']');
        /* local-part and domain: no CFWS survives outside quotes/literals */
        if (m->local[0] != '"')
            CHECK(memchr(m->local, ' ', ll) == NULL || memchr(m->local, '"', ll));
        if (m->display) {
            size_t xl = strlen(m->display);
            CHECK(xl > 0 && xl <= size);
            CHECK(memchr(m->display, '\n', xl) == NULL);
        }
    }
    as_arena_free(&a);
    return 0;
}
