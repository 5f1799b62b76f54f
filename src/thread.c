/* thread.c - JWZ threading over the whole archive, in memory. */
#include "store_int.h"
#include "thread.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "text.h"

#define NONE SIZE_MAX
/* Subject fallback: a reply without reply headers joins an original with
 * the same subject sent at most this long before it ... */
#define SUBJECT_WINDOW_SECONDS (60 * 86400)
/* ... when the subject is specific enough to mean one conversation. */
#define SUBJECT_MIN_CHARS 12
#define SUBJECT_MIN_WORDS 3
/* a normalized subject is kept to this many bytes (its NUL included) */
#define SUBJECT_NORMALIZED_MAX 512

struct container {
    char *message_id;     /* owned; NULL for an email without one */
    int64_t email_id;     /* 0: an empty container (a referenced id only) */
    size_t parent;
    size_t root;
    size_t copy_of;       /* another copy of this Message-ID's container, or NONE */
};

struct email_row {
    int64_t id;
    int64_t date;
    bool has_date;
    size_t container;
    int64_t old_thread, old_parent;   /* -1: NULL */
    char *subject;                    /* normalized; owned */
    bool was_reply;
    bool has_reply_headers;
};

struct table {                /* message-id -> container index */
    size_t *slots;            /* NONE when empty */
    size_t capacity;          /* power of two */
    size_t used;
};

struct threader {
    struct container *containers;
    size_t count, capacity;
    struct table by_id;
    /* every (email, referenced id) pair: a reply that names messages of
     * two conversations joins them, even where JWZ's first-parent-wins
     * tree keeps one of them apart */
    size_t (*mentions)[2];
    size_t mention_count, mention_capacity;
};

static bool add_mention(struct threader *t, size_t email, size_t ref)
{
    if (t->mention_count == t->mention_capacity) {
        size_t capacity = t->mention_capacity ? t->mention_capacity * 2 : 4096;
        size_t (*bigger)[2] = realloc(t->mentions, capacity * sizeof *bigger);
        if (!bigger)
            return false;
        t->mentions = bigger;
        t->mention_capacity = capacity;
    }
    t->mentions[t->mention_count][0] = email;
    t->mentions[t->mention_count][1] = ref;
    t->mention_count++;
    return true;
}

/* Union-find over container indices (ROOT: the set's representative). */
static size_t set_of(size_t *set, size_t x)
{
    while (set[x] != x) {
        set[x] = set[set[x]];
        x = set[x];
    }
    return x;
}

static void set_join(size_t *set, size_t a, size_t b)
{
    a = set_of(set, a);
    b = set_of(set, b);
    if (a != b)
        set[a] = b;
}

#define FNV_OFFSET 1469598103934665603ULL

/* FNV-1a of LEN bytes, continuing from H (FNV_OFFSET to start). */
static uint64_t fnv1a(uint64_t h, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)bytes[i]) * 1099511628211ULL;
    return h;
}

static uint64_t hash_string(const char *s)
{
    return fnv1a(FNV_OFFSET, s, strlen(s));
}

static bool table_grow(struct threader *t)
{
    size_t capacity = t->by_id.capacity ? t->by_id.capacity * 2 : 1024;
    size_t *slots = malloc(capacity * sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < capacity; i++)
        slots[i] = NONE;
    for (size_t i = 0; i < t->by_id.capacity; i++) {
        size_t c = t->by_id.slots[i];
        if (c == NONE)
            continue;
        size_t j = hash_string(t->containers[c].message_id) & (capacity - 1);
        while (slots[j] != NONE)
            j = (j + 1) & (capacity - 1);
        slots[j] = c;
    }
    free(t->by_id.slots);
    t->by_id.slots = slots;
    t->by_id.capacity = capacity;
    return true;
}

static size_t new_container(struct threader *t, const char *message_id, size_t len)
{
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 1024;
        struct container *bigger = realloc(t->containers, capacity * sizeof *bigger);
        if (!bigger)
            return NONE;
        t->containers = bigger;
        t->capacity = capacity;
    }
    struct container *c = &t->containers[t->count];
    memset(c, 0, sizeof *c);
    c->parent = NONE;
    c->copy_of = NONE;
    if (message_id && !(c->message_id = strndup(message_id, len)))
        return NONE;
    return t->count++;
}

/* The container of MESSAGE_ID (LEN bytes), made if new; NONE on ENOMEM. */
static size_t container_for(struct threader *t, const char *message_id, size_t len)
{
    if ((t->by_id.used + 1) * 2 > t->by_id.capacity && !table_grow(t))
        return NONE;
    char key[1024];
    if (len >= sizeof key)
        len = sizeof key - 1;
    memcpy(key, message_id, len);
    key[len] = '\0';
    size_t mask = t->by_id.capacity - 1;
    size_t j = hash_string(key) & mask;
    while (t->by_id.slots[j] != NONE) {
        size_t c = t->by_id.slots[j];
        if (!strcmp(t->containers[c].message_id, key))
            return c;
        j = (j + 1) & mask;
    }
    size_t c = new_container(t, key, len);
    if (c != NONE) {
        t->by_id.slots[j] = c;
        t->by_id.used++;
    }
    return c;
}

static bool is_ancestor(const struct threader *t, size_t maybe_ancestor, size_t c)
{
    for (size_t depth = 0; c != NONE && depth < 100000; depth++, c = t->containers[c].parent)
        if (c == maybe_ancestor)
            return true;
    return false;
}

/* Make PARENT the parent of CHILD unless that would close a loop. */
static void link(struct threader *t, size_t parent, size_t child, bool override)
{
    if (parent == NONE || child == NONE || parent == child)
        return;
    if (t->containers[child].parent != NONE && !override)
        return;
    if (is_ancestor(t, child, parent))
        return;
    t->containers[child].parent = parent;
}

/* Message ids in TEXT ("<a> <b>" or "a b") into STARTS/LENS; the count. */
static size_t split_ids(const char *text, const char **starts, size_t *lens, size_t max)
{
    size_t n = 0;
    while (text && *text && n < max) {
        while (*text == ' ' || *text == '\t' || *text == '<' || *text == ',')
            text++;
        size_t len = strcspn(text, " \t<>,");
        /* A message id has an '@' (RFC 5322 3.6.4); tools write junk such
         * as "<yes>" (git send-email --in-reply-to=yes), which would join
         * every email carrying it into one conversation. */
        if (len && memchr(text, '@', len)) {
            starts[n] = text;
            lens[n] = len;
            n++;
        }
        text += len;
        while (*text == '>')
            text++;
    }
    return n;
}

static bool is_space_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void thread_normalize_subject(const char *subject, char *out, size_t size,
                              bool *was_reply)
{
    static const char *const prefixes[] = {
        "re", "fw", "fwd", "tr", "ref", "r\xc3\xa9" "f", "aw", "wg", "sv", "antw",
        "vs", "rif", "r", "enc", NULL,
    };
    *was_reply = false;
    const char *s = subject ? subject : "";
    for (bool again = true; again;) {
        again = false;
        while (is_space_char(*s))
            s++;
        for (int i = 0; prefixes[i]; i++) {
            size_t n = strlen(prefixes[i]);
            if (strncasecmp(s, prefixes[i], n))
                continue;
            const char *p = s + n;
            if (*p == '.')                           /* Réf. : */
                p++;
            if (*p == '[' || *p == '(') {            /* Re[2]: */
                const char *close = p + strspn(p + 1, "0123456789") + 1;
                if (*close == ']' || *close == ')')
                    p = close + 1;
            }
            while (*p == ' ' || *p == '\t' || (unsigned char)*p == 0xc2) {
                if ((unsigned char)*p == 0xc2 && (unsigned char)p[1] == 0xa0)
                    p++;                             /* NBSP before ':' in French */
                else if ((unsigned char)*p == 0xc2)
                    break;
                p++;
            }
            if (*p == ':') {
                s = p + 1;
                *was_reply = again = true;
                break;
            }
        }
    }
    struct buf folded = BUF_INIT;
    text_fold(s, strlen(s), &folded);
    size_t o = 0;
    bool space = false;
    for (const char *c = buf_cstr(&folded); *c && o + 1 < size; c++) {
        if (is_space_char(*c)) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < size)
            out[o++] = ' ';
        space = false;
        out[o++] = *c;
    }
    if (size)
        out[o < size ? o : size - 1] = '\0';
    buf_free(&folded);
}

static bool subject_is_specific(const char *normalized)
{
    size_t words = 0, chars = strlen(normalized);
    for (const char *c = normalized; *c; c++)
        if (*c != ' ' && (c == normalized || c[-1] == ' '))
            words++;
    return chars >= SUBJECT_MIN_CHARS && words >= SUBJECT_MIN_WORDS;
}

static int compare_subject_then_date(const void *a, const void *b)
{
    const struct email_row *x = *(const struct email_row *const *)a;
    const struct email_row *y = *(const struct email_row *const *)b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static size_t root_of(struct threader *t, size_t c)
{
    size_t r = c;
    for (size_t depth = 0; t->containers[r].parent != NONE && depth < 100000; depth++)
        r = t->containers[r].parent;
    return r;
}

/* The linker: the containers and every email given so far (thread.h). */
struct thread_linker {
    struct threader t;
    struct email_row *rows;
    size_t row_count, row_capacity;
    int64_t *thread_of_root;      /* by root container, after finish */
    int64_t by_subject, threads;
};

struct thread_linker *thread_linker_new(void)
{
    return calloc(1, sizeof(struct thread_linker));
}

void thread_linker_free(struct thread_linker *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->t.count; i++)
        free(l->t.containers[i].message_id);
    free(l->t.containers);
    free(l->t.by_id.slots);
    free(l->t.mentions);
    for (size_t i = 0; i < l->row_count; i++)
        free(l->rows[i].subject);
    free(l->rows);
    free(l->thread_of_root);
    free(l);
}

/* The email's own container: by Message-ID, unless another email already
 * holds that id (same id, different bytes: other Received lines, a list
 * footer): then its own, joined to the first copy's conversation later. */
static size_t own_container(struct threader *t, const char *message_id)
{
    size_t c = message_id && *message_id
             ? container_for(t, message_id, strlen(message_id)) : new_container(t, NULL, 0);
    if (c != NONE && t->containers[c].email_id) {
        size_t first = c;
        c = new_container(t, NULL, 0);
        if (c != NONE)
            t->containers[c].copy_of = first;
    }
    return c;
}

/* The ids E answers, oldest first, into STARTS/LENS (REFERENCES_MAX
 * room): its References, or In-Reply-To only without them (JWZ): mailers
 * put other things in it, such as "<someone@host>" (Z-Mail, 1996).  The
 * linker and the thread keys both read them here, so they agree. */
#define REFERENCES_MAX 255
static size_t referenced_ids(const struct thread_email *e, const char **starts, size_t *lens)
{
    size_t n = split_ids(e->refs, starts, lens, REFERENCES_MAX);
    if (n == 0 && e->in_reply_to && *e->in_reply_to)
        n = split_ids(e->in_reply_to, starts, lens, 1);
    return n;
}

mt_status thread_linker_add(struct thread_linker *l, const struct thread_email *e)
{
    struct threader *t = &l->t;
    if (l->row_count == l->row_capacity) {
        size_t capacity = l->row_capacity ? l->row_capacity * 2 : 1024;
        struct email_row *bigger = realloc(l->rows, capacity * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        l->rows = bigger;
        l->row_capacity = capacity;
    }
    struct email_row *r = &l->rows[l->row_count];
    memset(r, 0, sizeof *r);
    r->id = e->id;
    r->has_date = e->has_date;
    r->date = e->date;
    r->old_thread = e->old_thread;
    r->old_parent = e->old_parent;
    char normalized[SUBJECT_NORMALIZED_MAX];
    thread_normalize_subject(e->subject, normalized, sizeof normalized, &r->was_reply);
    if (!(r->subject = strdup(normalized)))
        return MT_ENOMEM;
    l->row_count++;
    r->has_reply_headers = (e->in_reply_to && *e->in_reply_to) || (e->refs && *e->refs);
    size_t c = own_container(t, e->message_id);
    if (c == NONE)
        return MT_ENOMEM;
    t->containers[c].email_id = r->id;
    r->container = c;

    /* References, oldest first, each the parent of the next; the last
     * (or In-Reply-To) is this email's parent. */
    const char *starts[REFERENCES_MAX];
    size_t lens[REFERENCES_MAX];
    size_t n = referenced_ids(e, starts, lens);
    size_t previous = NONE;
    for (size_t i = 0; i < n; i++) {
        size_t ref = container_for(t, starts[i], lens[i]);
        if (ref == NONE)
            return MT_ENOMEM;
        link(t, previous, ref, false);
        if (!add_mention(t, c, ref))
            return MT_ENOMEM;
        previous = ref;
    }
    if (previous != NONE)
        link(t, previous, c, true);
    return MT_OK;
}

/* A copy without reply headers of its own answers what the first copy
 * answers, or hangs under the first copy when that one is a root. */
static void link_copies(struct threader *t)
{
    for (size_t i = 0; i < t->count; i++) {
        size_t first = t->containers[i].copy_of;
        if (first == NONE || t->containers[i].parent != NONE)
            continue;
        size_t target = t->containers[first].parent != NONE ? t->containers[first].parent : first;
        link(t, target, i, false);
    }
}

/* Subject fallback, only for replies without any reply header: the
 * earliest earlier original (no prefix) of the same specific subject
 * within the window. */
static mt_status link_by_subject(struct thread_linker *l)
{
    struct threader *t = &l->t;
    size_t count = l->row_count;
    struct email_row **by_subject = malloc((count ? count : 1) * sizeof *by_subject);
    if (!by_subject)
        return MT_ENOMEM;
    for (size_t i = 0; i < count; i++)
        by_subject[i] = &l->rows[i];
    qsort(by_subject, count, sizeof *by_subject, compare_subject_then_date);
    for (size_t i = 0; i < count; i++) {
        struct email_row *r = by_subject[i];
        if (!r->was_reply || r->has_reply_headers || !r->has_date
            || t->containers[r->container].parent != NONE || !subject_is_specific(r->subject))
            continue;
        for (size_t j = i; j-- > 0;) {
            struct email_row *o = by_subject[j];
            if (strcmp(o->subject, r->subject))
                break;
            if (o->was_reply || !o->has_date || o->date > r->date
                || r->date - o->date > SUBJECT_WINDOW_SECONDS)
                continue;
            /* earliest such original: keep walking back while they qualify */
            size_t best = j;
            for (size_t k = j; k-- > 0;) {
                struct email_row *p = by_subject[k];
                if (strcmp(p->subject, r->subject) || r->date - p->date > SUBJECT_WINDOW_SECONDS)
                    break;
                if (!p->was_reply && p->has_date)
                    best = k;
            }
            size_t before = t->containers[r->container].parent;
            link(t, by_subject[best]->container, r->container, false);
            if (t->containers[r->container].parent != before)
                l->by_subject++;
            break;
        }
    }
    free(by_subject);
    return MT_OK;
}

/* Conversations: the JWZ trees, joined where one email names messages of
 * several.  Thread id: the smallest email id in each. */
static mt_status join_conversations(struct thread_linker *l)
{
    struct threader *t = &l->t;
    size_t *set = malloc((t->count ? t->count : 1) * sizeof *set);
    l->thread_of_root = calloc(t->count ? t->count : 1, sizeof *l->thread_of_root);
    if (!set || !l->thread_of_root) {
        free(set);
        return MT_ENOMEM;
    }
    for (size_t i = 0; i < t->count; i++)
        set[i] = i;
    for (size_t i = 0; i < t->count; i++)
        set_join(set, i, root_of(t, i));
    for (size_t i = 0; i < t->mention_count; i++)
        set_join(set, t->mentions[i][0], t->mentions[i][1]);
    for (size_t i = 0; i < t->count; i++) {
        t->containers[i].root = set_of(set, i);
        int64_t id = t->containers[i].email_id;
        int64_t *best = &l->thread_of_root[t->containers[i].root];
        if (id && (!*best || id < *best)) {
            if (!*best)
                l->threads++;
            *best = id;
        }
    }
    free(set);
    return MT_OK;
}

mt_status thread_linker_finish(struct thread_linker *l, int64_t *threads, int64_t *by_subject)
{
    link_copies(&l->t);
    mt_status status = link_by_subject(l);
    if (status == MT_OK)
        status = join_conversations(l);
    *threads = l->threads;
    *by_subject = l->by_subject;
    return status;
}

size_t thread_linker_count(const struct thread_linker *l)
{
    return l->row_count;
}

void thread_linker_result(const struct thread_linker *l, size_t i, int64_t *id,
                          int64_t *thread, int64_t *parent)
{
    const struct threader *t = &l->t;
    const struct email_row *r = &l->rows[i];
    *id = r->id;
    *thread = l->thread_of_root[t->containers[r->container].root];
    *parent = -1;
    for (size_t p = t->containers[r->container].parent; p != NONE; p = t->containers[p].parent)
        if (t->containers[p].email_id) {
            *parent = t->containers[p].email_id;
            break;
        }
}

/*
 * Thread keys: a hash of every id an email names (its own Message-ID, its
 * References, or In-Reply-To without them: the ids that make its
 * containers) and of its normalized subject when the subject fallback can
 * use it.  Two emails whose conversations can touch share one.
 */
#define KEY_MAX (REFERENCES_MAX + 2)
struct key_pair {
    int64_t key, email_id;
};
struct key_list {
    struct key_pair *pairs;
    size_t count, capacity;
};

static int64_t key_of(char kind, const char *text, size_t len)
{
    if (len > 1023)             /* as container_for cuts an id */
        len = 1023;
    return (int64_t)(fnv1a(fnv1a(FNV_OFFSET, &kind, 1), text, len) >> 1);
}

/* E's keys into KEYS; NORMALIZED is its subject as
 * thread_normalize_subject gives it (the linker has it already). */
static size_t email_keys(const struct thread_email *e, const char *normalized,
                         int64_t keys[KEY_MAX])
{
    size_t n = 0;
    if (e->message_id && *e->message_id)
        keys[n++] = key_of('m', e->message_id, strlen(e->message_id));
    const char *starts[REFERENCES_MAX];
    size_t lens[REFERENCES_MAX];
    size_t refs = referenced_ids(e, starts, lens);
    for (size_t i = 0; i < refs; i++)
        keys[n++] = key_of('m', starts[i], lens[i]);
    if (subject_is_specific(normalized))
        keys[n++] = key_of('s', normalized, strlen(normalized));
    return n;
}

static bool keys_add(struct key_list *list, const struct thread_email *e, const char *normalized)
{
    int64_t keys[KEY_MAX];
    size_t n = email_keys(e, normalized, keys);
    if (list->count + n > list->capacity) {
        size_t capacity = list->capacity ? list->capacity : 4096;
        while (capacity < list->count + n)
            capacity *= 2;
        struct key_pair *bigger = realloc(list->pairs, capacity * sizeof *bigger);
        if (!bigger)
            return false;
        list->pairs = bigger;
        list->capacity = capacity;
    }
    for (size_t i = 0; i < n; i++)
        list->pairs[list->count++] = (struct key_pair){ keys[i], e->id };
    return true;
}

static int compare_pairs(const void *a, const void *b)
{
    const struct key_pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->email_id < y->email_id ? -1 : x->email_id > y->email_id;
}

#define EMAIL_COLUMNS "id, message_id, in_reply_to, refs, subject, date, thread_id, thread_parent"

static struct thread_email email_of_row(sqlite3_stmt *s)
{
    return (struct thread_email){
        .id = sqlite3_column_int64(s, 0),
        .message_id = (const char *)sqlite3_column_text(s, 1),
        .in_reply_to = (const char *)sqlite3_column_text(s, 2),
        .refs = (const char *)sqlite3_column_text(s, 3),
        .subject = (const char *)sqlite3_column_text(s, 4),
        .has_date = sqlite3_column_type(s, 5) != SQLITE_NULL,
        .date = sqlite3_column_int64(s, 5),
        .old_thread = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 6),
        .old_parent = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7),
    };
}

/* Every email's threading fields, in id order, into L, and their keys
 * into KEYS. */
static mt_status load_emails(struct store *st, struct thread_linker *l, struct key_list *keys,
                             struct mt_error *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_db(st), "SELECT " EMAIL_COLUMNS " FROM email ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return store_db_error(st, err, "reading emails for threading");
    mt_status status = MT_OK;
    int rc = SQLITE_DONE;
    while (status == MT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct thread_email e = email_of_row(s);
        status = thread_linker_add(l, &e);
        /* the subject as the linker just normalized it */
        if (status == MT_OK && !keys_add(keys, &e, l->rows[l->row_count - 1].subject))
            status = MT_ENOMEM;
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "reading emails for threading");
    sqlite3_finalize(s);
    return status;
}

/* KEYS (sorted here) into thread_key, after deleting every row first
 * when ALL: they are the whole archive's. */
static mt_status store_keys(struct store *st, struct key_list *keys, bool all,
                            struct mt_error *err)
{
    if (all && sqlite3_exec(store_db(st), "DELETE FROM thread_key", NULL, NULL, NULL) != SQLITE_OK)
        return store_db_error(st, err, "storing thread keys");
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(store_db(st), "INSERT OR IGNORE INTO thread_key(key, email_id)"
                           " VALUES(?, ?)", -1, &insert, NULL) != SQLITE_OK)
        return store_db_error(st, err, "storing thread keys");
    /* in key order, so the rows go in at the B-tree's end, not all over
     * (qsort's array may not be NULL, even when empty) */
    if (keys->count)
        qsort(keys->pairs, keys->count, sizeof *keys->pairs, compare_pairs);
    mt_status status = MT_OK;
    for (size_t i = 0; i < keys->count && status == MT_OK; i++) {
        sqlite3_bind_int64(insert, 1, keys->pairs[i].key);
        sqlite3_bind_int64(insert, 2, keys->pairs[i].email_id);
        if (sqlite3_step(insert) != SQLITE_DONE)
            status = store_db_error(st, err, "storing thread keys");
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    if (status == MT_OK && all)
        status = store_upgrade_done(st, "thread keys", err);
    return status;
}

/* The threads and parents that changed, and KEYS, in one transaction. */
static mt_status store_threads(struct store *st, const struct thread_linker *l,
                               struct key_list *keys, bool all_keys,
                               struct thread_counts *counts, struct mt_error *err)
{
    sqlite3_stmt *update;
    if (sqlite3_prepare_v2(store_db(st), "UPDATE email SET thread_id = ?, thread_parent = ?"
                           " WHERE id = ?", -1, &update, NULL) != SQLITE_OK)
        return store_db_error(st, err, "storing threads");
    mt_status status = store_begin(st, err);
    for (size_t i = 0; i < l->row_count && status == MT_OK; i++) {
        const struct email_row *r = &l->rows[i];
        int64_t id, thread, parent;
        thread_linker_result(l, i, &id, &thread, &parent);
        counts->emails++;
        if (thread == r->old_thread && parent == r->old_parent)
            continue;
        counts->changed++;
        sqlite3_bind_int64(update, 1, thread);
        if (parent > 0)
            sqlite3_bind_int64(update, 2, parent);
        else
            sqlite3_bind_null(update, 2);
        sqlite3_bind_int64(update, 3, id);
        if (sqlite3_step(update) != SQLITE_DONE)
            status = store_db_error(st, err, "storing threads");
        sqlite3_reset(update);
    }
    if (status == MT_OK)
        status = store_keys(st, keys, all_keys, err);
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
    sqlite3_finalize(update);
    return status;
}

/* Link L's emails and store the result with KEYS. */
static mt_status link_and_store(struct store *st, struct thread_linker *l, struct key_list *keys,
                                bool all_keys, struct thread_counts *counts,
                                struct mt_error *err)
{
    mt_status status = thread_linker_finish(l, &counts->threads, &counts->by_subject);
    if (status == MT_ENOMEM)
        return mt_error_set(err, status, "out of memory threading");
    return status == MT_OK ? store_threads(st, l, keys, all_keys, counts, err) : status;
}

mt_status thread_rebuild(struct store *st, struct thread_counts *counts,
                         struct mt_error *err)
{
    memset(counts, 0, sizeof *counts);
    struct thread_linker *l = thread_linker_new();
    struct key_list keys = { 0 };
    if (!l)
        return mt_error_set(err, MT_ENOMEM, "out of memory threading");
    mt_status status = load_emails(st, l, &keys, err);
    if (status == MT_ENOMEM)
        mt_error_set(err, status, "out of memory threading");
    if (status == MT_OK)
        status = link_and_store(st, l, &keys, true, counts, err);
    thread_linker_free(l);
    free(keys.pairs);
    return status;
}

/* Emails read for an update, with owned copies of their strings: they come
 * from several queries and go to the linker in id order. */
struct email_set {
    struct thread_email *emails;
    size_t count, capacity;
};

static void email_set_free(struct email_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free((char *)set->emails[i].message_id);
        free((char *)set->emails[i].in_reply_to);
        free((char *)set->emails[i].refs);
        free((char *)set->emails[i].subject);
    }
    free(set->emails);
}

/* The row S is on, copied into SET.  MT_OK or MT_ENOMEM. */
static mt_status email_set_add(struct email_set *set, sqlite3_stmt *s)
{
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 1024;
        struct thread_email *bigger = realloc(set->emails, capacity * sizeof *bigger);
        if (!bigger)
            return MT_ENOMEM;
        set->emails = bigger;
        set->capacity = capacity;
    }
    struct thread_email e = email_of_row(s);
    const char *fields[4] = { e.message_id, e.in_reply_to, e.refs, e.subject };
    char *copies[4] = { NULL, NULL, NULL, NULL };
    for (int i = 0; i < 4; i++)
        if (fields[i] && !(copies[i] = strdup(fields[i]))) {
            for (int k = 0; k < i; k++)
                free(copies[k]);
            return MT_ENOMEM;
        }
    e.message_id = copies[0];
    e.in_reply_to = copies[1];
    e.refs = copies[2];
    e.subject = copies[3];
    set->emails[set->count++] = e;
    return MT_OK;
}

static int compare_emails(const void *a, const void *b)
{
    const struct thread_email *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Every row statement S gives into SET (and, when KEYS, their keys). */
static mt_status read_rows(struct store *st, sqlite3_stmt *s, struct email_set *set,
                           struct key_list *keys, struct mt_error *err)
{
    mt_status status = MT_OK;
    int rc;
    while (status == MT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        status = email_set_add(set, s);
        if (status == MT_OK && keys) {
            char normalized[SUBJECT_NORMALIZED_MAX];
            bool was_reply;
            thread_normalize_subject(set->emails[set->count - 1].subject, normalized,
                                     sizeof normalized, &was_reply);
            if (!keys_add(keys, &set->emails[set->count - 1], normalized))
                status = MT_ENOMEM;
        }
    }
    if (status == MT_OK && rc != SQLITE_DONE)
        status = store_db_error(st, err, "reading emails for threading");
    sqlite3_reset(s);
    return status == MT_ENOMEM ? mt_error_set(err, status, "out of memory threading") : status;
}

/* The conversations of the stored emails that share one of KEYS (sorted
 * here) into *THREADS (malloc'd, sorted, each once) and *COUNT. */
static mt_status find_threads(struct store *st, struct key_list *keys, int64_t **threads,
                              size_t *count, struct mt_error *err)
{
    sqlite3_stmt *s;
    *threads = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT DISTINCT e.thread_id FROM thread_key k"
                           " JOIN email e ON e.id = k.email_id"
                           " WHERE k.key = ? AND e.thread_id IS NOT NULL", -1, &s, NULL)
        != SQLITE_OK)
        return store_db_error(st, err, "finding conversations to thread");
    if (keys->count)
        qsort(keys->pairs, keys->count, sizeof *keys->pairs, compare_pairs);
    size_t capacity = 0;
    mt_status status = MT_OK;
    for (size_t i = 0; i < keys->count && status == MT_OK; i++) {
        if (i && keys->pairs[i].key == keys->pairs[i - 1].key)
            continue;
        sqlite3_bind_int64(s, 1, keys->pairs[i].key);
        int rc;
        while (status == MT_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (*count == capacity) {
                capacity = capacity ? capacity * 2 : 256;
                int64_t *bigger = realloc(*threads, capacity * sizeof *bigger);
                if (!bigger) {
                    status = mt_error_set(err, MT_ENOMEM, "out of memory threading");
                    break;
                }
                *threads = bigger;
            }
            (*threads)[(*count)++] = sqlite3_column_int64(s, 0);
        }
        if (status == MT_OK && rc != SQLITE_DONE)
            status = store_db_error(st, err, "finding conversations to thread");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    if (*count) {
        qsort(*threads, *count, sizeof **threads, compare_ids);
        size_t unique = 1;
        for (size_t i = 1; i < *count; i++)
            if ((*threads)[i] != (*threads)[unique - 1])
                (*threads)[unique++] = (*threads)[i];
        *count = unique;
    }
    return status;
}

/* The emails not threaded yet, and every email of the conversations they
 * share a key with, into SET in id order; the new emails' keys into KEYS. */
static mt_status load_addition(struct store *st, struct email_set *set, struct key_list *keys,
                               struct mt_error *err)
{
    sqlite3_stmt *fresh = NULL, *of_thread = NULL;
    int64_t *threads = NULL;
    size_t thread_count = 0;
    mt_status status = MT_OK;
    if (sqlite3_prepare_v2(store_db(st), "SELECT " EMAIL_COLUMNS " FROM email"
                           " WHERE thread_id IS NULL ORDER BY id", -1, &fresh, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(store_db(st), "SELECT " EMAIL_COLUMNS " FROM email"
                              " WHERE thread_id = ?", -1, &of_thread, NULL) != SQLITE_OK)
        status = store_db_error(st, err, "reading emails for threading");
    if (status == MT_OK)
        status = read_rows(st, fresh, set, keys, err);
    if (status == MT_OK)
        status = find_threads(st, keys, &threads, &thread_count, err);
    for (size_t i = 0; i < thread_count && status == MT_OK; i++) {
        sqlite3_bind_int64(of_thread, 1, threads[i]);
        status = read_rows(st, of_thread, set, NULL, err);
    }
    if (status == MT_OK && set->count)
        qsort(set->emails, set->count, sizeof *set->emails, compare_emails);
    free(threads);
    sqlite3_finalize(fresh);
    sqlite3_finalize(of_thread);
    return status;
}

static int64_t count_unthreaded(struct store *st)
{
    sqlite3_stmt *s;
    int64_t n = -1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM email WHERE thread_id IS NULL",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

mt_status thread_update(struct store *st, struct thread_counts *counts,
                        struct mt_error *err)
{
    memset(counts, 0, sizeof *counts);
    int64_t added = count_unthreaded(st);
    if (added < 0)
        return store_db_error(st, err, "counting emails to thread");
    if (added == 0)
        return MT_OK;
    /* A large addition relinks most of the archive anyway: one pass over
     * it is cheaper than finding what it touches. */
    if (store_upgrade_pending(st, "thread keys")
        || added * THREAD_FULL_FRACTION >= store_count_emails(st))
        return thread_rebuild(st, counts, err);
    struct email_set set = { 0 };
    struct key_list keys = { 0 };
    struct thread_linker *l = thread_linker_new();
    mt_status status = l ? load_addition(st, &set, &keys, err)
                         : mt_error_set(err, MT_ENOMEM, "out of memory threading");
    for (size_t i = 0; i < set.count && status == MT_OK; i++)
        if ((status = thread_linker_add(l, &set.emails[i])) == MT_ENOMEM)
            mt_error_set(err, status, "out of memory threading");
    if (status == MT_OK)
        status = link_and_store(st, l, &keys, false, counts, err);
    thread_linker_free(l);
    email_set_free(&set);
    free(keys.pairs);
    return status;
}
