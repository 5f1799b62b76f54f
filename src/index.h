/*
 * index.h - writing a parsed message into the archive's searchable
 * tables: the email row's metadata, addresses, attachments and the FTS5
 * text (subject, body, people, attachment names).
 *
 * Uses the store's connection (borrowed) and its transaction; knows
 * nothing of GMime beyond the plain struct mime_message.  One struct index
 * per store, same thread.
 */
#ifndef MT_INDEX_H
#define MT_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "fts_tokens.h"
#include "mime.h"
#include "status.h"
#include "store.h"

struct index;

/* On MT_OK *OUT is owned by the caller (index_close, before store_close). */
mt_status index_open(struct store *st, struct index **out,
                     struct mt_error *err);
void index_close(struct index *ix);

/*
 * The texts of a message's full-text row (subject, body, people,
 * attachment names, the attachments' text), made on a parse worker's
 * thread with the words unicode61 finds in them (fts_tokens.h), so the
 * writer only writes.  index_texts_build: MT_OK or MT_ENOMEM; M is
 * borrowed and must outlive T (its subject and body are T's columns).
 * index_texts_tokenize: fts_tokens_compute's statuses; T stays usable
 * without tokens on failure.  index_texts_free: T's own memory.
 */
#define INDEX_TEXT_COLUMNS 5
struct index_texts {
    struct buf people, attachment_names, attached, indexed_body;
    const char *column[INDEX_TEXT_COLUMNS];
    struct fts_tokens tokens;      /* column_count 0: none found */
};
#define INDEX_TEXTS_INIT { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, { NULL }, FTS_TOKENS_INIT }
mt_status index_texts_build(const struct mime_message *m, struct index_texts *t);
mt_status index_texts_tokenize(struct index_texts *t, struct fts_tokenizer *tk);
void index_texts_free(struct index_texts *t);

/*
 * Fill the metadata of email ID (just stored with store_put_raw) from M
 * (borrowed); SIGNATURE_COUNT is its number of DKIM-Signature headers,
 * -1 to keep what is recorded.  BODY (borrowed; NULL: compressed here) is
 * M's body text as store_pack compressed it, on a worker's thread.  TEXTS
 * (borrowed; NULL: made here) are M's, from index_texts_build; their
 * words may be taken (index_write_texts_to).  Must run
 * inside the store's transaction.
 */
mt_status index_put_message(struct index *ix, int64_t id,
                            const struct mime_message *m, int signature_count,
                            const struct store_packed *body, struct index_texts *texts,
                            struct mt_error *err);

/*
 * From now on hand the full-text rows of IX's messages to SIDE
 * (borrowed; index_side.h) instead of writing them; NULL: write them
 * again.  While SIDE is set, index_flush leaves the lengths to the first
 * flush after it is unset (they are read from the full-text rows).  A
 * message's TEXTS given to index_put_message lose their words to SIDE.
 */
struct index_side;
void index_write_texts_to(struct index *ix, struct index_side *side);

/*
 * Write what the messages put since the last flush need beyond their own
 * rows (the lengths ranking reads, rank.h).  Call it in the same
 * transaction, before committing; MT_EDB on failure.
 */
mt_status index_flush(struct index *ix, struct mt_error *err);

/*
 * Bulk writing (docs/ingest.md, "What changed": the full-text index in
 * bulk).  index_bulk_begin tells FTS5 to keep up to
 * INDEX_BULK_PENDING bytes of terms in memory before writing a segment
 * (each commit writes one too) and not to merge segments as it writes;
 * index_bulk_end merges on writing again, as an archive is searched
 * best.  The caller merges what the run wrote (index_merge) or leaves a
 * few segments to FTS5's own merging.  Both run inside the store's
 * transaction; MT_EDB on failure.  An ingest killed between the two
 * leaves an archive that is searched correctly, from more segments,
 * until the next ingest ends.
 */
#define INDEX_BULK_PENDING (16 * 1024 * 1024)
mt_status index_bulk_begin(struct index *ix, struct mt_error *err);
mt_status index_bulk_end(struct index *ix, struct mt_error *err);
bool index_in_bulk(const struct index *ix);
/*
 * Rebuild the searchable tables of every email from its stored bytes
 * (after a change in parsing or tokenizing): empties the full-text index,
 * then parses and indexes each email again.  Runs its own transactions;
 * *COUNT gets the emails done.
 */
mt_status index_rebuild(struct store *st, int64_t *count, struct mt_error *err);

/*
 * Merge the full-text index into one segment, so a query reads one
 * B-tree per term (docs/search.md, "Speed": merging).  Its own transaction.  Worth it after
 * adding at least 1/INDEX_MERGE_FRACTION of the archive, and after a
 * rebuild (index_rebuild does it).
 */
#define INDEX_MERGE_FRACTION 20
mt_status index_merge(struct store *st, struct mt_error *err);

/*
 * Finish the upgrade of an archive made before body texts were kept
 * (store_upgrade_pending "body text"): parse and store the text of every
 * email that has none, in one transaction.  *COUNT gets how many.
 */
mt_status index_fill_bodies(struct store *st, int64_t *count, struct mt_error *err);

/*
 * Finish the upgrade of an archive made before lengths were laid out for
 * ranking (store_upgrade_pending "lengths"): writes them all from FTS5's
 * counts, in one transaction.
 */
mt_status index_fill_lengths(struct store *st, struct mt_error *err);
/* An email's body text parsed from its stored bytes, into OUT (cleared
 * first): for archives whose body texts are not filled yet (a
 * search_text_loader). */
mt_status index_load_body_text(struct store *st, int64_t id, struct buf *out);

#endif
