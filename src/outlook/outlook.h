/*
 * outlook.h - one Outlook mail item, whatever it was read from (a PST/OST
 * store through libpst, a .msg file through libgsf), and the MIME message
 * written from it.
 *
 * Both readers fill a struct outlook_message; outlook_write_mime turns it
 * into the bytes mailtrove stores.  One writer for both is what makes the
 * same message give the same parsed fields whether it came as a .msg or
 * inside a store.  The written bytes are a function of the item alone (no
 * clock, no random boundary), so the same store ingested twice stores
 * nothing new.
 *
 * Strings are UTF-8 and NUL-terminated; blobs are (data, size).  Every
 * pointer in these structs is owned by the struct and released by
 * outlook_message_free.  Not thread-safe; a message belongs to one thread.
 */
#ifndef MT_OUTLOOK_H
#define MT_OUTLOOK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

enum outlook_role { OUTLOOK_TO = 1, OUTLOOK_CC = 2, OUTLOOK_BCC = 3 };

struct outlook_recipient {
    enum outlook_role role;
    char *name;     /* display name, or NULL */
    char *address;  /* SMTP address when known, or NULL */
};

struct outlook_message;

struct outlook_attachment {
    char *filename;      /* long name, else short name, or NULL */
    char *mime_type;     /* PR_ATTACH_MIME_TAG, or NULL */
    char *content_id;    /* for inline images, or NULL */
    unsigned char *data; /* the bytes (attach by value), or NULL */
    size_t size;
    struct outlook_message *embedded; /* an attached message, or NULL */
};

struct outlook_message {
    char *message_class;     /* "IPM.Note", ... or NULL */
    char *transport_headers; /* PR_TRANSPORT_MESSAGE_HEADERS, or NULL */
    char *subject;
    char *from_name, *from_address;     /* sent representing, else sender */
    char *sender_name, *sender_address; /* the sender when it differs */
    char *display_to, *display_cc, *display_bcc; /* "a; b" when no table */
    struct outlook_recipient *recipients;
    size_t recipient_count;
    int64_t submit_time;     /* Unix seconds; 0 when absent */
    int64_t delivery_time;
    char *message_id, *in_reply_to, *references;
    char *body_text;         /* plain body */
    char *body_html;         /* HTML body, UTF-8 */
    unsigned char *body_rtf; /* decompressed RTF, or NULL */
    size_t body_rtf_size;
    struct outlook_attachment *attachments;
    size_t attachment_count;
};

/* Release everything M owns, then M itself.  NULL is a no-op. */
void outlook_message_free(struct outlook_message *m);

/* Add a recipient / an attachment slot (zeroed; the caller fills it).
 * Return MT_ENOMEM, leaving M as it was. */
mt_status outlook_add_recipient(struct outlook_message *m,
                                enum outlook_role role, const char *name,
                                const char *address);
struct outlook_attachment *outlook_add_attachment(struct outlook_message *m);

/*
 * Append to OUT the MIME message written from M: the transport headers
 * when M has them (less those that describe a body we rewrote), else
 * headers built from the properties; then the plain, HTML and RTF bodies
 * and every attachment, embedded messages as message/rfc822 parts.
 * Returns MT_OK or MT_ENOMEM.
 */
mt_status outlook_write_mime(const struct outlook_message *m, struct buf *out);

/* The kind of a non-mail item, from its message class, for the rejection
 * "not an email: KIND" ("contact", "calendar entry", ...); NULL when the
 * class is mail. */
const char *outlook_non_mail_kind(const char *message_class);

/* LEN bytes at D in Windows code page CP (1252, 1251, 65001, 936, ...)
 * as UTF-8, malloc'd (NULL on ENOMEM); trailing NULs dropped; converted by
 * mime_append_in_charset (so mime_init first). */
char *outlook_codepage_to_utf8(const unsigned char *d, size_t len, int cp);

/* Decompress an RTF body stored compressed (MS-OXRTFCP, "LZFu" or
 * "MELA").  On MT_OK *OUT (malloc'd) holds *OUT_SIZE bytes.  Returns
 * MT_EPARSE for a damaged stream, MT_ENOMEM. */
mt_status outlook_rtf_decompress(const unsigned char *in, size_t size,
                                 unsigned char **out, size_t *out_size);

#endif
