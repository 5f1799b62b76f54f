/*
 * verify.h - DKIM over the archive: the keyring read from the archive,
 * per-signature results and verdicts written back, a parallel re-check of
 * every signed email, and key-file import.  Glue between dkim/keys (pure)
 * and store.
 *
 * Ownership: each load or open function gives the caller a handle to free
 * with the matching free or close function.  Writers use the store's connection and
 * belong to its thread; a loaded keyring is read-only and may be shared
 * by any number of threads.
 */
#ifndef MT_VERIFY_H
#define MT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "dkim.h"
#include "status.h"
#include "store.h"

struct verify_counts {
    uint64_t verified, weak, failed, nokey, unsigned_count;
};

/* The keys held by an archive, as a dkim_keyring. */
struct verify_keyring;
mt_status verify_keyring_load(struct store *st, struct verify_keyring **out,
                              struct mt_error *err);
const struct dkim_keyring *verify_keyring_keys(const struct verify_keyring *ring);
void verify_keyring_free(struct verify_keyring *ring);

/*
 * Writes one email's DKIM outcome: its signature rows (replacing older
 * ones), its verdict and signature count.  REPORT NULL means no
 * DKIM-Signature.  Inside the store's transaction.
 */
struct verify_writer;
mt_status verify_writer_open(struct store *st, struct verify_writer **out,
                             struct mt_error *err);
mt_status verify_writer_put(struct verify_writer *w, int64_t id,
                            const struct dkim_report *report, int64_t now,
                            struct mt_error *err);
void verify_writer_close(struct verify_writer *w);

/* Count REPORT's verdict (NULL: unsigned) into COUNTS. */
void verify_count(struct verify_counts *counts, const struct dkim_report *report);

struct verify_options {
    const char *archive_path; /* for the workers' read-only connections */
    int workers;              /* 0: one per core */
    int64_t now;              /* the verification time, for x= */
};

/*
 * Re-verify every email of ST (opened read-write on OPTIONS->archive_path)
 * that has or may have a DKIM-Signature, with the keys ST holds now.
 * COUNTS (caller-owned) gets the verdicts of all emails, unsigned
 * included.  Runs its own transactions; returns MT_OK or the first
 * database/memory error with ERR.
 */
mt_status verify_archive(struct store *st, const struct verify_options *options,
                         struct verify_counts *counts, struct mt_error *err);

/*
 * The key names signatures use and no key record answers, most used
 * first: EACH(CONTEXT, "selector._domainkey.domain", emails signed with
 * it) for each until it returns false.  For `keys missing` and `verify
 * --dns`.  MT_OK or MT_EDB with ERR.
 */
mt_status verify_each_missing_key(struct store *st,
                                  bool (*each)(void *, const char *, int64_t),
                                  void *context, struct mt_error *err);

/* One key record held, as `keys list` shows it (strings borrowed for
 * the call; NULL when not recorded). */
struct verify_key_info {
    int64_t id, imported_at;
    const char *name, *type, *source;
    int bits;                        /* 0: revoked or unusable */
    const char *seen_from, *seen_to, *private_published;
};
/* EACH(CONTEXT, key) for every key record, by name then id, until it
 * returns false.  MT_OK or MT_EDB with ERR. */
mt_status verify_each_key(struct store *st,
                          bool (*each)(void *, const struct verify_key_info *),
                          void *context, struct mt_error *err);

/*
 * What an import says about its records beyond the records themselves
 * (CONTRACT.md "Organization, evidence, integrity"); each NULL when not
 * said.  Dates are YYYY-MM-DD (text_parse_date), checked by the caller.
 */
struct verify_key_facts {
    const char *source;            /* NULL: FILE_NAME's last component */
    bool seen_given;               /* --seen FROM..TO was given */
    const char *seen_from, *seen_to; /* either may be NULL (open end) */
    const char *private_published; /* the private halves published on */
};

/*
 * Import the key records of FILE_NAME (TEXT, LEN bytes) into ST with
 * FACTS (may be NULL: none).  The source is never FILE_NAME's directory.
 * *IMPORTED counts new records, *DUPLICATES records already held (same
 * name and record): those keep their first source and get the window
 * and private-publication date FACTS gives, if any.  PROBLEMS gets one
 * line per bad line of the file.  MT_OK, MT_ENOMEM or MT_EDB (with ERR).
 */
mt_status verify_import_keys(struct store *st, const char *file_name,
                             const char *text, size_t len,
                             const struct verify_key_facts *facts,
                             int *imported, int *duplicates,
                             struct buf *problems, struct mt_error *err);

/*
 * The key records email ID's signatures were checked with, as a zone file
 * (keys.h reads it back) appended to OUT: each with its source, import
 * time, window and private publication as comments; a signature checked
 * with no key is a comment.  MT_OK or MT_EDB with ERR.
 */
mt_status verify_keys_zone(struct store *st, int64_t id, struct buf *out, struct mt_error *err);

/* What `keys recover` did for one selector._domainkey.domain. */
struct verify_recovery {
    char *name;            /* owned */
    size_t signatures;     /* RSA signatures no key answered */
    bool recovered;
    size_t keys;           /* keys kept (two when a key was replaced in place) */
    int key_bits;          /* of the key verifying most; 0 when none */
    size_t verified;       /* signatures passing after verify (verify_recovery_count_passing) */
    char why[256];         /* when nothing was recovered */
};

/*
 * keys recover (key_recover.h): for every name that RSA signatures use
 * and no key answers, recover keys from those signatures, trying at most
 * MAX_GCDS pairs per name, and store each kept key as a key record with
 * source "recovered from N signatures".  Verdicts are not changed: the
 * caller runs verify_archive next.  On MT_OK *RESULTS is an array of
 * *COUNT, name order (verify_recoveries_free).  Runs its own
 * transaction; MT_OK, MT_ENOMEM or MT_EDB with ERR.
 */
mt_status verify_recover_keys(struct store *st, size_t max_gcds,
                              struct verify_recovery **results, size_t *count,
                              struct mt_error *err);
/* Fill each result's verified: its name's signatures that pass now. */
mt_status verify_recovery_count_passing(struct store *st, struct verify_recovery *results,
                                        size_t count, struct mt_error *err);
void verify_recoveries_free(struct verify_recovery *results, size_t count);

#endif
