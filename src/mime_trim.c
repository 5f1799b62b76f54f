/* mime_trim.c - the header fields GMime need not parse (mime_trim.h). */
#include "mime_trim.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool mime_trim_keeps(const char *name, size_t len)
{
    static const char *const kept[] = {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID",
        "In-Reply-To", "References", "MIME-Version",
    };
    if (len >= 8 && !strncasecmp(name, "Content-", 8))
        return true;
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        if (strlen(kept[i]) == len && !strncasecmp(name, kept[i], len))
            return true;
    return false;
}

/* The length of the field name that starts LINE (END its end, before the
 * line end), when the line is "Name:..." as mime_trim.h says; else 0. */
static size_t field_name_length(const unsigned char *line, const unsigned char *end)
{
    const unsigned char *p = line;
    while (p < end && *p >= 33 && *p <= 126 && *p != ':')
        p++;
    return p > line && p < end && *p == ':' ? (size_t)(p - line) : 0;
}

unsigned char *mime_trim_headers(const unsigned char *raw, size_t len, size_t *out_len)
{
    *out_len = 0;
    unsigned char *out = NULL;
    size_t o = 0, i = 0, dropped = 0;
    bool keeping = false, seen_field = false;
    while (i < len) {
        const unsigned char *lf = memchr(raw + i, '\n', len - i);
        if (!lf)
            break;   /* a header block that never ends: not plain */
        size_t next = (size_t)(lf - raw) + 1;
        size_t end = next - 1;
        if (end > i && raw[end - 1] == '\r')
            end--;
        if (end == i) {   /* the empty line: the body follows */
            if (!dropped)
                break;
            if (!out && !(out = malloc(len)))
                return NULL;
            memcpy(out + o, raw + i, len - i);
            *out_len = o + (len - i);
            out[*out_len] = '\0';   /* room: a dropped line was longer */
            return out;
        }
        if (memchr(raw + i, '\0', end - i) || memchr(raw + i, '\r', end - i))
            break;
        if (raw[i] == ' ' || raw[i] == '\t') {
            if (!seen_field)
                break;   /* folded onto nothing */
        } else {
            size_t name = field_name_length(raw + i, raw + end);
            if (!name)
                break;
            seen_field = true;
            keeping = mime_trim_keeps((const char *)raw + i, name);
            dropped += !keeping;
        }
        if (keeping) {
            if (!out && !(out = malloc(len)))
                return NULL;
            memcpy(out + o, raw + i, next - i);
            o += next - i;
        }
        i = next;
    }
    free(out);
    return NULL;
}
