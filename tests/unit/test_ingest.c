/* test_ingest.c - the ingest pipeline's flow control: every message is
 * written once, in input order, whether the producer waits for a free
 * slot of the ring (more messages than slots) or for room in the bytes
 * in flight (a limit smaller than two messages), and a second run finds
 * them all again.  And the full-text index an empty archive gets from the
 * side's thread and file (index_side.h) is the one the writer would have
 * written itself. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index_side.h"
#include "ingest.h"
#include "mime.h"
#include "stem.h"
#include "store_int.h"
#include "unit.h"

/* An mbox of COUNT messages, message i with subject "message i" and a
 * body of about BODY_BYTES. */
static void write_mbox(const char *path, int count, int body_bytes)
{
    FILE *f = fopen(path, "w");
    for (int i = 0; i < count; i++) {
        fprintf(f, "From sender@example.org Mon Jan  1 00:00:00 2024\n"
                   "From: Sender %d <sender%d@example.org>\nTo: desk@example.org\n"
                   "Subject: message %d\nMessage-ID: <m%d@example.org>\n"
                   "Date: Mon, 1 Jan 2024 00:%02d:00 +0000\n\n",
                i, i % 7, i, i, i % 60);
        for (int written = 0; written < body_bytes; written += 40)
            fprintf(f, "line of message %6d, word%d here\n", i, written);
        fputc('\n', f);
    }
    fclose(f);
}

/* Whether the archive's emails 1..COUNT are the messages 0..COUNT-1 in
 * input order. */
static int in_input_order(struct store *st, int count)
{
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(store_db(st), "SELECT id, subject FROM email ORDER BY id",
                                -1, &s, NULL) == SQLITE_OK;
    int n = 0;
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
        char want[64];
        snprintf(want, sizeof want, "message %d", n);
        const char *subject = (const char *)sqlite3_column_text(s, 1);
        ok = sqlite3_column_int64(s, 0) == n + 1 && subject && !strcmp(subject, want);
        n++;
    }
    sqlite3_finalize(s);
    return ok && n == count;
}

/* The test's mbox and ARCHIVE with its WAL and shared-memory files. */
static void remove_files(const char *mbox, const char *archive)
{
    char side[600];
    unlink(mbox);
    unlink(archive);
    snprintf(side, sizeof side, "%s-wal", archive);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", archive);
    unlink(side);
}

static void run_case(const char *dir, const char *name, int count, int body_bytes,
                     uint64_t max_in_flight, int workers)
{
    char mbox[512], archive[512];
    snprintf(mbox, sizeof mbox, "%s/%s.mbox", dir, name);
    snprintf(archive, sizeof archive, "%s/%s.db", dir, name);
    write_mbox(mbox, count, body_bytes);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    const char *sources[1] = { mbox };
    struct ingest_options options = { .archive_path = archive, .workers = workers,
                                      .max_bytes_in_flight = max_in_flight, .now = 1700000000 };
    struct ingest_counts counts;
    printf("# %s: %d messages of %d bytes, %llu bytes in flight, %d workers\n", name, count,
           body_bytes, (unsigned long long)max_in_flight, workers);
    CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_OK);
    CHECK(counts.read == (uint64_t)count && counts.stored == (uint64_t)count);
    CHECK(counts.duplicates == 0 && counts.rejected == 0);
    CHECK(in_input_order(st, count));
    /* again: every message is found, none written twice */
    CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_OK);
    CHECK(counts.read == (uint64_t)count && counts.duplicates == (uint64_t)count);
    CHECK(counts.stored == 0);
    CHECK(in_input_order(st, count));
    store_close(st);
    remove_files(mbox, archive);
}

/* One mbox given twice in one run, into an empty archive, where the
 * workers look nothing up (ingest.c, archive_was_empty): the second copy
 * of each message is found by the writer as it stores it, counted as a
 * duplicate, never stored twice. */
static void duplicates_in_one_run_case(const char *dir)
{
    char mbox[512], archive[512];
    snprintf(mbox, sizeof mbox, "%s/twice.mbox", dir);
    snprintf(archive, sizeof archive, "%s/twice.db", dir);
    write_mbox(mbox, 300, 200);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    const char *sources[2] = { mbox, mbox };
    struct ingest_options options = { .archive_path = archive, .workers = 2,
                                      .now = 1700000000 };
    struct ingest_counts counts;
    CHECK(ingest_run(st, sources, 2, &options, &counts, &err) == MT_OK);
    CHECK(counts.read == 600 && counts.stored == 300 && counts.duplicates == 300);
    CHECK(in_input_order(st, 300));
    store_close(st);
    remove_files(mbox, archive);
}

/* Interrupted before the writer wrote anything, while the producer waits
 * for room (a byte limit of one byte): the run stops with MT_EINTR, and
 * the producer, woken by the stop, fills no slot (under the sanitizers a
 * slot filled again without being cleared is a leak). */
static void interrupted_case(const char *dir)
{
    char mbox[512], archive[512];
    snprintf(mbox, sizeof mbox, "%s/stop.mbox", dir);
    snprintf(archive, sizeof archive, "%s/stop.db", dir);
    write_mbox(mbox, 600, 100);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    volatile sig_atomic_t stop = 1;
    const char *sources[1] = { mbox };
    struct ingest_options options = { .archive_path = archive, .workers = 2,
                                      .max_bytes_in_flight = 1, .now = 1700000000,
                                      .interrupted = &stop };
    struct ingest_counts counts;
    CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_EINTR);
    CHECK(counts.stored == 0);
    store_close(st);
    remove_files(mbox, archive);
}

/* Every row of what SQL selects, as text, one line each: a digest to
 * compare two archives by. */
static char *rows_of(struct store *st, const char *sql)
{
    struct buf out = BUF_INIT;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
        printf("# %s: %s\n", sql, sqlite3_errmsg(store_db(st)));
        return strdup("(failed)");
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); i++) {
            const unsigned char *v = sqlite3_column_text(s, i);
            buf_append_str(&out, v ? (const char *)v : "NULL");
            buf_append_char(&out, i + 1 < sqlite3_column_count(s) ? '|' : '\n');
        }
    }
    sqlite3_finalize(s);
    char *text = strdup(buf_cstr(&out));
    buf_free(&out);
    return text;
}

/* What search reads of an archive: every word's every place in the
 * full-text tables (fts5vocab's instance level), the documents' sizes,
 * the lengths ranking reads, and a ranked query. */
static char *index_digest(struct store *st, bool stem)
{
    sqlite3_exec(store_db(st),
                 "CREATE VIRTUAL TABLE IF NOT EXISTS temp.text_words"
                 " USING fts5vocab(main, email_text, instance);", NULL, NULL, NULL);
    if (stem)
        sqlite3_exec(store_db(st),
                     "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_words"
                     " USING fts5vocab(main, email_stem, instance);", NULL, NULL, NULL);
    struct buf all = BUF_INIT;
    const char *queries[] = {
        "SELECT * FROM temp.text_words",
        "SELECT id, hex(sz) FROM email_text_docsize ORDER BY id",
        "SELECT block, hex(lengths) FROM email_length ORDER BY block",
        "SELECT rowid FROM email_text WHERE email_text MATCH 'word40 OR sender3'"
        " ORDER BY bm25(email_text), rowid",
        stem ? "SELECT * FROM temp.stem_words" : NULL,
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        if (!queries[i])
            continue;
        char *rows = rows_of(st, queries[i]);
        buf_append_str(&all, rows);
        buf_append_str(&all, "--\n");
        free(rows);
    }
    char *text = strdup(buf_cstr(&all));
    buf_free(&all);
    return text;
}

/* An empty archive indexed by the side (the default) and by the writer
 * itself (text_index_inline) from the same mbox: the same words in the
 * same places, the same lengths, the same ranking; no "index" rebuild
 * left pending, no side file left behind.  With LANGUAGE, the word forms'
 * table too. */
static void side_case(const char *dir, const char *language)
{
    char mbox[512], archive[2][512];
    snprintf(mbox, sizeof mbox, "%s/side.mbox", dir);
    write_mbox(mbox, 700, 300);
    char *digest[2] = { NULL, NULL };
    for (int inline_text = 0; inline_text < 2; inline_text++) {
        snprintf(archive[inline_text], sizeof archive[inline_text], "%s/side-%d.db", dir,
                 inline_text);
        struct store *st = NULL;
        struct mt_error err = { 0 };
        bool changed;
        CHECK(store_open(archive[inline_text], STORE_CREATE, &st, &err) == MT_OK);
        if (language)
            CHECK(stem_register(st, &err) == MT_OK
                  && stem_set_language(st, language, &changed, &err) == MT_OK);
        const char *sources[1] = { mbox };
        struct ingest_options options = { .archive_path = archive[inline_text], .workers = 2,
                                          .now = 1700000000,
                                          .text_index_inline = inline_text };
        struct ingest_counts counts;
        CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_OK);
        CHECK(counts.stored == 700);
        CHECK(!store_upgrade_pending(st, "index"));
        digest[inline_text] = index_digest(st, language != NULL);
        store_close(st);
    }
    printf("# side%s%s: %zu bytes of index digest\n", language ? " " : "",
           language ? language : "", strlen(digest[0]));
    CHECK(strlen(digest[0]) > 100000);   /* words were indexed at all */
    CHECK(!strcmp(digest[0], digest[1]));
    free(digest[0]);
    free(digest[1]);
    remove_files(mbox, archive[0]);
    remove_files(mbox, archive[1]);
}

/* A writer that fills the full-text table while the side merges and
 * says the index is done, as a rebuild by another command would
 * (index_rebuild) */
static mt_status write_a_row(void *context, struct store *st, struct mt_error *err)
{
    (void)context;
    if (sqlite3_exec(store_db(st), "INSERT INTO email_text(rowid, subject, body, people,"
                     " attachments, attached) VALUES(1, 'other', 'other row', '', '', '')",
                     NULL, NULL, NULL) != SQLITE_OK)
        return MT_EDB;
    return store_upgrade_done(st, "index", err);
}

/* ... makes the run leave its own rows out and the archive's rebuild
 * asked for: the index is never silently short of emails. */
static void side_overtaken_case(const char *dir)
{
    char mbox[512], archive[512];
    snprintf(mbox, sizeof mbox, "%s/overtaken.mbox", dir);
    snprintf(archive, sizeof archive, "%s/overtaken.db", dir);
    write_mbox(mbox, 50, 100);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    const char *sources[1] = { mbox };
    struct ingest_options options = { .archive_path = archive, .workers = 2,
                                      .now = 1700000000, .while_index_merges = write_a_row };
    struct ingest_counts counts;
    CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_OK);
    CHECK(counts.stored == 50);
    CHECK(store_upgrade_pending(st, "index"));
    char *rows = rows_of(st, "SELECT count(*) FROM email_text_docsize");
    CHECK(!strcmp(rows, "1\n"));
    free(rows);
    store_close(st);
    remove_files(mbox, archive);
}

/* No side file can be made (here: the path given for it names no
 * directory): the writer writes the rows itself, and the run succeeds
 * with every email searchable and no rebuild pending. */
static void side_impossible_case(const char *dir)
{
    char mbox[512], archive[512];
    snprintf(mbox, sizeof mbox, "%s/noside.mbox", dir);
    snprintf(archive, sizeof archive, "%s/noside.db", dir);
    write_mbox(mbox, 40, 100);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    const char *sources[1] = { mbox };
    struct ingest_options options = { .archive_path = "/nonexistent-directory/noside.db",
                                      .workers = 2, .now = 1700000000 };
    struct ingest_counts counts;
    CHECK(ingest_run(st, sources, 1, &options, &counts, &err) == MT_OK);
    CHECK(counts.stored == 40);
    CHECK(!store_upgrade_pending(st, "index"));
    char *rows = rows_of(st, "SELECT count(*) FROM email_text WHERE email_text MATCH 'sender3'");
    CHECK(!strcmp(rows, "6\n"));   /* messages 3, 10, ... 38 */
    free(rows);
    store_close(st);
    remove_files(mbox, archive);
}

/* The side never overwrites rows it did not write: an archive whose
 * full-text table got a row meanwhile refuses the copy (MT_EXISTS) and
 * keeps its own; a side freed without finishing removes its file. */
static void side_refused_case(const char *dir)
{
    char archive[512];
    snprintf(archive, sizeof archive, "%s/refused.db", dir);
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(archive, STORE_CREATE, &st, &err) == MT_OK);
    struct index_side *side = NULL;
    CHECK(index_side_open(st, archive, &side, &err) == MT_OK);
    struct index_texts texts = INDEX_TEXTS_INIT;
    const char *columns[INDEX_TEXT_COLUMNS] = { "subject", "the side's body", "", "", "" };
    memcpy(texts.column, columns, sizeof columns);
    CHECK(index_side_put(side, 1, &texts, NULL, &err) == MT_OK);
    CHECK(sqlite3_exec(store_db(st), "INSERT INTO email_text(rowid, subject, body, people,"
                       " attachments, attached) VALUES(7, 'own', 'own row', '', '', '')",
                       NULL, NULL, NULL) == SQLITE_OK);
    CHECK(index_side_finish(side, &err) == MT_EXISTS);
    char *rows = rows_of(st, "SELECT rowid FROM email_text WHERE email_text MATCH 'own OR side'");
    CHECK(!strcmp(rows, "7\n"));
    free(rows);
    CHECK(index_side_open(st, archive, &side, &err) == MT_OK);
    CHECK(index_side_put(side, 1, &texts, NULL, &err) == MT_OK);
    index_side_free(side);
    store_close(st);
    remove_files("/nonexistent", archive);
}

int main(void)
{
    mime_init();
    char dir[] = "/tmp/mailtrove-test-ingest-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    /* more messages than the ring's 256 slots: the producer waits for the
     * writer to free slots, many times */
    run_case(dir, "ring", 1500, 200, 0, 2);
    /* a byte limit under two messages: one message in flight at a time */
    run_case(dir, "bytes", 120, 3000, 4096, 2);
    /* a byte limit of a few messages, one worker and three */
    run_case(dir, "few", 400, 2000, 16384, 1);
    run_case(dir, "three", 400, 2000, 16384, 3);
    duplicates_in_one_run_case(dir);
    interrupted_case(dir);
    side_case(dir, NULL);
    side_case(dir, "fr");
    side_refused_case(dir);
    side_overtaken_case(dir);
    side_impossible_case(dir);
    /* empty: no side file was left behind */
    CHECK(rmdir(dir) == 0);
    return unit_failures != 0;
}
