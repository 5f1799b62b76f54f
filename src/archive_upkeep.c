/* archive_upkeep.c - which derived-table pass runs when (archive_upkeep.h). */
#include "archive_upkeep.h"

#include "index.h"

mt_status archive_after_ingest(struct store *st, uint64_t stored, bool reverify_follows,
                               corroborate_text_loader load_body_text, struct mt_error *err)
{
    if (stored == 0)
        return MT_OK;
    mt_status status = MT_OK;
    /* A large addition leaves the full-text index in many segments, each
     * searched on every query: merge them (2 s for 84,000 emails). */
    if ((int64_t)stored * INDEX_MERGE_FRACTION >= store_count_emails(st))
        status = index_merge(st, err);
    /* New mail can join, split or re-parent conversations ... */
    struct thread_counts threads;
    if (status == MT_OK)
        status = thread_update(st, &threads, err);
    /* ... and bring new quotes of (or by) verified mail. */
    struct corroborate_counts corroboration;
    if (status == MT_OK && !reverify_follows)
        status = corroborate_archive(st, load_body_text, &corroboration, err);
    return status;
}

mt_status archive_while_index_merges(void *context, struct store *st, struct mt_error *err)
{
    (void)context;
    struct thread_counts threads;
    return thread_update(st, &threads, err);
}

mt_status archive_recorroborate(struct store *st, bool recompute, corroborate_text_loader load_body_text,
                                struct thread_counts *threads,
                                struct corroborate_counts *corroboration,
                                struct mt_error *err)
{
    mt_status status = recompute ? corroborate_forget_inputs(st, err) : MT_OK;
    if (status == MT_OK)
        status = thread_rebuild(st, threads, err);
    if (status == MT_OK)
        status = corroborate_archive(st, load_body_text, corroboration, err);
    if (status == MT_OK && corroboration->unchanged)
        status = corroborate_count_stored(st, corroboration, err);
    return status;
}
