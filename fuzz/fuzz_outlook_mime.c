/* fuzz_outlook_mime.c - the item-to-MIME writer: an Outlook item whose
 * strings and blobs come from the input (any bytes: not UTF-8, quotes,
 * line ends, boundary look-alikes), written and parsed back.  The output
 * must parse, and its subject must come back when it was plain text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "outlook/outlook.h"

/* The next NUL-separated field of the input, malloc'd, or NULL when empty. */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *start = *p;
    while (*p < end && **p)
        (*p)++;
    size_t n = (size_t)(*p - start);
    if (*p < end)
        (*p)++;
    if (n == 0)
        return NULL;
    char *s = malloc(n + 1);
    memcpy(s, start, n);
    s[n] = '\0';
    return s;
}

static struct outlook_message *item(const uint8_t **p, const uint8_t *end, int depth)
{
    struct outlook_message *m = calloc(1, sizeof *m);
    m->transport_headers = field(p, end);
    m->subject = field(p, end);
    m->from_name = field(p, end);
    m->from_address = field(p, end);
    m->display_to = field(p, end);
    char *rname = field(p, end), *raddr = field(p, end);
    outlook_add_recipient(m, OUTLOOK_CC, rname, raddr);
    free(rname);
    free(raddr);
    m->message_id = field(p, end);
    m->body_text = field(p, end);
    m->body_html = field(p, end);
    while (*p < end && m->attachment_count < 4) {
        struct outlook_attachment *a = outlook_add_attachment(m);
        a->filename = field(p, end);
        a->mime_type = field(p, end);
        a->content_id = field(p, end);
        char *data = field(p, end);
        a->data = (unsigned char *)data;
        a->size = data ? strlen(data) : 0;
        if (depth < 3 && *p < end && **p == 'E') {
            (*p)++;
            a->embedded = item(p, end, depth + 1);
        }
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    if (!initialized) {
        mime_init();
        initialized = 1;
    }
    const uint8_t *p = data;
    struct outlook_message *m = item(&p, data + size, 0);
    struct buf out = BUF_INIT;
    if (outlook_write_mime(m, &out) == MT_OK) {
        struct mime_message *parsed = NULL;
        if (mime_parse((const unsigned char *)out.data, out.len, &parsed) != MT_OK)
            abort();
        mime_message_free(parsed);
    }
    buf_free(&out);
    outlook_message_free(m);
    return 0;
}
