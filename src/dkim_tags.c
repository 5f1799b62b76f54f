/* dkim_tags.c - DKIM's text forms (part of the dkim module, dkim_int.h):
 * tag lists (RFC 6376 3.2), d=/s= names, base64 as DKIM writes it. */
#include "dkim_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>


char *dkim_dup_range(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

char *dkim_dup_lower(const char *s, size_t n)
{
    char *out = dkim_dup_range(s, n);
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

const struct dkim_tag *dkim_find_tag(const struct dkim_tag *tags, int count,
                                       const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < count; i++)
        if (tags[i].name_len == n && !memcmp(tags[i].name, name, n))
            return &tags[i];
    return NULL;
}

bool dkim_tag_equals(const struct dkim_tag *tag, const char *value)
{
    return tag && tag->value_len == strlen(value)
           && !strncasecmp(tag->value, value, tag->value_len);
}

/* Is WORD one of the ':'-separated items of TAG's value (case-insensitive)? */
bool dkim_tag_list_has(const struct dkim_tag *tag, const char *word)
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
bool dkim_base64_digits(const char *s, size_t len, size_t *digits)
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
unsigned char *dkim_decode_checked_base64(const char *s, size_t len, size_t digits,
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
    if (!dkim_base64_digits(s, len, &digits))
        return NULL;
    return dkim_decode_checked_base64(s, len, digits, out_len);
}

