/* The per-message question table: dedup, delivery order, depth (DNS
 * rounds), expiry, caps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dns/memdns.h"
#include "dns/qtab.h"

typedef struct probe {
    as_qtab *q;
    int calls;
    int last_status;
    unsigned depth_seen;
    int chain_left; /* ask one more question per answer while > 0 */
} probe;

static void on_answer(void *engine, uintptr_t cookie, const as_dns_answer *a)
{
    probe *p = engine;
    p->calls++;
    p->last_status = a->status;
    p->depth_seen = as_qtab_current_depth(p->q);
    if (p->chain_left > 0) {
        char name[64];
        snprintf(name, sizeof name, "n%d.example", p->chain_left--);
        cr_assert_eq(as_qtab_ask(p->q, name, strlen(name), AUTHSCORE_QTYPE_A, on_answer, p, cookie), 0);
    }
}

static as_dns_answer nx(void)
{
    return as_dns_answer_status(AUTHSCORE_DNS_NXDOMAIN, AUTHSCORE_DNSSEC_INSECURE);
}

Test(qtab, dedupes_and_normalizes_names)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    probe p = {q, 0, 0, 0, 0};
    cr_assert_eq(as_qtab_ask(q, "Example.COM.", 12, AUTHSCORE_QTYPE_TXT, on_answer, &p, 1), 0);
    cr_assert_eq(as_qtab_ask(q, "example.com", 11, AUTHSCORE_QTYPE_TXT, on_answer, &p, 2), 0);
    cr_assert_eq(as_qtab_ask(q, "example.com", 11, AUTHSCORE_QTYPE_A, on_answer, &p, 3), 0);
    cr_expect_eq(as_qtab_count(q), 2);
    uint32_t id;
    const char *name;
    uint16_t t;
    cr_assert_eq(as_qtab_next_unsent(q, &id, &name, &t), 1);
    cr_expect_str_eq(name, "example.com");
    cr_expect_eq(t, AUTHSCORE_QTYPE_TXT);
    cr_expect_eq(p.calls, 0, "no callback from inside ask");
    as_dns_answer ans = nx();
    cr_assert_eq(as_qtab_answer(q, id, &ans), 0);
    cr_expect_eq(p.calls, 2, "both askers of the TXT question are answered");
    cr_expect_eq(as_qtab_answer(q, id, &ans), AUTHSCORE_ENOTFOUND);
    cr_expect_eq(as_qtab_answer(q, 77, &ans), AUTHSCORE_ENOTFOUND);
    as_arena_free(&a);
}

Test(qtab, rejects_invalid_names)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    probe p = {q, 0, 0, 0, 0};
    char label[70];
    memset(label, 'x', sizeof label);
    cr_expect_eq(as_qtab_ask(q, "", 0, AUTHSCORE_QTYPE_A, on_answer, &p, 0), AUTHSCORE_EINVAL);
    cr_expect_eq(as_qtab_ask(q, "a..b", 4, AUTHSCORE_QTYPE_A, on_answer, &p, 0), AUTHSCORE_EINVAL);
    cr_expect_eq(as_qtab_ask(q, label, sizeof label, AUTHSCORE_QTYPE_A, on_answer, &p, 0),
                 AUTHSCORE_EINVAL);
    cr_expect_eq(as_qtab_ask(q, "a\0b", 3, AUTHSCORE_QTYPE_A, on_answer, &p, 0), AUTHSCORE_EINVAL);
    /* Found by fuzzing: "a.." must not become the name "a.". */
    cr_expect_eq(as_qtab_ask(q, "a..", 3, AUTHSCORE_QTYPE_A, on_answer, &p, 0), AUTHSCORE_EINVAL);
    cr_expect_eq(as_qtab_ask(q, ".", 1, AUTHSCORE_QTYPE_A, on_answer, &p, 0), AUTHSCORE_EINVAL);
    cr_expect_eq(as_qtab_count(q), 0);
    as_arena_free(&a);
}

Test(qtab, depth_counts_dependent_rounds)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    probe p = {q, 0, 0, 0, 3};
    as_memdns *dns = as_memdns_new();
    cr_assert_eq(as_qtab_ask(q, "start.example", 13, AUTHSCORE_QTYPE_A, on_answer, &p, 0), 0);
    /* An independent question in the first wave does not add a round. */
    probe other = {q, 0, 0, 0, 0};
    cr_assert_eq(as_qtab_ask(q, "other.example", 13, AUTHSCORE_QTYPE_A, on_answer, &other, 0), 0);
    unsigned waves;
    cr_assert_eq(as_memdns_drive(dns, q, &waves), 0);
    cr_expect_eq(p.calls, 4);
    cr_expect_eq(as_qtab_rounds(q), 4, "start + three dependent questions");
    cr_expect_eq(waves, 4);
    cr_expect_eq(as_qtab_outstanding(q), 0);
    as_memdns_free(dns);
    as_arena_free(&a);
}

Test(qtab, late_asker_of_answered_question_is_delivered_on_flush)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    probe p = {q, 0, 0, 0, 0};
    cr_assert_eq(as_qtab_ask(q, "x.example", 9, AUTHSCORE_QTYPE_A, on_answer, &p, 0), 0);
    uint32_t id;
    const char *name;
    uint16_t t;
    cr_assert_eq(as_qtab_next_unsent(q, &id, &name, &t), 1);
    as_dns_answer ans = nx();
    as_qtab_answer(q, id, &ans);
    cr_assert_eq(as_qtab_ask(q, "X.example", 9, AUTHSCORE_QTYPE_A, on_answer, &p, 0), 0);
    cr_expect_eq(as_qtab_count(q), 1, "no second question");
    cr_expect_eq(p.calls, 1);
    as_qtab_flush(q);
    cr_expect_eq(p.calls, 2);
    cr_expect_eq(p.last_status, AUTHSCORE_DNS_NXDOMAIN);
    as_arena_free(&a);
}

Test(qtab, expire_answers_everything_as_timeout)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 0);
    probe p = {q, 0, 0, 0, 2};
    cr_assert_eq(as_qtab_ask(q, "a.example", 9, AUTHSCORE_QTYPE_A, on_answer, &p, 0), 0);
    uint32_t id;
    const char *name;
    uint16_t t;
    cr_assert_eq(as_qtab_next_unsent(q, &id, &name, &t), 1);
    as_qtab_expire(q);
    cr_expect_eq(p.calls, 3, "the question and the two it raised");
    cr_expect_eq(p.last_status, AUTHSCORE_DNS_TIMEOUT);
    cr_expect_eq(as_qtab_outstanding(q), 0);
    cr_expect_eq(as_qtab_unsent(q), 0);
    cr_expect_eq(as_qtab_next_unsent(q, &id, &name, &t), 0);
    as_arena_free(&a);
}

Test(qtab, question_cap)
{
    as_arena a;
    as_arena_init(&a, 1 << 20);
    as_qtab *q = as_qtab_new(&a, 4);
    probe p = {q, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        char n[16];
        snprintf(n, sizeof n, "q%d.example", i);
        cr_assert_eq(as_qtab_ask(q, n, strlen(n), AUTHSCORE_QTYPE_A, on_answer, &p, 0), 0);
    }
    cr_expect_eq(as_qtab_ask(q, "q9.example", 10, AUTHSCORE_QTYPE_A, on_answer, &p, 0),
                 AUTHSCORE_ELIMIT);
    as_arena_free(&a);
}
