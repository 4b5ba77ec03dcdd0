/* msg_json.c - a finished message's whole result as one JSON object,
 * written in this one place (DESIGN.md, "One result, written once").
 *
 * Two views of the same writer:
 *   - the full object, built once when the message is DONE and handed
 *     out by authscore_msg_json() (the authscore command's --json prints
 *     it; docs/architecture.md, "The result as JSON", lists its keys);
 *   - the DMARC report row (core/report_log.c, docs/dmarc-reports.md): a
 *     projection that keeps what RFC 9990 aggregate reports need, with
 *     the same keys in the same order, so a row is a subset of the object.
 * Each section writer takes the view and skips what the row leaves out;
 * nothing is computed twice in two shapes. */
#include "core/msg_json.h"

#include <string.h>

#include "util/json.h"
#include "util/names.h"

/* The full object of the largest message the caps allow (64 signatures,
 * hundreds of symbols, the A-R header) is well below this. */
#define AS_MSG_JSON_MAX (1u << 20)

enum view { FULL = 0, ROW = 1 };

static void envelope(as_json *j, const authscore_msg *m)
{
    as_json_object_begin(j, "envelope");
    as_json_str(j, "ip", m->client_ip);
    as_json_str(j, "helo", m->helo);
    as_json_str(j, "mail_from", m->mail_from);
    as_json_object_end(j);
}

static void message(as_json *j, const authscore_msg *m, int v)
{
    as_json_object_begin(j, "message");
    if (v == FULL) {
        as_json_array_begin(j, "from");
        for (size_t i = 0; i < m->m.from_count; i++)
            as_json_str(j, NULL, m->m.from[i].addr);
        as_json_array_end(j);
    }
    as_json_str(j, "from_domain", m->m.from_domain);
    if (v == FULL) {
        as_json_int(j, "dkim_signatures", (int64_t)m->m.dkim_sig_total);
        as_json_str(j, "parse_error",
                    m->parse_status < 0 ? authscore_strerror(m->parse_status) : NULL);
    }
    as_json_object_end(j);
}

/* One SPF identity; null when it was not evaluated (no client IP, no
 * identity).  The domain is the one SPF checked (RFC 7208 2.4: for a
 * null reverse-path the HELO name). */
static void spf(as_json *j, const authscore_msg *m, int id, const char *key, int v)
{
    const as_spf_result *r = m->spf[id] ? as_spf_get_result(m->spf[id]) : NULL;
    if (!r || r->result == AUTHSCORE_RES_NOT_EVALUATED) {
        as_json_null(j, key);
        return;
    }
    as_json_object_begin(j, key);
    as_json_str(j, "result", authscore_result_name(r->result));
    as_json_str(j, "domain", r->domain ? r->domain : m->spf_domain[id]);
    if (v == FULL) {
        as_json_str(j, "dnssec", authscore_dnssec_name(r->dnssec));
        as_json_int(j, "lookups", r->lookups);
        as_json_int(j, "void_lookups", r->void_lookups);
        as_json_str(j, "mechanism", r->mechanism);
        as_json_str(j, "explanation", r->explanation);
    }
    as_json_str(j, "reason", r->reason);
    as_json_object_end(j);
}

static void dkim(as_json *j, const authscore_msg *m, int v)
{
    size_t n = m->dkim ? as_dkim_count(m->dkim) : 0;
    as_json_array_begin(j, "dkim");
    for (size_t i = 0; i < n; i++) {
        const as_dkim_sig_result *r = as_dkim_get_result(m->dkim, i);
        if (!r)
            continue;
        as_json_object_begin(j, NULL);
        as_json_str(j, "d", r->d);
        as_json_str(j, "s", r->s);
        if (v == FULL)
            as_json_str(j, "a", r->a);
        as_json_str(j, "result", authscore_result_name(r->result));
        as_json_str(j, "reason", r->reason);
        if (v == FULL) {
            as_json_str(j, "dnssec", authscore_dnssec_name(r->dnssec));
            as_json_int(j, "key_bits", r->key_bits);
            as_json_bool(j, "weak", r->flags & AUTHSCORE_DKIM_WEAK_ALGORITHM);
            as_json_bool(j, "testing", r->flags & AUTHSCORE_DKIM_TESTING_KEY);
            as_json_bool(j, "unsigned_content", r->flags & AUTHSCORE_DKIM_UNSIGNED_CONTENT);
        }
        as_json_object_end(j);
    }
    as_json_array_end(j);
}

static const char psd_words[][2] = {"u", "y", "n"};

/* The record as its owner published it (RFC 9990 policy_published):
 * valid tags only, null for an absent one; null when no record was used. */
static void published(as_json *j, const as_dmarc_result *r)
{
    if (!r->published.found) {
        as_json_null(j, "published");
        return;
    }
    as_json_object_begin(j, "published");
    as_json_str(j, "domain", r->record_domain);
    as_json_str(j, "p", as_policy_word(r->published.p));
    as_json_str(j, "sp", as_policy_word(r->published.sp));
    as_json_str(j, "np", as_policy_word(r->published.np));
    as_json_str(j, "adkim", r->adkim_strict ? "s" : "r");
    as_json_str(j, "aspf", r->aspf_strict ? "s" : "r");
    as_json_str(j, "t", r->published.testing ? "y" : "n");
    int psd = r->published.psd;
    as_json_strn(j, "psd", psd_words[psd >= 0 && psd <= 2 ? psd : 0], 1);
    as_json_int(j, "pct", r->published.pct);
    as_json_str(j, "fo", r->fo);
    as_json_str(j, "rua", r->rua && *r->rua ? r->rua : NULL);
    as_json_object_end(j);
}

/* Why the disposition is not the policy (RFC 9990 PolicyOverrideType):
 * a rule's dmarc_disposition lowered it (m->scored.override: "local_policy",
 * or "trusted_forwarder" for a trusted ARC sealer; dmarc() then writes the
 * lowered disposition, as authscore_dmarc_disposition() gives it); t=y
 * lowered it (policy_test_mode); RFC 7489 pct sampling lowered it (RFC
 * 9990 has no word for it: "other").  A rule's `cancel` of a DMARC policy
 * symbol is no override: it takes the weight away, while both hosts still
 * act on the disposition. */
static void overrides(as_json *j, const authscore_msg *m, const as_dmarc_result *r)
{
    const as_dmarc_override *o = &m->scored.override;
    as_json_array_begin(j, "overrides");
    if (o->undetermined) {
        /* Fail closed: the rule rests on an ARC temperror (docs/arc.md). */
        as_json_object_begin(j, NULL);
        as_json_str(j, "type", "temperror");
        as_json_str(j, "comment", o->rule);
        as_json_null(j, "sealer");
        as_json_null(j, "instance");
        as_json_object_end(j);
    } else if (o->active) {
        as_json_object_begin(j, NULL);
        as_json_str(j, "type", o->type);
        as_json_str(j, "comment", o->rule);
        as_json_str(j, "sealer", o->sealer);
        if (o->sealer)
            as_json_int(j, "instance", o->instance);
        else
            as_json_null(j, "instance");
        as_json_object_end(j);
    }
    if (r->downgraded) {
        as_json_object_begin(j, NULL);
        if (r->mode == AS_DMARC_RFC7489) {
            as_json_str(j, "type", "other");
            as_json_str(j, "comment", "sampled_out: outside pct= (RFC 7489 6.6.4)");
        } else {
            as_json_str(j, "type", "policy_test_mode");
            as_json_str(j, "comment", "t=y: one step below the policy (RFC 9989 4.7)");
        }
        as_json_object_end(j);
    }
    as_json_array_end(j);
}

static void dmarc(as_json *j, const authscore_msg *m, int v)
{
    const as_dmarc_result *r =
        m->dmarc && m->dmarc_evaluated ? as_dmarc_get_result(m->dmarc) : NULL;
    if (!r || r->result == AUTHSCORE_RES_NOT_EVALUATED) {
        as_json_null(j, "dmarc");
        return;
    }
    as_json_object_begin(j, "dmarc");
    as_json_str(j, "result", authscore_result_name(r->result));
    as_json_str(j, "domain", r->from_domain);
    as_json_str(j, "policy", as_policy_word(r->policy));
    as_json_str(j, "disposition", as_policy_word(authscore_dmarc_disposition(m)));
    as_json_bool(j, "spf_aligned", r->spf_aligned == 1);
    as_json_bool(j, "dkim_aligned", r->dkim_aligned == 1);
    if (v == FULL)
        as_json_str(j, "dnssec", authscore_dnssec_name(r->dnssec));
    as_json_str(j, "reason", r->reason);
    as_json_str(j, "policy_tag", r->policy_tag);
    as_json_str(j, "org_domain", r->org_domain);
    as_json_str(j, "discovery_method", r->mode == AS_DMARC_RFC7489 ? "psl" : "treewalk");
    published(j, r);
    overrides(j, m, r);
    as_json_object_end(j);
}

/* ARC (RFC 8617, docs/arc.md): the chain and each set; null when ARC did
 * not run. */
static void arc(as_json *j, const authscore_msg *m)
{
    const as_arc_result *r = as_arc_get_result(m->arc);
    if (!r || r->result == AUTHSCORE_RES_NOT_EVALUATED) {
        as_json_null(j, "arc");
        return;
    }
    as_json_object_begin(j, "arc");
    as_json_str(j, "result", authscore_result_name(r->result));
    as_json_str(j, "reason", r->reason);
    as_json_int(j, "chain_length", r->chain_length);
    if (r->result == AUTHSCORE_RES_PASS)
        as_json_int(j, "oldest_pass", r->oldest_pass);
    else
        as_json_null(j, "oldest_pass");
    as_json_array_begin(j, "instances");
    for (size_t i = 0; i < r->n_inst; i++) {
        const as_arc_instance *v = &r->inst[i];
        as_json_object_begin(j, NULL);
        as_json_int(j, "i", v->i);
        as_json_str(j, "d", v->d);
        as_json_str(j, "s", v->s);
        as_json_str(j, "seal", authscore_result_name(v->seal));
        as_json_str(j, "ams", authscore_result_name(v->ams));
        as_json_str(j, "dnssec", authscore_dnssec_name(v->dnssec));
        as_json_object_end(j);
    }
    as_json_array_end(j);
    as_json_object_end(j);
}

/* Listed with or without rules (weights 0 without); score null when no
 * rule file was loaded. */
static void symbols(as_json *j, const authscore_msg *m)
{
    as_json_array_begin(j, "symbols");
    for (size_t i = 0; i < m->scored.count; i++) {
        const as_scored_symbol *s = &m->scored.items[i];
        as_json_object_begin(j, NULL);
        as_json_str(j, "name", s->name);
        as_json_num(j, "weight", s->weight);
        as_json_array_begin(j, "options");
        for (size_t k = 0; k < s->n_options; k++)
            as_json_str(j, NULL, s->options[k]);
        as_json_array_end(j);
        as_json_object_end(j);
    }
    as_json_array_end(j);
    if (m->ctx->rules && m->scored_ok)
        as_json_num(j, "score", m->scored.score);
    else
        as_json_null(j, "score");
}

static void dns(as_json *j, const authscore_msg *m)
{
    as_json_object_begin(j, "dns");
    as_json_int(j, "queries", (int64_t)as_qtab_count(m->q));
    as_json_int(j, "rounds", (int64_t)as_qtab_rounds(m->q));
    as_json_object_begin(j, "cache");
    as_json_int(j, "hits", (int64_t)as_qtab_cache_hits(m->q));
    as_json_int(j, "misses", (int64_t)as_qtab_cache_misses(m->q));
    as_json_object_end(j);
    as_json_object_end(j);
}

static void write_view(as_json *j, const authscore_msg *m, int v)
{
    as_json_object_begin(j, NULL);
    if (v == ROW)
        as_json_int(j, "version", AS_REPORT_ROW_VERSION);
    as_json_int(j, "time", m->now);
    envelope(j, m);
    message(j, m, v);
    as_json_object_begin(j, "spf");
    spf(j, m, AUTHSCORE_SPF_MFROM, "mfrom", v);
    spf(j, m, AUTHSCORE_SPF_HELO, "helo", v);
    as_json_object_end(j);
    dkim(j, m, v);
    dmarc(j, m, v);
    arc(j, m);
    if (v == FULL) {
        symbols(j, m);
        as_json_str(j, "authentication_results", m->ar_header);
        dns(j, m);
    }
    as_json_object_end(j);
}

int as_msg_json_build(authscore_msg *m)
{
    as_buf b;
    as_buf_init(&b, AS_MSG_JSON_MAX);
    as_json j;
    as_json_init(&j, &b);
    write_view(&j, m, FULL);
    int rc = as_json_finish(&j);
    if (rc == 0) {
        m->json = as_arena_strndup(&m->arena, b.p, b.len);
        if (!m->json)
            rc = m->arena.limited ? AUTHSCORE_ELIMIT : AUTHSCORE_ENOMEM;
    }
    as_buf_free(&b);
    return rc;
}

int as_msg_json_row(const authscore_msg *m, as_buf *b)
{
    as_json j;
    as_json_init(&j, b);
    write_view(&j, m, ROW);
    return as_json_finish(&j);
}

const char *authscore_msg_json(const authscore_msg *m)
{
    return m && m->phase == AS_PHASE_DONE && !m->fault ? m->json : NULL;
}
