/* text.c - UTF-8 validation and windows-1252 fallback decoding. */
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* windows-1252 0x80..0x9F; the five undefined bytes map to the C1 control
 * of the same value, as the WHATWG encoding standard does. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Length of the UTF-8 sequence at S, 0 if none starts there; *CODEPOINT
 * gets its value. */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned *codepoint)
{
    if (len == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *codepoint = c;
        return 1;
    }
    size_t need;
    unsigned min;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *codepoint = cp;
    return need;
}

size_t text_utf8_sequence_length(const unsigned char *s, size_t len)
{
    unsigned codepoint;
    return utf8_decode(s, len, &codepoint);
}

bool text_is_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = text_utf8_sequence_length(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Characters that change how a terminal shows what follows them. */
static bool is_terminal_control(unsigned cp)
{
    return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F)
        || cp == 0x061C || cp == 0x200E || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

mt_status text_escape_controls(const char *s, size_t len, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        /* copy the longest run of harmless characters at once */
        unsigned cp = 0;
        size_t n = 0;
        while (i < len && (n = utf8_decode(p + i, len - i, &cp)) != 0 && !is_terminal_control(cp))
            i += n;
        if (i > start && buf_append(out, s + start, i - start) != MT_OK)
            return MT_ENOMEM;
        if (i >= len)
            break;
        /* the loop stopped at p[i]: n and cp say what is there (n 0: no UTF-8) */
        mt_status st = n <= 1 ? buf_printf(out, "\\x%02x", p[i])
                              : buf_printf(out, "\\u%04x", cp);
        if (st != MT_OK)
            return st;
        i += n ? n : 1;
    }
    return MT_OK;
}

size_t text_encode_codepoint(unsigned cp, char tmp[4])
{
    size_t n;
    if (cp < 0x80) {
        tmp[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return n;
}

mt_status text_append_codepoint(struct buf *out, unsigned cp)
{
    char tmp[4];
    return buf_append(out, tmp, text_encode_codepoint(cp, tmp));
}

unsigned text_cp1252_codepoint(unsigned char c)
{
    if (c == 0)
        return 0xFFFD;
    if (c >= 0x80 && c <= 0x9F)
        return cp1252_high[c - 0x80];
    return c;
}

mt_status text_append_cp1252(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        mt_status st = text_append_codepoint(out, text_cp1252_codepoint(p[i]));
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

mt_status text_append_utf8_or_cp1252(struct buf *out, const char *s,
                                     size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (buf_reserve(out, len) != MT_OK)
        return MT_ENOMEM;
    while (i < len) {
        size_t run = i;
        /* Copy runs of plain ASCII (not NUL) in one go. */
        while (run < len && p[run] < 0x80 && p[run] != 0)
            run++;
        if (run > i && buf_append(out, p + i, run - i) != MT_OK)
            return MT_ENOMEM;
        i = run;
        if (i >= len)
            break;
        size_t n = p[i] ? text_utf8_sequence_length(p + i, len - i) : 0;
        mt_status st;
        if (n > 0) {
            st = buf_append(out, p + i, n);
            i += n;
        } else {
            st = text_append_codepoint(out, text_cp1252_codepoint(p[i]));
            i++;
        }
        if (st != MT_OK)
            return st;
    }
    return MT_OK;
}

/* Base letters of U+00C0..U+017F; '\0' where there is no single base
 * letter (Æ, Œ, ß, ×, ...), which then only changes case. */
static const char latin_base[] =
    "aaaaaa\0ceeeeiiii" "dnooooo\0ouuuuy\0\0"  /* U+00C0..U+00DF */
    "aaaaaa\0ceeeeiiii" "dnooooo\0ouuuuy\0y"   /* U+00E0..U+00FF */
    "aaaaaaccccccccdd" "ddeeeeeeeeeegggg"      /* U+0100..U+011F */
    "gggghhhhiiiiiiii" "ii\0\0jjkkklllllll"    /* U+0120..U+013F */
    "lllnnnnnnnnnoooo" "oo\0\0rrrrrrssssss"    /* U+0140..U+015F */
    "sstttttt" "uuuuuuuu" "uuuuwwyyyzzzzzzs";  /* U+0160..U+017F */

static unsigned fold_codepoint(unsigned cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7) {
        char base = latin_base[cp - 0xC0];
        if (base)
            return (unsigned char)base;
        if (cp >= 0xC0 && cp <= 0xDE)
            return cp + 32;          /* Æ -> æ, Þ -> þ */
        if (cp >= 0x100 && !(cp & 1))
            return cp + 1;           /* Ĳ -> ĳ, Œ -> œ */
    }
    /* Greek: capitals, and the tonos dropped as remove_diacritics does */
    if (cp >= 0x386 && cp <= 0x3CE) {
        switch (cp) {
        case 0x386: case 0x3AC: return 0x3B1;
        case 0x388: case 0x3AD: return 0x3B5;
        case 0x389: case 0x3AE: return 0x3B7;
        case 0x38A: case 0x3AF: return 0x3B9;
        case 0x38C: case 0x3CC: return 0x3BF;
        case 0x38E: case 0x3CD: return 0x3C5;
        case 0x38F: case 0x3CE: return 0x3C9;
        }
        if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
            return cp + 32;
        return cp == 0x3C2 ? 0x3C3 : cp;   /* final sigma, as case folding does */
    }
    /* Cyrillic capitals */
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    return cp;
}

bool text_contains_folded(const char *s, size_t len, const char *needle, size_t needle_len)
{
    if (needle_len == 0)
        return true;
    /* Most names and addresses are ASCII: folded on the stack, no
     * allocation (this runs on every address row a name search scans). */
    char small[256];
    size_t i = 0;
    while (i < len && i < sizeof small && !((unsigned char)s[i] & 0x80)) {
        small[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
        i++;
    }
    if (i == len)
        return memmem(small, len, needle, needle_len) != NULL;
    struct buf folded = BUF_INIT;
    bool found = text_fold(s, len, &folded) == MT_OK
                 && memmem(buf_cstr(&folded), folded.len, needle, needle_len) != NULL;
    buf_free(&folded);
    return found;
}

/* Decode one UTF-8 sequence at S (validated by the caller's data being
 * UTF-8); *USED gets its length.  Invalid bytes decode as themselves. */
static unsigned decode_utf8(const unsigned char *s, size_t len, size_t *used)
{
    size_t n = text_utf8_sequence_length(s, len);
    if (n <= 1) {
        *used = 1;
        return s[0];
    }
    unsigned cp = s[0] & (0xFF >> (n + 1));
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    *used = n;
    return cp;
}

mt_status text_fold(const char *s, size_t len, struct buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t used;
        unsigned cp = decode_utf8(u + i, len - i, &used);
        mt_status status = text_append_codepoint(out, fold_codepoint(cp));
        if (status != MT_OK)
            return status;
        i += used;
    }
    return MT_OK;
}

static bool is_word_codepoint(unsigned cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')
               || (cp >= 'A' && cp <= 'Z');
    /* Latin-1 punctuation and symbols, general punctuation, spaces. */
    if ((cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7)
        return false;
    if ((cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF
        || cp == 0xFFFD)
        return false;
    return true;
}

bool text_next_word(const char *s, size_t len, size_t *position, size_t *start)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = *position;
    while (i < len) {
        size_t used;
        unsigned cp = decode_utf8(u + i, len - i, &used);
        if (is_word_codepoint(cp))
            break;
        i += used;
    }
    if (i >= len)
        return false;
    *start = i;
    while (i < len) {
        size_t used;
        unsigned cp = decode_utf8(u + i, len - i, &used);
        if (!is_word_codepoint(cp))
            break;
        i += used;
    }
    *position = i;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool text_parse_date(const char *s, size_t n, int64_t *from, int64_t *to)
{
    unsigned y = 0, m = 1, d = 1;
    int parts;
    char tail;
    char copy[16];
    if (n == 0 || n >= sizeof copy)
        return false;
    memcpy(copy, s, n);
    copy[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)copy[i]) && copy[i] != '-' && copy[i] != '/')
            return false;
    for (size_t i = 0; i < n; i++)
        if (copy[i] == '/')
            copy[i] = '-';
    if (n == 4 && sscanf(copy, "%4u%c", &y, &tail) == 1)
        parts = 1;
    else if (n == 7 && sscanf(copy, "%4u-%2u%c", &y, &m, &tail) == 2)
        parts = 2;
    else if (n == 10 && sscanf(copy, "%4u-%2u-%2u%c", &y, &m, &d, &tail) == 3)
        parts = 3;
    else
        return false;
    static const unsigned month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1])
        return false;
    *from = days_from_civil(y, m, d) * 86400;
    if (parts == 1)
        *to = days_from_civil(y + 1, 1, 1) * 86400;
    else if (parts == 2)
        *to = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
    else
        *to = *from + 86400;
    return true;
}

void text_format_date(int64_t seconds, char *out, size_t size)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void text_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

bool text_date_zone(const char *date_header, int *offset_minutes)
{
    if (!date_header)
        return false;
    /* the last word that is a zone: "+0200", "-0500", or a name RFC 5322
     * 4.3 keeps (obsolete, still written) */
    static const struct { const char *name; int minutes; } names[] = {
        { "UT", 0 }, { "GMT", 0 }, { "Z", 0 }, { "EST", -300 }, { "EDT", -240 },
        { "CST", -360 }, { "CDT", -300 }, { "MST", -420 }, { "MDT", -360 },
        { "PST", -480 }, { "PDT", -420 },
    };
    bool found = false;
    const char *p = date_header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '(')
            p++;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '(')
            p++;
        size_t n = (size_t)(p - start);
        if (n == 5 && (start[0] == '+' || start[0] == '-')
            && start[1] >= '0' && start[1] <= '9' && start[2] >= '0' && start[2] <= '9'
            && start[3] >= '0' && start[3] <= '5' && start[4] >= '0' && start[4] <= '9') {
            int minutes = ((start[1] - '0') * 10 + (start[2] - '0')) * 60
                          + (start[3] - '0') * 10 + (start[4] - '0');
            if (minutes <= 14 * 60) {
                *offset_minutes = start[0] == '-' ? -minutes : minutes;
                found = true;
            }
            continue;
        }
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && !strncmp(names[i].name, start, n)) {
                *offset_minutes = names[i].minutes;
                found = true;
            }
        if (*p == '(') {              /* a comment: "(CET)" says nothing sure */
            while (*p && *p != ')')
                p++;
        }
    }
    return found;
}

void text_format_local_date(int64_t seconds, int offset_minutes, char *out, size_t size)
{
    time_t t = (time_t)(seconds + (int64_t)offset_minutes * 60);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
}

mt_status text_format_address(struct buf *out, const char *name,
                                const char *address)
{
    if (name && *name && address && *address)
        return buf_printf(out, "%s <%s>", name, address);
    if (address && *address)
        return buf_append_str(out, address);
    if (name && *name)
        return buf_append_str(out, name);
    return MT_OK;
}
