/* store_facets.c - how many emails each facet has (part of the store
 * module, store.h): facet_count (schema 15) holds a count for every
 * verdict ("verdict:verified" ...) and for "has:attachment", so that a
 * search that is one facet is counted without reading half a million
 * index entries.
 *
 * Exactness without triggers (a trigger makes every email insert a
 * statement with a journal of its own, and FTS5 then writes a segment per
 * email: tests/cli/T021): each write that can change a facet marks the
 * counts stale in its own transaction (store_facets_changed), and the
 * writer's store_close counts them again from the email rows.  A reader
 * that finds them stale (a writer still at work, or one that was killed)
 * counts the emails themselves. */
#include "store_int.h"

mt_status store_facets_changed(struct store *st, struct mt_error *err)
{
    static const char sql[] = "INSERT OR IGNORE INTO facet_count(facet, emails) VALUES('stale', 0)";
    sqlite3_stmt *s;
    mt_status status = store_statement(st, sql, &s, err);
    if (status != MT_OK)
        return status;
    if (sqlite3_step(s) != SQLITE_DONE)
        status = store_db_error(st, err, "marking the facet counts to count again");
    sqlite3_reset(s);
    return status;
}

/* Whether the counts are marked stale (or cannot be read: as stale). */
static bool facets_stale(struct store *st)
{
    sqlite3_stmt *s;
    bool stale = true;
    if (sqlite3_prepare_v2(store_db(st), "SELECT NOT EXISTS (SELECT 1 FROM facet_count"
                           " WHERE facet = 'stale')", -1, &s, NULL) != SQLITE_OK)
        return true;
    if (sqlite3_step(s) == SQLITE_ROW)
        stale = sqlite3_column_int(s, 0) == 0;
    sqlite3_finalize(s);
    return stale;
}

mt_status store_facets_recount(struct store *st, struct mt_error *err)
{
    if (!facets_stale(st))
        return MT_OK;
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        return status;
    if (sqlite3_exec(store_db(st),
                     "DELETE FROM facet_count;"
                     "INSERT INTO facet_count SELECT 'verdict:' || verdict, count(*)"
                     "  FROM email GROUP BY verdict;"
                     "INSERT INTO facet_count SELECT 'has:attachment', count(*) FROM email"
                     "  WHERE attachment_count > 0;", NULL, NULL, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "counting the facets");
        store_rollback(st);
        return status;
    }
    return store_commit(st, err);
}

mt_status store_facet_count(struct store *st, const char *facet, bool complement,
                            int64_t *count, bool *known, struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = MT_OK;
    *known = false;
    *count = 0;
    /* every email has one verdict: the verdict rows sum to the archive */
    if (sqlite3_prepare_v2(store_db(st), "SELECT coalesce(sum(emails), 0),"
                           " (SELECT coalesce(sum(emails), 0) FROM facet_count"
                           "  WHERE facet > 'verdict:' AND facet < 'verdict;'),"
                           " EXISTS (SELECT 1 FROM facet_count WHERE facet = 'stale')"
                           " FROM facet_count WHERE facet = ?", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "counting");
    sqlite3_bind_text(s, 1, facet, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        int64_t in_facet = sqlite3_column_int64(s, 0);
        *known = sqlite3_column_int(s, 2) == 0;
        if (*known)
            *count = complement ? sqlite3_column_int64(s, 1) - in_facet : in_facet;
    } else {
        status = store_db_error(st, err, "counting");
    }
    sqlite3_finalize(s);
    return status;
}
