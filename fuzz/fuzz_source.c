/* fuzz_source.c - content sniffing and the header-block check. */
#include <stdint.h>

#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t skip;
    enum source_kind kind = source_classify(data, size, &skip);
    if (skip > size || (kind == SOURCE_EMPTY && size != 0))
        __builtin_trap();
    (void)source_message_problem(data, size);
    return 0;
}
