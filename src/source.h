/*
 * source.h - walking what the user named (message files, mboxes, Maildirs,
 * directory trees, tar/zip archives, compressed files, nested archives)
 * and turning it into a sequence of items: a message's bytes with where
 * they were found, or a rejection with a reason.
 *
 * What a file is is decided by its content, never by its name.  Nothing
 * read is dropped silently: every regular file or archive member is either
 * one or more messages or a rejection.  (A UTF-8 byte-order mark before an
 * mbox's first "From " line is skipped.)  Knows nothing of SQLite or MIME.
 * Single-threaded: items are delivered in input order on the caller's
 * thread.
 */
#ifndef MT_SOURCE_H
#define MT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

/* Defaults; see docs/limits.md for the reasons. */
#define SOURCE_MAX_MESSAGE_BYTES ((size_t)512 << 20)
#define SOURCE_MAX_ARCHIVE_DEPTH 8

struct source_item {
    const char *path;        /* as recorded: the last component of the
                                SOURCE argument, then the path below it
                                ("leaks/inbox/cur/1"), never absolute */
    int64_t offset;          /* separator offset in an mbox stream, or -1 */
    const char *member;      /* member inside an archive ("a!/b" nested), or NULL */
    const char *separator;   /* mbox "From " line, or NULL */
    unsigned unquoted_lines; /* mboxrd lines that lost a '>' */
    struct buf *bytes;       /* the message; NULL for a rejection.  The
                                callback may take the bytes (leaving the
                                buf empty); otherwise they are freed. */
    const char *reject_reason; /* non-NULL for a rejection */
    uint64_t input_bytes;    /* bytes of input this item accounts for */
    uint64_t truncated_from; /* 0; or the message's whole size when it is
                                over the limit and BYTES holds only what
                                fits (its headers and the start of its body) */
    const char *derived_from; /* "pst" or "msg": BYTES were written from an
                                 Outlook item, not read; else NULL */
    const char *file;        /* the `sources` row this item counts under,
                                recorded like PATH: the file read (an mbox,
                                a store, an archive), or for a message file
                                in a directory, that directory */
    const char *file_kind;   /* "mbox", "pst", "ost", "msg", "archive",
                                "directory", "message" or "other" */
    uint64_t disk_read;      /* the walk's progress when this item was read:
                                bytes of files read from disk so far (the
                                files done whole, then the position in the
                                one being read), an archive or compressed
                                file counted by its own bytes, not what it
                                unpacks to; with source_options.disk_read */
    bool is_promise;         /* no message, no rejection: FILE's folders
                                promise EXPECTED items (sent once, after
                                a store's items) */
    int64_t expected;
};

/* Called once per item, in order; a status other than MT_OK stops the
 * walk and is returned by source_walk. */
typedef mt_status (*source_item_fn)(void *context, struct source_item *item);

struct source_options {
    size_t max_message_bytes;  /* 0: SOURCE_MAX_MESSAGE_BYTES */
    int max_archive_depth;     /* 0: SOURCE_MAX_ARCHIVE_DEPTH */
    /* Borrowed, may be NULL: the bytes of the files this walk (and the
     * caller's earlier walks) read whole; the walk adds each file's size
     * once it is read, so a caller walking several SOURCEs gets one count
     * for a share of the input and an ETA (item's disk_read). */
    uint64_t *disk_read;
    const char *outlook_helper; /* the program that reads PST/OST stores
                                   (outlook_store.h); NULL: this program
                                   (/proc/self/exe) */
};

/*
 * Walk PATH, calling EMIT for each item.  Problems with the input (an
 * unreadable file, a damaged archive, a non-message) are rejections, not
 * errors.  Returns MT_ENOTFOUND with ERR when PATH itself does not exist,
 * MT_ENOMEM, or whatever EMIT returned.
 */
mt_status source_walk(const char *path, const struct source_options *options,
                      source_item_fn emit, void *context,
                      struct mt_error *err);

/* The name that stands for the SOURCE argument PATH in recorded paths:
 * its last component ("inbox.mbox" for /home/u/leaks/inbox.mbox), the
 * directory's own name for "." or "..", "" for "/".  Malloc'd, or NULL
 * on ENOMEM. */
char *source_root_name(const char *path);

/* What the first bytes of a stream are.  Exposed for tests and fuzzing. */
enum source_kind {
    SOURCE_EMPTY,
    SOURCE_ARCHIVE,   /* tar, zip or a compressed stream */
    SOURCE_MBOX,
    SOURCE_MESSAGE,
    SOURCE_BINARY,
    SOURCE_NOT_MAIL,
};
enum source_kind source_classify(const unsigned char *data, size_t len,
                                 size_t *skip);

/* What kind of document (not mail) the first bytes D (LEN; for a zip, as
 * much as is at hand, up to a megabyte) are: "PDF", "RTF", "DOCX", "XLSX",
 * "PPTX", "ODT", "ODS", "ODP", "EPUB", ..., or NULL when none we know. */
const char *source_document_kind(const unsigned char *d, size_t len);

/* The kind of media or other non-mail file a dump holds in numbers ("JPEG
 * image", "MP4/QuickTime video", "SQLite database", ...), or NULL. */
const char *source_media_kind(const unsigned char *d, size_t len);

/* Offset in D (LEN bytes) of the first line that is an mbox separator,
 * starts after a line end (not at 0) and is followed by a header line;
 * SIZE_MAX when there is none.  Finds the mbox after junk in a carved dump. */
size_t source_find_mbox_start(const unsigned char *d, size_t len);

/* Whether BYTES (LEN) begin with a header block: the reason to reject
 * them, or NULL when they are acceptable as a message. */
const char *source_message_problem(const unsigned char *bytes, size_t len);

#endif
