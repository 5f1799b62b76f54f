/*
 * corroborate_int.h - what corroborate.c (finding spans) shares with
 * corroborate_table.c (keeping the corroboration table): the emails as
 * cut into words and the spans found.  Internal to the corroborate
 * module (corroborate.h is its contract); same thread as the store.
 */
#ifndef MT_CORROBORATE_INT_H
#define MT_CORROBORATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corroborate.h"

struct words {
    char *text;       /* owned; words '\0'-separated */
    char **word;      /* into text */
    uint64_t *hash;   /* owned; each word's hash, so a window's is K steps */
    size_t count;
};

struct doc {
    int64_t id;
    int64_t conversation;
    bool verified;
    struct words own, quoted;
};

/* A span found, before it is written: words FROM to TO of the email's
 * own (QUOTED false) or quoted text, matching email BY. */
struct span {
    size_t from, to;
    int64_t by;
    bool quoted;
};

struct span_list {
    struct span *items;
    size_t count, capacity;
};

/*
 * Make the corroboration table hold SPANS (one list per doc of DOCS,
 * which are in id order) and nothing else, and remember FINGERPRINT, in
 * one transaction.  Only the emails whose rows differ are written: rows
 * equal to what was found stay (an addition to a large archive changes a
 * few emails' spans, not the whole table).  COUNTS->spans and ->emails
 * count everything found, written or kept.  MT_OK, MT_ENOMEM or MT_EDB
 * (ERR says why; the table is then as it was).
 */
mt_status corroborate_table_store(struct store *st, const struct doc *docs, size_t doc_count,
                                  const struct span_list *spans, int64_t fingerprint,
                                  struct corroborate_counts *counts, struct mt_error *err);

#endif
