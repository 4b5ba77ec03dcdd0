/* report_agg.c - group report-log rows into aggregate reports (see
 * report_agg.h).  libjansson's objects are the tables: they keep insertion
 * order, so the same log always gives the same report. */
#include "host/cli/report_agg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int agg_parse_net(const char *s, agg_net *out)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof addr)
        return -1;
    memcpy(addr, s, n);
    addr[n] = '\0';
    memset(out, 0, sizeof *out);
    out->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(out->family, addr, out->addr) != 1)
        return -1;
    unsigned max = out->family == AF_INET ? 32 : 128;
    out->prefix = max;
    if (slash) {
        char *end;
        unsigned long p = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end || p > max)
            return -1;
        out->prefix = (unsigned)p;
    }
    return 0;
}

static int net_has(const agg_net *net, const char *ip)
{
    unsigned char a[16];
    int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
    if (family != net->family || inet_pton(family, ip, a) != 1)
        return 0;
    unsigned full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(a, net->addr, full) != 0)
        return 0;
    unsigned char mask = (unsigned char)(0xff00u >> rest);
    return rest == 0 || (a[full] & mask) == (net->addr[full] & mask);
}

/* d equal to `parent` or below it (case-insensitive). */
static int within(const char *d, const char *parent)
{
    size_t dl = strlen(d), pl = strlen(parent);
    if (dl < pl || strcasecmp(d + dl - pl, parent) != 0)
        return 0;
    return dl == pl || d[dl - pl - 1] == '.';
}

static int excluded(const agg *a, const rlog_row *r)
{
    const agg_filter *f = &a->f;
    if (f->n_domains) {
        int hit = 0;
        for (size_t i = 0; i < f->n_domains && !hit; i++)
            hit = strcasecmp(r->policy_domain, f->domains[i]) == 0;
        if (!hit)
            return 1;
    }
    for (size_t i = 0; i < f->n_ex_domains; i++)
        if (within(r->policy_domain, f->ex_domains[i]) ||
            (r->header_from && within(r->header_from, f->ex_domains[i])))
            return 1;
    for (size_t i = 0; i < f->n_ex_nets; i++)
        if (net_has(&f->ex_nets[i], r->ip))
            return 1;
    return 0;
}

int agg_init(agg *a, const agg_filter *f)
{
    memset(a, 0, sizeof *a);
    a->f = *f;
    a->reports = json_object();
    return a->reports ? 0 : -1;
}

void agg_free(agg *a)
{
    json_decref(a->reports);
    a->reports = NULL;
}

static const char *text(json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : dflt;
}

static const char *domain_of(const char *addr)
{
    if (!addr)
        return "";
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : addr;
}

/* RFC 9990's words: DKIM results have no softfail, SPF results no policy;
 * a method that did not run is "none". */
static const char *dkim_word(const char *r)
{
    static const char *const ok[] = {"none", "pass", "fail", "policy", "neutral",
                                     "temperror", "permerror", NULL};
    for (const char *const *w = ok; *w; w++)
        if (!strcmp(r, *w))
            return r;
    return "none";
}

static const char *spf_word(const char *r)
{
    static const char *const ok[] = {"none", "neutral", "pass", "fail", "softfail",
                                     "temperror", "permerror", NULL};
    for (const char *const *w = ok; *w; w++)
        if (!strcmp(r, *w))
            return r;
    return "none";
}

static int put(json_t *o, const char *key, json_t *v)
{
    return v ? json_object_set_new(o, key, v) : -1;
}

/* The row's overrides as RFC 9990 PolicyOverrideReasons, type and comment:
 * - "temperror" (the library could not decide a trusted sealer's
 *   override: the ARC chain is temperror, docs/arc.md) has no RFC 9990
 *   word: type "other", comment "arc_temperror: RULE", as RFC 7489's
 *   sampled_out became "other" too;
 * - a trusted forwarder is named in the comment: "RULE (ARC sealer D)". */
static json_t *reasons(json_t *overrides)
{
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(overrides, i, o) {
        const char *type = text(o, "type", "other"), *rule = text(o, "comment", NULL);
        const char *sealer = text(o, "sealer", NULL);
        json_t *c = NULL;
        int want = 1;
        if (!strcmp(type, "temperror")) {
            type = "other";
            c = rule ? json_sprintf("arc_temperror: %s", rule) : json_string("arc_temperror");
        } else if (sealer) {
            c = rule ? json_sprintf("%s (ARC sealer %s)", rule, sealer)
                     : json_sprintf("ARC sealer %s", sealer);
        } else if (rule) {
            c = json_string(rule);
        } else {
            want = 0;
        }
        /* Each call below takes its argument, also when it fails. */
        json_t *r = json_pack("{s:s}", "type", type);
        int bad = !r;
        if (bad)
            json_decref(c);
        else if (want && put(r, "comment", c) < 0) {
            json_decref(r);
            bad = 1;
        } else
            bad = json_array_append_new(out, r) < 0;
        if (bad) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* What a record of the report says about a message: everything but its
 * time, so identical tuples from one source IP count as one record. */
static json_t *tuple(const rlog_row *r)
{
    json_t *t = json_object(), *dk = json_array(), *sp = json_object();
    int e = !t || !dk || !sp;
    json_t *d = r->dmarc;
    e |= put(t, "source_ip", json_string(r->ip));
    e |= put(t, "disposition", json_string(text(d, "disposition", "none")));
    e |= put(t, "dkim", json_string(json_is_true(json_object_get(d, "dkim_aligned")) ? "pass"
                                                                                      : "fail"));
    e |= put(t, "spf", json_string(json_is_true(json_object_get(d, "spf_aligned")) ? "pass"
                                                                                    : "fail"));
    e |= put(t, "reasons", reasons(json_object_get(d, "overrides")));
    e |= put(t, "header_from", json_string(r->header_from ? r->header_from : ""));
    e |= put(t, "envelope_from", json_string(domain_of(r->mail_from)));
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(r->root, "dkim"), i, s) {
        const char *dom = text(s, "d", NULL);
        if (!dom)
            continue; /* RFC 9990 names a signature by d=; none to name */
        json_t *x = json_pack("{s:s,s:s,s:s,s:s?}", "domain", dom, "selector", text(s, "s", ""),
                              "result", dkim_word(text(s, "result", "none")), "human_result",
                              text(s, "reason", NULL));
        e |= !x || json_array_append_new(dk, x);
    }
    json_t *mf = json_object_get(json_object_get(r->root, "spf"), "mfrom");
    const char *sd = text(mf, "domain", NULL);
    if (!sd)
        sd = *domain_of(r->mail_from) ? domain_of(r->mail_from) : (r->helo ? r->helo : "");
    e |= put(sp, "domain", json_string(sd));
    e |= put(sp, "scope", json_string("mfrom"));
    e |= put(sp, "result", json_string(spf_word(text(mf, "result", "none"))));
    const char *why = text(mf, "reason", NULL);
    if (why)
        e |= put(sp, "human_result", json_string(why));
    e |= json_object_set(t, "auth_dkim", dk);
    e |= json_object_set(t, "auth_spf", sp);
    json_decref(dk);
    json_decref(sp);
    if (e) {
        json_decref(t);
        return NULL;
    }
    return t;
}

static json_t *report_for(agg *a, const rlog_row *r)
{
    json_t *rep = json_object_get(a->reports, r->policy_domain);
    if (rep)
        return rep;
    rep = json_pack("{s:O,s:s,s:s,s:I,s:I,s:{}}", "published", r->published,
                    "discovery_method", text(r->dmarc, "discovery_method", "treewalk"),
                    "org_domain", text(r->dmarc, "org_domain", r->policy_domain), "time",
                    (json_int_t)r->time, "count", (json_int_t)0, "records");
    if (!rep || json_object_set_new(a->reports, r->policy_domain, rep) < 0)
        return NULL;
    return rep;
}

static int add(agg *a, const rlog_row *r)
{
    json_t *rep = report_for(a, r);
    json_t *t = rep ? tuple(r) : NULL;
    char *key = t ? json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = -1;
    if (key) {
        json_t *records = json_object_get(rep, "records");
        json_t *rec = json_object_get(records, key);
        if (rec)
            rc = json_integer_set(json_object_get(rec, "count"),
                                  json_integer_value(json_object_get(rec, "count")) + 1);
        else
            rc = json_object_set_new(records, key, json_pack("{s:I,s:O}", "count",
                                                             (json_int_t)1, "tuple", t));
        json_t *count = json_object_get(rep, "count");
        rc |= json_integer_set(count, json_integer_value(count) + 1);
        /* The policy in the report is the newest one seen. */
        if (rc == 0 && r->time >= json_integer_value(json_object_get(rep, "time"))) {
            rc |= json_object_set(rep, "published", r->published);
            rc |= json_object_set_new(rep, "discovery_method",
                                      json_string(text(r->dmarc, "discovery_method", "")));
            rc |= json_object_set_new(rep, "org_domain", json_string(text(
                                          r->dmarc, "org_domain", r->policy_domain)));
            rc |= json_object_set_new(rep, "time", json_integer(r->time));
        }
    }
    free(key);
    json_decref(t);
    return rc;
}

void agg_add(agg *a, rlog_row *r)
{
    a->rows++;
    if (r->time < a->f.since || r->time >= a->f.until)
        a->outside++;
    else if (!r->published || !r->policy_domain || !r->header_from)
        a->no_policy++;
    else if (!text(r->published, "rua", NULL))
        a->no_rua++;
    else if (!r->ip || excluded(a, r))
        a->excluded++;
    else if (add(a, r) < 0)
        a->oom = 1;
    json_decref(r->root);
    r->root = NULL;
}
