/* search_count.c - one count of full-text matches split by id between the
 * caller's thread and helpers with their own connections (search_int.h).
 *
 * Why: an exact total steps through every match (FTS5 reads a doclist at
 * 30-80 ns an entry), so a word in a third of a million emails costs its
 * search tens of ms in counting alone.  Other cores count part of the ids
 * at the same time.  The ids are cut into chunks that each thread takes
 * in turn, not into one part a thread: matches are not spread evenly
 * over the ids (a word of later years), and a helper starts about 1 ms
 * late (its connection reads the schema), so fixed parts would leave one
 * thread waiting for the other.  Only for an archive that cannot change
 * (store_helpers): each connection reads its own snapshot. */
#include "search_int.h"

#include <stdio.h>
#include <string.h>

/* A split pays when the count is long: below this many matches
 * (estimated), one thread counts them before a helper has its connection
 * ready.  docs/search.md. */
#define SPLIT_MIN_MATCHES 100000
/* The estimate, when the caller knows no matches yet: a count of the
 * newest 1/SPLIT_SAMPLE of the ids. */
#define SPLIT_SAMPLE 64
/* Chunks a thread: enough that no thread is left with a long last one. */
#define SPLIT_CHUNKS_PER_THREAD 8

static const char chunk_tail[] = " AND email_text.rowid BETWEEN :low AND :high";

/* Count chunk K with S (prepared with chunk_tail) into *COUNT. */
static mt_status count_chunk(struct split_count *split, struct store *st, sqlite3_stmt *s,
                             int k, int64_t *count, struct mt_error *err)
{
    int64_t low = split->low + (int64_t)k * split->chunk_ids;
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":low"), low);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":high"), low + split->chunk_ids - 1);
    return search_step_number(st, s, count, err);
}

/* Take chunks and count them on ST until none is left, adding to *TOTAL;
 * on failure *FAILED is the chunk taken and not counted. */
static mt_status count_chunks(struct split_count *split, struct store *st, int64_t *total,
                              int *failed, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = search_prepare_select(st, split->run, split->shape, "count(*)",
                                             chunk_tail, &s, err);
    int k;
    while (status == MT_OK && (k = atomic_fetch_add(&split->next_chunk, 1)) < split->chunks) {
        int64_t count;
        status = count_chunk(split, st, s, k, &count, err);
        if (status == MT_OK)
            *total += count;
        else
            *failed = k;
    }
    sqlite3_finalize(s);
    return status;
}

static void *helper_main(void *arg)
{
    struct split_helper *helper = arg;
    struct mt_error err;
    store_keep_small_cache(helper->reader);
    helper->status = helper->owner->run->in_range.words
                         ? search_register_id_set(helper->reader, &err) : MT_OK;
    if (helper->status == MT_OK)
        helper->status = count_chunks(helper->owner, helper->reader, &helper->count,
                                      &helper->failed_chunk, &err);
    return NULL;
}

/* The ids a count of RUN reads, [*LOW, *HIGH]; false when they are not
 * one range (a date range's outliers lie outside it). */
static bool id_range(struct store *st, const struct run *run, int64_t *low, int64_t *high)
{
    if (run->id_bounded) {
        *low = run->low_id;
        *high = run->high_id;
        return run->outlier_count == 0;
    }
    struct mt_error err;
    *low = 1;
    return search_select_number(st, run, SHAPE_PLAIN, "max(e.id)", "", high, &err) == MT_OK
           && *high > 0;
}

/* How many matches the count will read: from KNOWN matches at ids KNOWN_FROM
 * and above if given, else from a count of the newest ids. */
static int64_t estimate(struct store *st, const struct run *run, enum shape shape, int64_t low,
                        int64_t high, int64_t known, int64_t known_from)
{
    if (known <= 0) {
        char tail[64];
        struct mt_error err;
        known_from = high - (high - low + 1) / SPLIT_SAMPLE;
        snprintf(tail, sizeof tail, " AND email_text.rowid >= %lld", (long long)known_from);
        if (search_select_number(st, run, shape, "count(*)", tail, &known, &err) != MT_OK)
            return 0;
    }
    if (known_from > high || known_from < low)
        return 0;
    return (int64_t)((double)known * (double)(high - low + 1) / (double)(high - known_from + 1));
}

void split_count_start(struct split_count *split, struct store *st, const struct run *run,
                       enum shape shape, int64_t known, int64_t known_from)
{
    split_count_start_above(split, st, run, shape, known, known_from, SPLIT_MIN_MATCHES);
}

void split_count_start_above(struct split_count *split, struct store *st, const struct run *run,
                             enum shape shape, int64_t known, int64_t known_from,
                             int64_t min_matches)
{
    memset(split, 0, sizeof *split);
    split->run = run;
    split->shape = shape;
    atomic_init(&split->next_chunk, 0);
    int helpers = store_helpers(st);
    if (helpers > SPLIT_COUNT_MAX_HELPERS)
        helpers = SPLIT_COUNT_MAX_HELPERS;
    int64_t low, high;
    int chunks = SPLIT_CHUNKS_PER_THREAD * (helpers + 1);
    if (helpers == 0 || (shape != SHAPE_FTS_ONLY && shape != SHAPE_FTS_JOIN)
        || !id_range(st, run, &low, &high) || high - low + 1 < chunks
        || estimate(st, run, shape, low, high, known, known_from) < min_matches)
        return;
    split->low = low;
    split->chunk_ids = (high - low + chunks) / chunks;   /* the last may end past HIGH */
    split->chunks = chunks;
    for (int i = 0; i < helpers; i++) {
        struct split_helper *helper = &split->helpers[split->helper_count++];
        struct mt_error err;
        helper->owner = split;
        helper->failed_chunk = -1;
        helper->status = MT_EDB;
        if (store_open_sibling(st, &helper->reader, &err) != MT_OK)
            continue;
        helper->running = pthread_create(&helper->thread, NULL, helper_main, helper) == 0;
        if (!helper->running) {
            store_close(helper->reader);
            helper->reader = NULL;
        }
    }
}

mt_status split_count_finish(struct split_count *split, struct store *st, int64_t *total,
                             struct mt_error *err)
{
    int64_t all = 0;
    int failed = -1;
    mt_status status = split->helper_count
                           ? count_chunks(split, st, &all, &failed, err)
                           : search_select_number(st, split->run, split->shape, "count(*)", "",
                                                  &all, err);
    sqlite3_stmt *s = NULL;
    for (int i = 0; i < split->helper_count; i++) {
        struct split_helper *helper = &split->helpers[i];
        if (helper->running)
            pthread_join(helper->thread, NULL);
        store_close(helper->reader);
        helper->reader = NULL;
        all += helper->count;
        /* the chunk a failed helper held is counted here */
        if (status == MT_OK && helper->failed_chunk >= 0 && !s)
            status = search_prepare_select(st, split->run, split->shape, "count(*)",
                                           chunk_tail, &s, err);
        int64_t count;
        if (status == MT_OK && helper->failed_chunk >= 0
            && (status = count_chunk(split, st, s, helper->failed_chunk, &count, err)) == MT_OK)
            all += count;
    }
    sqlite3_finalize(s);
    *total = all;
    return status;
}
