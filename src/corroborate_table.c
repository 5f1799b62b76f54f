/*
 * corroborate_table.c - the corroboration table made to hold the spans
 * found (corroborate_int.h).  The table used to be emptied and written
 * again whole on every change of its inputs: after adding 1,000 emails to
 * the 19,000-email campaign corpus, a quarter of the whole ingest's CPU
 * went to deleting and inserting the same 70,000 rows.  Now the stored
 * rows are read in email order beside the spans found, and only the
 * emails whose rows differ are written (docs/corroboration.md).
 */
#include "store_int.h"
#include "corroborate_int.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define QUOTES_VERIFIED "quotes_verified"
#define QUOTED_BY_VERIFIED "quoted_by_verified"

/* Email ids (or doc indexes) to act on, in the order found. */
struct id_list {
    int64_t *items;
    size_t count, capacity;
};

static mt_status id_list_add(struct id_list *list, int64_t id)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        int64_t *bigger = realloc(list->items, capacity * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        list->items = bigger;
        list->capacity = capacity;
    }
    list->items[list->count++] = id;
    return MT_OK;
}

/* The words FROM to TO of W, one space between, into OUT (cleared). */
static mt_status span_text(const struct words *w, size_t from, size_t to, struct buf *out)
{
    mt_status status = MT_OK;
    buf_clear(out);
    for (size_t i = from; i < to && status == MT_OK; i++) {
        if (i > from)
            status = buf_append_char(out, ' ');
        if (status == MT_OK)
            status = buf_append_str(out, w->word[i]);
    }
    return status;
}

static const struct words *span_words(const struct doc *d, const struct span *sp)
{
    return sp->quoted ? &d->quoted : &d->own;
}

/* Does stored row ROW (email_id, position, text, by_email, direction) of
 * the email of DOC say what its span K says?  TEXT is scratch. */
static bool row_matches(sqlite3_stmt *row, const struct doc *doc, const struct span_list *found,
                        size_t k, struct buf *text, mt_status *status)
{
    if (k >= found->count || sqlite3_column_int64(row, 1) != (int64_t)k)
        return false;
    const struct span *sp = &found->items[k];
    const char *direction = (const char *)sqlite3_column_text(row, 4);
    if (sqlite3_column_int64(row, 3) != sp->by || !direction
        || strcmp(direction, sp->quoted ? QUOTES_VERIFIED : QUOTED_BY_VERIFIED))
        return false;
    if ((*status = span_text(span_words(doc, sp), sp->from, sp->to, text)) != MT_OK)
        return false;
    const void *stored = sqlite3_column_text(row, 2);
    size_t stored_len = (size_t)sqlite3_column_bytes(row, 2);
    return stored && stored_len == text->len && !memcmp(stored, buf_cstr(text), stored_len);
}

/* Where the table and the spans found part: the emails whose rows must go
 * (STALE: no longer examined, or nothing found now) and the docs whose
 * rows must be written (REWRITE: a doc index times 2, plus 1 when it has
 * rows to delete first; an empty table, as after a first ingest, then
 * costs no deletes).
 * One read of the table in its key order, beside DOCS in id order. */
static mt_status table_diff(struct store *st, const struct doc *docs, size_t doc_count,
                            const struct span_list *spans, struct id_list *stale,
                            struct id_list *rewrite, struct mt_error *err)
{
    sqlite3_stmt *row;
    if (sqlite3_prepare_v2(store_db(st), "SELECT email_id, position, text, by_email, direction"
                           " FROM corroboration ORDER BY email_id, position", -1, &row, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "reading corroboration");
    struct buf text = BUF_INIT;
    mt_status status = MT_OK;
    size_t d = 0;            /* the first doc not yet compared */
    int rc = sqlite3_step(row);
    while (rc == SQLITE_ROW && status == MT_OK) {
        int64_t email = sqlite3_column_int64(row, 0);
        /* docs before it have no rows: written if something was found */
        for (; d < doc_count && docs[d].id < email && status == MT_OK; d++)
            if (spans[d].count)
                status = id_list_add(rewrite, (int64_t)d * 2);
        bool examined = d < doc_count && docs[d].id == email;
        bool same = examined;
        size_t k = 0;        /* rows of this email read */
        for (; rc == SQLITE_ROW && sqlite3_column_int64(row, 0) == email; k++) {
            if (same && status == MT_OK)
                same = row_matches(row, &docs[d], &spans[d], k, &text, &status);
            rc = sqlite3_step(row);
        }
        if (status != MT_OK)
            break;
        if (!examined || !spans[d].count)
            status = id_list_add(stale, email);
        else if (!same || k != spans[d].count)
            status = id_list_add(rewrite, (int64_t)d * 2 + 1);
        d += examined;
    }
    for (; d < doc_count && status == MT_OK && rc == SQLITE_DONE; d++)
        if (spans[d].count)
            status = id_list_add(rewrite, (int64_t)d * 2);
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "reading corroboration");
    sqlite3_finalize(row);
    buf_free(&text);
    return status;
}

static mt_status delete_rows(struct store *st, sqlite3_stmt *del, int64_t email,
                             struct mt_error *err)
{
    sqlite3_bind_int64(del, 1, email);
    int rc = sqlite3_step(del);
    sqlite3_reset(del);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "storing corroboration");
}

/* DOC's spans as rows 0, 1, ... (its old rows already gone). */
static mt_status insert_rows(struct store *st, sqlite3_stmt *insert, const struct doc *doc,
                             const struct span_list *found, struct buf *text,
                             struct mt_error *err)
{
    for (size_t k = 0; k < found->count; k++) {
        const struct span *sp = &found->items[k];
        if (span_text(span_words(doc, sp), sp->from, sp->to, text) != MT_OK)
            return MT_ENOMEM;
        sqlite3_bind_int64(insert, 1, doc->id);
        sqlite3_bind_int64(insert, 2, (int64_t)k);
        sqlite3_bind_text(insert, 3, buf_cstr(text), (int)text->len, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 4, sp->by);
        sqlite3_bind_text(insert, 5, sp->quoted ? QUOTES_VERIFIED : QUOTED_BY_VERIFIED, -1,
                          SQLITE_STATIC);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE)
            return store_db_error(st, err, "storing corroboration");
    }
    return MT_OK;
}

static mt_status save_fingerprint(struct store *st, int64_t fingerprint, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_exec(store_db(st), "DELETE FROM corroboration_input", NULL, NULL, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), "INSERT INTO corroboration_input VALUES(?)", -1, &s,
                              NULL) != SQLITE_OK)
        return store_db_error(st, err, "storing corroboration");
    sqlite3_bind_int64(s, 1, fingerprint);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "storing corroboration");
}

/* The changes TABLE_DIFF found, written (inside the caller's transaction). */
static mt_status apply_diff(struct store *st, const struct doc *docs,
                            const struct span_list *spans, const struct id_list *stale,
                            const struct id_list *rewrite, struct mt_error *err)
{
    sqlite3_stmt *del = NULL, *insert = NULL;
    struct buf text = BUF_INIT;
    mt_status status = MT_OK;
    if (sqlite3_prepare_v2(store_db(st), "DELETE FROM corroboration WHERE email_id = ?", -1,
                           &del, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), "INSERT INTO corroboration(email_id, position,"
                              " text, by_email, direction) VALUES(?,?,?,?,?)", -1, &insert,
                              NULL) != SQLITE_OK)
        status = store_db_error(st, err, "storing corroboration");
    for (size_t i = 0; i < stale->count && status == MT_OK; i++)
        status = delete_rows(st, del, stale->items[i], err);
    for (size_t i = 0; i < rewrite->count && status == MT_OK; i++) {
        size_t at = (size_t)(rewrite->items[i] / 2);
        if (rewrite->items[i] % 2)
            status = delete_rows(st, del, docs[at].id, err);
        if (status == MT_OK)
            status = insert_rows(st, insert, &docs[at], &spans[at], &text, err);
    }
    sqlite3_finalize(del);
    sqlite3_finalize(insert);
    buf_free(&text);
    return status;
}

mt_status corroborate_table_store(struct store *st, const struct doc *docs, size_t doc_count,
                                  const struct span_list *spans, int64_t fingerprint,
                                  struct corroborate_counts *counts, struct mt_error *err)
{
    struct id_list stale = { 0 }, rewrite = { 0 };
    for (size_t i = 0; i < doc_count; i++) {
        counts->spans += (int64_t)spans[i].count;
        counts->emails += spans[i].count > 0;
    }
    /* read inside the write transaction: no other writer between the
     * comparison and the changes */
    mt_status status = store_begin(st, err);
    bool in_transaction = status == MT_OK;
    if (status == MT_OK)
        status = table_diff(st, docs, doc_count, spans, &stale, &rewrite, err);
    if (status == MT_OK)
        status = apply_diff(st, docs, spans, &stale, &rewrite, err);
    if (status == MT_OK)
        status = save_fingerprint(st, fingerprint, err);
    if (status == MT_OK) {
        status = store_commit(st, err);
        in_transaction = false;
    }
    if (in_transaction)
        store_rollback(st);
    free(stale.items);
    free(rewrite.items);
    return status;
}
