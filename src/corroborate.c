/* corroborate.c - verified emails vouch for quoted text: word shingles. */
#include "store_int.h"
#include "corroborate_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"

#define K CORROBORATE_MIN_WORDS

/* ------------------------------------------------------------ splitting */

static bool starts_with(const char *s, const char *prefix)
{
    return !strncasecmp(s, prefix, strlen(prefix));
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && !strncasecmp(s + len - n, suffix, n);
}

/* "-----Original Message-----", "Begin forwarded message:" ...: what
 * follows is someone else's text. */
static bool is_separator(const char *line, size_t len)
{
    static const char *const markers[] = {
        "original message", "forwarded message", "begin forwarded message",
        "message d'origine", "message d\xe2\x80\x99origine", "d\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9",
        "message transf\xc3\xa9r\xc3\xa9", NULL,
    };
    char copy[200];
    if (len >= sizeof copy)
        return false;
    memcpy(copy, line, len);
    copy[len] = '\0';
    for (char *c = copy; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c += 32;
    for (int i = 0; markers[i]; i++)
        if (strstr(copy, markers[i]) && (copy[0] == '-' || copy[0] == '_' || copy[0] == 'b'
                                         || copy[0] == 'd' || copy[0] == 'm'))
            return true;
    return false;
}

/* "On Mon, ... Alice wrote:", "Le 14 mars 2017, Jean a écrit :" */
static bool is_attribution(const char *line, size_t len)
{
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    return ends_with(line, len, "wrote:") || ends_with(line, len, "a \xc3\xa9" "crit :")
           || ends_with(line, len, "a \xc3\xa9" "crit:") || ends_with(line, len, "a \xc3\xa9" "crit\xc2\xa0:");
}

/* Header lines of a forwarded or Outlook-quoted block. */
static bool is_header_line(const char *line)
{
    static const char *const names[] = {
        "from:", "de :", "de:", "sent:", "envoy\xc3\xa9 :", "envoy\xc3\xa9:", "to:", "\xc3\xa0 :",
        "\xc3\xa0:", "cc:", "subject:", "objet :", "objet:", "date:", "reply-to:", NULL,
    };
    for (int i = 0; names[i]; i++)
        if (starts_with(line, names[i]))
            return true;
    return false;
}

/* Append LINE's words to OUT, normalized: any run of white space (also
 * no-break and thin spaces) is one space; typographic quotes become ASCII. */
static mt_status append_words(struct buf *out, const char *line, size_t len)
{
    mt_status status = MT_OK;
    bool in_word = false;
    for (size_t i = 0; i < len && status == MT_OK; i++) {
        const unsigned char *c = (const unsigned char *)line + i;
        size_t skip = 0;
        char replace = 0;
        bool space = *c == ' ' || *c == '\t' || *c == '\r' || *c == '\f' || *c == '\v';
        if (c[0] == 0xC2 && i + 1 < len && c[1] == 0xA0)
            space = true, skip = 1;                         /* NBSP */
        else if (c[0] == 0xE2 && i + 2 < len && c[1] == 0x80) {
            if (c[2] == 0xAF || c[2] == 0x89 || c[2] == 0x8B)
                space = true, skip = 2;                     /* narrow/thin/zero-width space */
            else if (c[2] == 0x98 || c[2] == 0x99)
                replace = '\'', skip = 2;                   /* ‘ ’ */
            else if (c[2] == 0x9C || c[2] == 0x9D)
                replace = '"', skip = 2;                    /* “ ” */
        }
        if (space) {
            if (in_word)
                status = buf_append_char(out, ' ');
            in_word = false;
        } else {
            status = replace ? buf_append_char(out, replace) : buf_append_char(out, (char)*c);
            in_word = true;
        }
        i += skip;
    }
    if (status == MT_OK && in_word)
        status = buf_append_char(out, ' ');
    return status;
}

mt_status corroborate_split(const char *body, struct buf *own, struct buf *quoted)
{
    bool forwarded = false;
    mt_status status = MT_OK;
    const char *line = body ? body : "";
    while (*line && status == MT_OK) {
        size_t len = strcspn(line, "\n");
        const char *next = line + len + (line[len] == '\n');
        while (len && line[len - 1] == '\r')
            len--;
        const char *t = line;
        size_t tl = len;
        while (tl && (*t == ' ' || *t == '\t'))
            t++, tl--;
        if (tl && *t == '>') {
            while (tl && (*t == '>' || *t == ' ' || *t == '\t'))
                t++, tl--;
            status = append_words(quoted, t, tl);
        } else if (is_separator(t, tl)) {
            forwarded = true;
        } else if (is_attribution(t, tl)) {
            /* the replier's words about the quote: neither text */
        } else if (forwarded && is_header_line(t)) {
            /* From:/De : ... of the quoted block */
        } else {
            status = append_words(forwarded ? quoted : own, t, tl);
        }
        line = next;
    }
    return status;
}

/* ------------------------------------------------------------- matching */

/* SIZE bytes for one of the big arrays (shingles, their sort space,
 * buckets: tens of MB), freed with free().  Large ones are asked to be
 * backed by 2 MB pages: each first touch of a 4 KB page is a fault, and
 * faults are dear on virtual machines (a fifth of a first linux-mips
 * verify went to them). */
static void *allocate_large(size_t size)
{
    const size_t huge = (size_t)2 << 20;
    if (size < huge)
        return malloc(size ? size : 1);
    if (size > SIZE_MAX - huge)
        return NULL;
    size_t rounded = (size + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, rounded);
#ifdef MADV_HUGEPAGE
    if (p)
        madvise(p, rounded, MADV_HUGEPAGE); /* advice only: fine if refused */
#endif
    return p;
}

/* 16 bytes: the index holds one per word of every verified email, twice
 * during its sort, and is most of corroboration's memory (a bool of its
 * own made it 24; docs/scale.md). */
struct shingle {
    uint64_t hash;
    uint32_t doc;
    uint32_t position : 31;
    uint32_t quoted : 1;  /* in the doc's quoted text, else its own */
};
_Static_assert(sizeof(struct shingle) == 16, "a shingle is 16 bytes");

static mt_status words_from(struct buf *joined, struct words *w)
{
    memset(w, 0, sizeof *w);
    size_t n = 0;
    for (size_t i = 0; i < joined->len; i++)
        n += joined->data[i] == ' ';
    w->text = joined->data ? strndup(joined->data, joined->len) : strdup("");
    w->word = calloc(n ? n : 1, sizeof *w->word);
    w->hash = calloc(n ? n : 1, sizeof *w->hash);
    if (!w->text || !w->word || !w->hash)
        return MT_ENOMEM;
    char *start = w->text;
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the word's bytes */
    for (char *c = w->text; *c; c++) {
        if (*c == ' ') {
            *c = '\0';
            w->hash[w->count] = h;
            w->word[w->count++] = start;
            start = c + 1;
            h = 1469598103934665603ULL;
        } else {
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        }
    }
    return MT_OK;
}

/* The hash of the K words from P on, mixed so that its top bits (the
 * index's buckets) are as good as its low ones. */
static uint64_t shingle_hash(const struct words *w, size_t p)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < K; i++)
        h = (h ^ w->hash[p + (size_t)i]) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
}

static bool same_words(char **a, char **b)
{
    for (int i = 0; i < K; i++)
        if (strcmp(a[i], b[i]))
            return false;
    return true;
}

static int compare_shingles(const void *a, const void *b)
{
    const struct shingle *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    return (x->position > y->position) - (x->position < y->position);
}

/* Shingles sorted by (hash, doc, position); bucket[b] is the first item
 * whose hash's top BITS bits are b or more, so a lookup reads one bucket
 * (a binary search of millions of items missed the cache at every step). */
struct index {
    struct shingle *items;
    size_t count, capacity;
    uint32_t *bucket; /* 2^bits + 1 entries */
    int bits;
};

/* Shingles in W: one per window of K words. */
static size_t shingle_count(const struct words *w)
{
    return w->count >= K ? w->count - K + 1 : 0;
}

/* Room for COUNT shingles, taken at once (growing by doubling copied the
 * array and faulted in each new copy). */
static mt_status index_reserve(struct index *ix, size_t count)
{
    if (count > SIZE_MAX / sizeof *ix->items)
        return MT_ENOMEM;
    ix->items = allocate_large(count * sizeof *ix->items);
    ix->capacity = count;
    return ix->items ? MT_OK : MT_ENOMEM;
}

/* W's shingles into the room index_reserve made, from item AT on (each
 * doc's place is fixed beforehand, so threads can fill in any order and
 * the array is the same as filled in doc order). */
static void index_add_at(struct index *ix, size_t at, const struct words *w, uint32_t doc,
                         bool quoted)
{
    /* positions fit 31 bits: a text is at most MIME_MAX_BODY_BYTES */
    for (size_t p = 0; p + K <= w->count && at < ix->capacity; p++)
        ix->items[at++] = (struct shingle){ shingle_hash(w, p), doc, (uint32_t)p, quoted };
}

/* Sort by (hash, doc, position), ties kept in the order added: a stable
 * radix sort on the hash's top 32 bits (16 bits a pass), then each run of
 * equal top bits, almost always a single item or copies of one hash, by
 * hash, doc and position (qsort: glibc's is a stable merge sort); then
 * the buckets.  Two passes, not four over all 64 bits: among millions of
 * shingles, two different hashes seldom share their top 32 bits, and the
 * runs are sorted anyway (session 25: an addition's sort took a fifth of
 * its corroboration).  Returns MT_ENOMEM or MT_OK. */
static mt_status index_sort(struct index *ix)
{
    if (ix->count > UINT32_MAX - 1)
        return MT_ENOMEM; /* bucket offsets are 32-bit */
    struct shingle *other = ix->count ? allocate_large(ix->count * sizeof *other) : NULL;
    size_t *counts = malloc(65536 * sizeof *counts);
    if ((ix->count && !other) || !counts) {
        free(other);
        free(counts);
        return MT_ENOMEM;
    }
    for (int shift = 32; shift < 64; shift += 16) {
        memset(counts, 0, 65536 * sizeof *counts);
        for (size_t i = 0; i < ix->count; i++)
            counts[(ix->items[i].hash >> shift) & 0xffff]++;
        size_t total = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = counts[d];
            counts[d] = total;
            total += c;
        }
        for (size_t i = 0; i < ix->count; i++)
            other[counts[(ix->items[i].hash >> shift) & 0xffff]++] = ix->items[i];
        struct shingle *t = ix->items;
        ix->items = other;
        other = t;
    }
    free(other);
    free(counts);
    for (size_t i = 0, j; i < ix->count; i = j) {
        for (j = i + 1; j < ix->count && ix->items[j].hash >> 32 == ix->items[i].hash >> 32; j++)
            ;
        if (j - i > 1)
            qsort(ix->items + i, j - i, sizeof *ix->items, compare_shingles);
    }
    ix->bits = 1;
    while (ix->bits < 24 && ((size_t)1 << ix->bits) < ix->count)
        ix->bits++;
    size_t buckets = (size_t)1 << ix->bits;
    ix->bucket = allocate_large((buckets + 1) * sizeof *ix->bucket);
    if (!ix->bucket)
        return MT_ENOMEM;
    size_t i = 0;
    for (size_t b = 0; b < buckets; b++) {
        while (i < ix->count && (ix->items[i].hash >> (64 - ix->bits)) < b)
            i++;
        ix->bucket[b] = (uint32_t)i;
    }
    ix->bucket[buckets] = (uint32_t)ix->count;
    return MT_OK;
}

/* First entry with HASH, or COUNT. */
static size_t index_find(const struct index *ix, uint64_t hash)
{
    if (!ix->bucket)
        return ix->count;
    size_t b = (size_t)(hash >> (64 - ix->bits));
    size_t i = ix->bucket[b], end = ix->bucket[b + 1];
    while (i < end && ix->items[i].hash < hash)
        i++;
    return i < end && ix->items[i].hash == hash ? i : ix->count;
}

static mt_status span_list_add(struct span_list *list, struct span span)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        struct span *bigger = realloc(list->items, capacity * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        list->items = bigger;
        list->capacity = capacity;
    }
    list->items[list->count++] = span;
    return MT_OK;
}

/*
 * The spans of W (email E's own or, QUOTED, quoted text) found in INDEX
 * (texts of verified emails), appended to OUT: runs of matching windows
 * that stay aligned with one verified email.  Reads only: threads run it
 * for different emails at once.
 */
static mt_status find_spans(const struct doc *docs, uint32_t e, const struct words *w,
                            bool quoted, const struct index *ix, struct span_list *out)
{
    size_t covered_to = 0;          /* spans never overlap */
    size_t p = 0;
    while (p + K <= w->count) {
        uint64_t h = shingle_hash(w, p);
        size_t i = index_find(ix, h);
        bool found = false;
        for (; i < ix->count && ix->items[i].hash == h; i++) {
            const struct shingle *s = &ix->items[i];
            if (s->doc == e)
                continue;
            const struct doc *v = &docs[s->doc];
            const struct words *vw = s->quoted ? &v->quoted : &v->own;
            if (!same_words(w->word + p, vw->word + s->position))
                continue;
            /* extend word by word while both texts agree */
            size_t end = p + K, vend = s->position + K;
            while (end < w->count && vend < vw->count && !strcmp(w->word[end], vw->word[vend]))
                end++, vend++;
            size_t start = p > covered_to ? p : covered_to;
            if (end - start >= K
                && span_list_add(out, (struct span){ start, end, v->id, quoted }) != MT_OK)
                return MT_ENOMEM;
            covered_to = end;
            p = end;
            found = true;
            break;
        }
        if (!found)
            p++;
    }
    return MT_OK;
}

/* ------------------------------------------------------------ threads */

/* A thread's own buffers, reused from item to item. */
struct corroborate_scratch {
    struct buf own, quoted;
};

/* Work on items 0 to COUNT-1 shared by threads: each takes PARALLEL_CHUNK
 * items at a time and passes WORK its own scratch. */
struct parallel_work {
    size_t count;
    mt_status (*work)(void *context, struct corroborate_scratch *scratch, size_t i);
    void *context;
    atomic_size_t next;
    atomic_int failed;   /* the first failure's status, MT_OK while none */
};

#define PARALLEL_CHUNK 16

static void *parallel_worker(void *arg)
{
    struct parallel_work *job = arg;
    struct corroborate_scratch scratch = { BUF_INIT, BUF_INIT };
    for (;;) {
        size_t first = atomic_fetch_add(&job->next, PARALLEL_CHUNK);
        if (first >= job->count || atomic_load(&job->failed) != MT_OK)
            break;
        size_t end = first + PARALLEL_CHUNK < job->count ? first + PARALLEL_CHUNK : job->count;
        for (size_t i = first; i < end; i++) {
            mt_status status = job->work(job->context, &scratch, i);
            if (status != MT_OK) {
                int none = MT_OK;
                atomic_compare_exchange_strong(&job->failed, &none, (int)status);
                break;
            }
        }
    }
    buf_free(&scratch.own);
    buf_free(&scratch.quoted);
    return NULL;
}

/* WORK for every item, on up to THREADS threads (the caller's among
 * them); the first failure's status, or MT_OK. */
static mt_status run_parallel(size_t count, int threads,
                              mt_status (*work)(void *, struct corroborate_scratch *, size_t),
                              void *context)
{
    struct parallel_work job = { .count = count, .work = work, .context = context };
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, MT_OK);
    pthread_t helpers[7];
    int started = 0;
    for (int t = 1; t < threads && t <= 7 && count > (size_t)t * PARALLEL_CHUNK; t++)
        if (pthread_create(&helpers[started], NULL, parallel_worker, &job) == 0)
            started++;
    parallel_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(helpers[t], NULL);
    return (mt_status)atomic_load(&job.failed);
}

/* Threads for corroboration: the cores, at most 8. */
static int corroborate_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;
}

/* Changes when the rules below change: stored results then are stale. */
#define CORROBORATE_RULES_VERSION 1

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: every input bit moves every output bit */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* One doc's share of the fingerprint: a sum of these, so the order the
 * emails are read in does not matter. */
static uint64_t fingerprint_part(int64_t id, int64_t conversation, bool verified)
{
    return mix64(mix64(mix64((uint64_t)id) ^ (uint64_t)conversation) ^ verified);
}

static int64_t fingerprint_value(uint64_t sum, size_t count)
{
    uint64_t h = mix64(sum ^ mix64(count ^ ((uint64_t)CORROBORATE_RULES_VERSION << 40)));
    /* SQLite integers are signed: keep it positive, and never -1 */
    return (int64_t)(h >> 1);
}

/* The fingerprint the table was made from, -1 when none. */
static int64_t stored_fingerprint(struct store *st)
{
    sqlite3_stmt *s;
    int64_t value = -1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT fingerprint FROM corroboration_input", -1, &s,
                           NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        value = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return value;
}

mt_status corroborate_forget_inputs(struct store *st, struct mt_error *err)
{
    if (sqlite3_exec(store_db(st), "DELETE FROM corroboration_input", NULL, NULL, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "clearing corroboration");
    return MT_OK;
}

static void free_docs(struct doc *docs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(docs[i].own.text);
        free(docs[i].own.word);
        free(docs[i].own.hash);
        free(docs[i].quoted.text);
        free(docs[i].quoted.word);
        free(docs[i].quoted.hash);
    }
    free(docs);
}

mt_status corroborate_count_stored(struct store *st, struct corroborate_counts *counts,
                                   struct mt_error *err)
{
    sqlite3_stmt *s;
    mt_status status = MT_OK;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*), count(DISTINCT email_id)"
                           " FROM corroboration", -1, &s, NULL) != SQLITE_OK
        || sqlite3_step(s) != SQLITE_ROW)
        status = store_db_error(st, err, "counting corroboration");
    else {
        counts->spans = sqlite3_column_int64(s, 0);
        counts->emails = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    return status;
}

/* Conversation ids (never 0: ids start at 1) in an open-addressing set. */
struct conversation_set {
    int64_t *slots;
    size_t mask;
    size_t verified;  /* verified emails */
};

static bool conversation_set_add(struct conversation_set *set, int64_t conversation)
{
    size_t i = (size_t)mix64((uint64_t)conversation) & set->mask;
    while (set->slots[i] && set->slots[i] != conversation)
        i = (i + 1) & set->mask;
    bool added = !set->slots[i];
    set->slots[i] = conversation;
    return added;
}

static bool conversation_set_has(const struct conversation_set *set, int64_t conversation)
{
    size_t i = (size_t)mix64((uint64_t)conversation) & set->mask;
    while (set->slots[i]) {
        if (set->slots[i] == conversation)
            return true;
        i = (i + 1) & set->mask;
    }
    return false;
}

/* The conversations (coalesce(thread_id, id)) that hold a verified email:
 * only their emails can vouch or be vouched for.  SET->slots is the
 * caller's to free. */
static mt_status verified_conversations(struct store *st, struct conversation_set *set,
                                        struct mt_error *err)
{
    sqlite3_stmt *s;
    size_t count = 0;
    set->slots = NULL;
    set->mask = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM email WHERE verdict = 'verified'",
                           -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return store_db_error(st, err, "finding verified conversations");
    }
    count = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    set->verified = count;
    size_t slots = 16;
    while (slots < 2 * count)
        slots *= 2;
    if (!(set->slots = calloc(slots, sizeof *set->slots)))
        return MT_ENOMEM;
    set->mask = slots - 1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT coalesce(thread_id, id) FROM email"
                           " WHERE verdict = 'verified'", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "finding verified conversations");
    int rc;
    size_t added = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && added < set->mask)
        added += conversation_set_add(set, sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)  /* a free slot is left unless the archive changed meanwhile */
        return mt_error_set(err, MT_EDB, "the archive changed while corroboration read it");
    if (rc != SQLITE_DONE)
        return store_db_error(st, err, "finding verified conversations");
    return MT_OK;
}

static int compare_doc_ids(const void *a, const void *b)
{
    int64_t x = ((const struct doc *)a)->id, y = ((const struct doc *)b)->id;
    return (x > y) - (x < y);
}

/*
 * The emails in CONVERSATIONS: their fingerprint (what corroboration is
 * computed from) into *FINGERPRINT, and, when DOCS is not NULL, the
 * emails themselves, by id, into *DOCS (caller frees).  One scan of a
 * covering index, filtered here: the same in SQL (IN lists over
 * temporary B-trees) took 18 ms of a 340 ms verify rerun on the campaign
 * corpus, when only the fingerprint is needed.
 */
static mt_status list_docs(struct store *st, const struct conversation_set *conversations,
                           int64_t *fingerprint, struct doc **docs, size_t *doc_count,
                           struct mt_error *err)
{
    sqlite3_stmt *s;
    size_t count = 0, capacity = 0;
    uint64_t sum = 0;
    mt_status status = MT_OK;
    if (docs)
        *docs = NULL;
    *doc_count = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT id, coalesce(thread_id, id),"
                           " verdict = 'verified' FROM email", -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "finding verified conversations");
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        int64_t conversation = sqlite3_column_int64(s, 1);
        bool verified = sqlite3_column_int(s, 2);
        if (!conversation_set_has(conversations, conversation))
            continue;
        sum += fingerprint_part(id, conversation, verified);
        count++;
        if (!docs)
            continue;
        if (count > capacity) {
            capacity = capacity ? capacity * 2 : 256;
            struct doc *bigger = realloc(*docs, capacity * sizeof *bigger);
            if (!bigger) {
                status = MT_ENOMEM;
                break;
            }
            *docs = bigger;
        }
        struct doc *d = &(*docs)[count - 1];
        memset(d, 0, sizeof *d);
        d->id = id;
        d->conversation = conversation;
        d->verified = verified;
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "finding verified conversations");
    sqlite3_finalize(s);
    if (status != MT_OK)
        return status;  /* *DOCS: the caller frees what was read */
    if (docs && count)  /* qsort's array may not be NULL, even when empty */
        qsort(*docs, count, sizeof **docs, compare_doc_ids);
    *doc_count = count;
    *fingerprint = fingerprint_value(sum, count);
    return MT_OK;
}

/* Texts read a batch at a time: all at once would hold every text in
 * memory beside its words. */
#define BODY_BATCH 256

/* What corroborate_archive's phases share with the threads. */
struct corroborate_context {
    struct doc *docs;
    struct buf *bodies;          /* BODY_BATCH texts, of docs batch_first on */
    size_t batch_first;
    size_t *body_at, *quoted_at; /* each verified doc's first shingle */
    struct index *body_index, *quoted_index;
    struct span_list *spans;     /* per doc, what find_spans found */
};

/* Doc batch_first + I: its text cut into own and quoted words. */
static mt_status split_work(void *arg, struct corroborate_scratch *scratch, size_t i)
{
    struct corroborate_context *c = arg;
    struct doc *d = &c->docs[c->batch_first + i];
    buf_clear(&scratch->own);
    buf_clear(&scratch->quoted);
    mt_status status = corroborate_split(buf_cstr(&c->bodies[i]), &scratch->own,
                                         &scratch->quoted);
    if (status == MT_OK)
        status = words_from(&scratch->own, &d->own);
    if (status == MT_OK)
        status = words_from(&scratch->quoted, &d->quoted);
    return status;
}

/* Doc I's shingles, if verified, at the places counted for it. */
static mt_status shingle_work(void *arg, struct corroborate_scratch *scratch, size_t i)
{
    (void)scratch;
    struct corroborate_context *c = arg;
    const struct doc *d = &c->docs[i];
    if (d->verified) {
        index_add_at(c->body_index, c->body_at[i], &d->own, (uint32_t)i, false);
        index_add_at(c->body_index, c->body_at[i] + shingle_count(&d->own), &d->quoted,
                     (uint32_t)i, true);
        index_add_at(c->quoted_index, c->quoted_at[i], &d->quoted, (uint32_t)i, true);
    }
    return MT_OK;
}

/* Doc I's spans: its quotes of verified text, then verified quotes of it. */
static mt_status span_work(void *arg, struct corroborate_scratch *scratch, size_t i)
{
    (void)scratch;
    struct corroborate_context *c = arg;
    mt_status status = find_spans(c->docs, (uint32_t)i, &c->docs[i].quoted, true,
                                  c->body_index, &c->spans[i]);
    if (status == MT_OK)
        status = find_spans(c->docs, (uint32_t)i, &c->docs[i].own, false, c->quoted_index,
                            &c->spans[i]);
    return status;
}

struct sort_job {
    struct index *index;
    mt_status status;
};

static void *sort_thread(void *arg)
{
    struct sort_job *job = arg;
    job->status = index_sort(job->index);
    return NULL;
}

/* Both indexes sorted, side by side when there are threads to spare. */
static mt_status sort_both(struct index *a, struct index *b, int threads)
{
    struct sort_job job = { b, MT_OK };
    pthread_t helper;
    bool helped = threads > 1 && pthread_create(&helper, NULL, sort_thread, &job) == 0;
    mt_status status = index_sort(a);
    if (helped)
        pthread_join(helper, NULL);
    else
        job.status = index_sort(b);
    return status != MT_OK ? status : job.status;
}

mt_status corroborate_archive(struct store *st,
                              mt_status (*load_body_text)(struct store *st, int64_t id,
                                                          struct buf *out),
                              struct corroborate_counts *counts, struct mt_error *err)
{
    struct doc *docs = NULL;
    size_t doc_count = 0;
    /* body_index: all of each verified email's text (its whole body is
     * signed); quoted_index: only what it quotes. */
    struct index body_index = { 0 }, quoted_index = { 0 };
    struct corroborate_context context = { 0 };
    memset(counts, 0, sizeof *counts);

    struct conversation_set conversations = { 0 };
    int64_t fingerprint = -1;
    size_t members;  /* emails in those conversations; DOCS holds them once read */
    mt_status status = verified_conversations(st, &conversations, err);
    if (status == MT_OK)
        status = list_docs(st, &conversations, &fingerprint, NULL, &members, err);
    if (status != MT_OK)
        goto out;
    /* Same verified emails, same conversations, same rules: the table
     * already holds the answer (bodies never change for an id). */
    if (stored_fingerprint(st) == fingerprint) {
        counts->unchanged = true;
        counts->spans = counts->emails = -1;
        counts->verified = conversations.verified;
        goto out;
    }
    status = list_docs(st, &conversations, &fingerprint, &docs, &doc_count, err);
    if (status != MT_OK)
        goto out;
    int threads = corroborate_threads();
    context.docs = docs;
    context.bodies = calloc(BODY_BATCH, sizeof *context.bodies);
    context.spans = calloc(doc_count ? doc_count : 1, sizeof *context.spans);
    context.body_at = calloc(doc_count ? doc_count : 1, sizeof *context.body_at);
    context.quoted_at = calloc(doc_count ? doc_count : 1, sizeof *context.quoted_at);
    if (!context.bodies || !context.spans || !context.body_at || !context.quoted_at)
        status = MT_ENOMEM;
    /* Texts are read here, a batch at a time (one connection), and cut
     * into words by the threads. */
    for (size_t first = 0; first < doc_count && status == MT_OK; first += BODY_BATCH) {
        size_t end = first + BODY_BATCH < doc_count ? first + BODY_BATCH : doc_count;
        for (size_t i = first; i < end && status == MT_OK; i++) {
            struct buf *body = &context.bodies[i - first];
            status = store_get_body(st, docs[i].id, body, err);
            if (status == MT_ENOTFOUND && load_body_text)
                status = load_body_text(st, docs[i].id, body);
            counts->examined++;
        }
        context.batch_first = first;
        if (status == MT_OK)
            status = run_parallel(end - first, threads, split_work, &context);
    }
    /* Verified emails' shingles: counted, places fixed, room taken once,
     * then filled by the threads. */
    size_t body_shingles = 0, quoted_shingles = 0;
    for (size_t i = 0; i < doc_count && status == MT_OK; i++) {
        if (!docs[i].verified)
            continue;
        counts->verified++;
        context.body_at[i] = body_shingles;
        context.quoted_at[i] = quoted_shingles;
        body_shingles += shingle_count(&docs[i].own) + shingle_count(&docs[i].quoted);
        quoted_shingles += shingle_count(&docs[i].quoted);
    }
    if (status == MT_OK)
        status = index_reserve(&body_index, body_shingles);
    if (status == MT_OK)
        status = index_reserve(&quoted_index, quoted_shingles);
    context.body_index = &body_index;
    context.quoted_index = &quoted_index;
    if (status == MT_OK)
        status = run_parallel(doc_count, threads, shingle_work, &context);
    if (status != MT_OK)
        goto out;
    body_index.count = body_shingles;
    quoted_index.count = quoted_shingles;
    status = sort_both(&body_index, &quoted_index, threads);
    if (status == MT_OK)
        status = run_parallel(doc_count, threads, span_work, &context);
    if (status != MT_OK)
        goto out;

    status = corroborate_table_store(st, docs, doc_count, context.spans, fingerprint, counts,
                                     err);
out:
    free(body_index.items);
    free(body_index.bucket);
    free(quoted_index.items);
    free(quoted_index.bucket);
    free_docs(docs, doc_count);
    if (context.bodies)
        for (size_t i = 0; i < BODY_BATCH; i++)
            buf_free(&context.bodies[i]);
    free(context.bodies);
    if (context.spans)
        for (size_t i = 0; i < doc_count; i++)
            free(context.spans[i].items);
    free(context.spans);
    free(context.body_at);
    free(context.quoted_at);
    free(conversations.slots);
    return status;
}
