/* test_fts_tokens.c - words found on a worker and replayed on the writer
 * make the same full-text index as unicode61 on the writer: every
 * (term, row, column, offset) of FTS5's own vocabulary compared between a
 * connection that replays and one that never heard of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fts_tokens.h"
#include "unit.h"

static const char *const texts[][5] = {
    { "Budget meeting", "The hotel's budget: 1,200.50 EUR.\nSee you at 10:30.",
      "Zoë Dupont zoe@example.org\n", "report.pdf\n", "Rapport annuel" },
    { "Réunion à l'hôtel", "Élodie Fernández a écrit : « ça coûte cher »",
      "Ålvaro Øster álvaro@exämple.test\n", "", "naïve café résumé" },
    { "", "", "", "", "" },
    { "日本語のメール", "中文 text mixed with Ελληνικά and русский, emoji \xf0\x9f\x98\x80 too",
      "x@y\n", "a_b-c.d\n", "ﬁnancial ﬂow Straße ǅemal" },
    { "re: re: fwd:", "don't can't O'Brien e-mail co-operate x86_64 0xdeadbeef",
      "\"Last, First\" first.last@sub.example.co.uk\n", "ÉTÉ.DOCX\n", "\t\r\n  spaced   out  " },
};
#define ROWS (sizeof texts / sizeof texts[0])

static sqlite3 *open_index(int replaying, struct fts_token_feed **feed)
{
    sqlite3 *db = NULL;
    sqlite3_open(":memory:", &db);
    *feed = NULL;
    if (replaying)
        CHECK(fts_token_feed_install(db, feed) == MT_OK && *feed != NULL);
    CHECK(sqlite3_exec(db,
                       "CREATE VIRTUAL TABLE t USING fts5(subject, body, people, attachments,"
                       " attached, content = '', tokenize = 'unicode61 remove_diacritics 2');"
                       "CREATE VIRTUAL TABLE plain USING fts5(body, content = '',"
                       " tokenize = 'unicode61 remove_diacritics 0');"
                       "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');",
                       NULL, NULL, NULL) == SQLITE_OK);
    return db;
}

static void insert_row(sqlite3 *db, int64_t rowid, const char *const *columns)
{
    sqlite3_stmt *s;
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, subject, body, people, attachments,"
                             " attached) VALUES(?,?,?,?,?,?)", -1, &s, NULL) == SQLITE_OK);
    sqlite3_bind_int64(s, 1, rowid);
    for (int i = 0; i < 5; i++)
        sqlite3_bind_text(s, 2 + i, columns[i], -1, SQLITE_STATIC);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_finalize(s);
}

/* Every instance of every term, in order, as text. */
static void dump(sqlite3 *db, struct buf *out)
{
    sqlite3_stmt *s;
    CHECK(sqlite3_prepare_v2(db, "SELECT term, doc, col, offset FROM v ORDER BY 1, 2, 3, 4",
                             -1, &s, NULL) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
        buf_printf(out, "%s %lld %s %d\n", (const char *)sqlite3_column_text(s, 0),
                   (long long)sqlite3_column_int64(s, 1),
                   (const char *)sqlite3_column_text(s, 2), sqlite3_column_int(s, 3));
    sqlite3_finalize(s);
}

static int count_matches(sqlite3 *db, const char *table, const char *query)
{
    sqlite3_stmt *s;
    char sql[128];
    int n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s MATCH ?", table, table);
    CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK);
    sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

int main(void)
{
    struct fts_tokenizer *tk = NULL;
    CHECK(fts_tokenizer_new(&tk) == MT_OK && tk != NULL);
    struct fts_token_feed *feed, *none;
    sqlite3 *ours = open_index(1, &feed), *theirs = open_index(0, &none);

    /* Each row offered its own tokens: all replayed, the same index. */
    for (size_t r = 0; r < ROWS; r++) {
        struct fts_tokens tokens = FTS_TOKENS_INIT;
        CHECK(fts_tokens_compute(tk, texts[r], 5, &tokens) == MT_OK);
        CHECK(tokens.column_count == 5);
        fts_token_feed_offer(feed, &tokens);
        insert_row(ours, (int64_t)r + 1, texts[r]);
        fts_token_feed_offer(feed, NULL);
        insert_row(theirs, (int64_t)r + 1, texts[r]);
        fts_tokens_free(&tokens);
    }
    uint64_t replayed, tokenized;
    fts_token_feed_counts(feed, &replayed, &tokenized);
    CHECK(replayed == ROWS * 5 && tokenized == 0);

    /* Offered words of other bytes of the same lengths: not replayed. */
    const char *offered[5] = { "alpha beta", "", "", "", "" };
    const char *inserted[5] = { "gamma delt", "", "", "", "" };
    struct fts_tokens tokens = FTS_TOKENS_INIT;
    CHECK(fts_tokens_compute(tk, offered, 5, &tokens) == MT_OK);
    fts_token_feed_offer(feed, &tokens);
    insert_row(ours, 100, inserted);
    fts_token_feed_offer(feed, NULL);
    insert_row(theirs, 100, inserted);
    fts_token_feed_counts(feed, &replayed, &tokenized);
    CHECK(tokenized == 1);   /* the subject; the four empty columns matched */
    CHECK(count_matches(ours, "t", "gamma") == 1 && count_matches(ours, "t", "alpha") == 0);

    /* Another table's arguments: its own unicode61, never a replay. */
    CHECK(fts_tokens_compute(tk, texts[1], 5, &tokens) == MT_OK);
    fts_token_feed_offer(feed, &tokens);
    sqlite3_stmt *s;
    CHECK(sqlite3_prepare_v2(ours, "INSERT INTO plain(rowid, body) VALUES(1, ?)", -1, &s,
                             NULL) == SQLITE_OK);
    sqlite3_bind_text(s, 1, texts[1][1], -1, SQLITE_STATIC);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_finalize(s);
    fts_token_feed_offer(feed, NULL);
    fts_tokens_free(&tokens);
    uint64_t replayed_after;
    fts_token_feed_counts(feed, &replayed_after, &tokenized);
    CHECK(replayed_after == replayed);
    CHECK(count_matches(ours, "plain", "Élodie") == 1 && count_matches(ours, "plain", "elodie") == 0);

    /* The two indexes, term by term; and queries on ours are unicode61's. */
    struct buf a = BUF_INIT, b = BUF_INIT;
    dump(ours, &a);
    dump(theirs, &b);
    CHECK(a.len > 500 && a.len == b.len && !memcmp(a.data, b.data, a.len));
    CHECK(count_matches(ours, "t", "elodie") == 1 && count_matches(ours, "t", "ÉLODIE") == 1);
    CHECK(count_matches(ours, "t", "zoe") == 1 && count_matches(ours, "t", "\"hotel s budget\"") == 1);
    buf_free(&a);
    buf_free(&b);

    /* More columns than a row has: refused, nothing kept. */
    const char *many[FTS_TOKENS_MAX_COLUMNS + 1] = { 0 };
    for (int i = 0; i <= FTS_TOKENS_MAX_COLUMNS; i++)
        many[i] = "x";
    CHECK(fts_tokens_compute(tk, many, FTS_TOKENS_MAX_COLUMNS + 1, &tokens) == MT_EINVAL);
    CHECK(tokens.column_count == 0);
    fts_tokens_free(&tokens);

    sqlite3_close(ours);
    sqlite3_close(theirs);
    fts_tokenizer_free(tk);
    return unit_failures != 0;
}
