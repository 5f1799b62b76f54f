/* store_schema.c - the archive's schema and its migrations (part of the
 * store module: store_schema.h is internal to it). */
#include "store_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorded_path.h"
#include "store_int.h"

/* Migration N takes schema N-1 to N.  Only ever append. */
static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE email("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  sha256 BLOB NOT NULL UNIQUE,"
    "  raw_size INTEGER NOT NULL,"
    "  date INTEGER,"
    "  date_raw TEXT,"
    "  from_name TEXT,"
    "  from_addr TEXT,"
    "  subject TEXT,"
    "  message_id TEXT,"
    "  in_reply_to TEXT,"
    "  refs TEXT,"
    "  attachment_count INTEGER NOT NULL DEFAULT 0,"
    "  from_header_count INTEGER NOT NULL DEFAULT 0,"
    "  parsed INTEGER NOT NULL DEFAULT 0,"
    "  body_from_html INTEGER NOT NULL DEFAULT 0,"
    "  verdict TEXT NOT NULL DEFAULT 'unsigned',"
    "  thread_id INTEGER,"
    "  ingested_at INTEGER NOT NULL);"
    "CREATE INDEX email_date ON email(date);"
    "CREATE INDEX email_from ON email(from_addr);"
    "CREATE INDEX email_message_id ON email(message_id);"
    "CREATE INDEX email_verdict ON email(verdict);"
    "CREATE TABLE raw("
    "  email_id INTEGER PRIMARY KEY REFERENCES email(id),"
    "  codec INTEGER NOT NULL,"
    "  data BLOB NOT NULL);"
    "CREATE TABLE address("
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  role INTEGER NOT NULL,"          /* 0 from, 1 to, 2 cc, 3 bcc */
    "  position INTEGER NOT NULL,"
    "  name TEXT,"
    "  addr TEXT,"                      /* lower-cased addr-spec */
    "  PRIMARY KEY(email_id, role, position)) WITHOUT ROWID;"
    "CREATE INDEX address_addr ON address(addr, role);"
    "CREATE TABLE attachment("
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  n INTEGER NOT NULL,"
    "  filename TEXT,"
    "  content_type TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  sha256 BLOB NOT NULL,"
    "  PRIMARY KEY(email_id, n)) WITHOUT ROWID;"
    "CREATE TABLE source("
    "  id INTEGER PRIMARY KEY,"
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  path TEXT NOT NULL,"
    "  offset INTEGER,"
    "  member TEXT,"
    "  separator TEXT,"
    "  unquoted_lines INTEGER NOT NULL DEFAULT 0,"
    "  ingested_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX source_place ON source("
    "  email_id, path, coalesce(offset, -1), coalesce(member, ''));"
    "CREATE TABLE rejected("
    "  id INTEGER PRIMARY KEY,"
    "  path TEXT NOT NULL,"
    "  offset INTEGER,"
    "  member TEXT,"
    "  reason TEXT NOT NULL,"
    "  rejected_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX rejected_place ON rejected("
    "  path, coalesce(offset, -1), coalesce(member, ''), reason);"
    "CREATE VIRTUAL TABLE email_text USING fts5("
    "  subject, body, people, attachments,"
    "  content = '', tokenize = 'unicode61 remove_diacritics 2');",
    /* 2: DKIM key records and per-signature results */
    "CREATE TABLE key("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"             /* selector._domainkey.domain */
    "  record TEXT NOT NULL,"
    "  key_type TEXT NOT NULL,"
    "  key_bits INTEGER NOT NULL,"
    "  source TEXT,"
    "  imported_at INTEGER NOT NULL,"
    "  UNIQUE(name, record));"
    "CREATE TABLE signature("
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  position INTEGER NOT NULL,"
    "  domain TEXT, selector TEXT, algorithm TEXT, canonicalization TEXT,"
    "  identity TEXT, signed_headers TEXT,"
    "  body_length_tag INTEGER, body_bytes_unsigned INTEGER,"
    "  key_bits INTEGER, key_id INTEGER,"
    "  result TEXT NOT NULL, reason TEXT, weaknesses TEXT NOT NULL DEFAULT '',"
    "  verified_at INTEGER NOT NULL,"
    "  PRIMARY KEY(email_id, position)) WITHOUT ROWID;"
    "CREATE INDEX signature_domain ON signature(domain, result);",
    /* 3: how many DKIM-Signature headers (NULL: not looked at yet), so a
     * re-verification reads only signed emails */
    "ALTER TABLE email ADD COLUMN signature_count INTEGER;",
    /* 4: search by address domain (from:example.org); corroboration spans */
    "ALTER TABLE address ADD COLUMN domain TEXT;"
    "UPDATE address SET domain = substr(addr, instr(addr, '@') + 1)"
    "  WHERE instr(addr, '@') > 0;"
    "CREATE INDEX address_domain ON address(domain, role);"
    "CREATE INDEX email_thread ON email(thread_id);"
    "CREATE INDEX email_with_attachments ON email(date) WHERE attachment_count > 0;"
    "CREATE TABLE corroboration("
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  position INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  by_email INTEGER NOT NULL REFERENCES email(id),"
    "  direction TEXT NOT NULL,"       /* quoted_by_verified | quotes_verified */
    "  PRIMARY KEY(email_id, position)) WITHOUT ROWID;",
    /* 5: the email each one answers, from threading */
    "ALTER TABLE email ADD COLUMN thread_parent INTEGER;",
    /* 6: each email's body text as indexed, so search snippets and
     * corroboration read it without parsing MIME again; filled for older
     * archives by the first writing command (upgrade_pending) */
    "CREATE TABLE body("
    "  email_id INTEGER PRIMARY KEY REFERENCES email(id),"
    "  codec INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  data BLOB NOT NULL);"
    "CREATE TABLE upgrade_pending(task TEXT PRIMARY KEY) WITHOUT ROWID;"
    "INSERT INTO upgrade_pending SELECT 'body text' WHERE EXISTS (SELECT 1 FROM email);",
    /* 7: what the corroboration table was computed from, so a verify that
     * changed no verdict does not redo it */
    "CREATE TABLE corroboration_input(fingerprint INTEGER NOT NULL);",
    /* 8: email lengths laid out for ranking (rank.h); filled for older
     * archives by the first writing command */
    "CREATE TABLE email_length(block INTEGER PRIMARY KEY, lengths BLOB NOT NULL);"
    "INSERT INTO upgrade_pending SELECT 'lengths' WHERE EXISTS (SELECT 1 FROM email);",
    /* 9: what verify and corroboration ask of every email (is it signed,
     * which are verified, what conversation) answered from indexes alone:
     * reading the email rows for it was 110 of a 550 ms verify */
    "CREATE INDEX IF NOT EXISTS email_signature_count ON email(signature_count);"
    "DROP INDEX IF EXISTS email_thread;"
    "CREATE INDEX email_thread ON email(thread_id, verdict);"
    "DROP INDEX IF EXISTS email_verdict;"
    "CREATE INDEX email_verdict ON email(verdict, thread_id);",
    /* 10: recorded paths made relative, never absolute (an archive is
     * published): done by relativize_recorded_paths below, in C; the
     * emails a selector signed (selector:S) found by an index */
    "CREATE INDEX IF NOT EXISTS signature_selector ON signature(selector);"
    /* and the organization's domains (org.h); email.truncated_from, the
     * whole size of a message stored cut at the size limit, is added by
     * migration_10 below (only when missing: ALTER has no IF NOT EXISTS) */
    "CREATE TABLE IF NOT EXISTS org_domain(domain TEXT PRIMARY KEY) WITHOUT ROWID;",
    /* 11: Outlook input and attachment text.  The per-source-file ledger
     * (`sources`, source_ledger.h): what the last ingest of each file
     * read, stored, found already archived and rejected, and what a store
     * promised.  The archive's settings (its language, stem.h).  In C
     * (migration_11): email.derived_from ("pst", "msg"),
     * each attachment's extraction outcome, and the full-text index's
     * fifth column, attached (its text), which means indexing again. */
    "CREATE TABLE IF NOT EXISTS setting(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS source_file("
    "  path TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  read INTEGER NOT NULL,"
    "  stored INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL,"
    "  rejected INTEGER NOT NULL,"
    "  expected INTEGER,"
    "  ingested_at INTEGER NOT NULL) WITHOUT ROWID;",
    /* 12: evidence.  When a key record was seen published (keys import
     * --seen FROM..TO, ISO dates, either may be NULL) and when its private
     * half was published (--private-published DATE); each signature's t=
     * (NULL: none, or verified before schema 12), the date it claims.
     * All added by migration_12 below, each only when missing. */
    "",
    /* 13: each attachment's extracted text, compressed as body texts are
     * (codec 0 stored, 1 zstd): snippets from the attachment a search
     * matched (store_text.c).  Older archives get them at reindex. */
    "CREATE TABLE IF NOT EXISTS attachment_text("
    "  email_id INTEGER NOT NULL REFERENCES email(id),"
    "  n INTEGER NOT NULL,"
    "  codec INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  data BLOB NOT NULL,"
    "  PRIMARY KEY(email_id, n)) WITHOUT ROWID;",
    /* 14: what joins each email to others, for threading an addition
     * without the whole archive (thread.h): a hash of every id it names
     * and of its subject.  Filled for older archives by the next
     * threading of the whole archive (upgrade_pending). */
    "CREATE TABLE IF NOT EXISTS thread_key("
    "  key INTEGER NOT NULL,"
    "  email_id INTEGER NOT NULL,"
    "  PRIMARY KEY(key, email_id)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO upgrade_pending SELECT 'thread keys' WHERE EXISTS (SELECT 1 FROM email);",
    /* 15: how many emails each facet has ("verdict:verified" ...,
     * "has:attachment"; store_facets.c keeps them), counted here.
     * Idempotent: a test may have dropped the table. */
    "CREATE TABLE IF NOT EXISTS facet_count("
    "  facet TEXT PRIMARY KEY,"
    "  emails INTEGER NOT NULL) WITHOUT ROWID;"
    "DELETE FROM facet_count;"
    "INSERT INTO facet_count SELECT 'verdict:' || verdict, count(*) FROM email GROUP BY verdict;"
    "INSERT INTO facet_count SELECT 'has:attachment', count(*) FROM email"
    "  WHERE attachment_count > 0;",
    /* 16: the dated emails of each UTC day (store_facets.c keeps it with
     * facet_count): how many, and their lowest and highest ids.  Filled
     * at the first recount (marked stale here). */
    "CREATE TABLE IF NOT EXISTS email_day("
    "  day INTEGER PRIMARY KEY,"
    "  emails INTEGER NOT NULL,"
    "  min_id INTEGER NOT NULL,"
    "  max_id INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO facet_count VALUES('stale', 0);",
    /* 17: an address is kept as its local part and its domain
     * (migration_17 below: only where the table still has addr); and the
     * index of From addresses goes, which no query read (searches by
     * sender read the address table). */
    "DROP INDEX IF EXISTS email_from;",
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(MIGRATION_COUNT == STORE_SCHEMA_VERSION, "store.h names the schema version");

int store_schema_latest(void)
{
    return MIGRATION_COUNT;
}

int store_schema_version(sqlite3 *db)
{
    sqlite3_stmt *stmt;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return version;
}

/*
 * Migration 10: the absolute (or ../-led) paths that sources and
 * rejections of an older archive recorded are rewritten as
 * recorded_path.h says; key sources that are file paths keep the file's
 * name.  A rewritten place that an existing one already holds is dropped
 * (the same email from the same place).  Inside migrate's transaction.
 */
static int relativize_recorded_paths(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    const char **paths = NULL;
    char **out = NULL;
    size_t count = 0, capacity = 0;
    int rc = sqlite3_prepare_v2(db,
        "SELECT path FROM source WHERE path LIKE '/%' OR path LIKE './%' OR path LIKE '../%'"
        " UNION SELECT path FROM rejected WHERE path LIKE '/%' OR path LIKE './%'"
        " OR path LIKE '../%' ORDER BY 1", -1, &s, NULL);
    while (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        if (count == capacity) {
            capacity = capacity ? capacity * 2 : 256;
            const char **bigger = realloc(paths, capacity * sizeof *paths);
            if (!bigger) {
                rc = SQLITE_NOMEM;
                break;
            }
            paths = bigger;
        }
        if (!(paths[count] = strdup((const char *)sqlite3_column_text(s, 0)))) {
            rc = SQLITE_NOMEM;
            break;
        }
        count++;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (rc == SQLITE_OK && count) {
        out = calloc(count, sizeof *out);
        if (!out || recorded_path_relativize(paths, count, out) != MT_OK)
            rc = SQLITE_NOMEM;
    }
    static const char *const rewrite[] = {
        "UPDATE OR IGNORE source SET path = ?1 WHERE path = ?2",
        "UPDATE OR IGNORE rejected SET path = ?1 WHERE path = ?2",
    };
    for (size_t t = 0; t < 2 && rc == SQLITE_OK && count; t++) {
        rc = sqlite3_prepare_v2(db, rewrite[t], -1, &s, NULL);
        for (size_t i = 0; i < count && rc == SQLITE_OK; i++) {
            if (!out[i])
                continue;
            sqlite3_bind_text(s, 1, out[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, paths[i], -1, SQLITE_STATIC);
            rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
            sqlite3_reset(s);
        }
        sqlite3_finalize(s);
        s = NULL;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
            "DELETE FROM source WHERE path LIKE '/%';"
            "DELETE FROM rejected WHERE path LIKE '/%';", NULL, NULL, NULL);
    /* key sources: a file path keeps its name (--source texts are kept) */
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT id, source FROM key WHERE source LIKE '/%'",
                                -1, &s, NULL);
    sqlite3_stmt *update = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "UPDATE key SET source = ? WHERE id = ?", -1, &update, NULL);
    while (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
        const char *name = recorded_path_file_name((const char *)sqlite3_column_text(s, 1));
        sqlite3_bind_text(update, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(update, 2, sqlite3_column_int64(s, 0));
        rc = sqlite3_step(update) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        sqlite3_reset(update);
    }
    sqlite3_finalize(update);
    sqlite3_finalize(s);
    for (size_t i = 0; i < count; i++) {
        free((char *)paths[i]);
        if (out)
            free(out[i]);
    }
    free(paths);
    free(out);
    return rc;
}

static bool column_exists(sqlite3 *db, const char *table, const char *column)
{
    sqlite3_stmt *s;
    bool found = false;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?", table);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(s, 1, column, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return found;
}

/* What migration 10 does in C: email.truncated_from when missing, and the
 * recorded paths of an archive that has some (FROM > 0) made relative. */
static int migration_10(sqlite3 *db, int from)
{
    int rc = SQLITE_OK;
    if (!column_exists(db, "email", "truncated_from"))
        rc = sqlite3_exec(db, "ALTER TABLE email ADD COLUMN truncated_from INTEGER", NULL, NULL,
                          NULL);
    if (rc == SQLITE_OK && from > 0)
        rc = relativize_recorded_paths(db);
    return rc;
}

/* What migration 11 does in C (each step only when missing: ALTER has no
 * IF NOT EXISTS, and an FTS5 table cannot gain a column). */
static int migration_11(sqlite3 *db)
{
    int rc = SQLITE_OK;
    if (!column_exists(db, "email", "derived_from"))
        rc = sqlite3_exec(db, "ALTER TABLE email ADD COLUMN derived_from TEXT", NULL, NULL, NULL);
    if (rc == SQLITE_OK && !column_exists(db, "attachment", "extraction"))
        rc = sqlite3_exec(db, "ALTER TABLE attachment ADD COLUMN extraction TEXT;"
                              "ALTER TABLE attachment ADD COLUMN extraction_reason TEXT;"
                              "ALTER TABLE attachment ADD COLUMN text_bytes INTEGER;",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK && !column_exists(db, "email_text", "attached"))
        rc = sqlite3_exec(db, "DROP TABLE email_text;"
                              "CREATE VIRTUAL TABLE email_text USING fts5("
                              "  subject, body, people, attachments, attached,"
                              "  content = '', tokenize = 'unicode61 remove_diacritics 2');"
                              "DELETE FROM email_length;"
                              "INSERT OR IGNORE INTO upgrade_pending SELECT 'index'"
                              "  WHERE EXISTS (SELECT 1 FROM email);",
                          NULL, NULL, NULL);
    return rc;
}

/* What migration 12 does in C: the key windows, the private halves'
 * publication and each signature's t=, each column only when missing. */
static int migration_12(sqlite3 *db)
{
    static const char *const columns[][3] = {
        { "key", "seen_from", "TEXT" },
        { "key", "seen_to", "TEXT" },
        { "key", "private_published", "TEXT" },
        { "signature", "signed_at", "INTEGER" },
    };
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof columns / sizeof columns[0] && rc == SQLITE_OK; i++) {
        if (column_exists(db, columns[i][0], columns[i][1]))
            continue;
        char sql[128];
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s %s", columns[i][0],
                 columns[i][1], columns[i][2]);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    return rc;
}

/*
 * Migration 17: an address is kept as its local part and its domain
 * (split at its first '@'; no domain without one), under one index that
 * finds both an address and a domain's addresses; the whole address is
 * ADDRESS_SQL (store_int.h).  Its text was stored twice and indexed
 * twice: linux-mips 31 MB smaller (docs/ingest.md).  Only where the table
 * still has addr (a test may give a newer archive an old version).
 */
static int migration_17(sqlite3 *db)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('address')"
                                " WHERE name = 'addr'", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    bool old = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!old)
        return SQLITE_OK;
    return sqlite3_exec(db,
        "CREATE TABLE address_split("
        "  email_id INTEGER NOT NULL REFERENCES email(id),"
        "  role INTEGER NOT NULL,"
        "  position INTEGER NOT NULL,"
        "  name TEXT,"
        "  local TEXT,"
        "  domain TEXT,"
        "  PRIMARY KEY(email_id, role, position)) WITHOUT ROWID;"
        "INSERT INTO address_split SELECT email_id, role, position, name,"
        "  CASE WHEN instr(addr, '@') > 0 THEN substr(addr, 1, instr(addr, '@') - 1) ELSE addr END,"
        "  CASE WHEN instr(addr, '@') > 0 THEN substr(addr, instr(addr, '@') + 1) END"
        "  FROM address;"
        "DROP TABLE address;"
        "ALTER TABLE address_split RENAME TO address;"
        "CREATE INDEX address_domain ON address(domain, role, local);",
        NULL, NULL, NULL);
}

mt_status store_schema_migrate(sqlite3 *db, struct mt_error *err)
{
    char *message = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &message) != SQLITE_OK)
        goto fail;
    /* Another process may have migrated while we waited for the lock. */
    int from = store_schema_version(db);
    for (int v = from; v < MIGRATION_COUNT; v++) {
        if (sqlite3_exec(db, migrations[v], NULL, NULL, &message) != SQLITE_OK)
            goto fail;
        if (v + 1 == 10 && migration_10(db, from) != SQLITE_OK)
            goto fail;
        if (v + 1 == 11 && migration_11(db) != SQLITE_OK)
            goto fail;
        if (v + 1 == 12 && migration_12(db) != SQLITE_OK)
            goto fail;
        if (v + 1 == 17 && migration_17(db) != SQLITE_OK)
            goto fail;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", MIGRATION_COUNT);
    if (sqlite3_exec(db, pragma, NULL, NULL, &message) != SQLITE_OK
        || sqlite3_exec(db, "COMMIT", NULL, NULL, &message) != SQLITE_OK)
        goto fail;
    return MT_OK;
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    mt_error_set(err, MT_EDB, "could not set up the archive schema: %s%s",
                 message ? message : sqlite3_errmsg(db),
                 message && strstr(message, "fts5")
                     ? " (this SQLite lacks FTS5; install Debian's libsqlite3)"
                     : "");
    sqlite3_free(message);
    return MT_EDB;
}

