/* verify.c - DKIM over the archive: keyring from SQLite, results back. */
#include "verify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dkim.h"
#include "keys.h"

static mt_status load_keyring(struct store *st, struct dkim_keyring *ring,
                              char ***strings, struct mt_error *err)
{
    sqlite3_stmt *s;
    size_t capacity = 0;
    memset(ring, 0, sizeof *ring);
    *strings = NULL;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id, name, record FROM key",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "reading keys");
    char **owned = NULL;
    mt_status status = MT_OK;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (ring->count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            struct dkim_key *bigger = realloc(ring->keys, capacity * sizeof *bigger);
            char **more = realloc(owned, 2 * capacity * sizeof *more);
            if (bigger)
                ring->keys = bigger;
            if (more)
                owned = more;
            if (!bigger || !more) {
                status = MT_ENOMEM;
                break;
            }
        }
        char *name = strdup((const char *)sqlite3_column_text(s, 1));
        char *record = strdup((const char *)sqlite3_column_text(s, 2));
        owned[2 * ring->count] = name;
        owned[2 * ring->count + 1] = record;
        ring->keys[ring->count].id = sqlite3_column_int64(s, 0);
        ring->keys[ring->count].name = name;
        ring->keys[ring->count].record = record;
        ring->count++;
        if (!name || !record) {
            status = MT_ENOMEM;
            break;
        }
    }
    sqlite3_finalize(s);
    *strings = owned;
    dkim_keyring_sort(ring);
    return status;
}

static void free_keyring(struct dkim_keyring *ring, char **strings)
{
    for (size_t i = 0; strings && i < 2 * ring->count; i++)
        free(strings[i]);
    free(strings);
    free(ring->keys);
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

mt_status verify_archive(struct store *st, int64_t now,
                         struct verify_counts *counts, struct mt_error *err)
{
    struct dkim_keyring ring;
    char **strings = NULL;
    sqlite3_stmt *list = NULL, *clear = NULL, *insert = NULL, *set_verdict = NULL;
    sqlite3 *db = store_db(st);
    struct buf raw = BUF_INIT;
    mt_status status;
    memset(counts, 0, sizeof *counts);

    status = load_keyring(st, &ring, &strings, err);
    if (status != MT_OK)
        goto out;
    if (sqlite3_prepare_v2(db, "SELECT id, verdict FROM email ORDER BY id", -1, &list, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "DELETE FROM signature WHERE email_id = ?", -1, &clear, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "INSERT INTO signature(email_id, position, domain, selector,"
                              " algorithm, canonicalization, identity, signed_headers,"
                              " body_length_tag, body_bytes_unsigned, key_bits, key_id,"
                              " result, reason, weaknesses, verified_at)"
                              " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &insert, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "UPDATE email SET verdict = ? WHERE id = ?", -1,
                              &set_verdict, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "preparing verification");
        goto out;
    }
    /* Read the id list first: the writes below must not disturb the scan. */
    int64_t *ids = NULL;
    size_t id_count = 0, id_capacity = 0;
    while (sqlite3_step(list) == SQLITE_ROW) {
        if (id_count == id_capacity) {
            id_capacity = id_capacity ? id_capacity * 2 : 1024;
            int64_t *bigger = realloc(ids, id_capacity * sizeof *bigger);
            if (!bigger) {
                free(ids);
                status = MT_ENOMEM;
                goto out;
            }
            ids = bigger;
        }
        ids[id_count++] = sqlite3_column_int64(list, 0);
    }
    status = store_begin(st, err);
    for (size_t n = 0; n < id_count && status == MT_OK; n++) {
        int64_t id = ids[n];
        status = store_get_raw(st, id, &raw, err);
        if (status != MT_OK)
            break;
        struct dkim_report *report = NULL;
        enum dkim_verdict verdict = DKIM_UNSIGNED;
        if (dkim_has_signature((const unsigned char *)buf_cstr(&raw), raw.len)) {
            status = dkim_verify_message((const unsigned char *)buf_cstr(&raw), raw.len,
                                         &ring, now, &report);
            if (status != MT_OK)
                break;
            verdict = report->verdict;
        }
        sqlite3_bind_int64(clear, 1, id);
        if (sqlite3_step(clear) != SQLITE_DONE)
            status = store_db_error(st, err, "clearing old results");
        sqlite3_reset(clear);
        for (size_t i = 0; report && i < report->count && status == MT_OK; i++) {
            struct dkim_signature *s = &report->signatures[i];
            char weak[128];
            dkim_weakness_names(s->weaknesses, weak, sizeof weak);
            sqlite3_bind_int64(insert, 1, id);
            sqlite3_bind_int(insert, 2, (int)i);
            bind_text_or_null(insert, 3, s->domain);
            bind_text_or_null(insert, 4, s->selector);
            bind_text_or_null(insert, 5, s->algorithm);
            bind_text_or_null(insert, 6, s->canonicalization);
            bind_text_or_null(insert, 7, s->identity);
            bind_text_or_null(insert, 8, s->signed_headers);
            if (s->body_length_tag >= 0)
                sqlite3_bind_int64(insert, 9, s->body_length_tag);
            else
                sqlite3_bind_null(insert, 9);
            sqlite3_bind_int64(insert, 10, s->body_bytes_unsigned);
            sqlite3_bind_int(insert, 11, s->key_bits);
            if (s->key_id >= 0)
                sqlite3_bind_int64(insert, 12, s->key_id);
            else
                sqlite3_bind_null(insert, 12);
            sqlite3_bind_text(insert, 13, dkim_result_name(s->result), -1, SQLITE_STATIC);
            bind_text_or_null(insert, 14, s->reason);
            sqlite3_bind_text(insert, 15, weak, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(insert, 16, now);
            if (sqlite3_step(insert) != SQLITE_DONE)
                status = store_db_error(st, err, "storing a signature result");
            sqlite3_reset(insert);
        }
        dkim_report_free(report);
        sqlite3_bind_text(set_verdict, 1, dkim_verdict_name(verdict), -1, SQLITE_STATIC);
        sqlite3_bind_int64(set_verdict, 2, id);
        if (status == MT_OK && sqlite3_step(set_verdict) != SQLITE_DONE)
            status = store_db_error(st, err, "storing a verdict");
        sqlite3_reset(set_verdict);
        switch (verdict) {
        case DKIM_VERIFIED: counts->verified++; break;
        case DKIM_WEAK: counts->weak++; break;
        case DKIM_FAILED: counts->failed++; break;
        case DKIM_NOKEY_VERDICT: counts->nokey++; break;
        case DKIM_UNSIGNED: counts->unsigned_count++; break;
        }
        if (status == MT_OK && n % 5000 == 4999) {
            status = store_commit(st, err);
            if (status == MT_OK)
                status = store_begin(st, err);
        }
    }
    free(ids);
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
out:
    sqlite3_finalize(list);
    sqlite3_finalize(clear);
    sqlite3_finalize(insert);
    sqlite3_finalize(set_verdict);
    buf_free(&raw);
    free_keyring(&ring, strings);
    return status;
}

mt_status verify_import_keys(struct store *st, const char *file_name,
                             const char *text, size_t len, const char *source,
                             int *imported, int *duplicates,
                             struct buf *problems, struct mt_error *err)
{
    struct keys_file file;
    sqlite3_stmt *insert = NULL;
    mt_status status = keys_parse(file_name, text, len, &file);
    *imported = *duplicates = 0;
    if (status != MT_OK)
        return status;
    buf_append(problems, buf_cstr(&file.problems), file.problems.len);
    if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO key(name, record, key_type,"
                           " key_bits, source, imported_at) VALUES(?,?,?,?,?,?)",
                           -1, &insert, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "importing keys");
        goto out;
    }
    status = store_begin(st, err);
    for (size_t i = 0; i < file.count && status == MT_OK; i++) {
        const char *type;
        int bits = dkim_key_record_bits(file.records[i].record, &type);
        sqlite3_bind_text(insert, 1, file.records[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, file.records[i].record, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, type, -1, SQLITE_STATIC);
        sqlite3_bind_int(insert, 4, bits);
        bind_text_or_null(insert, 5, source ? source : file_name);
        sqlite3_bind_int64(insert, 6, (sqlite3_int64)time(NULL));
        if (sqlite3_step(insert) != SQLITE_DONE)
            status = store_db_error(st, err, "importing a key");
        else if (sqlite3_changes(store_db(st)))
            (*imported)++;
        else
            (*duplicates)++;
        sqlite3_reset(insert);
    }
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
out:
    sqlite3_finalize(insert);
    keys_file_free(&file);
    return status;
}
