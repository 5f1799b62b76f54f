/*
 * received.h - the Received header fields of a message (RFC 5321 4.4):
 * the relays that say they handled it, each with the date it claims.
 * Each relay adds its field on top, so the first field is the last hop.
 * Only what dates need is read: the host after "by" and the date after
 * the last ';'.  A field without a readable date is kept, undated.
 *
 * Pure (GMime's date parser); reentrant.
 */
#ifndef MT_RECEIVED_H
#define MT_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct received_hop {
    char *by;        /* the receiving host as it names itself, or NULL (owned) */
    bool dated;
    int64_t date;    /* seconds since the epoch, UTC, when DATED */
};

/* At most this many fields are read (a loop of relays adds hundreds). */
#define RECEIVED_MAX_HOPS 64

/*
 * The Received fields of RAW's header block (LEN bytes, any line ends), in
 * header order (latest hop first).  On MT_OK *OUT is an array of *COUNT
 * hops (received_hops_free), possibly none.  MT_OK or MT_ENOMEM.
 */
mt_status received_hops(const unsigned char *raw, size_t len, struct received_hop **out,
                        size_t *count);
void received_hops_free(struct received_hop *hops, size_t count);

#endif
