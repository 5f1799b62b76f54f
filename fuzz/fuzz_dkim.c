/* fuzz_dkim.c - DKIM tag lists, body canonicalization, key records and a
 * whole verification (with one key that matches any d=/s= used in tests)
 * on arbitrary bytes: never a crash, never a pass without a valid key, and
 * body canonicalization always the same as the byte-by-byte reference
 * (tests/unit/canon_reference.h); and what key recovery reads of each
 * signature (dkim_signed_hashes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon_reference.h"
#include "dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dkim_tag tags[64];
    (void)dkim_parse_tags((const char *)data, size, tags, 64);
    if (!canonical_same_as_reference(data, size, size & 1))
        __builtin_trap();
    char *record = malloc(size + 1);
    if (record) {
        memcpy(record, data, size);
        record[size] = '\0';
        const char *type;
        (void)dkim_key_record_bits(record, &type);
        free(record);
    }
    struct dkim_key key = { "s._domainkey.example.org",
                            "v=DKIM1; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAKz6Rz1", 1 };
    struct dkim_keyring ring = { &key, 1, NULL };
    struct dkim_report *report;
    if (dkim_verify_message(data, size, &ring, 0, &report) == MT_OK) {
        for (size_t i = 0; i < report->count; i++)
            if (report->signatures[i].result == DKIM_PASS)
                __builtin_trap();   /* the key above is truncated: unusable */
        dkim_report_free(report);
    }
    /* what key recovery reads of each signature, key or no key */
    struct dkim_signed_hash *hashes;
    size_t count;
    if (dkim_signed_hashes(data, size, &hashes, &count) == MT_OK) {
        for (size_t i = 0; i < count; i++)
            if (!hashes[i].name || (hashes[i].digest_len != 20 && hashes[i].digest_len != 32))
                __builtin_trap();
        dkim_signed_hashes_free(hashes, count);
    }
    return 0;
}
