/* ingest.c - producer / workers / writer pipeline. */
#include "ingest.h"
#include "source_ledger.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attachment_text.h"
#include "buf.h"
#include "dkim.h"
#include "extract/extract.h"
#include "fts_tokens.h"
#include "index.h"
#include "index_side.h"
#include "mime.h"
#include "source.h"
#include "verify.h"

/* In-flight messages.  Enough to keep two workers busy while the writer
 * commits, small enough that memory stays flat. */
#define RING_SIZE 256
/* The writer wakes a producer that waits for a free slot once this many
 * are free, not at each one: each wake-up took the writer's core from it
 * (perf sched: 28,000 preemptions right after the signal, 1.7 s). */
#define RING_REFILL 32
/* Message bytes in flight at most (docs/limits.md), unless one message
 * alone is larger: then it is alone. */
#define INFLIGHT_BYTES ((uint64_t)256 << 20)
/* Commit every this many items or this many seconds, whichever first. */
#define BATCH_ITEMS 4000
#define BATCH_SECONDS 2.0
/* The full-text words the workers found and the writer has not written
 * yet stay under this (a worker that finds more in flight leaves its
 * message to the writer's tokenizer, as before; fts_tokens.h): the words
 * take up to 8.5 times their text (a one-letter word: 16 bytes of
 * positions and the letter), and 256 slots of large texts must not hold
 * gigabytes of them.  Each worker may pass it by one message's words. */
#define INGEST_TOKENS_BUDGET ((uint64_t)64 << 20)
/* The WAL is checkpointed whole and truncated past this (store_bound_wal);
 * docs/ingest.md, "The write-ahead log", has the sizes measured. */
#define INGEST_WAL_LIMIT (256 * 1024 * 1024)

/* DONE: written, its memory not yet given back (reclaim_written_slots). */
enum slot_state { SLOT_EMPTY, SLOT_FILLED, SLOT_WORKING, SLOT_READY, SLOT_DONE };

struct slot {
    enum slot_state state;
    char *path;
    int64_t offset;
    char *member;
    char *separator;
    unsigned unquoted_lines;
    char *reject_reason;
    uint64_t input_bytes;
    uint64_t disk_read;       /* source_item's */
    uint64_t truncated_from;  /* source_item's: 0, or the whole size */
    const char *derived_from; /* source_item's ("pst", "msg"; static) */
    char *file;               /* source_item's: its `sources` row */
    const char *file_kind;    /* static */
    bool is_promise;          /* a store's promise, not an item */
    int64_t expected;
    int depth;                /* attached messages around this one */
    uint64_t raw_size_in_flight; /* counted in pipeline.inflight_bytes */
    uint64_t token_bytes_in_flight; /* counted in pipeline.token_bytes */
    struct buf raw;
    /* worker results */
    unsigned char sha256[32];
    bool known;               /* the archive already had these bytes */
    struct buf compressed;
    int codec;
    struct mime_message *parsed;
    struct store_packed body;  /* parsed->body compressed, when packed_body */
    bool packed_body;
    struct dkim_report *dkim;  /* NULL: no DKIM-Signature */
    struct index_texts texts;  /* parsed's full-text row and its words */
    bool has_texts;
    mt_status work_status;
};

struct pipeline {
    struct slot slots[RING_SIZE];
    uint64_t produced;   /* slots handed to workers */
    uint64_t next_work;  /* next slot a worker takes */
    uint64_t consumed;   /* slots the writer has finished */
    uint64_t reclaimed;  /* finished slots the producer has cleared */
    uint64_t inflight_bytes; /* message bytes produced, not yet reclaimed */
    uint64_t inflight_limit; /* options' max_bytes_in_flight, or INFLIGHT_BYTES */
    uint64_t token_bytes;    /* words found by workers, not yet reclaimed */
    uint64_t disk_read;  /* the producer's: files read whole (source.h) */
    bool producer_done;
    bool abort;
    /* Who sleeps, so that wake-ups (futex calls) happen only when needed. */
    bool producer_waiting;
    bool producer_waiting_bytes; /* for room in INFLIGHT_BYTES, not a slot */
    int workers_waiting;
    bool writer_waiting;
    bool checkpointer_stop;
    pthread_cond_t checkpoint_wake;
    mt_status producer_status;
    struct mt_error producer_error;
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    pthread_cond_t work_ready;
    pthread_cond_t result_ready;
    const char *const *sources;
    int source_count;
    const struct ingest_options *options;
    /* The archive held no email when the run began: nothing a worker
     * reads can be in it but what this run writes (a copy read twice,
     * which the writer finds as it stores it), so the workers look
     * nothing up (docs/ingest.md, session 23). */
    bool archive_was_empty;
};

static void slot_clear(struct slot *s)
{
    free(s->path);
    free(s->member);
    free(s->separator);
    free(s->reject_reason);
    free(s->file);
    s->path = s->member = s->separator = s->reject_reason = s->file = NULL;
    s->derived_from = s->file_kind = NULL;
    s->is_promise = false;
    buf_free(&s->raw);
    buf_free(&s->compressed);
    mime_message_free(s->parsed);
    s->parsed = NULL;
    store_packed_free(&s->body);
    s->packed_body = false;
    dkim_report_free(s->dkim);
    s->dkim = NULL;
    if (s->has_texts)
        index_texts_free(&s->texts);
    s->has_texts = false;
    s->token_bytes_in_flight = 0;
    s->known = false;
    s->truncated_from = 0;
    s->work_status = MT_OK;
    s->state = SLOT_EMPTY;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/*
 * Give back the memory of the slots the writer has finished: on the
 * producer's thread, not the writer's.  Most of it was allocated by the
 * parse workers, and glibc frees a chunk into the arena of the thread
 * that allocated it, under that arena's lock: freeing it on the writer
 * made the writer wait for the workers' mallocs (perf sched: about 1 s of
 * a linux-mips ingest asleep in free).  Called and returns with P->lock
 * held; the slots between reclaimed and consumed are no one else's.
 */
static void reclaim_written_slots(struct pipeline *p)
{
    uint64_t from = p->reclaimed, upto = p->consumed;
    if (from == upto)
        return;
    pthread_mutex_unlock(&p->lock);
    uint64_t bytes = 0, tokens = 0;
    for (uint64_t i = from; i < upto; i++) {
        struct slot *s = &p->slots[i % RING_SIZE];
        bytes += s->raw_size_in_flight;
        tokens += s->token_bytes_in_flight;
        slot_clear(s);
    }
    pthread_mutex_lock(&p->lock);
    p->reclaimed = upto;
    p->inflight_bytes -= bytes;
    p->token_bytes -= tokens;
}

/* Producer side: the source walk's callback. */
static mt_status producer_emit(void *context, struct source_item *item)
{
    struct pipeline *p = context;
    uint64_t size = item->bytes ? item->bytes->len : 0;
    pthread_mutex_lock(&p->lock);
    /* A free slot, and room in the bytes in flight: a few messages of
     * hundreds of MiB must not be held all at once (one always may). */
    for (;;) {
        reclaim_written_slots(p);
        bool full = p->produced - p->consumed >= RING_SIZE;
        bool no_room = p->produced > p->consumed && p->inflight_bytes + size > p->inflight_limit;
        if ((!full && !no_room) || p->abort)
            break;
        p->producer_waiting = true;
        p->producer_waiting_bytes = !full;
        pthread_cond_wait(&p->not_full, &p->lock);
        p->producer_waiting = false;
    }
    if (p->abort) {
        pthread_mutex_unlock(&p->lock);
        return MT_EINVAL;
    }
    struct slot *s = &p->slots[p->produced % RING_SIZE];
    pthread_mutex_unlock(&p->lock);

    s->path = strdup(item->path);
    s->offset = item->offset;
    s->member = dup_or_null(item->member);
    s->separator = dup_or_null(item->separator);
    s->unquoted_lines = item->unquoted_lines;
    s->reject_reason = dup_or_null(item->reject_reason);
    s->input_bytes = item->input_bytes;
    s->disk_read = item->disk_read;
    s->truncated_from = item->truncated_from;
    s->derived_from = item->derived_from;
    s->file = dup_or_null(item->file);
    s->file_kind = item->file_kind;
    s->is_promise = item->is_promise;
    s->expected = item->expected;
    if (item->bytes) {
        /* Take the bytes instead of copying them. */
        s->raw = *item->bytes;
        item->bytes->data = NULL;
        item->bytes->len = item->bytes->capacity = 0;
    }
    if (!s->path || (item->member && !s->member) || (item->file && !s->file)
        || (item->separator && !s->separator)
        || (item->reject_reason && !s->reject_reason)) {
        slot_clear(s);
        return MT_ENOMEM;
    }
    pthread_mutex_lock(&p->lock);
    s->state = SLOT_FILLED;
    s->raw_size_in_flight = size;
    p->inflight_bytes += size;
    p->produced++;
    if (p->workers_waiting)
        pthread_cond_signal(&p->work_ready);
    pthread_mutex_unlock(&p->lock);
    return MT_OK;
}

static void *producer_main(void *arg)
{
    struct pipeline *p = arg;
    struct source_options options = {
        .max_message_bytes = p->options->max_message_bytes,
        .disk_read = &p->disk_read,
    };
    mt_status status = MT_OK;
    for (int i = 0; i < p->source_count && status == MT_OK; i++)
        status = source_walk(p->sources[i], &options, producer_emit, p,
                             &p->producer_error);
    pthread_mutex_lock(&p->lock);
    p->producer_status = status;
    p->producer_done = true;
    pthread_cond_broadcast(&p->work_ready);
    pthread_cond_broadcast(&p->result_ready);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Compress, parse (with each attachment's text) and DKIM-check a slot's
 * bytes: the work for a message not yet archived. */
/* What a worker keeps from message to message. */
struct worker_tools {
    struct store_compressor *compressor;  /* NULL: a one-off context per message */
    struct extract_pool *extractor;       /* NULL: a helper process per document */
    struct fts_tokenizer *tokenizer;      /* NULL: the writer tokenizes */
};

static mt_status prepare_new_message(struct slot *s, const struct ingest_options *options,
                                     const struct worker_tools *tools)
{
    static const struct dkim_keyring no_keys = { NULL, 0, NULL };
    const unsigned char *raw = (const unsigned char *)buf_cstr(&s->raw);
    struct attachment_examiner examiner = { .helper = options->extract_helper
                                                          ? options->extract_helper
                                                          : EXTRACT_SELF,
                                            .depth = s->depth, .ocr = options->ocr,
                                            .pool = tools->extractor };
    struct mime_options mime_options = { .examine = attachment_examine, .context = &examiner };
    mt_status status = store_compress(tools->compressor, raw, s->raw.len, &s->compressed,
                                      &s->codec);
    if (status == MT_OK)
        status = mime_parse_with(raw, s->raw.len, &mime_options, &s->parsed);
    /* the body text's compression off the writer's thread too */
    if (status == MT_OK && tools->compressor) {
        const char *body = s->parsed->body;
        status = store_pack_after_raw(tools->compressor, body, body ? strlen(body) : 0,
                                      raw, s->raw.len, &s->body);
        s->packed_body = status == MT_OK;
    }
    /* the full-text row's texts, off the writer too (their words:
     * worker_main, within INGEST_TOKENS_BUDGET); without them the writer
     * makes both */
    if (status == MT_OK && tools->tokenizer) {
        status = index_texts_build(s->parsed, &s->texts);
        s->has_texts = status == MT_OK;
    }

    if (status == MT_OK && dkim_has_signature(raw, s->raw.len))
        status = dkim_verify_message(raw, s->raw.len,
                                     options->keys ? options->keys : &no_keys,
                                     options->now, &s->dkim);
    /* Cut at the size limit by us: its body cannot be checked, and a
     * mismatch would read as tampering. */
    if (status == MT_OK && s->truncated_from && dkim_report_body_mismatch(s->dkim))
        status = dkim_report_mark_truncated(s->dkim);
    return status;
}

static void work_on(struct slot *s, struct store *reader,
                    const struct ingest_options *options, const struct worker_tools *tools)
{
    if (s->reject_reason || s->is_promise)
        return;
    SHA256((const unsigned char *)buf_cstr(&s->raw), s->raw.len, s->sha256);
    int64_t id;
    if (reader && store_find_sha256(reader, s->sha256, &id, NULL) == MT_OK) {
        s->known = true;  /* re-ingest: nothing to parse or compress */
        return;
    }
    s->work_status = prepare_new_message(s, options, tools);
}

static void *worker_main(void *arg)
{
    struct pipeline *p = arg;
    struct store *reader = NULL;
    /* A read-only connection to skip work on bytes already archived. */
    if (p->options->archive_path && !p->archive_was_empty)
        store_open(p->options->archive_path, STORE_READ_ONLY, &reader, NULL);
    /* NULL (out of memory) only means a one-off context, or helper, each. */
    struct worker_tools tools = {
        .compressor = store_compressor_new(),
        .extractor = extract_pool_new(p->options->extract_helper ? p->options->extract_helper
                                                                 : EXTRACT_SELF),
    };
    fts_tokenizer_new(&tools.tokenizer);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (p->next_work == p->produced && !p->producer_done && !p->abort) {
            p->workers_waiting++;
            pthread_cond_wait(&p->work_ready, &p->lock);
            p->workers_waiting--;
        }
        if (p->abort || p->next_work == p->produced) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        struct slot *s = &p->slots[p->next_work % RING_SIZE];
        p->next_work++;
        s->state = SLOT_WORKING;
        bool token_room = p->token_bytes < INGEST_TOKENS_BUDGET;
        pthread_mutex_unlock(&p->lock);

        work_on(s, reader, p->options, &tools);
        /* on failure the writer tokenizes the message itself */
        if (s->has_texts && token_room
            && index_texts_tokenize(&s->texts, tools.tokenizer) == MT_OK)
            s->token_bytes_in_flight = s->texts.tokens.bytes.capacity;

        pthread_mutex_lock(&p->lock);
        p->token_bytes += s->token_bytes_in_flight;
        s->state = SLOT_READY;
        if (p->writer_waiting && s == &p->slots[p->consumed % RING_SIZE])
            pthread_cond_signal(&p->result_ready);
        pthread_mutex_unlock(&p->lock);
    }
    store_close(reader);
    store_compressor_free(tools.compressor);
    extract_pool_free(tools.extractor);
    fts_tokenizer_free(tools.tokenizer);
    return NULL;
}

/*
 * Copies the WAL back into the database on its own connection, so the
 * writer never stalls on a checkpoint (the writer's automatic checkpoints
 * are turned off while ingest runs).  PASSIVE never blocks the writer.
 */
static void *checkpointer_main(void *arg)
{
    struct pipeline *p = arg;
    struct store *st = NULL;
    if (store_open(p->options->archive_path, STORE_READ_WRITE, &st, NULL) != MT_OK)
        return NULL;
    pthread_mutex_lock(&p->lock);
    while (!p->checkpointer_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&p->checkpoint_wake, &p->lock, &until);
        if (p->checkpointer_stop)
            break;
        pthread_mutex_unlock(&p->lock);
        store_checkpoint(st);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    store_close(st);
    return NULL;
}

/* Count slot S (already written: BEFORE are the counts before it, its
 * attached messages included) in its file's row. */
static mt_status ledger_count(struct source_ledger_run *ledger, const struct slot *s,
                              const struct ingest_counts *before,
                              const struct ingest_counts *after)
{
    if (!s->file)
        return MT_OK;
    struct source_ledger_row *row =
        source_ledger_run_row(ledger, s->file, s->file_kind ? s->file_kind : "other");
    if (row == NULL)
        return MT_ENOMEM;
    if (s->is_promise) {
        if (s->expected >= 0)
            row->expected = (row->expected < 0 ? 0 : row->expected) + s->expected;
        return MT_OK;
    }
    row->read += after->read - before->read;
    row->stored += after->stored - before->stored;
    row->duplicates += after->duplicates - before->duplicates;
    row->rejected += after->rejected - before->rejected;
    return MT_OK;
}

/* The emails written in this ingest that carry attached messages: those
 * are stored once the dump's own messages are (store_attached_messages),
 * so that the dump's emails keep their ids in input order. */
struct carrier {
    int64_t id;
    char *path, *file;
    const char *file_kind;
    int depth;
};

struct carriers {
    struct carrier *list;
    size_t count, capacity;
};

static bool has_attached_message(const struct mime_message *m)
{
    for (size_t i = 0; m && i < m->attachment_count; i++)
        if (m->attachments[i].holds_message)
            return true;
    return false;
}

static mt_status carriers_add(struct carriers *c, int64_t id, const struct slot *s)
{
    if (s->depth >= ATTACHMENT_MAX_MESSAGE_DEPTH)
        return MT_OK;
    if (c->count == c->capacity) {
        size_t grown = c->capacity ? 2 * c->capacity : 16;
        struct carrier *bigger = realloc(c->list, grown * sizeof *bigger);
        if (bigger == NULL)
            return MT_ENOMEM;
        c->list = bigger;
        c->capacity = grown;
    }
    struct carrier *k = &c->list[c->count];
    k->id = id;
    k->path = strdup(s->path);
    k->file = s->file ? strdup(s->file) : NULL;
    k->file_kind = s->file_kind;
    k->depth = s->depth;
    if (k->path == NULL || (s->file && k->file == NULL)) {
        free(k->path);
        free(k->file);
        return MT_ENOMEM;
    }
    c->count++;
    return MT_OK;
}

static void carriers_free(struct carriers *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->list[i].path);
        free(c->list[i].file);
    }
    free(c->list);
}

/* Write one finished slot. */
static mt_status write_slot(struct store *st, struct index *ix,
                            struct verify_writer *verifier,
                            const struct ingest_options *options, struct slot *s,
                            struct ingest_counts *counts, struct carriers *carriers,
                            struct mt_error *err)
{
    mt_status status = MT_OK;
    counts->input_bytes += s->input_bytes;
    if (s->disk_read > counts->disk_read)
        counts->disk_read = s->disk_read;
    if (s->is_promise)
        return MT_OK;
    counts->read++;
    if (s->reject_reason) {
        counts->rejected++;
        return store_add_rejection(st, s->path, s->offset, s->member,
                                   s->reject_reason, err);
    }
    if (s->work_status != MT_OK)
        return mt_error_set(err, s->work_status, "processing %s: %s", s->path,
                            mt_strerror(s->work_status));
    int64_t id;
    if (s->known) {
        status = store_find_sha256(st, s->sha256, &id, err);
        if (status == MT_OK)
            status = MT_EXISTS;
        else if (status == MT_ENOTFOUND) {
            /* Cannot happen unless the archive shrank; do the work now. */
            s->known = false;
            const struct worker_tools one_off = { NULL, NULL, NULL };
            status = prepare_new_message(s, options, &one_off);
            if (status != MT_OK)
                return status;
        }
    }
    if (!s->known)
        status = store_put_raw(st, s->sha256, s->raw.len, s->codec,
                               s->compressed.data ? s->compressed.data : "",
                               s->compressed.len, &id, err);
    if (status == MT_EXISTS) {
        counts->duplicates++;
    } else if (status == MT_OK) {
        counts->stored++;
        if (s->truncated_from)
            status = store_mark_truncated(st, id, s->truncated_from, err);
        if (status == MT_OK && s->derived_from)
            status = store_mark_derived(st, id, s->derived_from, err);
        if (status == MT_OK)
            status = index_put_message(ix, id, s->parsed,
                                       s->dkim ? (int)s->dkim->count : 0,
                                       s->packed_body ? &s->body : NULL,
                                       s->has_texts ? &s->texts : NULL, err);
        if (status == MT_OK && s->dkim)
            status = verify_writer_put(verifier, id, s->dkim, options->now, err);
        if (status != MT_OK)
            return status;
        verify_count(&counts->verdicts, s->dkim);
    } else {
        return status;
    }
    status = store_add_source(st, id, s->path, s->offset, s->member,
                              s->separator, s->unquoted_lines, err);
    if (status == MT_OK && carriers && !options->attached_inside && !s->truncated_from
        && has_attached_message(s->parsed))
        status = carriers_add(carriers, id, s);
    return status;
}

/* The attached messages of the carriers written, each stored as an email
 * of its own at "<carrier id>/attachment/<n>" of the carrier's source and
 * counted in its file's row; theirs in turn (CARRIERS grows as it goes),
 * up to ATTACHMENT_MAX_MESSAGE_DEPTH.  In the caller's transaction. */
static mt_status store_attached_messages(struct store *st, struct index *ix,
                                         struct verify_writer *verifier,
                                         const struct ingest_options *options,
                                         struct carriers *carriers,
                                         struct source_ledger_run *ledger,
                                         struct ingest_counts *counts, struct mt_error *err)
{
    mt_status status = MT_OK;
    struct buf raw = BUF_INIT;
    /* the writer's thread: a one-off compressor and helper each */
    const struct worker_tools one_off = { NULL, NULL, NULL };
    for (size_t i = 0; i < carriers->count && status == MT_OK; i++) {
        struct carrier c = carriers->list[i];   /* the list may move */
        struct attachment_examiner examiner = {
            .helper = options->extract_helper ? options->extract_helper : EXTRACT_SELF,
            .depth = c.depth, .messages_only = true };
        struct mime_options mime_options = { .examine = attachment_examine, .context = &examiner };
        struct mime_message *m = NULL;
        status = store_get_raw(st, c.id, &raw, err);
        if (status == MT_OK)
            status = mime_parse_with((const unsigned char *)buf_cstr(&raw), raw.len,
                                     &mime_options, &m);
        for (size_t k = 0; status == MT_OK && k < m->attachment_count; k++) {
            struct mime_attachment *a = &m->attachments[k];
            if (a->message == NULL)
                continue;
            struct slot child = { .offset = -1, .depth = c.depth + 1,
                                  .derived_from = a->message_derived,
                                  .file_kind = c.file_kind };
            char member[64];
            snprintf(member, sizeof member, "%lld/attachment/%d", (long long)c.id, a->n);
            if (buf_append(&child.raw, a->message, a->message_len) != MT_OK
                || (child.path = strdup(c.path)) == NULL || (child.member = strdup(member)) == NULL
                || (c.file && (child.file = strdup(c.file)) == NULL)) {
                slot_clear(&child);
                status = MT_ENOMEM;
                break;
            }
            SHA256((const unsigned char *)buf_cstr(&child.raw), child.raw.len, child.sha256);
            int64_t id;
            if (store_find_sha256(st, child.sha256, &id, NULL) == MT_OK)
                child.known = true;
            else
                child.work_status = prepare_new_message(&child, options, &one_off);
            struct ingest_counts before = *counts;
            status = write_slot(st, ix, verifier, options, &child, counts, carriers, err);
            if (status == MT_OK)
                status = ledger_count(ledger, &child, &before, counts);
            slot_clear(&child);
        }
        mime_message_free(m);
    }
    buf_free(&raw);
    return status;
}

static bool was_interrupted(const struct ingest_options *options)
{
    return options->interrupted && *options->interrupted;
}

/* The writer's next slot, in input order, once a worker has done it; NULL
 * when every item is written or OPTIONS->interrupted is set (the wait is
 * timed so that a Ctrl-C is seen while a slow source is being read). */
static struct slot *next_ready_slot(struct pipeline *p, const struct ingest_options *options)
{
    pthread_mutex_lock(&p->lock);
    struct slot *s = &p->slots[p->consumed % RING_SIZE];
    /* by its index too: a slot written and not yet reclaimed is the one
     * RING_SIZE before it */
    while (!(p->consumed < p->produced && s->state == SLOT_READY)
           && !(p->producer_done && p->consumed == p->produced)
           && !was_interrupted(options)) {
        p->writer_waiting = true;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->result_ready, &p->lock, &until);
        p->writer_waiting = false;
    }
    bool ready = p->consumed < p->produced && s->state == SLOT_READY;
    pthread_mutex_unlock(&p->lock);
    return ready ? s : NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One ingest run: its pipeline, threads and writers, and where the
 * writer is (ingest_run's phases below). */
struct run {
    struct store *st;
    const struct ingest_options *options;
    struct pipeline *p;
    struct index *ix;
    struct index_side *side;  /* NULL: the writer writes the full-text rows */
    bool side_marked;         /* the archive's "index" upgrade requested */
    bool side_refused;        /* another writer's rows were there: not copied */
    struct verify_writer *verifier;
    pthread_t producer, checkpointer, workers[16];
    int worker_count, started_workers;
    bool producer_started, checkpointer_started, in_transaction;
    struct source_ledger_run ledger; /* the `sources` rows, written at the end */
    struct carriers carriers;
};

/* Open the writers and start the producer, the parse workers and the
 * checkpointer. */
static mt_status run_start(struct run *r, const char *const *sources, int count,
                           struct mt_error *err)
{
    const struct ingest_options *options = r->options;
    r->worker_count = options->workers;
    if (r->worker_count <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        r->worker_count = cores > 0 ? (int)cores : 1;
    }
    if (r->worker_count > 16)
        r->worker_count = 16;
    mt_status status = index_open(r->st, &r->ix, err);
    if (status == MT_OK)
        status = verify_writer_open(r->st, &r->verifier, err);
    if (status != MT_OK)
        return status;
    struct pipeline *p = r->p = calloc(1, sizeof *p);
    if (!p)
        return mt_error_set(err, MT_ENOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->not_full, NULL);
    pthread_cond_init(&p->work_ready, NULL);
    pthread_cond_init(&p->result_ready, NULL);
    pthread_cond_init(&p->checkpoint_wake, NULL);
    p->sources = sources;
    p->source_count = count;
    p->inflight_limit = options->max_bytes_in_flight ? options->max_bytes_in_flight
                                                     : INFLIGHT_BYTES;
    p->options = options;
    p->archive_was_empty = store_count_emails(r->st) == 0;
    /* without a side file (no room beside the archive, say) the writer
     * writes the rows itself, as into an archive that has emails */
    struct mt_error side_err;
    if (p->archive_was_empty && options->archive_path && !options->text_index_inline
        && index_side_open(r->st, options->archive_path, &r->side, &side_err) == MT_OK)
        index_write_texts_to(r->ix, r->side);
    if (pthread_create(&r->producer, NULL, producer_main, p) != 0)
        return mt_error_set(err, MT_ENOMEM, "could not start a thread");
    r->producer_started = true;
    for (int i = 0; i < r->worker_count; i++) {
        if (pthread_create(&r->workers[i], NULL, worker_main, p) != 0)
            break;
        r->started_workers++;
    }
    if (r->started_workers == 0)
        return mt_error_set(err, MT_ENOMEM, "could not start a thread");
    if (options->archive_path
        && pthread_create(&r->checkpointer, NULL, checkpointer_main, p) == 0) {
        r->checkpointer_started = true;
        store_auto_checkpoint(r->st, false);
    }
    return MT_OK;
}

static mt_status run_begin(struct run *r, struct mt_error *err)
{
    if (r->in_transaction)
        return MT_OK;
    mt_status status = store_begin(r->st, err);
    r->in_transaction = status == MT_OK;
    /* the run's first transaction: the full-text index written in bulk
     * (index.h), until run_finish */
    if (status == MT_OK)
        status = index_bulk_begin(r->ix, err);
    /* Until the side's rows are copied in, the emails written have no
     * full-text rows in the archive: if the run stops before, the next
     * writing command rebuilds the index, and search says so meanwhile
     * (index_side.h). */
    if (status == MT_OK && r->side && !r->side_marked) {
        status = store_upgrade_request(r->st, "index", err);
        r->side_marked = status == MT_OK;
    }
    return status;
}

/* Write each parsed message as it comes, in batches of BATCH_ITEMS or
 * BATCH_SECONDS, until the sources are read or an interrupt
 * (*INTERRUPTED: the batch so far is committed by run_finish). */
static mt_status run_write(struct run *r, struct ingest_counts *counts, bool *interrupted,
                           struct mt_error *err)
{
    const struct ingest_options *options = r->options;
    struct pipeline *p = r->p;
    double batch_start = now_seconds(), last_progress = 0;
    int batch_items = 0;
    *interrupted = false;
    for (;;) {
        struct slot *s = next_ready_slot(p, options);
        if (was_interrupted(options)) {
            *interrupted = true;
            return MT_OK;
        }
        if (!s)
            return MT_OK;
        if (!r->in_transaction) {
            mt_status status = run_begin(r, err);
            if (status != MT_OK)
                return status;
            batch_start = now_seconds();
            batch_items = 0;
        }
        struct ingest_counts before = *counts;
        mt_status status = write_slot(r->st, r->ix, r->verifier, options, s, counts,
                                      &r->carriers, err);
        if (status == MT_OK)
            status = ledger_count(&r->ledger, s, &before, counts);
        if (status != MT_OK)
            return status;
        /* its memory is given back by the producer (reclaim_written_slots) */
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_DONE;
        p->consumed++;
        if (p->producer_waiting
            && (p->producer_waiting_bytes || p->produced - p->consumed <= RING_SIZE - RING_REFILL))
            pthread_cond_signal(&p->not_full);
        pthread_mutex_unlock(&p->lock);

        double now = now_seconds();
        if (++batch_items >= BATCH_ITEMS || now - batch_start >= BATCH_SECONDS) {
            status = index_flush(r->ix, err);
            if (status != MT_OK)
                return status; /* rolled back there */
            status = store_commit(r->st, err);
            r->in_transaction = false;
            if (status != MT_OK)
                return status;
            store_bound_wal(r->st, INGEST_WAL_LIMIT);
        }
        if (options->progress && now - last_progress >= 0.25) {
            options->progress(options->progress_context, counts, false);
            last_progress = now;
        }
    }
}

/* The side's rows into the archive, once every batch is committed (the
 * copy takes the archive's write lock on a connection of its own). */
static mt_status run_finish_side(struct run *r, struct mt_error *err)
{
    struct index_side *side = r->side;
    r->side = NULL;
    index_write_texts_to(r->ix, NULL);
    mt_status status = index_side_finish(side, err);
    if (status == MT_EXISTS) {
        /* Another writer's rows are there (a rebuild run meanwhile): ours
         * are missing from them, so the rebuild stays asked for. */
        r->side_marked = false;
        r->side_refused = true;
        status = MT_OK;
    }
    return status;
}

/* The last batch: attached messages (unless interrupted), the ledger of
 * source files, the index, one commit. */
static mt_status run_finish(struct run *r, bool interrupted, struct ingest_counts *counts,
                            struct mt_error *err)
{
    mt_status status = MT_OK;
    if (!interrupted && r->carriers.count) {
        status = run_begin(r, err);
        if (status == MT_OK)
            status = store_attached_messages(r->st, r->ix, r->verifier, r->options,
                                             &r->carriers, &r->ledger, counts, err);
        if (status != MT_OK)
            return status;
    }
    if ((r->ledger.count || index_in_bulk(r->ix)) && (status = run_begin(r, err)) != MT_OK)
        return status;
    if (r->in_transaction) {
        status = source_ledger_run_write(r->st, &r->ledger, r->options->now, err);
        if (status == MT_OK)
            status = index_flush(r->ix, err);
        if (status != MT_OK)
            return status; /* rolled back there */
        status = store_commit(r->st, err);
        r->in_transaction = false;
    }
    /* FTS5's defaults come back once the last batch is written, in a
     * transaction of their own: set before its commit, they made that
     * commit merge the run's segments (crisismerge 16 of some 20 written
     * unmerged: 1.9 s of a linux-mips ingest), which index_merge then
     * merged again (docs/ingest.md, session 22). */
    if (status == MT_OK && r->side) {
        index_side_end_rows(r->side);
        if (r->options->while_index_merges && !interrupted)
            status = r->options->while_index_merges(r->options->while_index_merges_context,
                                                    r->st, err);
    }
    if (status == MT_OK && r->side)
        status = run_finish_side(r, err);
    if (status == MT_OK && (index_in_bulk(r->ix) || r->side_marked || r->side_refused)) {
        status = store_begin(r->st, err);
        r->in_transaction = status == MT_OK;
        if (status == MT_OK)
            status = index_bulk_end(r->ix, err);
        /* the lengths ranking reads come from the rows just copied in */
        if (status == MT_OK && r->side_marked)
            status = index_flush(r->ix, err);
        if (status == MT_OK && r->side_marked)
            status = store_upgrade_done(r->st, "index", err);
        if (status == MT_OK && r->side_refused)
            status = store_upgrade_request(r->st, "index", err);
        if (status == MT_OK) {
            status = store_commit(r->st, err);
            r->in_transaction = false;
        }
    }
    return status;
}

/* Stop every thread (aborting the pipeline when STATUS failed), roll back
 * a half-written batch (redone next run), free everything. */
static void run_stop(struct run *r, mt_status status)
{
    struct pipeline *p = r->p;
    if (p) {
        pthread_mutex_lock(&p->lock);
        if (status != MT_OK)
            p->abort = true;
        pthread_cond_broadcast(&p->not_full);
        pthread_cond_broadcast(&p->work_ready);
        pthread_cond_broadcast(&p->result_ready);
        p->checkpointer_stop = true;
        pthread_cond_broadcast(&p->checkpoint_wake);
        pthread_mutex_unlock(&p->lock);
        if (r->checkpointer_started)
            pthread_join(r->checkpointer, NULL);
        if (r->producer_started)
            pthread_join(r->producer, NULL);
        for (int i = 0; i < r->started_workers; i++)
            pthread_join(r->workers[i], NULL);
        if (r->in_transaction)
            store_rollback(r->st);
        for (int i = 0; i < RING_SIZE; i++)
            slot_clear(&p->slots[i]);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->not_full);
        pthread_cond_destroy(&p->work_ready);
        pthread_cond_destroy(&p->result_ready);
        pthread_cond_destroy(&p->checkpoint_wake);
        free(p);
    }
    if (r->checkpointer_started) {
        store_auto_checkpoint(r->st, true);
        store_checkpoint(r->st);
    }
    index_side_free(r->side);
    source_ledger_run_free(&r->ledger);
    carriers_free(&r->carriers);
    verify_writer_close(r->verifier);
    index_close(r->ix);
}

mt_status ingest_run(struct store *st, const char *const *sources,
                     int count, const struct ingest_options *options,
                     struct ingest_counts *counts, struct mt_error *err)
{
    memset(counts, 0, sizeof *counts);
    for (int i = 0; i < count; i++) {
        struct stat info;
        if (stat(sources[i], &info) != 0)
            return mt_error_set(err, MT_ENOTFOUND, "%s: no such file or directory",
                                sources[i]);
    }
    struct run r = { .st = st, .options = options };
    bool interrupted = false;
    mt_status status = run_start(&r, sources, count, err);
    if (status == MT_OK)
        status = run_write(&r, counts, &interrupted, err);
    if (status == MT_OK)
        status = run_finish(&r, interrupted, counts, err);
    if (status == MT_OK && interrupted) {
        status = mt_error_set(err, MT_EINTR, "interrupted");
    } else if (status == MT_OK) {
        if (r.p->producer_status != MT_OK) {
            status = r.p->producer_status;
            if (err)
                *err = r.p->producer_error;
        }
        if (options->progress)      /* the last line, with a read error too */
            options->progress(options->progress_context, counts, true);
    }
    run_stop(&r, status);
    return status;
}
