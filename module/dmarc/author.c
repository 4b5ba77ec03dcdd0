/* author.c - the Author Domain (RFC 9989 5.3.1, RFC 7489 6.6.1).
 *
 * Exactly one From field is required (RFC 5322 3.6: a message has one).
 * Several mailboxes in it are accepted when they all share one domain:
 * RFC 7489 6.6.1 evaluates each domain and keeps the strictest outcome,
 * which for identical domains is one evaluation; RFC 9989 5.3.1 lets the
 * receiver go on.  Different domains, no mailbox or a mailbox without a
 * domain give a permerror with a reason scoring can weigh. */
#include "dmarc/dmarc.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "dmarc/walk.h"

/* RFC 9989 5.3.1: an author domain in U-labels is evaluated in its
 * A-label form.  UTS #46 non-transitional mapping (IDNA2008 as browsers
 * and MTAs apply it) also folds case.  NULL when it is not valid IDNA. */
static const char *to_alabels(as_arena *a, const char *d, size_t n)
{
    /* A valid name is at most 253 octets as A-labels; UTF-8 input can be
     * longer, but never more than 4 bytes per A-label octet. */
    char in[4 * AS_DNS_MAX_NAME + 1];
    if (n >= sizeof in)
        return NULL;
    memcpy(in, d, n);
    in[n] = '\0';
    char *out = NULL;
    if (idn2_to_ascii_8z(in, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK)
        return NULL;
    const char *copy = as_arena_strndup(a, out, strnlen(out, AS_DNS_MAX_NAME + 1));
    idn2_free(out);
    return copy;
}

static int has_8bit(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)d[i] >= 0x80)
            return 1;
    return 0;
}

/* LDH labels plus '_' (seen in the wild), after A-label conversion. */
static int domain_chars_ok(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

const char *as_dmarc_author_domain(as_arena *a, const as_message *msg,
                                   const char **reason)
{
    *reason = NULL;
    if (!msg || msg->from_fields == 0) {
        *reason = "no_from";
        return NULL;
    }
    if (msg->from_fields > 1) {
        *reason = "multiple_from";
        return NULL;
    }
    if (msg->from_status != 0) {
        *reason = "from_unparseable";
        return NULL;
    }
    if (msg->from_count == 0 || !msg->from) {
        *reason = "no_from_mailbox";
        return NULL;
    }
    /* Domains come from the address parser (NUL-terminated, lowercased);
     * lengths are bounded: a name past 253 bytes is invalid anyway. */
    const size_t cap = AS_DNS_MAX_NAME + 2;
    const char *dom = NULL;
    size_t dlen = 0;
    for (size_t i = 0; i < msg->from_count; i++) {
        const char *d = msg->from[i].domain;
        if (!d || !*d) {
            *reason = "from_without_domain";
            return NULL;
        }
        size_t n = strnlen(d, cap);
        if (!dom) {
            dom = d;
            dlen = n;
        } else if (!as_span_ieq(dom, dlen, d, n)) {
            *reason = "multiple_from_domains";
            return NULL;
        }
    }
    if (has_8bit(dom, dlen)) {
        dom = to_alabels(a, dom, dlen);
        if (!dom) {
            *reason = "from_domain_invalid";
            return NULL;
        }
        dlen = strnlen(dom, AS_DNS_MAX_NAME + 1);
    }
    char norm[AS_DNS_MAX_NAME + 1];
    int n = as_dns_name_normalize(dom, dlen, norm);
    if (n <= 0 || !as_dmarc_name_ok(norm, (size_t)n) || !domain_chars_ok(norm, (size_t)n)) {
        *reason = "from_domain_invalid";
        return NULL;
    }
    char *copy = as_arena_strndup(a, norm, (size_t)n);
    if (!copy)
        *reason = "out_of_memory";
    return copy;
}

/* splitmix64 finalizer: spreads FNV's low-entropy tail over all bits. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

int as_dmarc_pct_selected(uint32_t seed, const char *domain,
                          const char *msgid, size_t msgid_len, int pct)
{
    if (pct >= 100)
        return 1;
    if (pct <= 0)
        return 0;
    unsigned char s[4] = {(unsigned char)(seed >> 24), (unsigned char)(seed >> 16),
                          (unsigned char)(seed >> 8), (unsigned char)seed};
    uint64_t h = fnv1a(0xcbf29ce484222325ull, s, sizeof s);
    if (domain)
        h = fnv1a(h, domain, strnlen(domain, AS_DNS_MAX_NAME + 1));
    h = fnv1a(h, "\n", 1);
    if (msgid)
        h = fnv1a(h, msgid, msgid_len);
    return (int)(mix64(h) % 100u) < pct;
}
