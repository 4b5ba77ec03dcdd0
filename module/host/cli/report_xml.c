/* report_xml.c - the RFC 9990 aggregate report (see report_xml.h).
 * Element order follows docs/dmarc-report.xsd; optional elements are left
 * out when the row has no value for them.
 * Own writer, not libxml2's xmlTextWriter: the document has a fixed, flat
 * shape and the one delicate part, escaping (xml_text), is small, fuzzed
 * and checked against the schema in the tests. */
#include "host/cli/report_xml.h"

#include <string.h>

void xml_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        unsigned char c = *p;
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c == '\'')
            fputs("&apos;", f);
        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            fputs("\xef\xbf\xbd", f);
        else if (c == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf)) {
            fputs("\xef\xbf\xbd", f); /* U+FFFE, U+FFFF */
            p += 2;
        } else
            fputc(c, f);
    }
}

static void el(FILE *f, const char *indent, const char *name, const char *value)
{
    if (!value)
        return;
    fprintf(f, "%s<%s>", indent, name);
    xml_text(f, value);
    fprintf(f, "</%s>\n", name);
}

static const char *text(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void metadata(FILE *f, const xml_meta *m)
{
    fputs("  <report_metadata>\n", f);
    el(f, "    ", "org_name", m->org_name);
    el(f, "    ", "email", m->email);
    el(f, "    ", "extra_contact_info", m->extra_contact);
    el(f, "    ", "report_id", m->report_id);
    fprintf(f, "    <date_range>\n      <begin>%lld</begin>\n      <end>%lld</end>\n"
               "    </date_range>\n", (long long)m->begin, (long long)m->end);
    el(f, "    ", "generator", m->generator);
    fputs("  </report_metadata>\n", f);
}

/* As published; p defaults to none (RFC 9989 4.7) when the record had
 * no valid one. */
static void policy(FILE *f, const char *domain, json_t *p, const char *method)
{
    fputs("  <policy_published>\n", f);
    el(f, "    ", "domain", domain);
    const char *pp = text(p, "p");
    el(f, "    ", "p", pp ? pp : "none");
    el(f, "    ", "sp", text(p, "sp"));
    el(f, "    ", "np", text(p, "np"));
    el(f, "    ", "adkim", text(p, "adkim"));
    el(f, "    ", "aspf", text(p, "aspf"));
    el(f, "    ", "discovery_method", method);
    el(f, "    ", "fo", text(p, "fo"));
    el(f, "    ", "testing", text(p, "t"));
    fputs("  </policy_published>\n", f);
}

/* One method's result in auth_results: its elements in schema order. */
static void auth_result(FILE *f, const char *name, json_t *r, const char *const *keys)
{
    fprintf(f, "      <%s>\n", name);
    for (; *keys; keys++)
        el(f, "        ", *keys, text(r, *keys));
    fprintf(f, "      </%s>\n", name);
}

static void record(FILE *f, json_int_t count, json_t *t)
{
    fputs("  <record>\n    <row>\n", f);
    el(f, "      ", "source_ip", text(t, "source_ip"));
    fprintf(f, "      <count>%lld</count>\n", (long long)count);
    fputs("      <policy_evaluated>\n", f);
    el(f, "        ", "disposition", text(t, "disposition"));
    el(f, "        ", "dkim", text(t, "dkim"));
    el(f, "        ", "spf", text(t, "spf"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(t, "reasons"), i, r) {
        fputs("        <reason>\n", f);
        el(f, "          ", "type", text(r, "type"));
        el(f, "          ", "comment", text(r, "comment"));
        fputs("        </reason>\n", f);
    }
    fputs("      </policy_evaluated>\n    </row>\n    <identifiers>\n", f);
    el(f, "      ", "envelope_from", text(t, "envelope_from"));
    el(f, "      ", "header_from", text(t, "header_from"));
    fputs("    </identifiers>\n    <auth_results>\n", f);
    static const char *const dkim[] = {"domain", "selector", "result", "human_result", NULL};
    static const char *const spf[] = {"domain", "scope", "result", "human_result", NULL};
    json_array_foreach(json_object_get(t, "auth_dkim"), i, r)
        auth_result(f, "dkim", r, dkim);
    auth_result(f, "spf", json_object_get(t, "auth_spf"), spf);
    fputs("    </auth_results>\n  </record>\n", f);
}

int report_xml_write(FILE *f, const xml_meta *meta, const char *domain, json_t *rep)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"
          "  <version>1.0</version>\n", f);
    metadata(f, meta);
    policy(f, domain, json_object_get(rep, "published"), text(rep, "discovery_method"));
    const char *key;
    json_t *rec;
    json_object_foreach(json_object_get(rep, "records"), key, rec)
        record(f, json_integer_value(json_object_get(rec, "count")),
               json_object_get(rec, "tuple"));
    fputs("</feedback>\n", f);
    return ferror(f) ? -1 : 0;
}
