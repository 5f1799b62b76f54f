/*
 * mime_compare.h - whether two parses of a message say the same in every
 * field of struct mime_message: what test_mime_trim and fuzz_mime compare
 * a trimmed parse with a parse of every header field (mime_trim.h).
 */
#ifndef MT_MIME_COMPARE_H
#define MT_MIME_COMPARE_H

#include <stdbool.h>
#include <string.h>

#include "mime.h"

static inline bool mime_same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static inline bool mime_messages_same(const struct mime_message *a,
                                      const struct mime_message *b)
{
    if (a->parsed != b->parsed || !mime_same_str(a->subject, b->subject)
        || a->has_date != b->has_date || a->date != b->date
        || !mime_same_str(a->date_raw, b->date_raw)
        || !mime_same_str(a->message_id, b->message_id)
        || !mime_same_str(a->in_reply_to, b->in_reply_to)
        || !mime_same_str(a->references, b->references)
        || a->address_count != b->address_count || !mime_same_str(a->body, b->body)
        || a->body_from_html != b->body_from_html || a->has_html != b->has_html
        || a->body_truncated != b->body_truncated
        || !mime_same_str(a->html_extra, b->html_extra)
        || a->attachment_count != b->attachment_count
        || a->from_header_count != b->from_header_count)
        return false;
    for (size_t i = 0; i < a->address_count; i++)
        if (a->addresses[i].role != b->addresses[i].role
            || !mime_same_str(a->addresses[i].name, b->addresses[i].name)
            || !mime_same_str(a->addresses[i].address, b->addresses[i].address))
            return false;
    for (size_t i = 0; i < a->attachment_count; i++) {
        const struct mime_attachment *x = &a->attachments[i], *y = &b->attachments[i];
        if (x->n != y->n || !mime_same_str(x->filename, y->filename)
            || !mime_same_str(x->content_type, y->content_type) || x->size != y->size
            || memcmp(x->sha256, y->sha256, sizeof x->sha256))
            return false;
    }
    return true;
}

#endif
