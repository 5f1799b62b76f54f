/* test_search_count.c - a count split by id among helper threads
 * (search_count.c) gives the total one thread gives, for words, a word
 * with a date range, a word with a facet; helpers run only on an archive
 * that cannot change; a helper that cannot open its connection leaves its
 * part to the caller and the total stays exact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "search.h"
#include "search_int.h"
#include "store_int.h"
#include "unit.h"

#define EMAILS 6000

/* An archive of EMAILS emails, one a day from 2019-01-01: "budget" in
 * every third, "hotel" in every fifth, "rare" in one; a fifth verified. */
static void make_archive(const char *path)
{
    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(path, STORE_CREATE, &st, &err) == MT_OK);
    sqlite3_stmt *email, *text;
    CHECK(sqlite3_prepare_v2(store_db(st), "INSERT INTO email(id, sha256, raw_size, date,"
                             " verdict, ingested_at) VALUES(?1, randomblob(32), 100, ?2, ?3, 0)",
                             -1, &email, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(store_db(st), "INSERT INTO email_text(rowid, subject, body,"
                             " people, attachments) VALUES(?, 'a note', ?, 'alice example org',"
                             " '')", -1, &text, NULL) == SQLITE_OK);
    CHECK(store_begin(st, &err) == MT_OK);
    struct buf body = BUF_INIT;
    int inserted = 0;
    for (int id = 1; id <= EMAILS; id++) {
        buf_clear(&body);
        buf_append_str(&body, "some text ");
        if (id % 3 == 0)
            buf_append_str(&body, "budget ");
        if (id % 5 == 0)
            buf_append_str(&body, "hotel ");
        if (id == 4321)
            buf_append_str(&body, "rare ");
        sqlite3_bind_int64(email, 1, id);
        sqlite3_bind_int64(email, 2, 1546300800 + (int64_t)(id - 1) * 86400);
        sqlite3_bind_text(email, 3, id % 5 == 1 ? "verified" : "unsigned", -1, SQLITE_STATIC);
        sqlite3_bind_int64(text, 1, id);
        sqlite3_bind_text(text, 2, buf_cstr(&body), -1, SQLITE_STATIC);
        inserted += sqlite3_step(email) == SQLITE_DONE && sqlite3_step(text) == SQLITE_DONE;
        sqlite3_reset(email);
        sqlite3_reset(text);
    }
    CHECK(inserted == EMAILS);
    sqlite3_finalize(email);
    sqlite3_finalize(text);
    buf_free(&body);
    CHECK(store_commit(st, &err) == MT_OK);
    store_close(st);   /* a writer's close counts the facets and days */
}

/* QUERY counted on ST by one thread, and split with threshold 1: the same
 * total; *PARTS says how many parts helpers were given, *RAN how many of
 * them ran and counted. */
static int split_agrees(struct store *st, const char *query, int *parts, int *ran)
{
    struct run run;
    struct mt_error err = { 0 };
    int64_t one = -1, split_total = -2;
    *parts = *ran = 0;
    if (run_prepare(st, query, &run, &err) != MT_OK) {
        fprintf(stderr, "%s: %s\n", query, err.message);
        return 0;
    }
    enum shape shape = !run.plan.has_filters || run.dates_by_id ? SHAPE_FTS_ONLY
                                                                 : SHAPE_FTS_JOIN;
    CHECK(search_select_number(st, &run, shape, "count(*)", "", &one, &err) == MT_OK);
    struct split_count split;
    split_count_start_above(&split, st, &run, shape, 0, 0, 1);
    *parts = split.helper_count;
    CHECK(split_count_finish(&split, st, &split_total, &err) == MT_OK);
    /* (finish leaves what each helper did) */
    for (int i = 0; i < *parts; i++)
        *ran += split.helpers[i].running && split.helpers[i].status == MT_OK;
    run_free(&run);
    if (one != split_total)
        fprintf(stderr, "%s: one thread %lld, split %lld\n", query, (long long)one,
                (long long)split_total);
    return one == split_total && one >= 0;
}

int main(void)
{
    char path[] = "/tmp/mailtrove-test-split-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    make_archive(path);
    char published[sizeof path + 16];
    snprintf(published, sizeof published, "%s.pub", path);

    struct store *st = NULL;
    struct mt_error err = { 0 };
    CHECK(store_open(path, STORE_READ_ONLY, &st, &err) == MT_OK);
    const char *const settings[][2] = { { "published_root", "00" } };
    CHECK(store_publish_copy(st, published, settings, 1, &err) == MT_OK);
    /* a working archive may change while read: no helpers, whatever allowed */
    store_allow_helpers(st, 2);
    CHECK(store_helpers(st) == 0);
    int parts, ran;
    CHECK(split_agrees(st, "budget", &parts, &ran) && parts == 0);
    store_close(st);

    CHECK(store_open(published, STORE_READ_ONLY, &st, &err) == MT_OK);
    CHECK(store_is_published(st));
    CHECK(store_helpers(st) == 0);   /* none unless allowed */
    store_allow_helpers(st, 2);
    CHECK(store_helpers(st) == 2);
    const char *queries[] = { "budget", "hotel", "budget -hotel", "budget hotel", "rare",
                              "budget date:2020", "hotel date:2019-03..2021-06",
                              "budget verified:yes", "\"some text\"", "zanzibar" };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        CHECK(split_agrees(st, queries[i], &parts, &ran));
        CHECK(parts == 2 || !strcmp(queries[i], "zanzibar") || !strcmp(queries[i], "rare"));
        CHECK(ran == parts);
    }
    /* the whole command: the total of search and count as before */
    int64_t total = 0;
    CHECK(search_count(st, "budget", &total, &err) == MT_OK && total == EMAILS / 3);
    struct search_page page;
    CHECK(search_run(st, "budget", SEARCH_SORT_DEFAULT, 10, 0, false, NULL, &page, &err)
          == MT_OK);
    CHECK(page.total == EMAILS / 3 && page.count == 10);
    search_page_free(&page);
    CHECK(search_run(st, "hotel", SEARCH_SORT_DATE_DESC, 10, 0, false, NULL, &page, &err)
          == MT_OK);
    CHECK(page.total == EMAILS / 5 && page.count == 10);
    search_page_free(&page);

    /* helpers that cannot open the file: the caller counts their parts */
    unlink(published);
    CHECK(split_agrees(st, "budget", &parts, &ran) && parts == 2 && ran == 0);
    CHECK(split_agrees(st, "hotel date:2020", &parts, &ran) && parts == 2 && ran == 0);
    store_close(st);

    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char side[sizeof path + 8];
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        unlink(side);
    }
    return unit_failures != 0;
}
