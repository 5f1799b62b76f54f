/*
 * search_int.h - internal to the search module (search.c, search_range.c):
 * a query being run, and what its date range says about ids.
 *
 * Same threading as search.h: a run belongs to one thread and its store.
 */
#ifndef MT_SEARCH_INT_H
#define MT_SEARCH_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "query.h"
#include "status.h"
#include "store.h"

/* search_bound_dates: ids further apart than this end a block; a range
 * with more ids outside its largest block than SEARCH_MAX_OUTLIERS is
 * scanned whole. */
#define SEARCH_ID_GAP 1000
#define SEARCH_MAX_OUTLIERS 64
/* At most this many emails within a date range's ids but not of it are
 * named to leave out (more: the id set, or each match's date). */
#define SEARCH_MAX_HOLES 256

/* A set of email ids: bit (id - BASE) of WORDS, for ids below BASE + BITS. */
struct id_bitmap {
    int64_t base;
    int64_t bits;
    uint64_t *words;   /* malloc'd; NULL when there is no set */
};

/* A query being run: its plan and what was learnt about it so far. */
struct run {
    struct query_plan plan;
    /* every match has an id in [low_id, high_id] or among OUTLIERS (from
     * the date bounds: FTS5 skips the rest of its index while reading) */
    bool id_bounded;
    int64_t low_id, high_id;
    int64_t outliers[SEARCH_MAX_OUTLIERS];
    int outlier_count;
    /* The plan's only filters are its date bounds, and the ids say which
     * emails are in them: every id within the bounds above but HOLES, or
     * (IN_RANGE has words) those of IN_RANGE.  The full-text index alone
     * then answers, without reading an email row for its date. */
    bool dates_by_id;
    int64_t holes[SEARCH_MAX_HOLES];
    int hole_count;
    struct id_bitmap in_range;
};

/*
 * How a plan becomes SQL.  Which shape runs is chosen by how many rows
 * match (docs/search.md has the measurements behind the thresholds).
 */
enum shape {
    SHAPE_FTS_ONLY,  /* the FTS table alone: text-only queries */
    SHAPE_FTS_JOIN,  /* FTS rows joined to their email rows */
    SHAPE_PROBE,     /* email rows in date order, each checked in FTS */
    SHAPE_PLAIN,     /* email rows only: no text in the query */
    SHAPE_ID_SET,    /* the plan's id set alone (no email row read): counting */
    SHAPE_DATE_WALK, /* no text, many matches, date order: walk the date
                        index (date and id, no row read) until the page */
};

/*
 * "SELECT <WHAT> <the FROM and WHERE of SHAPE for RUN> <TAIL>" prepared
 * on ST with RUN's parameters bound into *OUT (the caller's: finalize),
 * TAIL being SQL this program wrote (" AND email_text.rowid <= 5"), never
 * user text; its own parameters, if any, named.  search_step_number runs
 * such a statement for one integer into *OUT (-1 when there is no row)
 * and resets it; search_select_number does all three.  MT_OK or MT_EDB
 * with ERR.
 */
mt_status search_prepare_select(struct store *st, const struct run *run, enum shape shape,
                                const char *what, const char *tail, sqlite3_stmt **out,
                                struct mt_error *err);
mt_status search_step_number(struct store *st, sqlite3_stmt *s, int64_t *out,
                             struct mt_error *err);
mt_status search_select_number(struct store *st, const struct run *run, enum shape shape,
                               const char *what, const char *tail, int64_t *out,
                               struct mt_error *err);

/*
 * The number of matches of RUN in SHAPE (SHAPE_FTS_ONLY or SHAPE_FTS_JOIN),
 * read by one thread or split between it and helpers (search_count.c).
 * split_count_start decides from the store's helpers (store_helpers) and
 * an estimate of the matches whether to split, and if so cuts the ids
 * into chunks and starts the helpers, each with its own connection, on
 * them.  The estimate comes from KNOWN matches the caller has read at ids
 * KNOWN_FROM and above, or when KNOWN is 0 from a count of the newest ids.
 * The caller's thread can go on with other statements on ST meanwhile;
 * split_count_finish counts chunks on ST too until none is left, waits
 * for the helpers and adds.  A chunk a helper could not count is counted
 * on ST: the total is exact either way.  RUN must live until
 * split_count_finish, which must follow every split_count_start (it
 * frees what start made, and leaves in HELPERS what each one did).
 * MT_OK or MT_EDB with ERR.
 */
#define SPLIT_COUNT_MAX_HELPERS 3
struct split_count {
    const struct run *run;
    enum shape shape;
    int helper_count;           /* helpers that were to start */
    int64_t low, chunk_ids;     /* chunk K: ids low + K * chunk_ids on */
    int chunks;
    atomic_int next_chunk;      /* the next chunk nobody took */
    struct split_helper {
        struct split_count *owner;
        struct store *reader;   /* its own connection (store_open_sibling) */
        pthread_t thread;
        bool running;           /* the thread was started */
        int chunks_counted;
        int failed_chunk;       /* a chunk it took and could not count, or -1 */
        int64_t count;
        mt_status status;
    } helpers[SPLIT_COUNT_MAX_HELPERS];
};
void split_count_start(struct split_count *split, struct store *st, const struct run *run,
                       enum shape shape, int64_t known, int64_t known_from);
mt_status split_count_finish(struct split_count *split, struct store *st, int64_t *total,
                             struct mt_error *err);
/* split_count_start with the estimate's threshold given (tests; the
 * search uses the one measured, search_count.c) */
void split_count_start_above(struct split_count *split, struct store *st, const struct run *run,
                             enum shape shape, int64_t known, int64_t known_from,
                             int64_t min_matches);

/*
 * Parse and plan QUERY into RUN (zeroed here; run_free after, whatever
 * the status).  With words and a date range, bound the ids the range
 * spans (the date index holds them: no email row is read), and when the
 * range is the only filter, set DATES_BY_ID when that costs less than
 * reading the date of each match.  MT_OK, MT_EPARSE (a bad query),
 * MT_ENOMEM or MT_EDB, with ERR.
 */
mt_status run_prepare(struct store *st, const char *query, struct run *run,
                      struct mt_error *err);
void run_free(struct run *run);

/*
 * The SQL function mt_id_in(ID, SET): whether ID is in SET, a struct
 * id_bitmap bound with sqlite3_bind_pointer as type SEARCH_ID_SET_TYPE.
 * Registered once per connection.  MT_OK or MT_EDB.
 */
#define SEARCH_ID_SET_TYPE "mailtrove_id_bitmap"
mt_status search_register_id_set(struct store *st, struct mt_error *err);

#endif
