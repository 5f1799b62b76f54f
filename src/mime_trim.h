/*
 * mime_trim.h - a message's header block cut down to the fields that
 * mime.c reads, before GMime parses it.
 *
 * GMime makes an object of every header field it parses, and creating
 * and freeing them was a fifth of a parse worker's time (docs/ingest.md,
 * session 23).  A list message has 15 to 40 top-level fields (Received,
 * List-*, X-*, DKIM-Signature, ARC-*), of which mime.c reads nine: the
 * others are read, where they are read at all, from the raw bytes
 * (received.h, dkim.h, the page's header list).  So the parser gets a
 * copy without them.  The stored bytes, and everything that reads them,
 * are unchanged.
 *
 * Only a plain header block is cut: every line up to the first empty one
 * is a field ("Name:" with the name in printable ASCII, nothing between
 * it and the colon) or a folded continuation of one, with no NUL and no
 * CR but before its LF.  Anything else (an mbox "From " line, a line
 * without a colon, a header block that never ends) may be read by GMime
 * in a way of its own, so the message is parsed as it is.
 *
 * Pure and reentrant.
 */
#ifndef MT_MIME_TRIM_H
#define MT_MIME_TRIM_H

#include <stdbool.h>
#include <stddef.h>

/* Whether mime.c reads the top-level field NAME (LEN bytes, any case):
 * From, To, Cc, Bcc, Subject, Date, Message-ID, In-Reply-To, References,
 * MIME-Version and every Content-* field (they make the top MIME part). */
bool mime_trim_keeps(const char *name, size_t len);

/* RAW (LEN bytes) without the top-level fields mime_trim_keeps does not
 * keep: a malloc'd copy the caller frees, its length in *OUT_LEN (a NUL
 * follows, not counted).  NULL
 * when no field is dropped, when the header block is not plain (above),
 * or when out of memory: then RAW is parsed as it is, which gives the
 * same result. */
unsigned char *mime_trim_headers(const unsigned char *raw, size_t len, size_t *out_len);

#endif
