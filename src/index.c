/* index.c - parsed message -> email row, addresses, attachments, FTS5. */
#include "store_int.h"
#include "index.h"
#include "index_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment_text.h"
#include "buf.h"
#include "extract/extract.h"
#include "fts_tokens.h"
#include "index_side.h"
#include "rank.h"
#include "stem.h"


static mt_status prepare(struct index *ix, sqlite3_stmt **stmt,
                         const char *sql, struct mt_error *err)
{
    if (sqlite3_prepare_v3(store_db(ix->store), sql, -1,
                           SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
        return store_db_error(ix->store, err, "preparing an index statement");
    return MT_OK;
}

mt_status index_open(struct store *st, struct index **out, struct mt_error *err)
{
    struct index *ix = calloc(1, sizeof *ix);
    *out = NULL;
    if (!ix)
        return MT_ENOMEM;
    ix->store = st;
    ix->compressor = store_compressor_new();
    if (!ix->compressor) {
        free(ix);
        return MT_ENOMEM;
    }
    if (prepare(ix, &ix->update_email,
                "UPDATE email SET date = ?, date_raw = ?, from_name = ?,"
                " from_addr = ?, subject = ?, message_id = ?, in_reply_to = ?,"
                " refs = ?, attachment_count = ?, from_header_count = ?,"
                " parsed = ?, body_from_html = ?, signature_count = coalesce(?, signature_count)"
                " WHERE id = ?", err) != MT_OK
        || prepare(ix, &ix->insert_address,
                   "INSERT INTO address(email_id, role, position, name, local, domain)"
                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
                   " ON CONFLICT(email_id, role, position) DO UPDATE SET name = excluded.name,"
                   " local = excluded.local, domain = excluded.domain", err) != MT_OK
        || prepare(ix, &ix->insert_attachment,
                   "INSERT INTO attachment(email_id, n, filename,"
                   " content_type, size, sha256, extraction, extraction_reason, text_bytes)"
                   " VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(email_id, n) DO UPDATE SET"
                   " filename = excluded.filename, content_type = excluded.content_type,"
                   " size = excluded.size, sha256 = excluded.sha256,"
                   " extraction = excluded.extraction,"
                   " extraction_reason = excluded.extraction_reason,"
                   " text_bytes = excluded.text_bytes", err) != MT_OK
        || prepare(ix, &ix->insert_text, INDEX_INSERT_TEXT_SQL, err) != MT_OK
        /* word forms, when the archive has a language (stem.h) */
        || (strcmp(stem_language(st), "none")
            && (stem_register(st, err) != MT_OK
                || prepare(ix, &ix->insert_stem, INDEX_INSERT_STEM_SQL, err) != MT_OK))) {
        index_close(ix);
        return MT_EDB;
    }
    *out = ix;
    return MT_OK;
}

void index_close(struct index *ix)
{
    if (!ix)
        return;
    sqlite3_finalize(ix->update_email);
    sqlite3_finalize(ix->insert_address);
    sqlite3_finalize(ix->insert_attachment);
    sqlite3_finalize(ix->insert_text);
    sqlite3_finalize(ix->insert_stem);
    store_compressor_free(ix->compressor);
    buf_free(&ix->address_lowered);
    free(ix);
}

static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static mt_status step_done(struct index *ix, sqlite3_stmt *s,
                           struct mt_error *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return store_db_error(ix->store, err, what);
    return MT_OK;
}

mt_status index_flush(struct index *ix, struct mt_error *err)
{
    if (ix->lengths_from == 0 || ix->side)
        return MT_OK;
    mt_status status = rank_write_lengths(ix->store, ix->lengths_from, err);
    if (status == MT_OK)
        ix->lengths_from = 0;
    return status;
}

int index_fts_set_writing(sqlite3 *db, const char *table, int hashsize, int automerge,
                          int crisismerge)
{
    const char *keys[3] = { "hashsize", "automerge", "crisismerge" };
    int values[3] = { hashsize, automerge, crisismerge };
    int rc = SQLITE_OK;
    for (int i = 0; i < 3 && rc == SQLITE_OK; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "INSERT INTO %s(%s, rank) VALUES('%s', %d)", table, table,
                 keys[i], values[i]);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    return rc;
}

/* index_fts_set_writing on the full-text tables (and the word forms',
 * when the archive has them). */
static mt_status set_fts_writing(struct index *ix, int hashsize, int automerge, int crisismerge,
                                 struct mt_error *err)
{
    const char *tables[2] = { "email_text", ix->insert_stem ? "email_stem" : NULL };
    for (int i = 0; i < 2 && tables[i]; i++)
        if (index_fts_set_writing(store_db(ix->store), tables[i], hashsize, automerge,
                                  crisismerge) != SQLITE_OK)
            return store_db_error(ix->store, err, "setting the search index's writing");
    return MT_OK;
}

mt_status index_bulk_begin(struct index *ix, struct mt_error *err)
{
    if (ix->bulk)
        return MT_OK;
    /* Measured on linux-mips (docs/ingest.md): with FTS5's 1 MB of
     * pending terms it wrote several segments a batch and merged them as
     * it went, and index_merge merged them all again at the end; written
     * without merging and merged once, the work is done once.  A level
     * of 64 segments is still merged (crisismerge), so a very long run
     * stays bounded. */
    mt_status status = set_fts_writing(ix, INDEX_BULK_PENDING, INDEX_BULK_AUTOMERGE,
                                       INDEX_BULK_CRISISMERGE, err);
    ix->bulk = status == MT_OK;
    return status;
}

mt_status index_bulk_end(struct index *ix, struct mt_error *err)
{
    if (!ix->bulk)
        return MT_OK;
    /* FTS5's defaults (its documentation, "Configuration Options") */
    mt_status status = set_fts_writing(ix, 1024 * 1024, 4, 16, err);
    if (status == MT_OK)
        ix->bulk = false;
    return status;
}

void index_write_texts_to(struct index *ix, struct index_side *side)
{
    ix->side = side;
}

bool index_in_bulk(const struct index *ix)
{
    return ix->bulk;
}

/* The email row's fields parsed from M: date, From, subject, ids, counts. */
static mt_status put_email_row(struct index *ix, int64_t id, const struct mime_message *m,
                               int signature_count, struct mt_error *err)
{
    const struct mime_address *from = NULL;
    for (size_t i = 0; i < m->address_count; i++) {
        if (m->addresses[i].role == MIME_FROM && !from)
            from = &m->addresses[i];
    }
    sqlite3_stmt *s = ix->update_email;
    if (m->has_date)
        sqlite3_bind_int64(s, 1, m->date);
    else
        sqlite3_bind_null(s, 1);
    bind_text(s, 2, m->date_raw);
    bind_text(s, 3, from ? from->name : NULL);
    bind_text(s, 4, from ? from->address : NULL);
    bind_text(s, 5, m->subject);
    bind_text(s, 6, m->message_id);
    bind_text(s, 7, m->in_reply_to);
    bind_text(s, 8, m->references);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)m->attachment_count);
    sqlite3_bind_int(s, 10, m->from_header_count);
    sqlite3_bind_int(s, 11, m->parsed);
    sqlite3_bind_int(s, 12, m->body_from_html);
    if (signature_count >= 0)
        sqlite3_bind_int(s, 13, signature_count);
    else
        sqlite3_bind_null(s, 13);
    sqlite3_bind_int64(s, 14, id);
    mt_status status = step_done(ix, s, err, "indexing a message");
    /* the attachment count may have changed has:attachment's */
    return status == MT_OK ? store_facets_changed(ix->store, err) : status;
}

void index_texts_free(struct index_texts *t)
{
    buf_free(&t->people);
    buf_free(&t->attachment_names);
    buf_free(&t->attached);
    buf_free(&t->indexed_body);
    fts_tokens_free(&t->tokens);
    memset(t->column, 0, sizeof t->column);
}

mt_status index_texts_build(const struct mime_message *m, struct index_texts *t)
{
    *t = (struct index_texts)INDEX_TEXTS_INIT;
    for (size_t i = 0; i < m->address_count; i++) {
        const struct mime_address *a = &m->addresses[i];
        if (a->name && (buf_append_str(&t->people, a->name) != MT_OK
                        || buf_append_char(&t->people, ' ') != MT_OK))
            goto nomem;
        if (a->address && (buf_append_str(&t->people, a->address) != MT_OK
                           || buf_append_char(&t->people, '\n') != MT_OK))
            goto nomem;
    }
    for (size_t i = 0; i < m->attachment_count; i++) {
        const struct mime_attachment *a = &m->attachments[i];
        struct buf *attached = &t->attached;
        /* what the attachments say, up to the body's limit in all */
        if (a->text && attached->len < MIME_MAX_BODY_BYTES
            && (buf_append(attached, a->text,
                           a->text_len < MIME_MAX_BODY_BYTES - attached->len
                               ? a->text_len : MIME_MAX_BODY_BYTES - attached->len) != MT_OK
                || buf_append_char(attached, '\n') != MT_OK))
            goto nomem;
        if (a->filename && (buf_append_str(&t->attachment_names, a->filename) != MT_OK
                            || buf_append_char(&t->attachment_names, '\n') != MT_OK))
            goto nomem;
    }
    /* the body, and the words only its HTML alternative has (mime.h) */
    if (m->html_extra
        && (buf_append_str(&t->indexed_body, m->body ? m->body : "") != MT_OK
            || buf_append_char(&t->indexed_body, '\n') != MT_OK
            || buf_append_str(&t->indexed_body, m->html_extra) != MT_OK))
        goto nomem;
    t->column[0] = m->subject ? m->subject : "";
    t->column[1] = m->html_extra ? buf_cstr(&t->indexed_body) : m->body ? m->body : "";
    t->column[2] = buf_cstr(&t->people);
    t->column[3] = buf_cstr(&t->attachment_names);
    t->column[4] = buf_cstr(&t->attached);
    return MT_OK;
nomem:
    index_texts_free(t);
    return MT_ENOMEM;
}

mt_status index_texts_tokenize(struct index_texts *t, struct fts_tokenizer *tk)
{
    return fts_tokens_compute(tk, t->column, INDEX_TEXT_COLUMNS, &t->tokens);
}

/* The addresses' rows of email ID. */
/*
 * Bind ADDRESS's local part and domain to columns COLUMN and COLUMN + 1,
 * split as schema 17 split the stored addresses (store_schema.c, in SQL):
 * at the first '@', each side lowered in ASCII only, as SQLite's lower()
 * does; without an '@' all of it is the local part and the domain NULL.
 * In C rather than in the statement: 740,000 addresses of linux-mips
 * each ran instr() four times, substr() and lower() twice on the writer.
 * ADDRESS is UTF-8 (mime.h), so the first '@' byte is its first '@'
 * character.  The bound bytes are IX's scratch, valid until the next call.
 */
static mt_status bind_address_parts(struct index *ix, sqlite3_stmt *s, int column,
                                    const char *address)
{
    if (address == NULL) {
        sqlite3_bind_null(s, column);
        sqlite3_bind_null(s, column + 1);
        return MT_OK;
    }
    struct buf *b = &ix->address_lowered;
    buf_clear(b);
    size_t len = strlen(address);
    if (buf_append(b, address, len) != MT_OK)
        return MT_ENOMEM;
    for (size_t i = 0; i < len; i++)
        if (b->data[i] >= 'A' && b->data[i] <= 'Z')
            b->data[i] = (char)(b->data[i] - 'A' + 'a');
    const char *at = memchr(b->data, '@', len);
    size_t local_len = at ? (size_t)(at - b->data) : len;
    sqlite3_bind_text(s, column, b->data, (int)local_len, SQLITE_STATIC);
    if (at)
        sqlite3_bind_text(s, column + 1, at + 1, (int)(len - local_len - 1), SQLITE_STATIC);
    else
        sqlite3_bind_null(s, column + 1);
    return MT_OK;
}

static mt_status put_addresses(struct index *ix, int64_t id, const struct mime_message *m,
                               struct mt_error *err)
{
    int position[4] = { 0, 0, 0, 0 };
    for (size_t i = 0; i < m->address_count; i++) {
        const struct mime_address *a = &m->addresses[i];
        sqlite3_stmt *s = ix->insert_address;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)a->role);
        sqlite3_bind_int(s, 3, position[a->role]++);
        bind_text(s, 4, a->name);
        if (bind_address_parts(ix, s, 5, a->address) != MT_OK)
            return mt_error_set(err, MT_ENOMEM, "out of memory");
        mt_status status = step_done(ix, s, err, "indexing an address");
        if (status != MT_OK)
            return status;
    }
    return MT_OK;
}

/* The attachments' rows of email ID, and the text each gave. */
static mt_status put_attachments(struct index *ix, int64_t id, const struct mime_message *m,
                                 struct mt_error *err)
{
    for (size_t i = 0; i < m->attachment_count; i++) {
        const struct mime_attachment *a = &m->attachments[i];
        sqlite3_stmt *s = ix->insert_attachment;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, a->n);
        bind_text(s, 3, a->filename);
        bind_text(s, 4, a->content_type ? a->content_type : "application/octet-stream");
        sqlite3_bind_int64(s, 5, (sqlite3_int64)a->size);
        sqlite3_bind_blob(s, 6, a->sha256, 32, SQLITE_STATIC);
        if (a->extraction >= 0) {
            sqlite3_bind_text(s, 7, extract_outcome_name((enum extract_outcome)a->extraction),
                              -1, SQLITE_STATIC);
            bind_text(s, 8, a->extraction_reason);
            sqlite3_bind_int64(s, 9, (sqlite3_int64)a->text_len);
        } else {
            sqlite3_bind_null(s, 7);
            sqlite3_bind_null(s, 8);
            sqlite3_bind_null(s, 9);
        }
        mt_status status = step_done(ix, s, err, "indexing an attachment");
        /* kept for snippets from the attachment a search matched */
        if (status == MT_OK && a->text && a->text_len)
            status = store_put_attachment_text(ix->store, id, a->n, a->text, a->text_len,
                                               ix->compressor, err);
        if (status != MT_OK)
            return status;
    }
    return MT_OK;
}

int index_write_text_row(sqlite3_stmt *text, sqlite3_stmt *stem, struct fts_token_feed *feed,
                         int64_t id, const char *const *column, const struct fts_tokens *tokens,
                         const char *stem_body)
{
    sqlite3_bind_int64(text, 1, id);
    for (int i = 0; i < INDEX_TEXT_COLUMNS; i++)
        sqlite3_bind_text(text, 2 + i, column[i] ? column[i] : "", -1, SQLITE_STATIC);
    fts_token_feed_offer(feed, tokens);
    int rc = sqlite3_step(text);
    sqlite3_reset(text);
    if (rc == SQLITE_DONE && stem) {
        sqlite3_bind_int64(stem, 1, id);
        sqlite3_bind_text(stem, 2, column[0] ? column[0] : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stem, 3, stem_body ? stem_body : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(stem, 4, column[4] ? column[4] : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(stem);
        sqlite3_reset(stem);
    }
    fts_token_feed_offer(feed, NULL);
    return rc;
}

/* The full-text rows of email ID: the words a worker found, when it did,
 * are replayed by the connection's tokenizer (fts_tokens.h); with a side
 * (index_side.h), handed to it. */
static mt_status put_texts(struct index *ix, int64_t id, const struct mime_message *m,
                           struct index_texts *t, struct mt_error *err)
{
    if (ix->side)
        return index_side_put(ix->side, id, t, m->body ? m->body : "", err);
    if (index_write_text_row(ix->insert_text, ix->insert_stem, store_token_feed(ix->store), id,
                             t->column, &t->tokens, m->body) != SQLITE_DONE)
        return store_db_error(ix->store, err, "indexing a message's text");
    return MT_OK;
}

mt_status index_put_message(struct index *ix, int64_t id,
                            const struct mime_message *m, int signature_count,
                            const struct store_packed *body, struct index_texts *texts,
                            struct mt_error *err)
{
    struct index_texts own = INDEX_TEXTS_INIT;
    if (ix->lengths_from == 0 || id < ix->lengths_from)
        ix->lengths_from = id;
    if (!texts) {
        if (index_texts_build(m, &own) != MT_OK)
            return MT_ENOMEM;
        texts = &own;
    }
    mt_status status = put_email_row(ix, id, m, signature_count, err);
    if (status == MT_OK)
        status = put_addresses(ix, id, m, err);
    if (status == MT_OK)
        status = put_attachments(ix, id, m, err);
    if (status == MT_OK)
        status = put_texts(ix, id, m, texts, err);
    if (status == MT_OK)
        status = body ? store_put_body_packed(ix->store, id, body, err)
                      : store_put_body(ix->store, id, m->body, ix->compressor, err);
    index_texts_free(&own);
    return status;
}
