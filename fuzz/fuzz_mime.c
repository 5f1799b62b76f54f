/* fuzz_mime.c - GMime parsing through our wrapper: must never crash, and
 * everything it returns must be valid UTF-8; and the Received fields'
 * reader on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "received.h"
#include "text.h"

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
    mime_message_free(m);
    return 0;
}
