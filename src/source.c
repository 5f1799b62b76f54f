/* source.c - files, directories, archives and mboxes into items. */
#include "source.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox.h"
#include "reader.h"
#include "source_int.h"
#include "outlook/outlook_store.h"

/* Bytes sniffed to decide what a stream is (tar's magic is at 257). */
#define SNIFF_BYTES 4096

enum source_kind source_classify(const unsigned char *d, size_t len,
                                 size_t *skip)
{
    *skip = 0;
    if (len == 0)
        return SOURCE_EMPTY;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b)
        return SOURCE_ARCHIVE;                        /* gzip */
    if (len >= 4 && !memcmp(d, "\x28\xb5\x2f\xfd", 4))
        return SOURCE_ARCHIVE;                        /* zstd */
    if (len >= 6 && !memcmp(d, "\xfd" "7zXZ\0", 6))
        return SOURCE_ARCHIVE;                        /* xz */
    if (len >= 10 && !memcmp(d, "BZh", 3) && !memcmp(d + 4, "\x31\x41\x59\x26\x53\x59", 6))
        return SOURCE_ARCHIVE;                        /* bzip2 */
    if (len >= 4 && (!memcmp(d, "PK\3\4", 4) || !memcmp(d, "PK\5\6", 4)))
        return SOURCE_ARCHIVE;                        /* zip */
    if (len >= 262 && !memcmp(d + 257, "ustar", 5))
        return SOURCE_ARCHIVE;                        /* tar */
    size_t start = 0;
    if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
        start = 3;                                    /* UTF-8 BOM */
    const unsigned char *line = d + start;
    size_t line_len = len - start;
    /* the first line ends at its LF, or at a bare CR (classic Mac OS) */
    const unsigned char *nl = memchr(line, mbox_line_end(line, line_len), line_len);
    if (nl)
        line_len = (size_t)(nl - line) + 1;
    if (line_len >= 5 && !memcmp(line, "From ", 5)
        && mbox_is_separator_line(line, line_len)) {
        *skip = start;
        return SOURCE_MBOX;
    }
    if (mbox_is_header_line(line, line_len))
        return SOURCE_MESSAGE;  /* stored with its BOM, as read */
    if (memchr(d, 0, len))
        return SOURCE_BINARY;
    return SOURCE_NOT_MAIL;
}

const char *source_message_problem(const unsigned char *bytes, size_t len)
{
    if (len == 0)
        return "empty message";
    if (len >= 3 && !memcmp(bytes, "\xef\xbb\xbf", 3)) {
        bytes += 3;   /* a UTF-8 byte-order mark before the headers */
        len -= 3;
    }
    const unsigned char *nl = memchr(bytes, mbox_line_end(bytes, len), len);
    size_t line_len = nl ? (size_t)(nl - bytes) + 1 : len;
    if (!mbox_is_header_line(bytes, line_len))
        return "no header block: does not start with a header field";
    return NULL;
}

/* The name of a zip's first member, from its local header at D. */
static bool zip_first_member_is(const unsigned char *d, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len < 30 || memcmp(d, "PK\3\4", 4) != 0)
        return false;
    size_t name_len = (size_t)d[26] | (size_t)d[27] << 8;
    return name_len == n && len >= 30 + n && !memcmp(d + 30, name, n);
}

static bool contains(const unsigned char *d, size_t len, const char *text)
{
    return memmem(d, len, text, strlen(text)) != NULL;
}

static const char *document_kind_zip_or_odf(const unsigned char *d, size_t len);

const char *source_document_kind(const unsigned char *d, size_t len)
{
    /* PDF readers accept the header anywhere in the first kilobyte */
    if (memmem(d, len < 1024 ? len : 1024, "%PDF-", 5))
        return "PDF";
    if (len >= 5 && !memcmp(d, "{\\rtf", 5))
        return "RTF";
    if (len >= 8 && !memcmp(d, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
        return "OLE2 compound file (legacy Office document or Outlook .msg)";
    return document_kind_zip_or_odf(d, len);
}

const char *source_media_kind(const unsigned char *d, size_t len)
{
    static const struct { size_t at, len; const char *magic, *kind; } media[] = {
        { 0, 3, "\xff\xd8\xff", "JPEG image" }, { 0, 8, "\x89PNG\r\n\x1a\n", "PNG image" },
        { 0, 4, "GIF8", "GIF image" }, { 8, 4, "WEBP", "WebP image" },
        { 4, 4, "ftyp", "MP4/QuickTime video" }, { 0, 3, "ID3", "MP3 audio" },
        { 0, 4, "\x7f" "ELF", "ELF program" }, { 0, 16, "SQLite format 3", "SQLite database" },
    };
    for (size_t i = 0; i < sizeof media / sizeof media[0]; i++)
        if (len >= media[i].at + media[i].len
            && !memcmp(d + media[i].at, media[i].magic, media[i].len))
            return media[i].kind;
    return NULL;
}

static const char *document_kind_zip_or_odf(const unsigned char *d, size_t len)
{
    /* Office Open XML has a member [Content_Types].xml, written first or
     * nearly so; the parts name the application.  Member names are plain
     * text in the local headers and in the central directory, so a zip's
     * first megabyte (source.c reads that much) shows them. */
    if (len >= 4 && !memcmp(d, "PK\3\4", 4) && contains(d, len, "[Content_Types].xml")) {
        if (contains(d, len, "word/"))
            return "DOCX";
        if (contains(d, len, "xl/"))
            return "XLSX";
        if (contains(d, len, "ppt/"))
            return "PPTX";
        return "Office Open XML";
    }
    /* OpenDocument: a first member "mimetype", stored, holding the type. */
    if (zip_first_member_is(d, len, "mimetype")) {
        size_t extra = (size_t)d[28] | (size_t)d[29] << 8;
        size_t at = 30 + 8 + extra;
        const unsigned char *t = at < len ? d + at : d;
        size_t tl = at < len ? len - at : 0;
        static const struct { const char *type, *kind; } odf[] = {
            { "application/vnd.oasis.opendocument.text", "ODT" },
            { "application/vnd.oasis.opendocument.spreadsheet", "ODS" },
            { "application/vnd.oasis.opendocument.presentation", "ODP" },
            { "application/vnd.oasis.opendocument.graphics", "ODG" },
            { "application/epub+zip", "EPUB" },
        };
        for (size_t i = 0; i < sizeof odf / sizeof odf[0]; i++) {
            size_t n = strlen(odf[i].type);
            /* the longest types first would matter for prefixes; these
             * are followed by '-template' at most, still that kind */
            if (tl >= n && !memcmp(t, odf[i].type, n))
                return odf[i].kind;
        }
        return "OpenDocument";
    }
    return NULL;
}

size_t source_find_mbox_start(const unsigned char *d, size_t len)
{
    const unsigned char *p = d;
    while ((p = memmem(p, len - (size_t)(p - d), "From ", 5))) {
        size_t at = (size_t)(p - d);
        p += 5;
        if (at == 0 || (d[at - 1] != '\n' && d[at - 1] != '\r'))
            continue;
        /* the line, up to and including its end (LF, CRLF or bare CR) */
        size_t end = at;
        while (end < len && d[end] != '\n' && d[end] != '\r')
            end++;
        if (end == len)
            break;      /* a line cut by the window: not decidable here */
        end += d[end] == '\r' && end + 1 < len && d[end + 1] == '\n' ? 2 : 1;
        /* a separator followed by a header line, as mbox.c asks of a
         * separator with no empty line before it */
        if (mbox_is_separator_line(d + at, end - at)
            && mbox_is_header_line(d + end, len - end))
            return at;
    }
    return SIZE_MAX;
}

/*
 * Hand ITEM to the caller with its path as it is recorded: the last
 * component of the SOURCE argument, then the path below it.  An absolute
 * path names the ingesting machine (/home/<user>/leaks/...), and the
 * archive is published: where the dump sat is nobody's business.
 */
/* Append REAL as it is recorded: the root's name, then the path below it. */
static mt_status recorded_path(struct walk *w, const char *real, struct buf *out)
{
    const char *below = real + strlen(w->root);
    while (*below == '/')
        below++;
    buf_clear(out);
    if (buf_append_str(out, w->root_name) != MT_OK
        || (*below && out->len && buf_append_char(out, '/') != MT_OK)
        || buf_append_str(out, below) != MT_OK)
        return MT_ENOMEM;
    if (!out->len && buf_append_str(out, ".") != MT_OK)
        return MT_ENOMEM;
    return MT_OK;
}

mt_status source_deliver(struct walk *w, struct source_item *item)
{
    if (recorded_path(w, item->path, &w->shown) != MT_OK)
        return MT_ENOMEM;
    const char *row = w->file_row ? w->file_row : item->path;
    if (recorded_path(w, row, &w->shown_file) != MT_OK)
        return MT_ENOMEM;
    const char *real = item->path;
    item->path = w->shown.data;
    item->file = w->shown_file.data;
    item->file_kind = w->file_kind ? w->file_kind : "other";
    if (w->disk_read) {
        /* the file's position: how far the reader (or libarchive on the
         * same descriptor) has read it, a buffer ahead at most */
        off_t at = w->file_fd >= 0 ? lseek(w->file_fd, 0, SEEK_CUR) : 0;
        item->disk_read = *w->disk_read + (at > 0 ? (uint64_t)at : 0);
    }
    mt_status st = w->emit(w->context, item);
    item->path = real;
    return st;
}

mt_status source_emit_rejection(struct walk *w, const char *path,
                                int64_t offset, const char *member,
                                const char *reason, uint64_t input_bytes)
{
    struct source_item item = {
        .path = path, .offset = offset, .member = member,
        .reject_reason = reason, .input_bytes = input_bytes,
    };
    return source_deliver(w, &item);
}

mt_status source_emit_message(struct walk *w, struct source_item *item)
{
    const char *problem = source_message_problem(
        (const unsigned char *)buf_cstr(item->bytes), item->bytes->len);
    if (problem) {
        item->reject_reason = problem;
        item->bytes = NULL;
    }
    return source_deliver(w, item);
}

static mt_status walk_stream(struct walk *w, struct reader *r,
                             const char *path, const char *member,
                             int depth, int top_fd);

/* Split an mbox stream, the reader at its first separator. */
static mt_status walk_mbox(struct walk *w, struct reader *r, const char *path,
                           const char *member)
{
    struct mbox_splitter splitter;
    struct mbox_message message;
    mt_status st = MT_OK;
    char reason[1200];

    mbox_splitter_init(&splitter, r, w->max_message);
    for (;;) {
        struct mt_error split_err = { 0 };
        st = mbox_next(&splitter, &message, &split_err);
        if (st == MT_DONE) {
            st = MT_OK;
            mbox_message_free(&message);
            break;
        }
        if (st != MT_OK) {
            mbox_message_free(&message);
            if (st == MT_ENOMEM)
                break;
            snprintf(reason, sizeof reason, "mbox could not be read to the end: %s",
                     split_err.message);
            st = source_emit_rejection(w, path, (int64_t)r->offset, member, reason, 0);
            break;
        }
        struct source_item item = {
            .path = path, .offset = (int64_t)message.offset, .member = member,
            .separator = message.separator,
            .unquoted_lines = message.unquoted_lines,
            .bytes = &message.bytes,
            .input_bytes = message.length_in_mbox,
        };
        /* Past the limit: what fits (the headers and the start of the
         * body) is stored, marked truncated; never nothing. */
        if (message.oversize)
            item.truncated_from = message.length_in_mbox;
        st = source_emit_message(w, &item);
        mbox_message_free(&message);
        if (st != MT_OK)
            break;
    }
    mbox_splitter_free(&splitter);
    return st;
}

/* Read a whole single-message stream, up to the size limit. */
static mt_status walk_single_message(struct walk *w, struct reader *r,
                                     const char *path, const char *member)
{
    struct buf bytes = BUF_INIT;
    mt_status st = MT_OK;
    uint64_t total = 0;
    bool oversize = false;
    char reason[1200];

    for (;;) {
        ssize_t got = reader_fill(r, 1);
        if (got < 0) {
            snprintf(reason, sizeof reason, "could not be read: %s",
                     r->error.message);
            st = source_emit_rejection(w, path, -1, member, reason, total);
            goto out;
        }
        if (got == 0)
            break;
        total += (uint64_t)got;
        if (!oversize) {
            /* up to the limit; past it, what fits is kept (truncated) */
            size_t room = w->max_message - bytes.len;
            size_t take = (size_t)got <= room ? (size_t)got : room;
            if (buf_append(&bytes, reader_peek(r), take) != MT_OK) {
                st = MT_ENOMEM;
                goto out;
            }
            oversize = take < (size_t)got;
        }
        reader_consume(r, (size_t)got);
    }
    struct source_item item = {
        .path = path, .offset = -1, .member = member, .bytes = &bytes,
        .input_bytes = total, .truncated_from = oversize ? total : 0,
    };
    st = source_emit_message(w, &item);
out:
    buf_free(&bytes);
    return st;
}

/* libarchive reads its input through our reader, so bytes already peeked
 * at for sniffing are not lost. */
struct archive_input {
    struct reader *reader;
    size_t handed_out;
};

static la_ssize_t archive_input_read(struct archive *a, void *context,
                                     const void **buffer)
{
    struct archive_input *in = context;
    if (in->handed_out) {
        reader_consume(in->reader, in->handed_out);
        in->handed_out = 0;
    }
    ssize_t got = reader_fill(in->reader, 1);
    if (got < 0) {
        archive_set_error(a, EIO, "%s", in->reader->error.message);
        return -1;
    }
    *buffer = reader_peek(in->reader);
    in->handed_out = (size_t)got;
    return (la_ssize_t)got;
}

/* Reads one archive member's data for the nested reader. */
static ssize_t archive_member_read(void *context, unsigned char *dest,
                                   size_t capacity, struct mt_error *err)
{
    struct archive *a = context;
    la_ssize_t got = archive_read_data(a, dest, capacity);
    if (got < 0) {
        mt_error_set(err, MT_EIO, "%s", archive_error_string(a)
                     ? archive_error_string(a) : "archive read error");
        return -1;
    }
    return (ssize_t)got;
}

static const char *entry_kind_name(mode_t type)
{
    switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFSOCK: return "a socket";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a named pipe";
    default: return "not a regular file";
    }
}

/* One pass over an archive's members; *ENTRIES counts the members found.
 * STREAMED_ZIP reads a zip by its local headers even from a file we could
 * seek in (the retry when its central directory is damaged). */
static mt_status read_archive(struct walk *w, struct reader *r,
                              const char *path, const char *member,
                              int depth, int top_fd, bool streamed_zip,
                              unsigned *entries)
{
    struct archive *a = archive_read_new();
    struct archive_input input = { r, 0 };
    mt_status st = MT_OK;
    char reason[1200];
    struct buf child_member = BUF_INIT;
    int opened;

    if (!a)
        return MT_ENOMEM;
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (streamed_zip)
        archive_read_support_format_zip_streamable(a);
    else
        archive_read_support_format_zip(a);
    archive_read_support_format_empty(a);
    archive_read_support_format_raw(a);
    if (top_fd >= 0 && lseek(top_fd, 0, SEEK_SET) == 0)
        /* A file we can seek in: zip is then read by its central
         * directory, which streaming cannot always do. */
        opened = archive_read_open_fd(a, top_fd, 1 << 16);
    else
        opened = archive_read_open(a, &input, NULL, archive_input_read, NULL);
    if (opened != ARCHIVE_OK) {
        snprintf(reason, sizeof reason, "archive could not be opened: %s",
                 archive_error_string(a) ? archive_error_string(a) : "unknown");
        st = source_emit_rejection(w, path, -1, member, reason, 0);
        goto out;
    }
    for (;;) {
        struct archive_entry *entry;
        int rc = archive_read_next_header(a, &entry);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN) {
            snprintf(reason, sizeof reason,
                     "archive is damaged, reading stopped: %s",
                     archive_error_string(a) ? archive_error_string(a)
                                             : "unknown error");
            st = source_emit_rejection(w, path, -1, member, reason, 0);
            goto out;
        }
        (*entries)++;
        bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        const char *name = archive_entry_pathname_utf8(entry);
        if (!name)
            name = archive_entry_pathname(entry);
        if (!name)
            name = "(unnamed member)";
        buf_clear(&child_member);
        if (raw) {
            if (member && buf_append_str(&child_member, member) != MT_OK) {
                st = MT_ENOMEM;
                goto out;
            }
        } else if ((member && buf_printf(&child_member, "%s!/", member) != MT_OK)
                   || buf_append_str(&child_member, name) != MT_OK) {
            st = MT_ENOMEM;
            goto out;
        }
        const char *child = child_member.len ? child_member.data : NULL;
        mode_t type = archive_entry_filetype(entry);
        if (type == AE_IFDIR)
            continue;
        if (type != AE_IFREG && !raw) {
            snprintf(reason, sizeof reason, "archive member is %s",
                     entry_kind_name(type));
            st = source_emit_rejection(w, path, -1, child, reason, 0);
            if (st != MT_OK)
                goto out;
            continue;
        }
        if (depth + 1 > w->max_depth) {
            snprintf(reason, sizeof reason,
                     "archives nested deeper than %d levels", w->max_depth);
            st = source_emit_rejection(w, path, -1, child, reason, 0);
            if (st != MT_OK)
                goto out;
            continue;
        }
        struct reader member_reader;
        if (reader_init(&member_reader, archive_member_read, a, 0) != MT_OK) {
            st = MT_ENOMEM;
            goto out;
        }
        st = walk_stream(w, &member_reader, path, child, depth + 1, -1);
        reader_free(&member_reader);
        if (st != MT_OK)
            goto out;
    }
out:
    buf_free(&child_member);
    archive_read_free(a);
    return st;
}

static mt_status walk_archive(struct walk *w, struct reader *r,
                              const char *path, const char *member,
                              int depth, int top_fd)
{
    unsigned entries = 0;
    bool zip = reader_available(r) >= 2 && !memcmp(reader_peek(r), "PK", 2);
    mt_status st = read_archive(w, r, path, member, depth, top_fd, false, &entries);
    if (st != MT_OK || entries)
        return st;
    /* A zip whose central directory is damaged lists nothing when read by
     * it; its local headers may still give the members. */
    if (zip && top_fd >= 0) {
        st = read_archive(w, r, path, member, depth, top_fd, true, &entries);
        if (st != MT_OK || entries)
            return st;
    }
    /* Nothing lost silently: an archive that gave nothing is rejected. */
    return source_emit_rejection(w, path, -1, member,
                          "archive holds no member that could be read "
                          "(empty, or damaged beyond reading)", 0);
}

/*
 * A stream that does not start as mail: a dump carved from a disk often
 * holds a few bytes of garbage, then a normal mbox.  Look for a separator
 * line followed by a header line within the reader's buffer (1 MiB); when
 * there is one, the bytes before it are one rejection and the rest is
 * read as an mbox.  Else the whole stream is one rejection.
 */
static mt_status walk_junk_then_mbox(struct walk *w, struct reader *r,
                                     const char *path, const char *member,
                                     bool binary)
{
    char reason[1200];
    ssize_t got = reader_fill(r, r->capacity);
    if (got < 0) {
        snprintf(reason, sizeof reason, "could not be read: %s", r->error.message);
        return source_emit_rejection(w, path, -1, member, reason, 0);
    }
    size_t start = source_find_mbox_start(reader_peek(r), (size_t)got);
    if (start == SIZE_MAX)
        return source_emit_rejection(w, path, -1, member,
                              binary ? "binary data, not an email message"
                                     : "no header block: not an email message or mbox", 0);
    bool nul = memchr(reader_peek(r), 0, start) != NULL;
    snprintf(reason, sizeof reason,
             "%zu bytes before the first From line are not mail (%s); the mbox after them "
             "was read", start, nul ? "binary data" : "text");
    mt_status st = source_emit_rejection(w, path, (int64_t)r->offset, member, reason, start);
    if (st != MT_OK)
        return st;
    reader_consume(r, start);
    return walk_mbox(w, r, path, member);
}

/* Which `sources` row the file PATH counts under, and its kind: a file
 * holding one message, in a directory, counts under the directory. */
static void note_file_kind(struct walk *w, const char *path,
                           enum source_kind kind, const char *store, bool ole2)
{
    w->file_row = path;
    if (store)
        w->file_kind = store;
    else if (ole2)
        w->file_kind = "msg";
    else if (kind == SOURCE_MBOX)
        w->file_kind = "mbox";
    else if (kind == SOURCE_ARCHIVE)
        w->file_kind = "archive";
    else if (kind == SOURCE_MESSAGE)
        w->file_kind = "message";
    else
        w->file_kind = "other";
    if (w->in_directory && !store && (kind == SOURCE_MESSAGE || ole2 || kind == SOURCE_EMPTY
                                      || kind == SOURCE_NOT_MAIL || kind == SOURCE_BINARY)) {
        w->file_row = w->directory;
        w->file_kind = "directory";
    }
}

static mt_status walk_stream(struct walk *w, struct reader *r,
                             const char *path, const char *member,
                             int depth, int top_fd)
{
    char reason[1200];
    ssize_t got = reader_fill(r, SNIFF_BYTES);
    if (got < 0) {
        snprintf(reason, sizeof reason, "could not be read: %s",
                 r->error.message);
        return source_emit_rejection(w, path, -1, member, reason, 0);
    }
    size_t skip;
    enum source_kind kind = source_classify(reader_peek(r), (size_t)got, &skip);
    const char *store = outlook_store_kind(reader_peek(r), (size_t)got);
    bool ole2 = got >= 8 && !memcmp(reader_peek(r), "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
    if (depth == 0 && member == NULL)
        note_file_kind(w, path, kind, store, ole2);
    if (kind == SOURCE_EMPTY)
        return source_emit_rejection(w, path, -1, member, "empty file", 0);
    if (store)
        return source_walk_outlook_store(w, r, path, member, top_fd, store);
    if (ole2)
        return source_walk_ole2(w, r, path, member);
    if (kind == SOURCE_MBOX) {
        reader_consume(r, skip);
        return walk_mbox(w, r, path, member);
    }
    if (kind == SOURCE_MESSAGE)
        return walk_single_message(w, r, path, member);
    /* A document given as input is one rejection, not a walk into its
     * zip (whose XML members are not mail either). */
    if (kind == SOURCE_ARCHIVE && (size_t)got >= 2 && !memcmp(reader_peek(r), "PK", 2)) {
        got = reader_fill(r, r->capacity);   /* a zip: enough to see its member names */
        if (got < 0) {
            snprintf(reason, sizeof reason, "could not be read: %s", r->error.message);
            return source_emit_rejection(w, path, -1, member, reason, 0);
        }
    }
    const char *document = source_document_kind(reader_peek(r), (size_t)got);
    if (document) {
        snprintf(reason, sizeof reason, "a document, not an email: %s", document);
        return source_emit_rejection(w, path, -1, member, reason, 0);
    }
    /* media: named at once, not read further in search of an mbox */
    const char *media = source_media_kind(reader_peek(r), (size_t)got);
    if (media) {
        snprintf(reason, sizeof reason, "not an email: %s", media);
        return source_emit_rejection(w, path, -1, member, reason, 0);
    }
    if (kind == SOURCE_ARCHIVE)
        return walk_archive(w, r, path, member, depth, top_fd);
    return walk_junk_then_mbox(w, r, path, member, kind == SOURCE_BINARY);
}

static mt_status walk_file(struct walk *w, const char *path)
{
    char reason[1200];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(reason, sizeof reason, "could not be opened: %s",
                 strerror(errno));
        return source_emit_rejection(w, path, -1, NULL, reason, 0);
    }
    struct reader r;
    struct stat info;
    mt_status st = reader_init(&r, reader_read_fd, &fd, 0);
    w->file_fd = fd;
    if (st == MT_OK)
        st = walk_stream(w, &r, path, NULL, 0, fd);
    w->file_fd = -1;
    if (w->disk_read && fstat(fd, &info) == 0)
        *w->disk_read += (uint64_t)info.st_size;
    reader_free(&r);
    close(fd);
    return st;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static mt_status walk_path(struct walk *w, const char *path, int level);

static mt_status walk_directory(struct walk *w, const char *path, int level)
{
    char reason[1200];
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(reason, sizeof reason, "directory could not be opened: %s",
                 strerror(errno));
        return source_emit_rejection(w, path, -1, NULL, reason, 0);
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    mt_status st = MT_OK;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 64;
            char **bigger = realloc(names, grown * sizeof *names);
            if (!bigger) {
                st = MT_ENOMEM;
                goto out;
            }
            names = bigger;
            capacity = grown;
        }
        names[count] = strdup(entry->d_name);
        if (!names[count]) {
            st = MT_ENOMEM;
            goto out;
        }
        count++;
    }
    /* Sorted, so ids come out the same on every run and machine. */
    if (count)   /* an empty directory has no array: qsort(NULL) is undefined */
        qsort(names, count, sizeof *names, compare_names);
    struct buf child = BUF_INIT;
    for (size_t i = 0; i < count && st == MT_OK; i++) {
        buf_clear(&child);
        size_t plen = strlen(path);
        bool slash = plen && path[plen - 1] == '/';
        if (buf_printf(&child, slash ? "%s%s" : "%s/%s", path, names[i])
            != MT_OK) {
            st = MT_ENOMEM;
            break;
        }
        w->in_directory = true;
        w->directory = path;
        st = walk_path(w, child.data, level + 1);
    }
    buf_free(&child);
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return st;
}

static mt_status walk_path(struct walk *w, const char *path, int level)
{
    struct stat info;
    char reason[1200];
    w->file_row = w->in_directory ? w->directory : path;
    w->file_kind = w->in_directory ? "directory" : "other";
    if (lstat(path, &info) != 0) {
        snprintf(reason, sizeof reason, "could not be examined: %s",
                 strerror(errno));
        return source_emit_rejection(w, path, -1, NULL, reason, 0);
    }
    if (S_ISLNK(info.st_mode)) {
        /* Follow links to files; links to directories could loop. */
        if (stat(path, &info) != 0)
            return source_emit_rejection(w, path, -1, NULL,
                                  "symbolic link to nothing", 0);
        if (S_ISDIR(info.st_mode) && level > 0)
            return source_emit_rejection(w, path, -1, NULL,
                                  "symbolic link to a directory, not followed",
                                  0);
    }
    if (S_ISDIR(info.st_mode))
        return walk_directory(w, path, level);
    if (!S_ISREG(info.st_mode))
        return source_emit_rejection(w, path, -1, NULL,
                              "not a regular file (device, pipe or socket)",
                              0);
    return walk_file(w, path);
}

mt_status source_walk(const char *path, const struct source_options *options,
                      source_item_fn emit, void *context,
                      struct mt_error *err)
{
    struct walk w = {
        .root = path, .shown = BUF_INIT,
        .max_message = options && options->max_message_bytes
                           ? options->max_message_bytes
                           : SOURCE_MAX_MESSAGE_BYTES,
        .max_depth = options && options->max_archive_depth
                         ? options->max_archive_depth
                         : SOURCE_MAX_ARCHIVE_DEPTH,
        .emit = emit, .context = context, .err = err,
        .disk_read = options ? options->disk_read : NULL, .file_fd = -1,
        .shown_file = BUF_INIT,
        .outlook_helper = options && options->outlook_helper
                              ? options->outlook_helper : "/proc/self/exe", /* cli/mailtrove_full.c */
    };
    struct stat info;
    if (stat(path, &info) != 0)
        return mt_error_set(err, MT_ENOTFOUND, "%s: %s", path,
                            strerror(errno));
    char *name = source_root_name(path);
    if (!name)
        return MT_ENOMEM;
    w.root_name = name;
    mt_status st = walk_path(&w, path, 0);
    free(name);
    buf_free(&w.shown);
    buf_free(&w.shown_file);
    return st;
}

char *source_root_name(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t n = len - start;
    const char *last = path + start;
    /* "." or ".." or "/" name nothing: the directory's own name does */
    if (n == 0 || (n == 1 && last[0] == '.') || (n == 2 && !memcmp(last, "..", 2))
        || (n == 1 && last[0] == '/')) {
        char *real = realpath(path, NULL);
        if (!real)
            return strdup("");
        char *slash = strrchr(real, '/');
        char *name = strdup(slash ? slash + 1 : real);
        free(real);
        return name;
    }
    char *name = malloc(n + 1);
    if (name) {
        memcpy(name, last, n);
        name[n] = '\0';
    }
    return name;
}
