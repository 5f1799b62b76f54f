/*
 * attachment_text.h - what ingest learns from each attachment, as the
 * MIME walk finds it (a mime_options examine callback): its text
 * (extract.h), and whether it is an attached message (message/rfc822, or
 * an Outlook .msg file) to be stored as an email of its own; with
 * messages_only, that message's bytes instead of any text.
 *
 * Reentrant; a struct attachment_examiner is read only.
 */
#ifndef MT_ATTACHMENT_TEXT_H
#define MT_ATTACHMENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "mime.h"
#include "store.h"

/* Attached messages nested deeper than this are not stored on their own
 * (their text is still extracted). */
#define ATTACHMENT_MAX_MESSAGE_DEPTH 3

struct attachment_examiner {
    const char *helper; /* extract.h's helper program, or NULL: in process */
    int depth;          /* messages around the one being parsed */
    bool messages_only; /* keep attached messages' bytes, extract no text */
    bool ocr;           /* images and scans read by OCR (extract.h) */
    struct extract_pool *pool;  /* a long-lived helper (extract.h), or NULL */
};

/* Whether the archive reads images and scanned pages by OCR: `ingest
 * --ocr` or `reindex --ocr` turned it on (attachment_text_use_ocr), and
 * it stays on, so mail added later, a reindex and the web's text route
 * read attachments the same way. */
bool attachment_text_ocr(struct store *st);
mt_status attachment_text_use_ocr(struct store *st, struct mt_error *err);

/* The mime_options examine callback; CONTEXT is a struct attachment_examiner. */
void attachment_examine(void *context, struct mime_attachment *a, const unsigned char *bytes,
                        size_t len, const char *charset, bool message_part);

#endif
