/* fuzz_rtf.c - the RTF reader (src/extract/extract_rtf.c): any bytes after
 * "{\rtf", never a crash, a hang or a read out of bounds; the text it
 * gives is UTF-8 and within the output limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract_int.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_rtf(data, size, &r);
    if (r.text.len > EXTRACT_MAX_TEXT_BYTES || !text_is_utf8(buf_cstr(&r.text), r.text.len))
        abort();
    extract_result_free(&r);
    return 0;
}
