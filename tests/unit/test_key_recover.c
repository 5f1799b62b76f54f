/* test_key_recover.c - key_recover on signatures OpenSSL makes here with
 * fresh 512-bit keys (the smallest EMSA-PKCS1-v1_5 of SHA-256 fits: one
 * GCD takes seconds, not the tens a 2048-bit pair takes; T031 does 1024
 * and 2048 bits end to end).  The oracle is the key that signed. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include "dkim.h"
#include "key_recover.h"
#include "unit.h"

struct signed_digest {
    unsigned char digest[32];
    unsigned char signature[64];
    size_t signature_len;
};

static EVP_PKEY *new_key(void)
{
    return EVP_RSA_gen(512);
}

static void sign(EVP_PKEY *key, const char *text, struct signed_digest *out)
{
    SHA256((const unsigned char *)text, strlen(text), out->digest);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    out->signature_len = sizeof out->signature;
    int ok = ctx && EVP_PKEY_sign_init(ctx) == 1
             && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1
             && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1
             && EVP_PKEY_sign(ctx, out->signature, &out->signature_len, out->digest, 32) == 1;
    CHECK(ok);
    EVP_PKEY_CTX_free(ctx);
}

static struct key_recover_input input(const struct signed_digest *s)
{
    return (struct key_recover_input){ .signature = s->signature,
                                       .signature_len = s->signature_len,
                                       .digest = s->digest, .digest_len = 32 };
}

/* Whether RECORD's p= is KEY's public key (the same modulus). */
static int same_key(const char *record, EVP_PKEY *key)
{
    const char *p = strstr(record, "p=");
    if (!p)
        return 0;
    size_t der_len;
    unsigned char *der = dkim_decode_base64(p + 2, strlen(p + 2), &der_len);
    const unsigned char *q = der;
    EVP_PKEY *got = der ? d2i_PUBKEY(NULL, &q, (long)der_len) : NULL;
    BIGNUM *a = NULL, *b = NULL;
    int same = got && EVP_PKEY_get_bn_param(got, OSSL_PKEY_PARAM_RSA_N, &a) == 1
               && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &b) == 1 && !BN_cmp(a, b);
    BN_free(a);
    BN_free(b);
    EVP_PKEY_free(got);
    free(der);
    return same;
}

int main(void)
{
    EVP_PKEY *key = new_key(), *other = new_key();
    struct signed_digest s[4];
    sign(key, "first message", &s[0]);
    sign(key, "second message", &s[1]);
    sign(other, "by another key", &s[2]);
    sign(key, "third message", &s[3]);
    struct key_recover_input in[4] = { input(&s[0]), input(&s[1]), input(&s[2]), input(&s[3]) };

    struct key_recover_outcome out;
    CHECK(key_recover(in, 1, 8, &out) == MT_OK);
    CHECK(out.key_count == 0 && out.gcds == 0);
    CHECK(strstr(out.why, "only 1 RSA signature") != NULL);
    key_recover_outcome_free(&out);

    /* two by the key, one by another, one more by the key: one GCD gives
     * the key, which then explains the fourth without another GCD; the
     * other key's lone signature is left */
    CHECK(key_recover(in, 4, 8, &out) == MT_OK);
    CHECK(out.key_count == 1);
    CHECK(out.gcds == 1);
    CHECK(out.verified == 3);
    CHECK(out.key_count == 1 && out.keys[0].bits == 512 && out.keys[0].verified == 3);
    CHECK(out.key_count == 1 && same_key(out.keys[0].record, key));
    CHECK(out.key_count == 1 && !strncmp(out.keys[0].record, "v=DKIM1; k=rsa; p=", 18));
    const char *type;
    CHECK(out.key_count == 1 && dkim_key_record_bits(out.keys[0].record, &type) == 512);
    key_recover_outcome_free(&out);

    /* a budget of no GCD recovers nothing, and says how many were tried */
    CHECK(key_recover(in, 4, 0, &out) == MT_OK);
    CHECK(out.key_count == 0 && out.gcds == 0 && strstr(out.why, "0 pairs") != NULL);
    key_recover_outcome_free(&out);

    /* a digest that is not what was signed: the pair's GCD is no key */
    struct signed_digest altered = s[1];
    altered.digest[0] ^= 1;
    struct key_recover_input bad[2] = { input(&s[0]), input(&altered) };
    CHECK(key_recover(bad, 2, 8, &out) == MT_OK);
    CHECK(out.key_count == 0 && out.gcds == 1 && strstr(out.why, "1 pair of the 2") != NULL);
    key_recover_outcome_free(&out);

    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
    return unit_failures != 0;
}
