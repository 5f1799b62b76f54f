/* store_text.c - texts kept compressed (part of the store module,
 * store.h): the writing both body texts (store.c) and attachments'
 * extracted texts share, and the attachments' texts, what a snippet from
 * the attachment a search matched is cut from. */
#include "store_int.h"

mt_status store_pack(struct store_compressor *compressor, const char *text, size_t len,
                     struct store_packed *out)
{
    out->size = len;
    return store_compress(compressor, (const unsigned char *)(text ? text : ""), len,
                          &out->data, &out->codec);
}

void store_packed_free(struct store_packed *packed)
{
    buf_free(&packed->data);
}

mt_status store_write_packed(struct store *st, sqlite3_stmt *s, int first,
                             const struct store_packed *packed, const char *what,
                             struct mt_error *err)
{
    mt_status status = MT_OK;
    sqlite3_bind_int(s, first, packed->codec);
    sqlite3_bind_int64(s, first + 1, (sqlite3_int64)packed->size);
    sqlite3_bind_blob64(s, first + 2, packed->data.data ? packed->data.data : "",
                        packed->data.len, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        status = store_db_error(st, err, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return status;
}

mt_status store_write_compressed(struct store *st, sqlite3_stmt *s, int first,
                                 const char *text, size_t len,
                                 struct store_compressor *compressor, const char *what,
                                 struct mt_error *err)
{
    struct store_packed packed = { .data = BUF_INIT };
    mt_status status = store_pack(compressor, text, len, &packed);
    if (status == MT_OK)
        status = store_write_packed(st, s, first, &packed, what, err);
    else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    store_packed_free(&packed);
    return status;
}

mt_status store_put_attachment_text(struct store *st, int64_t id, int n, const char *text,
                                    size_t len, struct store_compressor *compressor,
                                    struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "INSERT INTO attachment_text(email_id, n,"
                                       " codec, size, data) VALUES(?,?,?,?,?)"
                                       " ON CONFLICT(email_id, n) DO UPDATE SET"
                                       " codec = excluded.codec, size = excluded.size,"
                                       " data = excluded.data", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, n);
    return store_write_compressed(st, s, 3, text, len, compressor,
                                  "storing an attachment's text", err);
}

mt_status store_get_attachment_text(struct store *st, int64_t id, int n, struct buf *out,
                                    struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT codec, data, size FROM attachment_text"
                                       " WHERE email_id = ?1 AND n = ?2", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int(s, 2, n);
    return store_read_compressed(st, s, id, out, "reading an attachment's text",
                                 "attachment text is", err);
}
