/* fuzz_mbox.c - the mbox splitter on arbitrary bytes, with a small reader
 * buffer so long lines and buffer edges are exercised. */
#include <stdint.h>
#include <string.h>

#include "mbox.h"

struct memory { const uint8_t *data; size_t len, pos; };

static ssize_t memory_read(void *context, unsigned char *dest, size_t capacity,
                           struct mt_error *err)
{
    (void)err;
    struct memory *m = context;
    size_t n = m->len - m->pos;
    if (n > capacity)
        n = capacity;
    if (n > 97)
        n = 97;
    memcpy(dest, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct memory m = { data, size, 0 };
    struct reader r;
    struct mbox_splitter s;
    struct mbox_message message;
    if (reader_init(&r, memory_read, &m, 512) != MT_OK)
        return 0;
    mbox_splitter_init(&s, &r, 4096);
    while (mbox_next(&s, &message, NULL) == MT_OK) {
        if (!message.oversize && message.bytes.len > 4096)
            __builtin_trap();
        mbox_message_free(&message);
    }
    mbox_message_free(&message);
    mbox_splitter_free(&s);
    reader_free(&r);
    return 0;
}
