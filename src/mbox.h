/*
 * mbox.h - splitting an mbox stream into messages (mboxo and mboxrd).
 *
 * A separator is a line "From SENDER[ DATE]" where DATE, when present,
 * holds a year or a time (so body lines such as "From Russia with love"
 * are not separators), at the start of the stream, after an empty line, or
 * followed by a header line (mboxes written with Content-Length have no
 * empty line before "From ").  Each message is the text after its
 * separator up to the next one, less the one empty line that ends a
 * message in the format; one '>' is removed from every line matching
 * ^>+From (mboxrd unquoting).  Line endings (LF, CRLF, or the bare CR of
 * classic Mac OS, decided by the stream's first line end) are kept as
 * read.
 *
 * Streaming: memory is the reader's buffer plus one message.  Not
 * thread-safe; a splitter belongs to one thread.
 */
#ifndef MT_MBOX_H
#define MT_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "reader.h"

struct mbox_message {
    struct buf bytes;        /* the stored message (owned) */
    uint64_t offset;         /* stream offset of the separator line */
    char *separator;         /* separator line without its line end (owned) */
    unsigned unquoted_lines; /* lines that lost one '>' */
    uint64_t length_in_mbox; /* bytes the message took in the mbox */
    bool oversize;           /* longer than the limit: bytes is cut short */
};

struct mbox_splitter {
    struct reader *reader;   /* borrowed */
    size_t max_message;      /* bytes; longer messages are flagged oversize */
    bool started;            /* the first separator has been read */
    char *pending_separator; /* owned; separator of the next message */
    uint64_t pending_offset;
    unsigned char eol;       /* '\n', or '\r' for a bare-CR stream */
};

/* The reader must be positioned at the first separator line. */
void mbox_splitter_init(struct mbox_splitter *s, struct reader *reader,
                        size_t max_message);
void mbox_splitter_free(struct mbox_splitter *s);

/*
 * Read the next message into OUT (which the caller releases with
 * mbox_message_free, also after errors).  Returns MT_OK, MT_DONE at the
 * end of the stream, MT_EIO when the reader fails (ERR says why), or
 * MT_ENOMEM.  An oversize message is MT_OK with OUT->oversize set.
 */
mt_status mbox_next(struct mbox_splitter *s, struct mbox_message *out,
                    struct mt_error *err);

void mbox_message_free(struct mbox_message *m);

/* The byte that ends lines in DATA (LEN bytes): '\r' when its first line
 * end is a CR not followed by LF (classic Mac OS), else '\n'. */
unsigned char mbox_line_end(const unsigned char *data, size_t len);

/* Whether the line (LEN bytes, line end optional) has separator form. */
bool mbox_is_separator_line(const unsigned char *line, size_t len);

/* Whether the line looks like a header field "Name: ..." */
bool mbox_is_header_line(const unsigned char *line, size_t len);

#endif
