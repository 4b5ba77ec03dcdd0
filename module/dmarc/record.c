/* record.c - DMARC policy record parser (see record.h). */
#include "dmarc/record.h"

#include <string.h>

#include <authscore.h>
#include "msg/tagvalue.h"

#define RI_DEFAULT 86400u  /* RFC 7489 6.3: ri default is one day */

static int is_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static size_t skip_wsp(const char *p, size_t len, size_t i)
{
    while (i < len && as_is_wsp(p[i]))
        i++;
    return i;
}

/* RFC 9989 4.7: v must be the first tag and its value exactly "DMARC1"
 * (dmarc-version = "v" equals %s"DMARC1"; equals = *WSP "=" *WSP). */
int as_dmarc_record_is_dmarc(const char *p, size_t len)
{
    size_t i = skip_wsp(p, len, 0);
    if (i >= len || (p[i] != 'v' && p[i] != 'V'))
        return 0;
    i = skip_wsp(p, len, i + 1);
    if (i >= len || p[i] != '=')
        return 0;
    i = skip_wsp(p, len, i + 1);
    if (len - i < 6 || memcmp(p + i, "DMARC1", 6) != 0)
        return 0;
    i = skip_wsp(p, len, i + 6);
    return i == len || p[i] == ';';
}

int as_dmarc_uri_valid(const char *p, size_t len)
{
    /* Obsolete size suffix "!" 1*DIGIT [k/m/g/t]: a literal '!' in the URI
     * itself must be percent-encoded, so the first '!' starts it. */
    const char *bang = memchr(p, '!', len);
    if (bang) {
        size_t j = (size_t)(bang - p) + 1, nd = 0;
        while (j < len && is_digit((unsigned char)p[j])) {
            j++;
            nd++;
        }
        if (nd == 0)
            return 0;
        if (j < len && strchr("kmgtKMGT", p[j]) && p[j] != '\0')
            j++;
        if (j != len)
            return 0;
        len = (size_t)(bang - p);
    }
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 3.1) */
    if (len == 0 || !is_alpha((unsigned char)p[0]))
        return 0;
    size_t i = 1;
    while (i < len && (is_alpha((unsigned char)p[i]) || is_digit((unsigned char)p[i]) ||
                       p[i] == '+' || p[i] == '-' || p[i] == '.'))
        i++;
    if (i >= len || p[i] != ':' || i + 1 >= len)
        return 0;
    /* The rest: visible ASCII without ',' (RFC 9989 4.8: commas encoded). */
    for (i++; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || c == ',')
            return 0;
    }
    return 1;
}

/* dmarc-urilist: URIs separated by *WSP "," *WSP; valid when at least
 * one element is a valid URI (RFC 9989 4.10.1: "at least one
 * syntactically valid reporting URI"). */
static int urilist_has_valid(as_span v)
{
    size_t i = 0;
    while (i <= v.len) {
        const char *c = i < v.len ? memchr(v.p + i, ',', v.len - i) : NULL;
        size_t end = c ? (size_t)(c - v.p) : v.len;
        as_span el = as_span_trim(as_span_make(v.p + i, end - i));
        if (el.len && as_dmarc_uri_valid(el.p, el.len))
            return 1;
        if (!c)
            break;
        i = end + 1;
    }
    return 0;
}

static int parse_policy(as_span v)
{
    if (as_span_ieq_cstr(v, "none"))
        return AUTHSCORE_DMARC_POLICY_NONE;
    if (as_span_ieq_cstr(v, "quarantine"))
        return AUTHSCORE_DMARC_POLICY_QUARANTINE;
    if (as_span_ieq_cstr(v, "reject"))
        return AUTHSCORE_DMARC_POLICY_REJECT;
    return AUTHSCORE_DMARC_POLICY_UNSET;
}

/* 1*ndig DIGIT into *out, at most max.  Returns 1 on success. */
static int parse_uint(as_span v, unsigned ndig, uint32_t max, uint32_t *out)
{
    if (v.len == 0 || v.len > ndig)
        return 0;
    uint64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (!is_digit((unsigned char)v.p[i]))
            return 0;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
        if (n > max)
            return 0;  /* also keeps n far from overflow */
    }
    *out = (uint32_t)n;
    return 1;
}

/* dmarc-fo (RFC 9989 4.8): colon-separated 0/1/d/s, "0" and "1"
 * exclusive, each at most once; WSP around ':' tolerated. */
static int fo_valid(as_span v)
{
    unsigned seen = 0;
    size_t i = 0;
    if (v.len == 0)
        return 0;
    for (;;) {
        i = skip_wsp(v.p, v.len, i);
        if (i >= v.len)
            return 0;
        unsigned bit;
        switch (as_ascii_lower(v.p[i])) {
        case '0': bit = 1; break;
        case '1': bit = 2; break;
        case 'd': bit = 4; break;
        case 's': bit = 8; break;
        default: return 0;
        }
        if (seen & bit)
            return 0;
        seen |= bit;
        if ((seen & 3) == 3)
            return 0;
        i = skip_wsp(v.p, v.len, i + 1);
        if (i == v.len)
            return 1;
        if (v.p[i] != ':')
            return 0;
        i++;
    }
}

static int lower_is(as_span v, char a)
{
    return v.len == 1 && as_ascii_lower(v.p[0]) == a;
}

enum {
    SEEN_P = 1u << 0, SEEN_SP = 1u << 1, SEEN_NP = 1u << 2, SEEN_PSD = 1u << 3,
    SEEN_T = 1u << 4, SEEN_ADKIM = 1u << 5, SEEN_ASPF = 1u << 6,
    SEEN_PCT = 1u << 7, SEEN_RI = 1u << 8, SEEN_FO = 1u << 9,
    SEEN_RF = 1u << 10, SEEN_RUA = 1u << 11, SEEN_RUF = 1u << 12,
    SEEN_V = 1u << 13
};

static void defaults(as_dmarc_record *r)
{
    memset(r, 0, sizeof *r);
    r->pct = 100;
    r->ri = RI_DEFAULT;
    r->fo = as_span_make("0", 1);
    r->rf = as_span_make("afrf", 4);
}

/* One tag; returns 1 when used, 0 when ignored (bad value or repeat:
 * the first occurrence wins, RFC 9989 4.8 "discarded"). */
static int apply_tag(as_dmarc_record *r, unsigned *seen, as_span n, as_span v)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        {"p", SEEN_P},       {"sp", SEEN_SP},   {"np", SEEN_NP},
        {"psd", SEEN_PSD},   {"t", SEEN_T},     {"adkim", SEEN_ADKIM},
        {"aspf", SEEN_ASPF}, {"pct", SEEN_PCT}, {"ri", SEEN_RI},
        {"fo", SEEN_FO},     {"rf", SEEN_RF},   {"rua", SEEN_RUA},
        {"ruf", SEEN_RUF},   {"v", SEEN_V},
    };
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (as_span_ieq_cstr(n, names[i].name)) {
            bit = names[i].bit;
            break;
        }
    if (bit == 0)
        return 1; /* unknown tags MUST be ignored (4.7); not an error */
    if ((*seen & bit) || bit == SEEN_V)
        return 0;
    *seen |= bit;

    uint32_t u;
    switch (bit) {
    case SEEN_P:
    case SEEN_SP:
    case SEEN_NP: {
        int pol = parse_policy(v);
        int st = pol ? AS_DMARC_TAG_VALID : AS_DMARC_TAG_INVALID;
        if (bit == SEEN_P) {
            r->p = pol;
            r->p_state = st;
        } else if (bit == SEEN_SP) {
            r->sp = pol;
            r->sp_state = st;
        } else {
            r->np = pol;
            r->np_state = st;
        }
        return pol != 0;
    }
    case SEEN_PSD:
        if (lower_is(v, 'y'))
            r->psd = AS_DMARC_PSD_Y;
        else if (lower_is(v, 'n'))
            r->psd = AS_DMARC_PSD_N;
        else if (!lower_is(v, 'u'))
            return 0;
        return 1;
    case SEEN_T:
        if (lower_is(v, 'y'))
            r->testing = 1;
        else if (!lower_is(v, 'n'))
            return 0;
        return 1;
    case SEEN_ADKIM:
    case SEEN_ASPF: {
        int strict;
        if (lower_is(v, 's'))
            strict = 1;
        else if (lower_is(v, 'r'))
            strict = 0;
        else
            return 0;
        if (bit == SEEN_ADKIM)
            r->adkim_strict = strict;
        else
            r->aspf_strict = strict;
        return 1;
    }
    case SEEN_PCT: /* RFC 7489 6.3: 1*3DIGIT, 0..100 */
        if (!parse_uint(v, 3, 100, &u))
            return 0;
        r->pct = (int)u;
        r->pct_present = 1;
        return 1;
    case SEEN_RI: /* RFC 7489 6.3: 1*32DIGIT; we keep a 32-bit value */
        if (!parse_uint(v, 32, UINT32_MAX, &u))
            return 0;
        r->ri = u;
        return 1;
    case SEEN_FO:
        if (!fo_valid(v))
            return 0;
        r->fo = v;
        return 1;
    case SEEN_RF:
        if (v.len == 0)
            return 0;
        r->rf = v;
        return 1;
    case SEEN_RUA:
        r->rua = v;
        r->rua_valid = urilist_has_valid(v);
        return r->rua_valid;
    case SEEN_RUF:
        r->ruf = v;
        return urilist_has_valid(v);
    default:
        return 0;
    }
}

int as_dmarc_record_parse(as_arena *a, const char *p, size_t len,
                          as_dmarc_record *out)
{
    defaults(out);
    if (!p || !as_dmarc_record_is_dmarc(p, len))
        return 0;

    unsigned seen = 0, nspec = 0;
    const char *first = memchr(p, ';', len);
    size_t i = first ? (size_t)(first - p) + 1 : len;  /* after v=DMARC1 */
    while (i < len) {
        const char *semi = memchr(p + i, ';', len - i);
        size_t end = semi ? (size_t)(semi - p) : len;
        as_span seg = as_span_trim(as_span_make(p + i, end - i));
        i = end + 1;
        if (seg.len == 0)
            continue; /* ";;" or the trailing ';' */
        if (++nspec > AS_DMARC_MAX_TAGS) {
            out->ignored++;
            break;
        }
        as_taglist tl;
        int rc = as_taglist_parse(a, seg.p, seg.len, 1, &tl, NULL);
        if (rc == AUTHSCORE_ENOMEM)
            return rc;
        if (rc != 0 || tl.count != 1) {
            out->ignored++;
            continue;
        }
        if (!apply_tag(out, &seen, tl.tags[0].name, tl.tags[0].value))
            out->ignored++;
    }
    return 1;
}
