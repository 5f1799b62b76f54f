/*
 * store_int.h - the archive's SQLite connection, for the library modules
 * that own tables (docs/architecture.md, "Who owns which tables"): store
 * itself, index, thread, corroborate, verify, org, stem, rank, search,
 * query's plans, report and email_view.  The command-line layer (src/cli/)
 * and the web (web*.c) never include it; `make check` greps that they do
 * not (tests/cli/T001-layers.sh).
 *
 * Same threading as store.h: a connection belongs to one thread at a time.
 */
#ifndef MT_STORE_INT_H
#define MT_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* How a row of raw, body or attachment_text holds its bytes (column
 * codec).  CODEC_ZSTD_AFTER_RAW (schema 16, body texts only): zstd with
 * the email's stored bytes as a prefix, so the copy of the message's text
 * that the body mostly is costs a few references into it. */
enum { CODEC_STORED = 0, CODEC_ZSTD = 1, CODEC_ZSTD_AFTER_RAW = 2 };

/* An address as it was written (lower-cased), from the two columns it is
 * kept in since schema 17: its local part and what follows its first '@'
 * (NULL without one). */
#define ADDRESS_SQL "(CASE WHEN domain IS NULL THEN local ELSE local || '@' || domain END)"

/* The connection, borrowed, for modules that keep their own statements. */
sqlite3 *store_db(struct store *st);
/* A writer's replay of the tokens parse workers found (fts_tokens.h);
 * NULL for a reader, or when it could not be installed. */
struct fts_token_feed *store_token_feed(struct store *st);

/*
 * A statement prepared once per connection and kept: *OUT is looked up by
 * the address of SQL, which must be a string literal (or otherwise live
 * as long as ST), and comes back reset with no bindings.  Owned by ST:
 * never finalize it; sqlite3_reset it when done, so it holds no read
 * lock.  For statements run again and again (the web's pages).  MT_OK or
 * MT_EDB with ERR.
 */
mt_status store_statement(struct store *st, const char *sql, sqlite3_stmt **out,
                          struct mt_error *err);

/*
 * Step S (prepared and bound by the caller on ST's connection, finalized
 * by the caller) to its end, collecting column 0 of every row into *IDS
 * (malloc'd, the caller frees; NULL when there are none) and *COUNT.  On
 * failure *IDS is NULL, *COUNT 0, and ERR says why (MT_ENOMEM, MT_EDB).
 */
mt_status store_collect_ids(struct store *st, sqlite3_stmt *s, int64_t **ids,
                            size_t *count, struct mt_error *err);

/* Internal to the store module (store.c, store_text.c): step S (its
 * first parameter bound here to ID, any others by the caller) to a row of
 * (codec, data, size) and decompress it into OUT (cleared first).
 * MT_ENOTFOUND without a row; READING and WHAT word the errors. */
mt_status store_read_compressed(struct store *st, sqlite3_stmt *s, int64_t id,
                                struct buf *out, const char *reading, const char *what,
                                struct mt_error *err);

/* Internal to the store module: TEXT (LEN bytes) compressed with
 * COMPRESSOR (store_compress), bound to S's parameters FIRST (codec),
 * FIRST + 1 (size) and FIRST + 2 (data), S stepped, reset and cleared
 * (the caller binds the others first).  MT_OK, MT_ENOMEM, or MT_EDB with
 * ERR saying WHAT. */
mt_status store_write_compressed(struct store *st, sqlite3_stmt *s, int first,
                                 const char *text, size_t len,
                                 struct store_compressor *compressor, const char *what,
                                 struct mt_error *err);
/* The same for bytes compressed already (store_pack). */
mt_status store_write_packed(struct store *st, sqlite3_stmt *s, int first,
                             const struct store_packed *packed, const char *what,
                             struct mt_error *err);

/*
 * The facet counts (store_facet_count, store_facets.c): every write that
 * can change an email's verdict or attachment count, or add an email,
 * calls store_facets_changed in the same transaction, which marks them
 * stale; store_close of a writer calls store_facets_recount, which counts
 * them again from the email rows when they are stale.  MT_OK or MT_EDB.
 */
mt_status store_facets_changed(struct store *st, struct mt_error *err);
mt_status store_facets_recount(struct store *st, struct mt_error *err);
/* The counting itself on DB, inside the caller's transaction (the
 * published copy counts afresh: it is never written again).  SQLite's
 * status. */
int store_facets_count_all(sqlite3 *db);

/* MT_EDB with ERR set to WHAT, SQLite's message for ST's connection and
 * advice when it has some (a full disk, a locked file).  Returns MT_EDB. */
mt_status store_db_error(struct store *st, struct mt_error *err,
                         const char *what);

#endif
