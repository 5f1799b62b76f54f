/*
 * evidence.h - one email's evidence bundle (CONTRACT.md "Organization,
 * evidence, integrity"; docs/evidence.md): a zip a reader can check
 * offline with standard tools, holding exactly
 *   message.eml  the stored bytes, as `show --raw` gives them
 *   keys.zone    the key records its signatures were checked with, each
 *                with its source and import time as comments
 *   report.json  the `show --json` document
 *   README.txt   what it proves and how to re-verify it with Debian's
 *                python3-dkim, no network needed
 * The same archive state gives the same bytes (fixed member times), so
 * a bundle can be cached and its hash quoted.
 *
 * Reads the store only; the caller's thread.
 */
#ifndef MT_EVIDENCE_H
#define MT_EVIDENCE_H

#include <stdint.h>

#include "buf.h"
#include "status.h"
#include "store.h"

/*
 * The bundle of email ID appended to ZIP.  MT_OK; MT_ENOTFOUND when there
 * is no such email; MT_ENOMEM, MT_EDB or MT_EIO (the zip writer) with ERR.
 */
mt_status evidence_bundle(struct store *st, int64_t id, struct buf *zip, struct mt_error *err);

#endif
