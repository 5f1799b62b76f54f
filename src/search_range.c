/* search_range.c - what a query's date range says about email ids (part
 * of the search module, search_int.h): the block of ids a range spans,
 * and, when the range is the query's only filter, which ids are in it,
 * so that the full-text index alone answers. */
#include "store_int.h"
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

/* Reading an email row for its date costs about this many entries of the
 * date index read in order (bench/scale's million emails: 1-2 us against
 * 25-50 ns), which is what building the id set of a range reads. */
#define ROW_COST_IN_ENTRIES 40

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/*
 * The ids of a date range mostly lie in one block (mail is read in date
 * order, roughly), but a few can lie far away: an attached message is
 * stored after everything read, with its own date.  Two such emails of
 * 2005 in linux-mips made date:2005's id range 18,092-84,114 instead of
 * 18,092-21,515, and 'patch date:2005' read 40 times the postings (6 ->
 * 34 ms).  So when the range is sparse, bound the scan by the largest
 * block (ids no more than SEARCH_ID_GAP apart) and name the few others.
 * Every id of the range stays inside the bound, so results are exact as
 * before (the date filter still applies); with too many outliers the
 * plain range stays.
 */
static mt_status tighten_id_bounds(struct store *st, struct run *run, int64_t count,
                                   struct mt_error *err)
{
    sqlite3_stmt *s;
    int64_t *ids = malloc((size_t)count * sizeof *ids);
    if (!ids)
        return MT_ENOMEM;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM email WHERE date >= ? AND date < ?",
                           -1, &s, NULL) != SQLITE_OK) {
        free(ids);
        return store_db_error(st, err, "searching");
    }
    sqlite3_bind_int64(s, 1, run->plan.date_from);
    sqlite3_bind_int64(s, 2, run->plan.date_to);
    int64_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < count)
        ids[n++] = sqlite3_column_int64(s, 0);
    mt_status status = rc == SQLITE_ROW || rc == SQLITE_DONE ? MT_OK
                                                             : store_db_error(st, err, "searching");
    sqlite3_finalize(s);
    if (status != MT_OK || n != count) {   /* changed meanwhile: keep the plain range */
        free(ids);
        return status;
    }
    qsort(ids, (size_t)n, sizeof *ids, compare_ids);
    int64_t best_start = 0, best_len = 0;
    for (int64_t start = 0, i = 1; i <= n; i++)
        if (i == n || ids[i] - ids[i - 1] > SEARCH_ID_GAP) {
            if (i - start > best_len) {
                best_start = start;
                best_len = i - start;
            }
            start = i;
        }
    if (n - best_len <= SEARCH_MAX_OUTLIERS) {
        run->low_id = ids[best_start];
        run->high_id = ids[best_start + best_len - 1];
        run->outlier_count = 0;
        for (int64_t i = 0; i < n; i++)
            if (i < best_start || i >= best_start + best_len)
                run->outliers[run->outlier_count++] = ids[i];
    }
    free(ids);
    return MT_OK;
}

/* The SQL function mt_id_in(ID, SET) (search_int.h). */
static void id_in_function(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    const struct id_bitmap *set = sqlite3_value_pointer(argv[1], SEARCH_ID_SET_TYPE);
    int64_t id = sqlite3_value_int64(argv[0]);
    int in = set && set->words && id >= set->base && id - set->base < set->bits
             && (set->words[(id - set->base) / 64] >> ((id - set->base) % 64) & 1);
    sqlite3_result_int(context, in);
}

mt_status search_register_id_set(struct store *st, struct mt_error *err)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL;
    /* registered already if it prepares (a connection serving many
     * searches registers once: registering expires prepared statements) */
    if (sqlite3_prepare_v2(db, "SELECT mt_id_in(1, NULL)", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_finalize(s);
        return MT_OK;
    }
    if (sqlite3_create_function(db, "mt_id_in", 2, SQLITE_UTF8, NULL, id_in_function,
                                NULL, NULL) != SQLITE_OK)
        return store_db_error(st, err, "searching");
    return MT_OK;
}

/* Whether the words match at least LIMIT emails within the id bounds
 * (outliers aside): reading that many rows for their dates would cost
 * more than reading the range's ids in date order. */
static mt_status many_matches(struct store *st, const struct run *run, int64_t limit,
                              bool *many, struct mt_error *err)
{
    sqlite3_stmt *s;
    *many = false;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM (SELECT 1 FROM email_text"
                           " WHERE email_text MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?)",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "searching");
    sqlite3_bind_text(s, 1, run->plan.match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, run->low_id);
    sqlite3_bind_int64(s, 3, run->high_id);
    sqlite3_bind_int64(s, 4, limit);
    mt_status status = MT_OK;
    if (sqlite3_step(s) == SQLITE_ROW)
        *many = sqlite3_column_int64(s, 0) >= limit;
    else
        status = store_db_error(st, err, "searching");
    sqlite3_finalize(s);
    return status;
}

/* IN_RANGE: the ids of the emails dated in the plan's range, which lie
 * in [FIRST, LAST]. */
static mt_status load_range_ids(struct store *st, struct run *run, int64_t first, int64_t last,
                                struct mt_error *err)
{
    struct id_bitmap *set = &run->in_range;
    set->base = first;
    set->bits = last - first + 1;
    set->words = calloc((size_t)(set->bits + 63) / 64, sizeof *set->words);
    if (!set->words)
        return MT_ENOMEM;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM email WHERE date >= ? AND date < ?",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "searching");
    sqlite3_bind_int64(s, 1, run->plan.date_from);
    sqlite3_bind_int64(s, 2, run->plan.date_to);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t bit = sqlite3_column_int64(s, 0) - first;
        if (bit >= 0 && bit < set->bits)   /* else changed meanwhile: not in the set */
            set->words[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "searching");
}

/*
 * The plan's only filters are its date bounds: when every id of the
 * bounds is of the range, the bounds say it all; when a few are not (the
 * last emails of the day before, dated in another time zone), the bounds
 * less those; else the set of the range's ids, when the words match
 * enough emails that reading each one's date would cost more than
 * reading the range's COUNT ids.
 */
static mt_status dates_by_id(struct store *st, struct run *run, int64_t first, int64_t last,
                             int64_t count, struct mt_error *err)
{
    if (run->outlier_count == 0 && run->high_id - run->low_id + 1 == count) {
        run->dates_by_id = true;
        return MT_OK;
    }
    size_t holes;
    bool known;
    mt_status status = store_ids_dated_outside(st, run->plan.date_from, run->plan.date_to,
                                               run->low_id, run->high_id, run->holes,
                                               SEARCH_MAX_HOLES, &holes, &known, err);
    if (status != MT_OK || (known && holes <= SEARCH_MAX_HOLES)) {
        run->hole_count = (int)holes;
        run->dates_by_id = status == MT_OK;
        return status;
    }
    bool many;
    status = many_matches(st, run, count / ROW_COST_IN_ENTRIES + 1, &many, err);
    if (status != MT_OK || !many)
        return status;
    status = search_register_id_set(st, err);
    if (status == MT_OK)
        status = load_range_ids(st, run, first, last, err);
    run->dates_by_id = status == MT_OK;
    return status;
}

/* RUN's id bounds and *COUNT, the emails of the plan's date range: from
 * the per-day counts when they can say, else read from the date index. */
static mt_status bound_ids(struct store *st, struct run *run, int64_t *count,
                           struct mt_error *err)
{
    bool known;
    mt_status status = store_dated_summary(st, run->plan.date_from, run->plan.date_to, count,
                                           &run->low_id, &run->high_id, &known, err);
    if (status != MT_OK || known) {
        run->id_bounded = status == MT_OK;
        return status;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT min(id), max(id), count(*) FROM email"
                           " WHERE date >= ? AND date < ?", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "searching");
    sqlite3_bind_int64(s, 1, run->plan.date_from);
    sqlite3_bind_int64(s, 2, run->plan.date_to);
    if (sqlite3_step(s) == SQLITE_ROW) {
        run->id_bounded = true;
        /* no email in the range: an empty id range */
        run->low_id = sqlite3_column_type(s, 0) == SQLITE_NULL ? 1 : sqlite3_column_int64(s, 0);
        run->high_id = sqlite3_column_type(s, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 1);
        *count = sqlite3_column_int64(s, 2);
    } else {
        status = store_db_error(st, err, "searching");
    }
    sqlite3_finalize(s);
    return status;
}

mt_status run_prepare(struct store *st, const char *query, struct run *run,
                      struct mt_error *err)
{
    struct query *q;
    memset(run, 0, sizeof *run);
    mt_status status = query_parse(query, &q, err);
    if (status != MT_OK)
        return status;
    status = query_plan_build(q, &run->plan);
    query_free(q);
    if (status != MT_OK || !run->plan.match || !run->plan.has_date_bounds)
        return status;
    int64_t count = 0;
    status = bound_ids(st, run, &count, err);
    int64_t first = run->low_id, last = run->high_id;
    /* a range much wider than the emails in it */
    if (status == MT_OK && count > 0 && run->high_id - run->low_id + 1 > 4 * count
        && run->high_id - run->low_id + 1 > SEARCH_ID_GAP)
        status = tighten_id_bounds(st, run, count, err);
    if (status == MT_OK && count > 0 && run->plan.only_date_filters)
        status = dates_by_id(st, run, first, last, count, err);
    return status;
}

void run_free(struct run *run)
{
    query_plan_free(&run->plan);
    free(run->in_range.words);
    run->in_range.words = NULL;
}
