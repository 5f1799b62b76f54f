/* key_recover.c - RSA moduli from pairs of DKIM signatures, by a GCD. */
#include "key_recover.h"

#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#define EXPONENT 65537UL
/* Cofactors the GCD leaves are divided out up to this bound: for two
 * independent signatures the cofactor gcd(a, b) is over 2^16 with odds
 * about 2^-16, and a pair that leaves one is simply not used. */
#define SMALL_PRIME_BOUND 65536

/* RFC 8017 9.2 note 1: the DER DigestInfo prefixes of SHA-1 and SHA-256. */
static const unsigned char sha1_prefix[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                             0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const unsigned char sha256_prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
                                               0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
                                               0x00, 0x04, 0x20 };

/* EMSA-PKCS1-v1_5 (RFC 8017 9.2) of IN's digest for a K-byte modulus, as
 * a number into M; false when K is too short for it. */
static bool encode_message(const struct key_recover_input *in, mpz_t m)
{
    const unsigned char *prefix = in->digest_len == 20 ? sha1_prefix : sha256_prefix;
    size_t prefix_len = in->digest_len == 20 ? sizeof sha1_prefix : sizeof sha256_prefix;
    size_t k = in->signature_len, t = prefix_len + in->digest_len;
    if ((in->digest_len != 20 && in->digest_len != 32) || k < t + 11)
        return false;
    unsigned char *em = malloc(k);
    if (!em)
        return false;
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xff, k - t - 3);
    em[k - t - 1] = 0x00;
    memcpy(em + k - t, prefix, prefix_len);
    memcpy(em + k - in->digest_len, in->digest, in->digest_len);
    mpz_import(m, k, 1, 1, 1, 0, em);
    free(em);
    return true;
}

/* Whether N verifies IN: s < n and s^e = m (mod n). */
static bool verifies(const mpz_t n, const struct key_recover_input *in)
{
    mpz_t s, m, r;
    mpz_inits(s, m, r, NULL);
    bool ok = false;
    if (encode_message(in, m)) {
        mpz_import(s, in->signature_len, 1, 1, 1, 0, in->signature);
        if (mpz_cmp(s, n) < 0 && mpz_cmp(m, n) < 0) {
            mpz_powm_ui(r, s, EXPONENT, n);
            ok = mpz_cmp(r, m) == 0;
        }
    }
    mpz_clears(s, m, r, NULL);
    return ok;
}

/* s^e - m of IN into X; false when IN cannot be encoded. */
static bool power_difference(const struct key_recover_input *in, mpz_t x)
{
    mpz_t m;
    mpz_init(m);
    bool ok = encode_message(in, m);
    if (ok) {
        mpz_import(x, in->signature_len, 1, 1, 1, 0, in->signature);
        mpz_pow_ui(x, x, EXPONENT);
        mpz_sub(x, x, m);
    }
    mpz_clear(m);
    return ok;
}

/* G with every prime factor under SMALL_PRIME_BOUND divided out. */
static void remove_small_factors(mpz_t g, const unsigned char *composite)
{
    for (unsigned long p = 2; p < SMALL_PRIME_BOUND; p++)
        if (!composite[p])
            while (mpz_divisible_ui_p(g, p) && mpz_cmp_ui(g, p) > 0)
                mpz_divexact_ui(g, g, p);
}

/* "v=DKIM1; k=rsa; p=..." for modulus N, exponent 65537; NULL on failure. */
static char *key_record(const mpz_t n)
{
    size_t len = (mpz_sizeinbase(n, 2) + 7) / 8;
    unsigned char *bytes = malloc(len);
    char *record = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn_n = NULL, *bn_e = BN_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *key = NULL;
    unsigned char *der = NULL;
    if (!bytes || !bld || !bn_e || !ctx)
        goto out;
    mpz_export(bytes, &len, 1, 1, 1, 0, n);
    if (!(bn_n = BN_bin2bn(bytes, (int)len, NULL)) || !BN_set_word(bn_e, EXPONENT)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)
        || !(params = OSSL_PARAM_BLD_to_param(bld)) || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto out;
    int der_len = i2d_PUBKEY(key, &der);
    if (der_len <= 0)
        goto out;
    size_t b64_size = 4 * (((size_t)der_len + 2) / 3) + 1;
    record = malloc(b64_size + 32);
    if (record) {
        int used = snprintf(record, 32, "v=DKIM1; k=rsa; p=");
        EVP_EncodeBlock((unsigned char *)record + used, der, der_len);
    }
out:
    OPENSSL_free(der);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    free(bytes);
    return record;
}

static int by_verified(const void *a, const void *b)
{
    const struct key_recover_key *x = a, *y = b;
    return (x->verified < y->verified) - (x->verified > y->verified);
}

/* Keep N as a key explaining the inputs it verifies (marked in EXPLAINED);
 * false when it verifies fewer than two (then nothing is kept). */
static mt_status keep_if_verifying(const mpz_t n, const struct key_recover_input *in,
                                   size_t count, size_t k, bool *explained,
                                   struct key_recover_outcome *out, bool *kept)
{
    bool *mine = calloc(count, sizeof *mine);
    size_t verified = 0;
    *kept = false;
    if (!mine)
        return MT_ENOMEM;
    for (size_t i = 0; i < count; i++)
        if (!explained[i] && in[i].signature_len == k
            && (mine[i] = verifies(n, &in[i])))
            verified++;
    if (verified >= 2) {
        struct key_recover_key *more = realloc(out->keys, (out->key_count + 1) * sizeof *more);
        char *record = more ? key_record(n) : NULL;
        if (more)
            out->keys = more;
        if (!record) {
            free(mine);
            return MT_ENOMEM;
        }
        out->keys[out->key_count++] = (struct key_recover_key){
            .record = record, .bits = (int)mpz_sizeinbase(n, 2), .verified = verified };
        for (size_t i = 0; i < count; i++)
            if (mine[i])
                explained[i] = true;
        out->verified += verified;
        *kept = true;
    }
    free(mine);
    return MT_OK;
}

mt_status key_recover(const struct key_recover_input *in, size_t count, size_t max_gcds,
                      struct key_recover_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (count < 2) {
        snprintf(out->why, sizeof out->why, "only %zu RSA signature under this name: a key "
                 "is recovered from two or more", count);
        return MT_OK;
    }
    bool *explained = calloc(count, sizeof *explained);
    unsigned char *composite = calloc(SMALL_PRIME_BOUND, 1);
    if (!explained || !composite) {
        free(explained);
        free(composite);
        return MT_ENOMEM;
    }
    for (unsigned long p = 2; p * p < SMALL_PRIME_BOUND; p++)
        if (!composite[p])
            for (unsigned long q = p * p; q < SMALL_PRIME_BOUND; q += p)
                composite[q] = 1;
    mpz_t xi, xj, g;
    mpz_inits(xi, xj, g, NULL);
    mt_status status = MT_OK;
    /* Each unexplained signature in turn leads at most PARTNERS pairs
     * with the next ones of its size: a signature altered in transit (a
     * list's footer, a rewritten header) spoils only the pairs it is in,
     * and the budget of GCDs is not spent on it alone. */
    enum { PARTNERS = 2 };
    for (size_t i = 0; i < count && out->gcds < max_gcds && status == MT_OK; i++) {
        if (explained[i] || !power_difference(&in[i], xi))
            continue;
        size_t k = in[i].signature_len;
        int partners = 0;
        for (size_t j = i + 1; j < count && !explained[i] && partners < PARTNERS
                               && out->gcds < max_gcds && status == MT_OK; j++) {
            if (explained[j] || in[j].signature_len != k || !power_difference(&in[j], xj))
                continue;
            partners++;
            out->gcds++;
            mpz_gcd(g, xi, xj);
            remove_small_factors(g, composite);
            size_t bits = mpz_sizeinbase(g, 2);
            if (bits <= 8 * (k - 1) || bits > 8 * k)
                continue;
            /* the candidate must verify the two it came from (so at least
             * two), and every other unexplained signature it verifies is
             * its own */
            bool kept;
            status = keep_if_verifying(g, in, count, k, explained, out, &kept);
        }
    }
    mpz_clears(xi, xj, g, NULL);
    free(explained);
    free(composite);
    if (status != MT_OK) {
        key_recover_outcome_free(out);
        return status;
    }
    if (out->key_count)
        qsort(out->keys, out->key_count, sizeof *out->keys, by_verified);
    else
        snprintf(out->why, sizeof out->why,
                 "%zu %s of the %zu signatures left no modulus of the signatures' "
                 "size that verifies them (signed by different keys, altered, or not e=65537)",
                 out->gcds, out->gcds == 1 ? "pair" : "pairs", count);
    return MT_OK;
}

void key_recover_outcome_free(struct key_recover_outcome *out)
{
    for (size_t i = 0; out && i < out->key_count; i++)
        free(out->keys[i].record);
    if (out) {
        free(out->keys);
        out->keys = NULL;
        out->key_count = 0;
    }
}
