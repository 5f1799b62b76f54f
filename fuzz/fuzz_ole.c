/* fuzz_ole.c - the legacy Office reader (src/extract/extract_ole.c): any
 * bytes as an OLE2 compound file (libgsf) and, inside it, as Word's piece
 * table, Excel's BIFF records with CONTINUE runs, PowerPoint's atoms:
 * never a crash, a hang or a read out of bounds; the text it gives is
 * UTF-8 and within the output limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract_int.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_ole(data, size, &r);
    if (r.text.len > EXTRACT_MAX_TEXT_BYTES || !text_is_utf8(buf_cstr(&r.text), r.text.len))
        abort();
    extract_result_free(&r);
    return 0;
}
