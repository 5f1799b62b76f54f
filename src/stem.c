/* stem.c - the mt_stem FTS5 tokenizer (Snowball through libstemmer) and
 * the archive's language (stem.h).  The tokenizer wraps FTS5's own
 * unicode61, as SQLite's porter tokenizer does. */
#include "store_int.h"
#include "stem.h"

#include <libstemmer.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fts_tokens.h"
#include "text.h"

struct stem_tokenizer {
    fts5_tokenizer parent;     /* unicode61's functions */
    Fts5Tokenizer *parent_instance;
    struct sb_stemmer *stemmer;
};

struct stem_call {
    struct stem_tokenizer *t;
    void *context;
    int (*token)(void *, int, const char *, int, int, int);
    struct buf folded;
};

static const char *snowball_name(const char *language)
{
    return !strcmp(language, "fr") || !strcmp(language, "french") ? "french"
         : !strcmp(language, "en") || !strcmp(language, "english") ? "english" : NULL;
}

static void stem_delete(Fts5Tokenizer *p)
{
    struct stem_tokenizer *t = (struct stem_tokenizer *)p;
    if (t == NULL)
        return;
    if (t->parent_instance)
        t->parent.xDelete(t->parent_instance);
    if (t->stemmer)
        sb_stemmer_delete(t->stemmer);
    free(t);
}

static int stem_create(void *context, const char **args, int count, Fts5Tokenizer **out)
{
    fts5_api *api = context;
    const char *language = count > 0 ? snowball_name(args[0]) : NULL;
    *out = NULL;
    if (language == NULL)
        return SQLITE_ERROR;
    struct stem_tokenizer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return SQLITE_NOMEM;
    void *user = NULL;
    /* unicode61 without folding accents: Snowball's French needs them */
    static const char *unicode61_args[] = { "remove_diacritics", "0" };
    int rc = api->xFindTokenizer(api, "unicode61", &user, &t->parent);
    if (rc == SQLITE_OK)
        rc = t->parent.xCreate(user, unicode61_args, 2, &t->parent_instance);
    if (rc == SQLITE_OK && (t->stemmer = sb_stemmer_new(language, "UTF_8")) == NULL)
        rc = SQLITE_NOMEM;
    if (rc != SQLITE_OK) {
        stem_delete((Fts5Tokenizer *)t);
        return rc;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static int stem_token(void *context, int flags, const char *token, int n, int start, int end)
{
    struct stem_call *c = context;
    const sb_symbol *stemmed = sb_stemmer_stem(c->t->stemmer, (const sb_symbol *)token, n);
    const char *s = stemmed ? (const char *)stemmed : token;
    int len = stemmed ? sb_stemmer_length(c->t->stemmer) : n;
    buf_clear(&c->folded);
    if (text_fold(s, (size_t)len, &c->folded) != MT_OK)
        return SQLITE_NOMEM;
    return c->token(c->context, flags, buf_cstr(&c->folded), (int)c->folded.len, start, end);
}

static int stem_tokenize(Fts5Tokenizer *p, void *context, int flags, const char *text, int n,
                         int (*token)(void *, int, const char *, int, int, int))
{
    struct stem_tokenizer *t = (struct stem_tokenizer *)p;
    struct stem_call c = { t, context, token, BUF_INIT };
    int rc = t->parent.xTokenize(t->parent_instance, &c, flags, text, n, stem_token);
    buf_free(&c.folded);
    return rc;
}

mt_status stem_register_connection(sqlite3 *db)
{
    fts5_api *api = fts_tokens_fts5_api(db);
    static fts5_tokenizer tokenizer = { stem_create, stem_delete, stem_tokenize };
    if (api == NULL || api->xCreateTokenizer(api, "mt_stem", api, &tokenizer, NULL) != SQLITE_OK)
        return MT_EDB;
    return MT_OK;
}

mt_status stem_register(struct store *st, struct mt_error *err)
{
    if (fts_tokens_fts5_api(store_db(st)) == NULL)
        return mt_error_set(err, MT_EDB, "this SQLite has no FTS5");
    if (stem_register_connection(store_db(st)) != MT_OK)
        return store_db_error(st, err, "registering the stemming tokenizer");
    return MT_OK;
}

bool stem_language_known(const char *language)
{
    return !strcmp(language, "fr") || !strcmp(language, "en") || !strcmp(language, "none");
}

const char *stem_language(struct store *st)
{
    sqlite3_stmt *s;
    const char *language = "none";
    if (store_statement(st, "SELECT value FROM setting WHERE name = 'language'", &s, NULL) != MT_OK)
        return language;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        language = v && !strcmp(v, "fr") ? "fr" : v && !strcmp(v, "en") ? "en" : "none";
    }
    sqlite3_reset(s);
    return language;
}

mt_status stem_change_language(struct store *st, const char *language,
                               mt_status (*index_again)(struct store *, int64_t *,
                                                        struct mt_error *),
                               int64_t *count, struct mt_error *err)
{
    bool changed = false;
    *count = 0;
    mt_status status = store_begin(st, err);
    if (status == MT_OK)
        status = stem_set_language(st, language, &changed, err);
    if (status == MT_OK)
        status = store_commit(st, err);
    else
        store_rollback(st);
    if (status == MT_OK && changed && store_count_emails(st) > 0)
        status = index_again(st, count, err);
    return status;
}

mt_status stem_set_language(struct store *st, const char *language, bool *changed,
                            struct mt_error *err)
{
    *changed = strcmp(stem_language(st), language) != 0;
    if (!*changed)
        return MT_OK;
    char sql[400];
    if (!strcmp(language, "none"))
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS email_stem;"
                                  "DELETE FROM setting WHERE name = 'language';");
    else
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS email_stem;"
                                  "CREATE VIRTUAL TABLE email_stem USING fts5(subject, body,"
                                  " attached, content = '', tokenize = 'mt_stem %s');"
                                  "INSERT OR REPLACE INTO setting(name, value)"
                                  " VALUES('language', '%s');", language, language);
    if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_db_error(st, err, "setting the archive's language");
    return MT_OK;
}
