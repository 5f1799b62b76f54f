/* pst.c - the helper's side of outlook_store.h: walking a PST/OST store
 * with libpst (Debian's libpst-dev, the library behind readpst), turning
 * each mail item into MIME and writing frames.
 *
 * Which items are mail follows readpst: an item with email properties
 * whose class is a note, a meeting message or a report.  Everything else
 * is a frame 'R' "not an email: KIND". */
#include "outlook/outlook_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpst/libpst.h>
#include <libpst/timeconv.h>

#include "fdio.h"
#include "outlook/outlook.h"

#define MAX_EMBEDDING 8

struct helper {
    pst_file pf;
    int fd;
    size_t max_bytes;
    int64_t expected;
    struct buf member;
    bool write_failed;
};

static void frame(struct helper *h, char type, const char *member,
                  const void *payload, size_t n)
{
    if (h->write_failed)
        return;
    size_t ml = member ? strlen(member) : 0;
    unsigned char head[13];
    head[0] = (unsigned char)type;
    for (int i = 0; i < 4; i++)
        head[1 + i] = (unsigned char)(ml >> (8 * i));
    for (int i = 0; i < 8; i++)
        head[5 + i] = (unsigned char)((uint64_t)n >> (8 * i));
    if (!fd_write_all(h->fd, head, 5) || !fd_write_all(h->fd, member, ml) ||
        !fd_write_all(h->fd, head + 5, 8) || !fd_write_all(h->fd, payload, n))
        h->write_failed = true;
}

/* A pst_string as UTF-8 (malloc'd), or NULL when absent or empty. */
static char *utf8(pst_item *item, pst_string *s)
{
    if (s->str == NULL || s->str[0] == '\0')
        return NULL;
    if (!s->is_utf8)
        pst_convert_utf8(item, s);
    return strdup(s->str);
}

/* The HTML body is in PR_INTERNET_CPID's code page (MS-OXCMSG 2.2.1.56.7),
 * which libpst's own conversion does not look at. */
static char *html_utf8(pst_item *item, pst_string *s)
{
    if (s->str == NULL || s->str[0] == '\0')
        return NULL;
    if (s->is_utf8)
        return strdup(s->str);
    if (item->internet_cpid)
        return outlook_codepage_to_utf8((const unsigned char *)s->str, strlen(s->str),
                                        item->internet_cpid);
    return utf8(item, s);
}

static int64_t unix_time(const FILETIME *ft)
{
    return ft ? (int64_t)pst_fileTimeToUnixTime(ft) : 0;
}

static const char *smtp_or_null(const char *a)
{
    return a && strchr(a, '@') ? a : NULL;
}

static struct outlook_message *convert(struct helper *h, pst_item *item,
                                       int depth);

static void convert_attachments(struct helper *h, pst_item *item,
                                struct outlook_message *m, int depth)
{
    for (pst_item_attach *at = item->attach; at; at = at->next) {
        if (at->method == PST_ATTACH_NONE && !at->data.data && !at->i_id)
            continue;
        struct outlook_attachment *a = outlook_add_attachment(m);
        if (a == NULL)
            return;
        a->filename = utf8(item, &at->filename2);
        if (a->filename == NULL)
            a->filename = utf8(item, &at->filename1);
        a->mime_type = utf8(item, &at->mimetype);
        a->content_id = utf8(item, &at->content_id);
        if (at->method == PST_ATTACH_EMBEDDED && depth < MAX_EMBEDDING) {
            /* As readpst does: the embedded item is a descriptor of its
             * own, found through the attachment's id and id2 tree. */
            pst_desc_tree d = { 0 };
            d.desc = pst_getID(&h->pf, at->i_id);
            pst_item *inner = d.desc ? pst_parse_item(&h->pf, &d, at->id2_head) : NULL;
            if (inner) {
                a->embedded = convert(h, inner, depth + 1);
                pst_freeItem(inner);
            }
            if (a->embedded)
                continue;
        }
        if (at->data.data) {
            a->data = malloc(at->data.size ? at->data.size : 1);
            if (a->data) {
                memcpy(a->data, at->data.data, at->data.size);
                a->size = at->data.size;
            }
        } else if (at->i_id) {
            pst_binary b = pst_attach_to_mem(&h->pf, at);
            a->data = (unsigned char *)b.data;
            a->size = b.data ? b.size : 0;
        }
    }
}

static struct outlook_message *convert(struct helper *h, pst_item *item,
                                       int depth)
{
    struct outlook_message *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    pst_item_email *e = item->email;
    m->message_class = item->ascii_type ? strdup(item->ascii_type) : NULL;
    m->subject = utf8(item, &item->subject);
    m->body_text = utf8(item, &item->body);
    if (e) {
        m->transport_headers = utf8(item, &e->header);
        m->from_name = utf8(item, &e->outlook_sender_name);
        char *a1 = utf8(item, &e->sender_address);
        char *a2 = utf8(item, &e->sender2_address);
        const char *smtp = smtp_or_null(a1) ? a1 : smtp_or_null(a2);
        m->from_address = smtp ? strdup(smtp) : NULL;
        free(a1);
        free(a2);
        m->display_to = utf8(item, &e->sentto_address);
        m->display_cc = utf8(item, &e->cc_address);
        m->display_bcc = utf8(item, &e->bcc_address);
        m->submit_time = unix_time(e->sent_date);
        m->delivery_time = unix_time(e->arrival_date);
        m->message_id = utf8(item, &e->messageid);
        m->in_reply_to = utf8(item, &e->in_reply_to);
        m->body_html = html_utf8(item, &e->htmlbody);
        if (e->rtf_compressed.data && e->rtf_compressed.size) {
            unsigned char *rtf;
            size_t n;
            if (outlook_rtf_decompress((unsigned char *)e->rtf_compressed.data,
                                       e->rtf_compressed.size, &rtf, &n) == MT_OK) {
                m->body_rtf = rtf;
                m->body_rtf_size = n;
            }
        }
    }
    if (m->submit_time == 0 && item->create_date)
        m->delivery_time = m->delivery_time ? m->delivery_time
                                            : unix_time(item->create_date);
    convert_attachments(h, item, m, depth);
    return m;
}

static bool is_mail(const pst_item *item)
{
    return item->email && (item->type == PST_TYPE_NOTE ||
                           item->type == PST_TYPE_SCHEDULE ||
                           item->type == PST_TYPE_REPORT);
}

static const char *kind_of(const pst_item *item)
{
    const char *k = outlook_non_mail_kind(item->ascii_type);
    if (k)
        return k;
    switch (item->type) {
    case PST_TYPE_CONTACT: return "contact";
    case PST_TYPE_APPOINTMENT: return "calendar entry";
    case PST_TYPE_JOURNAL: return "journal entry";
    case PST_TYPE_STICKYNOTE: return "note";
    case PST_TYPE_TASK: return "task";
    default: return "other item";
    }
}

static void item_member(struct helper *h, size_t folder_len, uint64_t id)
{
    h->member.len = folder_len;
    h->member.data[folder_len] = '\0';
    buf_printf(&h->member, "#%llu", (unsigned long long)id);
}

static void emit_item(struct helper *h, pst_item *item)
{
    char reason[300];
    if (!is_mail(item)) {
        const char *kind = kind_of(item);
        /* An unfamiliar class is named, so the reader can judge. */
        if (!strcmp(kind, "other item") && item->ascii_type && *item->ascii_type)
            snprintf(reason, sizeof reason, "not an email: other item (%.200s)",
                     item->ascii_type);
        else
            snprintf(reason, sizeof reason, "not an email: %s", kind);
        frame(h, 'R', buf_cstr(&h->member), reason, strlen(reason));
        return;
    }
    struct outlook_message *m = convert(h, item, 0);
    struct buf out = BUF_INIT;
    if (m == NULL || outlook_write_mime(m, &out) != MT_OK) {
        snprintf(reason, sizeof reason, "out of memory writing the item");
        frame(h, 'R', buf_cstr(&h->member), reason, strlen(reason));
    } else if (out.len > h->max_bytes) {
        snprintf(reason, sizeof reason,
                 "the item is %zu bytes written as MIME, over the %zu-byte limit",
                 out.len, h->max_bytes);
        frame(h, 'R', buf_cstr(&h->member), reason, strlen(reason));
    } else {
        frame(h, 'M', buf_cstr(&h->member), out.data, out.len);
    }
    buf_free(&out);
    outlook_message_free(m);
}

static void walk(struct helper *h, pst_desc_tree *d, int depth)
{
    size_t folder_len = h->member.len;
    for (; d && !h->write_failed; d = d->next) {
        pst_item *item = d->desc ? pst_parse_item(&h->pf, d, NULL) : NULL;
        if (item && item->folder) {
            if (item->folder->item_count > 0)
                h->expected += item->folder->item_count;
            char *name = utf8(item, &item->file_as);
            buf_printf(&h->member, "%s%s", folder_len ? "/" : "",
                       name ? name : "(folder without a name)");
            free(name);
            pst_freeItem(item);
            if (d->child && depth < 64)
                walk(h, d->child, depth + 1);
            h->member.len = folder_len;
            h->member.data[folder_len] = '\0';
            continue;
        }
        item_member(h, folder_len, d->d_id);
        if (item == NULL) {
            const char *why = d->desc ? "the store did not give this item back"
                                        " (libpst could not parse it)"
                                      : "the store has no data for this item";
            frame(h, 'R', buf_cstr(&h->member), why, strlen(why));
        } else if (item->message_store && !item->ascii_type) {
            const char *why = "not an email: message store properties";
            frame(h, 'R', buf_cstr(&h->member), why, strlen(why));
        } else {
            emit_item(h, item);
        }
        if (item)
            pst_freeItem(item);
        h->member.len = folder_len;
        h->member.data[folder_len] = '\0';
    }
}

int outlook_store_helper_main(const char *file, size_t max_bytes, int fd)
{
    struct helper h = { .fd = fd, .max_bytes = max_bytes };
    const char *fail = NULL;
    if (pst_open(&h.pf, file, NULL) < 0) {
        static const char why[] = "not a readable Outlook store (libpst cannot open it)";
        frame(&h, 'F', NULL, why, sizeof why - 1);
        return h.write_failed;
    }
    pst_item *root = NULL;
    pst_desc_tree *top = NULL;
    if (pst_load_index(&h.pf) < 0)
        fail = "the store's index cannot be read (libpst)";
    else {
        pst_load_extended_attributes(&h.pf);
        root = h.pf.d_head ? pst_parse_item(&h.pf, h.pf.d_head, NULL) : NULL;
        top = root ? pst_getTopOfFolders(&h.pf, root) : NULL;
        if (top == NULL)
            fail = "the store has no top folder (libpst)";
    }
    if (fail) {
        frame(&h, 'F', NULL, fail, strlen(fail));
    } else {
        /* The member path starts with the top folder's own name. */
        pst_item *top_item = top->desc ? pst_parse_item(&h.pf, top, NULL) : NULL;
        char *name = top_item ? utf8(top_item, &top_item->file_as) : NULL;
        if (top_item && top_item->folder && top_item->folder->item_count > 0)
            h.expected += top_item->folder->item_count;
        buf_append_str(&h.member, name ? name : "(top folder)");
        free(name);
        if (top_item)
            pst_freeItem(top_item);
        walk(&h, top->child, 0);
        char n[32];
        int len = snprintf(n, sizeof n, "%lld", (long long)h.expected);
        frame(&h, 'X', NULL, n, (size_t)len);
    }
    if (root)
        pst_freeItem(root);
    buf_free(&h.member);
    pst_close(&h.pf);
    return h.write_failed;
}
