/* dkim.c - DKIM verification: tags, canonicalization, keys, verdicts. */
#include "dkim.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "buf.h"

#define MAX_TAGS 64
#define MAX_SIGNATURES 32

/* One header field of the message, in the CRLF copy. */
struct header {
    const char *name;
    size_t name_len;
    const char *raw;   /* whole field including its final CRLF */
    size_t raw_len;
    size_t offset;     /* of RAW in the message's CRLF copy */
};

struct message {
    unsigned char *crlf;   /* the header section with bare LF made CRLF (owned) */
    size_t len;
    struct header *headers;
    size_t header_count;
    const unsigned char *body; /* in the caller's bytes, line ends as they are */
    size_t body_len;
};

static bool is_wsp(char c) { return c == ' ' || c == '\t'; }
static bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static char *dup_range(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static char *dup_lower(const char *s, size_t n)
{
    char *out = dup_range(s, n);
    for (size_t i = 0; out && i < n; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    return out;
}

int dkim_parse_tags(const char *text, size_t len, struct dkim_tag *tags, int max)
{
    int count = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != ';')
            end++;
        size_t a = i, b = end;
        while (a < b && is_fws(text[a]))
            a++;
        while (b > a && is_fws(text[b - 1]))
            b--;
        if (a < b) {
            const char *eq = memchr(text + a, '=', b - a);
            if (!eq)
                return -1;
            size_t name_end = (size_t)(eq - text);
            size_t n = name_end;
            while (n > a && is_fws(text[n - 1]))
                n--;
            if (n == a)
                return -1;  /* "=value": no name to read */
            /* RFC 6376 3.2: tag-name = ALPHA *ALNUMPUNC.  A name outside
             * that grammar cannot be one of the tags we rely on, and
             * unknown tags are ignored (3.2, 3.6.1): skip it rather than
             * call the whole list malformed, as dkimpy and Mail::DKIM do
             * (a signature carrying "x-origin=..." verifies there). */
            bool valid_name = isalpha((unsigned char)text[a]);
            for (size_t k = a; k < n && valid_name; k++)
                if (!isalnum((unsigned char)text[k]) && text[k] != '_')
                    valid_name = false;
            if (!valid_name) {
                i = end + 1;
                continue;
            }
            size_t v = name_end + 1;
            while (v < b && is_fws(text[v]))
                v++;
            for (int t = 0; t < count; t++)
                if (tags[t].name_len == n - a && !memcmp(tags[t].name, text + a, n - a))
                    return -1;  /* duplicate tag: the whole list is invalid */
            if (count >= max)
                return -1;
            tags[count].name = text + a;
            tags[count].name_len = n - a;
            tags[count].value = text + v;
            tags[count].value_len = b - v;
            count++;
        } else if (end < len && count == 0 && a == b && i == 0 && end == 0) {
            return -1;
        }
        i = end + 1;
    }
    return count;
}

bool dkim_is_domain_name(const char *name)
{
    /* RFC 6376 3.5 d= and s=: sub-domain *("." sub-domain), RFC 5321
     * labels of letters, digits and hyphens.  Also allowed: '_' (used in
     * real selectors) and bytes past ASCII (U-labels, RFC 8616). */
    size_t total = 0, label = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++, total++) {
        if (*c == '.') {
            if (label == 0)
                return false;   /* empty label: leading or double dot */
            label = 0;
            continue;
        }
        if (!(isalnum(*c) || *c == '-' || *c == '_' || *c >= 0x80))
            return false;
        if (++label > 63)
            return false;
    }
    return total > 0 && total <= 253 && label > 0;
}

static const struct dkim_tag *find_tag(const struct dkim_tag *tags, int count,
                                       const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < count; i++)
        if (tags[i].name_len == n && !memcmp(tags[i].name, name, n))
            return &tags[i];
    return NULL;
}

static bool tag_equals(const struct dkim_tag *tag, const char *value)
{
    return tag && tag->value_len == strlen(value)
           && !strncasecmp(tag->value, value, tag->value_len);
}

/* Is WORD one of the ':'-separated items of TAG's value (case-insensitive)? */
static bool tag_list_has(const struct dkim_tag *tag, const char *word)
{
    size_t n = strlen(word);
    size_t i = 0;
    while (i < tag->value_len) {
        size_t end = i;
        while (end < tag->value_len && tag->value[end] != ':')
            end++;
        size_t a = i, b = end;
        while (a < b && is_fws(tag->value[a]))
            a++;
        while (b > a && is_fws(tag->value[b - 1]))
            b--;
        if (b - a == n && !strncasecmp(tag->value + a, word, n))
            return true;
        i = end + 1;
    }
    return false;
}

/* Each byte's base64 digit value, or FWS (skipped), PAD ('='), BAD. */
enum { BASE64_FWS = 64, BASE64_PAD = 65, BASE64_BAD = 66 };
#define F BASE64_FWS
#define P BASE64_PAD
#define X BASE64_BAD
static const unsigned char base64_value[256] = {
    X, X, X, X, X, X, X, X, X, F, F, X, X, F, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    F, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, P, X, X,
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef F
#undef P
#undef X

/* The first pass of dkim_decode_base64, alone: whether S is base64 as
 * DKIM writes it, and how many digits it has (0 when empty). */
static bool base64_digits(const char *s, size_t len, size_t *digits)
{
    size_t count = 0, padding = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char v = base64_value[(unsigned char)s[i]];
        if (v == BASE64_FWS)
            continue;
        /* '=' only at the end, at most two; nothing but FWS after */
        if (v == BASE64_BAD || (v == BASE64_PAD && ++padding > 2) || (v < 64 && padding))
            return false;
        count += v < 64;
    }
    *digits = count;
    return count % 4 != 1;
}

/* The second pass: S, which base64_digits accepted with DIGITS digits,
 * decoded into a new buffer (NULL on ENOMEM). */
static unsigned char *decode_checked_base64(const char *s, size_t len, size_t digits,
                                            size_t *out_len)
{
    unsigned char *out = malloc(digits / 4 * 3 + 3);
    if (!out)
        return NULL;
    size_t o = 0, have = 0;
    uint32_t bits = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char v = base64_value[(unsigned char)s[i]];
        if (v >= 64)
            continue;
        bits = bits << 6 | v;
        if (++have == 4) {
            out[o++] = (unsigned char)(bits >> 16);
            out[o++] = (unsigned char)(bits >> 8);
            out[o++] = (unsigned char)bits;
            have = 0;
            bits = 0;
        }
    }
    if (have >= 2)
        out[o++] = (unsigned char)(bits >> (6 * have - 8));
    if (have == 3)
        out[o++] = (unsigned char)(bits >> (6 * have - 16));
    *out_len = o;
    return out;
}

unsigned char *dkim_decode_base64(const char *s, size_t len, size_t *out_len)
{
    /* One pass to check and count, one to decode, no cleaned copy (this
     * runs for every signature's b= and bh=: 2% of a verify rerun). */
    size_t digits;
    if (!base64_digits(s, len, &digits))
        return NULL;
    return decode_checked_base64(s, len, digits, out_len);
}

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
static mt_status message_load(const unsigned char *raw, size_t len,
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

static void message_free(struct message *m)
{
    free(m->crlf);
    free(m->headers);
}

static bool name_is(const struct header *h, const char *name)
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
static mt_status canonicalize_header(struct buf *out, const char *raw,
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
static char *without_b_value(const char *raw, size_t len, size_t *out_len)
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

static EVP_PKEY *load_key(const unsigned char *der, size_t len, bool ed25519)
{
    if (ed25519) {
        if (len != 32)
            return NULL;
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
    }
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)len);
    if (!key) {
        p = der;   /* some records carry a bare PKCS#1 RSAPublicKey */
        key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
    }
    if (key && EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

int dkim_key_record_bits(const char *record, const char **type)
{
    struct dkim_tag tags[MAX_TAGS];
    int n = dkim_parse_tags(record, strlen(record), tags, MAX_TAGS);
    *type = "rsa";
    if (n < 0)
        return 0;
    const struct dkim_tag *k = find_tag(tags, n, "k");
    const struct dkim_tag *p = find_tag(tags, n, "p");
    bool ed = tag_equals(k, "ed25519");
    if (ed)
        *type = "ed25519";
    if (!p || !p->value_len)
        return 0;
    size_t der_len;
    unsigned char *der = dkim_decode_base64(p->value, p->value_len, &der_len);
    if (!der)
        return 0;
    EVP_PKEY *key = load_key(der, der_len, ed);
    free(der);
    int bits = key ? EVP_PKEY_get_bits(key) : 0;
    EVP_PKEY_free(key);
    return bits;
}

static int compare_keys(const void *a, const void *b)
{
    const struct dkim_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

void dkim_keyring_sort(struct dkim_keyring *keyring)
{
    if (keyring->count)
        qsort(keyring->keys, keyring->count, sizeof *keyring->keys, compare_keys);
}

static size_t keyring_find(const struct dkim_keyring *k, const char *name,
                           size_t *count)
{
    size_t lo = 0, hi = k->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(k->keys[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < k->count && !strcmp(k->keys[end].name, name))
        end++;
    *count = end - lo;
    return lo;
}

#define BODY_MISMATCH_REASON "body hash mismatch (the body was altered)"

static void set_result(struct dkim_signature *s, enum dkim_result result,
                       const char *reason)
{
    s->result = result;
    free(s->reason);
    s->reason = reason ? strdup(reason) : NULL;
}

/* Everything a signature says, checked for form (RFC 6376 3.5, 6.1.1);
 * b and bh decoded by decode_signature_values. */
struct parsed_signature {
    struct dkim_tag tags[MAX_TAGS];
    int count;
    size_t b_digits, bh_digits;   /* base64 digits, counted by the check */
    bool sha1, ed25519, relaxed_header, relaxed_body;
    unsigned char *b, *bh;
    size_t b_len, bh_len;
};

static bool parse_number(const struct dkim_tag *t, int64_t *out)
{
    if (!t || t->value_len == 0 || t->value_len > 18)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        if (!isdigit((unsigned char)t->value[i]))
            return false;
        v = v * 10 + (t->value[i] - '0');
    }
    *out = v;
    return true;
}

/* i= is dkim-quoted-printable (RFC 6376 2.11): "=40" is "@". */
static char *decode_quoted_printable(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n
            && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = { s[i + 1], s[i + 2], 0 };
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else if (!is_fws(s[i])) {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static const char *check_signature_form(const struct header *h,
                                        struct parsed_signature *p,
                                        struct dkim_signature *s)
{
    const char *value = memchr(h->raw, ':', h->raw_len) + 1;
    size_t value_len = h->raw_len - (size_t)(value - h->raw);
    p->count = dkim_parse_tags(value, value_len, p->tags, MAX_TAGS);
    if (p->count < 0)
        return "malformed tag list";
    const struct dkim_tag *t;
    if ((t = find_tag(p->tags, p->count, "d")))
        s->domain = dup_lower(t->value, t->value_len);
    if ((t = find_tag(p->tags, p->count, "s")))
        s->selector = dup_lower(t->value, t->value_len);
    if ((t = find_tag(p->tags, p->count, "a")))
        s->algorithm = dup_range(t->value, t->value_len);
    if ((t = find_tag(p->tags, p->count, "i")))
        s->identity = decode_quoted_printable(t->value, t->value_len);
    if ((t = find_tag(p->tags, p->count, "h"))) {
        /* never longer than the tag value: written in place, one
         * allocation (a buf_append_char per byte cost 1% of a rerun) */
        char *names = malloc(t->value_len + 1);
        size_t n = 0, i = 0;
        while (names && i < t->value_len) {
            size_t end = i;
            while (end < t->value_len && t->value[end] != ':')
                end++;
            size_t a = i, b = end;
            while (a < b && is_fws(t->value[a]))
                a++;
            while (b > a && is_fws(t->value[b - 1]))
                b--;
            if (n)
                names[n++] = ':';
            for (size_t k = a; k < b; k++)
                names[n++] = (char)tolower((unsigned char)t->value[k]);
            i = end + 1;
        }
        if (names)
            names[n] = '\0';
        s->signed_headers = names;
    }
    const struct dkim_tag *c = find_tag(p->tags, p->count, "c");
    const char *header_c = "simple", *body_c = "simple";
    if (c) {
        const char *slash = memchr(c->value, '/', c->value_len);
        size_t hn = slash ? (size_t)(slash - c->value) : c->value_len;
        if (hn == 7 && !strncasecmp(c->value, "relaxed", 7))
            header_c = "relaxed";
        else if (!(hn == 6 && !strncasecmp(c->value, "simple", 6)))
            return "unknown header canonicalization";
        if (slash) {
            size_t bn = c->value_len - hn - 1;
            if (bn == 7 && !strncasecmp(slash + 1, "relaxed", 7))
                body_c = "relaxed";
            else if (!(bn == 6 && !strncasecmp(slash + 1, "simple", 6)))
                return "unknown body canonicalization";
        }
    }
    p->relaxed_header = header_c[0] == 'r';
    p->relaxed_body = body_c[0] == 'r';
    char canon[32];
    snprintf(canon, sizeof canon, "%s/%s", header_c, body_c);
    s->canonicalization = strdup(canon);

    const struct dkim_tag *v = find_tag(p->tags, p->count, "v");
    if (!v)
        return "missing v= tag";
    if (!tag_equals(v, "1"))
        return "unsupported version (v= is not 1)";
    /* RFC 6376 3.5: tags a=, b=, bh=, d=, h= and s= are required. */
    static const char *const required[][2] = {
        { "a", "missing a= tag" }, { "b", "missing b= tag" },
        { "bh", "missing bh= tag" }, { "d", "missing d= tag" },
        { "h", "missing h= tag" }, { "s", "missing s= tag" },
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!find_tag(p->tags, p->count, required[i][0]))
            return required[i][1];
    const struct dkim_tag *a = find_tag(p->tags, p->count, "a");
    if (tag_equals(a, "rsa-sha256")) {
    } else if (tag_equals(a, "rsa-sha1")) {
        p->sha1 = true;
    } else if (tag_equals(a, "ed25519-sha256")) {
        p->ed25519 = true;
    } else {
        return "unknown algorithm";
    }
    if (!s->domain || !*s->domain || !s->selector || !*s->selector)
        return "empty d= or s=";
    /* A d= or s= that is not a domain name names no key record: asking
     * for "s._domainkey.legitimate.com(.attacker.com" would be looking up
     * a name no DNS holds, and listing it as a key to find misleads. */
    if (!dkim_is_domain_name(s->domain))
        return "d= is not a domain name";
    if (!dkim_is_domain_name(s->selector))
        return "s= is not a selector (a dot-separated name)";
    const struct dkim_tag *q = find_tag(p->tags, p->count, "q");
    if (q && !tag_list_has(q, "dns/txt"))
        return "unsupported query method";
    const struct dkim_tag *l = find_tag(p->tags, p->count, "l");
    if (l && !parse_number(l, &s->body_length_tag))
        return "malformed l= tag";
    const struct dkim_tag *tt = find_tag(p->tags, p->count, "t");
    if (tt && !parse_number(tt, &s->signed_at))
        return "malformed t= tag";
    const struct dkim_tag *x = find_tag(p->tags, p->count, "x");
    if (x && !parse_number(x, &s->expires_at))
        return "malformed x= tag";
    if (x && tt && s->expires_at < s->signed_at)
        return "x= is earlier than t=";
    if (s->identity) {
        /* RFC 6376 3.5: the i= domain must be d= or a subdomain of it. */
        const char *at = strrchr(s->identity, '@');
        if (!at)
            return "i= has no @";
        const char *idom = at + 1;
        size_t il = strlen(idom), dl = strlen(s->domain);
        if (!(il == dl && !strcasecmp(idom, s->domain))
            && !(il > dl && idom[il - dl - 1] == '.'
                 && !strcasecmp(idom + il - dl, s->domain)))
            return "i= is not in the d= domain";
    }
    /* Checked here, decoded (decode_signature_values) only once a key is
     * found: most signatures of a dump may have none. */
    const struct dkim_tag *b = find_tag(p->tags, p->count, "b");
    if (!base64_digits(b->value, b->value_len, &p->b_digits) || !p->b_digits)
        return "b= is not base64";
    const struct dkim_tag *bh = find_tag(p->tags, p->count, "bh");
    if (!base64_digits(bh->value, bh->value_len, &p->bh_digits) || !p->bh_digits)
        return "bh= is not base64";
    return NULL;
}

/* P's b= and bh=, which check_signature_form found to be base64 (not
 * checked again). */
static mt_status decode_signature_values(struct parsed_signature *p)
{
    const struct dkim_tag *b = find_tag(p->tags, p->count, "b");
    const struct dkim_tag *bh = find_tag(p->tags, p->count, "bh");
    p->b = decode_checked_base64(b->value, b->value_len, p->b_digits, &p->b_len);
    p->bh = decode_checked_base64(bh->value, bh->value_len, p->bh_digits, &p->bh_len);
    return p->b && p->bh ? MT_OK : MT_ENOMEM;
}

/* The public key of a record's p= (k= says which kind), or NULL. */
static EVP_PKEY *key_from_tags(const struct dkim_tag *tags, int n, bool ed25519)
{
    const struct dkim_tag *pk = find_tag(tags, n, "p");
    if (!pk || pk->value_len == 0)
        return NULL;
    size_t der_len;
    unsigned char *der = dkim_decode_base64(pk->value, pk->value_len, &der_len);
    if (!der)
        return NULL;
    EVP_PKEY *key = load_key(der, der_len, ed25519);
    free(der);
    return key;
}

/* What dkim_keyring_prepare keeps per key: the parsed key and, for RSA,
 * verification contexts set up for SHA-256 and SHA-1 that each use copies
 * (cheaper than setting one up, which looks the algorithms up again). */
struct prepared_key {
    EVP_PKEY *key;
    EVP_MD_CTX *rsa_sha256, *rsa_sha1;
    EVP_MD_CTX *ed25519;   /* the same for Ed25519 */
};

/* A verification context for KEY with digest MD (NULL: Ed25519's own),
 * or NULL if OpenSSL refuses: the caller then sets one up each time. */
static EVP_MD_CTX *prepared_context(EVP_PKEY *key, const EVP_MD *md)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) != 1) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void dkim_keyring_prepare(struct dkim_keyring *keyring)
{
    if (!keyring->sha256)
        keyring->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    for (size_t i = 0; i < keyring->count; i++) {
        struct dkim_key *k = &keyring->keys[i];
        struct dkim_tag tags[MAX_TAGS];
        int n = dkim_parse_tags(k->record, strlen(k->record), tags, MAX_TAGS);
        if (n < 0 || k->prepared)
            continue;
        bool ed25519 = tag_equals(find_tag(tags, n, "k"), "ed25519");
        EVP_PKEY *key = key_from_tags(tags, n, ed25519);
        struct prepared_key *prepared = key ? calloc(1, sizeof *prepared) : NULL;
        if (!prepared) {
            EVP_PKEY_free(key);
            continue;
        }
        prepared->key = key;
        if (ed25519) {
            prepared->ed25519 = prepared_context(key, NULL);
        } else {
            prepared->rsa_sha256 = prepared_context(key, EVP_sha256());
            prepared->rsa_sha1 = prepared_context(key, EVP_sha1());
        }
        k->prepared = prepared;
    }
}

void dkim_keyring_release(struct dkim_keyring *keyring)
{
    EVP_MD_free(keyring->sha256);
    keyring->sha256 = NULL;
    for (size_t i = 0; i < keyring->count; i++) {
        struct prepared_key *prepared = keyring->keys[i].prepared;
        if (prepared) {
            EVP_PKEY_free(prepared->key);
            EVP_MD_CTX_free(prepared->rsa_sha256);
            EVP_MD_CTX_free(prepared->rsa_sha1);
            EVP_MD_CTX_free(prepared->ed25519);
            free(prepared);
        }
        keyring->keys[i].prepared = NULL;
    }
}

/* Check one key record against the signature; NULL when usable.  *KEY is
 * then a reference the caller frees. */
static const char *check_key(const struct dkim_key *entry,
                             const struct parsed_signature *p,
                             const struct dkim_signature *s, EVP_PKEY **key)
{
    const char *record = entry->record;
    struct dkim_tag tags[MAX_TAGS];
    int n = dkim_parse_tags(record, strlen(record), tags, MAX_TAGS);
    *key = NULL;
    if (n < 0)
        return "malformed key record";
    const struct dkim_tag *v = find_tag(tags, n, "v");
    if (v && (v != &tags[0] || !tag_equals(v, "DKIM1")))
        return "key record has a bad v= tag";
    const struct dkim_tag *k = find_tag(tags, n, "k");
    bool key_ed = tag_equals(k, "ed25519");
    if (k && !key_ed && !tag_equals(k, "rsa"))
        return "key record has an unknown k= type";
    if (key_ed != p->ed25519)
        return "key type (k=) does not match the signature algorithm";
    const struct dkim_tag *h = find_tag(tags, n, "h");
    if (h && !tag_list_has(h, p->sha1 ? "sha1" : "sha256"))
        return "key record does not allow this hash (h=)";
    const struct dkim_tag *svc = find_tag(tags, n, "s");
    if (svc && !tag_list_has(svc, "*") && !tag_list_has(svc, "email"))
        return "key record is not for email (s=)";
    const struct dkim_tag *t = find_tag(tags, n, "t");
    if (t && tag_list_has(t, "s") && s->identity) {
        const char *at = strrchr(s->identity, '@');
        if (at && strcasecmp(at + 1, s->domain))
            return "key record forbids subdomains in i= (t=s)";
    }
    const struct dkim_tag *pk = find_tag(tags, n, "p");
    if (!pk)
        return "key record has no p= tag";
    if (pk->value_len == 0)
        return "key revoked (empty p=)";
    const struct prepared_key *prepared = entry->prepared;
    if (prepared && EVP_PKEY_up_ref(prepared->key) == 1) {
        *key = prepared->key;
        return NULL;
    }
    size_t der_len;
    unsigned char *der = dkim_decode_base64(pk->value, pk->value_len, &der_len);
    if (!der)
        return "key record p= is not base64";
    *key = load_key(der, der_len, p->ed25519);
    free(der);
    if (!*key)
        return "key record p= is not a usable public key";
    return NULL;
}

/* SHA-256 (SHA256: fetched once, or NULL) of LEN bytes at DATA into DIGEST. */
static bool sha256_of(const EVP_MD *sha256, const void *data, size_t len,
                      unsigned char digest[32])
{
    if (!sha256)
        return SHA256(data, len, digest) != NULL;
    return EVP_Digest(data, len, digest, NULL, sha256, NULL) == 1;
}

static bool verify_with_key(EVP_PKEY *key, const struct dkim_key *entry,
                            const struct parsed_signature *p,
                            const struct buf *header_data, const EVP_MD *sha256)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const struct prepared_key *prepared = entry->prepared;
    bool ok = false;
    if (!ctx)
        return false;
    EVP_MD_CTX *rsa = !prepared || p->ed25519 ? NULL
                      : p->sha1 ? prepared->rsa_sha1 : prepared->rsa_sha256;
    if (rsa) {
        ok = EVP_MD_CTX_copy_ex(ctx, rsa) == 1
             && EVP_DigestVerifyUpdate(ctx, header_data->data, header_data->len) == 1
             && EVP_DigestVerifyFinal(ctx, p->b, p->b_len) == 1;
    } else if (p->ed25519) {
        /* RFC 8463 3: Ed25519 signs the SHA-256 hash of the header data. */
        unsigned char digest[32];
        ok = sha256_of(sha256, header_data->data, header_data->len, digest)
             && (prepared && prepared->ed25519
                 ? EVP_MD_CTX_copy_ex(ctx, prepared->ed25519) == 1
                 : EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
             && EVP_DigestVerify(ctx, p->b, p->b_len, digest, 32) == 1;
    } else {
        ok = EVP_DigestVerifyInit(ctx, NULL, p->sha1 ? EVP_sha1() : EVP_sha256(),
                                  NULL, key) == 1
             && EVP_DigestVerifyUpdate(ctx, header_data->data, header_data->len) == 1
             && EVP_DigestVerifyFinal(ctx, p->b, p->b_len) == 1;
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

static mt_status verify_one(const struct message *m, size_t sig_index,
                            const struct dkim_keyring *keys, int64_t now,
                            int from_headers, struct dkim_signature *s)
{
    struct parsed_signature p;
    struct buf data = BUF_INIT;
    mt_status status = MT_OK;
    const struct header *sig = &m->headers[sig_index];
    bool *used = NULL;
    unsigned char *canon = NULL;

    memset(&p, 0, sizeof p);
    s->body_length_tag = s->signed_at = s->expires_at = -1;
    s->key_id = -1;
    const char *problem = check_signature_form(sig, &p, s);
    if (problem) {
        set_result(s, DKIM_PERMERROR, problem);
        goto out;
    }

    /* Keys first: no key means nothing else can be said. */
    char name[600];
    snprintf(name, sizeof name, "%s._domainkey.%s", s->selector, s->domain);
    size_t key_count;
    size_t first = keyring_find(keys, name, &key_count);
    if (key_count == 0) {
        set_result(s, DKIM_NOKEY, "no key record for this selector and domain");
        goto out;
    }

    status = decode_signature_values(&p);
    if (status != MT_OK)
        goto out;

    /* Body hash (RFC 6376 3.7) */
    size_t canon_len;
    canon = dkim_canonicalize_body(m->body, m->body_len, p.relaxed_body, &canon_len);
    if (!canon) {
        status = MT_ENOMEM;
        goto out;
    }
    size_t hashed = canon_len;
    if (s->body_length_tag >= 0) {
        if ((uint64_t)s->body_length_tag > canon_len) {
            set_result(s, DKIM_PERMERROR, "l= is longer than the body");
            goto out;
        }
        hashed = (size_t)s->body_length_tag;
    }
    s->body_bytes_unsigned = (int64_t)(canon_len - hashed);
    unsigned char body_hash[32];
    size_t body_hash_len = p.sha1 ? 20 : 32;
    if (p.sha1)
        SHA1(canon, hashed, body_hash);
    else if (!sha256_of(keys->sha256, canon, hashed, body_hash)) {
        status = MT_ENOMEM;
        goto out;
    }

    /* Header data (RFC 6376 3.7, 5.4.2): bottom-up, each instance once.
     * About as long as the header section: reserved at once rather than
     * grown field by field (canonicalize_header still reserves each). */
    used = calloc(m->header_count, sizeof *used);
    if (!used || buf_reserve(&data, m->len + sig->raw_len + 64) != MT_OK) {
        status = MT_ENOMEM;
        goto out;
    }
    const char *list = s->signed_headers;
    bool from_signed = false;
    while (list && *list) {
        const char *colon = strchr(list, ':');
        size_t n = colon ? (size_t)(colon - list) : strlen(list);
        if (n == 4 && !strncmp(list, "from", 4))
            from_signed = true;
        for (size_t k = m->header_count; k-- > 0;) {
            if (used[k] || m->headers[k].name_len != n
                || strncasecmp(m->headers[k].name, list, n))
                continue;
            used[k] = true;
            if (canonicalize_header(&data, m->headers[k].raw, m->headers[k].raw_len,
                                    p.relaxed_header, true) != MT_OK) {
                status = MT_ENOMEM;
                goto out;
            }
            break;
        }
        list += n + (colon ? 1 : 0);
    }
    size_t stripped_len;
    char *stripped = without_b_value(sig->raw, sig->raw_len, &stripped_len);
    if (!stripped) {
        status = MT_ENOMEM;
        goto out;
    }
    status = canonicalize_header(&data, stripped, stripped_len, p.relaxed_header, false);
    free(stripped);
    if (status != MT_OK)
        goto out;

    bool body_ok = p.bh_len == body_hash_len && !memcmp(p.bh, body_hash, body_hash_len);
    const char *last_problem = NULL;
    bool any_usable = false;
    for (size_t k = first; k < first + key_count; k++) {
        EVP_PKEY *key;
        const char *key_problem = check_key(&keys->keys[k], &p, s, &key);
        if (key_problem) {
            last_problem = key_problem;
            continue;
        }
        any_usable = true;
        s->key_bits = EVP_PKEY_get_bits(key);
        s->key_id = keys->keys[k].id;
        bool ok = body_ok && verify_with_key(key, &keys->keys[k], &p, &data, keys->sha256);
        EVP_PKEY_free(key);
        if (ok) {
            set_result(s, DKIM_PASS, NULL);
            break;
        }
        set_result(s, DKIM_FAIL, body_ok ? "signature does not verify (a signed header"
                                           " or the signature was altered)"
                                         : BODY_MISMATCH_REASON);
    }
    if (!any_usable) {
        set_result(s, DKIM_PERMERROR, last_problem);
        s->key_bits = 0;
        s->key_id = -1;
    }
    if (s->result == DKIM_PASS) {
        if (p.sha1)
            s->weaknesses |= DKIM_WEAK_SHA1;
        if (!p.ed25519 && s->key_bits < 1024)
            s->weaknesses |= DKIM_WEAK_SHORT_KEY;
        if (!from_signed)
            s->weaknesses |= DKIM_WEAK_FROM_NOT_SIGNED;
        if (from_headers != 1)
            s->weaknesses |= DKIM_WEAK_MULTIPLE_FROM;
        if (s->body_bytes_unsigned > 0)
            s->weaknesses |= DKIM_WEAK_PARTIAL_BODY;
        if (s->expires_at >= 0 && s->expires_at < now)
            s->weaknesses |= DKIM_WEAK_EXPIRED;
    }
out:
    free(canon);
    free(used);
    free(p.b);
    free(p.bh);
    buf_free(&data);
    return status;
}

/* Whether the header block of RAW has a field named NAME (with its ':'). */
static bool has_header_field(const unsigned char *raw, size_t len, const char *name)
{
    size_t name_len = strlen(name);
    size_t i = 0;
    while (i < len) {
        if (len - i >= name_len && !strncasecmp((const char *)raw + i, name, name_len))
            return true;
        const unsigned char *nl = memchr(raw + i, '\n', len - i);
        if (!nl)
            return false;
        i = (size_t)(nl - raw) + 1;
        if (i < len && (raw[i] == '\n' || (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')))
            return false;  /* end of the header block */
    }
    return false;
}

bool dkim_has_signature(const unsigned char *raw, size_t len)
{
    return has_header_field(raw, len, "dkim-signature:");
}

bool dkim_has_domainkey_signature(const unsigned char *raw, size_t len)
{
    return has_header_field(raw, len, "domainkey-signature:");
}

/* The email's verdict from its signatures' results (CONTRACT). */
static enum dkim_verdict verdict_of(const struct dkim_report *r)
{
    bool any_pass = false, any_clean_pass = false, any_checked = false;
    for (size_t i = 0; i < r->count; i++) {
        const struct dkim_signature *s = &r->signatures[i];
        if (s->result == DKIM_PASS) {
            any_pass = true;
            if (!s->weaknesses)
                any_clean_pass = true;
        }
        if (s->result != DKIM_NOKEY)
            any_checked = true;
    }
    return r->count == 0 ? DKIM_UNSIGNED
         : any_clean_pass ? DKIM_VERIFIED
         : any_pass ? DKIM_WEAK
         : any_checked ? DKIM_FAILED
         : DKIM_NOKEY_VERDICT;
}

bool dkim_report_body_mismatch(const struct dkim_report *r)
{
    for (size_t i = 0; r && i < r->count; i++)
        if (r->signatures[i].result == DKIM_FAIL && r->signatures[i].reason
            && !strcmp(r->signatures[i].reason, BODY_MISMATCH_REASON))
            return true;
    return false;
}

mt_status dkim_verify_message(const unsigned char *raw, size_t len,
                              const struct dkim_keyring *keys, int64_t now,
                              struct dkim_report **out)
{
    struct message m;
    struct dkim_report *r = calloc(1, sizeof *r);
    mt_status status;
    *out = NULL;
    if (!r)
        return MT_ENOMEM;
    status = message_load(raw, len, &m);
    if (status != MT_OK)
        goto out;
    size_t signatures = 0;
    for (size_t i = 0; i < m.header_count; i++) {
        if (name_is(&m.headers[i], "from"))
            r->from_headers++;
        if (name_is(&m.headers[i], "dkim-signature"))
            signatures++;
    }
    if (signatures > MAX_SIGNATURES)
        signatures = MAX_SIGNATURES;
    r->signatures = calloc(signatures ? signatures : 1, sizeof *r->signatures);
    if (!r->signatures) {
        status = MT_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < m.header_count && r->count < signatures; i++) {
        if (!name_is(&m.headers[i], "dkim-signature"))
            continue;
        status = verify_one(&m, i, keys, now, r->from_headers,
                            &r->signatures[r->count++]);
        if (status != MT_OK)
            goto out;
    }
    r->verdict = verdict_of(r);
out:
    message_free(&m);
    if (status != MT_OK) {
        dkim_report_free(r);
        return status;
    }
    *out = r;
    return MT_OK;
}

mt_status dkim_report_mark_truncated(struct dkim_report *r)
{
    for (size_t i = 0; i < r->count; i++) {
        struct dkim_signature *s = &r->signatures[i];
        if (s->result != DKIM_FAIL || !s->reason || strcmp(s->reason, BODY_MISMATCH_REASON))
            continue;
        set_result(s, DKIM_PERMERROR, "the message was cut at ingest (over the size limit): "
                                      "its body cannot be checked");
        if (!s->reason)
            return MT_ENOMEM;
    }
    r->verdict = verdict_of(r);
    return MT_OK;
}

void dkim_report_free(struct dkim_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        struct dkim_signature *s = &r->signatures[i];
        free(s->domain);
        free(s->selector);
        free(s->algorithm);
        free(s->canonicalization);
        free(s->signed_headers);
        free(s->identity);
        free(s->reason);
    }
    free(r->signatures);
    free(r);
}

const char *dkim_result_name(enum dkim_result result)
{
    switch (result) {
    case DKIM_PASS: return "pass";
    case DKIM_FAIL: return "fail";
    case DKIM_PERMERROR: return "permerror";
    case DKIM_NOKEY: return "nokey";
    }
    return "permerror";
}

const char *dkim_verdict_name(enum dkim_verdict verdict)
{
    switch (verdict) {
    case DKIM_VERIFIED: return "verified";
    case DKIM_WEAK: return "weak";
    case DKIM_FAILED: return "failed";
    case DKIM_NOKEY_VERDICT: return "nokey";
    case DKIM_UNSIGNED: return "unsigned";
    }
    return "failed";
}

void dkim_weakness_names(unsigned weaknesses, char *out, size_t size)
{
    static const char *const names[] = { "sha1", "short_key", "from_not_signed",
                                         "multiple_from", "partial_body", "expired" };
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 6; i++) {
        if (!(weaknesses & (1u << i)))
            continue;
        int n = snprintf(out + used, size - used, "%s%s", used ? "," : "", names[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}
