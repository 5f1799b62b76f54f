/* verify_recover.c - `keys recover` over the archive (part of the verify
 * module, which owns the key and signature tables): the RSA signatures
 * no key answers, grouped by name, handed to key_recover, and the keys it
 * keeps stored as key records. */
#include "store_int.h"
#include "verify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dkim.h"
#include "key_recover.h"

/* The signatures of one name, read from their emails. */
struct name_inputs {
    struct dkim_signed_hash *hashes;  /* one owned array per email, flattened */
    struct key_recover_input *inputs;
    size_t count, capacity;
};

static void name_inputs_clear(struct name_inputs *n)
{
    for (size_t i = 0; i < n->count; i++)
        free(n->hashes[i].signature);
    n->count = 0;
}

/* Add the signature at POSITION of email ID (named NAME) to N; a
 * signature that is no longer there or not RSA adds nothing. */
static mt_status add_signature(struct store *st, int64_t id, int position, const char *name,
                               struct name_inputs *n, struct buf *raw, struct mt_error *err)
{
    mt_status status = store_get_raw(st, id, raw, err);
    if (status != MT_OK)
        return status;
    struct dkim_signed_hash *hashes;
    size_t count;
    status = dkim_signed_hashes((const unsigned char *)buf_cstr(raw), raw->len, &hashes, &count);
    if (status != MT_OK)
        return status;
    for (size_t i = 0; i < count; i++) {
        if (hashes[i].position != position || strcmp(hashes[i].name, name))
            continue;
        if (n->count == n->capacity) {
            size_t grown = n->capacity ? 2 * n->capacity : 64;
            struct dkim_signed_hash *h = realloc(n->hashes, grown * sizeof *h);
            if (h)
                n->hashes = h;
            struct key_recover_input *in = realloc(n->inputs, grown * sizeof *in);
            if (in)
                n->inputs = in;
            if (!h || !in) {
                status = MT_ENOMEM;
                break;
            }
            n->capacity = grown;
        }
        n->hashes[n->count] = hashes[i];
        n->hashes[n->count].name = NULL;
        free(hashes[i].name);
        hashes[i].name = NULL;
        hashes[i].signature = NULL;   /* moved */
        n->count++;
        break;
    }
    dkim_signed_hashes_free(hashes, count);
    return status;
}

/* The inputs' pointers, once N's arrays stop moving. */
static void point_inputs(struct name_inputs *n)
{
    for (size_t i = 0; i < n->count; i++)
        n->inputs[i] = (struct key_recover_input){
            .signature = n->hashes[i].signature, .signature_len = n->hashes[i].signature_len,
            .digest = n->hashes[i].digest, .digest_len = n->hashes[i].digest_len };
}

static mt_status store_recovered(struct store *st, sqlite3_stmt *insert, const char *name,
                                 const struct key_recover_key *key, struct mt_error *err)
{
    char source[80];
    snprintf(source, sizeof source, "recovered from %zu signatures", key->verified);
    sqlite3_bind_text(insert, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, key->record, -1, SQLITE_STATIC);
    sqlite3_bind_int(insert, 3, key->bits);
    sqlite3_bind_text(insert, 4, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 5, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    return rc == SQLITE_DONE ? MT_OK : store_db_error(st, err, "storing a recovered key");
}

/* One name's work: its signatures, then what recovery made of them. */
struct name_job {
    char *name;
    struct name_inputs inputs;
    struct key_recover_outcome outcome;
    mt_status status;
};

struct recovery_pool {
    struct name_job *jobs;
    size_t count, next;
    size_t max_gcds;
    pthread_mutex_t lock;
};

/* Names are recovered in parallel, one thread a core: a GCD of two
 * 2048-bit signatures' powers is one long GMP call (tens of seconds). */
static void *recovery_worker(void *arg)
{
    struct recovery_pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        size_t i = pool->next < pool->count ? pool->next++ : pool->count;
        pthread_mutex_unlock(&pool->lock);
        if (i == pool->count)
            return NULL;
        struct name_job *job = &pool->jobs[i];
        point_inputs(&job->inputs);
        job->status = key_recover(job->inputs.inputs, job->inputs.count, pool->max_gcds,
                                  &job->outcome);
    }
}

static mt_status recover_all(struct name_job *jobs, size_t count, size_t max_gcds)
{
    struct recovery_pool pool = { .jobs = jobs, .count = count, .max_gcds = max_gcds };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = cores < 1 ? 1 : (size_t)cores;
    if (threads > count)
        threads = count;
    pthread_t ids[64];
    size_t started = 0;
    pthread_mutex_init(&pool.lock, NULL);
    for (; started < threads && started < 64; started++)
        if (pthread_create(&ids[started], NULL, recovery_worker, &pool))
            break;
    if (!started)
        recovery_worker(&pool);
    for (size_t t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    pthread_mutex_destroy(&pool.lock);
    for (size_t i = 0; i < count; i++)
        if (jobs[i].status != MT_OK)
            return jobs[i].status;
    return MT_OK;
}

/* The RSA signatures no key answers, read into one job per name. */
static mt_status load_jobs(struct store *st, struct name_job **jobs, size_t *count,
                           struct mt_error *err)
{
    sqlite3_stmt *s;
    struct buf raw = BUF_INIT;
    size_t capacity = 0;
    mt_status status = MT_OK;
    *jobs = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT selector || '._domainkey.' || domain, email_id, position"
                           " FROM signature WHERE result = 'nokey' AND domain IS NOT NULL"
                           " AND selector IS NOT NULL"
                           " AND lower(algorithm) IN ('rsa-sha256', 'rsa-sha1')"
                           " ORDER BY 1, email_id, position", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "reading signatures to recover keys from");
    int rc = SQLITE_DONE;
    while (status == MT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (!*count || strcmp((*jobs)[*count - 1].name, name)) {
            if (*count == capacity) {
                capacity = capacity ? 2 * capacity : 16;
                struct name_job *more = realloc(*jobs, capacity * sizeof *more);
                if (!more) {
                    status = MT_ENOMEM;
                    break;
                }
                *jobs = more;
            }
            memset(&(*jobs)[*count], 0, sizeof **jobs);
            if (!((*jobs)[(*count)++].name = strdup(name))) {
                status = MT_ENOMEM;
                break;
            }
        }
        struct name_job *job = &(*jobs)[*count - 1];
        status = add_signature(st, sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2),
                               job->name, &job->inputs, &raw, err);
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "reading signatures");
    sqlite3_finalize(s);
    buf_free(&raw);
    return status;
}

static void jobs_free(struct name_job *jobs, size_t count)
{
    for (size_t i = 0; jobs && i < count; i++) {
        free(jobs[i].name);
        name_inputs_clear(&jobs[i].inputs);
        free(jobs[i].inputs.hashes);
        free(jobs[i].inputs.inputs);
        key_recover_outcome_free(&jobs[i].outcome);
    }
    free(jobs);
}

/* Store each job's kept keys and describe it in OUT. */
static mt_status store_jobs(struct store *st, const struct name_job *jobs, size_t count,
                            struct verify_recovery *out, struct mt_error *err)
{
    sqlite3_stmt *insert;
    mt_status status = store_begin(st, err);
    if (status != MT_OK)
        return status;
    if (sqlite3_prepare_v2(store_db(st),
                           "INSERT OR IGNORE INTO key(name, record, key_type, key_bits,"
                           " source, imported_at) VALUES(?, ?, 'rsa', ?, ?, ?)", -1,
                           &insert, NULL) != SQLITE_OK) {
        store_rollback(st);
        return store_db_error(st, err, "storing recovered keys");
    }
    for (size_t i = 0; i < count && status == MT_OK; i++) {
        const struct key_recover_outcome *o = &jobs[i].outcome;
        out[i] = (struct verify_recovery){ .name = strdup(jobs[i].name),
                                           .signatures = jobs[i].inputs.count,
                                           .recovered = o->key_count > 0,
                                           .keys = o->key_count,
                                           .key_bits = o->key_count ? o->keys[0].bits : 0 };
        snprintf(out[i].why, sizeof out[i].why, "%s", o->why);
        if (!out[i].name)
            status = MT_ENOMEM;
        for (size_t k = 0; k < o->key_count && status == MT_OK; k++)
            status = store_recovered(st, insert, jobs[i].name, &o->keys[k], err);
    }
    sqlite3_finalize(insert);
    if (status == MT_OK)
        return store_commit(st, err);
    store_rollback(st);
    return status;
}

mt_status verify_recover_keys(struct store *st, size_t max_gcds,
                              struct verify_recovery **results, size_t *count,
                              struct mt_error *err)
{
    struct name_job *jobs;
    size_t job_count;
    *results = NULL;
    *count = 0;
    mt_status status = load_jobs(st, &jobs, &job_count, err);
    if (status == MT_OK && job_count)
        status = recover_all(jobs, job_count, max_gcds);
    struct verify_recovery *out = NULL;
    if (status == MT_OK && job_count && !(out = calloc(job_count, sizeof *out)))
        status = MT_ENOMEM;
    if (status == MT_OK && job_count)
        status = store_jobs(st, jobs, job_count, out, err);
    jobs_free(jobs, job_count);
    if (status != MT_OK) {
        verify_recoveries_free(out, job_count);
        return status;
    }
    *results = out;
    *count = job_count;
    return MT_OK;
}

mt_status verify_recovery_count_passing(struct store *st, struct verify_recovery *results,
                                        size_t count, struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM signature"
                           " WHERE selector || '._domainkey.' || domain = ? AND result = 'pass'",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "counting verified signatures");
    for (size_t i = 0; i < count; i++) {
        sqlite3_bind_text(s, 1, results[i].name, -1, SQLITE_STATIC);
        results[i].verified = sqlite3_step(s) == SQLITE_ROW ? (size_t)sqlite3_column_int64(s, 0)
                                                            : 0;
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return MT_OK;
}

void verify_recoveries_free(struct verify_recovery *results, size_t count)
{
    for (size_t i = 0; results && i < count; i++)
        free(results[i].name);
    free(results);
}
