/* dkim.c - DKIM verification: signatures checked with keys, verdicts (tag
 * lists in dkim_tags.c, canonicalization in dkim_canon.c). */
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

#include "buf.h"
#include "dkim_int.h"

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
    const struct dkim_tag *k = dkim_find_tag(tags, n, "k");
    const struct dkim_tag *p = dkim_find_tag(tags, n, "p");
    bool ed = dkim_tag_equals(k, "ed25519");
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

/* The h= tag's names, lower-cased, white space around each taken off,
 * joined by ':' (malloc'd; NULL on ENOMEM). */
static char *signed_header_names(const struct dkim_tag *t)
{
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
    return names;
}

/* The c= tag C (NULL: absent, simple/simple) into P's flags and S's
 * canonicalization; a problem in words, or NULL. */
static const char *parse_canonicalization(const struct dkim_tag *c, struct parsed_signature *p,
                                          struct dkim_signature *s)
{
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
    return NULL;
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
    if ((t = dkim_find_tag(p->tags, p->count, "d")))
        s->domain = dkim_dup_lower(t->value, t->value_len);
    if ((t = dkim_find_tag(p->tags, p->count, "s")))
        s->selector = dkim_dup_lower(t->value, t->value_len);
    if ((t = dkim_find_tag(p->tags, p->count, "a")))
        s->algorithm = dkim_dup_range(t->value, t->value_len);
    if ((t = dkim_find_tag(p->tags, p->count, "i")))
        s->identity = decode_quoted_printable(t->value, t->value_len);
    if ((t = dkim_find_tag(p->tags, p->count, "h")))
        s->signed_headers = signed_header_names(t);
    const char *problem = parse_canonicalization(dkim_find_tag(p->tags, p->count, "c"), p, s);
    if (problem)
        return problem;

    const struct dkim_tag *v = dkim_find_tag(p->tags, p->count, "v");
    if (!v)
        return "missing v= tag";
    if (!dkim_tag_equals(v, "1"))
        return "unsupported version (v= is not 1)";
    /* RFC 6376 3.5: tags a=, b=, bh=, d=, h= and s= are required. */
    static const char *const required[][2] = {
        { "a", "missing a= tag" }, { "b", "missing b= tag" },
        { "bh", "missing bh= tag" }, { "d", "missing d= tag" },
        { "h", "missing h= tag" }, { "s", "missing s= tag" },
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!dkim_find_tag(p->tags, p->count, required[i][0]))
            return required[i][1];
    const struct dkim_tag *a = dkim_find_tag(p->tags, p->count, "a");
    if (dkim_tag_equals(a, "rsa-sha256")) {
    } else if (dkim_tag_equals(a, "rsa-sha1")) {
        p->sha1 = true;
    } else if (dkim_tag_equals(a, "ed25519-sha256")) {
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
    const struct dkim_tag *q = dkim_find_tag(p->tags, p->count, "q");
    if (q && !dkim_tag_list_has(q, "dns/txt"))
        return "unsupported query method";
    const struct dkim_tag *l = dkim_find_tag(p->tags, p->count, "l");
    if (l && !parse_number(l, &s->body_length_tag))
        return "malformed l= tag";
    const struct dkim_tag *tt = dkim_find_tag(p->tags, p->count, "t");
    if (tt && !parse_number(tt, &s->signed_at))
        return "malformed t= tag";
    const struct dkim_tag *x = dkim_find_tag(p->tags, p->count, "x");
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
    const struct dkim_tag *b = dkim_find_tag(p->tags, p->count, "b");
    if (!dkim_base64_digits(b->value, b->value_len, &p->b_digits) || !p->b_digits)
        return "b= is not base64";
    const struct dkim_tag *bh = dkim_find_tag(p->tags, p->count, "bh");
    if (!dkim_base64_digits(bh->value, bh->value_len, &p->bh_digits) || !p->bh_digits)
        return "bh= is not base64";
    return NULL;
}

/* P's b= and bh=, which check_signature_form found to be base64 (not
 * checked again). */
static mt_status decode_signature_values(struct parsed_signature *p)
{
    const struct dkim_tag *b = dkim_find_tag(p->tags, p->count, "b");
    const struct dkim_tag *bh = dkim_find_tag(p->tags, p->count, "bh");
    p->b = dkim_decode_checked_base64(b->value, b->value_len, p->b_digits, &p->b_len);
    p->bh = dkim_decode_checked_base64(bh->value, bh->value_len, p->bh_digits, &p->bh_len);
    return p->b && p->bh ? MT_OK : MT_ENOMEM;
}

/* The public key of a record's p= (k= says which kind), or NULL. */
static EVP_PKEY *key_from_tags(const struct dkim_tag *tags, int n, bool ed25519)
{
    const struct dkim_tag *pk = dkim_find_tag(tags, n, "p");
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
        bool ed25519 = dkim_tag_equals(dkim_find_tag(tags, n, "k"), "ed25519");
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
    const struct dkim_tag *v = dkim_find_tag(tags, n, "v");
    if (v && (v != &tags[0] || !dkim_tag_equals(v, "DKIM1")))
        return "key record has a bad v= tag";
    const struct dkim_tag *k = dkim_find_tag(tags, n, "k");
    bool key_ed = dkim_tag_equals(k, "ed25519");
    if (k && !key_ed && !dkim_tag_equals(k, "rsa"))
        return "key record has an unknown k= type";
    if (key_ed != p->ed25519)
        return "key type (k=) does not match the signature algorithm";
    const struct dkim_tag *h = dkim_find_tag(tags, n, "h");
    if (h && !dkim_tag_list_has(h, p->sha1 ? "sha1" : "sha256"))
        return "key record does not allow this hash (h=)";
    const struct dkim_tag *svc = dkim_find_tag(tags, n, "s");
    if (svc && !dkim_tag_list_has(svc, "*") && !dkim_tag_list_has(svc, "email"))
        return "key record is not for email (s=)";
    const struct dkim_tag *t = dkim_find_tag(tags, n, "t");
    if (t && dkim_tag_list_has(t, "s") && s->identity) {
        const char *at = strrchr(s->identity, '@');
        if (at && strcasecmp(at + 1, s->domain))
            return "key record forbids subdomains in i= (t=s)";
    }
    const struct dkim_tag *pk = dkim_find_tag(tags, n, "p");
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

/*
 * The header data signature SIG signs (RFC 6376 3.7, 5.4.2), into DATA:
 * the h= fields bottom-up, each instance once, then SIG without its b=
 * value.  *FROM_SIGNED says whether h= names From.  MT_OK or MT_ENOMEM.
 */
static mt_status signed_header_data(const struct message *m, const struct header *sig,
                                    const struct dkim_signature *s,
                                    const struct parsed_signature *p, struct buf *data,
                                    bool *from_signed)
{
    /* About as long as the header section: reserved at once rather than
     * grown field by field (canonicalize_header still reserves each). */
    bool *used = calloc(m->header_count ? m->header_count : 1, sizeof *used);
    mt_status status = MT_OK;
    *from_signed = false;
    if (!used || buf_reserve(data, m->len + sig->raw_len + 64) != MT_OK) {
        free(used);
        return MT_ENOMEM;
    }
    const char *list = s->signed_headers;
    while (list && *list && status == MT_OK) {
        const char *colon = strchr(list, ':');
        size_t n = colon ? (size_t)(colon - list) : strlen(list);
        if (n == 4 && !strncmp(list, "from", 4))
            *from_signed = true;
        for (size_t k = m->header_count; k-- > 0;) {
            if (used[k] || m->headers[k].name_len != n
                || strncasecmp(m->headers[k].name, list, n))
                continue;
            used[k] = true;
            status = dkim_canonicalize_header(data, m->headers[k].raw, m->headers[k].raw_len,
                                              p->relaxed_header, true);
            break;
        }
        list += n + (colon ? 1 : 0);
    }
    free(used);
    if (status != MT_OK)
        return status;
    size_t stripped_len;
    char *stripped = dkim_without_b_value(sig->raw, sig->raw_len, &stripped_len);
    if (!stripped)
        return MT_ENOMEM;
    status = dkim_canonicalize_header(data, stripped, stripped_len, p->relaxed_header, false);
    free(stripped);
    return status;
}

static mt_status verify_one(const struct message *m, size_t sig_index,
                            const struct dkim_keyring *keys, int64_t now,
                            int from_headers, struct dkim_signature *s)
{
    struct parsed_signature p;
    struct buf data = BUF_INIT;
    mt_status status = MT_OK;
    const struct header *sig = &m->headers[sig_index];
    bool from_signed = false;
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

    status = signed_header_data(m, sig, s, &p, &data, &from_signed);
    if (status != MT_OK)
        goto out;

    bool body_ok = p.bh_len == body_hash_len && !memcmp(p.bh, body_hash, body_hash_len);
    const char *last_problem = NULL;
    bool any_usable = false;
    const struct dkim_key *passing_key = NULL;
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
            passing_key = &keys->keys[k];
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
        if (passing_key && passing_key->private_published)
            s->weaknesses |= DKIM_WEAK_KEY_PUBLISHED;
    }
out:
    free(canon);
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
    status = dkim_message_load(raw, len, &m);
    if (status != MT_OK)
        goto out;
    size_t signatures = 0;
    for (size_t i = 0; i < m.header_count; i++) {
        if (dkim_header_is(&m.headers[i], "from"))
            r->from_headers++;
        if (dkim_header_is(&m.headers[i], "dkim-signature"))
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
        if (!dkim_header_is(&m.headers[i], "dkim-signature"))
            continue;
        status = verify_one(&m, i, keys, now, r->from_headers,
                            &r->signatures[r->count++]);
        if (status != MT_OK)
            goto out;
    }
    r->verdict = verdict_of(r);
out:
    dkim_message_free(&m);
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

static void signature_fields_free(struct dkim_signature *s)
{
    free(s->domain);
    free(s->selector);
    free(s->algorithm);
    free(s->canonicalization);
    free(s->signed_headers);
    free(s->identity);
    free(s->reason);
}

void dkim_report_free(struct dkim_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        signature_fields_free(&r->signatures[i]);
    free(r->signatures);
    free(r);
}

/* One RSA signature's signed hash and value, for dkim_signed_hashes:
 * false when SIG is not a well-formed RSA signature (nothing to learn). */
static mt_status signed_hash_of(const struct message *m, const struct header *sig,
                                struct dkim_signed_hash *out, bool *usable)
{
    struct parsed_signature p;
    struct dkim_signature s;
    struct buf data = BUF_INIT;
    bool from_signed;
    memset(&p, 0, sizeof p);
    memset(&s, 0, sizeof s);
    *usable = false;
    mt_status status = MT_OK;
    if (check_signature_form(sig, &p, &s) || p.ed25519)
        goto out;
    if ((status = decode_signature_values(&p)) != MT_OK
        || (status = signed_header_data(m, sig, &s, &p, &data, &from_signed)) != MT_OK)
        goto out;
    if (p.sha1)
        SHA1((const unsigned char *)data.data, data.len, out->digest);
    else
        SHA256((const unsigned char *)data.data, data.len, out->digest);
    out->digest_len = p.sha1 ? 20 : 32;
    out->sha1 = p.sha1;
    out->name = malloc(strlen(s.selector) + strlen(s.domain) + 13);
    if (!out->name) {
        status = MT_ENOMEM;
        goto out;
    }
    sprintf(out->name, "%s._domainkey.%s", s.selector, s.domain);
    out->signature = p.b;
    out->signature_len = p.b_len;
    p.b = NULL;
    *usable = true;
out:
    signature_fields_free(&s);
    free(p.b);
    free(p.bh);
    buf_free(&data);
    return status;
}

mt_status dkim_signed_hashes(const unsigned char *raw, size_t len,
                             struct dkim_signed_hash **out, size_t *count)
{
    struct message m;
    *out = NULL;
    *count = 0;
    mt_status status = dkim_message_load(raw, len, &m);
    struct dkim_signed_hash *hashes = NULL;
    size_t n = 0;
    if (status == MT_OK && !(hashes = calloc(MAX_SIGNATURES, sizeof *hashes)))
        status = MT_ENOMEM;
    int ordinal = 0;
    for (size_t i = 0; status == MT_OK && i < m.header_count && ordinal < MAX_SIGNATURES; i++) {
        if (!dkim_header_is(&m.headers[i], "dkim-signature"))
            continue;
        bool usable;
        status = signed_hash_of(&m, &m.headers[i], &hashes[n], &usable);
        hashes[n].position = ordinal++;
        n += usable;
    }
    dkim_message_free(&m);
    if (status != MT_OK) {
        dkim_signed_hashes_free(hashes, n);
        return status;
    }
    *out = hashes;
    *count = n;
    return MT_OK;
}

void dkim_signed_hashes_free(struct dkim_signed_hash *hashes, size_t count)
{
    for (size_t i = 0; hashes && i < count; i++) {
        free(hashes[i].name);
        free(hashes[i].signature);
    }
    free(hashes);
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
                                         "multiple_from", "partial_body", "expired",
                                         "key_published" };
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (!(weaknesses & (1u << i)))
            continue;
        int n = snprintf(out + used, size - used, "%s%s", used ? "," : "", names[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}
