/* fts_tokens.c - unicode61's tokens found on a worker, replayed on the
 * writer (fts_tokens.h). */
#include "fts_tokens.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The archive's arguments to unicode61 (store_schema.c's email_text). */
static const char *const archive_args[] = { "remove_diacritics", "2" };
#define ARCHIVE_ARG_COUNT 2

struct token_head {
    int flags, start, end, len;
};

fts5_api *fts_tokens_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(s);
    }
    sqlite3_finalize(s);
    return api && api->iVersion >= 2 ? api : NULL;
}

/* ---- the worker's side ---- */

struct fts_tokenizer {
    sqlite3 *db;                /* in memory: only for FTS5's tokenizer */
    fts5_tokenizer methods;
    Fts5Tokenizer *instance;
};

void fts_tokenizer_free(struct fts_tokenizer *tk)
{
    if (!tk)
        return;
    if (tk->instance)
        tk->methods.xDelete(tk->instance);
    sqlite3_close(tk->db);
    free(tk);
}

mt_status fts_tokenizer_new(struct fts_tokenizer **out)
{
    struct fts_tokenizer *tk = calloc(1, sizeof *tk);
    *out = NULL;
    if (!tk)
        return MT_ENOMEM;
    void *user = NULL;
    fts5_api *api = NULL;
    mt_status status = MT_EDB;
    if (sqlite3_open_v2(":memory:", &tk->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) == SQLITE_OK
        && (api = fts_tokens_fts5_api(tk->db)) != NULL
        && api->xFindTokenizer(api, "unicode61", &user, &tk->methods) == SQLITE_OK
        && tk->methods.xCreate(user, (const char **)archive_args, ARCHIVE_ARG_COUNT,
                               &tk->instance) == SQLITE_OK)
        status = MT_OK;
    if (status != MT_OK) {
        fts_tokenizer_free(tk);
        return status;
    }
    *out = tk;
    return MT_OK;
}

static int record_token(void *context, int flags, const char *token, int len, int start,
                        int end)
{
    struct fts_tokens *t = context;
    struct token_head head = { flags, start, end, len };
    if (len < 0 || buf_reserve(&t->bytes, sizeof head + (size_t)len) != MT_OK)
        return SQLITE_NOMEM;
    buf_append(&t->bytes, &head, sizeof head);
    buf_append(&t->bytes, token, (size_t)len);
    t->columns[t->column_count - 1].count++;
    return SQLITE_OK;
}

mt_status fts_tokens_compute(struct fts_tokenizer *tk, const char *const *texts, int count,
                             struct fts_tokens *out)
{
    buf_clear(&out->bytes);
    out->column_count = 0;
    if (count > FTS_TOKENS_MAX_COLUMNS)
        return MT_EINVAL;
    /* Each text's length once; the words take about 3.5 times their
     * text (a 16-byte head each): room for twice the text at once, where
     * growing from nothing reallocated eight times for a 4 KB body (2% of
     * a parse worker). */
    size_t lens[FTS_TOKENS_MAX_COLUMNS], total = 0;
    for (int i = 0; i < count; i++) {
        lens[i] = strlen(texts[i]);
        if (lens[i] > (size_t)INT32_MAX)
            return MT_EINVAL;
        total += lens[i];
    }
    if (buf_reserve(&out->bytes, 2 * total + 256) != MT_OK)
        return MT_ENOMEM;
    for (int i = 0; i < count; i++) {
        int len = (int)lens[i];
        out->columns[i] = (struct fts_column_tokens){ texts[i], len, out->bytes.len, 0 };
        out->column_count = i + 1;
        int rc = tk->methods.xTokenize(tk->instance, out, FTS5_TOKENIZE_DOCUMENT, texts[i],
                                       len, record_token);
        if (rc != SQLITE_OK) {
            buf_clear(&out->bytes);
            out->column_count = 0;
            return rc == SQLITE_NOMEM ? MT_ENOMEM : MT_EDB;
        }
    }
    return MT_OK;
}

void fts_tokens_free(struct fts_tokens *tokens)
{
    buf_free(&tokens->bytes);
    tokens->column_count = 0;
}

/* ---- the writer's side ---- */

struct fts_token_feed {
    fts5_tokenizer parent;      /* the built-in unicode61 */
    void *parent_user;
    const struct fts_tokens *offered;
    int next_column;            /* where the next text most likely is */
    uint64_t replayed, tokenized;
};

struct feed_instance {
    struct fts_token_feed *feed;
    Fts5Tokenizer *parent;
    bool archive_args;          /* created with archive_args: may replay */
};

static int feed_create(void *context, const char **args, int count, Fts5Tokenizer **out)
{
    struct fts_token_feed *feed = context;
    struct feed_instance *in = calloc(1, sizeof *in);
    *out = NULL;
    if (!in)
        return SQLITE_NOMEM;
    in->feed = feed;
    in->archive_args = count == ARCHIVE_ARG_COUNT;
    for (int i = 0; i < count && in->archive_args; i++)
        in->archive_args = !strcmp(args[i], archive_args[i]);
    int rc = feed->parent.xCreate(feed->parent_user, args, count, &in->parent);
    if (rc != SQLITE_OK) {
        free(in);
        return rc;
    }
    *out = (Fts5Tokenizer *)in;
    return SQLITE_OK;
}

static void feed_delete(Fts5Tokenizer *p)
{
    struct feed_instance *in = (struct feed_instance *)p;
    if (!in)
        return;
    in->feed->parent.xDelete(in->parent);
    free(in);
}

/* The offered column whose text is TEXT's bytes, or NULL. */
static const struct fts_column_tokens *offered_column(struct fts_token_feed *feed,
                                                      const char *text, int len)
{
    const struct fts_tokens *t = feed->offered;
    for (int k = 0; t && k < t->column_count; k++) {
        int i = (feed->next_column + k) % t->column_count;
        const struct fts_column_tokens *c = &t->columns[i];
        if (c->len == len && (c->text == text || !memcmp(c->text, text, (size_t)len))) {
            feed->next_column = (i + 1) % t->column_count;
            return c;
        }
    }
    return NULL;
}

static int feed_tokenize(Fts5Tokenizer *p, void *context, int flags, const char *text, int len,
                         int (*token)(void *, int, const char *, int, int, int))
{
    struct feed_instance *in = (struct feed_instance *)p;
    struct fts_token_feed *feed = in->feed;
    const struct fts_column_tokens *c = NULL;
    if (in->archive_args && flags == FTS5_TOKENIZE_DOCUMENT && feed->offered && text)
        c = offered_column(feed, text, len);
    if (!c) {
        feed->tokenized++;
        return feed->parent.xTokenize(in->parent, context, flags, text, len, token);
    }
    feed->replayed++;
    const char *at = feed->offered->bytes.data + c->offset;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < c->count && rc == SQLITE_OK; i++) {
        struct token_head head;
        memcpy(&head, at, sizeof head);
        at += sizeof head;
        rc = token(context, head.flags, at, head.len, head.start, head.end);
        at += head.len;
    }
    /* as unicode61 ends: a callback's SQLITE_DONE stops it quietly */
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void feed_destroy(void *context)
{
    free(context);
}

mt_status fts_token_feed_install(sqlite3 *db, struct fts_token_feed **out)
{
    *out = NULL;
    fts5_api *api = fts_tokens_fts5_api(db);
    if (!api)
        return MT_EDB;
    struct fts_token_feed *feed = calloc(1, sizeof *feed);
    if (!feed)
        return MT_ENOMEM;
    if (api->xFindTokenizer(api, "unicode61", &feed->parent_user, &feed->parent) != SQLITE_OK) {
        free(feed);
        return MT_EDB;
    }
    static fts5_tokenizer methods = { feed_create, feed_delete, feed_tokenize };
    /* On failure (out of memory) some SQLite versions call feed_destroy
     * and some do not: leaking the feed then is better than freeing it
     * twice. */
    if (api->xCreateTokenizer(api, "unicode61", feed, &methods, feed_destroy) != SQLITE_OK)
        return MT_EDB;
    *out = feed;
    return MT_OK;
}

void fts_token_feed_offer(struct fts_token_feed *feed, const struct fts_tokens *tokens)
{
    if (!feed)
        return;
    feed->offered = tokens && tokens->column_count > 0 ? tokens : NULL;
    feed->next_column = 0;
}

void fts_token_feed_counts(const struct fts_token_feed *feed, uint64_t *replayed,
                           uint64_t *tokenized)
{
    *replayed = feed ? feed->replayed : 0;
    *tokenized = feed ? feed->tokenized : 0;
}
