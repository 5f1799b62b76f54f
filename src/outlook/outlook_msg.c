/* outlook_msg.c - .msg files (MS-OXMSG) into struct outlook_message.
 * libgsf reads the compound file; the property streams are ours. */
#include "outlook/outlook_msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-input.h>

#include "text.h"

#define MAX_EMBEDDING 8
#define MAX_CHILDREN 100000

/* One storage: a message, a recipient or an attachment. */
struct storage {
    GsfInfile *dir;
    unsigned char *fixed;   /* __properties_version1.0 */
    size_t fixed_len;
    size_t header;          /* 32 top message, 24 embedded, 8 otherwise */
    int codepage;           /* for PT_STRING8 */
};

static unsigned char *read_all(GsfInput *in, size_t *n)
{
    gsf_off_t size = gsf_input_size(in);
    *n = 0;
    if (size < 0 || (uint64_t)size > ((uint64_t)1 << 31))
        return NULL;
    unsigned char *d = malloc((size_t)size + 2);
    if (d == NULL)
        return NULL;
    if (size > 0 && gsf_input_read(in, (size_t)size, d) == NULL) {
        free(d);
        return NULL;
    }
    d[size] = d[size + 1] = 0;
    *n = (size_t)size;
    return d;
}

/* The stream NAME of S, read whole, or NULL. */
static unsigned char *stream(struct storage *s, const char *name, size_t *n)
{
    GsfInput *in = gsf_infile_child_by_name(s->dir, name);
    if (in == NULL)
        return NULL;
    unsigned char *d = NULL;
    if (gsf_infile_num_children(GSF_INFILE(in)) < 0)
        d = read_all(in, n);
    g_object_unref(in);
    return d;
}

static char *utf16le_to_utf8(const unsigned char *d, size_t n)
{
    struct buf out = BUF_INIT;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned cp = (unsigned)d[i] | (unsigned)d[i + 1] << 8;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 3 < n) {
            unsigned lo = (unsigned)d[i + 2] | (unsigned)d[i + 3] << 8;
            if (lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 2;
            } else {
                cp = 0xfffd;
            }
        } else if (cp >= 0xd800 && cp < 0xe000) {
            cp = 0xfffd;
        }
        if (cp == 0)
            break; /* strings end at their NUL */
        if (text_append_codepoint(&out, cp) != MT_OK) {
            buf_free(&out);
            return NULL;
        }
    }
    return buf_steal(&out);
}

/* A string property: PT_UNICODE, else PT_STRING8; NULL when absent or empty. */
static char *prop_string(struct storage *s, unsigned id)
{
    char name[40];
    size_t n;
    snprintf(name, sizeof name, "__substg1.0_%04X001F", id);
    unsigned char *d = stream(s, name, &n);
    char *r = NULL;
    if (d) {
        r = utf16le_to_utf8(d, n);
    } else {
        snprintf(name, sizeof name, "__substg1.0_%04X001E", id);
        if ((d = stream(s, name, &n)))
            r = outlook_codepage_to_utf8(d, n, s->codepage);
    }
    free(d);
    if (r && *r == '\0') {
        free(r);
        r = NULL;
    }
    return r;
}

static unsigned char *prop_binary(struct storage *s, unsigned id, size_t *n)
{
    char name[40];
    snprintf(name, sizeof name, "__substg1.0_%04X0102", id);
    return stream(s, name, n);
}

/* A fixed-size property's 8 value bytes, little-endian. */
static bool prop_fixed(const struct storage *s, unsigned id, uint64_t *value)
{
    for (size_t at = s->header; at + 16 <= s->fixed_len; at += 16) {
        const unsigned char *e = s->fixed + at;
        unsigned pid = (unsigned)e[2] | (unsigned)e[3] << 8;
        if (pid != id)
            continue;
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = v << 8 | e[8 + i];
        *value = v;
        return true;
    }
    return false;
}

static int64_t prop_time(const struct storage *s, unsigned id)
{
    uint64_t ft;
    if (!prop_fixed(s, id, &ft) || ft < 116444736000000000ULL)
        return 0;
    return (int64_t)(ft / 10000000ULL - 11644473600ULL);
}

static void storage_open(struct storage *s, GsfInfile *dir, size_t header, int codepage)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
    s->header = header;
    s->fixed = stream(s, "__properties_version1.0", &s->fixed_len);
    uint64_t v;
    s->codepage = codepage;
    if (prop_fixed(s, 0x3FFD, &v) && (uint32_t)v)
        s->codepage = (int)(uint32_t)v;      /* PR_MESSAGE_CODEPAGE */
    else if (prop_fixed(s, 0x3FDE, &v) && (uint32_t)v)
        s->codepage = (int)(uint32_t)v;      /* PR_INTERNET_CPID */
}

static void storage_close(struct storage *s)
{
    free(s->fixed);
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The indexes of DIR's children named PREFIX followed by 8 hex digits,
 * in the order of those numbers.  Malloc'd; *COUNT set. */
static size_t *children_named(GsfInfile *dir, const char *prefix, size_t *count)
{
    int n = gsf_infile_num_children(dir);
    size_t plen = strlen(prefix), *pairs = NULL, c = 0;
    *count = 0;
    if (n <= 0 || n > MAX_CHILDREN)
        return NULL;
    pairs = malloc((size_t)n * 2 * sizeof *pairs);
    if (pairs == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        const char *name = gsf_infile_name_by_index(dir, i);
        if (name && strncmp(name, prefix, plen) == 0) {
            pairs[2 * c] = (size_t)strtoul(name + plen, NULL, 16);
            pairs[2 * c + 1] = (size_t)i;
            c++;
        }
    }
    qsort(pairs, c, 2 * sizeof *pairs, compare_size);
    size_t *order = malloc((c ? c : 1) * sizeof *order);
    if (order)
        for (size_t i = 0; i < c; i++)
            order[i] = pairs[2 * i + 1];
    free(pairs);
    *count = order ? c : 0;
    return order;
}

static bool has_at(const char *a)
{
    return a && strchr(a, '@');
}

/* The first of A, B that looks like an SMTP address (taking it), freeing
 * the other. */
static char *smtp_of(char *a, char *b)
{
    if (has_at(a)) {
        free(b);
        return a;
    }
    free(a);
    if (has_at(b))
        return b;
    free(b);
    return NULL;
}

static mt_status read_message(GsfInfile *dir, size_t header, int codepage, int depth,
                              struct outlook_message **out);

static mt_status read_recipients(struct storage *s, struct outlook_message *m)
{
    size_t count, *order = children_named(s->dir, "__recip_version1.0_#", &count);
    mt_status st = MT_OK;
    for (size_t i = 0; i < count && st == MT_OK; i++) {
        GsfInput *c = gsf_infile_child_by_index(s->dir, (int)order[i]);
        if (c == NULL || gsf_infile_num_children(GSF_INFILE(c)) < 0) {
            if (c)
                g_object_unref(c);
            continue;
        }
        struct storage r;
        storage_open(&r, GSF_INFILE(c), 8, s->codepage);
        uint64_t type = 1;
        prop_fixed(&r, 0x0C15, &type);
        char *name = prop_string(&r, 0x3001);
        char *addr = smtp_of(prop_string(&r, 0x39FE), prop_string(&r, 0x3003));
        enum outlook_role role = (uint32_t)type == 2 ? OUTLOOK_CC
                               : (uint32_t)type == 3 ? OUTLOOK_BCC : OUTLOOK_TO;
        st = outlook_add_recipient(m, role, name, addr);
        free(name);
        free(addr);
        storage_close(&r);
        g_object_unref(c);
    }
    free(order);
    return st;
}

static mt_status read_attachment(struct storage *a, struct outlook_message *m,
                                 int depth)
{
    struct outlook_attachment *at = outlook_add_attachment(m);
    if (at == NULL)
        return MT_ENOMEM;
    at->filename = prop_string(a, 0x3707);
    if (at->filename == NULL)
        at->filename = prop_string(a, 0x3704);
    if (at->filename == NULL)
        at->filename = prop_string(a, 0x3001);
    at->mime_type = prop_string(a, 0x370E);
    at->content_id = prop_string(a, 0x3712);
    GsfInput *object = gsf_infile_child_by_name(a->dir, "__substg1.0_3701000D");
    if (object && gsf_infile_num_children(GSF_INFILE(object)) >= 0) {
        uint64_t method = 0;
        prop_fixed(a, 0x3705, &method);
        /* An attached message (method 5) is a message storage of its
         * own; an OLE object (6) is kept as a name only. */
        if ((uint32_t)method == 5 && depth < MAX_EMBEDDING) {
            mt_status st = read_message(GSF_INFILE(object), 24, a->codepage, depth + 1,
                                        &at->embedded);
            g_object_unref(object);
            return st == MT_EUNSUPPORTED || st == MT_EPARSE ? MT_OK : st;
        }
    }
    if (object)
        g_object_unref(object);
    at->data = prop_binary(a, 0x3701, &at->size);
    return MT_OK;
}

static mt_status read_attachments(struct storage *s, struct outlook_message *m,
                                  int depth)
{
    size_t count, *order = children_named(s->dir, "__attach_version1.0_#", &count);
    mt_status st = MT_OK;
    for (size_t i = 0; i < count && st == MT_OK; i++) {
        GsfInput *c = gsf_infile_child_by_index(s->dir, (int)order[i]);
        if (c == NULL)
            continue;
        if (gsf_infile_num_children(GSF_INFILE(c)) >= 0) {
            struct storage a;
            storage_open(&a, GSF_INFILE(c), 8, s->codepage);
            st = read_attachment(&a, m, depth);
            storage_close(&a);
        }
        g_object_unref(c);
    }
    free(order);
    return st;
}

static void read_bodies(struct storage *s, struct outlook_message *m)
{
    m->body_text = prop_string(s, 0x1000);
    size_t n;
    unsigned char *html = prop_binary(s, 0x1013, &n);
    if (html) {
        uint64_t cpid = 0;
        prop_fixed(s, 0x3FDE, &cpid);
        m->body_html = outlook_codepage_to_utf8(html, n, cpid ? (int)(uint32_t)cpid : s->codepage);
        free(html);
    } else {
        m->body_html = prop_string(s, 0x1013);
    }
    unsigned char *rtf = prop_binary(s, 0x1009, &n);
    if (rtf) {
        unsigned char *plain;
        size_t plain_n;
        if (outlook_rtf_decompress(rtf, n, &plain, &plain_n) == MT_OK) {
            m->body_rtf = plain;
            m->body_rtf_size = plain_n;
        }
        free(rtf);
    }
}

static mt_status read_message(GsfInfile *dir, size_t header, int codepage, int depth,
                              struct outlook_message **out)
{
    *out = NULL;
    struct storage s;
    storage_open(&s, dir, header, codepage);
    struct outlook_message *m = calloc(1, sizeof *m);
    if (m == NULL) {
        storage_close(&s);
        return MT_ENOMEM;
    }
    m->message_class = prop_string(&s, 0x001A);
    m->transport_headers = prop_string(&s, 0x007D);
    m->subject = prop_string(&s, 0x0037);
    m->from_name = prop_string(&s, 0x0042);
    if (m->from_name == NULL)
        m->from_name = prop_string(&s, 0x0C1A);
    m->from_address = smtp_of(prop_string(&s, 0x5D02), prop_string(&s, 0x0065));
    if (m->from_address == NULL)
        m->from_address = smtp_of(prop_string(&s, 0x5D01), prop_string(&s, 0x0C1F));
    m->sender_name = prop_string(&s, 0x0C1A);
    m->sender_address = smtp_of(prop_string(&s, 0x5D01), prop_string(&s, 0x0C1F));
    m->display_to = prop_string(&s, 0x0E04);
    m->display_cc = prop_string(&s, 0x0E03);
    m->display_bcc = prop_string(&s, 0x0E02);
    m->submit_time = prop_time(&s, 0x0039);
    m->delivery_time = prop_time(&s, 0x0E06);
    if (!m->submit_time && !m->delivery_time)
        m->delivery_time = prop_time(&s, 0x3007);
    m->message_id = prop_string(&s, 0x1035);
    m->in_reply_to = prop_string(&s, 0x1042);
    m->references = prop_string(&s, 0x1039);
    read_bodies(&s, m);
    mt_status st = read_recipients(&s, m);
    if (st == MT_OK)
        st = read_attachments(&s, m, depth);
    storage_close(&s);
    if (st != MT_OK) {
        outlook_message_free(m);
        return st;
    }
    *out = m;
    return MT_OK;
}

/* What a compound file that holds no message is, by its streams. */
static const char *compound_kind(GsfInfile *root)
{
    static const struct { const char *stream, *kind; } kinds[] = {
        { "WordDocument", "Word 97-2003 document" },
        { "Workbook", "Excel 97-2003 workbook" },
        { "Book", "Excel 5 workbook" },
        { "PowerPoint Document", "PowerPoint 97-2003 presentation" },
        { "VisioDocument", "Visio drawing" },
        { "EncryptedPackage", "encrypted Office document" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        GsfInput *c = gsf_infile_child_by_name(root, kinds[i].stream);
        if (c) {
            g_object_unref(c);
            return kinds[i].kind;
        }
    }
    return "OLE2 compound file";
}

static bool holds_message(GsfInfile *root)
{
    int n = gsf_infile_num_children(root);
    for (int i = 0; i < n && i < MAX_CHILDREN; i++) {
        const char *name = gsf_infile_name_by_index(root, i);
        if (name && (strncmp(name, "__substg1.0_", 12) == 0 ||
                     strcmp(name, "__properties_version1.0") == 0))
            return true;
    }
    return false;
}

mt_status outlook_msg_parse(const unsigned char *d, size_t len,
                            struct outlook_message **out, struct mt_error *err)
{
    *out = NULL;
    GsfInput *in = gsf_input_memory_new(d, (gsf_off_t)len, FALSE);
    if (in == NULL)
        return MT_ENOMEM;
    GError *gerr = NULL;
    GsfInfile *root = gsf_infile_msole_new(in, &gerr);
    g_object_unref(in);
    if (root == NULL) {
        mt_error_set(err, MT_EPARSE, "a damaged OLE2 compound file (.msg or Office): %s",
                     gerr && gerr->message ? gerr->message : "libgsf cannot read it");
        if (gerr)
            g_error_free(gerr);
        return MT_EPARSE;
    }
    mt_status st;
    if (gsf_infile_num_children(root) <= 0) {
        st = mt_error_set(err, MT_EPARSE, "a damaged OLE2 compound file (.msg or Office): "
                          "no stream in it can be read");
    } else if (!holds_message(root)) {
        st = mt_error_set(err, MT_EUNSUPPORTED, "a document, not an email: %s",
                          compound_kind(root));
    } else {
        st = read_message(root, 32, 1252, 0, out);
        const char *kind = *out ? outlook_non_mail_kind((*out)->message_class) : NULL;
        /* A post saved as a .msg is kept: someone saved it as a message. */
        if (st == MT_OK && kind && strcmp(kind, "post") != 0) {
            outlook_message_free(*out);
            *out = NULL;
            st = mt_error_set(err, MT_EUNSUPPORTED, "not an email: %s (Outlook .msg)", kind);
        } else if (st == MT_ENOMEM) {
            mt_error_set(err, st, "out of memory reading a .msg");
        }
    }
    g_object_unref(root);
    return st;
}
