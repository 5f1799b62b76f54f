/* fuzz_mime.c - GMime parsing through our wrapper: must never crash, and
 * everything it returns must be valid UTF-8; the same as GMime parsing
 * every header field (mime_trim.h); and the Received fields' reader on
 * the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "mime_compare.h"
#include "mime_trim.h"
#include "received.h"
#include "text.h"

/* M (trimmed before GMime) against the parse of every header field. */
static void check_untrimmed(const uint8_t *data, size_t size, const struct mime_message *m)
{
    size_t len;
    unsigned char *trimmed = mime_trim_headers(data, size, &len);
    if (!trimmed)
        return;
    if (len >= size || trimmed[len] != '\0')
        __builtin_trap();
    free(trimmed);
    struct mime_options every = { .every_header = true };
    struct mime_message *all = NULL;
    if (mime_parse_with(data, size, &every, &all) != MT_OK)
        return;
    if (!mime_messages_same(m, all))
        __builtin_trap();
    mime_message_free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    struct mime_message *m = NULL;
    if (!initialized) {
        mime_init();
        initialized = 1;
    }
    /* the relays' dates (received.h), read from the same header block */
    struct received_hop *hops;
    size_t count;
    if (received_hops(data, size, &hops, &count) == MT_OK) {
        if (count > RECEIVED_MAX_HOPS)
            __builtin_trap();
        received_hops_free(hops, count);
    }
    if (mime_parse(data, size, &m) != MT_OK)
        return 0;
    if (!text_is_utf8(m->body, strlen(m->body)))
        __builtin_trap();
    if (m->subject && !text_is_utf8(m->subject, strlen(m->subject)))
        __builtin_trap();
    for (size_t i = 0; i < m->address_count; i++)
        if (m->addresses[i].name
            && !text_is_utf8(m->addresses[i].name, strlen(m->addresses[i].name)))
            __builtin_trap();
    for (size_t i = 0; i < m->attachment_count; i++) {
        unsigned char *bytes;
        size_t len;
        if (mime_get_attachment(data, size, m->attachments[i].n, &bytes, &len) == MT_OK) {
            if (len != m->attachments[i].size)
                __builtin_trap();
            free(bytes);
        }
    }
    check_untrimmed(data, size, m);
    mime_message_free(m);
    return 0;
}
