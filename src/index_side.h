/*
 * index_side.h - the full-text rows of an ingest into an empty archive,
 * written by a thread of their own into a file of their own and copied
 * into the archive once, at the end (docs/ingest.md, session 24).
 *
 * Why: on a large ingest the one SQLite writer is the wall, and FTS5's
 * term hash is 40% of it.  SQLite lets one connection write a database
 * at a time, so the full-text rows go to a second database (the "side
 * file", next to the archive) through a second connection on a second
 * thread, with the same table definitions, tokenizers and words the
 * parse workers found (fts_tokens.h).  At the end the side index is
 * merged into one segment and its shadow tables are copied into the
 * archive's, which were empty: the archive holds the same rows as if the
 * writer had inserted them itself, in one file as before.
 *
 * Used only when the archive holds no email (its full-text tables are
 * empty, so a copy replaces nothing), and only for a file archive.  A
 * run that stops before the copy leaves emails without their full-text
 * rows: the caller marks the archive's "index" upgrade pending in the
 * run's first transaction and clears it after index_side_finish, so the
 * next writing command rebuilds the index (mailtrove_full.c) and search
 * says so until then.
 *
 * Thread-safety: one caller thread (the archive's writer) calls every
 * function; the side's own thread is internal.  The side file is the
 * archive's path with "-fts-XXXXXX" added, created anew and removed by
 * index_side_finish and index_side_free.
 */
#ifndef MT_INDEX_SIDE_H
#define MT_INDEX_SIDE_H

#include <stdint.h>

#include "index.h"
#include "status.h"
#include "store.h"

struct index_side;

/*
 * Create the side file for the archive ST, open at ARCHIVE_PATH, with
 * its full-text tables' definitions (email_text, and email_stem when the
 * archive has a language), and start the side's thread.  MT_OK and *OUT
 * (the caller's: index_side_finish or index_side_free), or MT_EDB /
 * MT_EIO / MT_ENOMEM with ERR set and *OUT NULL.
 */
mt_status index_side_open(struct store *st, const char *archive_path,
                          struct index_side **out, struct mt_error *err);

/*
 * Hand over email ID's full-text row: TEXTS' columns are copied, its
 * words moved (TEXTS->tokens is left empty); STEM_BODY (NULL: the
 * archive has no word forms table) is copied.  Waits while the rows
 * handed over and not yet written pass INDEX_SIDE_QUEUE_BYTES.  MT_OK,
 * MT_ENOMEM, or the side thread's failure (MT_EDB, ERR says what).
 */
#define INDEX_SIDE_QUEUE_BYTES ((uint64_t)8 << 20)
mt_status index_side_put(struct index_side *side, int64_t id, struct index_texts *texts,
                         const char *stem_body, struct mt_error *err);

/*
 * No more rows: the side's thread writes those still queued and merges
 * its index into one segment, while the caller goes on (its connection
 * may write the archive meanwhile: the copy waits for it).  No
 * index_side_put after this.
 */
void index_side_end_rows(struct index_side *side);

/*
 * Write the rows still queued, stop the thread (index_side_end_rows, if
 * the caller did not), wait for the merge, and copy its shadow tables
 * (all but the _config) into
 * the archive at ARCHIVE_PATH in one transaction of the side's
 * connection, then free SIDE and remove its file.  The archive's
 * connections must hold no write transaction.  MT_OK; MT_EXISTS when the
 * archive's full-text tables are no longer empty (another run wrote
 * them: nothing is copied); MT_EDB or MT_ENOMEM with ERR set.  SIDE is
 * freed whatever the status.
 */
mt_status index_side_finish(struct index_side *side, struct mt_error *err);

/* Stop the thread without copying, remove the side file, free SIDE
 * (NULL: nothing). */
void index_side_free(struct index_side *side);

/* Remove the side files of ST's archive that a killed run left behind
 * (index_side_open does too; index_rebuild, which recovers from such a
 * run, calls it).  Nothing for an archive in memory. */
void index_side_remove_leftovers(struct store *st);

#endif
