/* test_rank.c - the best K by BM25, with and without the lengths table,
 * against FTS5's own bm25() (for one word the two orders agree: the idf
 * is then a common factor). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "rank.h"
#include "store_int.h"
#include "unit.h"

#define EMAILS 3000

/* The ids of the best K for WORD: by rank.c, and by FTS5's bm25(). */
static size_t ours(struct store *st, const char *word, size_t k, int64_t *ids)
{
    struct ranker r = RANKER_INIT;
    struct mt_error err = { 0 };
    sqlite3_stmt *s;
    size_t best = 0;
    sqlite3_prepare_v2(store_db(st), "SELECT rowid, " RANK_FUNCTION " FROM email_text"
                       " WHERE email_text MATCH ?", -1, &s, NULL);
    sqlite3_bind_text(s, 1, word, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
        rank_add(&r, sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1),
                   sqlite3_column_bytes(s, 1), &err);
    sqlite3_finalize(s);
    if (rank_best(&r, st, k, &best, &err) != MT_OK)
        best = 0;
    for (size_t i = 0; i < best; i++)
        ids[i] = r.candidates[i].id;
    rank_free(&r);
    return best;
}

static size_t theirs(struct store *st, const char *word, size_t k, int64_t *ids)
{
    sqlite3_stmt *s;
    size_t n = 0;
    sqlite3_prepare_v2(store_db(st), "SELECT rowid FROM email_text WHERE email_text MATCH ?"
                       " ORDER BY bm25(email_text, 4.0, 1.0, 2.0, 1.0), rowid LIMIT ?",
                       -1, &s, NULL);
    sqlite3_bind_text(s, 1, word, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (int64_t)k);
    while (sqlite3_step(s) == SQLITE_ROW && n < k)
        ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static int same_best(struct store *st, const char *word, size_t k)
{
    int64_t a[200], b[200];
    size_t n = ours(st, word, k, a), m = theirs(st, word, k, b);
    return n == m && n > 0 && !memcmp(a, b, n * sizeof *a);
}

int main(void)
{
    char path[] = "/tmp/mailtrove-test-rank-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(path, STORE_CREATE, &st, &err) == MT_OK);
    CHECK(rank_register(st, &err) == MT_OK);
    CHECK(rank_register(st, &err) == MT_OK); /* a second time changes nothing */

    /* Bodies of many lengths; "budget" in a third of them, more often in
     * some; id 7 is missing from the index; one body is longer than the
     * lengths table holds (70,000 tokens). */
    sqlite3_stmt *insert;
    CHECK(sqlite3_prepare_v2(store_db(st), "INSERT INTO email_text(rowid, subject, body,"
                             " people, attachments) VALUES(?, ?, ?, 'Alice alice example org', '')",
                             -1, &insert, NULL) == SQLITE_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    struct buf body = BUF_INIT;
    unsigned seed = 12345;
    int inserted = 0;
    for (int id = 1; id <= EMAILS; id++) {
        if (id == 7)
            continue;
        buf_clear(&body);
        seed = seed * 1103515245 + 12345;
        int words = id == 1500 ? 70000 : 3 + (int)(seed >> 16) % 400;
        for (int w = 0; w < words; w++)
            buf_append_str(&body, w % 9 == 0 ? "filler " : "text ");
        for (int b = 0; id % 3 == 0 && b <= (int)(seed >> 8) % 4; b++)
            buf_append_str(&body, "budget ");
        if (id == 1500)
            buf_append_str(&body, "budget budget budget budget budget ");
        sqlite3_bind_int64(insert, 1, id);
        sqlite3_bind_text(insert, 2, id % 50 == 0 ? "the budget" : "a note", -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, buf_cstr(&body), -1, SQLITE_STATIC);
        inserted += sqlite3_step(insert) == SQLITE_DONE;
        sqlite3_reset(insert);
    }
    CHECK(inserted == EMAILS - 1);
    sqlite3_finalize(insert);
    buf_free(&body);
    CHECK(store_commit(st, &err) == MT_OK);

    /* Without the lengths table: every length from FTS5's table. */
    CHECK(same_best(st, "budget", 20));
    CHECK(same_best(st, "budget", 200));
    CHECK(same_best(st, "filler", 50));

    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(rank_write_lengths(st, 1, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(st), "SELECT count(*), sum(length(lengths)) FROM email_length",
                       -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK(sqlite3_column_int64(s, 0) == (EMAILS + RANK_LENGTH_BLOCK - 1) / RANK_LENGTH_BLOCK);
    CHECK(sqlite3_column_int64(s, 1) == 2 * EMAILS);
    sqlite3_finalize(s);
    CHECK(same_best(st, "budget", 20));
    CHECK(same_best(st, "budget", 200));
    CHECK(same_best(st, "filler", 50));
    CHECK(same_best(st, "note", 20));

    /* Rewriting from an id in the middle of a block keeps the rest. */
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(rank_write_lengths(st, 2500, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    CHECK(same_best(st, "budget", 20));

    /* The best of more than there are: all of them. */
    int64_t ids[200];
    CHECK(ours(st, "zanzibar", 20, ids) == 0);
    struct ranker r = RANKER_INIT;
    double bad[3] = { 1, 2, 3 };
    CHECK(rank_add(&r, 1, bad, sizeof bad, &err) == MT_EDB);
    CHECK(rank_add(&r, 1, bad, 5, &err) == MT_EDB);
    CHECK(rank_add(&r, 1, NULL, 0, &err) == MT_OK && r.count == 0);
    rank_free(&r);

    /* BM25 itself: a longer email scores lower, a more frequent word higher. */
    double terms[2] = { 2.0, 3.0 };
    CHECK(rank_bm25(terms, 1, 10, 100) > rank_bm25(terms, 1, 200, 100));
    double more[2] = { 2.0, 6.0 };
    CHECK(rank_bm25(more, 1, 100, 100) > rank_bm25(terms, 1, 100, 100));
    /* idf 2, f 3, length = average: 2 * 3 * 2.2 / (3 + 1.2) */
    double want = 2.0 * 3.0 * 2.2 / (3.0 + 1.2), got = rank_bm25(terms, 1, 100, 100);
    CHECK(got > want - 1e-12 && got < want + 1e-12);

    store_close(st);
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return unit_failures != 0;
}
