/* fuzz_zip_attachment.c - the zip walk of an attachment (extract_zip, in
 * process): any bytes as a zip, its members read in turn within the
 * limits (members, unzipped bytes, ratio, depth); no crash, bounded text. */
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract_int.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    if (!initialized) {
        mime_init();   /* charsets (.msg strings, text members) */
        initialized = 1;
    }
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_zip(data, size, 0, NULL, &r);
    if (r.text.len > EXTRACT_MAX_TEXT_BYTES)
        abort();
    extract_result_free(&r);
    return 0;
}
