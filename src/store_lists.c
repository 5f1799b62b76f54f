/* store_lists.c - the store's listings a command walks (rejections, the
 * envelopes an mbox export writes, every email's id) and the upgrades a
 * migration leaves pending, and the published copy (publish), part of
 * the store module: the SQL of its
 * tables stays in it, and commands get plain structs (store.h). */
#include "store_int.h"

#include <unistd.h>

mt_status store_each_rejection(struct store *st,
                               bool (*each)(void *, const struct store_rejection *),
                               void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT path, offset, member, reason FROM rejected ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "listing rejections");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const struct store_rejection r = {
            .path = (const char *)sqlite3_column_text(s, 0),
            .has_offset = sqlite3_column_type(s, 1) != SQLITE_NULL,
            .offset = sqlite3_column_int64(s, 1),
            .member = (const char *)sqlite3_column_text(s, 2),
            .reason = (const char *)sqlite3_column_text(s, 3),
        };
        if (!each(context, &r))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? MT_OK
                                                 : store_db_error(st, err, "listing rejections");
}

mt_status store_each_envelope(struct store *st,
                              bool (*each)(void *, const struct store_envelope *),
                              void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT e.id, e.date, e.from_addr,"
                           " (SELECT separator FROM source WHERE email_id = e.id"
                           "  AND separator IS NOT NULL ORDER BY id LIMIT 1)"
                           " FROM email e ORDER BY e.id", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "exporting");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const struct store_envelope e = {
            .id = sqlite3_column_int64(s, 0),
            .has_date = sqlite3_column_type(s, 1) != SQLITE_NULL,
            .date = sqlite3_column_int64(s, 1),
            .from_addr = (const char *)sqlite3_column_text(s, 2),
            .separator = (const char *)sqlite3_column_text(s, 3),
        };
        if (!each(context, &e))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "exporting");
}

mt_status store_email_ids(struct store *st, int64_t **ids, size_t *count, struct mt_error *err)
{
    sqlite3_stmt *s;
    *ids = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM email ORDER BY id", -1, &s, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "listing emails");
    mt_status status = store_collect_ids(st, s, ids, count, err);
    sqlite3_finalize(s);
    return status;
}

mt_status store_set_setting(struct store *st, const char *name, const char *value,
                            struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "INSERT OR REPLACE INTO setting(name, value)"
                                       " VALUES(?, ?)", &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        status = store_db_error(st, err, "saving a setting");
    sqlite3_reset(s);
    return status;
}

mt_status store_upgrade_request(struct store *st, const char *task, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO upgrade_pending(task) VALUES(?)", -1,
                           &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "marking an upgrade");
    sqlite3_bind_text(s, 1, task, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "marking an upgrade");
}

mt_status store_publish_copy(struct store *st, const char *path,
                             const char *const (*settings)[2], size_t count,
                             struct mt_error *err)
{
    if (access(path, F_OK) == 0)
        return mt_error_set(err, MT_EXISTS, "%s exists already: publish writes a new file", path);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "VACUUM INTO ?", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "copying the archive");
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    /* a reader's query_only forbids VACUUM INTO, which writes only the
     * new file (SQLite runs it on a read-only connection too) */
    sqlite3_exec(store_db(st), "PRAGMA query_only=OFF", NULL, NULL, NULL);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    sqlite3_exec(store_db(st), "PRAGMA query_only=ON", NULL, NULL, NULL);
    if (rc != SQLITE_DONE) {
        unlink(path);
        return store_db_error(st, err, "copying the archive");
    }
    /* The copy: rollback journal (a reader of an immutable file needs no
     * -wal or -shm), its facet counts counted afresh (a copy made while
     * they were stale would stay so), the publication settings, and
     * nothing else written. */
    sqlite3 *copy = NULL;
    mt_status status = MT_OK;
    if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK
        || sqlite3_exec(copy, "PRAGMA journal_mode=DELETE; BEGIN", NULL, NULL, NULL) != SQLITE_OK
        || store_facets_count_all(copy) != SQLITE_OK
        || sqlite3_prepare_v2(copy, "INSERT OR REPLACE INTO setting(name, value) VALUES(?, ?)",
                              -1, &s, NULL) != SQLITE_OK)
        status = mt_error_set(err, MT_EDB, "%s: %s", path,
                              copy ? sqlite3_errmsg(copy) : "out of memory");
    for (size_t i = 0; i < count && status == MT_OK; i++) {
        sqlite3_bind_text(s, 1, settings[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, settings[i][1], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            status = mt_error_set(err, MT_EDB, "%s: %s", path, sqlite3_errmsg(copy));
        sqlite3_reset(s);
    }
    if (status == MT_OK) {
        sqlite3_finalize(s);
        s = NULL;
        if (sqlite3_exec(copy, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            status = mt_error_set(err, MT_EDB, "%s: %s", path, sqlite3_errmsg(copy));
    }
    sqlite3_finalize(s);
    if (sqlite3_close(copy) != SQLITE_OK && status == MT_OK)
        status = mt_error_set(err, MT_EDB, "%s: could not close the copy", path);
    if (status != MT_OK)
        unlink(path);
    return status;
}

