/*
 * corroborate.h - chain corroboration: a DKIM-verified email vouches for
 * the text it quotes (as it stood when it was signed), and an email that
 * quotes a verified one can be checked against it.  Rules and the text
 * normalization in docs/corroboration.md.
 *
 * Only emails with verdict "verified" vouch.  Spans are runs of at least
 * CORROBORATE_MIN_WORDS words, found through hashed word shingles (never
 * by comparing every pair of emails) and then checked word by word, so a
 * changed word is never inside a span.
 *
 * Uses the store's connection (borrowed), same thread; runs its own
 * transaction and makes the corroboration table hold exactly the spans
 * found (writing only the emails whose rows differ), unless its inputs
 * (verified emails, conversations, rules) are those it was last computed
 * from.  Reads the stored body texts (store_get_body); an email
 * without one (an archive whose upgrade is pending) goes to
 * LOAD_BODY_TEXT, or is an error (MT_ENOTFOUND) when that is NULL.
 */
#ifndef MT_CORROBORATE_H
#define MT_CORROBORATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"
#include "store.h"

#define CORROBORATE_MIN_WORDS 8

struct corroborate_counts {
    int64_t verified;     /* vouching emails */
    int64_t examined;     /* emails parsed (those sharing a thread with one) */
    int64_t spans;        /* spans recorded */
    int64_t emails;       /* emails with at least one span */
    bool unchanged;       /* same inputs as last time: nothing redone
                             (examined is 0; spans and emails are -1, not
                             counted: see corroborate_count_stored) */
};

/* Reads email ID's body text into OUT (the light programs pass a loader
 * that reads the stored text; the full one may parse the message). */
typedef mt_status (*corroborate_text_loader)(struct store *st, int64_t id, struct buf *out);

mt_status corroborate_archive(struct store *st, corroborate_text_loader load_body_text,
                              struct corroborate_counts *counts, struct mt_error *err);

/* Forget what the stored corroboration was computed from, so that the
 * next corroborate_archive recomputes it even if the verified emails and
 * conversations are unchanged (`corroborate --recompute`: after a hand
 * edit of, or damage to, the table).  Errors go to ERR. */
mt_status corroborate_forget_inputs(struct store *st, struct mt_error *err);

/* COUNTS->spans and ->emails as the table holds them now (reading the
 * whole table: tens of ms on a large archive, so only on request). */
mt_status corroborate_count_stored(struct store *st, struct corroborate_counts *counts,
                                   struct mt_error *err);

/*
 * Split a body text (UTF-8) into normalized words, own text and quoted
 * text apart (exposed for tests).  OWN and QUOTED get the words separated
 * by single spaces.
 */
mt_status corroborate_split(const char *body, struct buf *own, struct buf *quoted);

#endif
