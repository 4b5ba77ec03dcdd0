/* report_mime.c - see report_mime.h.
 * Own base64 encoder (RFC 2045 6.8, twenty lines): glib or OpenSSL could
 * do it, but would be a new dependency of the command for this alone. */
#include "host/cli/report_mime.h"

#include <string.h>
#include <time.h>

void mime_base64(FILE *f, const unsigned char *p, size_t n)
{
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {al[v >> 18], al[(v >> 12) & 63], i + 1 < n ? al[(v >> 6) & 63] : '=',
                     i + 2 < n ? al[v & 63] : '='};
        fwrite(q, 1, 4, f);
        col += 4;
        if (col == 76) {
            fputc('\n', f);
            col = 0;
        }
    }
    if (col)
        fputc('\n', f);
}

void mime_safe(char *dst, size_t cap, const char *s, const char *also)
{
    size_t i = 0;
    for (; s && *s && i + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        dst[i++] = c >= 0x20 && c < 0x7f && !strchr(also, c) ? (char)c : '_';
    }
    if (cap)
        dst[i] = '\0';
}

/* RFC 5322 3.3, in English whatever the locale. */
static void date(char *dst, size_t cap, int64_t when)
{
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)when;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(dst, cap, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(dst, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

int report_mime_write(FILE *f, const mime_report *r)
{
    char d[64], dom[256], org[256], id[256], file[512], from_dom[256];
    date(d, sizeof d, r->date);
    mime_safe(dom, sizeof dom, r->domain, "<>\"");
    mime_safe(org, sizeof org, r->org_name, "<>\"");
    mime_safe(id, sizeof id, r->report_id, "<>\" ");
    mime_safe(file, sizeof file, r->filename, "\"\\/ ");
    const char *at = strrchr(r->from, '@');
    mime_safe(from_dom, sizeof from_dom, at ? at + 1 : "localhost", "<>\" ");
    fprintf(f, "From: %s\nTo: %s\n", r->from, r->to);
    /* The subject RFC 9990 asks for (as RFC 7489 did): tools parse it. */
    fprintf(f, "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\n", dom, org, id);
    fprintf(f, "Date: %s\nMessage-ID: <%s.%s@%s>\nMIME-Version: 1.0\n", d, id, dom, from_dom);
    fprintf(f, "Content-Type: multipart/mixed; boundary=\"=_authscore_%s\"\n\n", id);
    fputs("This is a DMARC aggregate report (RFC 9990) in MIME format.\n\n", f);
    fprintf(f, "--=_authscore_%s\nContent-Type: text/plain; charset=us-ascii\n"
               "Content-Transfer-Encoding: 7bit\n\n", id);
    fprintf(f, "DMARC aggregate report for %s from %s, covering %lld to %lld "
               "(seconds since the epoch, UTC). The report is attached.\n\n",
            dom, org, (long long)r->begin, (long long)r->end);
    fprintf(f, "--=_authscore_%s\nContent-Type: application/gzip; name=\"%s\"\n"
               "Content-Transfer-Encoding: base64\n"
               "Content-Disposition: attachment; filename=\"%s\"\n\n", id, file, file);
    mime_base64(f, r->gz, r->gz_len);
    fprintf(f, "\n--=_authscore_%s--\n", id);
    return ferror(f) ? -1 : 0;
}
