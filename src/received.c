/* received.c - the relays' Received fields and the dates they claim. */
#include "received.h"

#include <ctype.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* The host after the word "by" in FIELD (unfolded), or NULL. */
static char *by_host(const char *field)
{
    for (const char *p = field; (p = strcasestr(p, "by")); p += 2) {
        if ((p > field && !isspace((unsigned char)p[-1])) || !isspace((unsigned char)p[2]))
            continue;
        const char *host = p + 2;
        while (isspace((unsigned char)*host))
            host++;
        size_t n = 0;
        while (host[n] && !isspace((unsigned char)host[n]) && host[n] != ';' && n < 255)
            n++;
        return n ? strndup(host, n) : NULL;
    }
    return NULL;
}

static void read_hop(const char *field, struct received_hop *hop)
{
    memset(hop, 0, sizeof *hop);
    hop->by = by_host(field);
    const char *semicolon = strrchr(field, ';');
    if (!semicolon)
        return;
    GDateTime *date = g_mime_utils_header_decode_date(semicolon + 1);
    if (date) {
        int year = g_date_time_get_year(date);
        hop->dated = year >= 1970 && year <= 9999;
        hop->date = g_date_time_to_unix(date);
        g_date_time_unref(date);
    }
}

mt_status received_hops(const unsigned char *raw, size_t len, struct received_hop **out,
                        size_t *count)
{
    struct received_hop *hops = calloc(RECEIVED_MAX_HOPS, sizeof *hops);
    struct buf field = BUF_INIT;
    size_t n = 0, i = 0;
    bool in_received = false;
    *out = NULL;
    *count = 0;
    if (!hops)
        return MT_ENOMEM;
    mt_status status = MT_OK;
    while (i < len && status == MT_OK) {
        const unsigned char *nl = memchr(raw + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - raw) : len;
        size_t line_end = end > i && raw[end - 1] == '\r' ? end - 1 : end;
        bool blank = line_end == i;
        bool continuation = !blank && (raw[i] == ' ' || raw[i] == '\t');
        if (in_received && !continuation) {
            if (n < RECEIVED_MAX_HOPS)
                read_hop(buf_cstr(&field), &hops[n++]);
            in_received = false;
        }
        if (blank)
            break;
        if (continuation && in_received) {
            status = buf_append_char(&field, ' ');
            if (status == MT_OK)
                status = buf_append(&field, raw + i, line_end - i);
        } else if (!continuation && line_end - i >= 9
                   && !strncasecmp((const char *)raw + i, "received:", 9)) {
            in_received = true;
            buf_clear(&field);
            status = buf_append(&field, raw + i + 9, line_end - i - 9);
        }
        i = nl ? end + 1 : len;
    }
    if (in_received && n < RECEIVED_MAX_HOPS && status == MT_OK)
        read_hop(buf_cstr(&field), &hops[n++]);
    buf_free(&field);
    if (status != MT_OK) {
        received_hops_free(hops, n);
        return status;
    }
    *out = hops;
    *count = n;
    return MT_OK;
}

void received_hops_free(struct received_hop *hops, size_t count)
{
    for (size_t i = 0; hops && i < count; i++)
        free(hops[i].by);
    free(hops);
}
