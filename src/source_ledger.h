/*
 * source_ledger.h - the per-source-file ledger behind `sources` and the
 * web's /sources page: for each file an ingest read (an mbox, a store, an
 * archive, a directory of message files), what that ingest read from it,
 * stored, found already archived and rejected, and for a PST/OST store
 * the items its folders promise (`expected`).
 *
 * A row says what the most recent ingest of that file found, so
 * read = stored + duplicates + rejected holds for every row.  Owns the
 * source_file table.  Calls on one store are not thread-safe.
 */
#ifndef MT_SOURCE_LEDGER_H
#define MT_SOURCE_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"
#include "store.h"

struct source_ledger_row {
    char *path;          /* recorded, never absolute */
    char *kind;          /* "mbox", "pst", "ost", "msg", "archive", ... */
    uint64_t read, stored, duplicates, rejected;
    int64_t expected;    /* -1: not a store (null in JSON) */
};

/* Replace the row of ROW->path with ROW; NOW is the ingest time.  Inside
 * the writer's transaction. */
mt_status source_ledger_put(struct store *st, const struct source_ledger_row *row,
                            int64_t now, struct mt_error *err);

/* Every row, by path.  On MT_OK *ROWS (free with source_ledger_free) holds
 * *COUNT rows.  ONLY_SHORT: just the stores whose expected exceeds read,
 * written at or after SINCE (an ingest's start: what it just read). */
mt_status source_ledger_list(struct store *st, bool only_short, int64_t since,
                             struct source_ledger_row **rows, size_t *count,
                             struct mt_error *err);
void source_ledger_free(struct source_ledger_row *rows, size_t count);

/*
 * The rows of one ingest, kept in memory until it ends: a directory's row
 * can be interrupted by an mbox inside it, so they are written together
 * (one per source file read, few next to the messages).  Zeroed to
 * start; source_ledger_run_free frees what it holds.
 */
struct source_ledger_run {
    struct source_ledger_row *rows;
    size_t count, capacity;
    size_t current;     /* the row the last item went to */
};

/* PATH's row (copied; KIND static, for a new row: expected -1), or NULL:
 * out of memory.  Valid until the next call. */
struct source_ledger_row *source_ledger_run_row(struct source_ledger_run *run, const char *path,
                                                const char *kind);
/* source_ledger_put of every row, NOW the ingest time; inside the
 * writer's transaction. */
mt_status source_ledger_run_write(struct store *st, const struct source_ledger_run *run,
                                  int64_t now, struct mt_error *err);
void source_ledger_run_free(struct source_ledger_run *run);

#endif
