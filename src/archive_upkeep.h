/*
 * archive_upkeep.h - what keeps an archive's derived tables true after its mail
 * changes: the policy of which pass runs when, so that every input
 * (mbox, Maildir, PST, .msg, an archive of them) and every command that
 * adds mail runs the same sequence.  The passes themselves live in their
 * modules: index (merging the full-text index), thread (conversations),
 * corroborate (what verified mail vouches for).
 *
 * Same threading as store.h.  Every function returns MT_OK or the status
 * of the pass that failed, with ERR.
 */
#ifndef MT_ARCHIVE_UPKEEP_H
#define MT_ARCHIVE_UPKEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "corroborate.h"
#include "store.h"
#include "thread.h"

/*
 * After an ingest that stored STORED new emails (nothing to do when 0):
 * merge the full-text index when the addition is large (at least
 * 1/INDEX_MERGE_FRACTION of the archive: many segments slow every query),
 * thread the new mail (thread_update: only the conversations it can
 * change, unless the addition is large; new mail can join, split or re-parent
 * conversations), and corroborate (new quotes of, or by, verified mail)
 * unless REVERIFY_FOLLOWS: the caller verifies again next (new keys), and
 * verifying corroborates.  LOAD_BODY_TEXT as corroborate_archive's.
 */
mt_status archive_after_ingest(struct store *st, uint64_t stored, bool reverify_follows,
                               corroborate_text_loader load_body_text, struct mt_error *err);

/*
 * The part of archive_after_ingest that needs no full-text index, for an
 * ingest to run while its index is merged on a thread of its own
 * (ingest_options.while_index_merges; CONTEXT unused): thread the new
 * mail.  archive_after_ingest then finds none left to thread.
 */
mt_status archive_while_index_merges(void *context, struct store *st, struct mt_error *err);

/*
 * The corroborate command: rethread, then corroborate, into *THREADS and
 * *CORROBORATION (counted from the stored spans when nothing changed).
 * RECOMPUTE forgets the inputs last computed from, so nothing is skipped.
 */
mt_status archive_recorroborate(struct store *st, bool recompute, corroborate_text_loader load_body_text,
                                struct thread_counts *threads,
                                struct corroborate_counts *corroboration,
                                struct mt_error *err);

#endif
