/* test_mime.c - parsing the fixtures in tests/data/mail (run from tests/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mime.h"
#include "text.h"
#include "unit.h"

/* ISO-8859-1 is converted by mime.c itself: the same bytes as GLib's
 * iconv gives, for every byte value, NUL included, under each name. */
static void latin1_case(void)
{
    unsigned char bytes[256 + 1000];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)i;
    unsigned int x = 12345;
    for (int i = 256; i < (int)sizeof bytes; i++) {
        x = x * 1103515245u + 12345u;
        bytes[i] = (unsigned char)(x >> 16);
    }
    gsize written = 0;
    gchar *iconv_utf8 = g_convert((const gchar *)bytes, sizeof bytes, "UTF-8", "ISO-8859-1",
                                  NULL, &written, NULL);
    struct buf want = BUF_INIT;
    CHECK(iconv_utf8 && text_append_utf8_or_cp1252(&want, iconv_utf8, written) == MT_OK);
    static const char *names[] = { "ISO-8859-1", "iso8859-1", "latin1", "ISO_8859-1" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct buf got = BUF_INIT;
        bool converted = false;
        CHECK(mime_append_in_charset(&got, names[i], bytes, sizeof bytes, &converted) == MT_OK);
        CHECK(converted);
        CHECK(got.len == want.len && !memcmp(got.data, want.data, want.len));
        buf_free(&got);
    }
    g_free(iconv_utf8);
    buf_free(&want);
}

static struct mime_message *parse_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    static unsigned char data[1 << 20];
    struct mime_message *m = NULL;
    if (!f) {
        printf("not ok - cannot open %s\n", path);
        unit_failures++;
        return NULL;
    }
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    CHECK(mime_parse(data, len, &m) == MT_OK);
    return m;
}

int main(void)
{
    mime_init();
    latin1_case();
    struct mime_message *m = parse_file("data/mail/french-crlf.eml");
    if (m) {
        CHECK(m->parsed);
        CHECK_STR(m->subject, "R\xc3\xa9union \xc3\xa0 l'\xc3\x89lys\xc3\xa9" "e");
        CHECK(m->address_count == 4);
        CHECK(m->addresses[0].role == MIME_FROM);
        CHECK_STR(m->addresses[0].name, "Jean Dupont");
        CHECK_STR(m->addresses[2].name, "Fran\xc3\xa7ois L\xc3\xa9ger");
        CHECK(m->has_date && m->date == 1489480200);
        CHECK_STR(m->message_id, "reunion-2017@en-marche.fr");
        CHECK_STR(m->references, "older@example.org simple-1@example.org");
        CHECK(strstr(m->body, "d\xc3\xa9plac\xc3\xa9" "e") != NULL);
        CHECK(strchr(m->body, '\r') == NULL);
        CHECK(m->from_header_count == 1);
        mime_message_free(m);
    }
    m = parse_file("data/mail/attachments.eml");
    if (m) {
        CHECK(m->attachment_count == 3);
        if (m->attachment_count == 3) {
            CHECK_STR(m->attachments[0].filename, "budget 2017.pdf");
            CHECK(m->attachments[1].size == 512);
            CHECK_STR(m->attachments[2].content_type, "message/rfc822");
        }
        mime_message_free(m);
    }
    m = parse_file("data/mail/html-only.eml");
    if (m) {
        CHECK(m->body_from_html);
        CHECK(strncmp(m->body, "Caf\xc3\xa9 cr\xc3\xa8me & croissants", 25) == 0);
        CHECK(strstr(m->body, "alert") == NULL);
        mime_message_free(m);
    }
    /* Junk still parses to something storable. */
    CHECK(mime_parse((const unsigned char *)"\x01\x02", 2, &m) == MT_OK);
    CHECK(m && m->body != NULL);
    mime_message_free(m);

    /* Classic Mac OS line ends (bare CR) are line ends, as in mail clients. */
    static const char mac[] = "From: Jean <jean@example.fr>\rSubject: Bonjour\r"
                              "Date: Mon, 24 Apr 2017 18:03:11 +0000\r\rLigne un\rLigne deux\r";
    CHECK(mime_parse((const unsigned char *)mac, sizeof mac - 1, &m) == MT_OK);
    if (m) {
        CHECK_STR(m->subject, "Bonjour");
        CHECK(m->address_count == 1 && !strcmp(m->addresses[0].address, "jean@example.fr"));
        CHECK(m->has_date);
        CHECK(strstr(m->body, "Ligne un\nLigne deux") != NULL);
        mime_message_free(m);
    }

    /* Words only in the HTML half of a multipart/alternative are kept for
     * the index (html_extra), once each; the body stays the plain half. */
    static const char alt[] = "From: a@example.org\nSubject: alt\nMIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        "The budget is ready.\n--b\nContent-Type: text/html\n\n"
        "<p>The <b>budget</b> is ready, see the Zanzibar annex and the annex.</p>\n--b--\n";
    CHECK(mime_parse((const unsigned char *)alt, sizeof alt - 1, &m) == MT_OK);
    if (m) {
        CHECK(strncmp(m->body, "The budget is ready.", 20) == 0);
        CHECK_STR(m->html_extra, "see Zanzibar annex and");
        mime_message_free(m);
    }
    /* the same words in both halves add nothing */
    static const char same[] = "From: a@example.org\nSubject: alt\nMIME-Version: 1.0\n"
        "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        "Meet at noon.\n--b\nContent-Type: text/html\n\n<p>Meet at <b>NOON</b>.</p>\n--b--\n";
    CHECK(mime_parse((const unsigned char *)same, sizeof same - 1, &m) == MT_OK);
    if (m) {
        CHECK(m->html_extra == NULL);
        mime_message_free(m);
    }

    char *text = mime_html_to_text("<p>a&eacute;<br>b</p><script>x</script>", 38);
    CHECK_STR(text, "a\xc3\xa9\nb\n");
    free(text);
    /* Regression: HTML with no text gave an unterminated string (ASan,
     * SpamAssassin corpus). */
    text = mime_html_to_text("<p></p>", 7);
    CHECK_STR(text, "");
    free(text);
    mime_shutdown();
    return unit_failures != 0;
}
