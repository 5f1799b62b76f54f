/* rank.c - BM25 over FTS5 matches, the best K read with few length lookups. */
#include "store_int.h"
#include "rank.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* BM25's usual constants (those of FTS5's bm25()). */
#define BM25_K1 1.2
#define BM25_B 0.75
/* A phrase's document frequency is counted up to this many rows; past it
 * it is estimated from how far into the archive the count got (ids are
 * in archive order), so a common word costs no full pass over its list. */
#define DOCUMENT_FREQUENCY_COUNT_LIMIT 2000
/* The blob RANK_FUNCTION returns: average length, the row's length floor,
 * then an (idf, frequency) pair per phrase. */
#define BLOB_HEADER 2

double rank_bm25(const double *terms, size_t phrase_count, double length,
                 double average_length)
{
    double score = 0, norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average_length);
    for (size_t p = 0; p < phrase_count; p++) {
        double idf = terms[2 * p], frequency = terms[2 * p + 1];
        if (frequency > 0)
            score += idf * frequency * (BM25_K1 + 1) / (frequency + norm);
    }
    return score;
}

/* ---- the FTS5 auxiliary function ---- */

/* What one query's rows share (FTS5 auxdata: one per query cursor). */
struct rank_query {
    int phrase_count;
    sqlite3_int64 row_count; /* emails in the index */
    double average_length;
    double *idf;             /* per phrase; < 0 until first needed */
    double *blob;            /* scratch: the value returned for a row */
};

struct frequency_count {
    int64_t hits;
    int64_t last_rowid;
};

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *data)
{
    struct frequency_count *count = data;
    if (++count->hits < DOCUMENT_FREQUENCY_COUNT_LIMIT)
        return SQLITE_OK;
    count->last_rowid = api->xRowid(fts);
    return SQLITE_DONE; /* FTS5 stops the walk, no error */
}

/* Inverse document frequency of phrase P (Lucene's form, never negative:
 * a word in most emails still counts a little). */
static int phrase_idf(const Fts5ExtensionApi *api, Fts5Context *fts,
                      const struct rank_query *q, int p, double *idf)
{
    struct frequency_count count = {0, 0};
    int rc = api->xQueryPhrase(fts, p, &count, count_row);
    if (rc != SQLITE_OK)
        return rc;
    double n = (double)q->row_count, frequency = (double)count.hits;
    if (count.last_rowid > 0) {
        frequency = frequency * n / (double)count.last_rowid;
        if (frequency > n)
            frequency = n;
    }
    *idf = log(1.0 + (n - frequency + 0.5) / (frequency + 0.5));
    return SQLITE_OK;
}

static void rank_query_free(void *data)
{
    struct rank_query *q = data;
    if (q) {
        free(q->idf);
        free(q->blob);
        free(q);
    }
}

static int rank_query_make(const Fts5ExtensionApi *api, Fts5Context *fts,
                           struct rank_query **out)
{
    struct rank_query *q = calloc(1, sizeof *q);
    if (!q)
        return SQLITE_NOMEM;
    q->phrase_count = api->xPhraseCount(fts);
    q->idf = malloc(sizeof *q->idf * (size_t)(q->phrase_count + 1));
    q->blob = malloc(sizeof *q->blob * (size_t)(BLOB_HEADER + 2 * q->phrase_count));
    sqlite3_int64 tokens = 0;
    int rc = q->idf && q->blob ? SQLITE_OK : SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = api->xRowCount(fts, &q->row_count);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc == SQLITE_OK) {
        for (int p = 0; p < q->phrase_count; p++)
            q->idf[p] = -1;
        q->average_length = q->row_count > 0 ? (double)tokens / (double)q->row_count : 1;
        if (q->average_length <= 0)
            q->average_length = 1;
        rc = api->xSetAuxdata(fts, q, rank_query_free); /* frees q itself on failure */
        *out = rc == SQLITE_OK ? q : NULL;
        return rc;
    }
    rank_query_free(q);
    return rc;
}

/* mailtrove_rank(email_text, WEIGHT...): see RANK_FUNCTION. */
static void rank_function(const Fts5ExtensionApi *api, Fts5Context *fts,
                          sqlite3_context *context, int argument_count,
                          sqlite3_value **arguments)
{
    struct rank_query *q = api->xGetAuxdata(fts, 0);
    int rc = SQLITE_OK;
    if (!q && (rc = rank_query_make(api, fts, &q)) != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    double *blob = q->blob, shortest = 0;
    blob[0] = q->average_length;
    for (int p = 0; p < q->phrase_count && rc == SQLITE_OK; p++) {
        Fts5PhraseIter it;
        int column, offset, hits = 0;
        double frequency = 0;
        rc = api->xPhraseFirst(fts, p, &it, &column, &offset);
        for (; rc == SQLITE_OK && column >= 0; api->xPhraseNext(fts, &it, &column, &offset)) {
            frequency += column < argument_count
                         ? sqlite3_value_double(arguments[column]) : 1.0;
            hits++;
        }
        /* each hit starts at a token of its own: the email has at least
         * that many (not hits times the phrase's size: hits may overlap) */
        if (hits > shortest)
            shortest = hits;
        if (rc == SQLITE_OK && frequency > 0 && q->idf[p] < 0)
            rc = phrase_idf(api, fts, q, p, &q->idf[p]);
        blob[BLOB_HEADER + 2 * p] = q->idf[p] < 0 ? 0 : q->idf[p];
        blob[BLOB_HEADER + 2 * p + 1] = frequency;
    }
    blob[1] = shortest;
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(context, rc);
    else
        sqlite3_result_blob(context, blob,
                            (int)(sizeof *blob * (size_t)(BLOB_HEADER + 2 * q->phrase_count)),
                            SQLITE_TRANSIENT);
}

mt_status rank_register(struct store *st, struct mt_error *err)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL;
    /* Registering makes the name an SQL function too: if it prepares, it
     * is there (a connection serving many searches registers once). */
    if (sqlite3_prepare_v2(db, "SELECT mailtrove_rank()", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_finalize(s);
        return MT_OK;
    }
    fts5_api *api = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "ranking (no FTS5 in this SQLite)");
    sqlite3_bind_pointer(s, 1, &api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api || api->iVersion < 2
        || api->xCreateFunction(api, "mailtrove_rank", NULL, rank_function, NULL) != SQLITE_OK)
        return mt_error_set(err, MT_EDB, "ranking: cannot add a rank function to FTS5");
    return MT_OK;
}

/* ---- choosing the best K ---- */

mt_status rank_add(struct ranker *r, int64_t id, const void *blob, int bytes,
                     struct mt_error *err)
{
    if (!blob || bytes == 0)
        return MT_OK;
    size_t doubles = (size_t)bytes / sizeof(double);
    if (bytes < 0 || (size_t)bytes % sizeof(double) || doubles < BLOB_HEADER
        || (doubles - BLOB_HEADER) % 2
        || (r->count && (doubles - BLOB_HEADER) / 2 != r->phrase_count))
        return mt_error_set(err, MT_EDB, "ranking: a rank value of %d bytes makes no sense", bytes);
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? 2 * r->capacity : 256;
        struct rank_candidate *c = realloc(r->candidates, capacity * sizeof *c);
        if (!c)
            return MT_ENOMEM;
        r->candidates = c;
        r->capacity = capacity;
    }
    size_t need = r->number_count + doubles - BLOB_HEADER;
    if (need > r->number_capacity) {
        size_t capacity = r->number_capacity ? 2 * r->number_capacity : 1024;
        while (capacity < need)
            capacity *= 2;
        double *numbers = realloc(r->numbers, capacity * sizeof *numbers);
        if (!numbers)
            return MT_ENOMEM;
        r->numbers = numbers;
        r->number_capacity = capacity;
    }
    double header[BLOB_HEADER];
    memcpy(header, blob, sizeof header);
    r->phrase_count = (doubles - BLOB_HEADER) / 2;
    r->average_length = header[0];
    double *terms = r->numbers + r->number_count;
    memcpy(terms, (const double *)blob + BLOB_HEADER, (doubles - BLOB_HEADER) * sizeof *terms);
    struct rank_candidate *c = &r->candidates[r->count++];
    c->id = id;
    c->terms = r->number_count;
    c->score = 0;
    /* BM25 falls as the length grows: the row's floor gives its ceiling */
    c->bound = rank_bm25(terms, r->phrase_count, header[1], r->average_length);
    r->number_count = need;
    return MT_OK;
}

static int by_bound(const void *a, const void *b)
{
    const struct rank_candidate *x = a, *y = b;
    if (x->bound != y->bound)
        return x->bound > y->bound ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* true if X ranks below Y: a lower score, or the same and a higher id */
static bool ranks_below(const struct rank_candidate *x, const struct rank_candidate *y)
{
    return x->score < y->score || (x->score == y->score && x->id > y->id);
}

static int by_score(const void *a, const void *b)
{
    const struct rank_candidate *x = a, *y = b;
    return ranks_below(x, y) ? 1 : ranks_below(y, x) ? -1 : 0;
}

/* FTS5 keeps each row's token count per column as SQLite varints. */
static double decode_length(const unsigned char *p, int bytes)
{
    double total = 0;
    uint64_t value = 0;
    int used = 0;
    for (int i = 0; i < bytes; i++) {
        value = (value << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80) || ++used == 8) {
            if (used == 8 && (p[i] & 0x80) && i + 1 < bytes)
                value = (value << 8) | p[++i]; /* a ninth byte holds 8 bits */
            total += (double)value;
            value = 0;
            used = 0;
        }
    }
    return total;
}

/* One email's length from FTS5's own table. */
static mt_status read_fts_length(struct store *st, int64_t id, double fallback, double *length,
                                 struct mt_error *err)
{
    static const char sql[] = "SELECT sz FROM email_text_docsize WHERE id = ?";
    sqlite3_stmt *s;
    mt_status status = store_statement(st, sql, &s, err);
    if (status != MT_OK)
        return status;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    /* a row without sizes (never written by FTS5) counts as average */
    *length = fallback;
    if (rc == SQLITE_ROW)
        *length = decode_length(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0));
    else if (rc != SQLITE_DONE)
        status = store_db_error(st, err, "ranking");
    sqlite3_reset(s);
    return status;
}

#define LENGTH_UNKNOWN 0
#define LENGTH_TOO_BIG 0xffff

/* The email_length rows that rank_best's candidates fall in, read once. */
struct length_blocks {
    int64_t first;       /* block number of blocks[0] */
    size_t count;
    struct length_block {
        bool loaded;
        unsigned char *data; /* 2 bytes an email, little-endian */
        size_t bytes;
    } *blocks;
};

static mt_status read_length(struct store *st, struct length_blocks *cache, int64_t id,
                             double fallback, double *length, struct mt_error *err)
{
    int64_t number = (id - 1) / RANK_LENGTH_BLOCK;
    size_t slot = (size_t)(number - cache->first), at = (size_t)((id - 1) % RANK_LENGTH_BLOCK) * 2;
    struct length_block *b = &cache->blocks[slot];
    if (!b->loaded) {
        static const char sql[] = "SELECT lengths FROM email_length WHERE block = ?";
        sqlite3_stmt *s;
        mt_status status = store_statement(st, sql, &s, err);
        if (status != MT_OK)
            return status;
        sqlite3_bind_int64(s, 1, number);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0) {
            b->bytes = (size_t)sqlite3_column_bytes(s, 0);
            b->data = malloc(b->bytes);
            if (b->data)
                memcpy(b->data, sqlite3_column_blob(s, 0), b->bytes);
            else
                status = MT_ENOMEM;
        } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            status = store_db_error(st, err, "ranking");
        }
        sqlite3_reset(s);
        if (status != MT_OK)
            return status;
        b->loaded = true;
    }
    unsigned value = at + 1 < b->bytes ? b->data[at] | (unsigned)b->data[at + 1] << 8
                                       : LENGTH_UNKNOWN;
    if (value == LENGTH_UNKNOWN || value == LENGTH_TOO_BIG)
        return read_fts_length(st, id, fallback, length, err);
    *length = value;
    return MT_OK;
}

mt_status rank_write_lengths(struct store *st, int64_t from_id, struct mt_error *err)
{
    int64_t block = from_id < 1 ? 0 : (from_id - 1) / RANK_LENGTH_BLOCK;
    unsigned char data[2 * RANK_LENGTH_BLOCK];
    size_t used = 0;
    sqlite3_stmt *read = NULL, *write = NULL;
    mt_status status = MT_OK;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id, sz FROM email_text_docsize WHERE id > ?"
                           " ORDER BY id", -1, &read, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), "INSERT OR REPLACE INTO email_length(block, lengths)"
                              " VALUES(?, ?)", -1, &write, NULL) != SQLITE_OK) {
        status = store_db_error(st, err, "writing email lengths");
        goto out;
    }
    sqlite3_bind_int64(read, 1, block * RANK_LENGTH_BLOCK);
    int rc;
    for (;;) {
        rc = sqlite3_step(read);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(read, 0) : 0;
        int64_t number = rc == SQLITE_ROW ? (id - 1) / RANK_LENGTH_BLOCK : -1;
        if (used > 0 && number != block) {
            sqlite3_bind_int64(write, 1, block);
            sqlite3_bind_blob(write, 2, data, (int)used, SQLITE_STATIC);
            if (sqlite3_step(write) != SQLITE_DONE) {
                status = store_db_error(st, err, "writing email lengths");
                goto out;
            }
            sqlite3_reset(write);
            used = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        block = number;
        size_t at = (size_t)((id - 1) % RANK_LENGTH_BLOCK) * 2;
        double total = decode_length(sqlite3_column_blob(read, 1), sqlite3_column_bytes(read, 1));
        unsigned value = total >= LENGTH_TOO_BIG ? LENGTH_TOO_BIG : (unsigned)total;
        if (at > used)
            memset(data + used, 0, at - used); /* ids without a row: unknown */
        data[at] = value & 0xff;
        data[at + 1] = value >> 8;
        used = at + 2;
    }
    if (rc != SQLITE_DONE)
        status = store_db_error(st, err, "writing email lengths");
out:
    sqlite3_finalize(read);
    sqlite3_finalize(write);
    return status;
}

/* Sift the heap entry at I (indexes into candidates, worst at the root)
 * down to its place. */
static void sift_down(const struct rank_candidate *c, size_t *heap, size_t size, size_t i)
{
    for (;;) {
        size_t worst = i, left = 2 * i + 1, right = left + 1;
        if (left < size && ranks_below(&c[heap[left]], &c[heap[worst]]))
            worst = left;
        if (right < size && ranks_below(&c[heap[right]], &c[heap[worst]]))
            worst = right;
        if (worst == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[worst];
        heap[worst] = t;
        i = worst;
    }
}

static void sift_up(const struct rank_candidate *c, size_t *heap, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ranks_below(&c[heap[i]], &c[heap[parent]]))
            return;
        size_t t = heap[i];
        heap[i] = heap[parent];
        heap[parent] = t;
        i = parent;
    }
}

mt_status rank_best(struct ranker *r, struct store *st, size_t k, size_t *best,
                    struct mt_error *err)
{
    *best = 0;
    r->lengths_read = 0;
    if (k == 0 || r->count == 0)
        return MT_OK;
    qsort(r->candidates, r->count, sizeof *r->candidates, by_bound);
    int64_t low = r->candidates[0].id, high = low;
    for (size_t i = 1; i < r->count; i++) {
        if (r->candidates[i].id < low)
            low = r->candidates[i].id;
        if (r->candidates[i].id > high)
            high = r->candidates[i].id;
    }
    if (low < 1)
        return mt_error_set(err, MT_EDB, "ranking: an email id below 1");
    struct length_blocks cache = { (low - 1) / RANK_LENGTH_BLOCK, 0, NULL };
    cache.count = (size_t)((high - 1) / RANK_LENGTH_BLOCK - cache.first) + 1;
    cache.blocks = calloc(cache.count, sizeof *cache.blocks);
    size_t *heap = malloc(sizeof *heap * (k < r->count ? k : r->count));
    if (!heap || !cache.blocks) {
        free(heap);
        free(cache.blocks);
        return MT_ENOMEM;
    }
    /* Candidates in falling bound order; the heap keeps the best K scored
     * so far, worst at its root.  Once a bound is below that worst score,
     * neither it nor any after it can enter the best K. */
    size_t size = 0, scored = 0;
    mt_status status = MT_OK;
    for (; scored < r->count && status == MT_OK; scored++) {
        struct rank_candidate *c = &r->candidates[scored];
        if (size == k && c->bound < r->candidates[heap[0]].score)
            break;
        double length = r->average_length;
        status = read_length(st, &cache, c->id, r->average_length, &length, err);
        r->lengths_read++;
        c->score = rank_bm25(r->numbers + c->terms, r->phrase_count, length, r->average_length);
        if (size < k) {
            heap[size] = scored;
            sift_up(r->candidates, heap, size++);
        } else if (ranks_below(&r->candidates[heap[0]], c)) {
            heap[0] = scored;
            sift_down(r->candidates, heap, size, 0);
        }
    }
    free(heap);
    for (size_t i = 0; i < cache.count; i++)
        free(cache.blocks[i].data);
    free(cache.blocks);
    if (status != MT_OK)
        return status;
    /* every candidate scored so far has its exact score: the best K of
     * them are the best K of all */
    qsort(r->candidates, scored, sizeof *r->candidates, by_score);
    *best = scored < k ? scored : k;
    return MT_OK;
}

void rank_free(struct ranker *r)
{
    free(r->candidates);
    free(r->numbers);
    memset(r, 0, sizeof *r);
}
