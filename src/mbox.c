/* mbox.c - streaming mbox splitter. */
#include "mbox.h"

#include <stdlib.h>
#include <string.h>

/* A separator longer than this is treated as body text. */
#define SEPARATOR_MAX 1000

void mbox_splitter_init(struct mbox_splitter *s, struct reader *reader,
                        size_t max_message)
{
    memset(s, 0, sizeof *s);
    s->reader = reader;
    s->max_message = max_message;
    s->eol = '\n';
}

void mbox_splitter_free(struct mbox_splitter *s)
{
    if (!s)
        return;
    free(s->pending_separator);
    s->pending_separator = NULL;
}

void mbox_message_free(struct mbox_message *m)
{
    if (!m)
        return;
    buf_free(&m->bytes);
    free(m->separator);
    memset(m, 0, sizeof *m);
}

static size_t strip_line_end(const unsigned char *line, size_t len)
{
    if (len && line[len - 1] == '\n')
        len--;
    if (len && line[len - 1] == '\r')
        len--;
    return len;
}

bool mbox_is_header_line(const unsigned char *line, size_t len)
{
    size_t i = 0;
    /* RFC 5322 2.2: field name is printable ASCII except colon. */
    while (i < len && line[i] > 32 && line[i] < 127 && line[i] != ':')
        i++;
    if (i == 0)
        return false;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

unsigned char mbox_line_end(const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n')
            return '\n';
        if (data[i] == '\r' && i + 1 < len)
            return data[i + 1] == '\n' ? '\n' : '\r';
    }
    return '\n';
}

bool mbox_is_separator_line(const unsigned char *line, size_t len)
{
    len = strip_line_end(line, len);
    if (len < 5 || memcmp(line, "From ", 5) != 0)
        return false;
    /* git format-patch writes "From <commit> Mon Sep 17 00:00:00 2001" at
     * the top of every patch, and patches are pasted into mail bodies
     * unquoted.  That fixed date never starts a real mbox message. */
    static const char git_date[] = " Mon Sep 17 00:00:00 2001";
    if (len == 5 + 40 + sizeof git_date - 1
        && !memcmp(line + 45, git_date, sizeof git_date - 1))
        return false;
    size_t i = 5;
    while (i < len && line[i] == ' ')
        i++;
    while (i < len && line[i] != ' ')   /* the envelope sender */
        i++;
    while (i < len && line[i] == ' ')
        i++;
    if (i == len)
        return true;                    /* "From sender" alone */
    /* The rest must look like a date: a time hh:mm or a 4-digit year. */
    for (size_t j = i; j < len; j++) {
        if (line[j] >= '0' && line[j] <= '9') {
            size_t k = j;
            while (k < len && line[k] >= '0' && line[k] <= '9')
                k++;
            if (k - j == 4)
                return true;
            if (k < len && line[k] == ':' && k + 2 < len
                && line[k + 1] >= '0' && line[k + 1] <= '9')
                return true;
            j = k;
        }
    }
    return false;
}

/*
 * Find the current line: sets *LEN to its length including '\n', or to
 * what is buffered when the line is longer than the buffer (*COMPLETE = 0).
 * Returns -1 on a read error, 0 at the end of the stream, 1 otherwise.
 */
static int current_line(struct reader *r, unsigned char eol, size_t *len, bool *complete)
{
    size_t scanned = 0;
    for (;;) {
        size_t avail = reader_available(r);
        const unsigned char *p = reader_peek(r);
        const unsigned char *nl = memchr(p + scanned, eol, avail - scanned);
        if (nl) {
            *len = (size_t)(nl - p) + 1;
            *complete = true;
            return 1;
        }
        scanned = avail;
        if (r->at_eof) {
            *len = avail;
            *complete = true;
            return avail ? 1 : 0;
        }
        if (avail >= r->capacity) {
            *len = avail;
            *complete = false;
            return 1;
        }
        if (reader_fill(r, avail + 1) < 0)
            return -1;
    }
}

/* Is the complete line of LEN bytes at the reader's position a separator,
 * given what came before it? */
static int line_is_separator(struct reader *r, size_t len, bool at_start,
                             bool previous_blank)
{
    const unsigned char *p = reader_peek(r);
    if (len > SEPARATOR_MAX || !mbox_is_separator_line(p, len))
        return 0;
    if (at_start || previous_blank)
        return 1;
    if (reader_fill(r, len + 256) < 0)
        return -1;
    p = reader_peek(r);
    size_t avail = reader_available(r);
    if (avail <= len)
        return 0;
    return mbox_is_header_line(p + len, avail - len);
}

static mt_status take_separator(struct mbox_splitter *s, size_t len)
{
    const unsigned char *p = reader_peek(s->reader);
    size_t text_len = strip_line_end(p, len);
    char *copy = malloc(text_len + 1);
    if (!copy)
        return MT_ENOMEM;
    memcpy(copy, p, text_len);
    copy[text_len] = '\0';
    free(s->pending_separator);
    s->pending_separator = copy;
    s->pending_offset = s->reader->offset;
    reader_consume(s->reader, len);
    return MT_OK;
}

/* Remove the one empty line that ends a message in an mbox. */
static void strip_final_blank_line(struct buf *b, unsigned char eol)
{
    size_t n = b->len;
    const char *d = b->data;
    if (n >= 2 && d[n - 1] == (char)eol && d[n - 2] == (char)eol)
        b->len -= 1;
    else if (n >= 3 && d[n - 1] == '\n' && d[n - 2] == '\r'
             && d[n - 3] == '\n')
        b->len -= 2;
    if (b->data)
        b->data[b->len] = '\0';
}

static mt_status append_limited(struct mbox_splitter *s,
                                struct mbox_message *out,
                                const unsigned char *p, size_t len)
{
    out->length_in_mbox += len;
    if (out->oversize)
        return MT_OK;
    if (out->bytes.len + len > s->max_message) {
        out->oversize = true;
        return MT_OK;
    }
    return buf_append(&out->bytes, p, len);
}

mt_status mbox_next(struct mbox_splitter *s, struct mbox_message *out,
                    struct mt_error *err)
{
    struct reader *r = s->reader;
    size_t len;
    bool complete;
    int got;

    memset(out, 0, sizeof *out);
    if (!s->started) {
        /* enough to see the first line end (a read error shows below) */
        reader_fill(r, SEPARATOR_MAX + 2);
        s->eol = mbox_line_end(reader_peek(r), reader_available(r));
        got = current_line(r, s->eol, &len, &complete);
        if (got < 0)
            goto read_error;
        if (got == 0)
            return MT_DONE;
        if (!complete || !mbox_is_separator_line(reader_peek(r), len))
            return mt_error_set(err, MT_EPARSE,
                                "stream does not start with a From line");
        if (take_separator(s, len) != MT_OK)
            return MT_ENOMEM;
        s->started = true;
    }
    if (!s->pending_separator)
        return MT_DONE;

    out->separator = s->pending_separator;
    out->offset = s->pending_offset;
    s->pending_separator = NULL;

    bool line_start = true;
    bool previous_blank = false;
    bool first_line = true;
    for (;;) {
        got = current_line(r, s->eol, &len, &complete);
        if (got < 0)
            goto read_error;
        if (got == 0)
            break;
        const unsigned char *p = reader_peek(r);
        if (line_start && complete && !first_line) {
            int sep = line_is_separator(r, len, false, previous_blank);
            if (sep < 0)
                goto read_error;
            if (sep) {
                if (take_separator(s, len) != MT_OK)
                    return MT_ENOMEM;
                if (previous_blank)
                    strip_final_blank_line(&out->bytes, s->eol);
                return MT_OK;
            }
            p = reader_peek(r);
        }
        size_t skip = 0;
        if (line_start && len >= 6 && p[0] == '>') {
            size_t k = 0;
            while (k < len && p[k] == '>')
                k++;
            if (len - k >= 5 && memcmp(p + k, "From ", 5) == 0) {
                skip = 1; /* mboxrd: drop one '>' */
                out->unquoted_lines++;
                out->length_in_mbox++;
            }
        }
        if (append_limited(s, out, p + skip, len - skip) != MT_OK)
            return MT_ENOMEM;
        if (line_start)
            previous_blank = (len == 1 && p[0] == s->eol)
                             || (len == 2 && p[0] == '\r' && p[1] == '\n');
        else if (complete)
            previous_blank = false;
        reader_consume(r, len);
        line_start = complete;
        first_line = false;
        if (!complete)
            previous_blank = false;
    }
    /* End of stream: the last message also ends with its empty line. */
    if (previous_blank)
        strip_final_blank_line(&out->bytes, s->eol);
    return MT_OK;

read_error:
    return mt_error_set(err, MT_EIO, "%s", r->error.message);
}
