/* verify.c - DKIM over the archive: keyring from SQLite, results back (the
 * key table itself: verify_keys.c). */
#include "store_int.h"
#include "verify.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dkim.h"
#include "keys.h"
#include "text.h"

struct verify_keyring {
    struct dkim_keyring keys;
    char **strings;           /* name and record of each key, owned */
};

const struct dkim_keyring *verify_keyring_keys(const struct verify_keyring *ring)
{
    return &ring->keys;
}

void verify_keyring_free(struct verify_keyring *ring)
{
    if (!ring)
        return;
    dkim_keyring_release(&ring->keys);
    for (size_t i = 0; ring->strings && i < 2 * ring->keys.count; i++)
        free(ring->strings[i]);
    free(ring->strings);
    free(ring->keys.keys);
    free(ring);
}

mt_status verify_keyring_load(struct store *st, struct verify_keyring **out,
                              struct mt_error *err)
{
    sqlite3_stmt *s;
    size_t capacity = 0;
    struct verify_keyring *ring = calloc(1, sizeof *ring);
    *out = NULL;
    if (!ring)
        return MT_ENOMEM;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id, name, record,"
                           " private_published IS NOT NULL FROM key",
                           -1, &s, NULL) != SQLITE_OK) {
        free(ring);
        return store_db_error(st, err, "reading keys");
    }
    mt_status status = MT_OK;
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct dkim_keyring *keys = &ring->keys;
        if (keys->count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            struct dkim_key *bigger = realloc(keys->keys, capacity * sizeof *bigger);
            if (bigger)
                keys->keys = bigger;
            char **more = realloc(ring->strings, 2 * capacity * sizeof *more);
            if (more)
                ring->strings = more;
            if (!bigger || !more) {
                status = MT_ENOMEM;
                break;
            }
        }
        char *name = strdup((const char *)sqlite3_column_text(s, 1));
        char *record = strdup((const char *)sqlite3_column_text(s, 2));
        ring->strings[2 * keys->count] = name;
        ring->strings[2 * keys->count + 1] = record;
        keys->keys[keys->count].id = sqlite3_column_int64(s, 0);
        keys->keys[keys->count].name = name;
        keys->keys[keys->count].record = record;
        keys->keys[keys->count].prepared = NULL;
        keys->keys[keys->count].private_published = sqlite3_column_int(s, 3) != 0;
        keys->count++;
        if (!name || !record) {
            status = MT_ENOMEM;
            break;
        }
    }
    sqlite3_finalize(s);
    if (status != MT_OK) {
        verify_keyring_free(ring);
        return status;
    }
    dkim_keyring_sort(&ring->keys);
    dkim_keyring_prepare(&ring->keys);
    *out = ring;
    return MT_OK;
}

/*
 * The columns of a signature row that say what was found: all but
 * email_id, position and verified_at.  The writer stores them and a
 * rerun compares them with what is stored, both from result_values, so
 * the two cannot drift apart.
 */
#define RESULT_COLUMNS "domain, selector, algorithm, canonicalization, identity," \
                       " signed_headers, body_length_tag, body_bytes_unsigned, key_bits," \
                       " key_id, result, reason, weaknesses, signed_at"
#define RESULT_COLUMN_COUNT 14

/* One column's value as written: SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT. */
struct column_value {
    int type;
    int64_t number;
    const char *text;
};

static struct column_value text_value(const char *text)
{
    return (struct column_value){ .type = text ? SQLITE_TEXT : SQLITE_NULL, .text = text };
}

/* NUMBER, or NULL when IS_NULL. */
static struct column_value number_value(int64_t number, bool is_null)
{
    return (struct column_value){ .type = is_null ? SQLITE_NULL : SQLITE_INTEGER,
                                  .number = number };
}

/* S's RESULT_COLUMNS, in that order, into OUT; WEAK (caller's, WEAK_SIZE
 * bytes) holds the weakness names the last one points to. */
static void result_values(const struct dkim_signature *s, char *weak, size_t weak_size,
                          struct column_value out[RESULT_COLUMN_COUNT])
{
    dkim_weakness_names(s->weaknesses, weak, weak_size);
    const struct column_value values[] = {
        text_value(s->domain),
        text_value(s->selector),
        text_value(s->algorithm),
        text_value(s->canonicalization),
        text_value(s->identity),
        text_value(s->signed_headers),
        number_value(s->body_length_tag, s->body_length_tag < 0),
        number_value(s->body_bytes_unsigned, false),
        number_value(s->key_bits, false),
        number_value(s->key_id, s->key_id < 0),
        text_value(dkim_result_name(s->result)),
        text_value(s->reason),
        text_value(weak),
        number_value(s->signed_at, s->signed_at < 0),
    };
    _Static_assert(sizeof values / sizeof values[0] == RESULT_COLUMN_COUNT,
                   "one value per result column");
    memcpy(out, values, sizeof values);
}

static void bind_value(sqlite3_stmt *s, int index, const struct column_value *v)
{
    if (v->type == SQLITE_TEXT)
        sqlite3_bind_text(s, index, v->text, -1, SQLITE_TRANSIENT);
    else if (v->type == SQLITE_INTEGER)
        sqlite3_bind_int64(s, index, v->number);
    else
        sqlite3_bind_null(s, index);
}

static bool value_is_stored(sqlite3_stmt *s, int column, const struct column_value *v)
{
    if (sqlite3_column_type(s, column) != v->type)
        return false;
    if (v->type == SQLITE_TEXT)
        return !strcmp((const char *)sqlite3_column_text(s, column), v->text);
    return v->type == SQLITE_NULL || sqlite3_column_int64(s, column) == v->number;
}

struct verify_writer {
    struct store *store;
    sqlite3_stmt *any_beyond, *clear, *insert, *set_verdict;
};

void verify_writer_close(struct verify_writer *w)
{
    if (!w)
        return;
    sqlite3_finalize(w->any_beyond);
    sqlite3_finalize(w->clear);
    sqlite3_finalize(w->insert);
    sqlite3_finalize(w->set_verdict);
    free(w);
}

mt_status verify_writer_open(struct store *st, struct verify_writer **out,
                             struct mt_error *err)
{
    sqlite3 *db = store_db(st);
    struct verify_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return MT_ENOMEM;
    w->store = st;
    /* No statement here may need a statement journal (a multi-row DELETE
     * from a table with a foreign key, an INSERT OR REPLACE): SQLite then
     * opens a savepoint on every virtual table in the transaction, and
     * FTS5 answers it by writing its pending terms out as a new segment,
     * one segment per message during an ingest (docs/ingest.md).  Hence
     * the DELETE only when there is something to delete, and an upsert. */
    if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM signature"
                           " WHERE email_id = ? AND position >= ?)", -1, &w->any_beyond,
                           NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "DELETE FROM signature WHERE email_id = ? AND position >= ?", -1, &w->clear, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "INSERT INTO signature(email_id, position, "
                              RESULT_COLUMNS ", verified_at)"
                              " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                              " ON CONFLICT(email_id, position) DO UPDATE SET"
                              " domain = excluded.domain, selector = excluded.selector,"
                              " algorithm = excluded.algorithm,"
                              " canonicalization = excluded.canonicalization,"
                              " identity = excluded.identity,"
                              " signed_headers = excluded.signed_headers,"
                              " body_length_tag = excluded.body_length_tag,"
                              " body_bytes_unsigned = excluded.body_bytes_unsigned,"
                              " key_bits = excluded.key_bits, key_id = excluded.key_id,"
                              " result = excluded.result, reason = excluded.reason,"
                              " weaknesses = excluded.weaknesses, signed_at = excluded.signed_at,"
                              " verified_at = excluded.verified_at", -1, &w->insert, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(db, "UPDATE email SET verdict = ?, signature_count = ?"
                              " WHERE id = ?", -1, &w->set_verdict, NULL) != SQLITE_OK) {
        mt_status status = store_db_error(st, err, "preparing verification");
        verify_writer_close(w);
        return status;
    }
    *out = w;
    return MT_OK;
}

static mt_status step_and_reset(struct verify_writer *w, sqlite3_stmt *s,
                                const char *what, struct mt_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(w->store, err, what);
}

mt_status verify_writer_put(struct verify_writer *w, int64_t id,
                            const struct dkim_report *report, int64_t now,
                            struct mt_error *err)
{
    /* Rows are replaced in place; only rows beyond this report go. */
    int64_t keep = report ? (int64_t)report->count : 0;
    sqlite3_bind_int64(w->any_beyond, 1, id);
    sqlite3_bind_int64(w->any_beyond, 2, keep);
    int rc = sqlite3_step(w->any_beyond);
    bool any = rc == SQLITE_ROW && sqlite3_column_int(w->any_beyond, 0);
    sqlite3_reset(w->any_beyond);
    if (rc != SQLITE_ROW)
        return store_db_error(w->store, err, "reading old results");
    mt_status status = MT_OK;
    if (any) {
        sqlite3_bind_int64(w->clear, 1, id);
        sqlite3_bind_int64(w->clear, 2, keep);
        status = step_and_reset(w, w->clear, "clearing old results", err);
    }
    for (size_t i = 0; report && i < report->count && status == MT_OK; i++) {
        sqlite3_stmt *insert = w->insert;
        struct column_value values[RESULT_COLUMN_COUNT];
        char weak[128];
        result_values(&report->signatures[i], weak, sizeof weak, values);
        sqlite3_bind_int64(insert, 1, id);
        sqlite3_bind_int(insert, 2, (int)i);
        for (int c = 0; c < RESULT_COLUMN_COUNT; c++)
            bind_value(insert, 3 + c, &values[c]);
        sqlite3_bind_int64(insert, 3 + RESULT_COLUMN_COUNT, now);
        status = step_and_reset(w, insert, "storing a signature result", err);
    }
    if (status != MT_OK)
        return status;
    enum dkim_verdict verdict = report ? report->verdict : DKIM_UNSIGNED;
    sqlite3_bind_text(w->set_verdict, 1, dkim_verdict_name(verdict), -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->set_verdict, 2, report ? (int64_t)report->count : 0);
    sqlite3_bind_int64(w->set_verdict, 3, id);
    status = step_and_reset(w, w->set_verdict, "storing a verdict", err);
    return status == MT_OK ? store_facets_changed(w->store, err) : status;
}

static void count_verdict(struct verify_counts *counts, enum dkim_verdict verdict)
{
    switch (verdict) {
    case DKIM_VERIFIED: counts->verified++; break;
    case DKIM_WEAK: counts->weak++; break;
    case DKIM_FAILED: counts->failed++; break;
    case DKIM_NOKEY_VERDICT: counts->nokey++; break;
    case DKIM_UNSIGNED: counts->unsigned_count++; break;
    }
}

void verify_count(struct verify_counts *counts, const struct dkim_report *report)
{
    count_verdict(counts, report ? report->verdict : DKIM_UNSIGNED);
}

/*
 * The parallel re-check: workers (own read-only connections) read and
 * verify emails in id order through a ring of RING slots; the calling
 * thread writes each result in order, so the archive changes exactly as
 * a single-threaded run would.
 */
#define RING 1024
/* ids a worker takes at once: one hand-off and one read transaction per
 * chunk (128 rather than 32: linux-mips rerun 6% faster, fewer futex
 * calls, which are dear on a virtual machine) */
#define CHUNK 128

struct verify_item {
    bool ready;
    bool unchanged;   /* the archive already holds exactly this outcome */
    mt_status status;
    enum dkim_verdict verdict;
    /* what the writer stores; NULL when unchanged (the worker frees it:
     * freeing in the thread that allocated avoids glibc's arena locks) */
    struct dkim_report *report;
};

struct verify_job {
    const int64_t *ids;
    size_t count;
    size_t next;      /* next index a worker takes */
    size_t written;   /* results the writer has stored */
    bool abort;
    /* Who sleeps, so that wake-ups (futex calls) happen only when needed. */
    bool writer_waiting;
    int workers_waiting;
    struct verify_item items[RING];
    const struct dkim_keyring *keys;
    const struct verify_options *options;
    pthread_mutex_t lock;
    pthread_cond_t space, ready;
};

/* What the archive holds for the emails of one chunk, read by a worker
 * to see whether a rerun changed anything: their verdicts and signature
 * counts (and raw sizes, for reading them), and their signature rows.
 * Both are read as one range scan per chunk, stepped in id order
 * alongside the chunk's ids (a lookup per email cost two B-tree searches
 * each). */
struct stored_outcome {
    sqlite3_stmt *verdict, *rows;
    int verdict_step, rows_step; /* the last sqlite3_step results */
};

static bool stored_outcome_prepare(struct store *reader, struct stored_outcome *q)
{
    return sqlite3_prepare_v2(store_db(reader), "SELECT id, verdict, signature_count,"
                              " raw_size FROM email WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
                              -1, &q->verdict, NULL) == SQLITE_OK
           && sqlite3_prepare_v2(store_db(reader), "SELECT email_id, position, " RESULT_COLUMNS
                                 " FROM signature WHERE email_id BETWEEN ?1 AND ?2"
                                 " ORDER BY email_id, position", -1, &q->rows, NULL) == SQLITE_OK;
}

static void stored_outcome_finalize(struct stored_outcome *q)
{
    sqlite3_finalize(q->verdict);
    sqlite3_finalize(q->rows);
}

/* Start reading the outcomes of emails FIRST_ID to LAST_ID. */
static void stored_outcome_start(struct stored_outcome *q, int64_t first_id, int64_t last_id)
{
    sqlite3_bind_int64(q->verdict, 1, first_id);
    sqlite3_bind_int64(q->verdict, 2, last_id);
    sqlite3_bind_int64(q->rows, 1, first_id);
    sqlite3_bind_int64(q->rows, 2, last_id);
    q->verdict_step = sqlite3_step(q->verdict);
    q->rows_step = sqlite3_step(q->rows);
}

static void stored_outcome_end(struct stored_outcome *q)
{
    sqlite3_reset(q->verdict);
    sqlite3_reset(q->rows);
}

/* Step S past the rows of ids below ID; whether it now stands on ID's. */
static bool step_to_id(sqlite3_stmt *s, int *last_step, int64_t id)
{
    while (*last_step == SQLITE_ROW && sqlite3_column_int64(s, 0) < id)
        *last_step = sqlite3_step(s);
    return *last_step == SQLITE_ROW && sqlite3_column_int64(s, 0) == id;
}

/*
 * Whether the archive already holds exactly REPORT for email ID (NULL:
 * no signature), verified_at aside, so that a rerun that changes nothing
 * writes nothing.  IDs must come in increasing order between
 * stored_outcome_start and stored_outcome_end.  Any doubt (a read error,
 * an extra row) answers false: the writer then rewrites the outcome.
 */
static bool outcome_is_stored(struct stored_outcome *q, int64_t id,
                              const struct dkim_report *report)
{
    size_t count = report ? report->count : 0;
    enum dkim_verdict verdict = report ? report->verdict : DKIM_UNSIGNED;
    struct column_value verdict_value = text_value(dkim_verdict_name(verdict));
    struct column_value count_value = number_value((int64_t)count, false);
    bool same = step_to_id(q->verdict, &q->verdict_step, id)
                && value_is_stored(q->verdict, 1, &verdict_value)
                && value_is_stored(q->verdict, 2, &count_value);

    size_t rows = 0;
    bool on_row = step_to_id(q->rows, &q->rows_step, id);
    while (same && on_row) {
        struct column_value position = number_value((int64_t)rows, false);
        struct column_value values[RESULT_COLUMN_COUNT];
        char weak[128];
        same = rows < count && value_is_stored(q->rows, 1, &position);
        if (same)
            result_values(&report->signatures[rows], weak, sizeof weak, values);
        for (int c = 0; same && c < RESULT_COLUMN_COUNT; c++)
            same = value_is_stored(q->rows, 2 + c, &values[c]);
        rows++;
        q->rows_step = sqlite3_step(q->rows);
        on_row = q->rows_step == SQLITE_ROW && sqlite3_column_int64(q->rows, 0) == id;
    }
    return same && (q->rows_step == SQLITE_ROW || q->rows_step == SQLITE_DONE)
           && rows == count;
}

static void *verify_worker_main(void *arg)
{
    struct verify_job *job = arg;
    struct store *reader = NULL;
    struct buf raw = BUF_INIT;
    struct stored_outcome stored = { 0 };
    mt_status open_status = store_open(job->options->archive_path, STORE_READ_ONLY,
                                       &reader, NULL);
    /* Each stored page is read once, so a big cache only costs page
     * faults (bench/verify reruns 6-11% faster with 20 pages than with
     * SQLite's default). */
    if (open_status == MT_OK)
        store_keep_small_cache(reader);
    /* without it, every outcome is written */
    bool compare = open_status == MT_OK && stored_outcome_prepare(reader, &stored);
    for (;;) {
        pthread_mutex_lock(&job->lock);
        while (!job->abort && job->next < job->count
               && job->next + CHUNK > job->written + RING) {
            job->workers_waiting++;
            pthread_cond_wait(&job->space, &job->lock);
            job->workers_waiting--;
        }
        if (job->abort || job->next >= job->count) {
            pthread_mutex_unlock(&job->lock);
            break;
        }
        size_t first = job->next;
        size_t end = first + CHUNK < job->count ? first + CHUNK : job->count;
        job->next = end;
        pthread_mutex_unlock(&job->lock);

        /* One read transaction per chunk: the file's locks are taken
         * once, not per statement, and no snapshot is held for long. */
        bool began = open_status == MT_OK && store_begin_read(reader);
        if (compare)
            stored_outcome_start(&stored, job->ids[first], job->ids[end - 1]);
        for (size_t n = first; n < end; n++) {
            struct verify_item *item = &job->items[n % RING];
            item->report = NULL;
            item->unchanged = false;
            item->status = open_status;
            /* The size from the chunk's scan of email rows spares a
             * lookup of the email row per message. */
            if (item->status == MT_OK && compare
                && step_to_id(stored.verdict, &stored.verdict_step, job->ids[n]))
                item->status = store_get_raw_of_size(reader, job->ids[n],
                                                     sqlite3_column_int64(stored.verdict, 3),
                                                     &raw, NULL);
            else if (item->status == MT_OK)
                item->status = store_get_raw(reader, job->ids[n], &raw, NULL);
            /* Nearly every email read here is signed: no separate look
             * for a DKIM-Signature first (an unsigned one gets a report
             * of no signatures, stored as the same "unsigned"). */
            if (item->status == MT_OK)
                item->status = dkim_verify_message((const unsigned char *)buf_cstr(&raw),
                                                   raw.len, job->keys, job->options->now,
                                                   &item->report);
            /* a body that does not match may be one we cut at the size
             * limit: asked only then, so the common path pays nothing */
            if (item->status == MT_OK && dkim_report_body_mismatch(item->report)
                && store_truncated_from(reader, job->ids[n]))
                item->status = dkim_report_mark_truncated(item->report);
            if (item->status == MT_OK && compare)
                item->unchanged = outcome_is_stored(&stored, job->ids[n], item->report);
            item->verdict = item->report ? item->report->verdict : DKIM_UNSIGNED;
            if (item->unchanged) {
                dkim_report_free(item->report);
                item->report = NULL;
            }
        }
        if (compare)
            stored_outcome_end(&stored);
        if (began)
            store_end_read(reader, began);

        pthread_mutex_lock(&job->lock);
        for (size_t n = first; n < end; n++)
            job->items[n % RING].ready = true;
        if (job->writer_waiting && first <= job->written && job->written < end)
            pthread_cond_signal(&job->ready);
        pthread_mutex_unlock(&job->lock);
    }
    buf_free(&raw);
    stored_outcome_finalize(&stored);
    store_close(reader);
    return NULL;
}

/* A set of email ids, one bit each: ids come from index scans in no
 * useful order, and the set hands them back sorted without a sort. */
struct id_set {
    uint64_t *words;
    int64_t limit; /* ids 1 to LIMIT fit */
};

static void id_set_add(struct id_set *set, int64_t id)
{
    if (id > 0 && id <= set->limit)
        set->words[id / 64] |= (uint64_t)1 << (id % 64);
}

static bool id_set_has(const struct id_set *set, int64_t id)
{
    return id > 0 && id <= set->limit && (set->words[id / 64] >> (id % 64)) & 1;
}

/* Run SQL (one id column) and pass each id through: add it to TO, or,
 * when ONLY_IF is given, only if ONLY_IF holds it; *ELSEWHERE (if given)
 * counts the ids that neither ONLY_IF nor TO hold. */
static mt_status add_ids(struct store *st, const char *sql, struct id_set *to,
                         const struct id_set *only_if, size_t *elsewhere,
                         struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "listing emails");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        if (!only_if || id_set_has(only_if, id))
            id_set_add(to, id);
        else if (elsewhere && !id_set_has(to, id))
            (*elsewhere)++;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "listing emails");
}

/*
 * The emails to recheck, in id order, into *IDS (caller frees), and how
 * many emails keep "unsigned" unread into *UNSIGNED_KEPT; *STRAY_ROWS
 * tells whether signature rows name emails that do not exist.  Rechecked:
 * emails with signatures and those never looked at; and, among those
 * stored as having none, any whose stored verdict or signature rows
 * claim otherwise (a file altered by hand, or damaged), so that no claim
 * survives a rerun unchecked.  Emails with no signature and no claim
 * are not read: no key can change them.  Each list comes from an index
 * alone (email_signature_count, email_verdict, signature_domain).
 */
static mt_status select_ids(struct store *st, int64_t **ids, size_t *count,
                            uint64_t *unsigned_kept, bool *stray_rows,
                            struct mt_error *err)
{
    struct id_set recheck = { NULL, 0 }, unsigned_set = { NULL, 0 };
    sqlite3_stmt *s;
    mt_status status = MT_OK;
    *ids = NULL;
    *count = 0;
    *unsigned_kept = 0;
    *stray_rows = false;
    if (sqlite3_prepare_v2(store_db(st), "SELECT max(id) FROM email", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "listing emails");
    int rc = sqlite3_step(s);
    int64_t limit = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return store_db_error(st, err, "listing emails");
    if (limit <= 0)
        return MT_OK;
    if (limit > INT32_MAX)
        return mt_error_set(err, MT_EDB, "email id %lld is beyond what an archive holds:"
                            " the file is damaged", (long long)limit);
    size_t words = (size_t)limit / 64 + 1;
    recheck = (struct id_set){ calloc(words, sizeof(uint64_t)), limit };
    unsigned_set = (struct id_set){ calloc(words, sizeof(uint64_t)), limit };
    if (!recheck.words || !unsigned_set.words)
        status = MT_ENOMEM;
    if (status == MT_OK)
        status = add_ids(st, "SELECT id FROM email WHERE signature_count > 0"
                         " UNION ALL SELECT id FROM email WHERE signature_count < 0"
                         " UNION ALL SELECT id FROM email WHERE signature_count IS NULL",
                         &recheck, NULL, NULL, err);
    if (status == MT_OK)
        status = add_ids(st, "SELECT id FROM email WHERE signature_count = 0",
                         &unsigned_set, NULL, NULL, err);
    bool any_unsigned = false;
    for (size_t w = 0; status == MT_OK && w < words && !any_unsigned; w++)
        any_unsigned = unsigned_set.words[w] != 0;
    if (status == MT_OK && any_unsigned)
        status = add_ids(st, "SELECT id FROM email WHERE verdict != 'unsigned'",
                         &recheck, &unsigned_set, NULL, err);
    size_t strays = 0;
    if (status == MT_OK)
        status = add_ids(st, "SELECT email_id FROM signature", &recheck, &unsigned_set,
                         &strays, err);
    *stray_rows = strays > 0;
    size_t total = 0;
    for (size_t w = 0; status == MT_OK && w < words; w++)
        total += (size_t)__builtin_popcountll(recheck.words[w]);
    if (status == MT_OK && total > 0 && !(*ids = malloc(total * sizeof **ids)))
        status = MT_ENOMEM;
    for (size_t w = 0; status == MT_OK && w < words; w++) {
        uint64_t rechecked = recheck.words[w], kept = unsigned_set.words[w] & ~rechecked;
        *unsigned_kept += (uint64_t)__builtin_popcountll(kept);
        while (rechecked) {
            (*ids)[(*count)++] = (int64_t)(w * 64) + __builtin_ctzll(rechecked);
            rechecked &= rechecked - 1;
        }
    }
    free(recheck.words);
    free(unsigned_set.words);
    return status;
}

static mt_status delete_stray_rows(struct store *st, struct mt_error *err)
{
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        return status;
    if (sqlite3_exec(store_db(st), "DELETE FROM signature WHERE NOT EXISTS"
                     " (SELECT 1 FROM email WHERE email.id = signature.email_id)",
                     NULL, NULL, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "removing results of emails that do not exist");
        store_rollback(st);
        return status;
    }
    return store_commit(st, err);
}

mt_status verify_archive(struct store *st, const struct verify_options *options,
                         struct verify_counts *counts, struct mt_error *err)
{
    struct verify_keyring *ring = NULL;
    struct verify_writer *writer = NULL;
    struct verify_job *job = NULL;
    int64_t *ids = NULL;
    size_t id_count = 0;
    pthread_t threads[16];
    int started = 0;
    bool in_transaction = false, stray_rows = false;
    memset(counts, 0, sizeof *counts);

    mt_status status = verify_keyring_load(st, &ring, err);
    if (status == MT_OK)
        status = verify_writer_open(st, &writer, err);
    /* Emails known to have no signature keep their verdict: no keys
     * change it. */
    if (status == MT_OK)
        status = select_ids(st, &ids, &id_count, &counts->unsigned_count, &stray_rows, err);
    /* Rows of emails that do not exist would still count in stats. */
    if (status == MT_OK && stray_rows)
        status = delete_stray_rows(st, err);
    if (status != MT_OK || id_count == 0)
        goto out;

    job = calloc(1, sizeof *job);
    if (!job) {
        status = MT_ENOMEM;
        goto out;
    }
    job->ids = ids;
    job->count = id_count;
    job->keys = verify_keyring_keys(ring);
    job->options = options;
    pthread_mutex_init(&job->lock, NULL);
    pthread_cond_init(&job->space, NULL);
    pthread_cond_init(&job->ready, NULL);
    int workers = options->workers;
    if (workers <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        workers = cores > 0 ? (int)cores : 1;
    }
    if (workers > 16)
        workers = 16;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&threads[started], NULL, verify_worker_main, job) == 0)
            started++;
    if (started == 0) {
        status = mt_error_set(err, MT_ENOMEM, "could not start a thread");
        goto out;
    }
    for (size_t n = 0; n < id_count && status == MT_OK; n++) {
        struct verify_item *item = &job->items[n % RING];
        pthread_mutex_lock(&job->lock);
        while (!item->ready) {
            if (job->workers_waiting)
                pthread_cond_broadcast(&job->space);
            job->writer_waiting = true;
            pthread_cond_wait(&job->ready, &job->lock);
            job->writer_waiting = false;
        }
        pthread_mutex_unlock(&job->lock);

        status = item->status;
        if (status != MT_OK)
            mt_error_set(err, status, "verifying email %lld: %s",
                         (long long)ids[n], mt_strerror(status));
        if (status == MT_OK && !in_transaction) {
            status = store_begin(st, err);
            in_transaction = status == MT_OK;
        }
        if (status == MT_OK && !item->unchanged)
            status = verify_writer_put(writer, ids[n], item->report, options->now, err);
        if (status == MT_OK)
            count_verdict(counts, item->verdict);
        dkim_report_free(item->report);
        item->report = NULL;
        if (status == MT_OK && n % 5000 == 4999) {
            status = store_commit(st, err);
            in_transaction = false;
        }
        pthread_mutex_lock(&job->lock);
        item->ready = false;
        job->written++;
        if (job->workers_waiting && job->written % CHUNK == 0)
            pthread_cond_broadcast(&job->space);
        pthread_mutex_unlock(&job->lock);
    }
    if (status == MT_OK && in_transaction) {
        status = store_commit(st, err);
        in_transaction = false;
    }
out:
    if (job) {
        pthread_mutex_lock(&job->lock);
        job->abort = true;
        pthread_cond_broadcast(&job->space);
        pthread_mutex_unlock(&job->lock);
        for (int i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        for (size_t i = 0; i < RING; i++)
            dkim_report_free(job->items[i].report);
        pthread_mutex_destroy(&job->lock);
        pthread_cond_destroy(&job->space);
        pthread_cond_destroy(&job->ready);
        free(job);
    }
    if (in_transaction)
        store_rollback(st);
    free(ids);
    verify_writer_close(writer);
    verify_keyring_free(ring);
    return status;
}
