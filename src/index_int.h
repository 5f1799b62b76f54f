/*
 * index_int.h - internal to the index module (index.c, index_rebuild.c),
 * as dkim_int.h is to dkim: the writer's statements.  Other modules use
 * index.h.
 */
#ifndef MT_INDEX_INT_H
#define MT_INDEX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fts_tokens.h"
#include "index.h"
#include "store_int.h"

struct index {
    struct store *store;
    sqlite3_stmt *update_email;
    sqlite3_stmt *insert_address;
    sqlite3_stmt *insert_attachment;
    sqlite3_stmt *insert_text;
    sqlite3_stmt *insert_stem;   /* NULL when the archive has no language */
    struct store_compressor *compressor;
    int64_t lengths_from; /* lowest id indexed since index_flush; 0: none */
    bool bulk;            /* between index_bulk_begin and index_bulk_end */
    struct index_side *side; /* borrowed: full-text rows go there (index_side.h) */
    struct buf address_lowered; /* put_addresses' scratch */
};

/* The statements that write a message's full-text row and its word
 * forms' row: on the writer's connection (index.c) and on the side's
 * (index_side.c), the same. */
#define INDEX_INSERT_TEXT_SQL "INSERT INTO email_text(rowid, subject, body, people," \
                              " attachments, attached) VALUES(?,?,?,?,?,?)"
#define INDEX_INSERT_STEM_SQL "INSERT INTO email_stem(rowid, subject, body, attached)" \
                              " VALUES(?,?,?,?)"

/* How an ingest writes the full-text tables (index_bulk_begin, and the
 * side's, index_side.c): no merging as it goes, but at 64 segments. */
#define INDEX_BULK_AUTOMERGE 0
#define INDEX_BULK_CRISISMERGE 64

/* FTS5 table TABLE on DB writes with HASHSIZE bytes of pending terms and
 * merges at AUTOMERGE and CRISISMERGE segments (FTS5's "Configuration
 * Options").  SQLITE_OK or the failed statement's code. */
int index_fts_set_writing(sqlite3 *db, const char *table, int hashsize, int automerge,
                          int crisismerge);

/* Email ID's full-text row from COLUMN (INDEX_TEXT_COLUMNS texts), the
 * words of TOKENS replayed through FEED (either may be empty or NULL),
 * and, when STEM is not NULL, its word forms' row (subject, STEM_BODY,
 * the attachments' text).  SQLITE_DONE, or the failed step's code (the
 * connection's message says what). */
int index_write_text_row(sqlite3_stmt *text, sqlite3_stmt *stem, struct fts_token_feed *feed,
                         int64_t id, const char *const *column, const struct fts_tokens *tokens,
                         const char *stem_body);

#endif
