/*
 * search_int.h - internal to the search module (search.c, search_range.c):
 * a query being run, and what its date range says about ids.
 *
 * Same threading as search.h: a run belongs to one thread and its store.
 */
#ifndef MT_SEARCH_INT_H
#define MT_SEARCH_INT_H

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
