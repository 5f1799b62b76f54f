/* test_text.c - UTF-8 checks, windows-1252 fallback and JSON escaping. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "text.h"
#include "unit.h"

int main(void)
{
    CHECK(text_is_utf8("plain", 5));
    CHECK(text_is_utf8("\xc3\xa9l\xc3\xa9", 6));
    CHECK(!text_is_utf8("\xe9t\xe9", 3));           /* latin-1 */
    CHECK(!text_is_utf8("\xc0\xaf", 2));            /* overlong */
    CHECK(!text_is_utf8("\xed\xa0\x80", 3));        /* surrogate */
    CHECK(!text_is_utf8("\xf4\x90\x80\x80", 4));    /* > U+10FFFF */

    struct buf b = BUF_INIT;
    text_append_utf8_or_cp1252(&b, "caf\xe9 \x93quote\x94 \xc3\xa9", 15);
    CHECK_STR(b.data, "caf\xc3\xa9 \xe2\x80\x9cquote\xe2\x80\x9d \xc3\xa9");
    buf_clear(&b);
    text_append_utf8_or_cp1252(&b, "a\0b", 3);
    CHECK_STR(b.data, "a\xef\xbf\xbd" "b");
    buf_free(&b);

    /* Regression: a reserved but empty buf must read as "". */
    struct buf empty = BUF_INIT;
    buf_reserve(&empty, 10);
    CHECK(empty.data && empty.data[0] == '\0');
    char *stolen = buf_steal(&empty);
    CHECK_STR(stolen, "");
    free(stolen);

    struct json_writer w;
    json_init(&w, &b);
    json_object_begin(&w);
    json_key(&w, "s");
    json_string_len(&w, "\"\\\n\x01\xff</script>", 14);
    json_key(&w, "n");
    json_int(&w, -5);
    json_key(&w, "a");
    json_array_begin(&w);
    json_null(&w);
    json_bool(&w, true);
    json_array_end(&w);
    json_object_end(&w);
    CHECK(w.status == MT_OK);
    CHECK_STR(b.data, "{\"s\":\"\\\"\\\\\\n\\u0001\xc3\xbf</script>\",\"n\":-5,\"a\":[null,true]}");
    CHECK(text_is_utf8(b.data, b.len));
    buf_free(&b);
    /* terminal safety: controls, C1, bidi overrides and bad bytes escaped */
    {
        struct buf escaped = BUF_INIT;
        const char hostile[] = "a\x1b[31mred\x07\r\n\tok \xc2\x9b x\xe2\x80\xaegnp \xff \x7f"
                               " \xc3\xa9t\xc3\xa9";
        CHECK(text_escape_controls(hostile, sizeof hostile - 1, &escaped) == MT_OK);
        CHECK(!strcmp(escaped.data, "a\\x1b[31mred\\x07\\x0d\n\tok \\u009b x\\u202egnp \\xff \\x7f"
                              " \xc3\xa9t\xc3\xa9"));
        buf_clear(&escaped);
        CHECK(text_escape_controls("", 0, &escaped) == MT_OK && escaped.len == 0);
        buf_free(&escaped);
    }
    /* names and addresses matched as words are: case and accents folded */
#define CONTAINS(s, n) text_contains_folded(s, sizeof s - 1, n, sizeof n - 1)
    CHECK(CONTAINS("\xc3\x81lvaro Fern\xc3\xa1ndez", "fernandez"));
    CHECK(CONTAINS("Marie L\xc3\x89GER", "leger"));
    CHECK(CONTAINS("Jean.Dupont@Example.FR", "dupont@example"));
    CHECK(!CONTAINS("Jean Dupont", "durand"));
    CHECK(CONTAINS("\xce\x91\xce\xbb\xce\xad\xce\xbe\xce\xb7\xcf\x82",
                   "\xce\xb1\xce\xbb\xce\xb5\xce\xbe\xce\xb7\xcf\x83"));
    CHECK(CONTAINS("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd", "\xd0\xb8\xd0\xb2"));
    /* the sender's zone, from the Date header */
    int zone = 99;
    CHECK(text_date_zone("Mon, 24 Apr 2017 18:03:11 +0200", &zone) && zone == 120);
    CHECK(text_date_zone("Mon, 24 Apr 2017 18:03:11 -0530 (IST?)", &zone) && zone == -330);
    CHECK(text_date_zone("24 Apr 2017 18:03:11 EDT", &zone) && zone == -240);
    CHECK(text_date_zone("Mon, 24 Apr 2017 18:03:11 GMT", &zone) && zone == 0);
    CHECK(!text_date_zone("Mon, 24 Apr 2017 18:03:11 (CET)", &zone));
    CHECK(!text_date_zone("Mon, 24 Apr 2017 18:03:11", &zone));
    CHECK(!text_date_zone(NULL, &zone));
    char local_buf[48];
    const char *local = local_buf;
    text_format_local_date(1493056991, 120, local_buf, sizeof local_buf);
    CHECK_STR(local, "2017-04-24 20:03:11 +0200");
    text_format_local_date(1493056991, -330, local_buf, sizeof local_buf);
    CHECK_STR(local, "2017-04-24 12:33:11 -0530");
    return unit_failures != 0;
}
