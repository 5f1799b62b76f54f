/* test_outlook.c - the Outlook item model: compressed RTF (MS-OXRTFCP's
 * own example), non-mail classes, and the MIME writer read back by our
 * MIME parser (deterministic bytes, encoded names and subjects, an
 * embedded message); and encoded_word's repair for GMime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoded_word.h"
#include "mime.h"
#include "outlook/outlook.h"
#include "outlook/outlook_store.h"
#include "unit.h"

static void test_rtf(void)
{
    /* MS-OXRTFCP 3.1.1, "Compressing a String": its compressed form. */
    static const unsigned char comp[] = {
        0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75,
        0xf1, 0xc5, 0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67,
        0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09,
        0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
        0xa0,
    };
    unsigned char *out;
    size_t n;
    CHECK(outlook_rtf_decompress(comp, sizeof comp, &out, &n) == MT_OK);
    if (out) {
        CHECK(n == 43);
        CHECK_STR((char *)out, "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
        free(out);
    }
    /* damaged: too short, unknown type; and a truncated stream stops */
    CHECK(outlook_rtf_decompress(comp, 10, &out, &n) == MT_EPARSE);
    unsigned char bad[sizeof comp];
    memcpy(bad, comp, sizeof comp);
    bad[8] = 'X';
    CHECK(outlook_rtf_decompress(bad, sizeof bad, &out, &n) == MT_EPARSE);
    CHECK(outlook_rtf_decompress(comp, 30, &out, &n) == MT_OK && n < 43);
    free(out);
    /* Regression: a "MELA" header whose COMPSIZE is smaller than the
     * header itself made the copy length wrap around (found in review). */
    unsigned char mela[20] = { 0x02, 0, 0, 0, 0xff, 0xff, 0, 0, 'M', 'E', 'L', 'A' };
    CHECK(outlook_rtf_decompress(mela, sizeof mela, &out, &n) == MT_EPARSE);
    mela[0] = 16;   /* a sane one: 16 - 12 = 4 bytes of content */
    mela[16] = '{';
    CHECK(outlook_rtf_decompress(mela, sizeof mela, &out, &n) == MT_OK && n == 4 && out[0] == '{');
    free(out);
}

static void test_classes(void)
{
    CHECK(outlook_non_mail_kind("IPM.Note") == NULL);
    CHECK(outlook_non_mail_kind("IPM.Note.SMIME.MultipartSigned") == NULL);
    CHECK(outlook_non_mail_kind("IPM.Schedule.Meeting.Request") == NULL);
    CHECK(outlook_non_mail_kind("REPORT.IPM.Note.NDR") == NULL);
    CHECK(outlook_non_mail_kind(NULL) == NULL);
    CHECK_STR(outlook_non_mail_kind("IPM.Contact"), "contact");
    CHECK_STR(outlook_non_mail_kind("IPM.DistList"), "distribution list");
    CHECK_STR(outlook_non_mail_kind("IPM.Appointment"), "calendar entry");
    CHECK_STR(outlook_non_mail_kind("ipm.task"), "task");
    CHECK_STR(outlook_non_mail_kind("IPM.Post"), "post");
    CHECK_STR(outlook_non_mail_kind("IPM.Notebook"), "other item"); /* not IPM.Note */
}

static struct outlook_message *sample(void)
{
    struct outlook_message *m = calloc(1, sizeof *m);
    m->subject = strdup("R\xc3\xa9union \xe6\xa0\xbc\xe5\xbc\x8f\xe6\xb8\xac\xe8\xa9\xa6 "
                        "with a subject long enough to need two encoded words, or three");
    m->from_name = strdup("L\xc3\xa9on \"Boss\" Blum");
    m->from_address = strdup("leon@example.org");
    m->display_to = strdup("Anna; bob@example.net");
    outlook_add_recipient(m, OUTLOOK_CC, "Carla", "carla@example.org");
    m->submit_time = 1489480200;
    m->message_id = strdup("<x1@example.org>");
    m->body_text = strdup("Line one\nLine = two with trailing space \n\xc3\xa9t\xc3\xa9\n");
    m->body_html = strdup("<p>Line one</p>");
    struct outlook_attachment *a = outlook_add_attachment(m);
    a->filename = strdup("r\xc3\xa9sum\xc3\xa9.txt");
    a->mime_type = strdup("text/plain");
    a->data = (unsigned char *)strdup("attached words");
    a->size = 14;
    a = outlook_add_attachment(m);
    a->embedded = calloc(1, sizeof *a->embedded);
    a->embedded->subject = strdup("Inner");
    a->embedded->body_text = strdup("inner body");
    return m;
}

static void test_writer(void)
{
    struct outlook_message *m = sample();
    struct buf one = BUF_INIT, two = BUF_INIT;
    CHECK(outlook_write_mime(m, &one) == MT_OK);
    CHECK(outlook_write_mime(m, &two) == MT_OK);
    CHECK(one.len == two.len && !memcmp(one.data, two.data, one.len)); /* deterministic */
    CHECK(strstr(one.data, "\r\n\r\n") != NULL);
    struct mime_message *p = NULL;
    CHECK(mime_parse((const unsigned char *)one.data, one.len, &p) == MT_OK);
    if (p) {
        CHECK_STR(p->subject, m->subject);
        CHECK(p->address_count >= 3);
        CHECK_STR(p->addresses[0].name, "L\xc3\xa9on \"Boss\" Blum");
        CHECK_STR(p->addresses[0].address, "leon@example.org");
        bool bob = false, carla = false;
        for (size_t i = 0; i < p->address_count; i++) {
            bob |= p->addresses[i].address && !strcmp(p->addresses[i].address, "bob@example.net");
            carla |= p->addresses[i].role == MIME_CC && p->addresses[i].address
                     && !strcmp(p->addresses[i].address, "carla@example.org");
        }
        CHECK(bob);   /* a display name that is an address becomes the address */
        CHECK(carla); /* the recipient table wins over the display list */
        /* a name without an address: an empty group, no invented address */
        CHECK(strstr(one.data, "To: \"Anna\":;,\r\n <bob@example.net>\r\n") != NULL);
        CHECK(p->has_date && p->date == 1489480200);
        CHECK_STR(p->message_id, "x1@example.org");
        CHECK(strstr(p->body, "Line = two with trailing space") != NULL);
        CHECK(strstr(p->body, "\xc3\xa9t\xc3\xa9") != NULL);
        CHECK(p->attachment_count == 2);
        if (p->attachment_count == 2) {
            CHECK_STR(p->attachments[0].filename, "r\xc3\xa9sum\xc3\xa9.txt");
            CHECK_STR(p->attachments[1].content_type, "message/rfc822");
        }
        mime_message_free(p);
    }
    buf_free(&one);
    buf_free(&two);
    outlook_message_free(m);

    /* Transport headers stand, less those of the body we rewrote, and
     * Exchange's first line that is not a header field. */
    struct outlook_message *t = calloc(1, sizeof *t);
    t->transport_headers = strdup("Microsoft Mail Internet Headers Version 2.0\r\n"
                                  "From: a@example.org\r\nSubject: kept\r\n"
                                  "Content-Type: text/plain;\r\n charset=koi8-r\r\n\r\n");
    t->subject = strdup("not used");
    t->body_text = strdup("body");
    struct buf tb = BUF_INIT;
    CHECK(outlook_write_mime(t, &tb) == MT_OK);
    CHECK(strncmp(tb.data, "From: a@example.org\r\nSubject: kept\r\nMIME-Version: 1.0\r\n", 53) == 0);
    CHECK(strstr(tb.data, "koi8-r") == NULL);
    buf_free(&tb);
    outlook_message_free(t);
}

static void test_encoded_words(void)
{
    static const char msg[] = "Subject: =?UTF-8?B?w6k=?=\r\n =?UTF-8?B?w6k=?=\r\n\r\n=?UTF-8?B?w6k=?=\r\n";
    size_t n;
    unsigned char *fixed = encoded_word_requote((const unsigned char *)msg, sizeof msg - 1, &n);
    CHECK(fixed != NULL);
    if (fixed) {
        /* the header is rewritten, the body is not */
        const char *want = "Subject: =?UTF-8?Q?=C3=A9?=\r\n =?UTF-8?Q?=C3=A9?=\r\n\r\n=?UTF-8?B?w6k=?=\r\n";
        CHECK(n == strlen(want) && !memcmp(fixed, want, n));
        free(fixed);
    }
    static const char plain[] = "Subject: =?UTF-8?B?w6nDqQ?=\r\n\r\nbody";
    CHECK(encoded_word_requote((const unsigned char *)plain, sizeof plain - 1, &n) == NULL);
    struct mime_message *p = NULL;
    CHECK(mime_parse((const unsigned char *)msg, sizeof msg - 1, &p) == MT_OK);
    if (p)
        CHECK_STR(p->subject, "\xc3\xa9\xc3\xa9"); /* GMime alone reads "é" */
    mime_message_free(p);
}

struct collected { int items; char member[64]; char bytes[64]; };

static mt_status collect(void *context, const char *member, struct buf *bytes,
                         const char *reason)
{
    struct collected *c = context;
    c->items++;
    snprintf(c->member, sizeof c->member, "%s", member);
    snprintf(c->bytes, sizeof c->bytes, "%s", bytes ? buf_cstr(bytes) : reason);
    return MT_OK;
}

/* A helper that dies after one item: the item counts, the death is
 * reported as the store's failure, nothing else breaks. */
static void test_helper_crash(void)
{
    char script[] = "/tmp/mailtrove-test-helper-XXXXXX";
    int fd = mkstemp(script);
    if (fd < 0)
        return;
    const char *text = "#!/bin/sh\nprintf 'M\\005\\000\\000\\000Inbox\\005\\000\\000\\000"
                       "\\000\\000\\000\\000hello'\nkill -SEGV $$\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    chmod(script, 0700);
    struct collected c = { 0 };
    struct outlook_store_result r;
    CHECK(outlook_store_read(script, "/dev/null", 1 << 20, collect, &c, &r, NULL) == MT_OK);
    CHECK(c.items == 1 && !strcmp(c.member, "Inbox") && !strcmp(c.bytes, "hello"));
    CHECK(strstr(r.failure, "stopped after 1 items") && strstr(r.failure, "crashed (signal 11)"));
    CHECK(r.expected == -1);
    unlink(script);

    static const unsigned char pst[12] = "!BDN\0\0\0\0SM\x17";
    static const unsigned char ost[12] = "!BDN\0\0\0\0SO\x24";
    CHECK(outlook_store_kind(pst, 12) && !strcmp(outlook_store_kind(pst, 12), "pst"));
    CHECK(outlook_store_kind(ost, 12) && !strcmp(outlook_store_kind(ost, 12), "ost"));
    CHECK(outlook_store_kind(pst, 8) == NULL);
}

int main(void)
{
    mime_init();
    test_rtf();
    test_classes();
    test_writer();
    test_encoded_words();
    test_helper_crash();
    mime_shutdown();
    return unit_failures != 0;
}
