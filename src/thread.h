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

/* Recompute the threads of the whole archive and store what changed. */
mt_status thread_rebuild(struct store *st, struct thread_counts *counts,
                         struct mt_error *err);

/*
 * The subject with reply and forward prefixes taken off ("Re:", "RE :",
 * "Fwd:", "TR :", "Réf. :", "AW:", "Re[2]:" ...), white space squeezed,
 * lower-cased, into OUT (SIZE bytes).  *WAS_REPLY says whether any prefix
 * was there.
 */
void thread_normalize_subject(const char *subject, char *out, size_t size,
                              bool *was_reply);

#endif
