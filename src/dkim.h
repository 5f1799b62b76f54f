/*
 * dkim.h - DKIM-Signature verification (RFC 6376, RFC 8301, RFC 8463) on
 * OpenSSL libcrypto.  Pure computation: no I/O, no SQLite, no DNS; keys
 * come in through a struct dkim_keyring.  Reentrant: a result belongs to
 * one thread at a time.
 *
 * Messages are verified as stored: bare LF line ends are read as CRLF
 * (RFC 6376 5.3), so an mbox copy verifies exactly as its SMTP form.
 * Per signature the result is pass, fail, permerror or nokey; per email the
 * verdict follows CONTRACT.md ("DKIM verdicts").  Nothing here ever calls
 * a signature that failed, or a condition it does not cover, verified.
 */
#ifndef MT_DKIM_H
#define MT_DKIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

enum dkim_result { DKIM_PASS, DKIM_FAIL, DKIM_PERMERROR, DKIM_NOKEY };
enum dkim_verdict { DKIM_VERIFIED, DKIM_WEAK, DKIM_FAILED, DKIM_NOKEY_VERDICT,
                    DKIM_UNSIGNED };

/* Weaknesses of a cryptographically passing signature (bit flags). */
enum {
    DKIM_WEAK_SHA1 = 1 << 0,
    DKIM_WEAK_SHORT_KEY = 1 << 1,       /* RSA under 1024 bits */
    DKIM_WEAK_FROM_NOT_SIGNED = 1 << 2,
    DKIM_WEAK_MULTIPLE_FROM = 1 << 3,
    DKIM_WEAK_PARTIAL_BODY = 1 << 4,    /* l= shorter than the body */
    DKIM_WEAK_EXPIRED = 1 << 5,         /* x= before the verification time */
    /* the key's private half was published (keys import
     * --private-published): anyone could have made the signature since */
    DKIM_WEAK_KEY_PUBLISHED = 1 << 6,
};

/* One key record as published: NAME is "selector._domainkey.domain"
 * (lower case, no trailing dot); RECORD the TXT text.  Borrowed. */
struct dkim_key {
    const char *name;
    const char *record;
    int64_t id;          /* the caller's id for it, reported back */
    void *prepared;      /* its public key parsed once, set by
                          * dkim_keyring_prepare; NULL: parse per use */
    bool private_published; /* a pass with it is weak: key_published */
};

/* Keys sorted by name (dkim_keyring_sort), several per name allowed. */
struct evp_md_st;  /* OpenSSL's EVP_MD */
struct dkim_keyring {
    struct dkim_key *keys;
    size_t count;
    /* SHA-256 fetched once by dkim_keyring_prepare (NULL: OpenSSL looks it
     * up for each hash, a locked lookup; docs/dkim.md, "Speed") */
    struct evp_md_st *sha256;
};

void dkim_keyring_sort(struct dkim_keyring *keyring);
/*
 * Parse every key's p= once, so verifying many messages does not parse the
 * same key again for each (and OpenSSL's decoder locks are not taken per
 * message).  The parsed keys belong to the keyring until
 * dkim_keyring_release; meanwhile it may be shared by threads.
 */
void dkim_keyring_prepare(struct dkim_keyring *keyring);
void dkim_keyring_release(struct dkim_keyring *keyring);

struct dkim_signature {
    char *domain;           /* d=, lower case; NULL if missing */
    char *selector;         /* s= */
    char *algorithm;        /* a= as written */
    char *canonicalization; /* "header/body" after defaults */
    char *signed_headers;   /* h= names, lower case, ':'-joined */
    char *identity;         /* i= */
    int key_bits;           /* 0 when no key was used */
    int64_t body_length_tag;     /* l=, or -1 */
    int64_t body_bytes_unsigned; /* canonical body bytes after l= */
    int64_t signed_at;      /* t=, or -1 */
    int64_t expires_at;     /* x=, or -1 */
    enum dkim_result result;
    char *reason;           /* why not pass; NULL on pass */
    unsigned weaknesses;    /* DKIM_WEAK_* of a passing signature */
    int64_t key_id;         /* dkim_key.id that decided, or -1 */
};

struct dkim_report {
    struct dkim_signature *signatures; /* in header order, topmost first */
    size_t count;
    enum dkim_verdict verdict;
    int from_headers;       /* From header fields in the message */
};

/*
 * Check every DKIM-Signature of RAW (LEN bytes, as stored) with KEYS
 * (borrowed), as of NOW (seconds since the epoch, for x=).  On MT_OK
 * *OUT is a new report owned by the caller (dkim_report_free).  Malformed
 * signatures, keys or headers are results, not errors; the only error is
 * MT_ENOMEM.
 */
mt_status dkim_verify_message(const unsigned char *raw, size_t len,
                              const struct dkim_keyring *keys, int64_t now,
                              struct dkim_report **out);
void dkim_report_free(struct dkim_report *report);

/*
 * For a message cut at the size limit at ingest (only its start stored):
 * each signature whose body hash does not match becomes a permerror "the
 * message was cut at ingest ...": that body cannot be checked, and the
 * mismatch would read as tampering.  Others keep their result (an l=
 * within what was kept may pass).  The verdict is recomputed.  MT_OK or
 * MT_ENOMEM.
 */
mt_status dkim_report_mark_truncated(struct dkim_report *report);

/*
 * What key recovery (key_recover.h) needs of each well-formed RSA
 * DKIM-Signature of RAW, with or without a key: the hash of the header
 * data it signs (RFC 6376 3.7) and its b= value.  On MT_OK *OUT is an
 * array of *COUNT (caller frees with dkim_signed_hashes_free); other
 * signatures (Ed25519, malformed) are left out.  MT_OK or MT_ENOMEM.
 */
struct dkim_signed_hash {
    char *name;                 /* selector._domainkey.domain (owned) */
    int position;               /* among the DKIM-Signature fields, topmost 0
                                 * (as dkim_report's signatures) */
    bool sha1;                  /* rsa-sha1, else rsa-sha256 */
    unsigned char digest[32];
    size_t digest_len;          /* 20 or 32 */
    unsigned char *signature;   /* b= decoded (owned) */
    size_t signature_len;
};
mt_status dkim_signed_hashes(const unsigned char *raw, size_t len,
                             struct dkim_signed_hash **out, size_t *count);
void dkim_signed_hashes_free(struct dkim_signed_hash *hashes, size_t count);

/* Whether a signature of REPORT (may be NULL) fails on its body hash. */
bool dkim_report_body_mismatch(const struct dkim_report *report);

/* Whether RAW has a DKIM-Signature header at all (cheap). */
bool dkim_has_signature(const unsigned char *raw, size_t len);
/* Whether RAW's header block has a legacy DomainKey-Signature field
 * (DomainKeys, RFC 4870): not verified, but worth saying. */
bool dkim_has_domainkey_signature(const unsigned char *raw, size_t len);

const char *dkim_result_name(enum dkim_result result);
const char *dkim_verdict_name(enum dkim_verdict verdict);
/* Append the names of WEAKNESSES, comma-separated, to OUT (size bytes). */
void dkim_weakness_names(unsigned weaknesses, char *out, size_t size);

/*
 * Key bits and type of a key record, for listing; 0 bits when the record
 * has no usable key (revoked, malformed).  TYPE gets "rsa" or "ed25519".
 */
int dkim_key_record_bits(const char *record, const char **type);

/* Tag-list parsing (RFC 6376 3.2), exposed for tests and fuzzing. */
struct dkim_tag {
    const char *name;
    size_t name_len;
    const char *value;      /* FWS around it trimmed */
    size_t value_len;
};
/* Returns the number of tags (at most MAX), or -1 when malformed (a tag
 * without '=' or with an empty name, a duplicate name).  A tag whose name
 * is outside RFC 6376's tag-name grammar ("x-origin") is an unknown tag:
 * left out of TAGS, not an error. */
int dkim_parse_tags(const char *text, size_t len, struct dkim_tag *tags,
                    int max);

/* Whether NAME (NUL-terminated) has the form of a d= domain or s=
 * selector: dot-separated, non-empty labels of letters, digits, '-', '_'
 * or non-ASCII bytes, at most 63 bytes each and 253 in all. */
bool dkim_is_domain_name(const char *name);

/* Base64 as DKIM writes it (RFC 6376 2.4): FWS anywhere, at most two '='
 * at the end, the last group possibly short; exposed for tests.  A new
 * malloc'd buffer (*OUT_LEN bytes), or NULL when not base64 or ENOMEM. */
unsigned char *dkim_decode_base64(const char *s, size_t len, size_t *out_len);

/* Canonicalize a message body per RFC 6376 3.4.3/3.4.4 into a new
 * malloc'd buffer; *OUT_LEN gets its length.  NULL on ENOMEM.  An LF not
 * preceded by CR counts as CRLF (mbox files store bare LF), so the result
 * is that of the body's CRLF form. */
unsigned char *dkim_canonicalize_body(const unsigned char *body, size_t len,
                                      bool relaxed, size_t *out_len);

#endif
