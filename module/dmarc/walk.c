/* walk.c - RFC 9989 4.10 DNS Tree Walk over answers (see walk.h). */
#include "dmarc/walk.h"

#include <string.h>

int as_dmarc_name_ok(const char *d, size_t len)
{
    if (!d || len == 0 || len > AS_DNS_MAX_NAME || d[0] == '.' || d[len - 1] == '.')
        return 0;
    for (size_t i = 1; i < len; i++)
        if (d[i] == '.' && d[i - 1] == '.')
            return 0;
    return 1;
}

size_t as_dmarc_label_count(const char *d, size_t len)
{
    if (len == 0)
        return 0;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        if (d[i] == '.')
            n++;
    return n;
}

/* Offset of the suffix of d made of its last k labels (1 <= k). */
static size_t suffix_off(const char *d, size_t len, size_t k)
{
    size_t seen = 0;
    for (size_t i = len; i > 0; i--)
        if (d[i - 1] == '.' && ++seen == k)
            return i;
    return 0; /* k >= number of labels: the whole name */
}

void as_dmarc_walk_init(as_dmarc_walk *w, const char *domain, size_t len)
{
    memset(w, 0, sizeof *w);
    w->domain = domain;
    w->len = len;
    if (!as_dmarc_name_ok(domain, len))
        return;
    size_t x = as_dmarc_label_count(domain, len);
    /* Step 1: the start domain itself. */
    w->off[w->count++] = 0;
    /* Step 4: one label fewer, or straight down to seven labels when
     * x >= 8; step 7: one label fewer each time down to the TLD. */
    size_t k = x - 1 < AS_DMARC_WALK_SHORTEN_TO ? x - 1 : AS_DMARC_WALK_SHORTEN_TO;
    for (; k >= 1 && w->count < AS_DMARC_WALK_MAX_QUERIES; k--)
        w->off[w->count++] = suffix_off(domain, len, k);
}

void as_dmarc_walk_init_7489(as_dmarc_walk *w, const char *domain, size_t len,
                             size_t org_off)
{
    memset(w, 0, sizeof *w);
    w->domain = domain;
    w->len = len;
    w->rfc7489 = 1;
    w->org7489 = org_off < len ? org_off : 0;
    if (len == 0)
        return;
    w->off[w->count++] = 0;
    if (w->org7489 != 0)
        w->off[w->count++] = w->org7489;
}

int as_dmarc_walk_answer(as_arena *a, as_dmarc_walk *w, size_t i,
                         const as_dns_answer *ans)
{
    if (i >= w->count)
        return 0;
    as_dmarc_slot *s = &w->slot[i];
    s->dnssec = ans->dnssec;
    if (ans->dnssec == AUTHSCORE_DNSSEC_BOGUS) {
        /* Never data (DESIGN: bogus is a DNS failure). */
        s->state = AS_SLOT_ERROR;
        s->bogus = 1;
        return 0;
    }
    switch (ans->status) {
    case AUTHSCORE_DNS_OK: {
        size_t n = 0, which = 0;
        for (size_t k = 0; k < ans->count; k++) {
            const as_dns_rr *rr = &ans->rr[k];
            if (rr->type != AUTHSCORE_QTYPE_TXT || !rr->u.txt.p)
                continue;
            if (as_dmarc_record_is_dmarc(rr->u.txt.p, rr->u.txt.len)) {
                if (n++ == 0)
                    which = k;
            }
        }
        if (n == 0) {
            s->state = AS_SLOT_NONE;
        } else if (n > 1) {
            s->state = AS_SLOT_MULTIPLE;
        } else {
            int rc = as_dmarc_record_parse(a, ans->rr[which].u.txt.p,
                                           ans->rr[which].u.txt.len, &s->rec);
            if (rc < 0)
                return rc;
            s->state = AS_SLOT_RECORD;
        }
        return 0;
    }
    case AUTHSCORE_DNS_NODATA:
    case AUTHSCORE_DNS_NXDOMAIN:
        /* NXDOMAIN for _dmarc.<target> says nothing about <target>'s
         * parent: the walk goes on (RFC 9989 4.10 step 7). */
        s->state = AS_SLOT_NONE;
        return 0;
    default:
        s->state = AS_SLOT_ERROR;
        return 0;
    }
}

static void outcome_init(as_dmarc_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->policy_slot = -1;
    o->stop_slot = -1;
    o->all_secure = 1;
}

/* Read slot i; returns 0 to go on, 1 when the outcome is settled
 * (PENDING or TEMPERROR). */
static int read_slot(const as_dmarc_walk *w, size_t i, as_dmarc_outcome *o)
{
    const as_dmarc_slot *s = &w->slot[i];
    if (s->state == AS_SLOT_PENDING) {
        o->status = AS_WALK_PENDING;
        o->first_pending = i;
        return 1;
    }
    if (s->dnssec != AUTHSCORE_DNSSEC_SECURE)
        o->all_secure = 0;
    if (s->state == AS_SLOT_ERROR) {
        o->status = AS_WALK_TEMPERROR;
        o->bogus = s->bogus;
        return 1;
    }
    if (s->state == AS_SLOT_MULTIPLE)
        o->multiple = 1;
    return 0;
}

void as_dmarc_walk_org(const as_dmarc_walk *w, as_dmarc_outcome *o)
{
    outcome_init(o);
    if (w->rfc7489) {
        o->status = AS_WALK_DONE;
        o->org_off = w->org7489;
        return;
    }
    int last_rec = -1;
    for (size_t i = 0; i < w->count; i++) {
        if (read_slot(w, i, o))
            return;
        const as_dmarc_slot *s = &w->slot[i];
        if (s->state != AS_SLOT_RECORD)
            continue;
        last_rec = (int)i;
        if (s->rec.psd != AS_DMARC_PSD_U) {
            /* Steps 2/6: psd=y or psd=n stops the walk. */
            o->stop_slot = (int)i;
            break;
        }
    }
    o->status = AS_WALK_DONE;
    if (o->stop_slot >= 0) {
        size_t st = (size_t)o->stop_slot;
        if (w->slot[st].rec.psd == AS_DMARC_PSD_N) {
            o->org_off = w->off[st];            /* 4.10.2 rule 1 */
            return;
        }
        if (st > 0) {                           /* 4.10.2 rule 2 */
            const char *t = w->domain + w->off[st];
            size_t labels = as_dmarc_label_count(t, w->len - w->off[st]);
            o->org_off = suffix_off(w->domain, w->len, labels + 1);
            return;
        }
        /* psd=y at the start: rule 2 excludes it; rule 3 below. */
    }
    /* Rule 3: the record with the fewest labels; with no record at all
     * the start domain is its own organizational domain. */
    o->org_off = last_rec >= 0 ? w->off[last_rec] : 0;
}

static void policy_7489(const as_dmarc_walk *w, as_dmarc_outcome *o)
{
    outcome_init(o);
    o->org_off = w->org7489;
    for (size_t i = 0; i < w->count; i++) {
        if (read_slot(w, i, o))
            return;
        const as_dmarc_slot *s = &w->slot[i];
        if (s->state == AS_SLOT_RECORD) {
            o->policy_slot = (int)i;
            break;
        }
        if (s->state == AS_SLOT_MULTIPLE)
            break; /* 6.6.3 step 5: several records end discovery */
    }
    o->status = AS_WALK_DONE;
}

void as_dmarc_walk_policy(const as_dmarc_walk *w, as_dmarc_outcome *o)
{
    if (w->rfc7489) {
        policy_7489(w, o);
        return;
    }
    outcome_init(o);
    if (w->count == 0) {
        o->status = AS_WALK_DONE;
        return;
    }
    /* The author domain's own record wins whatever the walk finds above
     * (4.10.1), so slot 0 settles the policy alone. */
    if (read_slot(w, 0, o))
        return;
    if (w->slot[0].state == AS_SLOT_RECORD) {
        o->status = AS_WALK_DONE;
        o->policy_slot = 0;
        return;
    }
    as_dmarc_outcome org;
    as_dmarc_walk_org(w, &org);
    if (org.status != AS_WALK_DONE) {
        *o = org;
        return;
    }
    *o = org;
    for (size_t i = 0; i < w->count; i++)
        if (w->off[i] == org.org_off && w->slot[i].state == AS_SLOT_RECORD) {
            o->policy_slot = (int)i;   /* the organizational domain's */
            return;
        }
    if (org.stop_slot >= 0 && w->slot[org.stop_slot].rec.psd == AS_DMARC_PSD_Y)
        o->policy_slot = org.stop_slot; /* the public suffix domain's */
}
