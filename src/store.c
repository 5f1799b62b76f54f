/* store.c - the SQLite archive: opening it, raw bytes, sources, rejections
 * (its schema and migrations: store_schema.c). */
#include "store_int.h"

#include "fts_tokens.h"
#include "store_schema.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* A new archive's page size.  The stored messages (1-4 KB compressed,
 * most of them) fill SQLite's 4 KiB pages badly: a sixth of the raw
 * table's pages was free space.  16 KiB pages hold them with less waste
 * (docs/ingest.md, "Archive size"). */
#define STORE_PAGE_SIZE "16384"
/* How long a statement waits for another connection's lock. */
#define STORE_BUSY_MS 10000
/* How long store_bound_wal waits for readers to leave the WAL: a reader
 * that keeps one snapshot for long (an export beside the ingest) must not
 * stall every batch for STORE_BUSY_MS. */
#define STORE_WAL_BOUND_WAIT_MS 200

struct store {
    sqlite3 *db;
    bool immutable;           /* opened with immutable=1 (reopen_immutable) */
    bool published;           /* a published copy (store_is_published) */
    bool writer;              /* opened to write: recounts the facets at close */
    struct fts_token_feed *token_feed;  /* a writer's (fts_tokens.h); owned by db */
    sqlite3_stmt *find_sha;
    sqlite3_stmt *insert_email;
    sqlite3_stmt *insert_raw;
    sqlite3_stmt *insert_source;
    sqlite3_stmt *insert_rejection;
    sqlite3_stmt *select_raw;
    sqlite3_stmt *select_raw_of_size;
    sqlite3_stmt *insert_body;
    sqlite3_stmt *select_body;
    sqlite3_stmt *resolve_rejection;
    int rejections_known;     /* 0 not looked, 1 none, 2 some (resolve_rejections) */
    ZSTD_DCtx *decompressor;  /* made on first use, kept: see store_compressor */
    struct cached_statement {
        const char *sql;      /* a string literal: looked up by address */
        sqlite3_stmt *stmt;
    } *cache;
    size_t cache_count;
};

/* What a user can do about the failures that are not bugs. */
static const char *db_error_advice(sqlite3 *db)
{
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_FULL:
        return " (the disk is full: free space and run the command again;"
               " the archive keeps what was committed)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return " (another process is writing this archive, such as another"
               " mailtrove ingest, verify or reindex;"
               " run again when it has finished)";
    case SQLITE_READONLY:
        return " (the archive file or its directory is read-only)";
    case SQLITE_IOERR:
        return sqlite3_system_errno(db) == EFBIG
            ? " (the file size limit was reached: see 'ulimit -f')"
            : " (reading or writing the archive file failed: check that the disk is"
              " not full and no file size limit applies, then run the command again)";
    default:
        return "";
    }
}

void store_tune_process(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

mt_status store_db_error(struct store *st, struct mt_error *err,
                         const char *what)
{
    if (!st || !st->db)
        return mt_error_set(err, MT_EDB, "%s: no database", what);
    /* errno is only about this failure for the file-level errors */
    int code = sqlite3_errcode(st->db) & 0xff;
    int system_errno = code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN
                     ? sqlite3_system_errno(st->db) : 0;
    return mt_error_set(err, MT_EDB, "%s: %s%s%s%s", what, sqlite3_errmsg(st->db),
                        system_errno ? ": " : "",
                        system_errno ? strerror(system_errno) : "",
                        db_error_advice(st->db));
}

static mt_status prepare(struct store *st, sqlite3_stmt **stmt,
                         const char *sql, struct mt_error *err)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                           NULL) != SQLITE_OK)
        return store_db_error(st, err, "preparing a statement");
    return MT_OK;
}

static void connection_setup(sqlite3 *db);

static mt_status reopen_immutable(struct store *st, const char *path,
                                  struct mt_error *err)
{
    struct buf uri = BUF_INIT, wal = BUF_INIT;
    struct stat info;
    mt_status status = MT_OK;
    if (buf_printf(&wal, "%s-wal", path) != MT_OK
        || buf_append_str(&uri, "file:") != MT_OK) {
        status = MT_ENOMEM;
        goto out;
    }
    if (stat(wal.data, &info) == 0 && info.st_size > 0) {
        status = mt_error_set(err, MT_EDB, "%s: cannot read the archive: its write-ahead log "
                              "%s is not checkpointed and the directory is read-only; open it "
                              "once where it can be written", path, wal.data);
        goto out;
    }
    for (const char *c = path; *c && status == MT_OK; c++)
        status = strchr("%?#", *c) ? buf_printf(&uri, "%%%02X", (unsigned char)*c)
                                   : buf_append_char(&uri, *c);
    if (status == MT_OK)
        status = buf_append_str(&uri, "?immutable=1");
    if (status != MT_OK)
        goto out;
    sqlite3_close(st->db);
    st->db = NULL;
    if (sqlite3_open_v2(uri.data, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
                        | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        status = mt_error_set(err, MT_EDB, "%s: cannot open archive: %s", path,
                              st->db ? sqlite3_errmsg(st->db) : "out of memory");
    else
        connection_setup(st->db);
    st->immutable = status == MT_OK;
out:
    buf_free(&uri);
    buf_free(&wal);
    return status;
}

/* mt_folded_contains(TEXT, NEEDLE): TEXT folded for case and accents as
 * the index folds words (text_fold) contains NEEDLE (folded by the
 * caller).  For names and addresses, which are not in the index as such:
 * from:fernandez finds "Álvaro Fernández", to:LÉGER finds "Léger". */
static void folded_contains(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    const char *needle = (const char *)sqlite3_value_text(argv[1]);
    if (!text || !needle) {
        sqlite3_result_int(context, 0);
        return;
    }
    sqlite3_result_int(context, text_contains_folded(text, (size_t)sqlite3_value_bytes(argv[0]),
                                                     needle,
                                                     (size_t)sqlite3_value_bytes(argv[1])));
}

/* Whether this process may write PATH and make files beside it. */
static bool can_write_beside(const char *path)
{
    if (access(path, W_OK) != 0)
        return false;
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK) == 0;
    if (slash == path)
        return access("/", W_OK) == 0;
    char dir[4096];
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dir)
        return false;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return access(dir, W_OK) == 0;
}

/* What every connection gets, the first and one reopened immutable (which
 * lacked mt_folded_contains before: from: failed on read-only media). */
static void connection_setup(sqlite3 *db)
{
    sqlite3_busy_timeout(db, STORE_BUSY_MS);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_create_function(db, "mt_folded_contains", 2,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                            folded_contains, NULL, NULL);
}

/* Whether DB is a published copy: its settings name the root it was
 * published with (schema 11 and later have settings). */
static bool is_published(sqlite3 *db)
{
    sqlite3_stmt *s;
    bool published = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM setting WHERE name = 'published_root'", -1, &s,
                           NULL) == SQLITE_OK) {
        published = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    return published;
}

static bool has_tables(sqlite3 *db)
{
    sqlite3_stmt *s;
    bool any = true;   /* when it cannot be told, refuse */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master LIMIT 1", -1, &s, NULL) == SQLITE_OK) {
        any = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    return any;
}

/* Whether the file at PATH, of schema VERSION (-1: not a database), is an
 * archive this program may open in MODE; a published copy is reopened
 * immutable and marked.  MT_OK, MT_EDB or MT_EUNSUPPORTED with ERR. */
static mt_status check_archive(struct store *st, const char *path, enum store_mode mode,
                               int version, struct mt_error *err)
{
    if (version < 0)
        return mt_error_set(err, MT_EDB, "%s: not a mailtrove archive (%s)", path,
                            sqlite3_errmsg(st->db));
    /* Schema 0 is a database mailtrove never set up: a user's own SQLite
     * file is refused untouched, never given our tables (an empty one is
     * made an archive only by a command that creates). */
    bool tables = version == 0 && has_tables(st->db);
    if (version == 0 && mode == STORE_READ_ONLY && !tables)
        /* what an ingest killed before its first commit leaves */
        return mt_error_set(err, MT_EUNSUPPORTED,
                            "%s: not a mailtrove archive yet (empty: if an ingest made it, "
                            "it stopped before storing anything; run it again)", path);
    if (version == 0 && (mode == STORE_READ_ONLY || tables))
        return mt_error_set(err, MT_EUNSUPPORTED,
                            "%s: not a mailtrove archive (an SQLite database "
                            "mailtrove did not make); nothing was changed", path);
    if (version > store_schema_latest())
        return mt_error_set(err, MT_EUNSUPPORTED,
                            "%s: archive schema version %d is newer than this "
                            "mailtrove understands (%d); upgrade mailtrove",
                            path, version, store_schema_latest());
    /* A published copy (store_publish_copy) never changes: read as
     * immutable (no locks, no -shm: any number of readers on read-only
     * media), and never written. */
    if (version >= 11 && is_published(st->db)) {
        if (mode != STORE_READ_ONLY)
            return mt_error_set(err, MT_EUNSUPPORTED,
                                "%s: a published copy of an archive (mailtrove publish): it "
                                "never changes; work on the archive it was published from",
                                path);
        mt_status reopened = st->immutable ? MT_OK : reopen_immutable(st, path, err);
        if (reopened != MT_OK)
            return reopened;
        sqlite3_exec(st->db, "PRAGMA query_only=ON", NULL, NULL, NULL);
        st->published = true;
    }
    return MT_OK;
}

mt_status store_open(const char *path, enum store_mode mode,
                     struct store **out, struct mt_error *err)
{
    struct store *st = calloc(1, sizeof *st);
    mt_status status = MT_OK;
    *out = NULL;
    if (!st)
        return MT_ENOMEM;
    if (mode != STORE_CREATE && access(path, F_OK) != 0) {
        free(st);
        return mt_error_set(err, MT_ENOTFOUND,
                            "%s: no archive here (create one with "
                            "'mailtrove ingest')", path);
    }
    /* A reader that may write the file and its directory opens it for
     * writing with query_only set: it changes nothing, and as the last
     * connection to close it removes the -wal and -shm files SQLite makes
     * for any reader of a WAL database (a read-only connection cannot,
     * and left them behind after every search).  Otherwise read-only. */
    bool reader_may_write = mode == STORE_READ_ONLY && can_write_beside(path);
    int flags = mode == STORE_READ_ONLY
                    ? (reader_may_write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY)
              : mode == STORE_READ_WRITE ? SQLITE_OPEN_READWRITE
              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        status = mt_error_set(err, MT_EDB, "%s: cannot open archive: %s", path,
                              st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    connection_setup(st->db);
    /* Before any full-text table is connected (or made): the words a
     * parse worker found are replayed (docs/ingest.md).  Without it
     * (no memory) unicode61 tokenizes here, as before. */
    if (mode != STORE_READ_ONLY)
        fts_token_feed_install(st->db, &st->token_feed);
    if (mode == STORE_READ_ONLY)
        sqlite3_exec(st->db, "PRAGMA query_only=ON", NULL, NULL, NULL);
    /* SQLite quietly opens an unwritable file read-only; a writer should
     * say so now, not at its first insert. */
    if (mode != STORE_READ_ONLY && sqlite3_db_readonly(st->db, "main") == 1) {
        status = mt_error_set(err, MT_EDB, "%s: the archive is read-only (file, directory "
                              "or file system); this command needs to write to it", path);
        goto fail;
    }
    /* Checking that it is a database at all gives a clear message. */
    int version = store_schema_version(st->db);
    int code = sqlite3_errcode(st->db) & 0xff;
    if (version < 0 && mode == STORE_READ_ONLY
        && (code == SQLITE_CANTOPEN || code == SQLITE_READONLY)) {
        /* A WAL archive on read-only media (a published copy) or in a
         * directory this user cannot write: SQLite cannot make its -shm
         * file there.  With no -wal to read, nobody can be writing it, so
         * reading it as immutable is exact. */
        status = reopen_immutable(st, path, err);
        if (status != MT_OK)
            goto fail;
        sqlite3_exec(st->db, "PRAGMA query_only=ON", NULL, NULL, NULL);
        version = store_schema_version(st->db);
    }
    status = check_archive(st, path, mode, version, err);
    if (status != MT_OK)
        goto fail;
    /* Before its first table: pages freed (the index merged) go back;
     * and pages of STORE_PAGE_SIZE, set once for the file's life. */
    if (version == 0 && mode == STORE_CREATE)
        sqlite3_exec(st->db, "PRAGMA page_size=" STORE_PAGE_SIZE "; PRAGMA auto_vacuum=INCREMENTAL",
                     NULL, NULL, NULL);
    if (mode != STORE_READ_ONLY) {
        /* WAL lets readers (serve) work while ingest writes; NORMAL sync is
         * safe against a killed process, the case we test. */
        sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    }
    sqlite3_exec(st->db, "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY",
                 NULL, NULL, NULL);
    /* Writers get a big page cache (ingest's B-tree inserts): 32 MB, not
     * 64, keeps the .mbox.zst ingest of linux-mips under 300 MB (291
     * against 322) for 4% of its time (docs/ingest.md).  Readers
     * (search, verify workers, serve) keep SQLite's small default: in a
     * short-lived process a big cache, or mapping the file, costs more in
     * page faults than it saves (measured on linux-mips: one search
     * 40 ms plain, 180 ms with a 64 MB cache, 144 ms with mmap); search
     * and count keep even fewer pages (store_keep_small_cache). */
    if (mode != STORE_READ_ONLY)
        sqlite3_exec(st->db, "PRAGMA cache_size=-32768", NULL, NULL, NULL);
    if (version < store_schema_latest()) {
        if (mode == STORE_READ_ONLY) {
            /* Reading commands never change the file (a published archive
             * has a checksum; a colleague's copy is theirs). */
            status = mt_error_set(err, MT_EUNSUPPORTED,
                                  "%s: this archive was made by an older mailtrove "
                                  "(schema %d, now %d); reading commands never change "
                                  "it: run 'mailtrove --archive %s verify' (or any "
                                  "writing command) once to upgrade it", path, version,
                                  store_schema_latest(), path);
            goto fail;
        }
        status = store_schema_migrate(st->db, err);
        if (status != MT_OK)
            goto fail;
    }
    st->writer = mode != STORE_READ_ONLY;
    *out = st;
    return MT_OK;
fail:
    store_close(st);
    return status;
}

void store_keep_small_cache(struct store *st)
{
    /* 20 pages: 10 or 30 measured the same in bench/search */
    sqlite3_exec(st->db, "PRAGMA cache_size=20", NULL, NULL, NULL);
}

mt_status store_statement(struct store *st, const char *sql, sqlite3_stmt **out,
                          struct mt_error *err)
{
    for (size_t i = 0; i < st->cache_count; i++) {
        if (st->cache[i].sql == sql) {
            sqlite3_reset(st->cache[i].stmt);
            sqlite3_clear_bindings(st->cache[i].stmt);
            *out = st->cache[i].stmt;
            return MT_OK;
        }
    }
    struct cached_statement *bigger = realloc(st->cache, (st->cache_count + 1) * sizeof *bigger);
    if (!bigger)
        return MT_ENOMEM;
    st->cache = bigger;
    mt_status status = prepare(st, out, sql, err);
    if (status != MT_OK)
        return status;
    st->cache[st->cache_count++] = (struct cached_statement){ sql, *out };
    return MT_OK;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (st->writer)   /* a failure leaves them stale: readers count instead */
        store_facets_recount(st, NULL);
    sqlite3_finalize(st->find_sha);
    sqlite3_finalize(st->insert_email);
    sqlite3_finalize(st->insert_raw);
    sqlite3_finalize(st->insert_source);
    sqlite3_finalize(st->insert_rejection);
    sqlite3_finalize(st->select_raw);
    sqlite3_finalize(st->select_raw_of_size);
    sqlite3_finalize(st->insert_body);
    sqlite3_finalize(st->select_body);
    sqlite3_finalize(st->resolve_rejection);
    for (size_t i = 0; i < st->cache_count; i++)
        sqlite3_finalize(st->cache[i].stmt);
    free(st->cache);
    sqlite3_close(st->db);
    ZSTD_freeDCtx(st->decompressor);
    free(st);
}

sqlite3 *store_db(struct store *st)
{
    return st->db;
}

struct fts_token_feed *store_token_feed(struct store *st)
{
    return st->token_feed;
}

mt_status store_begin(struct store *st, struct mt_error *err)
{
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return store_db_error(st, err, "starting a transaction");
    return MT_OK;
}

mt_status store_commit(struct store *st, struct mt_error *err)
{
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return store_db_error(st, err, "committing");
    return MT_OK;
}

bool store_begin_read(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        return false;
    return sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void store_end_read(struct store *st, bool began)
{
    if (began)
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

void store_auto_checkpoint(struct store *st, bool on)
{
    sqlite3_exec(st->db, on ? "PRAGMA wal_autocheckpoint=1000" : "PRAGMA wal_autocheckpoint=0",
                 NULL, NULL, NULL);
}

void store_checkpoint(struct store *st)
{
    sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

void store_bound_wal(struct store *st, int64_t limit)
{
    char wal[4096];
    struct stat info;
    const char *path = sqlite3_db_filename(st->db, "main");
    if (!path || snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal
        || stat(wal, &info) != 0 || info.st_size <= limit)
        return;
    /* A failure (a reader kept its snapshot past the short wait) is
     * harmless: the next commit tries again. */
    sqlite3_busy_timeout(st->db, STORE_WAL_BOUND_WAIT_MS);
    sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
}

/* SQLite's progress callback: nonzero (interrupt) once past the deadline. */
static int past_deadline(void *context)
{
    const struct timespec *deadline = context;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec
           || (now.tv_sec == deadline->tv_sec && now.tv_nsec > deadline->tv_nsec);
}

void store_set_deadline(struct store *st, const struct timespec *deadline)
{
    if (deadline)
        sqlite3_progress_handler(st->db, 10000, past_deadline, (void *)deadline);
    else
        sqlite3_progress_handler(st->db, 0, NULL, NULL);
}

mt_status store_rollback(struct store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return MT_OK;
}

mt_status store_find_sha256(struct store *st, const unsigned char sha256[32],
                            int64_t *id, struct mt_error *err)
{
    if (!st->find_sha && prepare(st, &st->find_sha,
                                 "SELECT id FROM email WHERE sha256 = ?", err) != MT_OK)
        return MT_EDB;
    sqlite3_bind_blob(st->find_sha, 1, sha256, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st->find_sha);
    mt_status status = MT_ENOTFOUND;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st->find_sha, 0);
        status = MT_OK;
    } else if (rc != SQLITE_DONE) {
        status = store_db_error(st, err, "looking up a message");
    }
    sqlite3_reset(st->find_sha);
    sqlite3_clear_bindings(st->find_sha);
    return status;
}

mt_status store_put_raw(struct store *st, const unsigned char sha256[32],
                        size_t raw_size, int codec, const void *data,
                        size_t data_len, int64_t *id, struct mt_error *err)
{
    /* Insert first and look up only on conflict: new messages are the
     * common case during ingest, and this saves an index probe each. */
    if (!st->insert_email
        && prepare(st, &st->insert_email,
                   "INSERT INTO email(sha256, raw_size, ingested_at) VALUES(?,?,?)"
                   " ON CONFLICT(sha256) DO NOTHING", err) != MT_OK)
        return MT_EDB;
    if (!st->insert_raw
        && prepare(st, &st->insert_raw,
                   "INSERT INTO raw(email_id, codec, data) VALUES(?,?,?)", err) != MT_OK)
        return MT_EDB;
    sqlite3_bind_blob(st->insert_email, 1, sha256, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st->insert_email, 2, (sqlite3_int64)raw_size);
    sqlite3_bind_int64(st->insert_email, 3, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st->insert_email);
    sqlite3_reset(st->insert_email);
    sqlite3_clear_bindings(st->insert_email);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "storing a message");
    if (sqlite3_changes(st->db) == 0) {
        mt_status status = store_find_sha256(st, sha256, id, err);
        return status == MT_OK ? MT_EXISTS : status;
    }
    *id = sqlite3_last_insert_rowid(st->db);
    sqlite3_bind_int64(st->insert_raw, 1, *id);
    sqlite3_bind_int(st->insert_raw, 2, codec);
    sqlite3_bind_blob64(st->insert_raw, 3, data, data_len, SQLITE_STATIC);
    rc = sqlite3_step(st->insert_raw);
    sqlite3_reset(st->insert_raw);
    sqlite3_clear_bindings(st->insert_raw);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "storing a message's bytes");
    return store_facets_changed(st, err);   /* one more unsigned email */
}

static void bind_optional_text(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, index);
}

/*
 * A place read now resolves what an earlier ingest rejected there: the
 * whole file or member (offset NULL: "permission denied", "could not be
 * read") or this very message.  Looked up only when the archive held
 * rejections as this connection first recorded a source, so an ingest
 * into an archive without any pays one query, not one per message.
 */
static mt_status resolve_rejections(struct store *st, const char *path, int64_t offset,
                                    const char *member, struct mt_error *err)
{
    if (st->rejections_known == 0) {
        sqlite3_stmt *any;
        st->rejections_known = 1;
        if (sqlite3_prepare_v2(st->db, "SELECT EXISTS(SELECT 1 FROM rejected)", -1, &any,
                               NULL) != SQLITE_OK)
            return store_db_error(st, err, "looking for earlier rejections");
        if (sqlite3_step(any) == SQLITE_ROW && sqlite3_column_int(any, 0))
            st->rejections_known = 2;
        sqlite3_finalize(any);
    }
    if (st->rejections_known != 2)
        return MT_OK;
    if (!st->resolve_rejection
        && prepare(st, &st->resolve_rejection,
                   "DELETE FROM rejected WHERE path = ?1 AND coalesce(member, '') = "
                   "coalesce(?2, '') AND (offset IS NULL OR offset = ?3)", err) != MT_OK)
        return MT_EDB;
    sqlite3_stmt *s = st->resolve_rejection;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    bind_optional_text(s, 2, member);
    sqlite3_bind_int64(s, 3, offset);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "resolving an earlier rejection");
    return MT_OK;
}

mt_status store_add_source(struct store *st, int64_t id, const char *path,
                           int64_t offset, const char *member,
                           const char *separator, unsigned unquoted_lines,
                           struct mt_error *err)
{
    if (!st->insert_source
        && prepare(st, &st->insert_source,
                   "INSERT OR IGNORE INTO source(email_id, path, offset, member,"
                   " separator, unquoted_lines, ingested_at) VALUES(?,?,?,?,?,?,?)",
                   err) != MT_OK)
        return MT_EDB;
    sqlite3_stmt *s = st->insert_source;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
    if (offset >= 0)
        sqlite3_bind_int64(s, 3, offset);
    else
        sqlite3_bind_null(s, 3);
    bind_optional_text(s, 4, member);
    bind_optional_text(s, 5, separator);
    sqlite3_bind_int(s, 6, (int)unquoted_lines);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "recording a message's source");
    return resolve_rejections(st, path, offset, member, err);
}

mt_status store_mark_truncated(struct store *st, int64_t id, uint64_t size,
                               struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "UPDATE email SET truncated_from = ? WHERE id = ?",
                                       &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
    sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "marking a truncated message");
}

mt_status store_mark_derived(struct store *st, int64_t id, const char *from,
                             struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "UPDATE email SET derived_from = ? WHERE id = ?",
                                       &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "marking a derived message");
}

uint64_t store_truncated_from(struct store *st, int64_t id)
{
    sqlite3_stmt *s;
    if (store_statement(st, "SELECT truncated_from FROM email WHERE id = ?", &s, NULL) != MT_OK)
        return 0;
    sqlite3_bind_int64(s, 1, id);
    uint64_t size = sqlite3_step(s) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return size;
}

mt_status store_add_rejection(struct store *st, const char *path,
                              int64_t offset, const char *member,
                              const char *reason, struct mt_error *err)
{
    if (!st->insert_rejection
        && prepare(st, &st->insert_rejection,
                   "INSERT OR IGNORE INTO rejected(path, offset, member, reason,"
                   " rejected_at) VALUES(?,?,?,?,?)", err) != MT_OK)
        return MT_EDB;
    sqlite3_stmt *s = st->insert_rejection;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
    if (offset >= 0)
        sqlite3_bind_int64(s, 2, offset);
    else
        sqlite3_bind_null(s, 2);
    bind_optional_text(s, 3, member);
    sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "recording a rejection");
    return MT_OK;
}

/* DATA as stored with CODEC, SIZE bytes once decompressed, into OUT
 * (NUL-terminated).  WHAT names it in the error. */
static mt_status decompress(struct store *st, int codec, const void *data, size_t data_len,
                            size_t size, struct buf *out, const char *what, int64_t id,
                            struct mt_error *err)
{
    buf_clear(out);
    if (codec == CODEC_STORED)
        return buf_append(out, data ? data : "", data_len);
    if (buf_reserve(out, size) != MT_OK)
        return MT_ENOMEM;
    if (!st->decompressor && !(st->decompressor = ZSTD_createDCtx()))
        return MT_ENOMEM;
    size_t got;
    if (codec == CODEC_ZSTD_AFTER_RAW) {
        /* the prefix it was compressed against: the email's bytes */
        struct buf raw = BUF_INIT;
        mt_status status = store_get_raw(st, id, &raw, err);
        if (status != MT_OK) {
            buf_free(&raw);
            return status;
        }
        got = ZSTD_DCtx_refPrefix(st->decompressor, raw.data, raw.len);
        if (!ZSTD_isError(got))
            got = ZSTD_decompressDCtx(st->decompressor, out->data, size + 1, data, data_len);
        buf_free(&raw);
    } else {
        got = ZSTD_decompressDCtx(st->decompressor, out->data, size + 1, data, data_len);
    }
    if (ZSTD_isError(got) || got != size)
        return mt_error_set(err, MT_EDB, "email %lld: stored %s damaged (%s)", (long long)id,
                            what, ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch");
    out->len = got;
    out->data[got] = '\0';
    return MT_OK;
}

/* Step S (ID bound as its parameter; columns codec, data, size) and
 * decompress its row into OUT.  MT_ENOTFOUND, with ERR left to the
 * caller, when there is no row.  READING and WHAT name it in errors. */
mt_status store_read_compressed(struct store *st, sqlite3_stmt *s, int64_t id,
                                struct buf *out, const char *reading, const char *what,
                                struct mt_error *err)
{
    mt_status status;
    buf_clear(out);
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        status = MT_ENOTFOUND;
    else if (rc != SQLITE_ROW)
        status = store_db_error(st, err, reading);
    else
        status = decompress(st, sqlite3_column_int(s, 0), sqlite3_column_blob(s, 1),
                            (size_t)sqlite3_column_bytes(s, 1),
                            (size_t)sqlite3_column_int64(s, 2), out, what, id, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return status;
}

/* A message's row through S (store_get_raw's or store_get_raw_of_size's
 * statement), decompressed into OUT. */
static mt_status read_raw(struct store *st, sqlite3_stmt *s, int64_t id, struct buf *out,
                          struct mt_error *err)
{
    mt_status status = store_read_compressed(st, s, id, out, "reading a message", "bytes are", err);
    if (status == MT_ENOTFOUND)
        mt_error_set(err, MT_ENOTFOUND, "no email with id %lld", (long long)id);
    return status;
}

mt_status store_get_raw(struct store *st, int64_t id, struct buf *out,
                        struct mt_error *err)
{
    if (!st->select_raw
        && prepare(st, &st->select_raw,
                   "SELECT r.codec, r.data, e.raw_size FROM raw r"
                   " JOIN email e ON e.id = r.email_id WHERE r.email_id = ?",
                   err) != MT_OK)
        return MT_EDB;
    return read_raw(st, st->select_raw, id, out, err);
}

mt_status store_get_raw_of_size(struct store *st, int64_t id, int64_t raw_size,
                                struct buf *out, struct mt_error *err)
{
    if (!st->select_raw_of_size
        && prepare(st, &st->select_raw_of_size,
                   "SELECT codec, data, ?2 FROM raw WHERE email_id = ?1", err) != MT_OK)
        return MT_EDB;
    sqlite3_bind_int64(st->select_raw_of_size, 2, raw_size);
    return read_raw(st, st->select_raw_of_size, id, out, err);
}

static mt_status prepare_insert_body(struct store *st, struct mt_error *err)
{
    if (!st->insert_body
        && prepare(st, &st->insert_body,
                   "INSERT INTO body(email_id, codec, size, data) VALUES(?,?,?,?)"
                   " ON CONFLICT(email_id) DO UPDATE SET codec = excluded.codec,"
                   " size = excluded.size, data = excluded.data",
                   err) != MT_OK)
        return MT_EDB;
    return MT_OK;
}

mt_status store_put_body(struct store *st, int64_t id, const char *text,
                         struct store_compressor *compressor, struct mt_error *err)
{
    if (prepare_insert_body(st, err) != MT_OK)
        return MT_EDB;
    sqlite3_bind_int64(st->insert_body, 1, id);
    return store_write_compressed(st, st->insert_body, 2, text, text ? strlen(text) : 0,
                                  compressor, "storing a message's text", err);
}

mt_status store_put_body_packed(struct store *st, int64_t id, const struct store_packed *body,
                                struct mt_error *err)
{
    if (prepare_insert_body(st, err) != MT_OK)
        return MT_EDB;
    sqlite3_bind_int64(st->insert_body, 1, id);
    return store_write_packed(st, st->insert_body, 2, body, "storing a message's text", err);
}

mt_status store_get_body(struct store *st, int64_t id, struct buf *out,
                         struct mt_error *err)
{
    if (!st->select_body
        && prepare(st, &st->select_body,
                   "SELECT codec, data, size FROM body WHERE email_id = ?", err) != MT_OK)
        return MT_EDB;
    mt_status status = store_read_compressed(st, st->select_body, id, out,
                                       "reading a message's text", "text is", err);
    if (status == MT_ENOTFOUND)
        mt_error_set(err, MT_ENOTFOUND, "email %lld: no stored text", (long long)id);
    return status;
}

bool store_upgrade_pending(struct store *st, const char *task)
{
    sqlite3_stmt *s;
    bool pending = false;
    if (sqlite3_prepare_v2(st->db, task ? "SELECT 1 FROM upgrade_pending WHERE task = ?"
                                        : "SELECT 1 FROM upgrade_pending", -1, &s,
                           NULL) != SQLITE_OK)
        return false;
    if (task)
        sqlite3_bind_text(s, 1, task, -1, SQLITE_STATIC);
    pending = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return pending;
}

mt_status store_upgrade_done(struct store *st, const char *task, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "DELETE FROM upgrade_pending WHERE task = ?", -1, &s,
                           NULL) != SQLITE_OK)
        return store_db_error(st, err, "finishing an upgrade");
    sqlite3_bind_text(s, 1, task, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "finishing an upgrade");
}

mt_status store_each_sha256(struct store *st,
                            bool (*each)(void *, int64_t, const unsigned char *),
                            void *context, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "SELECT id, sha256 FROM email ORDER BY id", -1, &s, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "reading the emails' hashes");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(s, 1) != 32) {
            sqlite3_finalize(s);
            return mt_error_set(err, MT_EDB, "email %lld has no 32-byte SHA-256",
                                (long long)sqlite3_column_int64(s, 0));
        }
        if (!each(context, sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1)))
            break;
    }
    mt_status status = rc == SQLITE_ROW || rc == SQLITE_DONE
                           ? MT_OK : store_db_error(st, err, "reading the emails' hashes");
    sqlite3_finalize(s);
    return status;
}

int64_t store_count_emails(struct store *st)
{
    sqlite3_stmt *s;
    int64_t n = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM email", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

mt_status store_collect_ids(struct store *st, sqlite3_stmt *s, int64_t **ids,
                            size_t *count, struct mt_error *err)
{
    size_t capacity = 0;
    mt_status status = MT_OK;
    int rc;
    *ids = NULL;
    *count = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 1024;
            int64_t *bigger = realloc(*ids, capacity * sizeof *bigger);
            if (!bigger) {
                status = MT_ENOMEM;
                break;
            }
            *ids = bigger;
        }
        (*ids)[(*count)++] = sqlite3_column_int64(s, 0);
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "listing emails");
    if (status != MT_OK) {
        free(*ids);
        *ids = NULL;
        *count = 0;
    }
    return status;
}

bool store_is_published(const struct store *st)
{
    return st->published;
}

mt_status store_setting(struct store *st, const char *name, struct buf *value,
                        struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = store_statement(st, "SELECT value FROM setting WHERE name = ?", &s, err);
    if (status != MT_OK)
        return status;
    buf_clear(value);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        status = buf_append_str(value, (const char *)sqlite3_column_text(s, 0));
    else
        status = MT_ENOTFOUND;
    sqlite3_reset(s);
    return status;
}
