/*
 * merkle.h - the archive's tamper-evident root: RFC 6962 section 2.1's
 * Merkle Tree Hash over the emails in id order, each leaf's data the
 * 32-byte SHA-256 of its stored bytes (a leaf hash is SHA-256(0x00 ||
 * sha256), a node SHA-256(0x01 || left || right)), and the audit path
 * (2.1.1) that proves one email's inclusion.  Pure (OpenSSL's SHA-256),
 * no I/O, but for merkle_archive_root; a struct merkle_root belongs to one
 * thread.
 */
#ifndef MT_MERKLE_H
#define MT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The root built one leaf at a time in O(log n) memory: the perfect
 * subtrees so far, at most one per height. */
struct merkle_root {
    void *ctx;                 /* OpenSSL's EVP_MD_CTX, made once */
    unsigned char stack[64][32];
    int heights[64];
    int depth;
    uint64_t count;
};

void merkle_root_init(struct merkle_root *m);
/* Release what merkle_root_init made (the hashing context). */
void merkle_root_free(struct merkle_root *m);
/* Add the leaf whose data is SHA256 (the email's 32-byte hash). */
void merkle_root_add(struct merkle_root *m, const unsigned char sha256[32]);
/* The root of the leaves added into OUT (the hash of nothing for none). */
void merkle_root_final(const struct merkle_root *m, unsigned char out[32]);

/*
 * The audit path of leaf INDEX among the COUNT leaves whose data are
 * DATA[0..COUNT) (32 bytes each), deepest sibling first, into PATH (room
 * for 64) and *LENGTH.  MT_EINVAL when INDEX >= COUNT, MT_ENOMEM.
 */
mt_status merkle_audit_path(const unsigned char (*data)[32], uint64_t count, uint64_t index,
                            unsigned char path[][32], size_t *length);

/* The leaf hash SHA-256(0x00 || DATA) into OUT. */
void merkle_leaf_hash(const unsigned char data[32], unsigned char out[32]);

/*
 * The archive's root: ST's emails in id order (store_each_sha256), into
 * ROOT, and their number into *COUNT.  The one function here that reads
 * (the store's thread).  MT_OK or MT_EDB with ERR.
 */
struct store;
mt_status merkle_archive_root(struct store *st, unsigned char root[32], uint64_t *count,
                              struct mt_error *err);

#endif
