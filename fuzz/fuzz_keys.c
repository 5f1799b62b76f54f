/* fuzz_keys.c - key record files (keys import) on arbitrary bytes: never a
 * crash; every record found has a lower-case name without a trailing dot
 * and a line number inside the file; each record's key text goes through
 * the DKIM key-record parser too. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "dkim.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keys_file file;
    if (keys_parse("fuzz.zone", (const char *)data, size, &file) != MT_OK)
        return 0;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    for (size_t i = 0; i < file.count; i++) {
        const struct keys_record *r = &file.records[i];
        size_t n = strlen(r->name);
        if (n == 0 || r->name[n - 1] == '.' || r->line < 1 || (size_t)r->line > lines)
            __builtin_trap();
        for (size_t k = 0; k < n; k++)
            if (isupper((unsigned char)r->name[k]))
                __builtin_trap();
        const char *type;
        (void)dkim_key_record_bits(r->record, &type);
    }
    keys_file_free(&file);
    return 0;
}
