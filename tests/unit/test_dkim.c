/* test_dkim.c - body canonicalization: RFC 6376's own example, and the
 * fast form (16 bytes at a time, bare LF made CRLF as it goes) against
 * the reference of canon_reference.h, which first makes the CRLF form and
 * then goes byte by byte, on many generated bodies, WSP and LF at every
 * offset of a block.  The
 * base64 decoder against the earlier one (clean copy, OpenSSL's decoder)
 * on generated strings. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon_reference.h"
#include "dkim.h"
#include "unit.h"

/* 4,000 bodies of every length below 300, their bytes drawn from ALPHABET
 * with the generator at *SEED: whether both canonicalizations of each are
 * the same as the reference's. */
static bool generated_bodies_same(const char *alphabet, size_t alphabet_len, uint32_t *seed)
{
    unsigned char body[300];
    bool all_same = true;
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)(round % 300);
        for (size_t i = 0; i < len; i++) {
            *seed = *seed * 1103515245u + 12345u;
            body[i] = (unsigned char)alphabet[(*seed >> 16) % alphabet_len];
        }
        all_same &= canonical_same_as_reference(body, len, true);
        all_same &= canonical_same_as_reference(body, len, false);
    }
    return all_same;
}

static bool canonical_is(const char *body, bool relaxed, const char *want)
{
    size_t n = 0;
    unsigned char *got = dkim_canonicalize_body((const unsigned char *)body, strlen(body),
                                                relaxed, &n);
    bool same = got && n == strlen(want) && !memcmp(got, want, n);
    free(got);
    return same;
}

/* The decoder before dkim_decode_base64: FWS dropped into a copy, up to
 * two '=' stripped from its end, re-padded for EVP_DecodeBlock. */
static unsigned char *reference_base64(const char *s, size_t len, size_t *out_len)
{
    char *clean = malloc(len + 4);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (!(isalnum((unsigned char)c) || c == '+' || c == '/' || c == '=')) {
            free(clean);
            return NULL;
        }
        clean[n++] = c;
    }
    size_t padding = 0;
    while (n > 0 && clean[n - 1] == '=' && padding < 2) {
        n--;
        padding++;
    }
    if (memchr(clean, '=', n) || n % 4 == 1) {
        free(clean);
        return NULL;
    }
    size_t pad = 0;
    while (n % 4) {
        clean[n++] = '=';
        pad++;
    }
    unsigned char *out = malloc(n / 4 * 3 + 1);
    int got = n ? EVP_DecodeBlock(out, (unsigned char *)clean, (int)n) : 0;
    free(clean);
    *out_len = (size_t)got - pad;
    return out;
}

static bool base64_same_as_reference(const char *s, size_t len)
{
    size_t want_len = 0, got_len = 0;
    unsigned char *want = reference_base64(s, len, &want_len);
    unsigned char *got = dkim_decode_base64(s, len, &got_len);
    bool same = !want == !got
                && (!want || (want_len == got_len && !memcmp(want, got, got_len)));
    if (!same)
        printf("# base64 differs on '%.*s'\n", (int)len, s);
    free(want);
    free(got);
    return same;
}

int main(void)
{
    /* base64 as DKIM writes it */
    size_t n;
    static const char folded[] = " aGVs\r\n bG8= ";
    unsigned char *d = dkim_decode_base64(folded, sizeof folded - 1, &n);
    CHECK(d && n == 5 && !memcmp(d, "hello", 5));
    free(d);
    CHECK(!dkim_decode_base64("aGVs=bG8=", 9, &n));   /* '=' inside */
    CHECK(!dkim_decode_base64("aGVsbG8===", 10, &n)); /* three '=' */
    CHECK(!dkim_decode_base64("aGVsb", 5, &n));       /* one digit left over */
    CHECK(!dkim_decode_base64("aGV\x80", 4, &n));     /* not ASCII */
    static const char digits[] = "AZaz09+/==  \r\n\t!-\x80";
    uint32_t state = 777;
    char text[64];
    bool decoded_same = true;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(round % 40);
        for (size_t i = 0; i < len; i++) {
            state = state * 1103515245u + 12345u;
            /* mostly real digits, sometimes the rest */
            text[i] = (state >> 28) ? "QUJDRA"[(state >> 16) % 6]
                                    : digits[(state >> 16) % (sizeof digits - 1)];
        }
        decoded_same &= base64_same_as_reference(text, len);
    }
    CHECK(decoded_same);

    /* RFC 6376 3.4.5 */
    CHECK(canonical_is(" C \r\nD \t E\r\n\r\n\r\n", true, " C\r\nD E\r\n"));
    CHECK(canonical_is(" C \r\nD \t E\r\n\r\n\r\n", false, " C \r\nD \t E\r\n"));
    CHECK(canonical_is("", false, "\r\n"));
    CHECK(canonical_is("", true, ""));
    CHECK(canonical_is("\r\n\r\n", true, ""));
    CHECK(canonical_is("abc", true, "abc\r\n"));
    CHECK(canonical_is("abcdefgh \t", true, "abcdefgh\r\n"));
    CHECK(canonical_is("abcdefgh\t\tijklmnop \r\n", true, "abcdefgh ijklmnop\r\n"));
    /* bare LF: as its CRLF form */
    CHECK(canonical_is(" C \nD \t E\n\n\n", true, " C\r\nD E\r\n"));
    CHECK(canonical_is(" C \nD \t E\n\n\n", false, " C \r\nD \t E\r\n"));
    CHECK(canonical_is("\nx\r\ny \n\r \n", false, "\r\nx\r\ny \r\n\r \r\n"));
    CHECK(canonical_is("\nx\r\ny \n\r \n", true, "\r\nx\r\ny\r\n\r\r\n"));

    /* A space or tab at each offset within and across 16-byte blocks (the
     * scan for places to change reads 16 bytes and their successors). */
    bool all_same = true;
    unsigned char line[72];
    for (size_t at = 0; at < 56; at++)
        for (int tab = 0; tab < 2; tab++) {
            memset(line, 'x', sizeof line);
            line[at] = tab ? '\t' : ' ';
            memcpy(line + 62, "\r\n\r\n", 4);
            for (size_t len = at; len <= sizeof line; len++)
                all_same &= canonical_same_as_reference(line, len, true);
            /* and a bare LF there */
            line[at] = '\n';
            for (size_t len = at; len <= sizeof line; len++) {
                all_same &= canonical_same_as_reference(line, len, true);
                all_same &= canonical_same_as_reference(line, len, false);
            }
        }
    CHECK(all_same);

    /* A space followed by each kind of byte, at each offset: only a space
     * before SP, HTAB, CR, LF or the end changes anything. */
    all_same = true;
    static const char after[] = " \t\r\nx=";
    for (size_t at = 0; at < 40; at++)
        for (size_t k = 0; k < sizeof after - 1; k++) {
            memset(line, 'x', sizeof line);
            line[at] = ' ';
            line[at + 1] = (unsigned char)after[k];
            for (size_t len = at; len <= 48; len++) {
                all_same &= canonical_same_as_reference(line, len, true);
                all_same &= canonical_same_as_reference(line, len, false);
            }
        }
    CHECK(all_same);

    /* Generated bodies from a small alphabet heavy in WSP and line ends,
     * and from one like text: words, mostly single spaces, long runs
     * without any place to change. */
    static const char alphabet[] = "ab  \t\t\r\n\r\n\n\rxyz=";
    static const char words[] = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij      \t\r\n\n";
    uint32_t seed = 12345;
    CHECK(generated_bodies_same(alphabet, sizeof alphabet - 1, &seed));
    CHECK(generated_bodies_same(words, sizeof words - 1, &seed));

    /* Tag lists: an unknown tag whose name is outside the tag-name
     * grammar is ignored, not a malformed list (RFC 6376 3.2, 3.6.1). */
    struct dkim_tag tags[16];
    static const char dashed[] = "v=1; x-origin=relay; a=rsa-sha256; 9x=1; d=example.org";
    int count = dkim_parse_tags(dashed, sizeof dashed - 1, tags, 16);
    CHECK(count == 3);
    CHECK(count == 3 && tags[2].name_len == 1 && tags[2].name[0] == 'd'
          && tags[2].value_len == 11 && !memcmp(tags[2].value, "example.org", 11));
    CHECK(dkim_parse_tags("v=1; a", 6, tags, 16) == -1);        /* no '=' */
    CHECK(dkim_parse_tags("v=1; =x", 7, tags, 16) == -1);       /* no name */
    CHECK(dkim_parse_tags("v=1; v=2", 8, tags, 16) == -1);      /* duplicate */
    /* d= and s= must be names a key record could be found under */
    CHECK(dkim_is_domain_name("example.org"));
    CHECK(dkim_is_domain_name("k20201202"));
    CHECK(dkim_is_domain_name("s_1.mail-2.example"));
    CHECK(dkim_is_domain_name("\xc3\xa9lys\xc3\xa9" "e.fr"));
    CHECK(!dkim_is_domain_name("legitimate.com(.attacker.com"));
    CHECK(!dkim_is_domain_name("example..org"));
    CHECK(!dkim_is_domain_name(".example.org"));
    CHECK(!dkim_is_domain_name("example.org."));
    CHECK(!dkim_is_domain_name("exa mple.org"));
    CHECK(!dkim_is_domain_name(""));
    return unit_failures != 0;
}
