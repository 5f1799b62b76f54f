/*
 * thread.h - conversations: JWZ threading (https://www.jwz.org/doc/threading.html)
 * over Message-ID / In-Reply-To / References of every email in the archive,
 * with a subject fallback only for replies that carry no reply headers.
 *
 * Each email gets a thread id (the smallest email id in its conversation,
 * so it is stable as long as that email is) and a parent (the nearest
 * earlier email it answers, or none).  Rules in docs/threads.md.
 *
 * Uses the store's connection (borrowed), same thread; runs its own
 * transaction.  Errors are database or memory errors, with ERR.
 */
#ifndef MT_THREAD_H
#define MT_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "store.h"

struct thread_counts {
    int64_t emails;
    int64_t threads;
    int64_t by_subject;    /* parents found through the subject fallback */
    int64_t changed;       /* emails whose thread or parent changed */
};

/* Recompute the threads of the whole archive and store what changed:
 * load every email into a linker, link, store; and every email's thread
 * keys (below).  MT_OK, MT_ENOMEM or MT_EDB with ERR. */
mt_status thread_rebuild(struct store *st, struct thread_counts *counts,
                         struct mt_error *err);

/*
 * Thread the emails not threaded yet (an ingest's addition) and relink
 * only the conversations they can change; the result is the one
 * thread_rebuild would store (docs/threads.md says why, tests/cli/T083
 * checks it).  Each email's thread keys (hashes of every id it names and
 * of its subject when specific enough for the subject fallback) find the
 * stored emails that share one; their conversations and the new emails
 * are linked again, together, in id order.  Falls back to thread_rebuild
 * when the keys are not stored yet (an older archive, or after a
 * reindex) or when the addition is at least 1/THREAD_FULL_FRACTION of
 * the archive.  COUNTS then count the relinked emails and their
 * conversations only.  Statuses as thread_rebuild's.
 */
#define THREAD_FULL_FRACTION 4
mt_status thread_update(struct store *st, struct thread_counts *counts,
                        struct mt_error *err);

/*
 * The linking alone, pure (no store), for thread_rebuild and its tests:
 * give every email with thread_linker_add (in id order), then
 * thread_linker_finish, then read each email's thread and parent.  A
 * linker belongs to one thread; thread_linker_free frees it (NULL: no-op).
 */
struct thread_email {
    int64_t id;
    const char *message_id, *in_reply_to, *refs, *subject;  /* NULL: none */
    bool has_date;
    int64_t date;
    int64_t old_thread, old_parent;     /* as stored before, -1 for none */
};
struct thread_linker;
/* NULL on ENOMEM. */
struct thread_linker *thread_linker_new(void);
/* Copies what it keeps of E.  MT_OK or MT_ENOMEM. */
mt_status thread_linker_add(struct thread_linker *l, const struct thread_email *e);
/* Copies, the subject fallback and conversations; *THREADS and
 * *BY_SUBJECT as struct thread_counts counts them.  MT_OK or MT_ENOMEM. */
mt_status thread_linker_finish(struct thread_linker *l, int64_t *threads, int64_t *by_subject);
/* The number of emails added. */
size_t thread_linker_count(const struct thread_linker *l);
/* After finish: the I-th email added (0-based): its *ID, its *THREAD (the
 * smallest email id of its conversation) and *PARENT (-1 for none). */
void thread_linker_result(const struct thread_linker *l, size_t i, int64_t *id,
                          int64_t *thread, int64_t *parent);
void thread_linker_free(struct thread_linker *l);

/*
 * The subject with reply and forward prefixes taken off ("Re:", "RE :",
 * "Fwd:", "TR :", "Réf. :", "AW:", "Re[2]:" ...), white space squeezed,
 * lower-cased, into OUT (SIZE bytes).  *WAS_REPLY says whether any prefix
 * was there.
 */
void thread_normalize_subject(const char *subject, char *out, size_t size,
                              bool *was_reply);

#endif
