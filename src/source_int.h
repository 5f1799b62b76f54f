/*
 * source_int.h - what the source module's files share (source.c walks
 * files, directories, archives and mboxes; source_outlook.c hands PST/OST
 * stores and .msg files to the Outlook backends).  Internal: nothing
 * outside src/source*.c includes it.
 */
#ifndef MT_SOURCE_INT_H
#define MT_SOURCE_INT_H

#include "reader.h"
#include "source.h"

struct walk {
    const char *root;         /* the SOURCE argument as the user named it */
    const char *root_name;    /* what stands for it in recorded paths */
    struct buf shown;         /* the recorded path of the current item */
    struct buf shown_file;    /* the recorded path of its `sources` row */
    size_t max_message;
    int max_depth;
    const char *outlook_helper;
    source_item_fn emit;
    void *context;
    struct mt_error *err;
    /* The source file being read: its `sources` row (a real path, made
     * recorded on delivery) and kind ("mbox", "pst", ...). */
    const char *file_row;
    const char *file_kind;
    bool in_directory;        /* reached through a directory walk */
    uint64_t *disk_read;      /* source_options'; NULL: not counted */
    int file_fd;              /* the file being read from disk, or -1 */
    const char *directory;    /* then the directory holding the file */
};

/* Hand ITEM to the caller with its paths as they are recorded. */
mt_status source_deliver(struct walk *w, struct source_item *item);
mt_status source_emit_rejection(struct walk *w, const char *path,
                                int64_t offset, const char *member,
                                const char *reason, uint64_t input_bytes);
/* Deliver ITEM's bytes as a message, or as a rejection when they do not
 * start with a header block. */
mt_status source_emit_message(struct walk *w, struct source_item *item);

/* A PST/OST store (STORE_KIND "pst" or "ost") at the reader R's
 * position; TOP_FD >= 0 when R reads the file PATH itself from its start. */
mt_status source_walk_outlook_store(struct walk *w, struct reader *r,
                                    const char *path, const char *member,
                                    int top_fd, const char *store_kind);

/* An OLE2 compound file: an Outlook .msg becomes one email; another
 * compound file (a .doc, .xls) is a rejection naming it. */
mt_status source_walk_ole2(struct walk *w, struct reader *r, const char *path,
                           const char *member);

#endif
