/* dkim_canon.c - canonicalization (part of the dkim module, dkim_int.h):
 * the header section copied as CRLF and split into fields, relaxed and
 * simple header and body canonicalization (RFC 6376 3.4), the signature
 * field without its b= value. */
#include "dkim_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "buf.h"

/* Append LF at I of IN as CRLF to OUT at O: its CR is already out if IN
 * has one before it; a bare LF gets one (IN starts after a line end, so an
 * LF there is bare).  Returns the new O. */
static size_t put_line_end(const unsigned char *in, size_t i, unsigned char *out, size_t o)
{
    if (i == 0 || in[i - 1] != '\r')
        out[o++] = '\r';
    out[o++] = '\n';
    return o;
}

/* Append the line of IN from I to LINE_END (an LF, or the end of IN when
 * HAS_LF is false) to OUT at O, its LF as CRLF.  Returns the new O. */
static size_t copy_line_as_crlf(const unsigned char *in, size_t i, size_t line_end,
                                bool has_lf, unsigned char *out, size_t o)
{
    memcpy(out + o, in + i, line_end - i);
    o += line_end - i;
    return has_lf ? put_line_end(in, line_end, out, o) : o;
}

/* Copy LEN bytes of IN to OUT (room for 2 * LEN) with every bare LF made
 * CRLF, a line at a time (memchr and memcpy: a byte-at-a-time copy was a
 * fifth of verify's own time).  Returns the bytes written. */
static size_t copy_as_crlf(const unsigned char *in, size_t len, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        const unsigned char *nl = memchr(in + i, '\n', len - i);
        size_t line_end = nl ? (size_t)(nl - in) : len;
        o = copy_line_as_crlf(in, i, line_end, nl != NULL, out, o);
        i = line_end + 1;
    }
    return o;
}

/* Add the field at OFFSET of OUT (M's CRLF copy, being made), LEN bytes,
 * to M's fields; their pointers are set once the copy is complete (it may
 * move as it grows).  A line without a colon is not a header field and is
 * ignored, as DKIM does. */
static mt_status add_field(struct message *m, size_t *capacity, const unsigned char *out,
                           size_t offset, size_t len)
{
    const char *text = (const char *)out + offset;
    const char *colon = memchr(text, ':', len);
    if (!colon)
        return MT_OK;
    if (m->header_count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 32;
        struct header *bigger = realloc(m->headers, grown * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        m->headers = bigger;
        *capacity = grown;
    }
    struct header *h = &m->headers[m->header_count++];
    h->offset = offset;
    h->name_len = (size_t)(colon - text);
    while (h->name_len && is_wsp(text[h->name_len - 1]))
        h->name_len--;
    h->raw_len = len;
    return MT_OK;
}

/* Make the CRLF copy of the header section and find its fields in one
 * pass over its lines (memchr per line: a field runs on over lines that
 * start with WSP; an empty line ends the section).  The body stays in RAW
 * (dkim_canonicalize_body makes its LFs CRLF as it goes: one pass over it
 * instead of a copy and then a canonical copy). */
mt_status dkim_message_load(const unsigned char *raw, size_t len,
                              struct message *m)
{
    memset(m, 0, sizeof *m);
    /* Most header sections fit the first guess; one that does not doubles
     * it (a whole message's worth, twice over for LFs, would be wasted on
     * a large attachment). */
    size_t out_capacity = (len < 4096 ? 2 * len : 8192) + 3;
    unsigned char *out = malloc(out_capacity);
    if (!out)
        return MT_ENOMEM;
    m->crlf = out;
    size_t o = 0, capacity = 0, field_start = 0, i = 0, body_start = len;
    bool in_field = false;
    while (i < len) {
        if (raw[i] == '\n') {
            body_start = i + 1;
            break;
        }
        if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n') {
            body_start = i + 2;
            break;
        }
        if (!in_field || !is_wsp((char)raw[i])) {
            if (in_field && add_field(m, &capacity, out, field_start, o - field_start) != MT_OK)
                return MT_ENOMEM;
            field_start = o;
            in_field = true;
        }
        const unsigned char *nl = memchr(raw + i, '\n', len - i);
        size_t line_end = nl ? (size_t)(nl - raw) : len;
        /* the line, a CR for its LF, the LF and the final NUL */
        size_t need = o + (line_end - i) + 3;
        if (need > out_capacity) {
            size_t grown = 2 * out_capacity > need ? 2 * out_capacity : need;
            unsigned char *bigger = realloc(out, grown);
            if (!bigger)
                return MT_ENOMEM;
            m->crlf = out = bigger;
            out_capacity = grown;
        }
        o = copy_line_as_crlf(raw, i, line_end, nl != NULL, out, o);
        i = line_end + 1;
    }
    if (in_field && add_field(m, &capacity, out, field_start, o - field_start) != MT_OK)
        return MT_ENOMEM;
    m->len = o;
    out[o] = '\0';
    m->body = raw + body_start;
    m->body_len = len - body_start;
    for (size_t k = 0; k < m->header_count; k++) {
        struct header *h = &m->headers[k];
        h->raw = h->name = (const char *)out + h->offset;
    }
    return MT_OK;
}

void dkim_message_free(struct message *m)
{
    free(m->crlf);
    free(m->headers);
}

bool dkim_header_is(const struct header *h, const char *name)
{
    return h->name_len == strlen(name) && !strncasecmp(h->name, name, h->name_len);
}

/* Whether relaxed canonicalization (RFC 6376 3.4.4) must look at byte I
 * of P (LEN bytes): an LF (made CRLF), a tab (made SP), or a space that
 * starts a WSP run, ends a line or ends the body.  Anything else, a single
 * space between words included, is copied as it is. */
static bool relaxed_event_at(const unsigned char *p, size_t i, size_t len)
{
    unsigned char c = p[i];
    if (c == '\n' || c == '\t')
        return true;
    if (c != ' ')
        return false;
    if (i + 1 == len)
        return true;
    unsigned char next = p[i + 1];
    return next == ' ' || next == '\t' || next == '\r' || next == '\n';
}

/* The first index from I on (or LEN) where relaxed_event_at holds; 16
 * bytes at a time where SSE2 is there (every x86-64): a body has about one
 * such place a line, where testing each space was one every word. */
static size_t next_relaxed_event(const unsigned char *p, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'),
                  lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    /* 17 bytes: each byte's successor is read too */
    while (len - i >= 17) {
        __m128i here = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
        __m128i next_ends_word = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(next, space), _mm_cmpeq_epi8(next, tab)),
            _mm_or_si128(_mm_cmpeq_epi8(next, cr), _mm_cmpeq_epi8(next, lf)));
        __m128i event = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(here, lf), _mm_cmpeq_epi8(here, tab)),
            _mm_and_si128(_mm_cmpeq_epi8(here, space), next_ends_word));
        unsigned mask = (unsigned)_mm_movemask_epi8(event);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i < len && !relaxed_event_at(p, i, len))
        i++;
    return i;
}

unsigned char *dkim_canonicalize_body(const unsigned char *body, size_t len,
                                      bool relaxed, size_t *out_len)
{
    /* every byte an LF made CRLF, and a final CRLF */
    unsigned char *out = malloc(2 * len + 3);
    size_t o = 0;
    if (!out)
        return NULL;
    if (!relaxed) {
        o = copy_as_crlf(body, len, out);
    } else {
        /* RFC 6376 3.4.4: drop WSP at line ends, reduce WSP runs to one SP */
        size_t i = 0;
        while (i < len) {
            size_t j = next_relaxed_event(body, i, len);
            memcpy(out + o, body + i, j - i);
            o += j - i;
            if (j == len)
                break;
            if (body[j] == '\n') {
                o = put_line_end(body, j, out, o);
                i = j + 1;
                continue;
            }
            while (j < len && is_wsp((char)body[j]))
                j++;
            if ((j + 1 < len && body[j] == '\r' && body[j + 1] == '\n')
                || (j < len && body[j] == '\n'))
                ; /* trailing WSP: dropped */
            else if (j < len)
                out[o++] = ' ';
            i = j;
        }
    }
    /* Both: remove empty lines at the end, end with one CRLF. */
    while (o >= 4 && !memcmp(out + o - 4, "\r\n\r\n", 4))
        o -= 2;
    if (o == 2 && !memcmp(out, "\r\n", 2))
        o = 0;
    if (o > 0 && (o < 2 || memcmp(out + o - 2, "\r\n", 2))) {
        out[o++] = '\r';
        out[o++] = '\n';
    }
    if (!relaxed && o == 0) {
        /* RFC 6376 3.4.3: an empty body is one CRLF in simple. */
        out[o++] = '\r';
        out[o++] = '\n';
    }
    *out_len = o;
    return out;
}

/* Append the canonical form of one header field to OUT. */
mt_status dkim_canonicalize_header(struct buf *out, const char *raw,
                                     size_t len, bool relaxed, bool final_crlf)
{
    if (!relaxed) {
        size_t n = len;
        if (!final_crlf && n >= 2 && !memcmp(raw + n - 2, "\r\n", 2))
            n -= 2;
        return buf_append(out, raw, n);
    }
    const char *colon = memchr(raw, ':', len);
    if (!colon)
        return MT_OK;
    size_t name_len = (size_t)(colon - raw);
    while (name_len && is_wsp(raw[name_len - 1]))
        name_len--;
    /* The canonical form is never longer than the field plus CRLF. */
    if (buf_reserve(out, len + 3) != MT_OK)
        return MT_ENOMEM;
    char *o = out->data + out->len;
    for (size_t i = 0; i < name_len; i++)
        *o++ = (char)tolower((unsigned char)raw[i]);
    *o++ = ':';
    size_t i = (size_t)(colon - raw) + 1;
    bool pending_space = false, started = false;
    for (; i < len; i++) {
        char c = raw[i];
        if (c == '\r' || c == '\n' || is_wsp(c)) {
            pending_space = started;
            continue;
        }
        if (pending_space)
            *o++ = ' ';
        pending_space = false;
        started = true;
        *o++ = c;
    }
    if (final_crlf) {
        *o++ = '\r';
        *o++ = '\n';
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return MT_OK;
}

/* The DKIM-Signature field with the value of its b= tag removed. */
char *dkim_without_b_value(const char *raw, size_t len, size_t *out_len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    const char *colon = memchr(raw, ':', len);
    size_t i = colon ? (size_t)(colon - raw) + 1 : len;
    memcpy(out, raw, i);
    size_t o = i;
    while (i < len) {
        size_t end = i;
        while (end < len && raw[end] != ';')
            end++;
        size_t a = i;
        while (a < end && is_fws(raw[a]))
            a++;
        size_t n = a;
        while (n < end && raw[n] != '=' && !is_fws(raw[n]))
            n++;
        size_t eq = n;
        while (eq < end && is_fws(raw[eq]))
            eq++;
        if (n - a == 1 && raw[a] == 'b' && eq < end && raw[eq] == '=') {
            memcpy(out + o, raw + i, eq + 1 - i);
            o += eq + 1 - i;
            /* keep a final line end, which is not part of the value */
            size_t tail = end;
            while (tail > eq + 1 && (raw[tail - 1] == '\r' || raw[tail - 1] == '\n'))
                tail--;
            memcpy(out + o, raw + tail, end - tail);
            o += end - tail;
        } else {
            memcpy(out + o, raw + i, end - i);
            o += end - i;
        }
        if (end < len)
            out[o++] = ';';
        i = end + 1;
    }
    *out_len = o;
    return out;
}

