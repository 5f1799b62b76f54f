/* verify_keys.c - the key table (part of the verify module, verify.h):
 * the keys the archive holds and those it lacks, importing key records
 * with their facts (windows, published private keys), and the keys an
 * email's signatures used as a zone file. */
#include "store_int.h"
#include "verify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dkim.h"
#include "keys.h"
#include "text.h"

mt_status verify_each_missing_key(struct store *st,
                                  bool (*each)(void *, const char *, int64_t),
                                  void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT selector || '._domainkey.' || domain, count(DISTINCT email_id)"
                           " FROM signature WHERE result = 'nokey' AND domain IS NOT NULL"
                           " AND selector IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "listing missing keys");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW
           && each(context, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1)))
        ;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? MT_OK
                                                 : store_db_error(st, err, "listing missing keys");
}

mt_status verify_each_key(struct store *st,
                          bool (*each)(void *, const struct verify_key_info *),
                          void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT id, name, key_type, key_bits, source, imported_at,"
                           " seen_from, seen_to, private_published FROM key ORDER BY name, id",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "listing keys");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const struct verify_key_info key = {
            .id = sqlite3_column_int64(s, 0),
            .name = (const char *)sqlite3_column_text(s, 1),
            .type = (const char *)sqlite3_column_text(s, 2),
            .bits = sqlite3_column_int(s, 3),
            .source = (const char *)sqlite3_column_text(s, 4),
            .imported_at = sqlite3_column_int64(s, 5),
            .seen_from = (const char *)sqlite3_column_text(s, 6),
            .seen_to = (const char *)sqlite3_column_text(s, 7),
            .private_published = (const char *)sqlite3_column_text(s, 8),
        };
        if (!each(context, &key))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "listing keys");
}

/* FACTS' seen_from, seen_to and private_published (NULL when absent) to
 * S's parameters FIRST..FIRST+2. */
static void bind_facts(sqlite3_stmt *s, int first, const struct verify_key_facts *facts)
{
    const char *values[] = { facts->seen_from, facts->seen_to, facts->private_published };
    for (int i = 0; i < 3; i++)
        sqlite3_bind_text(s, first + i, values[i], -1, SQLITE_TRANSIENT);
}

/* The facts' window and publication date onto the record NAME, RECORD
 * (already held): only those the import gives. */
static mt_status update_key_facts(struct store *st, sqlite3_stmt *update,
                                  const struct keys_record *record,
                                  const struct verify_key_facts *facts, struct mt_error *err)
{
    if (!facts || (!facts->seen_given && !facts->private_published))
        return MT_OK;
    sqlite3_bind_int(update, 1, facts->seen_given);
    bind_facts(update, 2, facts);
    sqlite3_bind_text(update, 5, record->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(update, 6, record->record, -1, SQLITE_STATIC);
    int rc = sqlite3_step(update);
    sqlite3_reset(update);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "updating a key");
}

mt_status verify_import_keys(struct store *st, const char *file_name,
                             const char *text, size_t len,
                             const struct verify_key_facts *facts,
                             int *imported, int *duplicates,
                             struct buf *problems, struct mt_error *err)
{
    struct keys_file file;
    sqlite3_stmt *insert = NULL, *update = NULL;
    mt_status status = keys_parse(file_name, text, len, &file);
    *imported = *duplicates = 0;
    if (status != MT_OK)
        return status;
    buf_append(problems, buf_cstr(&file.problems), file.problems.len);
    if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO key(name, record, key_type,"
                           " key_bits, source, imported_at, seen_from, seen_to,"
                           " private_published) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &insert, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), "UPDATE key SET"
                              " seen_from = CASE WHEN ?1 THEN ?2 ELSE seen_from END,"
                              " seen_to = CASE WHEN ?1 THEN ?3 ELSE seen_to END,"
                              " private_published = coalesce(?4, private_published)"
                              " WHERE name = ?5 AND record = ?6", -1, &update, NULL)
               != SQLITE_OK) {
        status = store_db_error(st, err, "importing keys");
        goto out;
    }
    /* Without --source, the file is recorded by its name alone: its
     * directory names the ingesting machine, and sources are published. */
    const char *slash = strrchr(file_name, '/');
    const char *recorded_name = slash && slash[1] ? slash + 1 : file_name;
    const char *source = facts && facts->source ? facts->source : recorded_name;
    static const struct verify_key_facts no_facts = { 0 };
    const struct verify_key_facts *f = facts ? facts : &no_facts;
    status = store_begin(st, err);
    for (size_t i = 0; i < file.count && status == MT_OK; i++) {
        const char *type;
        int bits = dkim_key_record_bits(file.records[i].record, &type);
        sqlite3_bind_text(insert, 1, file.records[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, file.records[i].record, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, type, -1, SQLITE_STATIC);
        sqlite3_bind_int(insert, 4, bits);
        sqlite3_bind_text(insert, 5, source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 6, (sqlite3_int64)time(NULL));
        bind_facts(insert, 7, f);
        if (sqlite3_step(insert) != SQLITE_DONE)
            status = store_db_error(st, err, "importing a key");
        else if (sqlite3_changes(store_db(st)))
            (*imported)++;
        else {
            (*duplicates)++;
            status = update_key_facts(st, update, &file.records[i], facts, err);
        }
        sqlite3_reset(insert);
    }
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
out:
    sqlite3_finalize(insert);
    sqlite3_finalize(update);
    keys_file_free(&file);
    return status;
}

/* RECORD as a zone file's TXT strings: quoted, '"' and '\' escaped, at
 * most 255 bytes each (RFC 1035 3.3.14). */
static void append_txt_strings(struct buf *out, const char *record)
{
    size_t len = strlen(record);
    for (size_t at = 0; at < len || at == 0; at += 255) {
        buf_append_str(out, at ? " \"" : "\"");
        for (size_t i = at; i < len && i < at + 255; i++) {
            if (record[i] == '"' || record[i] == '\\')
                buf_append_char(out, '\\');
            buf_append_char(out, record[i]);
        }
        buf_append_char(out, '"');
        if (!len)
            break;
    }
}

mt_status verify_keys_zone(struct store *st, int64_t id, struct buf *out, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT s.selector || '._domainkey.' || s.domain, k.name, k.record,"
                           " k.source, k.imported_at, k.seen_from, k.seen_to,"
                           " k.private_published, min(s.position)"
                           " FROM signature s LEFT JOIN key k ON k.id = s.key_id"
                           " WHERE s.email_id = ? AND s.domain IS NOT NULL"
                           " AND s.selector IS NOT NULL"
                           " GROUP BY coalesce(k.id, -1), 1 ORDER BY 9", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "reading the keys of an email");
    sqlite3_bind_int64(s, 1, id);
    buf_printf(out, "; The DKIM key records this archive used to check email %lld's\n"
                    "; signatures, in zone-file form, with where each came from.\n",
               (long long)id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (sqlite3_column_type(s, 1) == SQLITE_NULL) {
            buf_printf(out, "\n; %s: no key record held (nokey, or the signature was checked"
                            " without one)\n", name);
            continue;
        }
        char imported[40];
        text_format_date(sqlite3_column_int64(s, 4), imported, sizeof imported);
        const char *source = (const char *)sqlite3_column_text(s, 3);
        buf_printf(out, "\n; source: %s; imported %s\n", source ? source : "(not recorded)",
                   imported);
        const char *from = (const char *)sqlite3_column_text(s, 5);
        const char *to = (const char *)sqlite3_column_text(s, 6);
        if (from || to)
            buf_printf(out, "; seen published from %s to %s\n", from ? from : "(unknown)",
                       to ? to : "(unknown)");
        if (sqlite3_column_type(s, 7) != SQLITE_NULL)
            buf_printf(out, "; its private half was published on %s\n",
                       (const char *)sqlite3_column_text(s, 7));
        buf_printf(out, "%s. IN TXT ", (const char *)sqlite3_column_text(s, 1));
        append_txt_strings(out, (const char *)sqlite3_column_text(s, 2));
        buf_append_char(out, '\n');
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "reading the keys of an email");
}
