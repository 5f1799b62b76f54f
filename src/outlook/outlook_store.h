/*
 * outlook_store.h - reading a PST or OST store, item by item.
 *
 * libpst reads the store in a helper process (the same program, run as
 * `mailtrove-full __outlook-store FILE`): a store is hostile input, and
 * libpst may loop, crash or call exit() on a damaged one.  In a process
 * of its own that costs one rejection ("reading the store stopped: ..."),
 * never the ingest.  The helper is started with fork and exec, not fork
 * alone, because the ingest is multi-threaded: a forked copy could
 * inherit a lock (iconv's, malloc's) that another thread held.
 *
 * The helper writes frames on its standard output, one per item, in
 * folder order; the parent reads them one at a time, so memory holds one
 * item, not the store.  Frame: a type byte, a 4-byte member length, the
 * member, an 8-byte payload length, the payload (lengths little-endian):
 *   'M' a mail item: member, its MIME bytes
 *   'R' an item that is not stored: member, the reason
 *   'X' the store's promise: payload is the decimal sum of its folders'
 *       content counts (sent last)
 *   'F' the store cannot be read at all: the reason
 * Not thread-safe per call; calls on different stores may run in parallel.
 */
#ifndef MT_OUTLOOK_STORE_H
#define MT_OUTLOOK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

/* What a store's first bytes are: "pst", "ost" or NULL.  The magic is
 * "!BDN"; an OST has 'SO' as its client magic at offset 8. */
const char *outlook_store_kind(const unsigned char *d, size_t len);

/* One item of a store.  BYTES is NULL for a rejection; the callback may
 * take the bytes (leaving the buf empty). */
typedef mt_status (*outlook_store_item_fn)(void *context, const char *member,
                                           struct buf *bytes,
                                           const char *reject_reason);

struct outlook_store_result {
    int64_t expected;   /* sum of the folders' content counts, or -1 */
    uint64_t items;     /* items delivered (stored or rejected) */
    char failure[512];  /* "" or why the store could not be read (to the end) */
};

/*
 * Read the store at FILE (a file on disk) through the helper HELPER (an
 * executable that takes `__outlook-store FILE MAX_BYTES`), calling EMIT
 * for each item.  Items over MAX_BYTES are rejected by the helper.
 * A store that cannot be opened, or a helper that dies, fills
 * RESULT->failure and returns MT_OK: the caller records it as a
 * rejection.  Returns what EMIT returned when it was not MT_OK, or
 * MT_EIO/MT_ENOMEM when the helper could not be started, with ERR.
 */
mt_status outlook_store_read(const char *helper, const char *file,
                             size_t max_bytes, outlook_store_item_fn emit,
                             void *context, struct outlook_store_result *result,
                             struct mt_error *err);

/*
 * The helper's side: read the store FILE with libpst and write its frames
 * to the descriptor FD.  Returns the process exit code (0, or 1 when the
 * frames could not be written).  Called by main() for `__outlook-store`.
 */
int outlook_store_helper_main(const char *file, size_t max_bytes, int fd);

#endif
