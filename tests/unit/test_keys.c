/* test_keys.c - key record files: the accepted forms, and bad names
 * reported with their line (the NUL-in-name case came from fuzz_keys). */
#include <string.h>

#include "keys.h"
#include "unit.h"

static const char zone[] =
    "; comment\n"
    "s1._domainkey.Example.ORG. 3600 IN TXT \"v=DKIM1; k=rsa; \" \"p=AAAA\"\n"
    "\n"
    "# another comment\n"
    "sel._domainkey.example.net TXT \"v=DKIM1; p=\"\n"
    "a..b._domainkey.example.com TXT \"p=\"\n"
    "x._domainkey.exa\0mple.com. TXT \"p=\"\n"
    "x._domainkey.example.com.. TXT \"p=\"\n"
    "no-domainkey.example.com TXT \"p=\"\n"
    "s2._domainkey.example.org\n";

int main(void)
{
    struct keys_file file;
    CHECK(keys_parse("t.zone", zone, sizeof zone - 1, &file) == MT_OK);
    CHECK(file.count == 2);
    if (file.count == 2) {
        CHECK_STR(file.records[0].name, "s1._domainkey.example.org");
        CHECK_STR(file.records[0].record, "v=DKIM1; k=rsa; p=AAAA");
        CHECK(file.records[0].line == 2);
        CHECK_STR(file.records[1].name, "sel._domainkey.example.net");
        CHECK(file.records[1].line == 5);
    }
    const char *problems = file.problems.data ? file.problems.data : "";
    CHECK(strstr(problems, "t.zone:6: record name has an empty label") != NULL);
    CHECK(strstr(problems, "t.zone:7: record name holds a character") != NULL);
    CHECK(strstr(problems, "t.zone:8: record name has an empty label") != NULL);
    CHECK(strstr(problems, "t.zone:9: name is not selector._domainkey.domain") != NULL);
    CHECK(strstr(problems, "t.zone:10: expected TXT") != NULL);
    keys_file_free(&file);
    return unit_failures != 0;
}
