/*
 * mime.h - what an archive needs from a message, parsed with GMime 3:
 * addresses, subject, date, ids, the body text and the attachment list.
 *
 * Knows GMime, nothing of SQLite.  All text out of here is valid UTF-8:
 * declared charsets are honoured, undeclared or lying 8-bit text falls
 * back to windows-1252.  mime_init() must be called once (by main) before
 * any thread parses; after that parsing is reentrant (one GMime parser per
 * call).  Every string in a struct mime_message is owned by it.
 */
#ifndef MT_MIME_H
#define MT_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

enum mime_role { MIME_FROM, MIME_TO, MIME_CC, MIME_BCC };

struct mime_address {
    enum mime_role role;
    char *name;      /* display name, decoded; NULL if none */
    char *address;   /* addr-spec as written; NULL for an empty group */
};

struct mime_attachment {
    int n;               /* 1-based, in MIME tree order */
    char *filename;      /* decoded, NULL if none */
    char *content_type;  /* "type/subtype", lower case */
    uint64_t size;       /* decoded bytes */
    unsigned char sha256[32];
    /* Filled by a mime_options examine callback (ingest, reindex), else
     * extraction is -1 and the rest NULL.  All malloc'd, owned here. */
    int extraction;            /* extract.h's enum extract_outcome, or -1 */
    char *extraction_reason;   /* why not ok, or NULL */
    char *text;                /* the extracted text, UTF-8, or NULL */
    size_t text_len;
    bool holds_message;        /* an attached message, to be stored as an
                                  email of its own */
    unsigned char *message;    /* its bytes, when the callback kept them
                                  (attachment_text.h), or NULL */
    size_t message_len;
    const char *message_derived; /* "msg" when MESSAGE was written from an
                                    attached .msg (static), else NULL */
};

/* Called for each attachment as the walk finds it, with its decoded
 * BYTES (LEN), its declared CHARSET (or NULL), and MESSAGE_PART set for
 * an attached message/rfc822 (BYTES are then the message). */
struct mime_options {
    void (*examine)(void *context, struct mime_attachment *a, const unsigned char *bytes,
                    size_t len, const char *charset, bool message_part);
    void *context;
    /* GMime parses every top-level header field, not only mime_trim.h's:
     * for the checks that say the two parse the same. */
    bool every_header;
};

/* Limits on the MIME walk; see docs/limits.md. */
#define MIME_MAX_DEPTH 50
#define MIME_MAX_PARTS 10000
#define MIME_MAX_BODY_BYTES (4u << 20)

struct mime_message {
    bool parsed;          /* false: GMime could not build a message */
    char *subject;
    bool has_date;
    int64_t date;         /* seconds since the epoch, UTC */
    char *date_raw;       /* the Date header as written, or NULL */
    char *message_id;     /* without angle brackets, or NULL */
    char *in_reply_to;    /* first id of In-Reply-To, or NULL */
    char *references;     /* ids separated by single spaces, or NULL */
    struct mime_address *addresses;
    size_t address_count;
    char *body;           /* chosen text, UTF-8 (never NULL after parse) */
    bool body_from_html;  /* the body was converted from text/html */
    bool has_html;        /* an inline text/html part exists (mime_get_html) */
    bool body_truncated;  /* cut at MIME_MAX_BODY_BYTES */
    /* The words of an HTML alternative that the plain body chosen lacks,
     * space-separated, in their order (NULL when none): indexed with the
     * body, so a word only in the HTML half of a multipart/alternative is
     * found; never shown as the body. */
    char *html_extra;
    struct mime_attachment *attachments;
    size_t attachment_count;
    int from_header_count; /* how many From: headers the message has */
};

/* Once per process, before threads start. */
void mime_init(void);
void mime_shutdown(void);

/*
 * Parse the LEN bytes at RAW (borrowed).  On MT_OK *OUT is a new message
 * owned by the caller (mime_message_free).  A message GMime cannot make
 * sense of is still MT_OK, with parsed = false and an empty body: it is
 * stored all the same.  Fails only with MT_ENOMEM.
 */
mt_status mime_parse(const unsigned char *raw, size_t len,
                     struct mime_message **out);

/*
 * Append LEN bytes of DATA in CHARSET (a MIME or iconv name, GMime's
 * aliases understood; NULL or UTF-8: none to convert) to OUT as UTF-8.
 * What CHARSET cannot decode is read as UTF-8 when it is, else as
 * windows-1252.  *CONVERTED (may be NULL) says whether CHARSET decoded
 * it.  The one charset conversion of mailtrove (bodies, attachment text,
 * Outlook strings).  Needs mime_init; reentrant.
 */
mt_status mime_append_in_charset(struct buf *out, const char *charset, const void *data,
                                 size_t len, bool *converted);

/* mime_parse with OPTIONS (may be NULL: as mime_parse). */
mt_status mime_parse_with(const unsigned char *raw, size_t len,
                          const struct mime_options *options, struct mime_message **out);

void mime_message_free(struct mime_message *m);

/*
 * Decode attachment N (as numbered by mime_parse) of RAW into *DATA
 * (malloc'd, caller frees) and *SIZE.  MT_ENOTFOUND if there is no such
 * attachment.
 */
mt_status mime_get_attachment(const unsigned char *raw, size_t len, int n,
                              unsigned char **data, size_t *size);

/*
 * The first inline text/html part of RAW (the HTML version of the body,
 * also when a text/plain alternative was chosen as the body), as UTF-8
 * into OUT.  MT_ENOTFOUND if there is none.
 */
mt_status mime_get_html(const unsigned char *raw, size_t len, struct buf *out);

/*
 * The part of RAW whose Content-ID is CID (without angle brackets), for
 * cid: images: decoded into *DATA (malloc'd, caller frees), *SIZE, and its
 * lower-case type into TYPE (SIZE bytes).  MT_ENOTFOUND if none.
 */
mt_status mime_get_content_id(const unsigned char *raw, size_t len, const char *cid,
                              unsigned char **data, size_t *size, char *type,
                              size_t type_size);

/* Convert HTML (UTF-8) to plain text; the result is malloc'd. */
char *mime_html_to_text(const char *html, size_t len);

#endif
