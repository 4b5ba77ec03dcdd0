/* test_walk.c - RFC 9989 4.10 tree-walk targets. */
#include <criterion/criterion.h>
#include <string.h>

#include "dmarc/walk.h"

static void expect(const char *domain, const char *const *targets, size_t n)
{
    as_dmarc_walk w;
    as_dmarc_walk_init(&w, domain, strlen(domain));
    cr_assert_eq(w.count, n, "%s: %zu targets, expected %zu", domain, w.count, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(w.domain + w.off[i], targets[i], "%s target %zu", domain, i);
}

Test(dmarc_walk, short_names)
{
    static const char *const t1[] = {"com"};
    expect("com", t1, 1);
    static const char *const t2[] = {"example.com", "com"};
    expect("example.com", t2, 2);
    static const char *const t4[] = {"a.mail.example.com", "mail.example.com", "example.com",
                                     "com"};
    expect("a.mail.example.com", t4, 4);
}

/* RFC 9989 4.10 example: 13 labels give exactly these eight queries. */
Test(dmarc_walk, rfc_example_thirteen_labels)
{
    static const char *const t[] = {
        "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com",
        "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
        "mail.example.com", "example.com", "com"};
    expect("a.b.c.d.e.f.g.h.i.j.mail.example.com", t, 8);
}

/* RFC 9989 5.1.8: the psd=n record at b.c.d.e.f.g.example.com is never
 * queried for mail.a.b.c.d.e.f.g.example.com. */
Test(dmarc_walk, rfc_example_zone_cut_skipped)
{
    static const char *const t[] = {
        "mail.a.b.c.d.e.f.g.example.com", "c.d.e.f.g.example.com", "d.e.f.g.example.com",
        "e.f.g.example.com", "f.g.example.com", "g.example.com", "example.com", "com"};
    expect("mail.a.b.c.d.e.f.g.example.com", t, 8);
}

Test(dmarc_walk, eight_and_nine_labels)
{
    /* x = 8: removing one label leaves seven; no skip. */
    static const char *const t8[] = {"a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h",
                                     "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"};
    expect("a.b.c.d.e.f.g.h", t8, 8);
    /* x = 9: straight to the last seven labels. */
    static const char *const t9[] = {"z.a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h",
                                     "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"};
    expect("z.a.b.c.d.e.f.g.h", t9, 8);
}

Test(dmarc_walk, label_count)
{
    cr_assert_eq(as_dmarc_label_count("com", 3), 1u);
    cr_assert_eq(as_dmarc_label_count("a.b.c", 5), 3u);
    cr_assert_eq(as_dmarc_label_count("", 0), 0u);
}

static void set(as_dmarc_walk *w, size_t i, int state, int psd)
{
    memset(&w->slot[i], 0, sizeof w->slot[i]);
    w->slot[i].state = state;
    w->slot[i].rec.psd = psd;
    w->slot[i].rec.p = 1;
    w->slot[i].rec.pct = 100;
}

/* Sequential-walk semantics over slots: a pending slot before the stop
 * keeps the outcome pending; one after the stop does not matter. */
Test(dmarc_walk, outcome_stops_where_the_walk_stops)
{
    as_dmarc_walk w;
    const char *d = "a.mail.example.com";
    as_dmarc_walk_init(&w, d, strlen(d));
    as_dmarc_outcome o;
    as_dmarc_walk_org(&w, &o);
    cr_assert_eq(o.status, AS_WALK_PENDING);
    cr_assert_eq(o.first_pending, 0u);
    set(&w, 0, AS_SLOT_NONE, 0);
    set(&w, 1, AS_SLOT_RECORD, AS_DMARC_PSD_N);
    as_dmarc_walk_org(&w, &o);
    cr_assert_eq(o.status, AS_WALK_DONE, "slots 2 and 3 are never needed");
    cr_assert_str_eq(d + o.org_off, "mail.example.com");
    set(&w, 1, AS_SLOT_RECORD, AS_DMARC_PSD_U);
    set(&w, 2, AS_SLOT_ERROR, 0);
    as_dmarc_walk_org(&w, &o);
    cr_assert_eq(o.status, AS_WALK_TEMPERROR);
    set(&w, 2, AS_SLOT_RECORD, AS_DMARC_PSD_Y);
    as_dmarc_walk_org(&w, &o);
    cr_assert_eq(o.status, AS_WALK_DONE);
    cr_assert_str_eq(d + o.org_off, "mail.example.com", "one label below the psd=y domain");
    as_dmarc_walk_policy(&w, &o);
    cr_assert_eq(o.policy_slot, 1, "the organizational domain's record");
    set(&w, 2, AS_SLOT_RECORD, AS_DMARC_PSD_U);
    set(&w, 3, AS_SLOT_NONE, 0);
    as_dmarc_walk_org(&w, &o);
    cr_assert_str_eq(d + o.org_off, "example.com", "the record with the fewest labels");
    as_dmarc_walk_policy(&w, &o);
    cr_assert_eq(o.policy_slot, 2);
}
