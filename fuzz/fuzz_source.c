/* fuzz_source.c - content sniffing, the header-block check, document
 * recognition and the search for an mbox behind junk. */
#include <stdint.h>
#include <string.h>

#include "mbox.h"
#include "mime.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    if (!initialized) {
        mime_init();   /* charsets (.msg strings, text members) */
        initialized = 1;
    }
    size_t skip;
    enum source_kind kind = source_classify(data, size, &skip);
    if (skip > size || (kind == SOURCE_EMPTY && size != 0))
        __builtin_trap();
    (void)source_message_problem(data, size);
    (void)source_document_kind(data, size);
    (void)source_media_kind(data, size);
    size_t start = source_find_mbox_start(data, size);
    /* what it finds is a separator line after a line end */
    if (start != SIZE_MAX
        && (start == 0 || start >= size || (data[start - 1] != '\n' && data[start - 1] != '\r')
            || size - start < 5 || memcmp(data + start, "From ", 5) != 0))
        __builtin_trap();
    unsigned char eol = mbox_line_end(data, size);
    if (eol != '\n' && eol != '\r')
        __builtin_trap();
    return 0;
}
