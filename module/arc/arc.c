/* arc.c - the ARC engine (RFC 8617 5.2): collect the sets, check their
 * structure, ask for the seal keys, then validate the newest AMS, every
 * seal and the older AMSes as far as oldest-pass needs.
 *
 * Fail closed: a verdict ("fail") only ever rests on the message and the
 * DNS answers; a fault of ours (a failed allocation, a cap) while reading
 * a field, asking or hashing makes the result temperror ("no_memory",
 * "limit", "dns_limit"), never fail. */
#include "arc/arc.h"

#include <stdio.h>
#include <string.h>

#include <authscore.h>
#include "arc/aar.h"
#include "arc/seal.h"
#include "arc/seal_verify.h"
#include "dkim/key_answer.h"
#include "dkim/sig.h"

#define FIELD_SCRATCH_MAX (256u * 1024u)  /* one tag list and slack */

enum { K_AAR = 0, K_AMS = 1, K_AS = 2, K_COUNT = 3 };

typedef struct arc_set {
    const as_header_field *f[K_COUNT];
    as_arc_aar aar;
    as_dkim_sig ams;
    as_arc_seal seal;
    size_t ams_slot;
    const char *ams_fault;  /* the AMS could not be handed to DKIM: why */
    const char *ask_fail;   /* the seal's key could not be asked: why */
    int ask_result;
    int have_answer;
    as_dns_answer ans;      /* records live in the qtab arena */
} arc_set;

struct as_arc {
    as_arena *a;
    as_qtab *q;
    as_dkim_keycache *cache;
    as_dkim *dkim;
    int finished;
    size_t n;               /* N, the sets of a well-formed chain */
    arc_set *sets;          /* [AS_ARC_MAX_SETS], instance i at [i - 1] */
    as_arc_fields *fields;  /* [N] */
    as_arc_instance *inst;  /* [N] */
    as_arc_result res;
    char reason[AS_ARC_REASON_MAX];
};

static const char *arena_reason(const as_arena *a)
{
    return a->limited ? "limit" : "no_memory";
}

static void settle(as_arc *arc, int result, const char *reason)
{
    arc->res.result = result;
    arc->res.reason = reason;
}

/* A fail names the part ("seal:signature_mismatch"); a temperror keeps
 * the plain reason ("dns_timeout", "no_memory"). */
static void settle_part(as_arc *arc, int result, const char *part, const char *why)
{
    if (result == AUTHSCORE_RES_TEMPERROR) {
        settle(arc, result, why);
        return;
    }
    snprintf(arc->reason, sizeof arc->reason, "%s:%s", part, why ? why : "?");
    settle(arc, AUTHSCORE_RES_FAIL, arc->reason);
}

static void settle_invalid(as_arc *arc, const char *reason)
{
    arc->res.invalid = 1;
    settle(arc, AUTHSCORE_RES_FAIL, reason);
}

static int kind_of(const as_header_field *f)
{
    static const char *const names[K_COUNT] = {
        "ARC-Authentication-Results", "ARC-Message-Signature", "ARC-Seal"};
    for (int k = 0; k < K_COUNT; k++)
        if (as_span_ieq(f->name.p, f->name.len, names[k], strlen(names[k])))
            return k;
    return -1;
}

/* ---- collecting the sets (5.2 steps 1 to 3) --------------------------------- */

/* Parse one ARC field into its set.  Returns its instance (0: none),
 * or AUTHSCORE_ENOMEM with the temperror settled. */
static int read_field(as_arc *arc, const as_header_field *f, int kind, arc_set *tmp)
{
    if (kind == K_AAR) {
        as_arc_aar_parse(f->value_raw.p, f->value_raw.len, &tmp->aar);
        return tmp->aar.instance;
    }
    as_arena scratch;
    as_arena_init(&scratch, FIELD_SCRATCH_MAX);
    int rc = kind == K_AMS
                 ? as_dkim_sig_parse_kind(arc->a, &scratch, f, AS_DKIM_SIG_AMS, &tmp->ams)
                 : as_arc_seal_parse(arc->a, &scratch, f, &tmp->seal);
    int capped = scratch.limited || arc->a->limited;
    as_arena_free(&scratch);
    if (rc < 0) {
        settle(arc, AUTHSCORE_RES_TEMPERROR, capped ? "limit" : "no_memory");
        return AUTHSCORE_ENOMEM;
    }
    return kind == K_AMS ? tmp->ams.instance : tmp->seal.instance;
}

/* Every ARC field into its set; N; the structure.  Returns 1 when the
 * chain may be validated, 0 when the result is settled. */
static int collect(as_arc *arc, const as_header_block *hb)
{
    size_t top = 0;
    for (size_t i = 0; i < hb->count; i++) {
        int kind = kind_of(&hb->fields[i]);
        if (kind < 0)
            continue;
        arc_set tmp;
        memset(&tmp, 0, sizeof tmp);
        int inst = read_field(arc, &hb->fields[i], kind, &tmp);
        if (inst < 0)
            return 0;
        if (inst == 0) {
            settle_invalid(arc, "bad_instance");
            return 0;
        }
        arc_set *s = &arc->sets[inst - 1];
        if (s->f[kind]) {
            settle_invalid(arc, "duplicate_instance");
            return 0;
        }
        s->f[kind] = &hb->fields[i];
        if (kind == K_AAR)
            s->aar = tmp.aar;
        else if (kind == K_AMS)
            s->ams = tmp.ams;
        else
            s->seal = tmp.seal;
        if ((size_t)inst > top)
            top = (size_t)inst;
    }
    /* i= continuous from 1 with exactly one field of each kind. */
    for (size_t j = 0; j < top; j++) {
        const arc_set *s = &arc->sets[j];
        if (!s->f[K_AAR] && !s->f[K_AMS] && !s->f[K_AS]) {
            settle_invalid(arc, "instance_gap");
            return 0;
        }
        if (!s->f[K_AAR] || !s->f[K_AMS] || !s->f[K_AS]) {
            settle_invalid(arc, "missing_header");
            return 0;
        }
    }
    arc->n = top;
    return 1;
}

/* The seals' own form and their cv= (5.2 steps 2 and 3). */
static int check_seals(as_arc *arc)
{
    for (size_t j = 0; j < arc->n; j++) {
        const as_arc_seal *seal = &arc->sets[j].seal;
        if (seal->reason) {
            arc->res.invalid = 1;
            settle_part(arc, AUTHSCORE_RES_FAIL, "seal", seal->reason);
            return 0;
        }
    }
    for (size_t j = 0; j < arc->n; j++)
        if (arc->sets[j].seal.cv == AS_ARC_CV_FAIL) {
            /* A sealer said the chain was broken when it got it. */
            settle(arc, AUTHSCORE_RES_FAIL, "cv_fail");
            return 0;
        }
    for (size_t j = 0; j < arc->n; j++)
        if (arc->sets[j].seal.cv != (j == 0 ? AS_ARC_CV_NONE : AS_ARC_CV_PASS)) {
            settle_invalid(arc, "bad_cv");
            return 0;
        }
    return 1;
}

/* ---- asking ----------------------------------------------------------------- */

static void on_seal_key(void *engine, uintptr_t cookie, const as_dns_answer *ans)
{
    as_arc *arc = engine;
    if (cookie >= arc->n || arc->sets[cookie].have_answer)
        return;
    arc->sets[cookie].ans = *ans;
    arc->sets[cookie].have_answer = 1;
}

/* The seal's key question; a failure to ask is kept for its turn. */
static int ask_seal(as_arc *arc, size_t j)
{
    arc_set *s = &arc->sets[j];
    int rc = as_dkim_key_ask(arc->q, arc->a, s->seal.s, s->seal.d, on_seal_key, arc,
                             (uintptr_t)j, &s->ask_fail, &s->ask_result);
    return rc < 0 ? rc : 0;
}

static int ask_all(as_arc *arc)
{
    for (size_t j = 0; j < arc->n; j++) {
        int rc = ask_seal(arc, j);
        if (rc < 0)
            return rc;
        arc_set *s = &arc->sets[j];
        rc = as_dkim_ams_add(arc->dkim, s->f[K_AMS], &s->ams, &s->ams_slot);
        if (rc == AUTHSCORE_ENOMEM)
            s->ams_fault = arena_reason(arc->a);
        else if (rc < 0)
            return rc;
    }
    return 0;
}

/* The per-instance view the results show. */
static int make_view(as_arc *arc)
{
    size_t n = arc->n;
    arc->fields = as_arena_calloc(arc->a, n, sizeof *arc->fields);
    arc->inst = as_arena_calloc(arc->a, n, sizeof *arc->inst);
    if (!arc->fields || !arc->inst)
        return AUTHSCORE_ENOMEM;
    for (size_t j = 0; j < n; j++) {
        const arc_set *s = &arc->sets[j];
        arc->fields[j].aar = s->f[K_AAR];
        arc->fields[j].ams = s->f[K_AMS];
        arc->fields[j].as = s->f[K_AS];
        as_arc_instance *v = &arc->inst[j];
        v->i = (int)j + 1;
        v->d = s->seal.d;
        v->s = s->seal.s;
        v->aar = s->aar.payload;
    }
    arc->res.inst = arc->inst;
    arc->res.n_inst = n;
    return 0;
}

int as_arc_start(as_arena *a, as_qtab *q, as_dkim_keycache *cache, as_dkim *dkim,
                 const as_message *msg, as_arc **out)
{
    *out = NULL;
    as_arc *arc = as_arena_calloc(a, 1, sizeof *arc);
    if (!arc)
        return AUTHSCORE_ENOMEM;
    arc->a = a;
    arc->q = q;
    arc->cache = cache;
    arc->dkim = dkim;
    arc->res.oldest_pass = -1;
    *out = arc;
    size_t count[K_COUNT] = {0, 0, 0};
    for (size_t i = 0; i < msg->hdr.count; i++) {
        int kind = kind_of(&msg->hdr.fields[i]);
        if (kind >= 0)
            count[kind]++;
    }
    size_t most = count[0] > count[1] ? count[0] : count[1];
    most = most > count[2] ? most : count[2];
    arc->res.chain_length = most > INT32_MAX ? INT32_MAX : (int)most;
    if (most == 0) {
        settle(arc, AUTHSCORE_RES_NONE, NULL);
        return 0;
    }
    /* 5.2 step 1: more than 50 sets is a fail, before any work. */
    if (most > AS_ARC_MAX_SETS) {
        settle_invalid(arc, "too_many_sets");
        return 0;
    }
    arc->sets = as_arena_calloc(a, AS_ARC_MAX_SETS, sizeof *arc->sets);
    if (!arc->sets) {
        settle(arc, AUTHSCORE_RES_TEMPERROR, arena_reason(a));
        return 0;
    }
    if (!collect(arc, &msg->hdr) || !check_seals(arc))
        return 0;
    int rc = make_view(arc);
    if (rc == 0)
        rc = ask_all(arc);
    if (rc == AUTHSCORE_ENOMEM) {
        arc->res.inst = NULL;
        arc->res.n_inst = 0;
        settle(arc, AUTHSCORE_RES_TEMPERROR, arena_reason(a));
        return 0;
    }
    return rc;
}

/* ---- validating (5.2 steps 4 to 6) ------------------------------------------ */

/* RFC 8617 knows pass and fail; a DKIM permerror of a part fails it. */
static int part_word(int result)
{
    return result == AUTHSCORE_RES_PASS || result == AUTHSCORE_RES_TEMPERROR
               ? result
               : AUTHSCORE_RES_FAIL;
}

/* Verify AMS j (0-based) through the DKIM engine; its view is filled. */
static int verify_ams(as_arc *arc, size_t j, const char **why)
{
    arc_set *s = &arc->sets[j];
    int result = AUTHSCORE_RES_TEMPERROR;
    *why = s->ams_fault;
    if (!s->ams_fault) {
        const as_dkim_sig_result *r = as_dkim_ams_verify(arc->dkim, s->ams_slot);
        result = r ? r->result : AUTHSCORE_RES_TEMPERROR;
        *why = r ? r->reason : "no_memory";
    }
    arc->inst[j].ams = part_word(result);
    arc->inst[j].ams_reason = *why;
    return result;
}

static int verify_seal(as_arc *arc, size_t j, const char **why)
{
    arc_set *s = &arc->sets[j];
    int result = s->ask_result, bits;
    *why = s->ask_fail;
    if (!s->ask_fail && !s->have_answer) {
        result = AUTHSCORE_RES_TEMPERROR;
        *why = "dns_timeout";
    } else if (!s->ask_fail) {
        arc->inst[j].dnssec = s->ans.dnssec;
        *why = as_arc_seal_verify(arc->cache, arc->fields, j + 1, &s->seal, &s->ans,
                                  &result, &bits);
    }
    arc->inst[j].seal = part_word(result);
    arc->inst[j].seal_reason = *why;
    return result;
}

void as_arc_finish(as_arc *arc)
{
    if (!arc || arc->finished)
        return;
    arc->finished = 1;
    if (arc->res.result != AUTHSCORE_RES_NOT_EVALUATED)
        return; /* settled while starting */
    size_t n = arc->n;
    const char *why;
    /* Step 4: the newest AMS. */
    int r = verify_ams(arc, n - 1, &why);
    if (r != AUTHSCORE_RES_PASS) {
        arc->res.invalid = arc->sets[n - 1].ams.reason != NULL;
        settle_part(arc, r, "ams", why);
        return;
    }
    /* Step 6: every seal, newest first. */
    int secure = 1;
    for (size_t j = n; j-- > 0;) {
        r = verify_seal(arc, j, &why);
        if (r != AUTHSCORE_RES_PASS) {
            settle_part(arc, r, "seal", why);
            return;
        }
        secure &= arc->inst[j].dnssec == AUTHSCORE_DNSSEC_SECURE;
    }
    settle(arc, AUTHSCORE_RES_PASS, "ok");
    arc->res.all_secure = secure;
    /* Step 5: oldest-pass, the older AMSes until one does not validate. */
    arc->res.oldest_pass = 0;
    for (size_t j = n - 1; j-- > 0;)
        if (verify_ams(arc, j, &why) != AUTHSCORE_RES_PASS) {
            arc->res.oldest_pass = (int)j + 2;
            break;
        }
}

const as_arc_result *as_arc_get_result(const as_arc *arc)
{
    return arc ? &arc->res : NULL;
}
