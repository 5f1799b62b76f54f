/* index_rebuild.c - the index of the whole archive at once (part of the
 * index module, index.h): reindex from the stored messages, the upgrades
 * that fill body texts and lengths an older archive lacks, merging the
 * full-text index, and reading a body text back. */
#include "store_int.h"
#include "index.h"
#include "index_side.h"
#include "index_int.h"

#include <stdlib.h>
#include <string.h>

#include "attachment_text.h"
#include "buf.h"
#include "extract/extract.h"
#include "rank.h"
#include "stem.h"

/*
 * Parse each of IDS again from its stored bytes (RAW) and hand it to APPLY;
 * *COUNT gets how many were done.  Every email then has its body text,
 * so the upgrade that waits for them is done (in the caller's
 * transaction).
 */
typedef mt_status (*parsed_action)(void *context, int64_t id, const struct mime_message *m,
                                   const struct buf *raw, struct mt_error *err);

static mt_status reparse_each(struct store *st, const int64_t *ids, size_t id_count,
                              const struct mime_options *options,
                              parsed_action apply, void *context, int64_t *count,
                              struct mt_error *err)
{
    struct buf raw = BUF_INIT;
    mt_status status = MT_OK;
    for (size_t i = 0; i < id_count && status == MT_OK; i++) {
        struct mime_message *m = NULL;
        status = store_get_raw(st, ids[i], &raw, err);
        if (status == MT_OK)
            status = mime_parse_with((const unsigned char *)buf_cstr(&raw), raw.len, options,
                                     &m);
        if (status == MT_OK)
            status = apply(context, ids[i], m, &raw, err);
        mime_message_free(m);
        if (status == MT_OK)
            (*count)++;
    }
    if (status == MT_OK)
        status = store_upgrade_done(st, "body text", err);
    buf_free(&raw);
    return status;
}

/* The body text compressed against the stored bytes (store_pack_after_raw). */
static mt_status pack_body(struct store_compressor *compressor, const struct mime_message *m,
                           const struct buf *raw, struct store_packed *body)
{
    const char *text = m->body ? m->body : "";
    return store_pack_after_raw(compressor, text, strlen(text), raw->data, raw->len, body);
}

static mt_status reindex_one(void *context, int64_t id, const struct mime_message *m,
                             const struct buf *raw, struct mt_error *err)
{
    struct index *ix = context;
    struct store_packed body = { 0 };
    mt_status status = pack_body(ix->compressor, m, raw, &body);
    if (status == MT_OK)
        status = index_put_message(ix, id, m, -1, &body, NULL, err);
    store_packed_free(&body);
    return status;
}

struct body_filler {
    struct store *store;
    struct store_compressor *compressor;
};

static mt_status fill_one(void *context, int64_t id, const struct mime_message *m,
                          const struct buf *raw, struct mt_error *err)
{
    struct body_filler *filler = context;
    struct store_packed body = { 0 };
    mt_status status = pack_body(filler->compressor, m, raw, &body);
    if (status == MT_OK)
        status = store_put_body_packed(filler->store, id, &body, err);
    store_packed_free(&body);
    return status;
}

mt_status index_rebuild(struct store *st, int64_t *count, struct mt_error *err)
{
    struct index *ix = NULL;
    int64_t *ids = NULL;
    size_t id_count = 0;
    *count = 0;
    mt_status status = index_open(st, &ix, err);
    if (status != MT_OK)
        return status;
    status = store_email_ids(st, &ids, &id_count, err);
    if (status == MT_OK)
        status = store_begin(st, err);
    if (status != MT_OK)
        goto out;
    /* A contentless FTS5 table cannot delete rows one by one without their
     * old text: start it afresh, inside the same transaction. */
    if (sqlite3_exec(store_db(st), "INSERT INTO email_text(email_text) VALUES('delete-all');"
                     "DELETE FROM address; DELETE FROM attachment; DELETE FROM attachment_text;"
                     "DELETE FROM body;"
                     "DELETE FROM email_length;",
                     NULL, NULL, NULL) != SQLITE_OK
        || (ix->insert_stem
            && sqlite3_exec(store_db(st), "INSERT INTO email_stem(email_stem) VALUES('delete-all')",
                            NULL, NULL, NULL) != SQLITE_OK))
        status = store_db_error(st, err, "emptying the index");
    if (status == MT_OK)
        status = index_bulk_begin(ix, err);   /* merged once, below */
    if (status == MT_OK) {
        /* attachment text as ingest extracts it (attached messages are
         * not stored again: they were when their carrier was ingested) */
        struct attachment_examiner examiner = { .helper = EXTRACT_SELF,
                                                .depth = ATTACHMENT_MAX_MESSAGE_DEPTH,
                                                .ocr = attachment_text_ocr(st),
                                                /* one helper for every document,
                                                 * as an ingest worker has */
                                                .pool = extract_pool_new(EXTRACT_SELF) };
        struct mime_options options = { .examine = attachment_examine, .context = &examiner };
        status = reparse_each(st, ids, id_count, &options, reindex_one, ix, count, err);
        extract_pool_free(examiner.pool);
    }
    if (status == MT_OK)
        status = index_flush(ix, err);
    if (status == MT_OK)
        status = index_bulk_end(ix, err);
    if (status == MT_OK)
        status = store_upgrade_done(st, "lengths", err);
    if (status == MT_OK)
        status = store_upgrade_done(st, "index", err);
    /* the ids each email names were read anew: thread the next addition
     * with the whole archive, which stores them again */
    if (status == MT_OK)
        status = store_upgrade_request(st, "thread keys", err);
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
    if (status == MT_OK)
        status = index_merge(st, err);
    /* what an ingest killed before its index was copied in left */
    if (status == MT_OK)
        index_side_remove_leftovers(st);
out:
    free(ids);
    index_close(ix);
    return status;
}

mt_status index_fill_bodies(struct store *st, int64_t *count, struct mt_error *err)
{
    sqlite3_stmt *list = NULL;
    struct store_compressor *compressor = store_compressor_new();
    int64_t *ids = NULL;
    size_t id_count = 0;
    *count = 0;
    if (!compressor)
        return MT_ENOMEM;
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        goto out;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM email WHERE id NOT IN"
                           " (SELECT email_id FROM body) ORDER BY id", -1, &list,
                           NULL) != SQLITE_OK)
        status = store_db_error(st, err, "listing emails");
    else
        status = store_collect_ids(st, list, &ids, &id_count, err);
    struct body_filler filler = { st, compressor };
    if (status == MT_OK)
        status = reparse_each(st, ids, id_count, NULL, fill_one, &filler, count, err);
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
out:
    sqlite3_finalize(list);
    free(ids);
    store_compressor_free(compressor);
    return status;
}

mt_status index_fill_lengths(struct store *st, struct mt_error *err)
{
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        return status;
    status = rank_write_lengths(st, 1, err);
    if (status == MT_OK)
        status = store_upgrade_done(st, "lengths", err);
    if (status == MT_OK)
        return store_commit(st, err);
    store_rollback(st);
    return status;
}

mt_status index_load_body_text(struct store *st, int64_t id, struct buf *out)
{
    struct buf raw = BUF_INIT;
    struct mime_message *m = NULL;
    buf_clear(out);
    mt_status status = store_get_raw(st, id, &raw, NULL);
    if (status == MT_OK)
        status = mime_parse((const unsigned char *)buf_cstr(&raw), raw.len, &m);
    if (status == MT_OK)
        status = buf_append_str(out, m->body ? m->body : "");
    mime_message_free(m);
    buf_free(&raw);
    return status;
}

mt_status index_merge(struct store *st, struct mt_error *err)
{
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        return status;
    if (sqlite3_exec(store_db(st), "INSERT INTO email_text(email_text) VALUES('optimize')",
                     NULL, NULL, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "merging the search index");
        store_rollback(st);
        return status;
    }
    status = store_commit(st, err);
    if (status == MT_OK)
        sqlite3_exec(store_db(st), "PRAGMA incremental_vacuum", NULL, NULL, NULL);
    return status;
}
