/* fuzz_msg.c - the .msg reader (libgsf's container, our property streams)
 * and the MIME writer on what it read: never a crash, a leak or a read
 * out of bounds, whatever the compound file.  Seeds: ../shared/corpora/
 * outlook/msg (copied into seeds/fuzz_msg by `make seeds`). */
#include <stdint.h>
#include <stdlib.h>

#include "mime.h"
#include "outlook/outlook.h"
#include "outlook/outlook_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    if (!initialized) {
        mime_init();   /* code pages: mime_append_in_charset */
        initialized = 1;
    }
    struct outlook_message *m = NULL;
    struct mt_error err = { 0 };
    if (outlook_msg_parse(data, size, &m, &err) == MT_OK) {
        struct buf out = BUF_INIT;
        outlook_write_mime(m, &out);
        buf_free(&out);
        outlook_message_free(m);
    }
    unsigned char *rtf;
    size_t n;
    if (outlook_rtf_decompress(data, size, &rtf, &n) == MT_OK)
        free(rtf);
    return 0;
}
