/* index_side.c - the full-text rows of an ingest into an empty archive,
 * written on a thread and into a file of their own (index_side.h). */
#include "store_int.h"
#include "index_side.h"
#include "index_int.h"

#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fts_tokens.h"
#include "stem.h"

/* The side's writes need no journal and no sync: the file is scratch,
 * thrown away by a run that stops before the copy. */
#define SIDE_PRAGMAS "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF;" \
                     " PRAGMA synchronous = OFF; PRAGMA cache_size = -4096;"
/* How long the copy waits for the archive's write lock (the
 * checkpointer may hold it briefly). */
#define SIDE_BUSY_MS 60000
/* Pending terms before a segment is written: half the writer's
 * INDEX_BULK_PENDING, the same speed for 10 MB less (docs/ingest.md). */
#define INDEX_SIDE_PENDING (8 * 1024 * 1024)
/* The full-text tables copied; their shadow tables but _config are. */
static const char *const side_tables[] = { "email_text", "email_stem" };
#define SIDE_TABLE_COUNT 2

struct side_row {
    struct side_row *next;
    int64_t id;
    uint64_t bytes;                      /* counted in queued_bytes */
    const char *column[INDEX_TEXT_COLUMNS];
    const char *stem_body;               /* NULL: no word forms table */
    struct fts_tokens tokens;            /* moved from the writer's texts */
    char text[];                         /* the columns, the stem body */
};

struct index_side {
    sqlite3 *db;
    struct fts_token_feed *feed;          /* owned by db */
    sqlite3_stmt *insert_text, *insert_stem;
    bool has_stem;
    char *path, *archive_path;
    pthread_t thread;
    bool thread_started, file_created;
    pthread_mutex_t lock;
    pthread_cond_t room, rows_ready;
    struct side_row *head, *tail;
    uint64_t queued_bytes;
    bool closing, writer_waiting, side_waiting;
    mt_status status;                    /* the thread's first failure */
    struct mt_error error;
    uint64_t rows;
};

static mt_status side_db_error(struct index_side *side, struct mt_error *err, const char *what)
{
    return mt_error_set(err, MT_EDB, "%s: %s", what, sqlite3_errmsg(side->db));
}

/* ---- the side's thread ---- */

static void side_row_free(struct side_row *row)
{
    fts_tokens_free(&row->tokens);
    free(row);
}

static mt_status write_row(struct index_side *side, struct side_row *row,
                           struct mt_error *err)
{
    if (index_write_text_row(side->insert_text, row->stem_body ? side->insert_stem : NULL,
                             side->feed, row->id, row->column, &row->tokens,
                             row->stem_body) != SQLITE_DONE)
        return side_db_error(side, err, "indexing a message's text");
    return MT_OK;
}

/* Take every queued row (NULL: closing and none left). */
static struct side_row *take_rows(struct index_side *side)
{
    pthread_mutex_lock(&side->lock);
    while (!side->head && !side->closing) {
        side->side_waiting = true;
        pthread_cond_wait(&side->rows_ready, &side->lock);
        side->side_waiting = false;
    }
    struct side_row *rows = side->head;
    side->head = side->tail = NULL;
    pthread_mutex_unlock(&side->lock);
    return rows;
}

static void *side_main(void *arg)
{
    struct index_side *side = arg;
    struct mt_error err = { 0 };
    mt_status status = MT_OK;
    if (sqlite3_exec(side->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        status = side_db_error(side, &err, "writing the search index");
    struct side_row *rows;
    while ((rows = take_rows(side)) != NULL) {
        uint64_t bytes = 0;
        while (rows) {
            struct side_row *row = rows;
            rows = row->next;
            /* after a failure the rows are only given back, so that the
             * writer never waits for room that will not come */
            if (status == MT_OK)
                status = write_row(side, row, &err);
            bytes += row->bytes;
            side_row_free(row);
        }
        pthread_mutex_lock(&side->lock);
        side->queued_bytes -= bytes;
        if (status != MT_OK && side->status == MT_OK) {
            side->status = status;
            side->error = err;
        }
        if (side->writer_waiting)
            pthread_cond_signal(&side->room);
        pthread_mutex_unlock(&side->lock);
    }
    if (status == MT_OK && sqlite3_exec(side->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        status = side_db_error(side, &err, "writing the search index");
    /* one segment, as index_merge leaves the archive's after a large
     * addition (the archive's index_merge then finds nothing to do); on
     * this thread, while the writer does what needs no index */
    for (int i = 0; i < SIDE_TABLE_COUNT && status == MT_OK && side->rows; i++) {
        if (i == 1 && !side->has_stem)
            break;
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES('optimize')", side_tables[i],
                 side_tables[i]);
        if (sqlite3_exec(side->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            status = side_db_error(side, &err, "merging the search index");
    }
    pthread_mutex_lock(&side->lock);
    if (status != MT_OK && side->status == MT_OK) {
        side->status = status;
        side->error = err;
    }
    pthread_mutex_unlock(&side->lock);
    return NULL;
}

/* ---- the writer's side ---- */

/* The archive's CREATE statement of full-text table NAME, or NULL (the
 * caller frees it). */
static char *table_definition(struct store *st, const char *name)
{
    sqlite3_stmt *s;
    char *sql = NULL;
    if (sqlite3_prepare_v2(store_db(st), "SELECT sql FROM sqlite_schema"
                           " WHERE type = 'table' AND name = ?", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        sql = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return sql;
}

/* The side file: its tables as the archive's, written in bulk as
 * index_bulk_begin writes the archive's (index.c). */
static mt_status side_create(struct index_side *side, struct store *st, struct mt_error *err)
{
    if (sqlite3_open_v2(side->path, &side->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                                    | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return side_db_error(side, err, "creating the search index's side file");
    sqlite3_busy_timeout(side->db, SIDE_BUSY_MS);
    if (sqlite3_exec(side->db, SIDE_PRAGMAS, NULL, NULL, NULL) != SQLITE_OK)
        return side_db_error(side, err, "setting up the search index's side file");
    mt_status status = fts_token_feed_install(side->db, &side->feed);
    if (status != MT_OK)
        return mt_error_set(err, status, "the search index's side file: no FTS5 tokenizer");
    for (int i = 0; i < SIDE_TABLE_COUNT; i++) {
        char *sql = table_definition(st, side_tables[i]);
        if (!sql)
            continue;   /* email_stem: the archive has no language */
        if (i == 1 && stem_register_connection(side->db) != MT_OK) {
            free(sql);
            return side_db_error(side, err, "registering the stemming tokenizer");
        }
        int rc = sqlite3_exec(side->db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc != SQLITE_OK
            || index_fts_set_writing(side->db, side_tables[i], INDEX_SIDE_PENDING,
                                     INDEX_BULK_AUTOMERGE, INDEX_BULK_CRISISMERGE) != SQLITE_OK)
            return side_db_error(side, err, "creating the search index's side file");
        side->has_stem = i == 1;
    }
    if (sqlite3_prepare_v2(side->db, INDEX_INSERT_TEXT_SQL, -1, &side->insert_text, NULL)
            != SQLITE_OK
        || (side->has_stem
            && sqlite3_prepare_v2(side->db, INDEX_INSERT_STEM_SQL, -1, &side->insert_stem, NULL)
                   != SQLITE_OK))
        return side_db_error(side, err, "preparing the search index's side file");
    return MT_OK;
}

/* ARCHIVE's side file name, with XXXXXX for mkstemp (the caller frees
 * it), or NULL: out of memory. */
static char *side_template(const char *archive)
{
    size_t len = strlen(archive);
    char *template = malloc(len + sizeof "-fts-XXXXXX");
    if (template) {
        memcpy(template, archive, len);
        memcpy(template + len, "-fts-XXXXXX", sizeof "-fts-XXXXXX");
    }
    return template;
}

/*
 * Remove the side files a killed run left beside the archive (TEMPLATE:
 * side_template's).  A side file still in use by another run stays
 * readable and writable by it: its connection holds it open.
 */
static void remove_leftovers(const char *template)
{
    size_t len = strlen(template);
    char *pattern = malloc(2 * len + 1), *at = pattern;
    if (!pattern)
        return;
    /* the archive's own name matched literally, whatever it holds */
    for (size_t i = 0; i + 6 < len; i++) {
        if (strchr("*?[\\", template[i]))
            *at++ = '\\';
        *at++ = template[i];
    }
    memcpy(at, "??????", 7);
    glob_t found;
    if (glob(pattern, GLOB_NOSORT, NULL, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; i++)
            unlink(found.gl_pathv[i]);
        globfree(&found);
    }
    free(pattern);
}

void index_side_remove_leftovers(struct store *st)
{
    const char *archive = sqlite3_db_filename(store_db(st), "main");
    if (!archive || !*archive)
        return;     /* in memory */
    char *template = side_template(archive);
    if (template)
        remove_leftovers(template);
    free(template);
}

mt_status index_side_open(struct store *st, const char *archive_path,
                          struct index_side **out, struct mt_error *err)
{
    *out = NULL;
    struct index_side *side = calloc(1, sizeof *side);
    if (side)
        side->path = side_template(archive_path);
    if (!side || !side->path || !(side->archive_path = strdup(archive_path))) {
        index_side_free(side);
        return mt_error_set(err, MT_ENOMEM, "out of memory");
    }
    remove_leftovers(side->path);
    /* a name of its own: two runs could start on the same empty archive */
    int fd = mkstemp(side->path);
    if (fd < 0) {
        index_side_free(side);
        return mt_error_set(err, MT_EIO, "could not create a file beside the archive");
    }
    close(fd);
    side->file_created = true;
    pthread_mutex_init(&side->lock, NULL);
    pthread_cond_init(&side->room, NULL);
    pthread_cond_init(&side->rows_ready, NULL);
    mt_status status = side_create(side, st, err);
    if (status == MT_OK) {
        side->thread_started = pthread_create(&side->thread, NULL, side_main, side) == 0;
        if (!side->thread_started)
            status = mt_error_set(err, MT_ENOMEM, "could not start a thread");
    }
    if (status != MT_OK) {
        index_side_free(side);
        return status;
    }
    *out = side;
    return MT_OK;
}

/* A row holding copies of TEXTS' columns and of STEM_BODY. */
static struct side_row *side_row_new(int64_t id, const struct index_texts *texts,
                                     const char *stem_body)
{
    size_t len[INDEX_TEXT_COLUMNS + 1], total = 0;
    for (int i = 0; i <= INDEX_TEXT_COLUMNS; i++) {
        const char *text = i < INDEX_TEXT_COLUMNS ? texts->column[i] : stem_body;
        len[i] = text ? strlen(text) : 0;
        total += len[i] + 1;
    }
    struct side_row *row = malloc(sizeof *row + total);
    if (!row)
        return NULL;
    row->next = NULL;
    row->id = id;
    row->tokens = (struct fts_tokens)FTS_TOKENS_INIT;
    char *at = row->text;
    for (int i = 0; i <= INDEX_TEXT_COLUMNS; i++) {
        const char *text = i < INDEX_TEXT_COLUMNS ? texts->column[i] : stem_body;
        if (len[i])
            memcpy(at, text, len[i]);
        at[len[i]] = '\0';
        if (i < INDEX_TEXT_COLUMNS)
            row->column[i] = at;
        else
            row->stem_body = stem_body ? at : NULL;
        at += len[i] + 1;
    }
    row->bytes = sizeof *row + total;
    return row;
}

/* Move TEXTS' words into ROW, pointed at ROW's copies of the texts they
 * were found in (the feed replays a column's words for its bytes). */
static void side_row_take_tokens(struct side_row *row, struct index_texts *texts)
{
    struct fts_tokens *t = &texts->tokens;
    if (t->column_count != INDEX_TEXT_COLUMNS)
        return;     /* none found (index_texts_tokenize failed or not run) */
    row->tokens = *t;
    for (int i = 0; i < INDEX_TEXT_COLUMNS; i++)
        row->tokens.columns[i].text = row->column[i];
    row->bytes += t->bytes.capacity;
    *t = (struct fts_tokens)FTS_TOKENS_INIT;
}

mt_status index_side_put(struct index_side *side, int64_t id, struct index_texts *texts,
                         const char *stem_body, struct mt_error *err)
{
    struct side_row *row = side_row_new(id, texts, side->has_stem ? stem_body : NULL);
    if (!row)
        return mt_error_set(err, MT_ENOMEM, "out of memory");
    side_row_take_tokens(row, texts);
    pthread_mutex_lock(&side->lock);
    /* one row always goes in, however large */
    while (side->status == MT_OK && side->queued_bytes > 0
           && side->queued_bytes + row->bytes > INDEX_SIDE_QUEUE_BYTES) {
        side->writer_waiting = true;
        pthread_cond_wait(&side->room, &side->lock);
        side->writer_waiting = false;
    }
    mt_status status = side->status;
    if (status != MT_OK) {
        *err = side->error;
        pthread_mutex_unlock(&side->lock);
        side_row_free(row);
        return status;
    }
    if (side->tail)
        side->tail->next = row;
    else
        side->head = row;
    side->tail = row;
    side->queued_bytes += row->bytes;
    side->rows++;
    if (side->side_waiting)
        pthread_cond_signal(&side->rows_ready);
    pthread_mutex_unlock(&side->lock);
    return MT_OK;
}

void index_side_end_rows(struct index_side *side)
{
    pthread_mutex_lock(&side->lock);
    side->closing = true;
    pthread_cond_signal(&side->rows_ready);
    pthread_mutex_unlock(&side->lock);
}

/* Stop the thread once it has written (or given back) every row. */
static void side_join(struct index_side *side)
{
    if (!side->thread_started)
        return;
    index_side_end_rows(side);
    pthread_join(side->thread, NULL);
    side->thread_started = false;
}

/* Copy the side's shadow tables into the archive, attached as
 * "archive", in one transaction: the archive's were empty. */
static mt_status side_copy(struct index_side *side, struct mt_error *err)
{
    sqlite3 *db = side->db;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "ATTACH ? AS archive", -1, &s, NULL) != SQLITE_OK)
        return side_db_error(side, err, "copying the search index");
    sqlite3_bind_text(s, 1, side->archive_path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return side_db_error(side, err, "opening the archive to copy the search index");
    mt_status status = MT_OK;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        status = side_db_error(side, err, "copying the search index");
    /* someone else's rows would be lost: leave them, and the archive's
     * pending rebuild, alone */
    if (status == MT_OK
        && sqlite3_prepare_v2(db, "SELECT 1 FROM archive.email_text_docsize LIMIT 1", -1,
                              &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            status = mt_error_set(err, MT_EXISTS, "another run wrote the archive's search index"
                                  " meanwhile; the next writing command rebuilds it");
        sqlite3_finalize(s);
    }
    for (int i = 0; i < SIDE_TABLE_COUNT && status == MT_OK; i++) {
        if (i == 1 && !side->has_stem)
            break;
        static const char *const shadows[] = { "data", "idx", "docsize" };
        for (int k = 0; k < 3 && status == MT_OK; k++) {
            char sql[256];
            snprintf(sql, sizeof sql,
                     "DELETE FROM archive.%s_%s;"
                     " INSERT INTO archive.%s_%s SELECT * FROM main.%s_%s",
                     side_tables[i], shadows[k], side_tables[i], shadows[k], side_tables[i],
                     shadows[k]);
            if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
                status = side_db_error(side, err, "copying the search index");
        }
    }
    if (status == MT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        status = side_db_error(side, err, "copying the search index");
    if (status != MT_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(db, "DETACH archive", NULL, NULL, NULL);
    return status;
}

mt_status index_side_finish(struct index_side *side, struct mt_error *err)
{
    side_join(side);
    mt_status status = side->status;
    if (status != MT_OK)
        *err = side->error;
    else if (side->rows)
        status = side_copy(side, err);
    index_side_free(side);
    return status;
}

void index_side_free(struct index_side *side)
{
    if (!side)
        return;
    side_join(side);
    for (struct side_row *row = side->head, *next; row; row = next) {
        next = row->next;
        side_row_free(row);
    }
    sqlite3_finalize(side->insert_text);
    sqlite3_finalize(side->insert_stem);
    if (side->db)
        sqlite3_close(side->db);
    if (side->file_created) {
        unlink(side->path);
        pthread_mutex_destroy(&side->lock);
        pthread_cond_destroy(&side->room);
        pthread_cond_destroy(&side->rows_ready);
    }
    free(side->path);
    free(side->archive_path);
    free(side);
}
