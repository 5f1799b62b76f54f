/*
 * ingest.h - the ingest pipeline: source walk -> parse workers -> one
 * writer.  Sources are walked on a producer thread; worker threads hash,
 * compress, parse (GMime) and check DKIM signatures; the calling thread writes to SQLite in
 * batched transactions, in input order, so ids come out the same on every
 * run over the same input.  Memory is bounded by the ring of in-flight
 * messages, not by the size of the input.
 *
 * Crash safety comes from SQLite: a killed ingest leaves the last
 * committed batch; running it again stores only what is missing.
 */
#ifndef MT_INGEST_H
#define MT_INGEST_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "dkim.h"
#include "status.h"
#include "store.h"
#include "verify.h"

struct ingest_counts {
    uint64_t read;        /* messages and non-messages seen */
    uint64_t stored;      /* new emails */
    uint64_t duplicates;  /* bytes already in the archive */
    uint64_t rejected;    /* not stored, with a reason */
    uint64_t input_bytes; /* bytes of input accounted for so far */
    uint64_t disk_read;   /* bytes of the input files read from disk so
                             far, a compressed or archive file by its own
                             bytes: a share of the files' sizes */
    struct verify_counts verdicts; /* of the emails stored */
};

/* Called from the writer thread now and then, and once with FINAL set. */
typedef void (*ingest_progress_fn)(void *context,
                                   const struct ingest_counts *counts,
                                   bool final);

struct ingest_options {
    const char *archive_path; /* for the workers' read-only connections */
    int workers;              /* 0: one per core */
    ingest_progress_fn progress; /* may be NULL */
    void *progress_context;
    size_t max_message_bytes; /* 0: the source module's default */
    const struct dkim_keyring *keys; /* borrowed; NULL: no keys */
    int64_t now;              /* verification time, for x= */
    /* Borrowed, may be NULL: set non-zero (by a signal handler) to stop.
     * What was written is committed, and ingest_run returns MT_EINTR. */
    volatile sig_atomic_t *interrupted;
    /* The program that reads risky attachments (extract.h); NULL: this
     * program (/proc/self/exe). */
    const char *extract_helper;
    /* Attached messages stay inside their carriers only (ingest
     * --attached-inside); by default each is also an email of its own. */
    bool attached_inside;
    /* Images and scanned pages read by OCR (attachment_text_ocr). */
    bool ocr;
    /* The message bytes read ahead of the writer, at most (one message
     * always may be); 0: 256 MiB. */
    uint64_t max_bytes_in_flight;
    /* Write the full-text rows on the writer's thread even into an empty
     * archive, as into one that has emails (index_side.h: by default an
     * empty file archive gets them from a thread and file of their own). */
    bool text_index_inline;
    /* Run on the writer's connection once the last batch is committed,
     * while that index is merged on its own thread, before it is copied
     * in (so: nothing that searches).  NULL, or no such index: not run. */
    mt_status (*while_index_merges)(void *context, struct store *st, struct mt_error *err);
    void *while_index_merges_context;
};

/*
 * Ingest each of the COUNT paths in SOURCES into ST (opened read-write).
 * COUNTS (caller-owned) is filled even on failure with what was done.
 * Returns MT_OK, MT_EINTR when OPTIONS->interrupted was set (what was
 * written is committed), or the first fatal error (database, memory),
 * with ERR.
 * A source that does not exist is MT_ENOTFOUND before anything is read.
 */
mt_status ingest_run(struct store *st, const char *const *sources,
                     int count, const struct ingest_options *options,
                     struct ingest_counts *counts, struct mt_error *err);

#endif
