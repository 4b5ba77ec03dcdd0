/* dkim.c - the DKIM verification engine (RFC 6376, 8463, 8301).
 *
 * Life of a signature: parsed in as_dkim_start (a parse error is a final
 * permerror), its key query asked at once; the body hash it needs is a
 * shared "body job"; it is verified as soon as both its key answer and the
 * body hashes are there, whichever comes last (answer callback or
 * as_dkim_hash); as_dkim_finish settles whatever is left.
 *
 * ARC-Message-Signatures (RFC 8617 4.1.2) go through the same machinery:
 * the ARC engine parses them (sig.c, ARC's rules) and adds them with
 * as_dkim_ams_add before the body is hashed, so their keys are asked with
 * the rest and their body hashes share the one pass; each is verified
 * only when the ARC engine asks (as_dkim_ams_verify), newest first and
 * the older ones only as far as oldest-pass needs. */
#include "dkim/dkim.h"

#include <string.h>

#include <authscore.h>
#include "dkim/canon.h"
#include "dkim/crypto.h"
#include "dkim/hindex.h"
#include "dkim/key_answer.h"
#include "dkim/sig.h"

#define SIG_SCRATCH_MAX (256u * 1024u)  /* one tag list (64 tags) and slack */
/* Key answers for AMSes carry this bit in their cookie. */
#define AMS_COOKIE ((uintptr_t)1 << 16)
/* Body jobs: one per evaluated signature at most, DKIM's and ARC's. */
#define MAX_JOBS (AS_DKIM_MAX_SIGNATURES_HARD + AS_DKIM_AMS_MAX_INSTANCE)
/* Distinct jobs are few (one per canonicalization, digest and l=): this
 * many live in the engine, the rest in an arena array made on first need,
 * so a plain message does not carry room for MAX_JOBS (10 KiB). */
#define INLINE_JOBS 8

enum { ST_WAIT = 0, ST_DONE = 1 };

/* One body hash: shared by every signature with the same canonicalization,
 * digest and l= (DESIGN.md performance facts). */
typedef struct body_job {
    int mode, md;
    int64_t l;
    as_crypto_hash *h;   /* only alive inside as_dkim_hash */
    uint64_t fed;
    int ok;              /* digest computed */
    unsigned char digest[AS_CRYPTO_MAX_DIGEST];
    size_t dlen;
    uint64_t total;      /* canonicalized body bytes, all of them */
} body_job;

typedef struct sig_state {
    int state;
    const as_header_field *field;
    as_dkim_sig sig;
    size_t job;          /* index into jobs, when has_job */
    int has_job;
    int have_answer;
    as_dns_answer ans;   /* records live in the qtab arena */
    as_dkim_sig_result res;
} sig_state;

struct as_dkim {
    as_arena *a;
    as_qtab *q;
    as_dkim_keycache *cache;
    const as_message *msg;
    int64_t now;
    int skew;
    int accept_sha1;        /* as_dkim_config.accept_rsa_sha1 */
    size_t nsig;
    sig_state *sigs;
    size_t njobs;
    body_job jobs[INLINE_JOBS];
    body_job *more_jobs;    /* MAX_JOBS - INLINE_JOBS, made on first need */
    sig_state *ams;         /* ARC-Message-Signatures, as_dkim_ams_add */
    size_t nams;
    int hashed;
    as_dkim_hindex *hidx;   /* built by the first header hash */
    const char *hidx_err;   /* why it could not be built */
};

/* The reason for an arena that refused: its cap, or malloc. */
static const char *arena_reason(const as_arena *a)
{
    return a->limited ? "limit" : "no_memory";
}

static void settle(sig_state *s, int result, const char *reason)
{
    s->res.result = result;
    s->res.reason = reason;
    s->state = ST_DONE;
}

static body_job *job_at(as_dkim *d, size_t k)
{
    return k < INLINE_JOBS ? &d->jobs[k] : &d->more_jobs[k - INLINE_JOBS];
}

/* ---- body hashing ------------------------------------------------------- */

typedef struct body_sink {
    body_job *jobs[MAX_JOBS];
    size_t n;
} body_sink;

static void body_sink_fn(void *arg, const char *p, size_t n)
{
    body_sink *bs = arg;
    for (size_t k = 0; k < bs->n; k++) {
        body_job *j = bs->jobs[k];
        size_t take = n;
        if (j->l >= 0) {
            uint64_t room = (uint64_t)j->l > j->fed ? (uint64_t)j->l - j->fed : 0;
            if (take > room)
                take = (size_t)room;
        }
        if (take) {
            as_crypto_hash_update(j->h, p, take);
            j->fed += take;
        }
    }
}

static void hash_bodies(as_dkim *d)
{
    for (int mode = AS_CANON_SIMPLE; mode <= AS_CANON_RELAXED; mode++) {
        body_sink bs;
        bs.n = 0;
        for (size_t k = 0; k < d->njobs; k++) {
            body_job *j = job_at(d, k);
            if (j->mode != mode)
                continue;
            j->h = as_crypto_hash_new(j->md);
            if (j->h)
                bs.jobs[bs.n++] = j;
        }
        if (bs.n == 0)
            continue;
        /* One canonicalization pass per mode feeds every job of the mode
         * through a fixed buffer on this stack frame. */
        as_canon_out out;
        as_canon_out_init(&out, body_sink_fn, &bs);
        as_bcanon bc;
        as_bcanon_init(&bc, mode, &out);
        as_bcanon_feed(&bc, d->msg->body, d->msg->body_len);
        as_bcanon_end(&bc);
        for (size_t k = 0; k < bs.n; k++) {
            body_job *j = bs.jobs[k];
            j->total = out.total;
            j->dlen = as_crypto_hash_final(j->h, j->digest);
            j->ok = j->dlen != 0;
            as_crypto_hash_free(j->h);
            j->h = NULL;
        }
    }
}

/* ---- header hashing (5.4, 5.4.2) ---------------------------------------- */

static void hash_sink_fn(void *arg, const char *p, size_t n)
{
    as_crypto_hash_update(arg, p, n);
}

static void canon_field(as_canon_out *out, int mode, const as_header_field *f)
{
    as_hcanon hc;
    as_hcanon_init(&hc, mode, out);
    /* The raw field without its final line break; end() adds CRLF. */
    size_t len = (size_t)(f->value_raw.p + f->value_raw.len - f->raw.p);
    as_hcanon_feed(&hc, f->raw.p, len);
    as_hcanon_end(&hc, 1);
}

/* Hash the header data of a signature into dig (*dlen set).  Returns
 * NULL, or the temperror reason ("no_memory", "limit"). */
static const char *hash_headers(as_dkim *d, sig_state *s, unsigned char *dig,
                                size_t *dlen)
{
    const as_header_block *hb = &d->msg->hdr;
    const as_dkim_sig *sg = &s->sig;
    if (!d->hidx && !d->hidx_err) {
        d->hidx = as_dkim_hindex_new(d->a, hb);
        if (!d->hidx)
            d->hidx_err = arena_reason(d->a);
    }
    if (!d->hidx)
        return d->hidx_err;
    as_crypto_hash *h = as_crypto_hash_new(sg->md);
    if (!h)
        return "no_memory";
    as_canon_out out;
    as_canon_out_init(&out, hash_sink_fn, h);
    /* Bottom-up: each listing of a name takes the next occurrence from
     * the end; a listing with none left signs the null string (5.4.2).
     * The field being verified is not among them (3.7). */
    as_dkim_hindex_begin(d->hidx, (size_t)(s->field - hb->fields));
    size_t pos = 0;
    as_span name;
    while (as_dkim_sig_h_next(sg, &pos, &name)) {
        size_t fi = as_dkim_hindex_take(d->hidx, name.p, name.len);
        if (fi != AS_DKIM_HINDEX_NONE)
            canon_field(&out, sg->hcanon, &hb->fields[fi]);
    }
    /* The signature field itself, b= value emptied, no final CRLF (3.7). */
    as_hcanon hc;
    as_hcanon_init(&hc, sg->hcanon, &out);
    as_hcanon_feed(&hc, sg->pre, sg->pre_len);
    as_hcanon_feed(&hc, sg->post, sg->post_len);
    as_hcanon_end(&hc, 0);
    as_canon_out_flush(&out);
    *dlen = as_crypto_hash_final(h, dig);
    as_crypto_hash_free(h);
    return *dlen ? NULL : "no_memory";
}

/* ---- verification ------------------------------------------------------- */

/* The domain part of i= (after its last '@').  strlen/strrchr are safe on
 * the parsed names: tag values cannot hold NUL (3.2 VALCHAR), a decoded
 * i= holds no control byte and d=/s= are checked to be printable
 * (sig.c), so the copies end where they should. */
static as_span i_domain(const char *i)
{
    const char *at = strrchr(i, '@');
    const char *p = at ? at + 1 : i;
    return as_span_make(p, strlen(p));
}

/* The verdict of a signature with its key record: sets *result, returns
 * the reason. */
static const char *judge_with_key(as_dkim *d, sig_state *s,
                                  const as_dkim_keyrec *kr, int *result)
{
    const as_dkim_sig *sg = &s->sig;
    s->res.key_bits = kr->bits;
    if (kr->testing)
        s->res.flags |= AUTHSCORE_DKIM_TESTING_KEY;
    const char *why = as_dkim_key_judge(kr, sg->keytype, sg->md, result);
    if (why)
        return why;
    if (kr->strict && sg->i) {
        as_span id = i_domain(sg->i);
        if (!as_span_ieq(id.p, id.len, sg->d, strlen(sg->d)))
            return "key_strict_identity";
    }
    *result = AUTHSCORE_RES_FAIL;
    if (as_dkim_key_too_small(kr))
        return "key_too_small";

    const body_job *j = job_at(d, s->job);
    if (!j->ok) {
        *result = AUTHSCORE_RES_TEMPERROR;
        return "no_memory";
    }
    if (j->dlen != sg->bhlen || memcmp(j->digest, sg->bh, j->dlen) != 0)
        return "body_hash_mismatch";

    unsigned char dig[AS_CRYPTO_MAX_DIGEST];
    size_t dl = 0;
    why = hash_headers(d, s, dig, &dl);
    int ok = why ? 0 : as_crypto_verify(kr->key, sg->md, dig, dl, sg->b,
                                        sg->blen);
    if (why || ok < 0) {
        *result = AUTHSCORE_RES_TEMPERROR;
        return why ? why : "no_memory";
    }
    if (!ok)
        return "signature_mismatch";
    *result = AUTHSCORE_RES_PASS;
    return "ok";
}

static void verify_with_key(as_dkim *d, sig_state *s, const as_dkim_keyrec *kr)
{
    int result;
    const char *why = judge_with_key(d, s, kr, &result);
    settle(s, result, why);
}

static void verify(as_dkim *d, sig_state *s)
{
    const as_dns_answer *ans = &s->ans;
    s->res.dnssec = ans->dnssec;
    int result;
    const char *why = as_dkim_key_answer_status(ans, &result);
    if (why) {
        settle(s, result, why);
        return;
    }
    /* Several TXT records (3.6.2.2): the first usable one, else why the
     * first one is not; a record we failed to parse is temperror. */
    as_dkim_keyrec kr;
    why = as_dkim_key_pick(d->cache, ans, &kr, &result);
    if (why) {
        settle(s, result, why);
        return;
    }
    verify_with_key(d, s, &kr);
    as_dkim_keyrec_clear(&kr);
}

static void try_verify(as_dkim *d, sig_state *s)
{
    if (s->state == ST_WAIT && s->have_answer && d->hashed)
        verify(d, s);
}

static void on_key(void *engine, uintptr_t cookie, const as_dns_answer *ans)
{
    as_dkim *d = engine;
    int ams = (cookie & AMS_COOKIE) != 0;
    size_t i = (size_t)(cookie & ~AMS_COOKIE);
    if (i >= (ams ? d->nams : d->nsig))
        return;
    sig_state *s = ams ? &d->ams[i] : &d->sigs[i];
    if (s->state != ST_WAIT || s->have_answer)
        return;
    s->ans = *ans;
    s->have_answer = 1;
    /* Lazily: only once the body hashes exist; an AMS only when the ARC
     * engine asks for it. */
    if (!ams)
        try_verify(d, s);
}

/* ---- set-up ------------------------------------------------------------- */

/* The job shared with an earlier signature, or a new one; SIZE_MAX when
 * the arena refuses room for more. */
static size_t add_job(as_dkim *d, const as_dkim_sig *sg)
{
    for (size_t k = 0; k < d->njobs; k++) {
        const body_job *j = job_at(d, k);
        if (j->mode == sg->bcanon && j->md == sg->md && j->l == sg->l)
            return k;
    }
    if (d->njobs == INLINE_JOBS && !d->more_jobs) {
        d->more_jobs = as_arena_alloc(d->a, (MAX_JOBS - INLINE_JOBS) * sizeof *d->more_jobs);
        if (!d->more_jobs)
            return SIZE_MAX;
    }
    body_job *j = job_at(d, d->njobs);
    memset(j, 0, sizeof *j);
    j->mode = sg->bcanon;
    j->md = sg->md;
    j->l = sg->l;
    return d->njobs++;
}

static void fill_names(sig_state *s)
{
    s->res.d = s->sig.d;
    s->res.s = s->sig.s;
    s->res.a = s->sig.a;
    s->res.i = s->sig.i;
    s->res.l = s->sig.l;
    if (s->sig.md == AS_MD_SHA1)
        s->res.flags |= AUTHSCORE_DKIM_WEAK_ALGORITHM;
}

/* Check the clock, register the body job and ask for the key of a parsed
 * signature.  Returns 1 when a key query went out (the signature counts
 * against the cap), 0 when the signature was settled here,
 * AUTHSCORE_ENOMEM.  `cookie` goes with the key answer; `accept_sha1`
 * is the legacy option (never for ARC). */
static int ask(as_dkim *d, sig_state *s, uintptr_t cookie, int may_query, int accept_sha1)
{
    fill_names(s);
    const as_dkim_sig *sg = &s->sig;
    if (sg->reason) {
        settle(s, AUTHSCORE_RES_PERMERROR, sg->reason);
        return 0;
    }
    /* RFC 8301 3.1: rsa-sha1 "MUST NOT be used for signing or verifying":
     * no key is asked, so the signature neither counts against the cap
     * nor costs a query, unless the site kept the legacy exception. */
    if (sg->md == AS_MD_SHA1 && !accept_sha1) {
        settle(s, AUTHSCORE_RES_PERMERROR, "weak_algorithm");
        return 0;
    }
    /* Unsigned difference: t > now, so it is exact and cannot overflow
     * even for a saturated t= and a host clock far in the past. */
    if (sg->t >= 0 && sg->t > d->now &&
        (uint64_t)sg->t - (uint64_t)d->now > (uint64_t)d->skew) {
        settle(s, AUTHSCORE_RES_PERMERROR, "sig_future");
        return 0;
    }
    if (sg->x >= 0 && sg->x < d->now) {
        settle(s, AUTHSCORE_RES_PERMERROR, "sig_expired");
        return 0;
    }
    if (!may_query) {
        s->res.flags |= AUTHSCORE_DKIM_NOT_EVALUATED;
        settle(s, AUTHSCORE_RES_NOT_EVALUATED, "not_evaluated_cap");
        return 0;
    }
    const char *why;
    int result;
    int rc = as_dkim_key_ask(d->q, d->a, sg->s, sg->d, on_key, d, cookie, &why, &result);
    if (rc == 1) {
        settle(s, result, why);
        return 0;
    }
    if (rc)
        return rc;
    /* Only after a successful ask, so jobs never outnumber the cap. */
    s->job = add_job(d, sg);
    if (s->job == SIZE_MAX) {
        settle(s, AUTHSCORE_RES_TEMPERROR, arena_reason(d->a));
        return AUTHSCORE_ENOMEM;
    }
    s->has_job = 1;
    return 1;
}

/* Parse a DKIM-Signature, then ask(). */
static int begin(as_dkim *d, sig_state *s, size_t idx, int may_query)
{
    /* The tag list lives only while parsing: a private arena keeps a
     * thousand junk signatures from filling the message arena. */
    as_arena scratch;
    as_arena_init(&scratch, SIG_SCRATCH_MAX);
    int rc = as_dkim_sig_parse(d->a, &scratch, s->field, &s->sig);
    int capped = scratch.limited || d->a->limited;
    as_arena_free(&scratch);
    if (rc == AUTHSCORE_ENOMEM) {
        settle(s, AUTHSCORE_RES_TEMPERROR, capped ? "limit" : "no_memory");
        return 0;
    }
    if (rc)
        return rc;
    return ask(d, s, (uintptr_t)idx, may_query, d->accept_sha1);
}

int as_dkim_start(as_arena *a, as_qtab *q, as_dkim_keycache *cache,
                  const as_message *msg, const as_dkim_config *cfg,
                  int64_t now, as_dkim **out)
{
    *out = NULL;
    as_dkim *d = as_arena_calloc(a, 1, sizeof *d);
    if (!d)
        return AUTHSCORE_ENOMEM;
    d->a = a;
    d->q = q;
    d->cache = cache;
    d->msg = msg;
    d->now = now;
    int cap = cfg && cfg->max_signatures > 0 ? cfg->max_signatures
                                             : AS_DKIM_MAX_SIGNATURES;
    if (cap > AS_DKIM_MAX_SIGNATURES_HARD)
        cap = AS_DKIM_MAX_SIGNATURES_HARD;
    d->skew = cfg && cfg->clock_skew >= 0 ? cfg->clock_skew : AS_DKIM_CLOCK_SKEW;
    d->accept_sha1 = cfg && cfg->accept_rsa_sha1;

    /* Fields beyond the positions the message parser recorded still get a
     * result (not evaluated), so the count matches the message. */
    d->nsig = msg->dkim_sig_total > msg->dkim_sig_count ? msg->dkim_sig_total
                                                        : msg->dkim_sig_count;
    if (d->nsig) {
        d->sigs = as_arena_calloc(a, d->nsig, sizeof *d->sigs);
        if (!d->sigs)
            return AUTHSCORE_ENOMEM;
    }
    int queried = 0;
    for (size_t k = 0; k < d->nsig; k++) {
        sig_state *s = &d->sigs[k];
        s->res.l = -1;
        if (k >= msg->dkim_sig_count) {
            s->res.flags |= AUTHSCORE_DKIM_NOT_EVALUATED;
            settle(s, AUTHSCORE_RES_NOT_EVALUATED, "not_evaluated_cap");
            continue;
        }
        s->field = &msg->hdr.fields[msg->dkim_sig_idx[k]];
        /* Only signatures that need a key count against the cap, so
         * garbage fields cannot crowd out a real signature. */
        int rc = begin(d, s, k, queried < cap);
        if (rc < 0) {
            if (rc != AUTHSCORE_ENOMEM)
                return rc;
            settle(s, AUTHSCORE_RES_TEMPERROR, "no_memory");
            continue;
        }
        queried += rc;
    }
    *out = d;
    return 0;
}

void as_dkim_hash(as_dkim *d)
{
    if (!d || d->hashed)
        return;
    hash_bodies(d);
    d->hashed = 1;
    for (size_t k = 0; k < d->nsig; k++) {
        sig_state *s = &d->sigs[k];
        if (s->has_job) {
            const body_job *j = job_at(d, s->job);
            s->res.body_length = j->total;
            if (s->sig.l >= 0 && j->total > (uint64_t)s->sig.l)
                s->res.flags |= AUTHSCORE_DKIM_UNSIGNED_CONTENT;
        }
        try_verify(d, s);
    }
}

void as_dkim_finish(as_dkim *d)
{
    if (!d)
        return;
    as_dkim_hash(d);
    for (size_t k = 0; k < d->nsig; k++) {
        sig_state *s = &d->sigs[k];
        if (s->state == ST_WAIT) {
            if (s->have_answer)
                verify(d, s);
            else
                settle(s, AUTHSCORE_RES_TEMPERROR, "dns_timeout");
        }
    }
}

int as_dkim_done(const as_dkim *d)
{
    if (!d)
        return 1;
    for (size_t k = 0; k < d->nsig; k++)
        if (d->sigs[k].state != ST_DONE)
            return 0;
    return 1;
}

size_t as_dkim_count(const as_dkim *d)
{
    return d ? d->nsig : 0;
}

const as_dkim_sig_result *as_dkim_get_result(const as_dkim *d, size_t i)
{
    if (!d || i >= d->nsig)
        return NULL;
    return &d->sigs[i].res;
}

size_t as_dkim_body_hash_count(const as_dkim *d)
{
    return d ? d->njobs : 0;
}

/* ---- ARC-Message-Signatures (RFC 8617 4.1.2) ------------------------------- */

int as_dkim_ams_add(as_dkim *d, const as_header_field *f, const as_dkim_sig *sig,
                    size_t *slot)
{
    if (!d || d->hashed || d->nams >= AS_DKIM_AMS_MAX_INSTANCE)
        return AUTHSCORE_EPHASE;
    if (!d->ams) {
        d->ams = as_arena_calloc(d->a, AS_DKIM_AMS_MAX_INSTANCE, sizeof *d->ams);
        if (!d->ams)
            return AUTHSCORE_ENOMEM;
    }
    size_t i = d->nams++;
    sig_state *s = &d->ams[i];
    s->field = f;
    s->sig = *sig;
    s->res.l = -1;
    *slot = i;
    /* Never rsa-sha1, whatever the DKIM option says: ARC has no legacy
     * to keep (RFC 8617 was published after RFC 8301). */
    int rc = ask(d, s, AMS_COOKIE | i, 1, 0);
    return rc < 0 ? rc : 0;
}

const as_dkim_sig_result *as_dkim_ams_verify(as_dkim *d, size_t slot)
{
    if (!d || slot >= d->nams)
        return NULL;
    sig_state *s = &d->ams[slot];
    if (s->state == ST_WAIT) {
        as_dkim_hash(d);
        if (s->have_answer)
            verify(d, s);
        else
            settle(s, AUTHSCORE_RES_TEMPERROR, "dns_timeout");
    }
    return &s->res;
}
