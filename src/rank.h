/*
 * rank.h - relevance ranking: BM25 over the FTS5 matches of a query, the
 * best K found exactly while reading few of the candidates' lengths.
 *
 * How (docs/search.md, "Relevance"): the FTS5 auxiliary function
 * RANK_FUNCTION gives, for each matching row, each phrase's weighted
 * frequency and inverse document frequency.  From those alone a score
 * bound follows (BM25 falls as the email gets longer, so the shortest
 * length the row allows bounds it).  rank_best reads the true length
 * (FTS5's per-row column sizes) of candidates in falling bound order and
 * stops once no bound left can beat the K-th score: the same K as scoring
 * them all.
 *
 * A struct ranker belongs to its caller (rank_free); the connection is
 * borrowed.  Functions return MT_ENOMEM or MT_EDB with ERR filled.
 */
#ifndef MT_RANK_H
#define MT_RANK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "store.h"

/*
 * The SQL expression a ranked query selects, over the FTS5 table
 * email_text, for rank_add: its arguments are the column weights,
 * subject 4, body 1, people 2, attachment names 1, attachment text 0.5.
 */
#define RANK_FUNCTION "mailtrove_rank(email_text, 4.0, 1.0, 2.0, 1.0, 0.5)"

/* Make RANK_FUNCTION known to the connection of ST (once; later calls do
 * nothing). */
mt_status rank_register(struct store *st, struct mt_error *err);

struct rank_candidate {
    int64_t id;
    double bound;    /* no score of this row can exceed it */
    double score;    /* the row's BM25, once its length is read */
    size_t terms;    /* where its phrases start in the ranker's numbers */
};

struct ranker {
    struct rank_candidate *candidates;
    size_t count, capacity;
    double *numbers;          /* per candidate: phrase_count (idf, frequency) pairs */
    size_t number_count, number_capacity;
    size_t phrase_count;
    double average_length;    /* tokens per email, for length normalisation */
    size_t lengths_read;      /* how many candidates' lengths rank_best read */
};

#define RANKER_INIT {0}

/*
 * Add a row: ID and the value RANK_FUNCTION gave it (a blob; SQL NULL,
 * BYTES 0, is skipped).  A blob not of RANK_FUNCTION's shape is MT_EDB.
 */
mt_status rank_add(struct ranker *r, int64_t id, const void *blob, int bytes,
                     struct mt_error *err);

/*
 * Sort the best K candidates (score falling, then id rising) to the front
 * of r->candidates; *BEST says how many there are (at most K).  Their
 * scores are exact; the order of the rest is unspecified.
 */
mt_status rank_best(struct ranker *r, struct store *st, size_t k, size_t *best,
                    struct mt_error *err);

void rank_free(struct ranker *r);

/*
 * Email lengths laid out for ranking.  FTS5 keeps each row's token counts
 * in a table of its own, one B-tree lookup per row: ranking 2,000 rows
 * read them from hundreds of pages (docs/search.md, "Speed").  The
 * table email_length holds the same totals RANK_LENGTH_BLOCK emails to a
 * row (2 bytes each), so they come from a few pages.  It is a copy:
 * a length missing there (0, or an archive not upgraded yet) or too big
 * for 2 bytes is read from FTS5's table instead.
 *
 * rank_write_lengths (re)writes the rows covering every email from
 * FROM_ID on, from FTS5's counts: call it in the transaction that indexed
 * them, before the commit.
 */
#define RANK_LENGTH_BLOCK 1024
mt_status rank_write_lengths(struct store *st, int64_t from_id, struct mt_error *err);

/* BM25 of one row: phrases' (idf, frequency) pairs, its LENGTH in tokens
 * and the archive's AVERAGE_LENGTH.  Exposed for the tests. */
double rank_bm25(const double *terms, size_t phrase_count, double length,
                 double average_length);

#endif
