/*
 * verify.h - (re)verifying the DKIM signatures of every email in an archive
 * with the keys it holds, storing per-signature results and verdicts; and
 * importing key files into it.  Glue between dkim/keys (pure) and store.
 * Same thread as the store; runs its own transactions.
 */
#ifndef MT_VERIFY_H
#define MT_VERIFY_H

#include <stdint.h>

#include "buf.h"
#include "status.h"
#include "store.h"

struct verify_counts {
    uint64_t verified, weak, failed, nokey, unsigned_count;
};

/*
 * Verify every email of ST as of NOW.  COUNTS (caller-owned) gets the
 * verdicts.  Returns MT_OK or a database error with ERR.
 */
mt_status verify_archive(struct store *st, int64_t now,
                         struct verify_counts *counts, struct mt_error *err);

/*
 * Import the key records of FILE_NAME (TEXT, LEN bytes) into ST with
 * SOURCE (may be NULL).  *IMPORTED counts new records, *DUPLICATES records
 * already held; PROBLEMS gets one line per bad line of the file.
 */
mt_status verify_import_keys(struct store *st, const char *file_name,
                             const char *text, size_t len, const char *source,
                             int *imported, int *duplicates,
                             struct buf *problems, struct mt_error *err);

#endif
