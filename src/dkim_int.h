/*
 * dkim_int.h - internal to the dkim module (dkim.c, dkim_tags.c,
 * dkim_canon.c), as SQLite's btreeInt.h is to its B-tree: the message as
 * the verifier sees it and the helpers the three files share.  Other
 * modules use dkim.h.  Pure functions; no state.
 */
#ifndef MT_DKIM_INT_H
#define MT_DKIM_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "dkim.h"
#include "status.h"

#define MAX_TAGS 64
#define MAX_SIGNATURES 32

/* One header field of the message, in the CRLF copy. */
struct header {
    const char *name;
    size_t name_len;
    const char *raw;   /* whole field including its final CRLF */
    size_t raw_len;
    size_t offset;     /* of RAW in the message's CRLF copy */
};

struct message {
    unsigned char *crlf;   /* the header section with bare LF made CRLF (owned) */
    size_t len;
    struct header *headers;
    size_t header_count;
    const unsigned char *body; /* in the caller's bytes, line ends as they are */
    size_t body_len;
};

/* dkim_tags.c.  Copies are malloc'd (NULL on ENOMEM), the caller frees. */
char *dkim_dup_range(const char *s, size_t n);
char *dkim_dup_lower(const char *s, size_t n);
/* The tag NAME among TAGS (COUNT of them), or NULL. */
const struct dkim_tag *dkim_find_tag(const struct dkim_tag *tags, int count, const char *name);
/* Whether TAG (may be NULL) is VALUE, ignoring case. */
bool dkim_tag_equals(const struct dkim_tag *tag, const char *value);
/* Whether TAG's colon-separated list holds WORD, ignoring case. */
bool dkim_tag_list_has(const struct dkim_tag *tag, const char *word);
/* Whether S is base64 as DKIM writes it; *DIGITS gets its digit count. */
bool dkim_base64_digits(const char *s, size_t len, size_t *digits);
/* Decode S, already checked by dkim_base64_digits (DIGITS); NULL on ENOMEM. */
unsigned char *dkim_decode_checked_base64(const char *s, size_t len, size_t digits, size_t *out_len);

/* dkim_canon.c.  M is filled from RAW (borrowed for the body); free it
 * with dkim_message_free.  MT_OK or MT_ENOMEM. */
mt_status dkim_message_load(const unsigned char *raw, size_t len, struct message *m);
void dkim_message_free(struct message *m);
/* Whether header H is named NAME, ignoring case. */
bool dkim_header_is(const struct header *h, const char *name);
/* Append the canonical form of header field RAW (LEN bytes) to OUT. */
mt_status dkim_canonicalize_header(struct buf *out, const char *raw, size_t len, bool relaxed,
                                   bool final_crlf);
/* RAW, a DKIM-Signature field, with its b= value removed (malloc'd). */
char *dkim_without_b_value(const char *raw, size_t len, size_t *out_len);

static inline bool is_wsp(char c) { return c == ' ' || c == '\t'; }
static inline bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

#endif
