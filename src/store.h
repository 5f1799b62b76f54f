/*
 * store.h - the archive file: one SQLite database holding each message's
 * raw bytes (content-addressed by SHA-256, zstd-compressed), where every
 * copy was found, and what was rejected.  Schema and migrations live here.
 * This header shows no SQLite: the command-line and HTTP layers include it
 * and never touch the database.  Library modules that own tables of their
 * own (index, thread, corroborate, verify, org, report) keep their
 * statements on the connection store_int.h gives them.
 *
 * Knows SQLite and zstd, nothing of MIME or HTTP.  A struct store is one
 * connection and belongs to one thread at a time; open one per thread.
 * Every function returning mt_status fills ERR (may be NULL) on failure.
 */
#ifndef MT_STORE_H
#define MT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "status.h"

#define STORE_SCHEMA_VERSION 17

struct store;

enum store_mode {
    STORE_READ_ONLY,  /* fails with MT_ENOTFOUND if the file is missing */
    STORE_READ_WRITE, /* likewise */
    STORE_CREATE,     /* creates the file and schema when missing */
};

/* Once per process, before the first store_open: SQLite stops counting
 * its allocations under one global mutex, which the verify workers'
 * connections fought over; nothing here reads the counts. */
void store_tune_process(void);

/*
 * Open the archive at PATH.  On MT_OK *OUT is a new handle owned by the
 * caller (store_close).  Opening an archive of a newer schema than this
 * program knows fails with MT_EUNSUPPORTED naming both versions; an older
 * one is migrated (read-write modes only).
 */
mt_status store_open(const char *path, enum store_mode mode,
                     struct store **out, struct mt_error *err);
/* Finalizes statements and closes; NULL is a no-op. */
void store_close(struct store *st);

/*
 * For a reader that reads each page once (a search, a count, verify's
 * workers): SQLite's page cache kept to a few pages, recycled.  Each page
 * cached is memory touched for the first time, and on the machines
 * measured a first touch costs more than reading the page again
 * (docs/search.md).  A long-lived
 * reader (serve) keeps the default.
 */
void store_keep_small_cache(struct store *st);

/* Explicit write transactions (BEGIN IMMEDIATE ... COMMIT). */
mt_status store_begin(struct store *st, struct mt_error *err);
mt_status store_commit(struct store *st, struct mt_error *err);
mt_status store_rollback(struct store *st);
/*
 * One read transaction around several reading statements: they see one
 * snapshot (a count and its page agree while ingest writes) and take the
 * file's locks once (docs/search.md).  True if it began one, which
 * store_end_read then ends; false inside a caller's transaction, or if
 * it could not (the statements then run each on its own, as before).
 */
bool store_begin_read(struct store *st);
void store_end_read(struct store *st, bool began);
/*
 * WAL checkpoints.  SQLite checkpoints inside a commit once the log holds
 * 1000 pages, which stalls the writer; a writer that has another thread
 * (its own connection) call store_checkpoint every so often turns that off
 * with store_auto_checkpoint(st, false), and on again when done.
 * store_checkpoint is passive: it never waits for readers or the writer.
 */
void store_auto_checkpoint(struct store *st, bool on);
void store_checkpoint(struct store *st);
/*
 * For that writer, between transactions: if the WAL file has grown past
 * LIMIT bytes, checkpoint all of it and truncate it (waiting up to 200 ms
 * for readers to leave it; else it is tried after the next commit).  Passive checkpoints alone never
 * let SQLite start the log over while a writer commits every few seconds:
 * the writer's next transaction always begins before they have copied the
 * last one, and the WAL of a million-email ingest grew to 25 GB
 * (docs/ingest.md, "The write-ahead log").
 */
void store_bound_wal(struct store *st, int64_t limit);
/*
 * A server's budget for one request: from now on every statement on ST
 * stops with an error (MT_EDB, "interrupted") once CLOCK_MONOTONIC passes
 * *DEADLINE, which must live until the next call.  NULL lifts it.
 */
void store_set_deadline(struct store *st, const struct timespec *deadline);

/*
 * A reusable compression context, one per thread: making zstd's context
 * anew for every message costs more than compressing a typical one.
 * store_compressor_new returns NULL on ENOMEM; free with
 * store_compressor_free (NULL is a no-op).
 */
struct store_compressor;
struct store_compressor *store_compressor_new(void);
void store_compressor_free(struct store_compressor *compressor);

/*
 * Compress LEN bytes at RAW into OUT (cleared first) for store_put_raw,
 * with COMPRESSOR (NULL: a one-off context).  *CODEC says how (0 stored,
 * 1 zstd).
 */
mt_status store_compress(struct store_compressor *compressor,
                         const unsigned char *raw, size_t len,
                         struct buf *out, int *codec);

/*
 * Store a message unless its SHA-256 is already there.  On MT_OK *ID is
 * the new email id; on MT_EXISTS *ID is the existing one and nothing was
 * written.  RAW_SIZE is the uncompressed length; DATA/DATA_LEN the bytes
 * as store_compress made them.  Inside a transaction.
 */
mt_status store_put_raw(struct store *st, const unsigned char sha256[32],
                        size_t raw_size, int codec, const void *data,
                        size_t data_len, int64_t *id, struct mt_error *err);

/* Id of the email with this SHA-256, MT_ENOTFOUND if none. */
mt_status store_find_sha256(struct store *st, const unsigned char sha256[32],
                            int64_t *id, struct mt_error *err);

/*
 * Record a place where email ID was found.  OFFSET < 0 and NULL strings
 * mean "not applicable".  Recording the same place twice is not an error
 * (MT_OK, nothing added).  Rejections an earlier ingest recorded for this
 * place (the file or member as a whole, or this offset) are deleted: what
 * is read now no longer counts as not stored.
 */
mt_status store_add_source(struct store *st, int64_t id, const char *path,
                           int64_t offset, const char *member,
                           const char *separator, unsigned unquoted_lines,
                           struct mt_error *err);

/* Email ID (just stored) is the start of a message of SIZE bytes, cut at
 * the size limit.  Inside a transaction. */
mt_status store_mark_truncated(struct store *st, int64_t id, uint64_t size,
                               struct mt_error *err);

/* Email ID (just stored) was written from an Outlook item, not read as
 * it travelled: FROM is "pst" or "msg" (a static string). */
mt_status store_mark_derived(struct store *st, int64_t id, const char *from,
                             struct mt_error *err);

/* The whole size of email ID when it was stored cut at the size limit,
 * else 0 (also on error). */
uint64_t store_truncated_from(struct store *st, int64_t id);

/* Record a rejection; the same place and reason twice is kept once. */
mt_status store_add_rejection(struct store *st, const char *path,
                              int64_t offset, const char *member,
                              const char *reason, struct mt_error *err);

/*
 * The stored bytes of email ID, decompressed, into OUT (cleared first).
 * MT_ENOTFOUND if there is no such email.
 */
mt_status store_get_raw(struct store *st, int64_t id, struct buf *out,
                        struct mt_error *err);
/*
 * store_get_raw for a caller that has read the email's raw_size already
 * (verify's workers scan the email rows of a chunk): RAW_SIZE is checked
 * against the stored bytes as store_get_raw checks the email row's.
 */
mt_status store_get_raw_of_size(struct store *st, int64_t id, int64_t raw_size,
                                struct buf *out, struct mt_error *err);

/*
 * Each attachment's extracted text (extract.h), compressed as bodies are
 * (store_text.c): for snippets from the attachment a search found words
 * in.  ID's attachment N; TEXT (LEN bytes) is stored whole.  Inside a
 * transaction.  MT_OK, MT_ENOMEM or MT_EDB with ERR.
 */
mt_status store_put_attachment_text(struct store *st, int64_t id, int n, const char *text,
                                    size_t len, struct store_compressor *compressor,
                                    struct mt_error *err);
/* Its text into OUT (cleared first): MT_OK, MT_ENOTFOUND (none stored:
 * no text, or indexed before schema 13), MT_EDB with ERR. */
mt_status store_get_attachment_text(struct store *st, int64_t id, int n, struct buf *out,
                                    struct mt_error *err);

/*
 * Each email's body text as the index saw it (mime.h's body), compressed
 * like the raw bytes; written with the email's index rows, inside their
 * transaction.  Replaces what was there.  COMPRESSOR as for store_compress.
 */
mt_status store_put_body(struct store *st, int64_t id, const char *text,
                         struct store_compressor *compressor, struct mt_error *err);

/*
 * A text compressed ahead of its writing, on another thread than the
 * writer's (an ingest worker), for store_put_body_packed.  DATA is
 * owned: store_packed_free (on a zeroed or freed one too).
 */
struct store_packed {
    int codec;          /* as store_compress's *CODEC */
    size_t size;        /* the text's length */
    struct buf data;
};
/* TEXT (LEN bytes; NULL: empty) compressed into OUT, which must be
 * zeroed or freed; MT_OK or MT_ENOMEM.  COMPRESSOR as for store_compress. */
mt_status store_pack(struct store_compressor *compressor, const char *text, size_t len,
                     struct store_packed *out);
/* The same for an email's body text, compressed against RAW (RAW_LEN
 * bytes), the email's bytes exactly as store_put_raw stored them: the
 * text is mostly a copy of part of them.  Reading it back reads them too
 * (store_get_body), so a message over 64 KiB and over 8 times the text
 * (attachments) is not used: the text is packed as store_pack does.
 * COMPRESSOR is required. */
mt_status store_pack_after_raw(struct store_compressor *compressor, const char *text,
                               size_t len, const void *raw, size_t raw_len,
                               struct store_packed *out);
void store_packed_free(struct store_packed *packed);
/* store_put_body of a text store_pack compressed. */
mt_status store_put_body_packed(struct store *st, int64_t id, const struct store_packed *body,
                                struct mt_error *err);
/* Email ID's body text into OUT (cleared first, NUL-terminated);
 * MT_ENOTFOUND when none is stored (an archive not yet upgraded). */
mt_status store_get_body(struct store *st, int64_t id, struct buf *out,
                         struct mt_error *err);

/*
 * Work a schema migration leaves for a program that can do it (filling
 * the body texts of an older archive needs MIME parsing, which the store
 * does not know): TASK is "body text" or "lengths" (index.h), or NULL for
 * any.  Pending until store_upgrade_done.
 */
bool store_upgrade_pending(struct store *st, const char *task);
mt_status store_upgrade_done(struct store *st, const char *task, struct mt_error *err);
/* Make TASK pending again ("thread keys" after a reindex: the ids the
 * emails name may have been read anew).  MT_OK or MT_EDB with ERR. */
mt_status store_upgrade_request(struct store *st, const char *task, struct mt_error *err);

/* Every email's id, in order, into *IDS (malloc'd, the caller frees;
 * NULL when there are none) and *COUNT.  MT_OK, MT_ENOMEM or MT_EDB. */
mt_status store_email_ids(struct store *st, int64_t **ids, size_t *count, struct mt_error *err);

/*
 * Call EACH with the SHA-256 of every email's stored bytes, in id order
 * (the archive's Merkle leaves, merkle.h), and its id; stops when EACH
 * returns false.  MT_OK or MT_EDB.
 */
mt_status store_each_sha256(struct store *st,
                            bool (*each)(void *, int64_t, const unsigned char *),
                            void *context, struct mt_error *err);

/* What an mbox export needs of each email (strings borrowed for the
 * call): its date, sender and first recorded "From " separator. */
struct store_envelope {
    int64_t id;
    bool has_date;
    int64_t date;
    const char *from_addr, *separator;
};
/* EACH(CONTEXT, envelope) for every email in id order, until it returns
 * false.  MT_OK or MT_EDB with ERR. */
mt_status store_each_envelope(struct store *st,
                              bool (*each)(void *, const struct store_envelope *),
                              void *context, struct mt_error *err);

/* One rejection as recorded (strings borrowed for the call). */
struct store_rejection {
    const char *path, *member, *reason;
    bool has_offset;
    int64_t offset;
};
/* EACH(CONTEXT, rejection) for every rejection, in the order recorded,
 * until it returns false.  MT_OK or MT_EDB with ERR. */
mt_status store_each_rejection(struct store *st,
                               bool (*each)(void *, const struct store_rejection *),
                               void *context, struct mt_error *err);

/* Number of emails, or -1 on error. */
int64_t store_count_emails(struct store *st);

/* Helpers for SQLite errors: fill ERR with the connection's message. */
/*
 * Publishing (CONTRACT "Publishing"; docs/web.md).  store_publish_copy
 * writes a compacted copy of ST to PATH, which must not exist (MT_EXISTS):
 * every table as it is now (VACUUM INTO), in rollback-journal mode, its
 * settings given SETTINGS (COUNT name/value pairs, which must include
 * "published_root": its presence is what makes a copy published).  On
 * failure PATH is removed.  MT_OK, MT_EXISTS or MT_EDB with ERR.
 * store_open reads a published copy immutable (no locks, no -wal or -shm:
 * any number of processes, read-only media) and refuses to write it
 * (MT_EUNSUPPORTED); store_is_published says whether ST is one.
 */
mt_status store_publish_copy(struct store *st, const char *path,
                             const char *const (*settings)[2], size_t count,
                             struct mt_error *err);
bool store_is_published(const struct store *st);
/* The archive setting NAME to VALUE (store_lists.c).  MT_OK or MT_EDB. */
mt_status store_set_setting(struct store *st, const char *name, const char *value,
                            struct mt_error *err);
/* The archive setting NAME into VALUE (cleared first).  MT_OK, MT_ENOTFOUND
 * when it is not set, MT_ENOMEM or MT_EDB with ERR. */
mt_status store_setting(struct store *st, const char *name, struct buf *value,
                        struct mt_error *err);

/*
 * How many emails have FACET ("verdict:verified" ... "verdict:unsigned",
 * "has:attachment"), or, with COMPLEMENT, how many do not (a verdict
 * facet only), into *COUNT (store_facets.c).  *KNOWN is false when the
 * counts are being brought up to date (a writer is at work, or was
 * killed before its store_close): count the emails instead.  MT_OK or
 * MT_EDB with ERR.
 */
mt_status store_facet_count(struct store *st, const char *facet, bool complement,
                            int64_t *count, bool *known, struct mt_error *err);

/*
 * The emails dated in [FROM, TO) (Unix times; INT64_MIN and INT64_MAX
 * leave an end open) from the per-day counts: *COUNT of them, all with
 * ids in [*MIN_ID, *MAX_ID] (1 and 0 when there are none).  *KNOWN is
 * false when an end is not at a UTC midnight or the counts are being
 * brought up to date (store_facet_count): read the emails instead.
 * MT_OK or MT_EDB with ERR.
 */
mt_status store_dated_summary(struct store *st, int64_t from, int64_t to, int64_t *count,
                              int64_t *min_id, int64_t *max_id, bool *known,
                              struct mt_error *err);

/*
 * The emails with ids in [LOW, HIGH] that are not dated in [FROM, TO)
 * (dated outside it, or undated): the first MAX ids into IDS, and in
 * *COUNT how many there are, or MAX + 1 when there are more than MAX.
 * *KNOWN as for store_dated_summary.  MT_OK or MT_EDB with ERR.
 */
mt_status store_ids_dated_outside(struct store *st, int64_t from, int64_t to, int64_t low,
                                  int64_t high, int64_t *ids, size_t max, size_t *count,
                                  bool *known, struct mt_error *err);

#endif
