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
 * SQL listing the key names signatures use and no key record answers:
 * rows of (selector._domainkey.domain, emails signed with it), most used
 * first.  For `keys missing` and `verify --dns`.
 */
extern const char verify_missing_keys_sql[];

/*
 * Import the key records of FILE_NAME (TEXT, LEN bytes) into ST with
 * SOURCE (may be NULL: the records' source is then FILE_NAME's last
 * component, never its directory).  *IMPORTED counts new records, *DUPLICATES records
 * already held; PROBLEMS gets one line per bad line of the file.
 */
mt_status verify_import_keys(struct store *st, const char *file_name,
                             const char *text, size_t len, const char *source,
                             int *imported, int *duplicates,
                             struct buf *problems, struct mt_error *err);

#endif
