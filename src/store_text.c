/* store_text.c - texts kept compressed (part of the store module,
 * store.h): the writing both body texts (store.c) and attachments'
 * extracted texts share, and the attachments' texts, what a snippet from
 * the attachment a search matched is cut from. */
#include "store_int.h"

#include <string.h>
#include <zstd.h>

/* Compression level: 3 is zstd's default, a good speed/size balance for
 * many small texts; raising it costs ingest time for little gain. */
#define STORE_ZSTD_LEVEL 3
/* The messages' raw bytes: level 1 takes three quarters of level 3's
 * time for 1.6% more bytes (linux-mips, every 4th message compressed
 * alone as the store does: 0.660 s and 0.441 of the bytes against 0.863 s
 * and 0.434; docs/ingest.md, session 22).  The ingest's largest single
 * compression; decoding is the same zstd frame either way. */
#define STORE_RAW_ZSTD_LEVEL 1
/* A body text compressed after its message's raw bytes (codec 2): the
 * prefix holds nearly all of it, so level 1 finds the same long matches
 * for 2% more bytes (linux-mips body table 3.90 -> 3.98 MB) and indexes
 * the prefix in less time, which every message pays (docs/ingest.md,
 * session 23). */
#define STORE_AFTER_RAW_ZSTD_LEVEL 1
/* store_pack_after_raw: messages up to this size are always a body's
 * prefix; larger ones only when at most 8 times the body. */
#define STORE_PREFIX_ANY (64 * 1024)

struct store_compressor *store_compressor_new(void)
{
    return (struct store_compressor *)ZSTD_createCCtx();
}

void store_compressor_free(struct store_compressor *compressor)
{
    ZSTD_freeCCtx((ZSTD_CCtx *)compressor);
}

static mt_status compress_at(struct store_compressor *compressor, int level,
                             const unsigned char *raw, size_t len,
                             struct buf *out, int *codec)
{
    buf_clear(out);
    size_t bound = ZSTD_compressBound(len);
    if (buf_reserve(out, bound) != MT_OK)
        return MT_ENOMEM;
    size_t got = compressor
        ? ZSTD_compressCCtx((ZSTD_CCtx *)compressor, out->data, bound, raw, len, level)
        : ZSTD_compress(out->data, bound, raw, len, level);
    if (ZSTD_isError(got) || got >= len) {
        /* Incompressible (or tiny): keep the bytes as they are. */
        buf_clear(out);
        *codec = CODEC_STORED;
        return buf_append(out, raw, len);
    }
    out->len = got;
    *codec = CODEC_ZSTD;
    return MT_OK;
}

mt_status store_compress(struct store_compressor *compressor,
                         const unsigned char *raw, size_t len,
                         struct buf *out, int *codec)
{
    return compress_at(compressor, STORE_RAW_ZSTD_LEVEL, raw, len, out, codec);
}

mt_status store_pack_after_raw(struct store_compressor *compressor, const char *text,
                               size_t len, const void *raw, size_t raw_len,
                               struct store_packed *out)
{
    ZSTD_CCtx *c = (ZSTD_CCtx *)compressor;
    out->size = len;
    buf_clear(&out->data);
    size_t bound = ZSTD_compressBound(len);
    if (buf_reserve(&out->data, bound) != MT_OK)
        return MT_ENOMEM;
    /* a window over the prefix and the text (zstd sizes it to the text
     * alone otherwise); decoders accept up to 2^27 without asking */
    int window = 10;   /* zstd's least */
    while (window < 27 && ((size_t)1 << window) < raw_len + len)
        window++;
    /* zstd drops a prefix the input lies in: the text must be elsewhere.
     * And reading the text back decompresses the whole message: not for
     * a short text in a large message (attachments), where it would cost
     * each snippet megabytes. */
    const char *r = raw;
    if (((size_t)1 << window) < raw_len + len
        || (raw_len > STORE_PREFIX_ANY && raw_len / 8 > len)
        || (text && len && text < r + raw_len && r < text + len))
        return store_pack(compressor, text, len, out);
    size_t got = ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    if (!ZSTD_isError(got))
        got = ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, STORE_AFTER_RAW_ZSTD_LEVEL);
    if (!ZSTD_isError(got))
        got = ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window);
    if (!ZSTD_isError(got))
        got = ZSTD_CCtx_refPrefix(c, raw, raw_len);
    if (!ZSTD_isError(got))
        got = ZSTD_compress2(c, out->data.data, bound, text ? text : "", len);
    /* the prefix applies to one frame: the next compression is plain */
    ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
    if (ZSTD_isError(got) || got >= len)   /* (as store_compress) */
        return store_pack(compressor, text, len, out);
    out->codec = CODEC_ZSTD_AFTER_RAW;
    out->data.len = got;
    return MT_OK;
}

mt_status store_pack(struct store_compressor *compressor, const char *text, size_t len,
                     struct store_packed *out)
{
    out->size = len;
    return compress_at(compressor, STORE_ZSTD_LEVEL, (const unsigned char *)(text ? text : ""),
                       len, &out->data, &out->codec);
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
