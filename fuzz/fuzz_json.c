/* fuzz_json.c - JSON string escaping must always give valid UTF-8. */
#include <stdint.h>

#include "json.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf out = BUF_INIT;
    if (json_append_escaped(&out, (const char *)data, size) == MT_OK
        && !text_is_utf8(out.data, out.len))
        __builtin_trap();
    buf_free(&out);
    return 0;
}
