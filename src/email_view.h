/*
 * email_view.h - one email, read once, as every renderer takes it: the
 * CLI's show (text and --json), the web's email page, the static site
 * (which renders the web page), the search-engine document, the evidence
 * bundle (through show --json).  A new field of an email is added here,
 * once, and each renderer picks it up from the view.
 *
 * The view is plain C values copied out of the archive: after
 * email_view_load returns, nothing in it points into SQLite, so a
 * renderer needs no statement and no transaction.  It reads the tables
 * that store (email, address, attachment, source), thread (thread_id and
 * neighbours) and corroborate (corroboration) own; it writes nothing.
 *
 * Ownership: the caller owns the struct (usually on its stack); every
 * string and array in it belongs to the view and is freed by
 * email_view_free.  Thread-safety: a view is a plain value; loading uses
 * the store, so one thread at a time per store (store.h).
 */
#ifndef MT_EMAIL_VIEW_H
#define MT_EMAIL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mime.h"
#include "status.h"
#include "store.h"

/* One address as the address table keeps it: the address lower-cased for
 * search, the display name as written. */
struct email_view_address {
    enum mime_role role;
    char *name;         /* NULL when none */
    char *address;      /* NULL when none (a group, an unparsable one) */
};

struct email_view_attachment {
    int n;                      /* its number, 1-based, as in /attachment/N */
    char *filename;             /* NULL when it has none */
    char *content_type;
    int64_t size;
    bool has_sha256;
    unsigned char sha256[32];
    bool has_text_bytes;        /* false for emails indexed before extraction */
    int64_t text_bytes;
    char *extraction;           /* extract.h's outcome, or NULL */
    char *extraction_reason;    /* NULL when none */
};

/* A place the email was found (the source table). */
struct email_view_source {
    char *path;                 /* as recorded (recorded_path.h) */
    bool has_offset;
    int64_t offset;
    char *member;               /* NULL unless in a container */
    char *separator;            /* mbox "From " line, or NULL */
    int64_t unquoted_lines;
};

/* A span of this email's text a verified email vouches for
 * (docs/corroboration.md). */
struct email_view_span {
    char *text;
    int64_t by;                 /* the verified email */
    char *direction;            /* "quoted_by_verified" or "quotes_verified" */
};

struct email_view {
    int64_t id;
    char *message_id;           /* NULL when none; without < > */
    bool has_date;
    int64_t date;               /* Unix seconds, when has_date */
    char *date_raw;             /* the Date header as written, or NULL */
    char *from_name, *from_addr;
    char *subject;
    char *verdict;              /* verified, weak, failed, nokey, unsigned */
    char *failure_kind;         /* QUERY_FAILURE_KIND_SQL: altered, unchecked, NULL */
    bool has_thread;
    int64_t thread;
    int64_t thread_parent;      /* 0 when none */
    int64_t raw_size;
    char *in_reply_to;
    char *refs;                 /* space-separated, as stored */
    unsigned char sha256[32];
    int64_t truncated_from;     /* 0 unless stored cut at the size limit */
    char *derived_from;         /* "pst", "msg" or NULL */

    struct email_view_address *addresses;   /* by role, then position */
    size_t address_count;
    struct email_view_attachment *attachments;  /* by n */
    size_t attachment_count;
    struct email_view_source *sources;      /* in recording order (see EMAIL_VIEW_PAGE) */
    size_t source_count;
    struct email_view_span *spans;          /* by position */
    size_t span_count;

    /* With EMAIL_VIEW_BODY: */
    struct buf raw;                 /* the stored bytes */
    struct mime_message *parsed;    /* NULL when not asked for */

    /* With EMAIL_VIEW_NEIGHBOURS: the emails before and after it in its
     * conversation, by date then id (0 when none). */
    int64_t thread_prev, thread_next;
};

/* What to load beyond the email's rows. */
enum {
    EMAIL_VIEW_BODY = 1 << 0,       /* raw bytes and the parsed message */
    EMAIL_VIEW_NEIGHBOURS = 1 << 1, /* thread_prev and thread_next */
    EMAIL_VIEW_PAGE = 1 << 2,       /* for a page: the sources only of an email
                                     * rebuilt from Outlook (its folders), the
                                     * others' are not shown */
};

/*
 * Load email ID into *V (its old contents are not freed; start from an
 * uninitialised or freed struct).  PARTS is a set of EMAIL_VIEW_* flags.
 * PARSE (may be NULL) is how the body is parsed with EMAIL_VIEW_BODY: with
 * an examine callback, attachments' text comes too (attachment_text.h).
 * Returns MT_OK; MT_ENOTFOUND if there is no such email; MT_EDB, MT_ENOMEM
 * or a mime/store status with ERR.  On any status *V is safe to pass to
 * email_view_free.
 */
mt_status email_view_load(struct store *st, int64_t id, unsigned parts,
                          const struct mime_options *parse, struct email_view *v,
                          struct mt_error *err);

/* Frees everything the view holds and zeroes it; NULL is a no-op. */
void email_view_free(struct email_view *v);

/* One email of a conversation, as its page and thread --json list it. */
struct conversation_row {
    int64_t id;
    bool has_parent;
    int64_t parent;             /* the email it replies to, when has_parent */
    bool has_date;
    int64_t date;
    char *from_name, *from_addr;
    char *subject;              /* NULL when none */
    char *verdict;
    char *failure_kind;         /* as email_view's */
};

/*
 * The emails of conversation THREAD (an email id: the conversation's
 * root; an unthreaded email is a conversation of its own), in date order,
 * undated last, then by id, into *ROWS (the caller frees with
 * conversation_rows_free) and *COUNT (0, *ROWS NULL, when there is no
 * such conversation).  MT_OK, MT_ENOMEM or MT_EDB with ERR.
 */
mt_status email_view_conversation(struct store *st, int64_t thread,
                                  struct conversation_row **rows, size_t *count,
                                  struct mt_error *err);
/* The conversation THREAD email ID belongs to (its own id when it has
 * none) into *THREAD.  MT_OK, MT_ENOTFOUND or MT_EDB with ERR. */
mt_status email_view_thread_of(struct store *st, int64_t id, int64_t *thread,
                               struct mt_error *err);
void conversation_rows_free(struct conversation_row *rows, size_t count);

#endif
