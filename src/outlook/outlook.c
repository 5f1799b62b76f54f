/* outlook.c - the Outlook item model: freeing it, growing its lists,
 * naming non-mail items, and the compressed-RTF decoder (MS-OXRTFCP). */
#include "outlook/outlook.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "text.h"

static void free_message_fields(struct outlook_message *m)
{
    free(m->message_class);
    free(m->transport_headers);
    free(m->subject);
    free(m->from_name);
    free(m->from_address);
    free(m->sender_name);
    free(m->sender_address);
    free(m->display_to);
    free(m->display_cc);
    free(m->display_bcc);
    for (size_t i = 0; i < m->recipient_count; i++) {
        free(m->recipients[i].name);
        free(m->recipients[i].address);
    }
    free(m->recipients);
    free(m->message_id);
    free(m->in_reply_to);
    free(m->references);
    free(m->body_text);
    free(m->body_html);
    free(m->body_rtf);
    for (size_t i = 0; i < m->attachment_count; i++) {
        struct outlook_attachment *a = &m->attachments[i];
        free(a->filename);
        free(a->mime_type);
        free(a->content_id);
        free(a->data);
        outlook_message_free(a->embedded);
    }
    free(m->attachments);
}

void outlook_message_free(struct outlook_message *m)
{
    if (m == NULL)
        return;
    free_message_fields(m);
    free(m);
}

mt_status outlook_add_recipient(struct outlook_message *m,
                                enum outlook_role role, const char *name,
                                const char *address)
{
    struct outlook_recipient *grown = realloc(
        m->recipients, (m->recipient_count + 1) * sizeof *grown);
    if (grown == NULL)
        return MT_ENOMEM;
    m->recipients = grown;
    char *n = name && *name ? strdup(name) : NULL;
    char *a = address && *address ? strdup(address) : NULL;
    if ((name && *name && n == NULL) || (address && *address && a == NULL)) {
        free(n);
        free(a);
        return MT_ENOMEM;
    }
    grown[m->recipient_count++] =
        (struct outlook_recipient){ .role = role, .name = n, .address = a };
    return MT_OK;
}

struct outlook_attachment *outlook_add_attachment(struct outlook_message *m)
{
    struct outlook_attachment *grown = realloc(
        m->attachments, (m->attachment_count + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    m->attachments = grown;
    struct outlook_attachment *a = &grown[m->attachment_count++];
    memset(a, 0, sizeof *a);
    return a;
}

static bool class_is(const char *cls, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(cls, prefix, n) == 0 && (cls[n] == '\0' || cls[n] == '.');
}

const char *outlook_non_mail_kind(const char *cls)
{
    /* The classes readpst writes as e-mail: notes, meeting requests and
     * responses (IPM.Schedule), delivery reports, and the secure and
     * signed variants of notes.  An item with no class is taken as mail:
     * it is what Outlook assumes too. */
    if (cls == NULL || *cls == '\0' || class_is(cls, "IPM.Note") ||
        class_is(cls, "IPM.Schedule") || class_is(cls, "REPORT") ||
        strcasecmp(cls, "IPM") == 0)
        return NULL;
    static const struct { const char *prefix, *kind; } kinds[] = {
        { "IPM.Contact", "contact" },
        { "IPM.DistList", "distribution list" },
        { "IPM.Appointment", "calendar entry" },
        { "IPM.Task", "task" },
        { "IPM.TaskRequest", "task request" },
        { "IPM.StickyNote", "note" },
        { "IPM.Activity", "journal entry" },
        { "IPM.Post", "post" },
        { "IPM.Document", "document" },
        { "IPM.Microsoft", "Outlook setting" },
        { "IPM.Configuration", "Outlook setting" },
        { "IPM.Sharing", "sharing invitation" },
        { "IPM.InfoPathForm", "form" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (class_is(cls, kinds[i].prefix))
            return kinds[i].kind;
    return "other item";
}

/* MS-OXRTFCP 2.1.2.1: the dictionary starts with these 207 bytes. */
static const char rtf_prebuf[] =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman "
    "\\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New "
    "RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

mt_status outlook_rtf_decompress(const unsigned char *in, size_t size,
                                 unsigned char **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (size < 16)
        return MT_EPARSE;
    uint32_t comp_size = le32(in), raw_size = le32(in + 4), type = le32(in + 8);
    /* COMPSIZE counts the bytes after itself; trust the smaller. */
    size_t end = comp_size + (size_t)4 < size ? comp_size + (size_t)4 : size;
    if (end < 16)
        return MT_EPARSE;   /* COMPSIZE says less than its own header */
    if (type == 0x414c454d) { /* "MELA": stored uncompressed */
        size_t n = end - 16 < raw_size ? end - 16 : raw_size;
        if ((*out = malloc(n + 1)) == NULL)
            return MT_ENOMEM;
        memcpy(*out, in + 16, n);
        *out_size = n;
        return MT_OK;
    }
    if (type != 0x75465a4c) /* "LZFu" */
        return MT_EPARSE;
    /* RAWSIZE is the writer's claim; cap what it may make us allocate. */
    size_t cap = raw_size < (size_t)64 << 20 ? raw_size : (size_t)64 << 20;
    unsigned char *o = malloc(cap + 1);
    if (o == NULL)
        return MT_ENOMEM;
    unsigned char dict[4096];
    size_t pre = sizeof rtf_prebuf - 1;
    memcpy(dict, rtf_prebuf, pre);
    memset(dict + pre, 0, sizeof dict - pre);
    size_t wpos = pre, n = 0, i = 16;
    while (i < end) {
        unsigned control = in[i++];
        for (int bit = 0; bit < 8 && i < end; bit++) {
            if (!(control & (1u << bit))) {
                unsigned char c = in[i++];
                if (n < cap)
                    o[n++] = c;
                dict[wpos] = c;
                wpos = (wpos + 1) % 4096;
                continue;
            }
            if (i + 2 > end)
                goto done;
            unsigned ref = (unsigned)in[i] << 8 | in[i + 1];
            i += 2;
            size_t offset = ref >> 4, length = (ref & 15) + 2;
            if (offset == wpos)
                goto done; /* the end marker */
            for (size_t k = 0; k < length; k++) {
                unsigned char c = dict[(offset + k) % 4096];
                if (n < cap)
                    o[n++] = c;
                dict[wpos] = c;
                wpos = (wpos + 1) % 4096;
            }
        }
    }
done:
    o[n] = '\0';
    *out = o;
    *out_size = n;
    return MT_OK;
}

/* iconv's name for a Windows code page number. */
static void codepage_name(int cp, char *out, size_t size)
{
    if (cp == 65001) snprintf(out, size, "UTF-8");
    else if (cp == 20127) snprintf(out, size, "ASCII");
    else if (cp >= 28591 && cp <= 28605) snprintf(out, size, "ISO-8859-%d", cp - 28590);
    else if (cp >= 50220 && cp <= 50222) snprintf(out, size, "ISO-2022-JP");
    else if (cp == 51932) snprintf(out, size, "EUC-JP");
    else if (cp == 51949) snprintf(out, size, "EUC-KR");
    else if (cp == 54936) snprintf(out, size, "GB18030");
    else if (cp == 20866) snprintf(out, size, "KOI8-R");
    else if (cp == 21866) snprintf(out, size, "KOI8-U");
    else if (cp == 10000) snprintf(out, size, "MACINTOSH");
    else snprintf(out, size, "CP%d", cp);
}

/* Bytes in code page CP as UTF-8; what iconv cannot take is read as
 * UTF-8 when it is, else as windows-1252. */
char *outlook_codepage_to_utf8(const unsigned char *d, size_t n, int cp)
{
    while (n && d[n - 1] == 0)
        n--;
    char name[32];
    codepage_name(cp, name, sizeof name);
    /* 1252 is also what writers claim for UTF-8 they did not convert */
    bool convert = cp > 0 && cp != 65001 && !(cp == 1252 && text_is_utf8((const char *)d, n));
    struct buf out = BUF_INIT;
    if (mime_append_in_charset(&out, convert ? name : NULL, d, n, NULL) != MT_OK) {
        buf_free(&out);
        return NULL;
    }
    return buf_steal(&out);
}

