/*
 * bench/verify_loop ARCHIVE [THREADS] - the speed of mailtrove's DKIM
 * verifier (src/dkim.c) measured the way bench/verify measures dkimpy and
 * Mail::DKIM: every message of ARCHIVE is read and decompressed first, and
 * only the verification loop over the messages in memory is timed.  It
 * runs dkim_verify_message, the call `mailtrove verify` makes for each
 * email, on THREADS threads (default: one per core) with the archive's
 * keys, and prints one line:
 *   verify_loop: N messages, T threads, S seconds, R msgs/s; signatures:
 *   pass P, fail F, permerror E, nokey K
 * `mailtrove verify` itself also reads each message from the archive,
 * decompresses it and compares the outcome with the stored one;
 * bench/verify times that too.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dkim.h"
#include "store_int.h"
#include "verify.h"

struct loop_message {
    unsigned char *raw;
    size_t len;
};

struct loop_job {
    const struct loop_message *messages;
    size_t count;
    const struct dkim_keyring *keys;
    int64_t now;
    atomic_size_t next;            /* first message not yet taken */
    atomic_ulong results[4];       /* by enum dkim_result: pass, fail, permerror, nokey */
    atomic_int failed;             /* a verification ran out of memory */
};

/* Messages handed out per take: enough that the counter is not contended. */
enum { MESSAGES_PER_TAKE = 64 };

static void *loop_worker(void *arg)
{
    struct loop_job *job = arg;
    unsigned long results[4] = { 0 };
    for (;;) {
        size_t first = atomic_fetch_add(&job->next, MESSAGES_PER_TAKE);
        if (first >= job->count)
            break;
        size_t end = first + MESSAGES_PER_TAKE;
        if (end > job->count)
            end = job->count;
        for (size_t i = first; i < end; i++) {
            struct dkim_report *report;
            if (dkim_verify_message(job->messages[i].raw, job->messages[i].len, job->keys,
                                    job->now, &report) != MT_OK) {
                atomic_store(&job->failed, 1);
                continue;
            }
            for (size_t s = 0; s < report->count; s++)
                results[report->signatures[s].result]++;
            dkim_report_free(report);
        }
    }
    for (int k = 0; k < 4; k++)
        atomic_fetch_add(&job->results[k], results[k]);
    return NULL;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s ARCHIVE [THREADS]\n", argv[0]);
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = argc == 3 ? atoi(argv[2]) : (cores > 0 ? (int)cores : 1);
    if (threads < 1 || threads > 64) {
        fprintf(stderr, "%s: THREADS must be 1 to 64\n", argv[0]);
        return 2;
    }
    struct mt_error err = { 0 };
    struct store *st = NULL;
    struct verify_keyring *ring = NULL;
    mt_status status = store_open(argv[1], STORE_READ_ONLY, &st, &err);
    if (status == MT_OK)
        status = verify_keyring_load(st, &ring, &err);
    if (status != MT_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message[0] ? err.message : mt_strerror(status));
        store_close(st);
        return 1;
    }

    /* Every message, in id order, into memory (not timed). */
    struct loop_message *messages = NULL;
    size_t count = 0, capacity = 0;
    sqlite3_stmt *ids;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM email ORDER BY id", -1, &ids, NULL)
        != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(store_db(st)));
        return 1;
    }
    while (status == MT_OK && sqlite3_step(ids) == SQLITE_ROW) {
        struct buf raw = BUF_INIT;
        status = store_get_raw(st, sqlite3_column_int64(ids, 0), &raw, &err);
        if (status != MT_OK)
            break;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            struct loop_message *bigger = realloc(messages, capacity * sizeof *bigger);
            if (!bigger) {
                status = MT_ENOMEM;
                buf_free(&raw);
                break;
            }
            messages = bigger;
        }
        messages[count].raw = (unsigned char *)raw.data; /* taken from RAW */
        messages[count].len = raw.len;
        count++;
    }
    sqlite3_finalize(ids);
    if (status != MT_OK) {
        fprintf(stderr, "%s: reading messages: %s\n", argv[1],
                err.message[0] ? err.message : mt_strerror(status));
        return 1;
    }

    struct loop_job job = {
        .messages = messages,
        .count = count,
        .keys = verify_keyring_keys(ring),
        .now = (int64_t)time(NULL),
    };
    pthread_t workers[64];
    double start = seconds_now();
    int started = 0;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&workers[started], NULL, loop_worker, &job) == 0)
            started++;
    if (started == 0) {
        fprintf(stderr, "%s: could not start a thread\n", argv[0]);
        return 1;
    }
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    double seconds = seconds_now() - start;

    if (atomic_load(&job.failed)) {
        fprintf(stderr, "%s: a verification ran out of memory\n", argv[0]);
        return 1;
    }
    printf("verify_loop: %zu messages, %d threads, %.3f seconds, %.0f msgs/s; signatures: "
           "pass %lu, fail %lu, permerror %lu, nokey %lu\n",
           count, started, seconds, (double)count / seconds,
           atomic_load(&job.results[DKIM_PASS]), atomic_load(&job.results[DKIM_FAIL]),
           atomic_load(&job.results[DKIM_PERMERROR]), atomic_load(&job.results[DKIM_NOKEY]));
    for (size_t i = 0; i < count; i++)
        free(messages[i].raw);
    free(messages);
    verify_keyring_free(ring);
    store_close(st);
    return 0;
}
