/* fuzz_report_log.c - libFuzzer target for `authscore report`'s log reader
 * (module/host/cli/report_read.c) and what reads its rows: the grouping
 * into reports (report_agg.c) and the RFC 9990 XML writer (report_xml.c).
 *
 * The input is a report log, fed in two pieces cut where its first byte
 * says (lines arrive in blocks of any size).  Invariants: every line is
 * read as rows or skipped (a cut row joined to a whole one gives one of
 * each, report_read.c); a row's fields have the types the
 * aggregation reads; the XML has no byte XML 1.0 forbids (raw controls). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cli/report_agg.h"
#include "host/cli/report_read.h"
#include "host/cli/report_xml.h"
#include "fuzz_check.h"


typedef struct seen {
    agg a;
    size_t rows, bad;
} seen;

static void on_row(void *user, rlog_row *r)
{
    seen *s = user;
    s->rows++;
    CHECK(r->root && json_is_object(r->root) && r->time >= 0);
    CHECK(!r->published || r->dmarc);
    agg_add(&s->a, r);
}

static void on_bad(void *user, const char *file, size_t line, const char *why)
{
    seen *s = user;
    s->bad++;
    CHECK(file && line >= 1 && why && *why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seen s = {0};
    agg_filter f = {0, INT64_MAX, NULL, 0, NULL, 0, NULL, 0};
    if (agg_init(&s.a, &f) < 0)
        return 0;
    rlog_reader r;
    rlog_init(&r, "fuzz.jsonl", on_row, on_bad, &s);
    size_t cut = size ? data[0] % size : 0;
    if (rlog_feed(&r, (const char *)data, cut) == 0 &&
        rlog_feed(&r, (const char *)data + cut, size - cut) == 0)
        rlog_end(&r);
    CHECK(r.rows == s.rows && r.skipped == s.bad);
    rlog_free(&r);

    const char *domain;
    json_t *rep;
    json_object_foreach(s.a.reports, domain, rep) {
        char *xml = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&xml, &len);
        if (!mf)
            break;
        xml_meta meta = {"org", "dmarc@example.org", NULL, "id", NULL, 0, 1};
        report_xml_write(mf, &meta, domain, rep);
        fclose(mf);
        for (size_t i = 0; i < len; i++)
            CHECK((unsigned char)xml[i] >= 0x20 || xml[i] == '\n' || xml[i] == '\t' ||
                  xml[i] == '\r');
        free(xml);
    }
    agg_free(&s.a);
    return 0;
}
