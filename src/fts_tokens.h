/*
 * fts_tokens.h - the full-text index's words, found by a parse worker and
 * handed to the writer (docs/ingest.md, "Words found by the workers").
 *
 * The archive's full-text table tokenizes with FTS5's
 * `unicode61 remove_diacritics 2`, on the one thread that writes.  A parse
 * worker runs that same tokenizer (FTS5's own code, on an in-memory
 * connection of its own) over the texts it will index and keeps the
 * tokens; the writer's connection has "unicode61" replaced by a tokenizer
 * that, offered those tokens, replays them for the text they were made
 * from, and otherwise, for any other text, arguments or purpose (a query,
 * the word forms' table), does what unicode61 does by calling it.  The
 * index is byte for byte what unicode61 would have written: the tokens
 * are unicode61's, for the same bytes.
 *
 * Thread-safety: a struct fts_tokenizer and a struct fts_tokens belong to
 * one thread at a time; a feed belongs to its connection's thread.
 */
#ifndef MT_FTS_TOKENS_H
#define MT_FTS_TOKENS_H

#include <sqlite3.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

#define FTS_TOKENS_MAX_COLUMNS 8

/* DB's FTS5 interface (version 2 or later), or NULL: this SQLite has no
 * FTS5.  Owned by DB. */
fts5_api *fts_tokens_fts5_api(sqlite3 *db);

/* A worker's tokenizer: unicode61 with the archive's arguments. */
struct fts_tokenizer;

/* MT_OK and *OUT (the caller's: fts_tokenizer_free), or MT_EDB (this
 * SQLite has no FTS5) or MT_ENOMEM, *OUT NULL. */
mt_status fts_tokenizer_new(struct fts_tokenizer **out);
void fts_tokenizer_free(struct fts_tokenizer *tk);

/* The tokens of up to FTS_TOKENS_MAX_COLUMNS texts, in order. */
struct fts_column_tokens {
    const char *text;   /* borrowed: must outlive the tokens' use */
    int len;
    size_t offset;      /* of the first token in bytes */
    size_t count;
};
struct fts_tokens {
    struct fts_column_tokens columns[FTS_TOKENS_MAX_COLUMNS];
    int column_count;
    struct buf bytes;   /* per token: 4 ints (flags, start, end, length), the token */
};
#define FTS_TOKENS_INIT { .column_count = 0, .bytes = BUF_INIT }

/* Tokenize TEXTS[0..COUNT) (NUL-terminated, borrowed: they must stay
 * alive and unchanged while OUT is offered) into OUT, cleared first.
 * MT_OK, MT_EINVAL (more than FTS_TOKENS_MAX_COLUMNS), MT_ENOMEM or
 * MT_EDB (the tokenizer failed); on failure OUT is empty. */
mt_status fts_tokens_compute(struct fts_tokenizer *tk, const char *const *texts, int count,
                             struct fts_tokens *out);
void fts_tokens_free(struct fts_tokens *tokens);

/* The writer's side: "unicode61" on DB replaced (fts5's xCreateTokenizer:
 * the newest of a name is used), for the tables DB connects from now on.
 * *OUT is owned by the connection (freed when DB closes).  MT_OK, MT_EDB
 * (no FTS5) or MT_ENOMEM; on failure DB is unchanged and *OUT NULL. */
struct fts_token_feed;
mt_status fts_token_feed_install(sqlite3 *db, struct fts_token_feed **out);

/* Offer TOKENS (borrowed, NULL to withdraw) to the next inserts: a text
 * tokenized for a document with unicode61's `remove_diacritics 2`, whose
 * bytes are one of TOKENS' columns, gets that column's tokens.  FEED may
 * be NULL (nothing happens). */
void fts_token_feed_offer(struct fts_token_feed *feed, const struct fts_tokens *tokens);

/* How many texts FEED replayed, and how many it left to unicode61. */
void fts_token_feed_counts(const struct fts_token_feed *feed, uint64_t *replayed,
                           uint64_t *tokenized);

#endif
