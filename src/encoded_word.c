/* encoded_word.c - padded base64 encoded words rewritten in Q encoding,
 * for GMime (encoded_word.h). */
#include "encoded_word.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static size_t header_block_length(const unsigned char *d, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (d[i] != '\n')
            continue;
        if (d[i + 1] == '\n')
            return i + 1;
        if (d[i + 1] == '\r' && i + 2 < len && d[i + 2] == '\n')
            return i + 1;
    }
    return len;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* The encoded word at D (up to END): its length, and where its charset
 * and payload are; 0 when D does not start a B-encoded word. */
static size_t b_word(const unsigned char *d, const unsigned char *end,
                     size_t *charset_len, const unsigned char **payload, size_t *payload_len)
{
    if (end - d < 8 || d[0] != '=' || d[1] != '?')
        return 0;
    const unsigned char *p = d + 2;
    while (p < end && *p != '?' && *p > ' ' && *p < 127)
        p++;
    if (p + 3 >= end || *p != '?' || p == d + 2 || (p[1] != 'B' && p[1] != 'b') || p[2] != '?')
        return 0;
    *charset_len = (size_t)(p - (d + 2));
    const unsigned char *q = p + 3, *start = q;
    while (q < end && (b64_value(*q) >= 0 || *q == '='))
        q++;
    if (q + 1 >= end || q[0] != '?' || q[1] != '=')
        return 0;
    *payload = start;
    *payload_len = (size_t)(q - start);
    return (size_t)(q + 2 - d);
}

static bool append_q(struct buf *out, const unsigned char *charset, size_t charset_len,
                     const unsigned char *payload, size_t n)
{
    if (buf_append(out, "=?", 2) != MT_OK || buf_append(out, charset, charset_len) != MT_OK
        || buf_append(out, "?Q?", 3) != MT_OK)
        return false;
    unsigned acc = 0;
    int bits = 0;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(payload[i]);
        if (v < 0)
            break; /* padding: the end of the data */
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits < 8)
            continue;
        bits -= 8;
        unsigned char c = (unsigned char)(acc >> bits);
        acc &= (1u << bits) - 1;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                     || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
        char esc[3] = { '=', hex[c >> 4], hex[c & 15] };
        if (buf_append(out, plain ? (const char *)&c : esc, plain ? 1 : 3) != MT_OK)
            return false;
    }
    return buf_append(out, "?=", 2) == MT_OK;
}

unsigned char *encoded_word_requote(const unsigned char *raw, size_t len, size_t *out_len)
{
    size_t header = header_block_length(raw, len);
    /* a word whose payload ends in padding: "=?=" or "==?=" */
    if (!memmem(raw, header, "=?=", 3))
        return NULL;
    struct buf out = BUF_INIT;
    const unsigned char *p = raw, *end = raw + header;
    if (buf_reserve(&out, len + 64) != MT_OK)
        return NULL;
    while (p < end) {
        size_t charset_len, payload_len;
        const unsigned char *payload;
        size_t w = b_word(p, end, &charset_len, &payload, &payload_len);
        if (w == 0) {
            buf_append_char(&out, (char)*p++);
            continue;
        }
        if (!append_q(&out, p + 2, charset_len, payload, payload_len)) {
            buf_free(&out);
            return NULL;
        }
        p += w;
    }
    if (buf_append(&out, end, len - header) != MT_OK) {
        buf_free(&out);
        return NULL;
    }
    *out_len = out.len;
    return (unsigned char *)out.data;
}
