/* test_store.c - the archive: raw bytes round trip, dedup, sources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fts_tokens.h"
#include "source_ledger.h"
#include "store_int.h"
#include "unit.h"

int main(void)
{
    char path[] = "/tmp/mailtrove-test-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct store *st = NULL;
    struct mt_error err = { 0 };

    CHECK(store_open(path, STORE_READ_ONLY, &st, &err) == MT_ENOTFOUND);
    CHECK(strstr(err.message, "no archive") != NULL);
    CHECK(store_open(path, STORE_CREATE, &st, &err) == MT_OK);

    /* A writer replays the words a worker found into the full-text table
     * it made (fts_tokens.h): installed before the table was created. */
    {
        const char *columns[5] = { "Budget", "hotel budget 2020", "zoe@example.org\n", "", "" };
        struct fts_tokenizer *tk = NULL;
        struct fts_tokens tokens = FTS_TOKENS_INIT;
        uint64_t replayed = 0, tokenized = 0;
        sqlite3_stmt *s = NULL;
        CHECK(store_token_feed(st) != NULL);
        CHECK(fts_tokenizer_new(&tk) == MT_OK && fts_tokens_compute(tk, columns, 5, &tokens) == MT_OK);
        CHECK(store_begin(st, &err) == MT_OK);
        CHECK(sqlite3_prepare_v2(store_db(st), "INSERT INTO email_text(rowid, subject, body,"
                                 " people, attachments, attached) VALUES(1,?,?,?,?,?)", -1, &s,
                                 NULL) == SQLITE_OK);
        for (int i = 0; i < 5; i++)
            sqlite3_bind_text(s, i + 1, columns[i], -1, SQLITE_STATIC);
        fts_token_feed_offer(store_token_feed(st), &tokens);
        CHECK(sqlite3_step(s) == SQLITE_DONE);
        fts_token_feed_offer(store_token_feed(st), NULL);
        sqlite3_finalize(s);
        fts_token_feed_counts(store_token_feed(st), &replayed, &tokenized);
        CHECK(replayed == 5 && tokenized == 0);
        CHECK(store_rollback(st) == MT_OK);
        fts_tokens_free(&tokens);
        fts_tokenizer_free(tk);
    }

    const char *message = "Subject: hi\n\nhello hello hello hello hello hello\n";
    unsigned char sha[32] = { 1, 2, 3 };
    struct buf packed = BUF_INIT, back = BUF_INIT;
    int codec;
    int64_t id = 0, again = 0;
    CHECK(store_compress(NULL, (const unsigned char *)message, strlen(message), &packed, &codec) == MT_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(store_put_raw(st, sha, strlen(message), codec, packed.data, packed.len, &id, &err) == MT_OK);
    CHECK(id == 1);
    CHECK(store_put_raw(st, sha, strlen(message), codec, packed.data, packed.len, &again, &err) == MT_EXISTS);
    CHECK(again == id);
    CHECK(store_add_source(st, id, "a.mbox", 10, NULL, "From x", 0, &err) == MT_OK);
    CHECK(store_add_source(st, id, "a.mbox", 10, NULL, "From x", 0, &err) == MT_OK);
    CHECK(store_add_rejection(st, "junk", -1, NULL, "empty file", &err) == MT_OK);
    CHECK(store_add_rejection(st, "junk", -1, NULL, "empty file", &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    CHECK(store_get_raw(st, id, &back, &err) == MT_OK);
    CHECK(back.len == strlen(message) && !memcmp(back.data, message, back.len));
    CHECK(store_get_raw(st, 99, &back, &err) == MT_ENOTFOUND);
    /* with the size its caller read: the same bytes; a wrong size is
     * damage, as in store_get_raw */
    buf_clear(&back);
    CHECK(store_get_raw_of_size(st, id, (int64_t)strlen(message), &back, &err) == MT_OK);
    CHECK(back.len == strlen(message) && !memcmp(back.data, message, back.len));
    CHECK(store_get_raw_of_size(st, id, (int64_t)strlen(message) - 1, &back, &err) == MT_EDB);
    CHECK(strstr(err.message, "damaged") != NULL);
    CHECK(store_get_raw_of_size(st, 99, 10, &back, &err) == MT_ENOTFOUND);
    CHECK(store_count_emails(st) == 1);

    /* body texts: compressible, tiny (kept as is), empty; none yet */
    CHECK(store_get_body(st, id, &back, &err) == MT_ENOTFOUND);
    CHECK(!store_upgrade_pending(st, "body text"));   /* a new archive has nothing to fill */
    char long_text[5000];
    for (size_t i = 0; i < sizeof long_text - 1; i++)
        long_text[i] = "élysée "[i % 8];
    long_text[sizeof long_text - 1] = '\0';
    const char *texts[] = { long_text, "hi", "" };
    for (int i = 0; i < 3; i++) {
        CHECK(store_begin(st, &err) == MT_OK);
        CHECK(store_put_body(st, id, texts[i], NULL, &err) == MT_OK);
        CHECK(store_commit(st, &err) == MT_OK);
        CHECK(store_get_body(st, id, &back, &err) == MT_OK);
        CHECK(back.len == strlen(texts[i]) && !strcmp(buf_cstr(&back), texts[i]));
    }
    CHECK(store_get_body(st, 99, &back, &err) == MT_ENOTFOUND);

    /* body texts compressed against the email's stored bytes (schema 16):
     * a long body that is the message's own text, one that is not in it,
     * a tiny and an empty one; each read back whole, and the long copy
     * stored in far fewer bytes than plain compression gives */
    struct store_compressor *compressor = store_compressor_new();
    char big_message[20000];
    size_t at = (size_t)snprintf(big_message, sizeof big_message, "Subject: long\n\n");
    for (int i = 0; at + 64 < sizeof big_message; i++)
        at += (size_t)snprintf(big_message + at, sizeof big_message - at,
                               "line %d of a message nobody could guess %x\n", i, i * 2654435761u);
    unsigned char sha2[32] = { 9, 9, 9 };
    int64_t id2 = 0;
    CHECK(store_compress(NULL, (const unsigned char *)big_message, at, &packed, &codec) == MT_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(store_put_raw(st, sha2, at, codec, packed.data, packed.len, &id2, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    /* a copy (zstd ignores a prefix the text lies inside: plain then) */
    char *own_text = strdup(strstr(big_message, "\n\n") + 2);
    const char *bodies[] = { own_text, long_text, "hi", "" };
    for (int i = 0; i < 4; i++) {
        struct store_packed body = { 0 }, plain = { 0 };
        CHECK(store_pack_after_raw(compressor, bodies[i], strlen(bodies[i]), big_message, at,
                                   &body) == MT_OK);
        CHECK(store_pack(compressor, bodies[i], strlen(bodies[i]), &plain) == MT_OK);
        if (i == 0)   /* the message's own text: references into it */
            CHECK(body.data.len * 4 < plain.data.len);
        CHECK(store_begin(st, &err) == MT_OK);
        CHECK(store_put_body_packed(st, id2, &body, &err) == MT_OK);
        CHECK(store_commit(st, &err) == MT_OK);
        CHECK(store_get_body(st, id2, &back, &err) == MT_OK);
        CHECK(back.len == strlen(bodies[i]) && !strcmp(buf_cstr(&back), bodies[i]));
        store_packed_free(&body);
        store_packed_free(&plain);
    }
    /* the compressor is plain again after a prefixed one */
    struct store_packed after = { 0 };
    CHECK(store_pack(compressor, long_text, strlen(long_text), &after) == MT_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(store_put_body_packed(st, id, &after, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    CHECK(store_get_body(st, id, &back, &err) == MT_OK && !strcmp(buf_cstr(&back), long_text));
    store_packed_free(&after);
    /* a short text of a large message (attachments) is packed plain: no
     * snippet should decompress megabytes for it */
    size_t huge_len = 300 * 1024;
    char *huge = malloc(huge_len);
    for (size_t i = 0; i < huge_len; i++)
        huge[i] = (char)('A' + (i * 7919 % 26));
    struct store_packed short_body = { 0 }, short_plain = { 0 };
    char short_text[200];
    memcpy(short_text, huge + 1000, sizeof short_text - 1);
    short_text[sizeof short_text - 1] = '\0';
    CHECK(store_pack_after_raw(compressor, short_text, strlen(short_text), huge, huge_len,
                               &short_body) == MT_OK);
    CHECK(store_pack(compressor, short_text, strlen(short_text), &short_plain) == MT_OK);
    CHECK(short_body.codec == short_plain.codec && short_body.data.len == short_plain.data.len);
    store_packed_free(&short_body);
    store_packed_free(&short_plain);
    free(huge);

    /* a text inside the prefix's own memory is still stored whole */
    struct store_packed inside = { 0 };
    const char *in_raw = strstr(big_message, "\n\n") + 2;
    CHECK(store_pack_after_raw(compressor, in_raw, strlen(in_raw), big_message, at, &inside)
          == MT_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(store_put_body_packed(st, id2, &inside, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    CHECK(store_get_body(st, id2, &back, &err) == MT_OK && !strcmp(buf_cstr(&back), in_raw));
    store_packed_free(&inside);
    free(own_text);
    store_compressor_free(compressor);

    sqlite3_stmt *s;
    sqlite3_prepare_v2(store_db(st), "SELECT (SELECT count(*) FROM source),"
                       " (SELECT count(*) FROM rejected)", -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW);
    CHECK(sqlite3_column_int(s, 0) == 1);   /* same place kept once */
    CHECK(sqlite3_column_int(s, 1) == 1);
    sqlite3_finalize(s);
    /* a one-query process's cache: small, and reading still works */
    store_keep_small_cache(st);
    sqlite3_prepare_v2(store_db(st), "PRAGMA cache_size", -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 20);
    sqlite3_finalize(s);
    CHECK(store_get_raw(st, id, &back, &err) == MT_OK);
    CHECK(back.len == strlen(message) && !memcmp(back.data, message, back.len));
    /* The ledger: a row is replaced by the next ingest of its file; only
     * stores short of their promise, from the ingest that just ran, are
     * named at its end. */
    struct source_ledger_row short_store = { "dump/a.pst", "pst", 5, 3, 0, 2, 9 };
    struct source_ledger_row mbox = { "dump/b.mbox", "mbox", 4, 4, 0, 0, -1 };
    struct source_ledger_row old_short = { "dump/c.ost", "ost", 1, 1, 0, 0, 2 };
    CHECK(store_begin(st, &err) == MT_OK);
    CHECK(source_ledger_put(st, &old_short, 100, &err) == MT_OK);
    CHECK(source_ledger_put(st, &short_store, 200, &err) == MT_OK);
    CHECK(source_ledger_put(st, &mbox, 200, &err) == MT_OK);
    mbox.duplicates = 4;
    mbox.stored = 0;
    CHECK(source_ledger_put(st, &mbox, 200, &err) == MT_OK);
    CHECK(store_commit(st, &err) == MT_OK);
    struct source_ledger_row *rows;
    size_t n;
    CHECK(source_ledger_list(st, false, 0, &rows, &n, &err) == MT_OK);
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STR(rows[1].path, "dump/b.mbox");
        CHECK(rows[1].stored == 0 && rows[1].duplicates == 4 && rows[1].expected == -1);
        CHECK(rows[0].expected == 9);
    }
    source_ledger_free(rows, n);
    CHECK(source_ledger_list(st, true, 200, &rows, &n, &err) == MT_OK);
    CHECK(n == 1 && !strcmp(rows[0].path, "dump/a.pst"));
    source_ledger_free(rows, n);
    CHECK(source_ledger_list(st, true, 0, &rows, &n, &err) == MT_OK);
    CHECK(n == 2);
    source_ledger_free(rows, n);

    /* store_bound_wal: a WAL over the limit is checkpointed and
     * truncated, one under it left as it is (issue 27: a million-email
     * ingest's WAL grew to 25 GB with passive checkpoints alone) */
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat info;
    store_auto_checkpoint(st, false);
    CHECK(sqlite3_exec(store_db(st), "CREATE TABLE filler(x); WITH RECURSIVE n(i) AS"
                       " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
                       " INSERT INTO filler SELECT randomblob(2000) FROM n",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(stat(wal, &info) == 0 && info.st_size > 300000);
    off_t before = info.st_size;
    store_bound_wal(st, before);          /* not over: kept */
    CHECK(stat(wal, &info) == 0 && info.st_size == before);
    /* a reader in the log: it is not truncated, and the writer waits
     * only the short wait, not the 10 s of a statement */
    sqlite3 *reader;
    sqlite3_stmt *read;
    CHECK(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(reader, "SELECT count(*) FROM filler", -1, &read, NULL) == SQLITE_OK
          && sqlite3_step(read) == SQLITE_ROW);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    store_bound_wal(st, 100000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(waited < 2.0);
    CHECK(stat(wal, &info) == 0 && info.st_size > 0);
    sqlite3_finalize(read);
    sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(reader);
    /* the reader gone: checkpointed and truncated */
    store_bound_wal(st, 100000);
    CHECK(stat(wal, &info) == 0 && info.st_size == 0);
    sqlite3_stmt *filler;
    CHECK(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM filler", -1, &filler, NULL)
          == SQLITE_OK && sqlite3_step(filler) == SQLITE_ROW
          && sqlite3_column_int(filler, 0) == 200);
    sqlite3_finalize(filler);
    store_auto_checkpoint(st, true);

    sqlite3_exec(store_db(st), "PRAGMA user_version = 77", NULL, NULL, NULL);
    store_close(st);
    CHECK(store_open(path, STORE_READ_ONLY, &st, &err) == MT_EUNSUPPORTED);
    CHECK(strstr(err.message, "77") != NULL);
    buf_free(&packed);
    buf_free(&back);
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return unit_failures != 0;
}
