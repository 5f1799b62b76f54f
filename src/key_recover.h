/*
 * key_recover.h - RSA public keys recovered from the DKIM signatures they
 * made, when the key record is gone from DNS (CONTRACT.md, `keys
 * recover`; docs/evidence.md).
 *
 * An RSA signature s of a message whose EMSA-PKCS1-v1_5 encoding is m
 * satisfies s^e = m (mod n), so n divides s^e - m; for two signatures by
 * one key, n divides gcd(s1^e - m1, s2^e - m2).  With e = 65537 (every
 * DKIM signer's exponent in practice) s^e is about 16 MB for a 2048-bit
 * signature: GMP's subquadratic GCD makes that a matter of seconds.  What
 * the GCD leaves besides n is small: it is divided out by trial division,
 * and the candidate must have the signatures' size (a k-byte signature
 * comes from a modulus of more than 8(k-1) bits).  A candidate is kept
 * only when it verifies, by the RSA equation with s < n, every signature
 * it came from; it then explains every other signature it verifies, and
 * the rest are tried again, so a selector whose key was rotated in place
 * can give two keys.  Nothing is ever kept that does not verify: a false
 * key cannot pass a signature.
 *
 * Pure computation (GMP, OpenSSL for the key's encoding); no I/O, no
 * state; reentrant.
 */
#ifndef MT_KEY_RECOVER_H
#define MT_KEY_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* One signature under the name being recovered (all borrowed). */
struct key_recover_input {
    const unsigned char *signature;  /* the b= value, k bytes */
    size_t signature_len;
    const unsigned char *digest;     /* the hash of the signed header data */
    size_t digest_len;               /* 20 (rsa-sha1) or 32 (rsa-sha256) */
};

struct key_recover_key {
    char *record;        /* "v=DKIM1; k=rsa; p=BASE64" (owned) */
    int bits;            /* the modulus's size */
    size_t verified;     /* inputs it verifies */
};

struct key_recover_outcome {
    struct key_recover_key *keys;  /* most verifying first (owned) */
    size_t key_count;
    size_t verified;     /* inputs some kept key verifies */
    size_t gcds;         /* GCDs computed (each a few seconds at 2048 bits) */
    char why[256];       /* when no key was kept: why, in words */
};

/*
 * Try to recover the keys that made IN's COUNT signatures (one
 * selector._domainkey.domain), trying at most MAX_GCDS pairs.  On MT_OK
 * *OUT is filled (key_recover_outcome_free), possibly with no key and a
 * reason.  MT_OK or MT_ENOMEM.
 */
mt_status key_recover(const struct key_recover_input *in, size_t count, size_t max_gcds,
                      struct key_recover_outcome *out);
void key_recover_outcome_free(struct key_recover_outcome *out);

#endif
