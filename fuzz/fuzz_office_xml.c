/* fuzz_office_xml.c - the OOXML/ODF text walk (extract_xml_text): any XML
 * part, with DTDs and entities of its own; bounded output, no crash. */
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct extract_result r = { 0 };
    r.text = (struct buf)BUF_INIT;
    extract_xml_text(data, size, &r);
    if (r.text.len > EXTRACT_MAX_TEXT_BYTES)
        abort();
    extract_result_free(&r);
    return 0;
}
