/* outlook_mime.c - writing one Outlook item as a MIME message.
 *
 * CRLF line ends throughout.  Text bodies are UTF-8 in quoted-printable
 * and binary parts base64, so no part can contain "=_", which every
 * boundary does: the boundaries can be fixed strings (one per nesting
 * level) and the output depends on the item alone. */
#include "outlook/outlook.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TRY(x) do { mt_status s_ = (x); if (s_ != MT_OK) return s_; } while (0)

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20)
            return false;
    return true;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static mt_status base64_append(struct buf *out, const unsigned char *d,
                               size_t n, size_t line)
{
    TRY(buf_reserve(out, (n + 2) / 3 * 4 + (n / 57 + 2) * 2));
    size_t col = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n) v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n) v |= d[i + 2];
        char q[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63],
                      i + 1 < n ? b64[v >> 6 & 63] : '=',
                      i + 2 < n ? b64[v & 63] : '=' };
        TRY(buf_append(out, q, 4));
        col += 4;
        if (line && col >= line) {
            TRY(buf_append(out, "\r\n", 2));
            col = 0;
        }
    }
    if (line && col)
        TRY(buf_append(out, "\r\n", 2));
    return MT_OK;
}

/* An RFC 2047 encoded word sequence for S, folded between words. */
static mt_status encoded_words(struct buf *out, const char *s)
{
    size_t n = strlen(s), i = 0;
    bool first = true;
    while (i < n) {
        /* 45 bytes a word (60 characters encoded), cut on a UTF-8
         * character boundary. */
        size_t take = n - i < 45 ? n - i : 45;
        while (take > 1 && i + take < n &&
               ((unsigned char)s[i + take] & 0xc0) == 0x80)
            take--;
        TRY(buf_append_str(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?"));
        TRY(base64_append(out, (const unsigned char *)s + i, take, 0));
        TRY(buf_append_str(out, "?="));
        i += take;
        first = false;
    }
    return MT_OK;
}

/* A header field whose value is unstructured text. */
static mt_status text_header(struct buf *out, const char *name, const char *v)
{
    if (v == NULL)
        return MT_OK;
    TRY(buf_printf(out, "%s: ", name));
    if (is_ascii(v))
        TRY(buf_append_str(out, v));
    else
        TRY(encoded_words(out, v));
    return buf_append_str(out, "\r\n");
}

/* A display name as a phrase: quoted ASCII or encoded words. */
static mt_status phrase(struct buf *out, const char *name)
{
    if (!is_ascii(name))
        return encoded_words(out, name);
    TRY(buf_append_char(out, '"'));
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\')
            TRY(buf_append_char(out, '\\'));
        TRY(buf_append_char(out, *p));
    }
    return buf_append_char(out, '"');
}

static bool looks_like_smtp(const char *a)
{
    if (a == NULL || *a == '\0' || strchr(a, '@') == NULL)
        return false;
    for (const char *p = a; *p; p++)
        if (*p == ' ' || *p == '<' || *p == '>' || *p == '"' ||
            (unsigned char)*p < 0x21 || (unsigned char)*p >= 0x80)
            return false;
    return true;
}

/* One mailbox.  Without an SMTP address (an Exchange-only sender, a
 * recipient known by name only) the name is written as an empty group,
 * "Name:;", which is valid and invents no address. */
static mt_status mailbox(struct buf *out, const char *name, const char *addr)
{
    bool smtp = looks_like_smtp(addr);
    if (!smtp && looks_like_smtp(name)) {
        addr = name;
        name = NULL;
        smtp = true;
    }
    if (name && *name && !(smtp && strcasecmp(name, addr) == 0)) {
        TRY(phrase(out, name));
        if (!smtp)
            return buf_append_str(out, ":;");
        TRY(buf_append_char(out, ' '));
    } else if (!smtp) {
        return buf_append_str(out, "undisclosed-recipients:;");
    }
    return buf_printf(out, "<%s>", addr);
}

/* "To: a, b" from the recipient table, else from the display list. */
static mt_status recipients_header(struct buf *out, const char *field,
                                   const struct outlook_message *m,
                                   enum outlook_role role, const char *display)
{
    bool any = false;
    for (size_t i = 0; i < m->recipient_count; i++) {
        const struct outlook_recipient *r = &m->recipients[i];
        if (r->role != role)
            continue;
        TRY(buf_append_str(out, any ? ",\r\n " : field));
        if (!any)
            TRY(buf_append_str(out, ": "));
        TRY(mailbox(out, r->name, r->address));
        any = true;
    }
    if (any || display == NULL || *display == '\0')
        return any ? buf_append_str(out, "\r\n") : MT_OK;
    /* PR_DISPLAY_TO: names separated by "; " */
    const char *p = display;
    while (*p) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        if (len) {
            char name[512];
            snprintf(name, sizeof name, "%.*s", (int)(len < 511 ? len : 511), p);
            TRY(buf_append_str(out, any ? ",\r\n " : field));
            if (!any)
                TRY(buf_append_str(out, ": "));
            TRY(mailbox(out, name, NULL));
            any = true;
        }
        p = e ? e + 1 : p + strlen(p);
    }
    return any ? buf_append_str(out, "\r\n") : MT_OK;
}

static mt_status date_header(struct buf *out, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL)
        return MT_OK;
    char d[64];
    strftime(d, sizeof d, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf_printf(out, "Date: %s\r\n", d);
}

/* Copy transport headers, CRLF-terminated, without the fields that
 * describe the body we rewrote. */
static mt_status copy_transport_headers(struct buf *out, const char *h)
{
    static const char *const dropped[] = {
        "content-type", "content-transfer-encoding", "mime-version",
        "content-disposition", "content-length",
    };
    bool skipping = false;
    const char *p = h;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        size_t text = len;
        if (text && p[text - 1] == '\r')
            text--;
        if (text == 0)
            break; /* the header block ends at its first empty line */
        if (*p != ' ' && *p != '\t') {
            skipping = false;
            const char *colon = memchr(p, ':', text);
            /* A line that is not a header field ("Microsoft Mail Internet
             * Headers Version 2.0", Exchange's first line) is left out. */
            for (const char *c = p; colon && c < colon; c++)
                if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 127)
                    colon = NULL;
            if (colon == NULL || colon == p)
                skipping = true;
            for (size_t i = 0; colon && i < sizeof dropped / sizeof *dropped; i++)
                if ((size_t)(colon - p) == strlen(dropped[i]) &&
                    strncasecmp(p, dropped[i], strlen(dropped[i])) == 0)
                    skipping = true;
        }
        if (!skipping) {
            TRY(buf_append(out, p, text));
            TRY(buf_append_str(out, "\r\n"));
        }
        p = e ? e + 1 : p + len;
    }
    return MT_OK;
}

static mt_status built_headers(struct buf *out, const struct outlook_message *m)
{
    if (m->from_name || m->from_address) {
        TRY(buf_append_str(out, "From: "));
        TRY(mailbox(out, m->from_name, m->from_address));
        TRY(buf_append_str(out, "\r\n"));
    }
    if ((m->sender_address || m->sender_name) && m->from_address &&
        m->sender_address && strcasecmp(m->sender_address, m->from_address) != 0) {
        TRY(buf_append_str(out, "Sender: "));
        TRY(mailbox(out, m->sender_name, m->sender_address));
        TRY(buf_append_str(out, "\r\n"));
    }
    TRY(recipients_header(out, "To", m, OUTLOOK_TO, m->display_to));
    TRY(recipients_header(out, "Cc", m, OUTLOOK_CC, m->display_cc));
    TRY(recipients_header(out, "Bcc", m, OUTLOOK_BCC, m->display_bcc));
    TRY(text_header(out, "Subject", m->subject));
    int64_t t = m->submit_time ? m->submit_time : m->delivery_time;
    if (t)
        TRY(date_header(out, t));
    if (m->message_id && is_ascii(m->message_id))
        TRY(buf_printf(out, "Message-ID: %s\r\n", m->message_id));
    if (m->in_reply_to && is_ascii(m->in_reply_to))
        TRY(buf_printf(out, "In-Reply-To: %s\r\n", m->in_reply_to));
    if (m->references && is_ascii(m->references))
        TRY(buf_printf(out, "References: %s\r\n", m->references));
    return MT_OK;
}

/* Quoted-printable of UTF-8 text, line ends made CRLF. */
static mt_status qp_append(struct buf *out, const unsigned char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (c == '\n' || c == '\r') {
            TRY(buf_append_str(out, "\r\n"));
            col = 0;
            continue;
        }
        bool at_eol = i + 1 == n || s[i + 1] == '\n' || s[i + 1] == '\r';
        char enc[4];
        size_t w;
        if ((c >= 33 && c <= 126 && c != '=') ||
            ((c == ' ' || c == '\t') && !at_eol)) {
            enc[0] = (char)c;
            w = 1;
        } else {
            snprintf(enc, sizeof enc, "=%02X", c);
            w = 3;
        }
        if (col + w > 75) {
            TRY(buf_append_str(out, "=\r\n"));
            col = 0;
        }
        TRY(buf_append(out, enc, w));
        col += w;
    }
    if (col)
        TRY(buf_append_str(out, "=\r\n"));
    return MT_OK;
}

static mt_status text_part(struct buf *out, const char *type,
                           const unsigned char *s, size_t n)
{
    TRY(buf_printf(out, "Content-Type: %s; charset=utf-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                   type));
    return qp_append(out, s, n);
}

/* name="..." or, for a name that is not plain ASCII, RFC 2231's name*. */
static mt_status name_parameter(struct buf *out, const char *param,
                                const char *v)
{
    if (is_ascii(v) && strpbrk(v, "\"\\") == NULL)
        return buf_printf(out, ";\r\n %s=\"%s\"", param, v);
    TRY(buf_printf(out, ";\r\n %s*=UTF-8''", param));
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
            TRY(buf_append_char(out, (char)*p));
        else
            TRY(buf_printf(out, "%%%02X", *p));
    }
    return MT_OK;
}

static mt_status write_message(const struct outlook_message *m,
                               struct buf *out, int depth);

static mt_status attachment_part(struct buf *out,
                                 const struct outlook_attachment *a, int depth)
{
    if (a->embedded) {
        TRY(buf_append_str(out, "Content-Type: message/rfc822"));
        if (a->filename)
            TRY(name_parameter(out, "name", a->filename));
        TRY(buf_append_str(out, "\r\nContent-Disposition: attachment\r\n\r\n"));
        return write_message(a->embedded, out, depth + 1);
    }
    const char *type = a->mime_type && is_ascii(a->mime_type) &&
                       strchr(a->mime_type, '/') && !strpbrk(a->mime_type, " ;\"")
                           ? a->mime_type : "application/octet-stream";
    TRY(buf_printf(out, "Content-Type: %s", type));
    if (a->filename)
        TRY(name_parameter(out, "name", a->filename));
    TRY(buf_append_str(out, a->content_id ? "\r\nContent-Disposition: inline"
                                          : "\r\nContent-Disposition: attachment"));
    if (a->filename)
        TRY(name_parameter(out, "filename", a->filename));
    TRY(buf_append_str(out, "\r\n"));
    if (a->content_id && is_ascii(a->content_id) && !strpbrk(a->content_id, "<>"))
        TRY(buf_printf(out, "Content-ID: <%s>\r\n", a->content_id));
    TRY(buf_append_str(out, "Content-Transfer-Encoding: base64\r\n\r\n"));
    return base64_append(out, a->data, a->size, 76);
}

/* The bodies: one part, or a multipart/alternative of them. */
static mt_status bodies(const struct outlook_message *m, struct buf *out,
                        int depth)
{
    int count = (m->body_text != NULL) + (m->body_html != NULL) +
                (m->body_rtf != NULL);
    if (count == 0)
        return text_part(out, "text/plain", (const unsigned char *)"", 0);
    char boundary[48];
    snprintf(boundary, sizeof boundary, "=_mailtrove_alternative_%d", depth);
    if (count > 1)
        TRY(buf_printf(out, "Content-Type: multipart/alternative;\r\n"
                            " boundary=\"%s\"\r\n\r\n", boundary));
    /* In order of preference, least preferred first (RFC 2046 5.1.4). */
    if (m->body_text) {
        if (count > 1)
            TRY(buf_printf(out, "--%s\r\n", boundary));
        TRY(text_part(out, "text/plain", (const unsigned char *)m->body_text,
                      strlen(m->body_text)));
    }
    if (m->body_rtf) {
        if (count > 1)
            TRY(buf_printf(out, "--%s\r\n", boundary));
        TRY(buf_append_str(out, "Content-Type: text/rtf\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n"));
        TRY(base64_append(out, m->body_rtf, m->body_rtf_size, 76));
    }
    if (m->body_html) {
        if (count > 1)
            TRY(buf_printf(out, "--%s\r\n", boundary));
        TRY(text_part(out, "text/html", (const unsigned char *)m->body_html,
                      strlen(m->body_html)));
    }
    if (count > 1)
        TRY(buf_printf(out, "--%s--\r\n", boundary));
    return MT_OK;
}

static mt_status write_message(const struct outlook_message *m,
                               struct buf *out, int depth)
{
    if (depth > 32)
        return buf_append_str(out, "\r\n"); /* the readers stop sooner */
    if (m->transport_headers && *m->transport_headers)
        TRY(copy_transport_headers(out, m->transport_headers));
    else
        TRY(built_headers(out, m));
    TRY(buf_append_str(out, "MIME-Version: 1.0\r\n"));
    if (m->attachment_count == 0)
        return bodies(m, out, depth);
    char boundary[48];
    snprintf(boundary, sizeof boundary, "=_mailtrove_mixed_%d", depth);
    TRY(buf_printf(out, "Content-Type: multipart/mixed;\r\n"
                        " boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary));
    TRY(bodies(m, out, depth));
    for (size_t i = 0; i < m->attachment_count; i++) {
        TRY(buf_printf(out, "--%s\r\n", boundary));
        TRY(attachment_part(out, &m->attachments[i], depth));
    }
    return buf_printf(out, "--%s--\r\n", boundary);
}

mt_status outlook_write_mime(const struct outlook_message *m, struct buf *out)
{
    return write_message(m, out, 0);
}
