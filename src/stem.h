/*
 * stem.h - word forms for search: an FTS5 tokenizer, "mt_stem LANGUAGE",
 * that reads words as unicode61 does (case folded, accents kept), gives
 * each to Snowball's stemmer for LANGUAGE (Debian's libstemmer: french,
 * english), then folds accents off the stem.  The archive's second
 * full-text table, email_stem, uses it, so `stem:candidats` finds
 * "candidat" while plain words stay exact.
 *
 * The archive's language is a setting (stem_language); "none" until
 * `ingest --language` or `reindex --language` names one.  Owns the
 * setting table's "language" row and the email_stem table.  A connection
 * must have the tokenizer registered (stem_register) before it touches
 * email_stem; each tokenizer instance has its own stemmer (Snowball's are
 * not thread-safe), so a connection used by one thread at a time is safe.
 */
#ifndef MT_STEM_H
#define MT_STEM_H

#include <stdbool.h>

#include <sqlite3.h>

#include "status.h"
#include "store.h"

/* Register the tokenizer on ST's connection.  MT_OK, or MT_EDB when this
 * SQLite has no FTS5. */
mt_status stem_register(struct store *st, struct mt_error *err);
/* The same on DB, a connection of the caller's (index_side.h).  MT_OK or
 * MT_EDB. */
mt_status stem_register_connection(sqlite3 *db);

/* The archive's language: "fr", "en" or "none" (static strings). */
const char *stem_language(struct store *st);

/* Whether LANGUAGE is one we stem ("fr", "en") or "none". */
bool stem_language_known(const char *language);

/*
 * Make LANGUAGE the archive's (inside the caller's transaction): the
 * email_stem table made anew for it (dropped for "none").  *CHANGED says
 * whether it differs from before, in which case every email must be
 * indexed again (index_rebuild).  The tokenizer must be registered.
 */
mt_status stem_set_language(struct store *st, const char *language, bool *changed,
                            struct mt_error *err);

/* stem_set_language in a transaction of its own, then, when the
 * language changed and the archive holds emails, every email indexed
 * again (INDEX_AGAIN: index.h's index_rebuild, passed in to keep stem
 * below index).  *COUNT: emails indexed again, or 0. */
mt_status stem_change_language(struct store *st, const char *language,
                               mt_status (*index_again)(struct store *, int64_t *,
                                                        struct mt_error *),
                               int64_t *count, struct mt_error *err);

#endif
