/* dkim_verify_tool - verify messages with the DKIM engine and memdns, one
 * line per signature, for the differential test against dkimpy:
 *
 *   dkim_verify_tool [--accept-rsa-sha1] ZONEFILE NOW MESSAGE...
 *                                       (@FILE: one path a line)
 *   -> MESSAGE<TAB>index<TAB>result<TAB>reason<TAB>d<TAB>s<TAB>a<TAB>bits<TAB>flags
 *
 * --accept-rsa-sha1 is the option dkim.accept_rsa_sha1=yes (RFC 8301's
 * legacy exception): rsa-sha1 is verified instead of refused.
 *
 * One key cache serves the whole run, as in a mail server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <authscore.h>
#include "harness.h"

/* Alternate the order (hash first / answers first) to cover both paths. */
static int verify_file(as_memdns *m, as_dkim_keycache *c, int64_t now,
                       const as_dkim_config *cfg, const char *path, int order)
{
    size_t len;
    char *msg = dk_read_file(path, &len);
    if (!msg) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    dk_run r;
    int rc = dk_verify(m, c, msg, len, now, cfg, order, &r);
    if (rc) {
        printf("%s\t-\terror\t%s\n", path, authscore_strerror(rc));
    } else {
        for (size_t i = 0; i < as_dkim_count(r.d); i++) {
            const as_dkim_sig_result *s = as_dkim_get_result(r.d, i);
            printf("%s\t%zu\t%s\t%s\t%s\t%s\t%s\t%d\t%u\n", path, i,
                   authscore_result_name(s->result), s->reason,
                   s->d ? s->d : "-", s->s ? s->s : "-", s->a ? s->a : "-",
                   s->key_bits, s->flags);
        }
    }
    dk_run_free(&r);
    free(msg);
    return rc != 0;
}

int main(int argc, char **argv)
{
    as_dkim_config cfg = {0, -1, 0};
    if (argc > 1 && strcmp(argv[1], "--accept-rsa-sha1") == 0) {
        cfg.accept_rsa_sha1 = 1;
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s [--accept-rsa-sha1] ZONEFILE NOW MESSAGE...\n",
                argv[0]);
        return 2;
    }
    as_memdns *m = as_memdns_new();
    unsigned line = 0;
    if (!m || as_memdns_load_file(m, argv[1], &line) != 0) {
        fprintf(stderr, "%s:%u: cannot load zone\n", argv[1], line);
        return 2;
    }
    int64_t now = strtoll(argv[2], NULL, 10);
    as_dkim_keycache *c = as_dkim_keycache_new(0);
    int bad = 0;
    unsigned long n = 0;
    for (int k = 3; k < argc; k++) {
        FILE *list = NULL;
        char path[4096];
        if (argv[k][0] == '@' && !(list = fopen(argv[k] + 1, "r"))) {
            fprintf(stderr, "%s: cannot read\n", argv[k] + 1);
            return 2;
        }
        while (list ? fgets(path, sizeof path, list) != NULL
                    : snprintf(path, sizeof path, "%s", argv[k]) > 0) {
            path[strcspn(path, "\r\n")] = 0;
            bad |= verify_file(m, c, now, &cfg, path, n++ % 2);
            if (!list)
                break;
        }
        if (list)
            fclose(list);
    }
    as_dkim_keycache_free(c);
    as_memdns_free(m);
    return bad;
}
