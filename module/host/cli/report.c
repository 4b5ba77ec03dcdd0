/* report.c - the CLI's two views of a result.  Uses only the public
 * getters, like every host. */
#include "host/cli/report.h"

#include "host/cli/json.h"
#include "util/num.h"

static void json_spf(FILE *f, const authscore_msg *m, int id)
{
    int r = authscore_spf_result(m, id);
    if (r == AUTHSCORE_RES_NOT_EVALUATED) {
        fputs("null", f);
        return;
    }
    fputc('{', f);
    json_field(f, 0, "result", authscore_result_name(r));
    json_field(f, ',', "domain", authscore_spf_domain(m, id));
    json_field(f, ',', "dnssec", authscore_dnssec_name(authscore_spf_dnssec(m, id)));
    fprintf(f, ",\"lookups\":%d,\"void_lookups\":%d,", authscore_spf_lookups(m, id),
            authscore_spf_void_lookups(m, id));
    json_field(f, 0, "mechanism", authscore_spf_mechanism(m, id));
    json_field(f, ',', "explanation", authscore_spf_explanation(m, id));
    json_field(f, ',', "reason", authscore_spf_reason(m, id));
    fputc('}', f);
}

static void json_dkim(FILE *f, const authscore_msg *m)
{
    size_t n = authscore_dkim_count(m);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        fputc('{', f);
        json_field(f, 0, "d", authscore_dkim_domain(m, i));
        json_field(f, ',', "s", authscore_dkim_selector(m, i));
        json_field(f, ',', "a", authscore_dkim_algorithm(m, i));
        json_field(f, ',', "result", authscore_result_name(authscore_dkim_result(m, i)));
        json_field(f, ',', "reason", authscore_dkim_reason(m, i));
        json_field(f, ',', "dnssec", authscore_dnssec_name(authscore_dkim_dnssec(m, i)));
        unsigned fl = authscore_dkim_flags(m, i);
        fprintf(f, ",\"key_bits\":%d,\"weak\":%s,\"testing\":%s,\"unsigned_content\":%s}",
                authscore_dkim_key_bits(m, i),
                (fl & AUTHSCORE_DKIM_WEAK_ALGORITHM) ? "true" : "false",
                (fl & AUTHSCORE_DKIM_TESTING_KEY) ? "true" : "false",
                (fl & AUTHSCORE_DKIM_UNSIGNED_CONTENT) ? "true" : "false");
    }
    fputc(']', f);
}

static void json_dmarc(FILE *f, const authscore_msg *m)
{
    int r = authscore_dmarc_result(m);
    if (r == AUTHSCORE_RES_NOT_EVALUATED) {
        fputs("null", f);
        return;
    }
    fputc('{', f);
    json_field(f, 0, "result", authscore_result_name(r));
    json_field(f, ',', "domain", authscore_dmarc_domain(m));
    json_field(f, ',', "policy", authscore_policy_name(authscore_dmarc_policy(m)));
    json_field(f, ',', "disposition", authscore_policy_name(authscore_dmarc_disposition(m)));
    fprintf(f, ",\"spf_aligned\":%s,\"dkim_aligned\":%s,",
            authscore_dmarc_spf_aligned(m) == 1 ? "true" : "false",
            authscore_dmarc_dkim_aligned(m) == 1 ? "true" : "false");
    json_field(f, 0, "dnssec", authscore_dnssec_name(authscore_dmarc_dnssec(m)));
    json_field(f, ',', "reason", authscore_dmarc_reason(m));
    fputc('}', f);
}

/* Symbols are listed with or without rules (weights 0 without); the
 * score is null when no rule file was loaded. */
static void json_symbols(FILE *f, const authscore_msg *m)
{
    double score;
    int scored = authscore_score(m, &score) == 0;
    fputs("\"symbols\":[", f);
    size_t n = authscore_symbol_count(m);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{" : "{", f);
        json_field(f, 0, "name", authscore_symbol_name(m, i));
        fputs(",\"weight\":", f);
        json_num(f, authscore_symbol_weight(m, i));
        fputs(",\"options\":[", f);
        size_t k = authscore_symbol_option_count(m, i);
        for (size_t j = 0; j < k; j++) {
            if (j)
                fputc(',', f);
            json_str(f, authscore_symbol_option(m, i, j));
        }
        fputs("]}", f);
    }
    if (scored) {
        fputs("],\"score\":", f);
        json_num(f, score);
    } else
        fputs("],\"score\":null", f);
}

void report_json(FILE *f, const char *file, const authscore_msg *m)
{
    fputc('{', f);
    json_field(f, 0, "file", file);
    fputs(",\"message\":{\"from\":[", f);
    for (size_t i = 0; i < authscore_msg_from_count(m); i++) {
        if (i)
            fputc(',', f);
        json_str(f, authscore_msg_from(m, i));
    }
    fputs("],", f);
    json_field(f, 0, "from_domain", authscore_msg_from_domain(m));
    fprintf(f, ",\"dkim_signatures\":%zu,", authscore_msg_dkim_signatures(m));
    int ps = authscore_msg_parse_status(m);
    json_field(f, 0, "parse_error", ps < 0 ? authscore_strerror(ps) : NULL);
    fputs("},\"spf\":{\"mfrom\":", f);
    json_spf(f, m, AUTHSCORE_SPF_MFROM);
    fputs(",\"helo\":", f);
    json_spf(f, m, AUTHSCORE_SPF_HELO);
    fputs("},\"dkim\":", f);
    json_dkim(f, m);
    fputs(",\"dmarc\":", f);
    json_dmarc(f, m);
    fputc(',', f);
    json_symbols(f, m);
    json_field(f, ',', "authentication_results", authscore_ar_header(m));
    fprintf(f, ",\"dns\":{\"queries\":%d,\"rounds\":%d}}\n", authscore_msg_dns_queries(m),
            authscore_msg_dns_rounds(m));
}

static const char *or_dash(const char *s) { return s ? s : "-"; }

static void text_spf(FILE *f, const authscore_msg *m, int id, const char *label)
{
    int r = authscore_spf_result(m, id);
    if (r == AUTHSCORE_RES_NOT_EVALUATED) {
        fprintf(f, "  SPF %-5s not evaluated\n", label);
        return;
    }
    fprintf(f, "  SPF %-5s %-9s %s (dnssec %s, %d lookups) %s\n", label,
            authscore_result_name(r), or_dash(authscore_spf_domain(m, id)),
            authscore_dnssec_name(authscore_spf_dnssec(m, id)), authscore_spf_lookups(m, id),
            or_dash(authscore_spf_reason(m, id)));
}

void report_text(FILE *f, const char *file, const authscore_msg *m)
{
    fprintf(f, "%s\n", file);
    size_t nf = authscore_msg_from_count(m);
    fprintf(f, "  From      %s%s\n", nf ? authscore_msg_from(m, 0) : "(none)",
            nf > 1 ? " (and more: several From mailboxes)" : "");
    text_spf(f, m, AUTHSCORE_SPF_MFROM, "mfrom");
    text_spf(f, m, AUTHSCORE_SPF_HELO, "helo");
    size_t nd = authscore_dkim_count(m);
    if (nd == 0)
        fprintf(f, "  DKIM      none (no signature)\n");
    for (size_t i = 0; i < nd; i++)
        fprintf(f, "  DKIM      %-9s d=%s s=%s a=%s (%d bits, dnssec %s) %s\n",
                authscore_result_name(authscore_dkim_result(m, i)),
                or_dash(authscore_dkim_domain(m, i)), or_dash(authscore_dkim_selector(m, i)),
                or_dash(authscore_dkim_algorithm(m, i)), authscore_dkim_key_bits(m, i),
                authscore_dnssec_name(authscore_dkim_dnssec(m, i)),
                or_dash(authscore_dkim_reason(m, i)));
    int dr = authscore_dmarc_result(m);
    if (dr == AUTHSCORE_RES_NOT_EVALUATED)
        fprintf(f, "  DMARC     not evaluated\n");
    else
        fprintf(f, "  DMARC     %-9s %s policy=%s disposition=%s (dnssec %s) %s\n",
                authscore_result_name(dr), or_dash(authscore_dmarc_domain(m)),
                or_dash(authscore_policy_name(authscore_dmarc_policy(m))),
                or_dash(authscore_policy_name(authscore_dmarc_disposition(m))),
                authscore_dnssec_name(authscore_dmarc_dnssec(m)),
                or_dash(authscore_dmarc_reason(m)));
    double score;
    char num[AS_NUM_BUF];
    if (authscore_score(m, &score) < 0) {
        fprintf(f, "  Score     not evaluated (no rule file: give --rules FILE)\n");
    } else {
        as_num_format(num, sizeof num, score, 2, 0);
        fprintf(f, "  Score     %s\n", num);
    }
    for (size_t i = 0; i < authscore_symbol_count(m); i++) {
        as_num_format(num, sizeof num, authscore_symbol_weight(m, i), 2, AS_NUM_PLUS);
        fprintf(f, "    %-28s %6s", authscore_symbol_name(m, i), num);
        size_t k = authscore_symbol_option_count(m, i);
        for (size_t j = 0; j < k; j++)
            fprintf(f, "%s%s", j ? ", " : "  [", authscore_symbol_option(m, i, j));
        fputs(k ? "]\n" : "\n", f);
    }
    const char *ar = authscore_ar_header(m);
    if (ar)
        fprintf(f, "  Authentication-Results: %s\n", ar);
}
