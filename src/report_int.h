/*
 * report_int.h - internal to the report module (report.c,
 * report_signatures.c), as dkim_int.h is to dkim: the statement cache
 * both use and the signatures' JSON.  Other modules use report.h.
 */
#ifndef MT_REPORT_INT_H
#define MT_REPORT_INT_H

#include "json.h"
#include "store_int.h"

static inline const char *column_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Reports run the same few statements for every email (the web's pages
 * above all): kept prepared on the connection, reset after use, never
 * finalized here. */
static inline mt_status prepare(struct store *st, const char *sql, sqlite3_stmt **s,
                                struct mt_error *err)
{
    *s = NULL;
    return store_statement(st, sql, s, err);
}

/* The "signatures" array of email ID's show --json document into W.
 * MT_OK or MT_EDB with ERR. */
mt_status report_signatures_json(struct store *st, int64_t id, struct json_writer *w,
                                 struct mt_error *err);

/* The domains of email ID's passing signatures, as a JSON array into W.
 * MT_OK or MT_EDB with ERR. */
mt_status report_signers_json(struct store *st, int64_t id, struct json_writer *w,
                              struct mt_error *err);

/* The "dates" object of email ID's show --json document into W
 * (report_dates.c).  MT_OK, MT_ENOTFOUND, MT_ENOMEM or MT_EDB with ERR. */
mt_status report_dates_json(struct store *st, int64_t id, struct json_writer *w,
                            struct mt_error *err);

#endif
