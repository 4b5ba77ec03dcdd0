/* report_xml.h - one RFC 9990 aggregate report as XML (namespace
 * urn:ietf:params:xml:ns:dmarc-2.0), from a report of report_agg.h.
 * docs/dmarc-report.xsd is the schema the tests validate it against. */
#ifndef AS_CLI_REPORT_XML_H
#define AS_CLI_REPORT_XML_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

typedef struct xml_meta {
    const char *org_name;
    const char *email;
    const char *extra_contact;  /* or NULL */
    const char *report_id;
    const char *generator;      /* e.g. "authscore 0.1.0", or NULL */
    int64_t begin, end;         /* date_range, seconds since the epoch */
} xml_meta;

/* Write the feedback document of `domain`'s report.  Returns 0, or -1
 * when f reports a write error. */
int report_xml_write(FILE *f, const xml_meta *meta, const char *domain, json_t *rep);

/* Write s as XML character data: & < > " ' escaped, and characters XML
 * 1.0 forbids (controls other than TAB, LF, CR; U+FFFE, U+FFFF) replaced
 * by U+FFFD.  s is UTF-8 (libjansson checked it). */
void xml_text(FILE *f, const char *s);

#endif
