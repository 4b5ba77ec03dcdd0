/* report.c - the CLI's two views of a result, through the public API
 * only, like every host: JSON Lines (the library's own object) and the
 * text report (a different view, from the getters). */
#include "host/cli/report.h"

#include <string.h>

#include "util/json_esc.h"
#include "util/num.h"

/* The library's object (authscore_msg_json) with the file spliced in as
 * the first key, so the line keeps the shape it had when the command
 * built it from the getters. */
static void put_file(void *user, const char *p, size_t n)
{
    fwrite(p, 1, n, user);
}

void report_json(FILE *f, const char *file, const authscore_msg *m)
{
    const char *obj = authscore_msg_json(m);
    fputs("{\"file\":\"", f);
    as_json_escape(file, strlen(file), put_file, f);
    fputc('"', f);
    if (obj && obj[0] == '{' && obj[1] != '}') {
        fputc(',', f);
        fputs(obj + 1, f);
    } else {
        fputc('}', f);
    }
    fputc('\n', f);
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
