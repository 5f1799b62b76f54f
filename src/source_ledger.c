/* source_ledger.c - the source_file table (source_ledger.h). */
#include "store_int.h"
#include "source_ledger.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

mt_status source_ledger_put(struct store *st, const struct source_ledger_row *row,
                            int64_t now, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st,
        "INSERT OR REPLACE INTO source_file(path, kind, read, stored, duplicates,"
        " rejected, expected, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_text(s, 1, row->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, row->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)row->read);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)row->stored);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)row->duplicates);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)row->rejected);
    if (row->expected >= 0)
        sqlite3_bind_int64(s, 7, row->expected);
    else
        sqlite3_bind_null(s, 7);
    sqlite3_bind_int64(s, 8, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "recording a source file");
}

void source_ledger_free(struct source_ledger_row *rows, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(rows[i].path);
        free(rows[i].kind);
    }
    free(rows);
}

mt_status source_ledger_list(struct store *st, bool only_short, int64_t since,
                             struct source_ledger_row **rows, size_t *count,
                             struct mt_error *err)
{
    *rows = NULL;
    *count = 0;
    sqlite3_stmt *s;
    mt_status status = store_statement(st, only_short
        ? "SELECT path, kind, read, stored, duplicates, rejected, expected FROM source_file"
          " WHERE expected > read AND ingested_at >= ? ORDER BY path"
        : "SELECT path, kind, read, stored, duplicates, rejected, expected FROM source_file"
          " ORDER BY path", &s, err);
    if (status != MT_OK)
        return status;
    if (only_short)
        sqlite3_bind_int64(s, 1, since);
    struct source_ledger_row *list = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            size_t grown = cap ? cap * 2 : 16;
            struct source_ledger_row *bigger = realloc(list, grown * sizeof *bigger);
            if (bigger == NULL) {
                status = MT_ENOMEM;
                break;
            }
            list = bigger;
            cap = grown;
        }
        struct source_ledger_row *r = &list[n];
        r->path = strdup((const char *)sqlite3_column_text(s, 0));
        r->kind = strdup((const char *)sqlite3_column_text(s, 1));
        n++;
        if (r->path == NULL || r->kind == NULL) {
            status = MT_ENOMEM;
            break;
        }
        r->read = (uint64_t)sqlite3_column_int64(s, 2);
        r->stored = (uint64_t)sqlite3_column_int64(s, 3);
        r->duplicates = (uint64_t)sqlite3_column_int64(s, 4);
        r->rejected = (uint64_t)sqlite3_column_int64(s, 5);
        r->expected = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 6);
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "listing source files");
    sqlite3_reset(s);
    if (status != MT_OK) {
        source_ledger_free(list, n);
        return status;
    }
    *rows = list;
    *count = n;
    return MT_OK;
}

struct source_ledger_row *source_ledger_run_row(struct source_ledger_run *run, const char *path,
                                                const char *kind)
{
    if (run->current < run->count && !strcmp(run->rows[run->current].path, path))
        return &run->rows[run->current];
    for (size_t i = run->count; i-- > 0;)
        if (!strcmp(run->rows[i].path, path))
            return &run->rows[run->current = i];
    if (run->count == run->capacity) {
        size_t grown = run->capacity ? run->capacity * 2 : 16;
        struct source_ledger_row *bigger = realloc(run->rows, grown * sizeof *bigger);
        if (bigger == NULL)
            return NULL;
        run->rows = bigger;
        run->capacity = grown;
    }
    struct source_ledger_row *r = &run->rows[run->count];
    memset(r, 0, sizeof *r);
    if ((r->path = strdup(path)) == NULL)
        return NULL;
    r->kind = (char *)kind;   /* static strings (source.h) */
    r->expected = -1;
    run->current = run->count++;
    return r;
}

mt_status source_ledger_run_write(struct store *st, const struct source_ledger_run *run,
                                  int64_t now, struct mt_error *err)
{
    mt_status status = MT_OK;
    for (size_t i = 0; i < run->count && status == MT_OK; i++)
        status = source_ledger_put(st, &run->rows[i], now, err);
    return status;
}

void source_ledger_run_free(struct source_ledger_run *run)
{
    for (size_t i = 0; i < run->count; i++)
        free(run->rows[i].path);
    free(run->rows);
}
