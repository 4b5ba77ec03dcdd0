/* spf_record.c - "v=spf1" record parser (RFC 7208 4.5, 4.6, 5, 6). */
#include "spf/spf_record.h"

#include <string.h>

#include <authscore.h>
#include "spf/spf_ip.h"
#include "spf/spf_macro.h"

int as_spf_record_is_spf(const char *p, size_t len)
{
    /* 4.5: exactly "v=spf1", terminated by SP or the end of the record */
    return len >= 6 && as_span_ieq(p, 6, "v=spf1", 6) &&
           (len == 6 || p[6] == ' ');
}

char *as_spf_printable(const char *p, size_t len, char *out, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)p[k];
        size_t need = (c >= 0x20 && c <= 0x7e && c != '\\') ? 1 : 4;
        if (n + need > max) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        if (need == 1) {
            out[n++] = (char)c;
        } else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return out;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parse a CIDR length without leading zeros (RFC 7208 5.6 ABNF).
 * Returns the value or -1. */
static int cidr_value(const char *p, size_t len, int max)
{
    if (len == 0 || len > 3 || (len > 1 && p[0] == '0'))
        return -1;
    int v = 0;
    for (size_t k = 0; k < len; k++) {
        if (!is_digit(p[k]))
            return -1;
        v = v * 10 + (p[k] - '0');
    }
    return v <= max ? v : -2;
}

/* Length of the trailing run of digits of s[0..len). */
static size_t trailing_digits(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && is_digit(s[len - 1 - n]))
        n++;
    return n;
}

/* Strip a dual-cidr-length from the end of *s (5.6).  Returns 0 or -1
 * (a CIDR length out of range) with *why. */
static int strip_dual_cidr(as_span *s, as_spf_term *t, const char **why)
{
    size_t d = trailing_digits(s->p, s->len);
    if (d && s->len >= d + 2 && s->p[s->len - d - 1] == '/' &&
        s->p[s->len - d - 2] == '/') {
        int v = cidr_value(s->p + s->len - d, d, 128);
        if (v == -2) {
            *why = "IPv6 CIDR length over 128";
            return -1;
        }
        if (v >= 0) {
            t->cidr6 = (unsigned char)v;
            s->len -= d + 2;
        }
    }
    d = trailing_digits(s->p, s->len);
    if (d && s->len >= d + 1 && s->p[s->len - d - 1] == '/' &&
        !(s->len >= d + 2 && s->p[s->len - d - 2] == '/')) {
        int v = cidr_value(s->p + s->len - d, d, 32);
        if (v == -2) {
            *why = "IPv4 CIDR length over 32";
            return -1;
        }
        if (v >= 0) {
            t->cidr4 = (unsigned char)v;
            s->len -= d + 1;
        }
    }
    return 0;
}

static int check_spec(as_span spec, int mode, unsigned *flags,
                      const char **why)
{
    size_t off;
    if (spec.len == 0) {
        *why = "empty domain-spec";
        return -1;
    }
    return as_spf_macro_check(spec.p, spec.len, mode, flags, why, &off);
}

static int parse_mechanism(as_span term, as_spf_term *t, const char **why)
{
    const char *p = term.p;
    size_t len = term.len, i = 0;
    memset(t, 0, sizeof *t);
    t->text = term;
    t->cidr4 = 32;
    t->cidr6 = 128;
    t->qual = AUTHSCORE_RES_PASS;
    switch (p[0]) {
    case '+': t->qual = AUTHSCORE_RES_PASS; i = 1; break;
    case '-': t->qual = AUTHSCORE_RES_FAIL; i = 1; break;
    case '~': t->qual = AUTHSCORE_RES_SOFTFAIL; i = 1; break;
    case '?': t->qual = AUTHSCORE_RES_NEUTRAL; i = 1; break;
    default: break;
    }
    size_t ns = i;
    while (i < len && (is_alpha(p[i]) || is_digit(p[i])))
        i++;
    as_span name = as_span_make(p + ns, i - ns);
    as_span rest = as_span_make(p + i, len - i);
    if (rest.len && rest.p[0] != ':' && rest.p[0] != '/') {
        *why = "unknown mechanism or invalid character";
        return -1;
    }
    int colon = rest.len && rest.p[0] == ':';
    as_span arg = colon ? as_span_make(rest.p + 1, rest.len - 1) : rest;

    if (as_span_ieq_cstr(name, "all")) {
        t->mech = AS_SPF_ALL;
        if (rest.len) {
            *why = "'all' takes no argument";
            return -1;
        }
        return 0;
    }
    if (as_span_ieq_cstr(name, "include") || as_span_ieq_cstr(name, "exists")) {
        t->mech = (name.p[0] | 0x20) == 'i' ? AS_SPF_INCLUDE : AS_SPF_EXISTS;
        if (!colon) {
            *why = "mechanism needs ':' and a domain-spec";
            return -1;
        }
        t->spec = arg;
        return check_spec(arg, AS_SPF_MACRO_DOMAIN, &t->macro_flags, why);
    }
    if (as_span_ieq_cstr(name, "a") || as_span_ieq_cstr(name, "mx")) {
        t->mech = name.len == 1 ? AS_SPF_A : AS_SPF_MX;
        if (strip_dual_cidr(&arg, t, why) < 0)
            return -1;
        if (!colon) {
            if (arg.len) {
                *why = "invalid CIDR length";
                return -1;
            }
            return 0;
        }
        t->spec = arg;
        return check_spec(arg, AS_SPF_MACRO_DOMAIN, &t->macro_flags, why);
    }
    if (as_span_ieq_cstr(name, "ptr")) {
        t->mech = AS_SPF_PTR;
        if (!colon) {
            if (rest.len) {
                *why = "'ptr' takes no CIDR length";
                return -1;
            }
            return 0;
        }
        t->spec = arg;
        return check_spec(arg, AS_SPF_MACRO_DOMAIN, &t->macro_flags, why);
    }
    if (as_span_ieq_cstr(name, "ip4") || as_span_ieq_cstr(name, "ip6")) {
        int v6 = name.p[2] == '6';
        t->mech = v6 ? AS_SPF_IP6 : AS_SPF_IP4;
        if (!colon) {
            *why = "mechanism needs ':' and an address";
            return -1;
        }
        size_t slash = arg.len;
        while (slash > 0 && arg.p[slash - 1] != '/')
            slash--;
        size_t alen = arg.len;
        if (slash > 0) {
            int v = cidr_value(arg.p + slash, arg.len - slash, v6 ? 128 : 32);
            if (v < 0) {
                *why = v == -2 ? "CIDR length out of range"
                               : "invalid CIDR length";
                return -1;
            }
            if (v6)
                t->cidr6 = (unsigned char)v;
            else
                t->cidr4 = (unsigned char)v;
            alen = slash - 1;
        }
        int r = v6 ? as_spf_ip6_parse(arg.p, alen, t->addr)
                   : as_spf_ip4_parse(arg.p, alen, t->addr);
        if (r < 0) {
            *why = v6 ? "invalid IPv6 address" : "invalid IPv4 address";
            return -1;
        }
        return 0;
    }
    *why = "unknown mechanism";
    return -1;
}

/* Length of the modifier name at the start of term if the term is a
 * modifier (name "=" ...), else 0.  name = ALPHA *( ALPHA / DIGIT / "-" /
 * "_" / "." ) (RFC 7208 12). */
static size_t modifier_name(as_span term)
{
    if (!term.len || !is_alpha(term.p[0]))
        return 0;
    size_t i = 1;
    while (i < term.len && (is_alpha(term.p[i]) || is_digit(term.p[i]) ||
                            term.p[i] == '-' || term.p[i] == '_' ||
                            term.p[i] == '.'))
        i++;
    return (i < term.len && term.p[i] == '=') ? i : 0;
}

static int fail(as_spf_parse_error *err, as_span term, const char *why)
{
    err->term = term;
    err->why = why;
    return AUTHSCORE_EPARSE;
}

int as_spf_record_parse(as_arena *a, const char *p, size_t len,
                        as_spf_record *out, as_spf_parse_error *err)
{
    memset(out, 0, sizeof *out);
    err->term = as_span_make(p, len);
    err->why = NULL;
    if (!as_spf_record_is_spf(p, len))
        return fail(err, as_span_make(p, len), "not a v=spf1 record");

    /* 4.6.1: terms are separated by one or more SP, nothing else. */
    unsigned count = 0;
    for (size_t i = 6; i < len;) {
        while (i < len && p[i] == ' ')
            i++;
        if (i == len)
            break;
        while (i < len && p[i] != ' ')
            i++;
        if (++count > AS_SPF_MAX_TERMS)
            return fail(err, as_span_make(p, len),
                        "more terms than the implementation cap");
    }
    if (count) {
        out->terms = as_arena_calloc(a, count, sizeof *out->terms);
        if (!out->terms)
            return AUTHSCORE_ENOMEM;
    }
    for (size_t i = 6; i < len;) {
        while (i < len && p[i] == ' ')
            i++;
        if (i == len)
            break;
        size_t s = i;
        while (i < len && p[i] != ' ')
            i++;
        as_span term = as_span_make(p + s, i - s);
        const char *why = NULL;
        size_t nl = modifier_name(term);
        if (nl) {
            as_span name = as_span_make(term.p, nl);
            as_span val = as_span_make(term.p + nl + 1, term.len - nl - 1);
            if (as_span_ieq_cstr(name, "redirect")) {
                if (out->has_redirect)
                    return fail(err, term, "redirect= appears twice");
                if (check_spec(val, AS_SPF_MACRO_DOMAIN, &out->redirect_flags,
                               &why) < 0)
                    return fail(err, term, why);
                out->has_redirect = 1;
                out->redirect = val;
                out->redirect_text = term;
            } else if (as_span_ieq_cstr(name, "exp")) {
                if (out->has_exp)
                    return fail(err, term, "exp= appears twice");
                if (check_spec(val, AS_SPF_MACRO_DOMAIN, &out->exp_flags,
                               &why) < 0)
                    return fail(err, term, why);
                out->has_exp = 1;
                out->exp = val;
            } else {
                /* 6: unknown modifiers are ignored, but their value must
                 * still be a macro-string (the record's syntax). */
                unsigned f;
                size_t off;
                if (as_spf_macro_check(val.p, val.len, AS_SPF_MACRO_STRING, &f,
                                       &why, &off) < 0)
                    return fail(err, term, why);
            }
            continue;
        }
        if (parse_mechanism(term, &out->terms[out->nterms], &why) < 0)
            return fail(err, term, why);
        out->nterms++;
    }
    return 0;
}
