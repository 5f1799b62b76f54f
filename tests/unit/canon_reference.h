/*
 * canon_reference.h - DKIM body canonicalization (RFC 6376 3.4.3, 3.4.4)
 * written the plainest way, byte by byte on the CRLF form: the reference
 * that test_dkim and fuzz_dkim compare dkim_canonicalize_body with.
 */
#ifndef MT_CANON_REFERENCE_H
#define MT_CANON_REFERENCE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dkim.h"

/* RFC 6376 3.4.4 and 3.4.3, written the plainest way. */
static inline size_t reference_canonicalize(const unsigned char *body, size_t len,
                                            bool relaxed, unsigned char *out)
{
    size_t o = 0;
    if (!relaxed) {
        memcpy(out, body, len);
        o = len;
    } else {
        for (size_t i = 0; i < len;) {
            if (body[i] == ' ' || body[i] == '\t') {
                size_t j = i;
                while (j < len && (body[j] == ' ' || body[j] == '\t'))
                    j++;
                bool line_end = j + 1 < len && body[j] == '\r' && body[j + 1] == '\n';
                if (!line_end && j < len)
                    out[o++] = ' ';
                i = j;
            } else {
                out[o++] = body[i++];
            }
        }
    }
    while (o >= 4 && !memcmp(out + o - 4, "\r\n\r\n", 4))
        o -= 2;
    if (o == 2 && !memcmp(out, "\r\n", 2))
        o = 0;
    if (o > 0 && (o < 2 || memcmp(out + o - 2, "\r\n", 2))) {
        out[o++] = '\r';
        out[o++] = '\n';
    }
    if (!relaxed && o == 0) {
        out[o++] = '\r';
        out[o++] = '\n';
    }
    return o;
}

/* The CRLF form: every LF not preceded by CR gets one (the body's first
 * byte follows a line end). */
static inline size_t reference_crlf(const unsigned char *body, size_t len, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = body[i];
    }
    return o;
}

/* Whether dkim_canonicalize_body gives for BODY (LEN bytes, line ends as
 * stored) what the reference gives for its CRLF form.  No result (out of
 * memory) is not the same. */
static inline bool canonical_same_as_reference(const unsigned char *body, size_t len,
                                               bool relaxed)
{
    unsigned char *crlf = malloc(2 * len + 1);
    unsigned char *want = malloc(2 * len + 3);
    size_t got_len = 0;
    unsigned char *got = dkim_canonicalize_body(body, len, relaxed, &got_len);
    bool same = false;
    if (crlf && want && got) {
        size_t crlf_len = reference_crlf(body, len, crlf);
        size_t want_len = reference_canonicalize(crlf, crlf_len, relaxed, want);
        same = got_len == want_len && !memcmp(got, want, want_len);
    }
    free(crlf);
    free(want);
    free(got);
    return same;
}

#endif
