/* attachment_text.c - an attachment's text, and attached messages kept to
 * be stored on their own (attachment_text.h). */
#include "attachment_text.h"

#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "outlook/outlook.h"
#include "outlook/outlook_msg.h"

/* The text of an attached message: its subject and body. */
static void message_text(struct mime_attachment *a, const unsigned char *bytes, size_t len)
{
    struct mime_message *m = NULL;
    if (mime_parse(bytes, len, &m) != MT_OK || m == NULL) {
        a->extraction = EXTRACT_FAILED;
        a->extraction_reason = strdup("out of memory reading an attached message");
        return;
    }
    struct buf text = BUF_INIT;
    if (m->subject)
        buf_printf(&text, "%s\n", m->subject);
    buf_append_str(&text, m->body ? m->body : "");
    if (text.len > EXTRACT_MAX_TEXT_BYTES)
        text.len = EXTRACT_MAX_TEXT_BYTES, text.data[text.len] = '\0';
    a->text_len = text.len;
    a->text = buf_steal(&text);
    a->extraction = a->text_len ? EXTRACT_OK : EXTRACT_EMPTY;
    if (!a->text_len)
        a->extraction_reason = strdup("an attached message with no text");
    mime_message_free(m);
}

static bool keep_message(struct mime_attachment *a, const unsigned char *bytes, size_t len)
{
    a->message = malloc(len ? len : 1);
    if (a->message == NULL)
        return false;
    memcpy(a->message, bytes, len);
    a->message_len = len;
    return true;
}

/* An Outlook .msg attached: written as MIME, kept and read like an
 * attached message.  False when it is not a .msg. */
static bool attached_msg(const struct attachment_examiner *x, struct mime_attachment *a,
                         const unsigned char *bytes, size_t len)
{
    if (len < 8 || memcmp(bytes, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) != 0)
        return false;
    struct outlook_message *m = NULL;
    if (outlook_msg_parse(bytes, len, &m, NULL) != MT_OK)
        return false;
    struct buf mime = BUF_INIT;
    bool ok = outlook_write_mime(m, &mime) == MT_OK;
    outlook_message_free(m);
    if (ok) {
        if (!x->messages_only)
            message_text(a, (const unsigned char *)buf_cstr(&mime), mime.len);
        a->holds_message = x->depth < ATTACHMENT_MAX_MESSAGE_DEPTH;
        if (a->holds_message && x->messages_only) {
            a->message_len = mime.len;
            a->message = (unsigned char *)buf_steal(&mime);
            a->message_derived = "msg";
        }
    }
    buf_free(&mime);
    return ok;
}

void attachment_examine(void *context, struct mime_attachment *a, const unsigned char *bytes,
                        size_t len, const char *charset, bool message_part)
{
    const struct attachment_examiner *x = context;
    if (message_part) {
        if (!x->messages_only)
            message_text(a, bytes, len);
        a->holds_message = x->depth < ATTACHMENT_MAX_MESSAGE_DEPTH;
        /* the bytes only when they are to be stored now: the ingest's
         * second pass (ingest.c) reads them again from the carrier */
        if (a->holds_message && x->messages_only)
            keep_message(a, bytes, len);
        return;
    }
    if (attached_msg(x, a, bytes, len) || x->messages_only)
        return;
    struct extract_options options = { .helper = x->helper, .ocr = x->ocr, .pool = x->pool };
    struct extract_result r;
    extract_text(bytes, len, a->content_type, a->filename, charset, &options, &r);
    a->extraction = (int)r.outcome;
    if (r.reason[0])
        a->extraction_reason = strdup(r.reason);
    if (r.text.len) {
        a->text_len = r.text.len;
        a->text = buf_steal(&r.text);
    }
    extract_result_free(&r);
}

bool attachment_text_ocr(struct store *st)
{
    struct buf value = BUF_INIT;
    bool on = store_setting(st, "ocr", &value, NULL) == MT_OK && !strcmp(buf_cstr(&value), "yes");
    buf_free(&value);
    return on;
}

mt_status attachment_text_use_ocr(struct store *st, struct mt_error *err)
{
    return store_set_setting(st, "ocr", "yes", err);
}
