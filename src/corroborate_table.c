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

/* Email ids or doc indexes to act on, in the order found. */
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

/* Is TEXT (LEN bytes) what span_text makes of the words FROM to TO of W?
 * Compared in place: every stored row of an addition's recomputation is
 * compared, and building each text first was a copy per row. */
static bool span_text_is(const struct words *w, size_t from, size_t to, const char *text,
                         size_t len)
{
    size_t at = 0;
    for (size_t i = from; i < to; i++) {
        if (i > from && (at >= len || text[at++] != ' '))
            return false;
        size_t n = strlen(w->word[i]);
        if (n > len - at || memcmp(text + at, w->word[i], n))
            return false;
        at += n;
    }
    return at == len;
}

/* Does stored row ROW (email_id, position, text, by_email, direction) of
 * the email of DOC say what its span K says? */
static bool row_matches(sqlite3_stmt *row, const struct doc *doc, const struct span_list *found,
                        size_t k)
{
    if (k >= found->count || sqlite3_column_int64(row, 1) != (int64_t)k)
        return false;
    const struct span *sp = &found->items[k];
    const char *direction = (const char *)sqlite3_column_text(row, 4);
    if (sqlite3_column_int64(row, 3) != sp->by || !direction
        || strcmp(direction, sp->quoted ? QUOTES_VERIFIED : QUOTED_BY_VERIFIED))
        return false;
    const char *stored = (const char *)sqlite3_column_text(row, 2);
    return stored && span_text_is(span_words(doc, sp), sp->from, sp->to, stored,
                                  (size_t)sqlite3_column_bytes(row, 2));
}

/* Where the table and the spans found part: the emails whose rows must go
 * (DELETES: no longer examined, nothing found now, or rows that differ)
 * and the docs whose rows must be written (INSERTS, doc indexes: found
 * now, and no rows or rows that differ).  An empty table, as after a
 * first ingest, costs no deletes.  One read of the table in its key
 * order, beside DOCS in id order. */
static mt_status table_diff(struct store *st, const struct doc *docs, size_t doc_count,
                            const struct span_list *spans, struct id_list *deletes,
                            struct id_list *inserts, struct mt_error *err)
{
    sqlite3_stmt *row;
    if (sqlite3_prepare_v2(store_db(st), "SELECT email_id, position, text, by_email, direction"
                           " FROM corroboration ORDER BY email_id, position", -1, &row, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "reading corroboration");
    mt_status status = MT_OK;
    size_t d = 0;            /* the first doc not yet compared */
    int rc = sqlite3_step(row);
    while (rc == SQLITE_ROW && status == MT_OK) {
        int64_t email = sqlite3_column_int64(row, 0);
        /* docs before it have no rows: written if something was found */
        for (; d < doc_count && docs[d].id < email && status == MT_OK; d++)
            if (spans[d].count)
                status = id_list_add(inserts, (int64_t)d);
        bool examined = d < doc_count && docs[d].id == email;
        bool same = examined;
        size_t k = 0;        /* rows of this email read */
        for (; rc == SQLITE_ROW && sqlite3_column_int64(row, 0) == email; k++) {
            if (same)
                same = row_matches(row, &docs[d], &spans[d], k);
            rc = sqlite3_step(row);
        }
        if (status == MT_OK && (!same || k != spans[d].count))
            status = id_list_add(deletes, email);
        if (status == MT_OK && examined && spans[d].count && (!same || k != spans[d].count))
            status = id_list_add(inserts, (int64_t)d);
        d += examined;
    }
    for (; d < doc_count && status == MT_OK && rc == SQLITE_DONE; d++)
        if (spans[d].count)
            status = id_list_add(inserts, (int64_t)d);
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "reading corroboration");
    sqlite3_finalize(row);
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
                            const struct span_list *spans, const struct id_list *deletes,
                            const struct id_list *inserts, struct mt_error *err)
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
    for (size_t i = 0; i < deletes->count && status == MT_OK; i++)
        status = delete_rows(st, del, deletes->items[i], err);
    for (size_t i = 0; i < inserts->count && status == MT_OK; i++) {
        size_t at = (size_t)inserts->items[i];
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
    struct id_list deletes = { 0 }, inserts = { 0 };
    for (size_t i = 0; i < doc_count; i++) {
        counts->spans += (int64_t)spans[i].count;
        counts->emails += spans[i].count > 0;
    }
    /* read inside the write transaction: no other writer between the
     * comparison and the changes */
    mt_status status = store_begin(st, err);
    bool in_transaction = status == MT_OK;
    if (status == MT_OK)
        status = table_diff(st, docs, doc_count, spans, &deletes, &inserts, err);
    if (status == MT_OK)
        status = apply_diff(st, docs, spans, &deletes, &inserts, err);
    if (status == MT_OK)
        status = save_fingerprint(st, fingerprint, err);
    if (status == MT_OK) {
        status = store_commit(st, err);
        in_transaction = false;
    }
    if (in_transaction)
        store_rollback(st);
    free(deletes.items);
    free(inserts.items);
    return status;
}
